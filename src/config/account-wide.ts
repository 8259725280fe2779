import type { ConfigIssue } from "./config-issue";
import type { EnvironmentConfig } from "./environment-config";
import { arnAccountId, roleNameOf } from "./fields";

/*
 * What environment files must agree on because one bootstrap stack per AWS account serves them
 * all (src/stacks/bootstrap-stack.ts): the GitHub repository every CI role trusts, the account's
 * one GitHub OIDC provider, the settings of a state bucket they share, and IAM role names, which
 * are unique per account whatever their path. Checked over every config/*.json at once.
 */

type Environment = { readonly file: string; readonly config: EnvironmentConfig };
type Problem = { file: string; issue: ConfigIssue };

/** Every later file whose `value` differs from the first file's in the same group, reported against the first. */
function mustAgree(
  environments: readonly Environment[],
  groupOf: (config: EnvironmentConfig) => string | undefined,
  path: readonly string[],
  valueOf: (config: EnvironmentConfig) => unknown,
  why: string,
): Problem[] {
  const first = new Map<string, Environment>();
  const problems: Problem[] = [];
  for (const environment of environments) {
    const group = groupOf(environment.config);
    if (group === undefined) continue;
    const earlier = first.get(group);
    if (!earlier) {
      first.set(group, environment);
      continue;
    }
    const mine = valueOf(environment.config);
    const theirs = valueOf(earlier.config);
    if (JSON.stringify(mine) !== JSON.stringify(theirs)) {
      problems.push({
        file: environment.file,
        issue: { path, value: mine, message: `differs from ${earlier.file} (${JSON.stringify(theirs) ?? "not set"}); ${why}` },
      });
    }
  }
  return problems;
}

/** The roles the bootstrap stack creates for an environment (and the app role it trusts), by field. */
function namedRoles(config: EnvironmentConfig): ReadonlyArray<{ readonly field: string; readonly arn: string }> {
  return [
    { field: "database.appRoleArn", arn: config.database.appRoleArn },
    { field: "database.seederRoleArn", arn: config.database.seederRoleArn },
    { field: "ci.planRoleArn", arn: config.ci.planRoleArn },
    { field: "ci.deployRoleArn", arn: config.ci.deployRoleArn },
  ];
}

/** Two different role ARNs of one account with the same name (their paths differ): IAM holds only one. */
function roleNameClashes(environments: readonly Environment[]): Problem[] {
  const seen = new Map<string, { file: string; field: string; arn: string }>();
  const problems: Problem[] = [];
  for (const { file, config } of environments) {
    for (const { field, arn } of namedRoles(config)) {
      const key = `${arnAccountId(arn)}/${roleNameOf(arn)}`;
      const first = seen.get(key);
      if (!first) {
        seen.set(key, { file, field, arn });
        continue;
      }
      // The same ARN twice is cross-environment.ts's "same IAM role" problem; only the paths differ here.
      if (first.arn === arn) continue;
      const where = first.file === file ? `${first.field} of the same file` : `${first.field} of ${first.file}`;
      problems.push({
        file,
        issue: {
          path: field.split("."),
          value: arn,
          message: `has the role name "${roleNameOf(arn)}" of ${where} (${first.arn}): IAM role names are unique in an account whatever the path; allowed: a name no other role of account ${arnAccountId(arn)} uses`,
        },
      });
    }
  }
  return problems;
}

/** A seeder-trusted role must not be another environment's role: that would let one environment seed another. */
function trustedRolesOfOtherEnvironments(environments: readonly Environment[]): Problem[] {
  const owner = new Map<string, string>();
  for (const { file, config } of environments) for (const { arn } of namedRoles(config)) owner.set(arn, file);
  return environments.flatMap(({ file, config }) =>
    config.database.seederTrustedRoleArns.flatMap((arn, index) => {
      const other = owner.get(arn);
      if (other === undefined || other === file) return [];
      return [
        {
          file,
          issue: {
            path: ["database", "seederTrustedRoleArns", index],
            value: arn,
            message: `is a role of ${other}: one environment's role may not seed another's database; allowed: a role of this environment's own (e.g. its bastion)`,
          },
        },
      ];
    }),
  );
}

/** Every disagreement between files that one bootstrap stack per account would have to settle. */
export function agreeWithinAccounts(environments: readonly Environment[]): Problem[] {
  const account = (config: EnvironmentConfig) => config.aws.accountId;
  return [
    ...mustAgree(environments, () => "all", ["github", "repository"], (config) => config.github.repository, "allowed: the one repository whose workflows deploy every environment"),
    ...mustAgree(
      environments,
      account,
      ["aws", "githubOidcProviderArn"],
      (config) => config.aws.githubOidcProviderArn,
      "an account holds one GitHub OIDC provider, so every environment of the account must adopt the same one or none",
    ),
    ...mustAgree(environments, account, ["aws", "bootstrapState"], (config) => config.aws.bootstrapState, "one bootstrap stack per account keeps its state in one place"),
    ...mustAgree(environments, (config) => config.state?.bucket, ["aws", "accountId"], account, "environments sharing a state bucket must be in its account (the bootstrap stack of that account creates it)"),
    ...mustAgree(
      environments,
      (config) => config.state?.bucket,
      ["state", "region"],
      (config) => config.state && (config.state.region ?? config.region),
      "a shared state bucket lives in one region",
    ),
    ...mustAgree(
      environments,
      (config) => config.state?.bucket,
      ["state", "noncurrentVersionRetentionDays"],
      (config) => config.state?.noncurrentVersionRetentionDays,
      "a shared state bucket has one lifecycle rule",
    ),
    ...roleNameClashes(environments),
    ...trustedRolesOfOtherEnvironments(environments),
  ];
}
