import { z } from "zod";
import { ALL_TIERS, DEDICATED_TIERS } from "../atlas/cluster-tiers";
import { OFFERED_MONGODB_VERSIONS } from "../atlas/mongodb-versions";
import { ATLAS_AWS_REGIONS } from "../atlas/regions";
import { privateCidrProblem } from "../network/private-cidr";

/*
 * Leaf fields of an environment file. Each `.describe()` text says what is allowed: error
 * messages quote it and the README's schema table is generated from it, so the two cannot drift.
 */

/** Builds an AWS resource id schema (`vpc-`, `subnet-`, `sg-` followed by 8 or 17 hex digits). */
function awsId(prefix: string): z.ZodString {
  return z
    .string()
    .regex(new RegExp(`^${prefix}-([0-9a-f]{8}|[0-9a-f]{17})$`), { error: `must look like ${prefix}-0123456789abcdef0` })
    .describe(`an AWS id: "${prefix}-" followed by 8 or 17 lower-case hex digits`);
}

export const vpcId = awsId("vpc");
export const subnetId = awsId("subnet");
export const securityGroupId = awsId("sg");

/** A string that `problemOf` checks: the problem it names, if any, is the issue. */
function checkedString(problemOf: (value: string) => string | undefined, description: string) {
  return z
    .string()
    .superRefine((value, ctx) => {
      const problem = problemOf(value);
      if (problem) ctx.addIssue({ code: "custom", message: problem, input: value });
    })
    .describe(description);
}

export const privateCidr = checkedString(privateCidrProblem, "an IPv4 CIDR block inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16, in canonical form");

export const awsRegion = z.enum(ATLAS_AWS_REGIONS).describe(`an AWS region Atlas runs in: ${ATLAS_AWS_REGIONS.join(", ")}`);

export const clusterTier = z
  .enum(ALL_TIERS as [string, ...string[]])
  .describe(`a dedicated Atlas tier: ${DEDICATED_TIERS.join(", ")} (M10 is the smallest)`);

export const dedicatedTier = z.enum(DEDICATED_TIERS).describe(`a dedicated Atlas tier: ${DEDICATED_TIERS.join(", ")}`);

export const mongoDbMajorVersion = z
  .enum(OFFERED_MONGODB_VERSIONS)
  .describe(`a MongoDB major version Atlas offers: ${OFFERED_MONGODB_VERSIONS.join(", ")}`);

export const environmentName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,15}$/, { error: "must be lower-case letters, digits and hyphens, starting with a letter" })
  .describe("1-16 lower-case letters, digits or hyphens, starting with a letter; equal to the file name");

export const atlasProjectName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9 _().-]{0,63}$/, { error: "must be 1-64 letters, digits, spaces or _().-" })
  .describe("1-64 characters: letters, digits, spaces and _ ( ) . -, starting with a letter or digit");

export const atlasClusterName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/, { error: "must be 1-64 ASCII letters, digits or hyphens" })
  .describe("1-64 ASCII letters, digits or hyphens, starting with a letter or digit");

// MongoDB naming restrictions (Linux): no /\. "$ or NUL in a database name, and fewer than 64 bytes.
export const databaseName = z
  .string()
  .min(1)
  .refine((name) => !/[/\\. "$\u0000]/.test(name), { error: 'must not contain / \\ . " $, a space or NUL' })
  .refine((name) => Buffer.byteLength(name, "utf8") < 64, { error: "must be shorter than 64 bytes" })
  .describe('a MongoDB database name: 1-63 bytes, none of / \\ . " $, space or NUL');

export const databaseUsername = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { error: "must be 1-64 letters, digits or ._-" })
  .describe("1-64 letters, digits, dots, underscores or hyphens, starting with a letter or digit");

export const secretName = z
  .string()
  .regex(/^[A-Za-z0-9/_+=.@-]{1,512}$/, { error: "must be 1-512 characters from A-Z a-z 0-9 / _ + = . @ -" })
  .describe("a Secrets Manager name: 1-512 characters from A-Z a-z 0-9 / _ + = . @ -");

export const s3BucketName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: "must be 3-63 lower-case letters, digits, dots or hyphens" })
  .describe("an S3 bucket name: 3-63 lower-case letters, digits, dots or hyphens");

/** A whole number in [min, max], described as such. */
export function wholeNumber(min: number, max: number, unit: string): z.ZodNumber {
  return z.number().int().min(min).max(max).describe(`a whole number of ${unit} from ${min} to ${max}`);
}

/** A whole number of at least 1, the only bound Atlas documents for backup retentions and the restore window. */
export function positiveWholeNumber(unit: string): z.ZodNumber {
  return z.number().int().min(1).describe(`a whole number of ${unit}, 1 or more`);
}

export const emailAddress = z.email({ error: "must be an e-mail address" }).describe("an e-mail address");

export const httpsUrl = z
  .url({ protocol: /^https$/, error: "must be an https:// URL" })
  .describe("an https:// URL");

export const awsAccountId = z
  .string()
  .regex(/^\d{12}$/, { error: "must be the 12 digits of an AWS account id" })
  .describe("the 12 digits of the AWS account the stack deploys into");

