import type { DedicatedTier } from "../../atlas/cluster-tiers";
import type { MongoDbMajorVersion } from "../../atlas/mongodb-versions";
import type { AwsRegion } from "../../atlas/regions";
import { POLICY_SNAPSHOT_FREQUENCIES, type SnapshotFrequency } from "../../atlas/snapshot-frequencies";
import type { TerraformRoles } from "./key-policy";

/*
 * The inputs of the database module: the CDKTF counterpart of terraform/modules/database/variables.tf.
 * Grouped in the sections of an environment file (atlas, database, network, backup,
 * connectionSecret, monitoring), with the same field names, so a stack passes its resolved
 * sections as they are. Defaults live in DATABASE_DEFAULTS, which the environment-file schema
 * applies and documents too, and the module applies them once (withDefaults).
 */

/** Compute auto-scaling bounds. Both ends must be in the cluster tier's family. */
export interface ComputeAutoScaling {
  /** Smallest tier Atlas may scale down to. */
  readonly minTier: DedicatedTier;
  /** Largest tier Atlas may scale up to. */
  readonly maxTier: DedicatedTier;
  /**
   * Whether Atlas may scale back down after load drops.
   * @default true
   */
  readonly scaleDown?: boolean;
}

/** Storage and compute auto-scaling. */
export interface AutoScalingProps {
  /**
   * Let Atlas grow storage before the disk fills.
   * @default true
   */
  readonly diskGb?: boolean;
  /**
   * Compute auto-scaling between two tiers.
   * @default - the tier stays fixed
   */
  readonly compute?: ComputeAutoScaling;
}

/**
 * Backup policy of the cluster: continuous backup plus snapshot retention.
 * @see https://www.mongodb.com/docs/atlas/backup/cloud-backup/configure-backup-policy/
 */
export interface BackupPolicy {
  /**
   * Continuous cloud backup, which allows restoring to any minute of the restore window.
   * @default true
   */
  readonly pointInTimeRestore?: boolean;
  /**
   * Point-in-time restore window. Must not exceed `hourlyRetentionDays`.
   * @default 7
   */
  readonly restoreWindowDays?: number;
  /**
   * UTC hour at which Atlas takes the daily snapshot.
   * @default 3
   */
  readonly referenceHourOfDay?: number;
  /**
   * Hours between hourly snapshots: 1, 2, 4, 6, 8 or 12.
   * @default 6
   */
  readonly hourlyEveryHours?: number;
  /**
   * Days an hourly snapshot is kept. At least the restore window.
   * @default 7
   */
  readonly hourlyRetentionDays?: number;
  /**
   * Days a daily snapshot is kept.
   * @default 7
   */
  readonly dailyRetentionDays?: number;
  /**
   * Weeks a weekly (Saturday) snapshot is kept.
   * @default 4
   */
  readonly weeklyRetentionWeeks?: number;
  /**
   * Months a monthly (last day) snapshot is kept.
   * @default 3
   */
  readonly monthlyRetentionMonths?: number;
  /**
   * Keep snapshots after the cluster is deleted.
   * @default true
   */
  readonly retainBackupsAfterClusterDeletion?: boolean;
  /**
   * Atlas regions (AWS, Atlas spelling such as US_WEST_2) that receive a copy of each snapshot
   * of `copyFrequencies`, and of the oplog when point-in-time restore is on, so a restore does
   * not depend on the cluster's own region. Never the cluster's region.
   * @default []
   */
  readonly copyToRegions?: readonly string[];
  /**
   * Which snapshots are copied to `copyToRegions`: HOURLY, DAILY, WEEKLY, MONTHLY.
   * @default ["HOURLY", "DAILY", "WEEKLY", "MONTHLY"]
   */
  readonly copyFrequencies?: readonly SnapshotFrequency[];
}

/**
 * Alarms, alerts and log export. Atlas has no CloudWatch integration (provider 1.41.1 offers
 * PagerDuty, Datadog, OpsGenie, VictorOps, webhook, Teams and Prometheus only), so the module
 * watches the AWS side with CloudWatch and the database side with Atlas alerts.
 */
