import { z } from "zod";
import { AWS_PARTITION } from "../../atlas/regions";
import { DATABASE_DEFAULTS } from "../../modules/database/variables";
import type { ConfigIssue } from "../config-issue";
import { PLACEHOLDER_ACCOUNT_ID } from "../environment-config";
import { arnAccountId, iamRoleArnProblem } from "../fields";
import { defineRule } from "./config-rule";

/** The IAM role ARNs an environment file names, by field path. */
export const ROLE_FIELDS = [
  ["database", "appRoleArn"],
  ["database", "seederRoleArn"],
  ["database", "nextAppRoleArn"],
  ["database", "nextSeederRoleArn"],
  ["ci", "planRoleArn"],
  ["ci", "deployRoleArn"],
  ["ci", "nextPlanRoleArn"],
  ["ci", "nextDeployRoleArn"],
  // Administers the keys and secrets through an aws:PrincipalArn condition on the account root,
  // which only a principal of the key's own account can satisfy.
  ["ci", "breakGlassRoleArn"],
] as const;

const optionalString = z.string().optional();

/** What a rule about the role ARNs reads: the account, the authentication mode and every role field. */
export const ROLE_FIELDS_READ = z.looseObject({
  aws: z.looseObject({ accountId: optionalString }).optional(),
  database: z
    .looseObject({ authentication: optionalString, appRoleArn: optionalString, seederRoleArn: optionalString, nextAppRoleArn: optionalString, nextSeederRoleArn: optionalString })
    .optional(),
  ci: z
    .looseObject({ planRoleArn: optionalString, deployRoleArn: optionalString, nextPlanRoleArn: optionalString, nextDeployRoleArn: optionalString, breakGlassRoleArn: optionalString })
    .optional(),
});

// MongoDB names a MONGODB-AWS session after its STS identity, arn:aws:sts::<account>:assumed-role/<name>/<session>,
// read as arn:aws:iam::<account>:role/<name>: without the role's path. A user named with the path would never match.
const PATHLESS_ROLE =
  "an aws-iam database user is matched by the role ARN MongoDB derives from the STS session, which carries no path, so a role with a path could never log in; use a role without a path;";

/**
 * The IAM roles an environment names (the application's, the seeder's, the CI plan and deploy
 * roles, the roles about to replace them, and the break-glass administrator) belong to the environment's own account (`aws.accountId`), in the partition of
 * the regions this product deploys to; in aws-iam mode the two database roles have no path. The ARN's form (a role, not a user or a session) is the
 * schema's check (fields.iamRoleArn), and that the roles differ across and within files is
 * cross-environment.ts's; this rule reports neither twice.
 */
export const roleArnsBelongToTheAccount = defineRule({
  id: "role-arns-belong-to-the-account",
  reads: ROLE_FIELDS_READ,
  check(config) {
    const written = config.aws?.accountId;
    const accountId = written ?? PLACEHOLDER_ACCOUNT_ID;
    const issues: ConfigIssue[] = [];
    for (const [section, field] of ROLE_FIELDS) {
      const value = (config[section] as Record<string, string | undefined> | undefined)?.[field];
      if (value === undefined || iamRoleArnProblem(value) !== undefined) continue;
      const partition = value.split(":")[1];
      const account = arnAccountId(value);
      const allowed = `allowed: arn:${AWS_PARTITION}:iam::${accountId}:role/<name>, a role of this environment's account`;
      if (partition !== AWS_PARTITION) {
        issues.push({ path: [section, field], value, message: `is in partition "${partition}", but every region Atlas runs in here is in "${AWS_PARTITION}"; ${allowed}` });
      } else if (account !== accountId) {
        const which = written === undefined ? `aws.accountId is not set (placeholder ${PLACEHOLDER_ACCOUNT_ID})` : `aws.accountId is ${accountId}`;
        issues.push({ path: [section, field], value, message: `is a role of account ${account}, but ${which}; ${allowed}` });
      } else if (section === "database" && (config.database?.authentication ?? DATABASE_DEFAULTS.database.authentication) === "aws-iam" && value.split("/").length > 2) {
        issues.push({ path: [section, field], value, message: `has a path; ${PATHLESS_ROLE} ${allowed}` });
      }
    }
    return issues;
  },
});
