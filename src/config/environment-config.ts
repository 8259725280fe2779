import { AWS_PARTITION } from "../atlas/regions";
import type { ClusterTier } from "../atlas/cluster-tiers";
import { DATABASE_DEFAULTS } from "../modules/database/variables";
import type { ParsedEnvironment } from "./environment-schema";

/*
 * The shape of an environment file once every default is applied: what src/environment/ resolves
 * (names derived from the environment, placeholders for what cannot be derived) and every stack,
 * script and CLI reads. The values that depend on another field are functions here, so the
 * config rules and the resolver compute them the same way.
 */

/** The account id a placeholder ARN names; never a real account. */
export const PLACEHOLDER_ACCOUNT_ID = "000000000000";

/** Marks a derived value that a person must replace before deploying. */
export const PLACEHOLDER_MARK = "placeholder";

/** The repository a file without `github.repository` names: flagged, never a real one. */
export const PLACEHOLDER_REPOSITORY = `${PLACEHOLDER_MARK}-owner/audio-pipeline`;

/** The boundary the bootstrap stack creates for an environment: `arn:aws:iam::<account>:policy/audio-pipeline-<env>-boundary`. */
export function defaultPermissionsBoundaryArn(accountId: string, environment: string): string {
  return `arn:${AWS_PARTITION}:iam::${accountId}:policy/audio-pipeline-${environment}-boundary`;
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
  readonly database: Omit<Parsed["database"], "appRoleArn" | "seederRoleArn"> & {
    readonly appRoleArn: string;
    readonly seederRoleArn: string;
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
  return (atlas.tier ?? atlas.autoScaling.compute?.minTier ?? DATABASE_DEFAULTS.atlas.tier) as ClusterTier;
}

/** Whether the cluster encrypts at rest with the stack's own key: as written, else in production only. */
export function effectiveEncryptionAtRest(atlas: { readonly encryptionAtRest?: boolean }, production: boolean | undefined): boolean {
  return atlas.encryptionAtRest ?? production === true;
}
