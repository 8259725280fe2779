import type { ClusterDescription } from "../atlas-api/resources";
import type { DedicatedTier } from "../atlas/cluster-tiers";
import { drillTags } from "./ownership";

/*
 * The temporary cluster a drill restores into: the smallest general-purpose tier whose storage
 * holds the source's disk, in the source's region and project (so the project's PrivateLink
 * reaches it), on the source's major version, with no backups, no termination protection, and
 * the source's encryption-at-rest provider when that is a customer key (Atlas restores only into
 * a cluster with the same provider: docs "Restore from a Snapshot Using Encryption at Rest").
 */

/**
 * Largest disk (GB) each general-purpose AWS tier takes, as the Atlas cluster-tier table lists it
 * (checked 2026; re-check before a restore of more than 128 GB). A snapshot restores only into a
 * cluster with at least the source's disk size.
 */
export const MAX_DISK_GB: readonly (readonly [DedicatedTier, number])[] = [
  ["M10", 128],
  ["M20", 256],
  ["M30", 512],
  ["M40", 1024],
  ["M50", 4096],
  ["M60", 4096],
  ["M80", 4096],
];

/** Atlas's own default disk for M10, used when the source reports none. */
const DEFAULT_DISK_GB = 10;
const ELECTABLE_NODES = 3;
const ONLY_REGION_PRIORITY = 7;

export class RestoreTooLargeError extends Error {
  override name = "RestoreTooLargeError";
}

/** The smallest tier in MAX_DISK_GB that takes `diskSizeGB`. */
export function smallestTierFor(diskSizeGB: number): DedicatedTier {
  const fit = MAX_DISK_GB.find(([, max]) => max >= diskSizeGB);
  if (!fit) throw new RestoreTooLargeError(`the source's disk (${diskSizeGB} GB) exceeds every tier the drill uses (largest: ${MAX_DISK_GB.at(-1)![1]} GB)`);
  return fit[0];
}

export interface SourceShape {
  readonly regionName: string;
  readonly providerName: string;
  readonly diskSizeGB: number;
  readonly mongoDBMajorVersion: string;
  /** "AWS" when the source uses a customer key; anything else means Atlas-managed keys. */
  readonly encryptionAtRestProvider: string;
}

/** Reads what the target must match from the source's description. */
export function sourceShape(source: ClusterDescription): SourceShape {
  const region = source.replicationSpecs?.[0]?.regionConfigs?.[0];
  return {
    regionName: region?.regionName ?? "",
    providerName: region?.providerName ?? "AWS",
    diskSizeGB: region?.electableSpecs?.diskSizeGB ?? DEFAULT_DISK_GB,
    mongoDBMajorVersion: source.mongoDBMajorVersion ?? "",
    encryptionAtRestProvider: source.encryptionAtRestProvider ?? "NONE",
  };
}

export function targetClusterRequest(name: string, runId: string, sourceName: string, shape: SourceShape, expiresAt: Date): ClusterDescription {
  return {
    name,
    clusterType: "REPLICASET",
    mongoDBMajorVersion: shape.mongoDBMajorVersion,
    backupEnabled: false,
    pitEnabled: false,
    terminationProtectionEnabled: false,
    encryptionAtRestProvider: shape.encryptionAtRestProvider === "AWS" ? "AWS" : "NONE",
    tags: drillTags(runId, sourceName, expiresAt),
    replicationSpecs: [
      {
        regionConfigs: [
          {
            providerName: shape.providerName,
            regionName: shape.regionName,
            priority: ONLY_REGION_PRIORITY,
            electableSpecs: { instanceSize: smallestTierFor(shape.diskSizeGB), nodeCount: ELECTABLE_NODES, diskSizeGB: shape.diskSizeGB },
          },
        ],
      },
    ],
  };
}
