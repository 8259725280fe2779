import { AdvancedCluster } from "@cdktf/provider-mongodbatlas/lib/advanced-cluster";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import type { DedicatedTier } from "../../atlas/cluster-tiers";
import type { MongoDbMajorVersion } from "../../atlas/mongodb-versions";
import type { ComputeAutoScaling } from "./variables";

/** Inputs of {@link DatabaseCluster}, already defaulted by the module. */
export interface DatabaseClusterProps {
  readonly projectId: string;
  readonly name: string;
  /** Atlas spelling of the region, e.g. US_EAST_1. */
  readonly atlasRegion: string;
  readonly tier: DedicatedTier;
  readonly mongoDbMajorVersion: MongoDbMajorVersion;
  readonly electableNodes: number;
  readonly terminationProtection: boolean;
  /** @default - not pinned */
  readonly pinFeatureCompatibilityUntil?: string;
  readonly pointInTimeRestore: boolean;
  readonly retainBackupsAfterClusterDeletion: boolean;
  readonly diskAutoScaling: boolean;
  /** @default - the tier stays fixed */
  readonly computeAutoScaling?: Required<ComputeAutoScaling>;
  readonly tags: Readonly<Record<string, string>>;
  /**
   * "AWS" to encrypt storage with the project's customer-managed AWS KMS key; the cluster must
   * then also depend on the project's encryption-at-rest configuration.
   * @default - Atlas-managed keys only
   */
  readonly encryptionAtRestProvider?: "AWS";
  /**
   * Resources the cluster must wait for: the PrivateLink endpoint service, so that Atlas
   * publishes the private-endpoint connection string when the cluster is created.
   */
  readonly dependsOn: ITerraformDependable[];
}

// Priority 7 marks the highest-priority (here: the only) region of the replica set.
const ONLY_REGION_PRIORITY = 7;
const INSTANCE_SIZE_PATH = "replication_specs[0].region_configs[0].electable_specs[0].instance_size";

/** A dedicated replica set on AWS with backups, TLS 1.2+ and server-side JavaScript off. */
export class DatabaseCluster extends Construct {
  readonly cluster: AdvancedCluster;

  constructor(scope: Construct, id: string, props: DatabaseClusterProps) {
    super(scope, id);
    const compute = props.computeAutoScaling;
    this.cluster = new AdvancedCluster(this, "cluster", {
      projectId: props.projectId,
      name: props.name,
      clusterType: "REPLICASET",
      mongoDbMajorVersion: props.mongoDbMajorVersion,
      backupEnabled: true,
      pitEnabled: props.pointInTimeRestore,
      retainBackupsEnabled: props.retainBackupsAfterClusterDeletion,
      terminationProtectionEnabled: props.terminationProtection,
      // Call transcripts and contacts are personal data: keep document contents out of server logs.
      redactClientLogData: true,
      encryptionAtRestProvider: props.encryptionAtRestProvider,
      advancedConfiguration: {
        minimumEnabledTlsProtocol: "TLS1_2",
        javascriptEnabled: false,
      },
      replicationSpecs: [
        {
          regionConfigs: [
            {
              providerName: "AWS",
              regionName: props.atlasRegion,
              priority: ONLY_REGION_PRIORITY,
              electableSpecs: { instanceSize: props.tier, nodeCount: props.electableNodes },
              autoScaling: {
                diskGbEnabled: props.diskAutoScaling,
                computeEnabled: compute !== undefined,
                // Scale-down is a separate switch in Atlas: left unset, it can stay on after
                // compute auto-scaling is turned off, so "off" sets both to false.
                computeScaleDownEnabled: compute?.scaleDown ?? false,
                computeMinInstanceSize: compute?.minTier,
                computeMaxInstanceSize: compute?.maxTier,
              },
            },
          ],
        },
      ],
      // The provider unpins a feature compatibility version pinned by hand, so the pin lives here.
      pinnedFcv: props.pinFeatureCompatibilityUntil ? { expirationDate: props.pinFeatureCompatibilityUntil } : undefined,
      tags: Object.entries(props.tags).map(([key, value]) => ({ key, value })),
      dependsOn: props.dependsOn,
      // With compute auto-scaling Atlas changes the tier itself; Terraform must not undo it.
      lifecycle: compute ? { ignoreChanges: [INSTANCE_SIZE_PATH] } : undefined,
    });
  }
}
