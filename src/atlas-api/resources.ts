import { type AtlasAdminClient, isNotFound } from "./client";

/*
 * The few Admin API v2 resources the drill reads and writes, typed with only the fields it uses.
 * Names, paths and resource versions follow MongoDB's published OpenAPI description
 * (github.com/mongodb/openapi, openapi/v2.json): Group, ClusterDescription20240805,
 * DiskBackupReplicaSet, DiskBackupSnapshotSchedule20240805, DiskBackupSnapshotRestoreJob,
 * CloudDatabaseUser, and the paginated lists' `results`.
 */

/** Clusters are served in their 2024-08-05 shape (disk size per node spec). */
export const CLUSTER_API_VERSION = "2024-08-05";

export interface Group {
  readonly id: string;
  readonly name: string;
}

export interface ResourceTag {
  readonly key: string;
  readonly value: string;
}

export interface HardwareSpec {
  readonly instanceSize?: string;
  readonly nodeCount?: number;
  readonly diskSizeGB?: number;
}

export interface RegionConfig {
  readonly providerName: string;
  readonly regionName: string;
  readonly priority?: number;
  readonly electableSpecs?: HardwareSpec;
}

export interface ClusterDescription {
  readonly name: string;
  /** IDLE, CREATING, UPDATING, DELETING, REPAIRING. */
  readonly stateName?: string;
  readonly clusterType?: string;
  readonly mongoDBMajorVersion?: string;
  readonly backupEnabled?: boolean;
  readonly pitEnabled?: boolean;
  readonly terminationProtectionEnabled?: boolean;
  /** NONE, AWS, AZURE, GCP. */
  readonly encryptionAtRestProvider?: string;
  readonly tags?: readonly ResourceTag[];
  readonly replicationSpecs?: readonly { readonly zoneId?: string; readonly regionConfigs: readonly RegionConfig[] }[];
  readonly connectionStrings?: { readonly privateEndpoint?: readonly { readonly srvConnectionString?: string }[]; readonly standardSrv?: string };
  readonly createDate?: string;
}

export interface Snapshot {
  readonly id: string;
  readonly createdAt: string;
  /** queued, inProgress, completed, failed. */
  readonly status: string;
  readonly snapshotType?: string;
  readonly mongodVersion?: string;
  readonly storageSizeBytes?: number;
}

export interface BackupSchedule {
  readonly restoreWindowDays?: number;
}

export interface RestoreJobRequest {
  /** automated (a snapshot) or pointInTime. */
  readonly deliveryType: "automated" | "pointInTime";
  readonly snapshotId?: string;
  readonly pointInTimeUTCSeconds?: number;
  readonly targetClusterName: string;
  readonly targetGroupId: string;
}

export interface RestoreJob {
  readonly id: string;
  readonly cancelled?: boolean;
  readonly expired?: boolean;
  readonly failed?: boolean;
  readonly finishedAt?: string;
  readonly timestamp?: string;
  readonly targetClusterName?: string;
}

export interface DatabaseUser {
  readonly databaseName: string;
  readonly username: string;
  readonly password?: string;
  readonly roles: readonly { readonly roleName: string; readonly databaseName: string }[];
  readonly scopes: readonly { readonly name: string; readonly type: "CLUSTER" }[];
  readonly deleteAfterDate?: string;
  readonly description?: string;
}

interface Page<T> {
  readonly results?: readonly T[];
}

const enc = encodeURIComponent;

/** The calls the drill makes, one method each, so a reader (and a test) sees the whole surface. */
export class AtlasResources {
  constructor(private readonly api: AtlasAdminClient) {}

  projectByName(name: string): Promise<Group> {
    return this.api.get<Group>(`/groups/byName/${enc(name)}`);
  }

  /** The cluster, or undefined when Atlas says it does not exist (404). */
  async cluster(groupId: string, name: string): Promise<ClusterDescription | undefined> {
    try {
      return await this.api.get<ClusterDescription>(`/groups/${enc(groupId)}/clusters/${enc(name)}`, { version: CLUSTER_API_VERSION });
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async clusters(groupId: string): Promise<readonly ClusterDescription[]> {
    const page = await this.api.get<Page<ClusterDescription>>(`/groups/${enc(groupId)}/clusters`, {
      version: CLUSTER_API_VERSION,
      query: { itemsPerPage: 500 },
    });
    return page.results ?? [];
  }

  createCluster(groupId: string, cluster: ClusterDescription): Promise<ClusterDescription> {
    return this.api.post<ClusterDescription>(`/groups/${enc(groupId)}/clusters`, cluster, { version: CLUSTER_API_VERSION });
  }

  async deleteCluster(groupId: string, name: string): Promise<void> {
    await this.api.delete(`/groups/${enc(groupId)}/clusters/${enc(name)}`, { version: CLUSTER_API_VERSION });
  }

  async snapshots(groupId: string, clusterName: string): Promise<readonly Snapshot[]> {
    const page = await this.api.get<Page<Snapshot>>(`/groups/${enc(groupId)}/clusters/${enc(clusterName)}/backup/snapshots`, {
      query: { itemsPerPage: 500 },
    });
    return page.results ?? [];
  }

  backupSchedule(groupId: string, clusterName: string): Promise<BackupSchedule> {
    return this.api.get<BackupSchedule>(`/groups/${enc(groupId)}/clusters/${enc(clusterName)}/backup/schedule`, { version: CLUSTER_API_VERSION });
  }

  createRestoreJob(groupId: string, sourceCluster: string, job: RestoreJobRequest): Promise<RestoreJob> {
    return this.api.post<RestoreJob>(`/groups/${enc(groupId)}/clusters/${enc(sourceCluster)}/backup/restoreJobs`, job);
  }

  restoreJob(groupId: string, sourceCluster: string, jobId: string): Promise<RestoreJob> {
    return this.api.get<RestoreJob>(`/groups/${enc(groupId)}/clusters/${enc(sourceCluster)}/backup/restoreJobs/${enc(jobId)}`);
  }

  createDatabaseUser(groupId: string, user: DatabaseUser): Promise<DatabaseUser> {
    return this.api.post<DatabaseUser>(`/groups/${enc(groupId)}/databaseUsers`, user);
  }

  /** Deletes the user; a user already gone (Atlas's deleteAfterDate) is not an error. */
  async deleteDatabaseUser(groupId: string, databaseName: string, username: string): Promise<void> {
    try {
      await this.api.delete(`/groups/${enc(groupId)}/databaseUsers/${enc(databaseName)}/${enc(username)}`);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
}