export interface MonitoringProps {
  /**
   * Addresses that receive the CloudWatch alarms (SNS e-mail, confirmed by each recipient) and the Atlas alerts.
   * @default - none: Atlas alerts go to the project owners, CloudWatch alarms to the topic only
   */
  readonly alertEmails?: readonly string[];
  /**
   * HTTPS endpoint subscribed to the alarm topic, e.g. a paging service.
   * @default - none
   */
  readonly alarmHttpsEndpoint?: string;
  /**
   * Webhook that receives the Atlas alerts.
   * @default - none
   */
  readonly atlasWebhookUrl?: string;
  /**
   * Secret Atlas signs webhook calls with. Pass a sensitive Terraform variable, never a literal.
   * @default - unsigned webhook calls
   */
  readonly atlasWebhookSecret?: string;
  /**
   * Packets the endpoint may drop in 5 minutes before the alarm fires.
   * @default 100
   */
  readonly packetsDroppedThreshold?: number;
  /**
   * Alarm when the endpoint carries no connection: the pipeline is expected to be connected at all times.
   * @default true
   */
  readonly expectTraffic?: boolean;
  /**
   * Consecutive 5-minute periods without an active connection before that alarm fires.
   * @default 3
   */
  readonly idlePeriods?: number;
  /**
   * Replication lag of a secondary, in seconds, that raises an Atlas alert.
   * @default 60
   */
  readonly replicationLagSeconds?: number;
  /**
   * Percentage of the data disk in use that raises an Atlas alert.
   * @default 80
   */
  readonly diskUsedPercent?: number;
  /**
   * Percentage of the tier's connection limit in use that raises an Atlas alert.
   * @default 80
   */
  readonly connectionsPercent?: number;
  /**
   * Documents scanned per document returned that raises an Atlas alert (a missing index).
   * @default 1000
   */
  readonly queryTargetingRatio?: number;
  /**
   * Export the Atlas logs (mongod, audit) to a private S3 bucket of this stack.
   * @default true
   */
  readonly logExport?: boolean;
  /**
   * Days exported log objects are kept.
   * @default 90
   */
  readonly logRetentionDays?: number;
}

/**
 * How the application and the seeder authenticate to the database.
 * - `aws-iam`: Atlas users of type ROLE in `$external`, named by IAM role ARNs; no password exists.
 * - `password`: Atlas users in `admin` with a generated password kept in state and in the secrets.
 */
export type DatabaseAuthentication = (typeof AUTHENTICATION_MODES)[number];

/** The authentication modes, for the schemas that check them (the environment file's, the secret's). */
export const AUTHENTICATION_MODES = ["aws-iam", "password"] as const;

/** The Atlas project and its cluster. */
export interface AtlasProps {
  /**
   * Atlas project name. Must be unique within the organization.
   * @default "audio-pipeline"
   */
  readonly projectName?: string;
  /** Atlas cluster name. */
  readonly clusterName: string;
  /**
   * Dedicated cluster tier. Shared tiers cannot host PrivateLink, point-in-time restore or a pinned version.
   * @default "M10"
   */
  readonly tier?: DedicatedTier;
  /**
   * MongoDB major version.
   * @default "7.0"
   */
  readonly mongoDbMajorVersion?: MongoDbMajorVersion;
  /**
   * Electable nodes of the replica set, spread by Atlas over three availability zones.
   * @default 3
   */
  readonly electableNodes?: 3 | 5 | 7;
  /**
   * Atlas refuses to delete the cluster while this is on, and Terraform refuses to destroy the
   * project, cluster, backup schedule, database users, secrets and their key (prevent_destroy).
   * @default true
   */
  readonly terminationProtection?: boolean;
  /**
   * Keep the feature compatibility version pinned until this ISO 8601 UTC date-time (at most
   * 4 weeks ahead), so that a major-version upgrade can still be rolled back.
   * @default - not pinned
   */
  readonly pinFcvUntil?: string;
  /**
   * Storage and compute auto-scaling.
   * @default - storage grows, the tier stays fixed
   */
  readonly autoScaling?: AutoScalingProps;
  /**
   * Encrypt the cluster's storage with a customer-managed KMS key of this stack (Atlas customer
   * key management through a cloud-provider-access role). Dedicated tiers (M10+) only.
   * @default true
   */
  readonly encryptionAtRest?: boolean;
}

/** The database, its users and how they authenticate. */
export interface DatabaseProps {
  /**
   * Database the application user may read and write.
   * @default "audio_pipeline"
   */
  readonly name?: string;
  /**
   * How the application and the seeder authenticate.
   * @default "aws-iam"
   */
  readonly authentication?: DatabaseAuthentication;
  /**
   * IAM role the application runs as. In `aws-iam` mode it is the application's database user;
   * in both modes it is the only principal (besides the Terraform roles) that may read the
   * application's secret and decrypt it.
   */
  readonly appRoleArn: string;
  /** IAM role the post-apply seeder runs as; like appRoleArn, for the seeder's secret. */
  readonly seederRoleArn: string;
  /**
   * Step 1 of replacing appRoleArn: the new role may read (and decrypt) the application's secret too.
   * @default - no rotation under way
   */
  readonly nextAppRoleArn?: string;
  /**
   * Step 1 of replacing seederRoleArn: the new role may read (and decrypt) the seeder's secret too.
   * @default - no rotation under way
   */
  readonly nextSeederRoleArn?: string;
  /**
   * Name of the application's database user (password mode).
   * @default "audio-pipeline-app"
   */
  readonly username?: string;
  /**
   * Name of the seeder's database user (password mode): readWrite and dbAdmin on the database, so
   * that the post-apply seeder can replace validators (collMod), which the application user may not.
   * @default "audio-pipeline-seeder"
   */
  readonly seederUsername?: string;
  /**
   * In `aws-iam` mode, keep the password users (and their passwords) beside the new IAM users:
   * step 1 of switching a deployed environment, so clients still connected with a password keep
   * working until they have moved. Remove it (step 2) to delete the password users.
   * @default false
   */
  readonly retainPasswordUsers?: boolean;
  /**
   * Password mode: bump to rotate both passwords in a reviewed change (it drives the
   * random_password keepers). Version 1 sets no keepers, so existing passwords stay as they are.
   * @default 1
   */
  readonly passwordVersion?: number;
}

