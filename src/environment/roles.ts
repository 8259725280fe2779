import { AWS_PARTITION } from "../atlas/regions";
import { PLACEHOLDER_MARK, type EnvironmentConfig } from "../config/environment-config";
import { stackName } from "./names";

/*
 * The IAM roles of one environment, by what they do. Each CI role is trusted by exactly one GitHub
 * environment (names.ts; docs/ci-cd.md); the application and seeder roles are the only readers of
 * their secrets and, in aws-iam mode, the database users themselves.
 */

/** The roles of one environment. */
export interface EnvironmentRoles {
  /** ci.planRoleArn: read-only; CI plans with it (`<environment>-plan`). */
  readonly plan: string;
  /** ci.deployRoleArn: CI applies with it (`<environment>-deploy`). */
  readonly deploy: string;
  /** database.seederRoleArn: the post-apply seeder and CI's seed jobs (`<environment>-seed`). */
  readonly seed: string;
  /** database.appRoleArn: the application. */
  readonly app: string;
  /** The role a person assumes when CI cannot act; undefined until the environment file names one. */
  readonly breakGlass?: string;
}

/** Which role a placeholder ARN stands for; part of its name (`...-<env>-<purpose>`). */
export type PlaceholderRolePurpose = "app" | "seeder" | "plan" | "deploy";

/** `arn:aws:iam::<account>:role/placeholder-audio-pipeline-<env>-<purpose>`: unique per environment, flagged. */
export function placeholderRoleArn(accountId: string, environment: string, purpose: PlaceholderRolePurpose): string {
  return `arn:${AWS_PARTITION}:iam::${accountId}:role/${PLACEHOLDER_MARK}-${stackName(environment)}-${purpose}`;
}

export function environmentRoles(config: EnvironmentConfig): EnvironmentRoles {
  return {
    plan: config.ci.planRoleArn,
    deploy: config.ci.deployRoleArn,
    seed: config.database.seederRoleArn,
    app: config.database.appRoleArn,
    ...(config.ci.breakGlassRoleArn ? { breakGlass: config.ci.breakGlassRoleArn } : {}),
  };
}
