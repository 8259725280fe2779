import { Testing } from "cdktf";
import { EnvironmentScope, type StackJson } from "../../../src/bootstrap/environment-scope";
import { resolveEnvironments } from "../../../src/environment/resolve";
import type { EnvironmentConfig } from "../../../src/config/environment-config";
import { DatabaseStack } from "../../../src/stacks/database-stack";
import { bootstrapRoles, oidcProviderArnOf, type BootstrapRole } from "../../../src/stacks/bootstrap-stack";

/** An environment's scope, built from its stack as the app builds it. */
export function scopeOf(config: EnvironmentConfig): EnvironmentScope {
  const stack = new DatabaseStack(Testing.app(), { config, configFile: `${config.environment}.json` });
  return new EnvironmentScope(config, stack.toTerraform() as StackJson);
}

/** The committed environments' scopes, and the CI roles the bootstrap generates for them. */
export function committedScopes(configDir = "config"): { scopes: EnvironmentScope[]; roles: BootstrapRole[] } {
  const scopes = resolveEnvironments(configDir).map(({ config }) => scopeOf(config));
  const roles = scopes.flatMap((scope) => bootstrapRoles(scope, oidcProviderArnOf(scopes.filter((other) => other.accountId === scope.accountId), scope.accountId).arn));
  return { scopes, roles };
}
