import type { App } from "cdktf";
import { BootstrapError } from "../bootstrap/bootstrap-error";
import { typesWithoutPermissions } from "../bootstrap/ci-policies";
import { EnvironmentScope, type StackJson } from "../bootstrap/environment-scope";
import { crossEnvironmentScopes, roleNamesTakenByStacks } from "../bootstrap/scope-checks";
import type { EnvironmentConfig } from "../config/environment-config";
import { BootstrapStack } from "./bootstrap-stack";

/** One environment's stack, built but not yet synthesized. */
export interface BuiltEnvironment {
  readonly config: EnvironmentConfig;
  readonly stack: { toTerraform(): unknown };
}

/** The scopes of every environment, grouped by AWS account (sorted by account id). */
export function scopesByAccount(environments: readonly BuiltEnvironment[]): Map<string, EnvironmentScope[]> {
  const byAccount = new Map<string, EnvironmentScope[]>();
  for (const { config, stack } of [...environments].sort((a, b) => a.config.aws.accountId.localeCompare(b.config.aws.accountId))) {
    const scopes = byAccount.get(config.aws.accountId) ?? [];
    scopes.push(new EnvironmentScope(config, stack.toTerraform() as StackJson));
    byAccount.set(config.aws.accountId, scopes);
  }
  return byAccount;
}

/** Every reason the account's bootstrap stack cannot be generated safely. */
export function bootstrapProblems(scopes: readonly EnvironmentScope[]): string[] {
  const missing = scopes.flatMap((scope) =>
    typesWithoutPermissions(scope).map(
      (type) => `${scope.stack} manages ${type}, which src/bootstrap/permission-table.ts has no entry for; add it with the IAM actions its AWS provider source calls`,
    ),
  );
  const nowhereForState =
    scopes.some((scope) => scope.config.aws.bootstrapState === "s3") && scopes.every((scope) => !scope.stateObject())
      ? [`account ${scopes[0].accountId}: aws.bootstrapState is "s3", but no environment of the account names a state.bucket to keep the bootstrap's own state in; allowed: "local", or a state.bucket`]
      : [];
  // The scope checks read the generated policies, which need every type in the table.
  const scopeProblems = missing.length > 0 ? [] : crossEnvironmentScopes(scopes);
  return [...missing, ...nowhereForState, ...scopeProblems, ...roleNamesTakenByStacks(scopes)];
}

/**
 * One {@link BootstrapStack} per AWS account of the environments, each generated from the
 * account's environment stacks. Throws BootstrapError listing every problem of every account
 * before creating any of them.
 */
export function buildBootstrapStacks(app: App, environments: readonly BuiltEnvironment[]): BootstrapStack[] {
  const accounts = scopesByAccount(environments);
  const problems = [...accounts.values()].flatMap(bootstrapProblems);
  if (problems.length > 0) throw new BootstrapError(problems);
  return [...accounts].map(([accountId, scopes]) => new BootstrapStack(app, { accountId, environments: scopes }));
}