/**
 * An IAM role ARN: `arn:<partition>:iam::<account>:role/<optional path/><name>`. A user ARN
 * (`:user/`) or an assumed-role session ARN is refused: Atlas database users and trust policies
 * name roles.
 */
export const iamRoleArn = checkedString(iamRoleArnProblem, 'an IAM role ARN: "arn:aws:iam::<12-digit account>:role/<name>" (partition aws, aws-us-gov or aws-cn)');

const IAM_ROLE_ARN = /^arn:(aws|aws-us-gov|aws-cn):iam::(\d{12}):role\/([\w+=,.@/-]{1,512})$/;

/** Why `arn` is not an IAM role ARN; undefined when it is. */
export function iamRoleArnProblem(arn: string): string | undefined {
  const parts = arn.split(":");
  if (parts[0] !== "arn" || parts.length < 6) return 'not an ARN; allowed: "arn:aws:iam::<12-digit account>:role/<name>"';
  if (!["aws", "aws-us-gov", "aws-cn"].includes(parts[1])) return `partition "${parts[1]}" is not one of aws, aws-us-gov, aws-cn`;
  if (parts[2] !== "iam") return `service "${parts[2]}" is not iam; allowed: an IAM role ARN`;
  if (!/^\d{12}$/.test(parts[4])) return `account "${parts[4]}" is not 12 digits`;
  const resource = parts.slice(5).join(":");
  if (!resource.startsWith("role/")) {
    return `names a ${resource.split("/")[0] || "resource"}, not a role; allowed: arn:<partition>:iam::<account>:role/<name>`;
  }
  if (!IAM_ROLE_ARN.test(arn)) return "the role name must be 1-64 characters from A-Z a-z 0-9 + = , . @ _ - (after an optional /path/)";
  return undefined;
}

/** The account id inside an IAM ARN. */
export function arnAccountId(arn: string): string | undefined {
  return arn.split(":")[4];
}

export const runnerLabel = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { error: "must be 1-64 letters, digits, dots, underscores or hyphens" })
  .describe("the label of a self-hosted GitHub Actions runner inside the VPC (the seed job runs there)");

/** A GitHub repository as `owner/repo`: the CI roles trust its environments only. */
export const githubRepository = z
  .string()
  .regex(/^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}\/(?!\.\.?$)[A-Za-z0-9._-]{1,100}$/, {
    error: 'must be "owner/repo": an owner of 1-39 letters, digits or single hyphens, a slash, and a repository name of letters, digits, . _ -',
  })
  .describe('a GitHub repository "owner/repo" (owner: 1-39 letters, digits or single inner hyphens; repo: letters, digits, . _ -)');

const IAM_ARN = /^arn:([^:]*):iam::([^:]*):(.*)$/;

/** Why `arn` is not an IAM ARN of `kind` (`policy/<path><name>` or a fixed resource); undefined when it is. */
function iamArnProblem(arn: string, kind: string, resource: RegExp): string | undefined {
  const match = IAM_ARN.exec(arn);
  const allowed = `allowed: "arn:aws:iam::<12-digit account>:${kind}"`;
  if (!match) return `not an IAM ARN; ${allowed}`;
  const [, partition, account, rest] = match;
  if (!["aws", "aws-us-gov", "aws-cn"].includes(partition)) return `partition "${partition}" is not one of aws, aws-us-gov, aws-cn; ${allowed}`;
  if (!/^\d{12}$/.test(account)) return `account "${account}" is not 12 digits; ${allowed}`;
  if (!resource.test(rest)) return `names "${rest}", not ${kind.replace(/<[^>]+>/g, "…")}; ${allowed}`;
  return undefined;
}

/** A customer managed IAM policy ARN (a permissions boundary). */
export const iamPolicyArn = checkedString(
  (arn) => iamArnProblem(arn, "policy/<name>", /^policy\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,128}$/),
  'an IAM managed policy ARN: "arn:aws:iam::<12-digit account>:policy/<name>"',
);

/** The host of GitHub Actions' OIDC tokens: the provider URL, audience key prefix and subject key prefix. */
export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";

/** The ARN of the account's IAM OIDC provider for GitHub Actions (one per URL per account). */
export const githubOidcProviderArn = checkedString(
  (arn) => iamArnProblem(arn, `oidc-provider/${GITHUB_OIDC_HOST}`, new RegExp(`^oidc-provider/${GITHUB_OIDC_HOST.replace(/\./g, "\\.")}$`)),
  `the ARN of an existing IAM OIDC provider for GitHub Actions: "arn:aws:iam::<12-digit account>:oidc-provider/${GITHUB_OIDC_HOST}"`,
);

/** A role's name: the last part of its ARN, after any path (IAM role names are unique per account, paths aside). */
export function roleNameOf(roleArn: string): string {
  return roleArn.slice(roleArn.lastIndexOf("/") + 1);
}

/** A role's path: "/" or "/<path>/". */
export function rolePathOf(roleArn: string): string {
  const resource = roleArn.split(":").slice(5).join(":");
  const parts = resource.split("/").slice(1, -1);
  return parts.length === 0 ? "/" : `/${parts.join("/")}/`;
}
