import { z } from "zod";
import type { ConfigIssue } from "../config-issue";
import { defineRule } from "./config-rule";

/** The IAM role ARNs an environment file names, by field path. */
const ROLE_FIELDS = [
  ["database", "appRoleArn"],
  ["database", "seederRoleArn"],
  ["ci", "planRoleArn"],
  ["ci", "deployRoleArn"],
] as const;

/** Every region Atlas runs in (src/atlas/regions.ts) is in the commercial partition. */
const PARTITION = "aws";
const ARN = /^arn:([^:]*):([^:]*):([^:]*):([^:]*):(.*)$/;
// IAM: a path of printable ASCII between slashes, then a name of at most 64 of [\w+=,.@-].
const ROLE_RESOURCE = /^role\/((?:[\x21-\x7e]+\/)?)([\w+=,.@-]{1,64})$/;
/** Committed defaults: flagged by the placeholder check, which refuses to deploy them. */
const PLACEHOLDER_ROLE = /^placeholder/;

const ALLOWED = `allowed: an IAM role ARN of the environment's account, arn:${PARTITION}:iam::<aws.accountId>:role/<optional path/><name>`;

/** What is wrong with one role ARN, or undefined. */
function roleArnProblem(arn: string, accountId: string | undefined): string | undefined {
  const parts = ARN.exec(arn);
  if (!parts) return `is not an ARN (arn:partition:service:region:account:resource); ${ALLOWED}`;
  const [, partition, service, region, account, resource] = parts;
  if (partition !== PARTITION) return `is in partition "${partition}", but every region this product deploys to is in "${PARTITION}"; ${ALLOWED}`;
  if (service === "sts" && resource.startsWith("assumed-role/")) {
    return `is a session of an assumed role, not the role; use the role's own ARN (arn:${PARTITION}:iam::${account}:role/<name>); ${ALLOWED}`;
  }
  if (service !== "iam") return `is an ARN of the ${service || "(empty)"} service, not an IAM role; ${ALLOWED}`;
  if (region !== "") return `has a region ("${region}"), but IAM ARNs have none; ${ALLOWED}`;
  if (!/^\d{12}$/.test(account)) return `has account "${account}", which is not 12 digits; ${ALLOWED}`;
  const kind = resource.split("/")[0];
  if (kind !== "role") {
    const why = kind === "user" ? "an IAM user: MONGODB-AWS and the CI jobs authenticate as roles, and a user's long-lived keys are what this removes" : `an IAM ${kind}`;
    return `is ${why}, not a role; ${ALLOWED}`;
  }
  const role = ROLE_RESOURCE.exec(resource);
  if (!role) return `does not name a valid role (at most 64 of letters, digits and +=,.@_- after an optional /path/); ${ALLOWED}`;
  if (accountId !== undefined && account !== accountId && !PLACEHOLDER_ROLE.test(role[2])) {
    return `is in account ${account}, not in this environment's account aws.accountId = ${accountId}; ${ALLOWED}`;
  }
  return undefined;
}

const optionalArn = z.string().optional();

/**
 * The IAM roles an environment names (the application's, the seeder's, and the CI plan and
 * deploy roles) are roles of the environment's own account, in the partition of every region
 * Atlas runs in, and four different roles: a role that is both the application and the seeder
 * would give the application dbAdmin, and a database user that is also a CI role could be
 * assumed by every workflow run.
 */
export const roleArnsBelongToTheAccount = defineRule({
  id: "role-arns-belong-to-the-account",
  reads: z.looseObject({
    aws: z.looseObject({ accountId: z.string().optional() }).optional(),
    database: z.looseObject({ appRoleArn: optionalArn, seederRoleArn: optionalArn }).optional(),
    ci: z.looseObject({ planRoleArn: optionalArn, deployRoleArn: optionalArn }).optional(),
  }),
  check(config) {
    const accountId = config.aws?.accountId;
    const issues: ConfigIssue[] = [];
    const seen = new Map<string, string>();
    for (const [section, field] of ROLE_FIELDS) {
      const value = (config[section] as Record<string, string | undefined> | undefined)?.[field];
      if (value === undefined) continue;
      const path = [section, field];
      const problem = roleArnProblem(value, accountId);
      if (problem) issues.push({ path, value, message: problem });
      const earlier = seen.get(value);
      if (earlier) {
        issues.push({ path, value, message: `is the same role as ${earlier}; allowed: a role of its own for each of ${ROLE_FIELDS.map((f) => f.join(".")).join(", ")}` });
      } else {
        seen.set(value, path.join("."));
      }
    }
    return issues;
  },
});
