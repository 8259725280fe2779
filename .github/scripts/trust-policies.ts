/*
 * The IAM trust policy of every CI role, one per environment and purpose, as docs/ci-cd.md shows
 * them (the policy and the session limit are src/environment/ci-roles.ts's): each trusts GitHub's
 * OIDC provider for exactly one GitHub environment of one repository, so no job of another
 * environment, another purpose or a branch outside that environment's rules can assume it.
 *
 *   npx tsx .github/scripts/trust-policies.ts [owner/repo]   prints the Markdown section
 */
import { ciRolesOf, trustPolicy, type CiRole as EnvironmentCiRole } from "../../src/environment/ci-roles";
import { pipelineEnvironments, type PipelineEnvironment } from "./pipeline";

export { OIDC_HOST, trustPolicy } from "../../src/environment/ci-roles";

/** A CI role (src/environment/ci-roles.ts) with the environment it belongs to. */
export interface CiRole extends EnvironmentCiRole {
  readonly environment: PipelineEnvironment;
}

export function ciRoles(environments: readonly PipelineEnvironment[]): CiRole[] {
  return environments.flatMap((environment) =>
    ciRolesOf(environment.name, { plan: environment.planRoleArn, deploy: environment.deployRoleArn, seed: environment.seedRoleArn }).map((role) => ({ environment, ...role })),
  );
}

export function trustPolicySection(environments: readonly PipelineEnvironment[], repository = "<owner>/<repo>"): string {
  const out: string[] = [];
  for (const role of ciRoles(environments)) {
    out.push(
      `#### \`${role.environment.name}\` ${role.purpose}: \`${role.roleArn}\``,
      "",
      `Trusted by the GitHub environment \`${role.githubEnvironment}\` only. MaxSessionDuration: at least ${role.maxSessionSeconds} s (${role.maxSessionSeconds / 3600} h).`,
      "",
      "```json",
      JSON.stringify(trustPolicy(role, repository), null, 2),
      "```",
      "",
    );
  }
  return out.join("\n");
}

if (require.main === module) process.stdout.write(trustPolicySection(pipelineEnvironments(), process.argv[2]));
