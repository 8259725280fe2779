/*
 * The IAM trust policy of every CI role, one per environment and purpose, as docs/ci-cd.md shows
 * them: each trusts GitHub's OIDC provider for exactly one GitHub environment of one repository
 * (subject `repo:<owner>/<repo>:environment:<env>-<purpose>`, matched exactly, no wildcard), so
 * no job of another environment, another purpose or a branch outside that environment's rules can
 * assume it. The session limit each role needs (MaxSessionDuration) is the longest session the
 * workflows ask for with it.
 *
 *   npx tsx .github/scripts/trust-policies.ts [owner/repo]   prints the Markdown section
 */
import { AWS_PARTITION } from "../../src/atlas/regions";
import { arnAccountId } from "../../src/config/fields";
import { pipelineEnvironments, type PipelineEnvironment } from "./pipeline";
import { githubEnvironment, LIMITS } from "./workflows";

export const OIDC_HOST = "token.actions.githubusercontent.com";

export interface CiRole {
  readonly environment: PipelineEnvironment;
  readonly purpose: "plan" | "deploy" | "seed";
  readonly roleArn: string;
  /** The one GitHub environment the role trusts. */
  readonly githubEnvironment: string;
  /** The longest session the workflows request with this role (seconds). */
  readonly maxSessionSeconds: number;
}

export function ciRoles(environments: readonly PipelineEnvironment[]): CiRole[] {
  return environments.flatMap((environment) => [
    { environment, purpose: "plan" as const, roleArn: environment.planRoleArn, githubEnvironment: githubEnvironment.plan(environment.name), maxSessionSeconds: LIMITS.plan.sessionSeconds },
    { environment, purpose: "deploy" as const, roleArn: environment.deployRoleArn, githubEnvironment: githubEnvironment.deploy(environment.name), maxSessionSeconds: LIMITS.apply.sessionSeconds },
    {
      environment,
      purpose: "seed" as const,
      roleArn: environment.seedRoleArn,
      githubEnvironment: githubEnvironment.seed(environment.name),
      maxSessionSeconds: Math.max(LIMITS.seedPlan.sessionSeconds, LIMITS.seedApply.sessionSeconds),
    },
  ]);
}

export function trustPolicy(role: CiRole, repository: string): Record<string, unknown> {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Federated: `arn:${AWS_PARTITION}:iam::${arnAccountId(role.roleArn) ?? "<account-id>"}:oidc-provider/${OIDC_HOST}` },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: {
            [`${OIDC_HOST}:aud`]: "sts.amazonaws.com",
            [`${OIDC_HOST}:sub`]: `repo:${repository}:environment:${role.githubEnvironment}`,
          },
        },
      },
    ],
  };
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