/** The existing VPC the application runs in. */
export interface NetworkProps {
  readonly vpcId: string;
  /** CIDR block of that VPC. Must be a private (RFC 1918) range. */
  readonly vpcCidr: string;
  /** Private subnets for the PrivateLink interface endpoint. Must be at least one. */
  readonly privateSubnetIds: readonly string[];
  /** Security groups of the database's clients, by name (e.g. api, worker). Only they reach the endpoint. */
  readonly clientSecurityGroups: Readonly<Record<string, string>>;
  /**
   * CIDR blocks in the Atlas IP access list. Each must be private.
   * @default - [vpcCidr]
   */
  readonly accessListCidrs?: readonly string[];
}

/** The two Secrets Manager secrets that hold the connection strings. */
export interface ConnectionSecretNames {
  /**
   * Name of the secret holding the application's connection string.
   * @default "audio-pipeline/mongodb-uri"
   */
  readonly name?: string;
  /**
   * Name of the secret holding the seeder's connection string.
   * @default "audio-pipeline/mongodb-seed-uri"
   */
  readonly seederName?: string;
  /**
   * Days a deleted secret can still be restored.
   * @default 7
   */
  readonly recoveryWindowDays?: number;
}

/** Inputs of {@link DatabaseModule}. */
export interface DatabaseModuleProps {
  /** Environment name (dev, prod, ...): used in resource names and tags. */
  readonly environment: string;
  /** Atlas organization id that owns the project. Pass a Terraform variable so it is supplied at plan time. */
  readonly atlasOrgId: string;
  /**
   * AWS region of the VPC and of the Atlas cluster.
   * @default "us-east-1"
   */
  readonly region?: AwsRegion;
  /**
   * Prefix of the names of the AWS resources (security group, KMS alias, SNS topic, alarms, ...).
   * @default - "<projectName>-<environment>"
   */
  readonly resourceNamePrefix?: string;
  /** The Atlas project and cluster. */
  readonly atlas: AtlasProps;
  /** The database, its users and how they authenticate. */
  readonly database: DatabaseProps;
  /** The existing VPC. */
  readonly network: NetworkProps;
  /**
   * Backup policy.
   * @default - 7-day point-in-time window; snapshots daily 7 days, weekly 4 weeks, monthly 3 months
   */
  readonly backup?: BackupPolicy;
  /**
   * The connection secrets.
   * @default - the names above, a 7-day recovery window
   */
  readonly connectionSecret?: ConnectionSecretNames;
  /**
   * Alarms, alerts and log export.
   * @default - alarms and alerts on, log export on, no external destination
   */
  readonly monitoring?: MonitoringProps;
  /**
   * The roles Terraform plans and applies with, and their account: its root principal
   * administers the KMS keys; both roles read the secrets (Terraform reads them back on every
   * refresh), the deploy role writes them.
   */
  readonly terraformRoles: TerraformRoles;
  /** Names of the collections the seeder creates, published as an output. */
  readonly collectionNames: readonly string[];
}

