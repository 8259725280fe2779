import * as fs from "node:fs";
import * as path from "node:path";
import { synthesizeApp } from "../../src/app";
import { ConfigError } from "../../src/config/config-issue";
import { committedConfigJson, synthesizedFiles, writeConfigFile } from "../support/config-files";
import { temporaryDirectory } from "../support/temporary-directory";

type Config = Record<string, any>;

interface BadInput {
  /** What is wrong, as a reader would say it. */
  readonly name: string;
  /** Turns the valid dev file into the bad one. */
  readonly mutate: (config: Config) => void;
  /** Field path the message must name; "" for a file-level problem. */
  readonly path: string;
  /** The bad value as the message must quote it. */
  readonly value: string;
  /** What the message must say is allowed (or why the value is refused). */
  readonly allowed: RegExp;
  /** File name (without .json) to write the config as. */
  readonly fileName?: string;
}

const set = (pathText: string, value: unknown) => (config: Config) => {
  const keys = pathText.split(".");
  const parent = keys.slice(0, -1).reduce((node, key) => (node[key] ??= {}), config);
  if (value === undefined) delete parent[keys[keys.length - 1]];
  else parent[keys[keys.length - 1]] = value;
};
const both = (...mutations: ((config: Config) => void)[]) => (config: Config) => mutations.forEach((m) => m(config));

