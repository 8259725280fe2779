import { z } from "zod";
import { AWS_PARTITION } from "../../atlas/regions";
import type { ConfigIssue } from "../config-issue";
import { PLACEHOLDER_ACCOUNT_ID } from "../environment-config";
import { arnAccountId, githubOidcProviderArn, iamPolicyArn, iamRoleArn } from "../fields";
import { defineRule } from "./config-rule";

const optionalString = z.string().optional();

/**
 * The day-0 IAM pieces an environment names live where the bootstrap stack puts its roles: the
 * permissions boundary and the adopted GitHub OIDC provider in the environment's own account
 * (`aws.accountId`), and in the partition this product deploys to. A boundary of another account
 * cannot be attached (IAM refuses it at apply, after half the roles exist); an OIDC provider of
 * another account cannot be trusted by this account's roles. The roles that may also assume the
 * seeder role (a bastion) may live in another account, but not in another partition. The ARNs'
 * form is the schema's check; this rule reports only ARNs of the right form.
 */
export const dayZeroArnsBelongToTheAccount = defineRule({
  id: "day-zero-arns-belong-to-the-account",
  reads: z.looseObject({
    aws: z.looseObject({ accountId: optionalString, githubOidcProviderArn: optionalString, permissionsBoundaryArn: optionalString }).optional(),
    database: z.looseObject({ seederTrustedRoleArns: z.array(z.unknown()).optional() }).optional(),
  }),
  check(config) {
    const written = config.aws?.accountId;
    const accountId = written ?? PLACEHOLDER_ACCOUNT_ID;
    const which = written === undefined ? `aws.accountId is not set (placeholder ${PLACEHOLDER_ACCOUNT_ID})` : `aws.accountId is ${accountId}`;
    const issues: ConfigIssue[] = [];
    const inAccount: ReadonlyArray<readonly [string, string | undefined, z.ZodType, string]> = [
      ["permissionsBoundaryArn", config.aws?.permissionsBoundaryArn, iamPolicyArn, "policy/<name>"],
      ["githubOidcProviderArn", config.aws?.githubOidcProviderArn, githubOidcProviderArn, "oidc-provider/token.actions.githubusercontent.com"],
    ];
    for (const [field, value, schema, resource] of inAccount) {
      if (value === undefined || !schema.safeParse(value).success) continue;
      const partition = value.split(":")[1];
      const account = arnAccountId(value);
      const allowed = `allowed: arn:${AWS_PARTITION}:iam::${accountId}:${resource}, in this environment's account`;
      if (partition !== AWS_PARTITION) {
        issues.push({ path: ["aws", field], value, message: `is in partition "${partition}", but every region Atlas runs in here is in "${AWS_PARTITION}"; ${allowed}` });
      } else if (account !== accountId) {
        issues.push({ path: ["aws", field], value, message: `is in account ${account}, but ${which}; ${allowed}` });
      }
    }
    (config.database?.seederTrustedRoleArns ?? []).forEach((value, index) => {
      if (typeof value !== "string" || !iamRoleArn.safeParse(value).success) return;
      const partition = value.split(":")[1];
      if (partition !== AWS_PARTITION) {
        issues.push({
          path: ["database", "seederTrustedRoleArns", index],
          value,
          message: `is in partition "${partition}", but the seeder role is in "${AWS_PARTITION}"; allowed: arn:${AWS_PARTITION}:iam::<account>:role/<name>`,
        });
      }
    });
    return issues;
  },
});
