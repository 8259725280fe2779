import { roleNameOf } from "../config/fields";
import type { Statement } from "./ci-policies";
import { deployPermissions, planPermissions } from "./ci-policies";
import type { EnvironmentScope } from "./environment-scope";

/*
 * Checks over every environment of one account at once, before anything is synthesized: a
 * permission scoped to one environment's names must not also match another environment's
 * (prefixes: prod keeps the story's `audio-pipeline/...` names, so `audio-pipeline*` would cover
 * dev too), and the roles the bootstrap creates must not take a name a stack gives its own roles.
 */

/** Whether an IAM resource pattern (`*` any run, `?` one character) matches `arn`. */
export function arnMatches(pattern: string, arn: string): boolean {
  const regex = new RegExp(`^${pattern.split("").map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\/]/g, "\\$&"))).join("")}$`);
  return regex.test(arn);
}

/** A statement scoped by the Environment tag is separated from other environments by the tag, not by its ARNs. */
function scopedByTag(statement: Statement): boolean {
  return Object.values(statement.Condition ?? {}).some((block) => Object.keys(block).some((key) => /^aws:(Resource|Request)Tag\/Environment$/.test(key)));
}

/** The ARN patterns an environment's CI roles are granted by name (no tag, not "*"). */
export function namedScopes(scope: EnvironmentScope): string[] {
  const statements = [...planPermissions(scope).statements, ...deployPermissions(scope).statements];
  return [
    ...new Set(
      statements
        .filter((statement) => statement.Effect === "Allow" && !scopedByTag(statement))
        .flatMap((statement) => [statement.Resource ?? []].flat())
        .filter((resource) => resource !== "*"),
    ),
  ].sort();
}

/** A concrete ARN a pattern stands for: each `?` one character, each `*` one run of them. */
export function exampleOf(pattern: string): string {
  return pattern.replace(/\?/g, "x").replace(/\*/g, "example");
}

/** Every named scope of one environment that matches a name of another in the same account. */
export function crossEnvironmentScopes(scopes: readonly EnvironmentScope[]): string[] {
  const problems: string[] = [];
  const named = new Map(scopes.map((scope) => [scope, namedScopes(scope)]));
  // What environments attach to but do not own (a VPC, its subnets, a state bucket) may be shared.
  const shared = new Set(scopes.flatMap((scope) => scope.existingResources()));
  for (const mine of scopes) {
    for (const other of scopes) {
      if (mine === other) continue;
      for (const pattern of named.get(mine)!) {
        if (shared.has(pattern)) continue;
        const hit = named
          .get(other)!
          .filter((arn) => !shared.has(arn))
          .map(exampleOf)
          .find((arn) => arnMatches(pattern, arn));
        if (hit) {
          problems.push(
            `${mine.stack}: the CI roles' scope ${pattern} also matches ${hit}, a resource of ${other.stack}; give one of the environments names that are not a prefix of the other's (or rename the environment)`,
          );
        }
      }
    }
  }
  return problems;
}

/** CI roles whose name a stack of the account already gives one of its own roles. */
export function roleNamesTakenByStacks(scopes: readonly EnvironmentScope[]): string[] {
  const stackRoles = new Map<string, string>();
  for (const scope of scopes) for (const name of scope.names("aws_iam_role", "name")) stackRoles.set(name, scope.stack);
  return scopes.flatMap((scope) =>
    (
      [
        ["ci.planRoleArn", scope.config.ci.planRoleArn],
        ["ci.deployRoleArn", scope.config.ci.deployRoleArn],
        ["database.seederRoleArn", scope.config.database.seederRoleArn],
      ] as const
    )
      .filter(([, arn]) => stackRoles.has(roleNameOf(arn)))
      .map(([field, arn]) => `${scope.config.environment}: ${field} ${arn} has the name of a role ${stackRoles.get(roleNameOf(arn))} creates itself; allowed: a role name no stack of the account uses`),
  );
}