const CATALOGUE: BadInput[] = [
  // Types
  { name: "a string where a number belongs", mutate: set("backup.restoreWindowDays", "7"), path: "backup.restoreWindowDays", value: '"7"', allowed: /expected number, not string; allowed: a whole number of days/ },
  { name: "a number where a string belongs", mutate: set("atlas.clusterName", 42), path: "atlas.clusterName", value: "42", allowed: /expected string, not number; allowed: 1-64 ASCII letters, digits or hyphens/ },
  { name: "null for a required id", mutate: set("network.vpcId", null), path: "network.vpcId", value: "null", allowed: /expected string, not null; allowed: an AWS id: "vpc-"/ },
  { name: "a missing required field", mutate: set("network.vpcId", undefined), path: "network.vpcId", value: "nothing (the field is missing)", allowed: /required field is missing; allowed: an AWS id/ },
  { name: "a boolean written as a string", mutate: set("atlas.terminationProtection", "false"), path: "atlas.terminationProtection", value: '"false"', allowed: /expected boolean, not string; allowed: true or false/ },
  // Unknown fields
  { name: "an unknown top-level field (typo)", mutate: set("regoin", "us-east-1"), path: "regoin", value: '"us-east-1"', allowed: /unknown field \(a typo\?\); allowed fields here: .*region/ },
  { name: "an unknown nested field (typo)", mutate: set("backup.restoreWindowDay", 7), path: "backup.restoreWindowDay", value: "7", allowed: /unknown field .* allowed fields here: .*restoreWindowDays/ },
  // Tier
  { name: "an unknown tier", mutate: set("atlas.tier", "M15"), path: "atlas.tier", value: '"M15"', allowed: /not one of the allowed values; allowed: a dedicated Atlas tier: M10, M20/ },
  { name: "the free tier M0", mutate: set("atlas.tier", "M0"), path: "atlas.tier", value: '"M0"', allowed: /M0 clusters do not offer AWS PrivateLink.*use M10 or a larger dedicated tier/ },
  { name: "the retired tier M2", mutate: set("atlas.tier", "M2"), path: "atlas.tier", value: '"M2"', allowed: /M2 and M5 clusters can no longer be created \(Atlas blocked new M2\/M5 clusters in February 2025 and migrated the remaining ones to Flex in January 2026\); use M10/ },
  { name: "the retired tier M5", mutate: set("atlas.tier", "M5"), path: "atlas.tier", value: '"M5"', allowed: /can no longer be created.*use M10 or a larger dedicated tier/ },
  { name: "FLEX with PrivateLink", mutate: both(set("atlas.tier", "FLEX"), set("backup.pointInTimeRestore", false)), path: "atlas.tier", value: '"FLEX"', allowed: /got "FLEX"; FLEX clusters do not offer AWS PrivateLink, a cloud backup schedule.*, choosing the MongoDB major version, which this environment requests; use M10/ },
  { name: "FLEX with point-in-time restore", mutate: set("atlas.tier", "FLEX"), path: "atlas.tier", value: '"FLEX"', allowed: /FLEX clusters do not offer .*continuous backup with point-in-time restore/ },
  // Version
  { name: "a MongoDB version Atlas no longer offers", mutate: set("atlas.mongoDbMajorVersion", "6.0"), path: "atlas.mongoDbMajorVersion", value: '"6.0"', allowed: /allowed: a MongoDB major version Atlas offers: 7\.0, 8\.0/ },
  { name: "a MongoDB version written as a number", mutate: set("atlas.mongoDbMajorVersion", 7), path: "atlas.mongoDbMajorVersion", value: "7", allowed: /allowed: a MongoDB major version Atlas offers: 7\.0, 8\.0/ },
  // Region
  { name: "an unknown AWS region", mutate: set("region", "us-east-9"), path: "region", value: '"us-east-9"', allowed: /allowed: an AWS region Atlas runs in: us-east-1, us-east-2/ },
  { name: "a region in Atlas spelling", mutate: set("region", "US_EAST_1"), path: "region", value: '"US_EAST_1"', allowed: /allowed: an AWS region Atlas runs in: us-east-1/ },
  // CIDR
  { name: "a malformed CIDR", mutate: set("network.vpcCidr", "10.0.0/16"), path: "network.vpcCidr", value: '"10.0.0/16"', allowed: /not an IPv4 CIDR block of the form a\.b\.c\.d\/n; allowed: an IPv4 CIDR block inside 10\.0\.0\.0\/8/ },
  { name: "a /33 prefix", mutate: set("network.vpcCidr", "10.0.0.0/33"), path: "network.vpcCidr", value: '"10.0.0.0/33"', allowed: /prefix \/33 is above \/32/ },
  { name: "a public CIDR in the access list", mutate: set("network.accessListCidrs", ["10.0.0.0/16", "8.8.8.0/24"]), path: "network.accessListCidrs[1]", value: '"8.8.8.0/24"', allowed: /not inside a private range .* public access is never allowed/ },
  { name: "0.0.0.0/0 in the access list", mutate: set("network.accessListCidrs", ["0.0.0.0/0"]), path: "network.accessListCidrs[0]", value: '"0.0.0.0/0"', allowed: /public access is never allowed/ },
  { name: "an IPv6 CIDR", mutate: set("network.accessListCidrs", ["fd00::/8"]), path: "network.accessListCidrs[0]", value: '"fd00::/8"', allowed: /IPv6 is not supported/ },
  { name: "a CIDR with host bits set", mutate: set("network.vpcCidr", "10.0.1.0/16"), path: "network.vpcCidr", value: '"10.0.1.0/16"', allowed: /host bits are set; the network is 10\.0\.0\.0\/16/ },
  { name: "an empty access list", mutate: set("network.accessListCidrs", []), path: "network.accessListCidrs", value: "[]", allowed: /needs at least 1 item\(s\); allowed: a non-empty list of private IPv4 CIDR blocks/ },
  // Subnets, VPC, security groups
  { name: "an empty subnet list", mutate: set("network.privateSubnetIds", []), path: "network.privateSubnetIds", value: "[]", allowed: /needs at least 1 item\(s\); allowed: a non-empty list of distinct subnet ids/ },
  { name: "a subnet listed twice", mutate: set("network.privateSubnetIds", ["subnet-0123456789abcdef0", "subnet-0123456789abcdef0"]), path: "network.privateSubnetIds", value: '["subnet-0123456789abcdef0","subnet-0123456789abcdef0"]', allowed: /must not list a subnet twice/ },
  { name: "a malformed subnet id", mutate: set("network.privateSubnetIds", ["subnet-xyz"]), path: "network.privateSubnetIds[0]", value: '"subnet-xyz"', allowed: /must look like subnet-0123456789abcdef0/ },
  { name: "an empty VPC id", mutate: set("network.vpcId", ""), path: "network.vpcId", value: '""', allowed: /must look like vpc-0123456789abcdef0; allowed: an AWS id: "vpc-" followed by 8 or 17 lower-case hex digits/ },
  { name: "a malformed VPC id", mutate: set("network.vpcId", "vpc-12345"), path: "network.vpcId", value: '"vpc-12345"', allowed: /must look like vpc-/ },
  { name: "a malformed security group id", mutate: set("network.clientSecurityGroups.api", "sg-0123"), path: "network.clientSecurityGroups.api", value: '"sg-0123"', allowed: /must look like sg-0123456789abcdef0/ },
  { name: "no client security group", mutate: set("network.clientSecurityGroups", {}), path: "network.clientSecurityGroups", value: "{}", allowed: /must name at least one security group/ },
  // Backups
  { name: "a restore window of 0 days", mutate: set("backup.restoreWindowDays", 0), path: "backup.restoreWindowDays", value: "0", allowed: /below the minimum 1; allowed: a whole number of days, at most hourlyRetentionDays, 1 or more/ },
  { name: "a restore window above the hourly retention (Atlas maximum)", mutate: set("backup.restoreWindowDays", 30), path: "backup.restoreWindowDays", value: "30", allowed: /longer than backup\.hourlyRetentionDays \(7\)/ },
  { name: "a snapshot copy in the cluster's own region", mutate: both(set("region", "us-east-1"), set("backup.copyToRegions", ["US_EAST_1"])), path: "backup.copyToRegions[0]", value: '"US_EAST_1"', allowed: /is the cluster's own region \(region "us-east-1"\).*allowed: another Atlas AWS region/ },
  { name: "a snapshot copy region in AWS spelling", mutate: set("backup.copyToRegions", ["us-west-2"]), path: "backup.copyToRegions[0]", value: '"us-west-2"', allowed: /not an Atlas AWS region name \(write "US_WEST_2"/ },
  { name: "a snapshot copy of a kind the policy does not take", mutate: both(set("backup.copyToRegions", ["US_WEST_2"]), set("backup.copyFrequencies", ["YEARLY"])), path: "backup.copyFrequencies[0]", value: '"YEARLY"', allowed: /takes no YEARLY snapshots/ },
  { name: "a fractional restore window", mutate: set("backup.restoreWindowDays", 7.5), path: "backup.restoreWindowDays", value: "7.5", allowed: /expected a whole number/ },
  { name: "daily snapshots kept shorter than hourly ones", mutate: set("backup.dailyRetentionDays", 3), path: "backup.dailyRetentionDays", value: "3", allowed: /shorter than backup\.hourlyRetentionDays \(7 days\)/ },
  { name: "weekly snapshots kept shorter than daily ones", mutate: set("backup.dailyRetentionDays", 35), path: "backup.weeklyRetentionWeeks", value: "4", allowed: /shorter than backup\.dailyRetentionDays \(35 days\)/ },
  { name: "an hourly interval Atlas does not offer", mutate: set("backup.hourlyEveryHours", 3), path: "backup.hourlyEveryHours", value: "3", allowed: /allowed: 1, 2, 4, 6, 8 or 12/ },
  // Names
  { name: "a secret name with invalid characters", mutate: set("connectionSecret.name", "audio pipeline/mongodb uri!"), path: "connectionSecret.name", value: '"audio pipeline/mongodb uri!"', allowed: /must be 1-512 characters from A-Z a-z 0-9/ },
  { name: "a secret recovery window under 7 days", mutate: set("connectionSecret.recoveryWindowDays", 3), path: "connectionSecret.recoveryWindowDays", value: "3", allowed: /below the minimum 7; allowed: a whole number of days from 7 to 30/ },
  { name: "a database name with $", mutate: set("database.name", "audio$pipeline"), path: "database.name", value: '"audio$pipeline"', allowed: /must not contain/ },
  { name: "a database name with a dot", mutate: set("database.name", "audio.pipeline"), path: "database.name", value: '"audio.pipeline"', allowed: /must not contain/ },
  { name: "a database name with a space", mutate: set("database.name", "audio pipeline"), path: "database.name", value: '"audio pipeline"', allowed: /must not contain/ },
  { name: "a database name of 64 bytes or more", mutate: set("database.name", "a".repeat(64)), path: "database.name", value: `"${"a".repeat(64)}"`.slice(0, 77), allowed: /must be shorter than 64 bytes/ },
  { name: "an environment name that does not match the file name", mutate: set("environment", "staging"), path: "environment", value: '"staging"', allowed: /does not match the file name; allowed: "dev"/ },
  { name: "no production flag", mutate: set("production", undefined), path: "production", value: "nothing (the field is missing)", allowed: /required field is missing; allowed: true or false, required: a production environment gets the stricter policy rules/ },
  { name: "a malformed feature-compatibility pin date", mutate: set("atlas.pinFcvUntil", "next month"), path: "atlas.pinFcvUntil", value: '"next month"', allowed: /must be an ISO 8601 UTC date-time such as 2027-01-31T00:00:00Z/ },
  // Dates far from any plausible "today": 2020 has passed, and 2999 is ahead, on any day these tests run.
  { name: "a feature-compatibility pin whose date has passed", mutate: both(set("atlas.pinFcvSince", "2020-01-01T00:00:00Z"), set("atlas.pinFcvUntil", "2020-01-15T00:00:00Z")), path: "atlas.pinFcvUntil", value: '"2020-01-15T00:00:00Z"', allowed: /has passed .*remove atlas\.pinFcvUntil and atlas\.pinFcvSince/ },
  { name: "a feature-compatibility pin more than 4 weeks after its start", mutate: both(set("atlas.pinFcvSince", "2020-01-01T00:00:00Z"), set("atlas.pinFcvUntil", "2999-01-01T00:00:00Z")), path: "atlas.pinFcvUntil", value: '"2999-01-01T00:00:00Z"', allowed: /more than 4 weeks after atlas\.pinFcvSince .*allowed: at most 2020-01-29T00:00:00\.000Z; to end the pin, remove atlas\.pinFcvUntil/ },
  { name: "a feature-compatibility pin without its start", mutate: set("atlas.pinFcvUntil", "2999-01-01T00:00:00Z"), path: "atlas.pinFcvSince", value: "nothing (the field is missing)", allowed: /required while atlas\.pinFcvUntil is set/ },
  // Cluster shape
  { name: "an even number of electable nodes", mutate: set("atlas.electableNodes", 4), path: "atlas.electableNodes", value: "4", allowed: /allowed: 3, 5 or 7 electable nodes/ },
  { name: "a tier other than the auto-scaling floor", mutate: set("atlas.autoScaling", { compute: { minTier: "M20", maxTier: "M40" } }), path: "atlas.tier", value: '"M10"', allowed: /differs from atlas\.autoScaling\.compute\.minTier \(M20\).*omit atlas\.tier or set it equal to minTier/ },
  { name: "auto-scaling bounds in the wrong order", mutate: set("atlas.autoScaling", { compute: { minTier: "M40", maxTier: "M20" } }), path: "atlas.autoScaling.compute", value: '{"minTier":"M40","maxTier":"M20"}', allowed: /must satisfy minTier <= maxTier/ },
  // Accounts, roles, CI
  { name: "an account id that is not 12 digits", mutate: set("aws.accountId", "12345"), path: "aws.accountId", value: '"12345"', allowed: /must be the 12 digits of an AWS account id/ },
  { name: "an IAM user where a role belongs", mutate: set("ci.planRoleArn", "arn:aws:iam::123456789012:user/ci"), path: "ci.planRoleArn", value: '"arn:aws:iam::123456789012:user/ci"', allowed: /names a user, not a role; allowed: arn:<partition>:iam::<account>:role\/<name>/ },
  { name: "a role ARN in an unknown partition", mutate: set("ci.deployRoleArn", "arn:aws-mars:iam::123456789012:role/deploy"), path: "ci.deployRoleArn", value: '"arn:aws-mars:iam::123456789012:role/deploy"', allowed: /partition "aws-mars" is not one of aws, aws-us-gov, aws-cn/ },
  { name: "a role of another account", mutate: set("ci.planRoleArn", "arn:aws:iam::444455556666:role/plan"), path: "ci.planRoleArn", value: '"arn:aws:iam::444455556666:role/plan"', allowed: /is a role of account 444455556666, but aws\.accountId is not set \(placeholder 000000000000\); allowed: arn:aws:iam::000000000000:role\/<name>/ },
  { name: "a role in a partition no Atlas region is in", mutate: both(set("aws.accountId", "111122223333"), set("database.appRoleArn", "arn:aws-cn:iam::111122223333:role/app")), path: "database.appRoleArn", value: '"arn:aws-cn:iam::111122223333:role/app"', allowed: /partition "aws-cn", but every region Atlas runs in here is in "aws"/ },
  { name: "an assumed-role session where a role belongs", mutate: set("database.seederRoleArn", "arn:aws:sts::000000000000:assumed-role/seeder/run-1"), path: "database.seederRoleArn", value: '"arn:aws:sts::000000000000:assumed-role/seeder/run-1"', allowed: /service "sts" is not iam; allowed: an IAM role ARN/ },
  { name: "one role for the application and the seeder", mutate: both(set("database.appRoleArn", "arn:aws:iam::000000000000:role/shared"), set("database.seederRoleArn", "arn:aws:iam::000000000000:role/shared")), path: "database.seederRoleArn", value: '"arn:aws:iam::000000000000:role/shared"', allowed: /the same IAM role as database\.appRoleArn/ },
  { name: "a break-glass role of another account", mutate: set("ci.breakGlassRoleArn", "arn:aws:iam::444455556666:role/break-glass"), path: "ci.breakGlassRoleArn", value: '"arn:aws:iam::444455556666:role/break-glass"', allowed: /is a role of account 444455556666, but aws\.accountId is not set \(placeholder 000000000000\); allowed: arn:aws:iam::000000000000:role\/<name>/ },
  { name: "a break-glass role in another partition", mutate: both(set("aws.accountId", "111122223333"), set("ci.breakGlassRoleArn", "arn:aws-us-gov:iam::111122223333:role/break-glass")), path: "ci.breakGlassRoleArn", value: '"arn:aws-us-gov:iam::111122223333:role/break-glass"', allowed: /is in partition "aws-us-gov", but every region Atlas runs in here is in "aws"/ },
  { name: "the plan role as break-glass role", mutate: set("ci.breakGlassRoleArn", "arn:aws:iam::000000000000:role/placeholder-audio-pipeline-dev-plan"), path: "ci.breakGlassRoleArn", value: '"arn:aws:iam::000000000000:role/placeholder-audio-pipeline-dev-plan"', allowed: /is also ci\.planRoleArn; allowed: a break-glass administrator role of its own/ },
  { name: "a role rotation to the same role", mutate: set("ci.nextPlanRoleArn", "arn:aws:iam::000000000000:role/placeholder-audio-pipeline-dev-plan"), path: "ci.nextPlanRoleArn", value: '"arn:aws:iam::000000000000:role/placeholder-audio-pipeline-dev-plan"', allowed: /the same IAM role as ci\.planRoleArn of the same file/ },
  { name: "an aws-iam database role with a path", mutate: both(set("database.authentication", "aws-iam"), set("database.appRoleArn", "arn:aws:iam::000000000000:role/apps/audio-app")), path: "database.appRoleArn", value: '"arn:aws:iam::000000000000:role/apps/audio-app"', allowed: /has a path; .*use a role without a path/ },
  { name: "an unknown authentication mode", mutate: set("database.authentication", "x509"), path: "database.authentication", value: '"x509"', allowed: /allowed: "aws-iam" .* or "password"/ },
  { name: "a password version of 0", mutate: set("database.passwordVersion", 0), path: "database.passwordVersion", value: "0", allowed: /below the minimum 1/ },
  { name: "retainPasswordUsers as a string", mutate: both(set("database.authentication", "aws-iam"), set("database.retainPasswordUsers", "yes")), path: "database.retainPasswordUsers", value: '"yes"', allowed: /expected boolean, not string; allowed: true or false \(aws-iam mode\)/ },
  { name: "customer-key encryption at rest on a tier without it", mutate: both(set("atlas.tier", "FLEX"), set("backup.pointInTimeRestore", false), set("atlas.encryptionAtRest", true)), path: "atlas.tier", value: '"FLEX"', allowed: /FLEX clusters do not offer .*encryption at rest with a customer-managed key \(atlas\.encryptionAtRest\).*use M10/ },
  { name: "encryptionAtRest as a string", mutate: set("atlas.encryptionAtRest", "on"), path: "atlas.encryptionAtRest", value: '"on"', allowed: /expected boolean, not string; allowed: true or false/ },
  { name: "a runner label with a space", mutate: set("ci.runnerLabel", "vpc runner"), path: "ci.runnerLabel", value: '"vpc runner"', allowed: /must be 1-64 letters, digits, dots, underscores or hyphens/ },
  // Values that would be ignored, and production without remote state
  { name: "a restore window without point-in-time restore", mutate: both(set("backup.pointInTimeRestore", false), set("backup.restoreWindowDays", 3)), path: "backup.restoreWindowDays", value: "3", allowed: /ignored while backup\.pointInTimeRestore is false/ },
  { name: "retaining password users in password mode", mutate: both(set("database.authentication", "password"), set("database.retainPasswordUsers", true)), path: "database.retainPasswordUsers", value: "true", allowed: /ignored with database\.authentication "password" \(the password users exist anyway\); allowed: remove it/ },
  { name: "a password user name in aws-iam mode", mutate: both(set("database.authentication", "aws-iam"), set("database.username", "app")), path: "database.username", value: '"app"', allowed: /ignored with database\.authentication "aws-iam".*or retainPasswordUsers to true while switching/ },
  { name: "password mode for an environment that pull requests plan", mutate: set("database.authentication", "password"), path: "database.authentication", value: '"password"', allowed: /refused for an environment that pull requests plan \(ci\.pullRequestPlan, default for production: false\).*allowed: "aws-iam" \(a deployed environment switches in two steps, docs\/connecting\.md\), or ci\.pullRequestPlan: false/ },
  { name: "a production environment planned by pull requests", mutate: both(set("production", true), set("ci.pullRequestPlan", true)), path: "ci.pullRequestPlan", value: "true", allowed: /refused for a production environment: its plan credentials would be open to every branch/ },
  { name: "production with local state", mutate: both(set("production", true), set("state", undefined)), path: "state", value: "nothing (the field is missing)", allowed: /a production environment needs remote state/ },
  // Monitoring
  { name: "a malformed alert e-mail address", mutate: set("monitoring.alertEmails", ["oncall-at-example.org"]), path: "monitoring.alertEmails[0]", value: '"oncall-at-example.org"', allowed: /must be an e-mail address; allowed: an e-mail address/ },
  { name: "a webhook over plain http", mutate: set("monitoring.atlasWebhookUrl", "http://hooks.example.org/atlas"), path: "monitoring.atlasWebhookUrl", value: '"http://hooks.example.org/atlas"', allowed: /must be an https:\/\/ URL/ },
  { name: "a disk alert at 100 percent", mutate: set("monitoring.diskUsedPercent", 100), path: "monitoring.diskUsedPercent", value: "100", allowed: /above the maximum 99; allowed: a whole number of percent from 1 to 99/ },
];

let workspace: string;
beforeEach(() => {
  workspace = temporaryDirectory("bad-input");
});
afterEach(() => fs.rmSync(workspace, { recursive: true, force: true }));

/** Writes the config, synthesizes through the `cdktf synth` code path, and returns the ConfigError. */
function synthesizeExpectingConfigError(fileName: string, content: Config | string): { error: ConfigError; outdir: string; file: string } {
  const configDir = path.join(workspace, "config");
  const file = writeConfigFile(configDir, fileName, content);
  const outdir = path.join(workspace, "cdktf.out");
  try {
    synthesizeApp({ configDir, outdir });
  } catch (error) {
    if (error instanceof ConfigError) return { error, outdir, file };
    throw error;
  }
  throw new Error("synth succeeded, but it should have refused the config");
}

describe("bad-input catalogue: each bad environment file is refused at synth", () => {
  it("has at least 25 distinct cases", () => {
    expect(new Set(CATALOGUE.map((entry) => entry.name)).size).toBeGreaterThanOrEqual(25);
  });

  it.each(CATALOGUE)("refuses $name, naming file, field, value and what is allowed", (entry) => {
    // GIVEN the valid dev file with one mistake
    const config = committedConfigJson("dev");
    entry.mutate(config);
    const fileName = entry.fileName ?? "dev";
    // WHEN it is synthesized
    const { error, outdir, file } = synthesizeExpectingConfigError(fileName, config);
    // THEN exactly that field is reported, with the value and what is allowed, and nothing is written
    const line = error.message.split("\n").find((candidate) => candidate.includes(`: ${entry.path}: `));
    expect(line, error.message).toBeDefined();
    expect(line).toContain(`${file}: ${entry.path}: got ${entry.value}`);
    expect(line).toMatch(entry.allowed);
    expect(synthesizedFiles(outdir)).toEqual([]);
  });

  it("gives the line and column of a JSON syntax error", () => {
    const text = '{\n  "environment": "dev",\n  "region": "us-east-1"\n  "atlas": {}\n}\n';
    const { error, outdir, file } = synthesizeExpectingConfigError("dev", text);
    expect(error.message).toContain(`${file}: line 4, column 3: not valid JSON:`);
    expect(synthesizedFiles(outdir)).toEqual([]);
  });
});
