import type { ClusterTier } from "../atlas/cluster-tiers";
import { AWS_PARTITION } from "../atlas/regions";
import { DATABASE_DEFAULTS } from "../modules/database/variables";
import { stackName } from "../stacks/stack-name";
import { environmentSchema, type ParsedEnvironment } from "./environment-schema";

/*
 * Defaults that depend on the environment's own name (or on another field), applied after the
 * schema. A new environment file therefore gets names of its own (`audio-pipeline-<env>`), never
 * prod's, and anything it cannot derive (an AWS account, role ARNs, a CI runner) becomes a flagged
 * placeholder: synth says so, and diff, deploy and CI refuse it (src/config/placeholders.ts).
 */

/** The account id a placeholder ARN names; never a real account. */
export const PLACEHOLDER_ACCOUNT_ID = "000000000000";

/** Marks a derived value that a person must replace before deploying. */
export const PLACEHOLDER_MARK = "placeholder";

/** What a role is for: the application, the seeder (and CI's seed job), CI's plan and deploy jobs. */
export type RolePurpose = "app" | "seeder" | "plan" | "deploy";

/** `arn:aws:iam::<account>:role/placeholder-audio-pipeline-<env>-<purpose>`: unique per environment, flagged. */
export function placeholderRoleArn(accountId: string, environment: string, purpose: RolePurpose): string {
  return `arn:aws:iam::${accountId}:role/${PLACEHOLDER_MARK}-${stackName(environment)}-${purpose}`;
}

/** The repository a file without `github.repository` names: flagged, never a real one. */
export const PLACEHOLDER_REPOSITORY = `${PLACEHOLDER_MARK}-owner/audio-pipeline`;

/** The boundary the bootstrap stack creates for an environment: `arn:aws:iam::<account>:policy/audio-pipeline-<env>-boundary`. */
export function defaultPermissionsBoundaryArn(accountId: string, environment: string): string {
  return `arn:${AWS_PARTITION}:iam::${accountId}:policy/${stackName(environment)}-boundary`;
}

type Parsed = ParsedEnvironment;

/** An environment file with every default filled in, the derived ones included. */
export type EnvironmentConfig = Omit<Parsed, "aws" | "github" | "atlas" | "database" | "connectionSecret" | "ci" | "state"> & {
  readonly aws: Parsed["aws"] & { readonly accountId: string; readonly permissionsBoundaryArn: string };
  readonly github: { readonly repository: string };
  readonly atlas: Omit<Parsed["atlas"], "projectName" | "clusterName" | "tier" | "encryptionAtRest"> & {
    readonly projectName: string;
    readonly clusterName: string;
    readonly tier: ClusterTier;
    readonly encryptionAtRest: boolean;
  };
  readonly database: Omit<Parsed["database"], "appRoleArn" | "seederRoleArn" | "username" | "seederUsername" | "passwordVersion"> & {
    readonly appRoleArn: string;
    readonly seederRoleArn: string;
    readonly username: string;
    readonly seederUsername: string;
    readonly passwordVersion: number;
  };
  readonly connectionSecret: Omit<Parsed["connectionSecret"], "name" | "seederName"> & {
    readonly name: string;
    readonly seederName: string;
  };
  readonly ci: Omit<Parsed["ci"], "planRoleArn" | "deployRoleArn"> & {
    readonly planRoleArn: string;
    readonly deployRoleArn: string;
  };
  readonly state?: NonNullable<Parsed["state"]> & { readonly key: string };
};

/** The tier the cluster runs at: as written, else the compute auto-scaling floor, else the module default. */
export function effectiveTier(atlas: { readonly tier?: string; readonly autoScaling: { readonly compute?: { readonly minTier: string } } }): ClusterTier {
  return (atlas.tier ?? atlas.autoScaling.compute?.minTier ?? DATABASE_DEFAULTS.clusterTier) as ClusterTier;
}

/** Whether the cluster encrypts at rest with the stack's own key: as written, else in production only. */
export function effectiveEncryptionAtRest(atlas: { readonly encryptionAtRest?: boolean }, production: boolean | undefined): boolean {
  return atlas.encryptionAtRest ?? production === true;
}

/** Fills in every default that depends on the environment's name or on another field. */
export function withDerivedDefaults(parsed: Parsed): EnvironmentConfig {
  // Every derived name starts with the stack's: audio-pipeline-<env>.
  const prefix = stackName(parsed.environment);
  const accountId = parsed.aws.accountId ?? PLACEHOLDER_ACCOUNT_ID;
  const role = (purpose: RolePurpose) => placeholderRoleArn(accountId, parsed.environment, purpose);
  return {
    ...parsed,
    aws: { ...parsed.aws, accountId, permissionsBoundaryArn: parsed.aws.permissionsBoundaryArn ?? defaultPermissionsBoundaryArn(accountId, parsed.environment) },
    github: { repository: parsed.github.repository ?? PLACEHOLDER_REPOSITORY },
    atlas: {
      ...parsed.atlas,
      projectName: parsed.atlas.projectName ?? prefix,
      clusterName: parsed.atlas.clusterName ?? prefix,
      // With compute auto-scaling the floor is where the cluster starts (a rule refuses any other tier).
      tier: effectiveTier(parsed.atlas),
      encryptionAtRest: effectiveEncryptionAtRest(parsed.atlas, parsed.production),
    },
    database: {
      ...parsed.database,
      appRoleArn: parsed.database.appRoleArn ?? role("app"),
      seederRoleArn: parsed.database.seederRoleArn ?? role("seeder"),
      username: parsed.database.username ?? DATABASE_DEFAULTS.databaseUsername,
      seederUsername: parsed.database.seederUsername ?? DATABASE_DEFAULTS.seederUsername,
      passwordVersion: parsed.database.passwordVersion ?? 1,
    },
    connectionSecret: {
      ...parsed.connectionSecret,
      name: parsed.connectionSecret.name ?? `${prefix}/mongodb-uri`,
      seederName: parsed.connectionSecret.seederName ?? `${prefix}/mongodb-seed-uri`,
    },
    ci: {
      ...parsed.ci,
      planRoleArn: parsed.ci.planRoleArn ?? role("plan"),
      deployRoleArn: parsed.ci.deployRoleArn ?? role("deploy"),
    },
    state: parsed.state && { ...parsed.state, key: parsed.state.key ?? `${prefix}/terraform.tfstate` },
  };
}

/**
 * Parses an environment object (throwing zod's error on bad input) and applies the derived
 * defaults. For tests and tools that build a config in code; files go through loadEnvironments.
 */
export function parseEnvironment(input: unknown): EnvironmentConfig {
  return withDerivedDefaults(environmentSchema.parse(input));
}