/** The defaults of every optional input, in one place, by section. */
export const DATABASE_DEFAULTS = {
  region: "us-east-1",
  atlas: {
    projectName: "audio-pipeline",
    tier: "M10",
    mongoDbMajorVersion: "7.0",
    electableNodes: 3,
    terminationProtection: true,
    encryptionAtRest: true,
    autoScaling: { diskGb: true, compute: { scaleDown: true } },
  },
  database: {
    name: "audio_pipeline",
    authentication: "aws-iam",
    username: "audio-pipeline-app",
    seederUsername: "audio-pipeline-seeder",
    retainPasswordUsers: false,
    passwordVersion: 1,
  },
  connectionSecret: {
    name: "audio-pipeline/mongodb-uri",
    seederName: "audio-pipeline/mongodb-seed-uri",
    recoveryWindowDays: 7,
  },
  backup: {
    pointInTimeRestore: true,
    restoreWindowDays: 7,
    referenceHourOfDay: 3,
    hourlyEveryHours: 6,
    hourlyRetentionDays: 7,
    dailyRetentionDays: 7,
    weeklyRetentionWeeks: 4,
    monthlyRetentionMonths: 3,
    retainBackupsAfterClusterDeletion: true,
    copyToRegions: [],
    copyFrequencies: POLICY_SNAPSHOT_FREQUENCIES,
  },
  monitoring: {
    packetsDroppedThreshold: 100,
    expectTraffic: true,
    idlePeriods: 3,
    replicationLagSeconds: 60,
    diskUsedPercent: 80,
    connectionsPercent: 80,
    queryTargetingRatio: 1000,
    logExport: true,
    logRetentionDays: 90,
  },
} as const satisfies {
  readonly region: AwsRegion;
  readonly atlas: Required<Omit<AtlasProps, "clusterName" | "pinFcvUntil" | "autoScaling">> & {
    readonly autoScaling: Required<Pick<AutoScalingProps, "diskGb">> & { readonly compute: Required<Pick<ComputeAutoScaling, "scaleDown">> };
  };
  readonly database: Required<Omit<DatabaseProps, "appRoleArn" | "seederRoleArn" | RotationFields>>;
  readonly connectionSecret: Required<ConnectionSecretNames>;
  readonly backup: Required<BackupPolicy>;
  readonly monitoring: Omit<Required<MonitoringProps>, "alertEmails" | "alarmHttpsEndpoint" | "atlasWebhookUrl" | "atlasWebhookSecret">;
};

/** The role-rotation inputs, which have no default: absent outside a rotation. */
type RotationFields = "nextAppRoleArn" | "nextSeederRoleArn";

/** The inputs with every default applied: what the module's constructs read. */
export interface ModuleSettings {
  readonly environment: string;
  readonly atlasOrgId: string;
  readonly region: AwsRegion;
  readonly namePrefix: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly atlas: Required<Omit<AtlasProps, "pinFcvUntil" | "autoScaling">> &
    Pick<AtlasProps, "pinFcvUntil"> & {
      readonly autoScaling: { readonly diskGb: boolean; readonly compute?: Required<ComputeAutoScaling> };
    };
  readonly database: Required<Omit<DatabaseProps, RotationFields>> & Pick<DatabaseProps, RotationFields>;
  readonly network: Required<NetworkProps>;
  readonly backup: Required<BackupPolicy>;
  readonly connectionSecret: Required<ConnectionSecretNames>;
  readonly monitoring: MonitoringProps & typeof DATABASE_DEFAULTS.monitoring;
  readonly terraformRoles: TerraformRoles;
  readonly collectionNames: readonly string[];
}

/** `defaults` with each value `given` sets (an undefined value is not set). */
function merged<D extends object, G extends object>(defaults: D, given: G | undefined): D & G {
  return { ...defaults, ...Object.fromEntries(Object.entries(given ?? {}).filter(([, value]) => value !== undefined)) } as D & G;
}

/** Applies DATABASE_DEFAULTS to the module's inputs: the one place the module reads a default. */
export function withDefaults(props: DatabaseModuleProps): ModuleSettings {
  const defaults = DATABASE_DEFAULTS;
  const atlas = merged(defaults.atlas, props.atlas);
  const compute = props.atlas.autoScaling?.compute;
  return {
    environment: props.environment,
    atlasOrgId: props.atlasOrgId,
    region: props.region ?? defaults.region,
    namePrefix: props.resourceNamePrefix ?? `${atlas.projectName}-${props.environment}`.toLowerCase().replace(/[^a-z0-9-]+/g, "-"),
    tags: { Project: atlas.projectName, Environment: props.environment, ManagedBy: "cdktf" },
    atlas: {
      ...atlas,
      autoScaling: {
        diskGb: props.atlas.autoScaling?.diskGb ?? defaults.atlas.autoScaling.diskGb,
        ...(compute ? { compute: { ...compute, scaleDown: compute.scaleDown ?? defaults.atlas.autoScaling.compute.scaleDown } } : {}),
      },
    },
    database: merged(defaults.database, props.database),
    network: { ...props.network, accessListCidrs: props.network.accessListCidrs ?? [props.network.vpcCidr] },
    backup: merged(defaults.backup, props.backup),
    connectionSecret: merged(defaults.connectionSecret, props.connectionSecret),
    monitoring: merged(defaults.monitoring, props.monitoring),
    terraformRoles: props.terraformRoles,
    collectionNames: props.collectionNames,
  };
}
