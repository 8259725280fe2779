/**
 * Snapshot kinds as Atlas names them in `copy_settings.frequencies` (provider 1.41.1 docs:
 * "HOURLY" "DAILY" "WEEKLY" "MONTHLY" "ON_DEMAND"; the Admin API's DiskBackupCopySetting adds
 * "YEARLY").
 */
export const ATLAS_SNAPSHOT_FREQUENCIES = ["HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY", "ON_DEMAND"] as const;

export type SnapshotFrequency = (typeof ATLAS_SNAPSHOT_FREQUENCIES)[number];

/**
 * The kinds this project's backup policy schedules: the module always writes an hourly, daily,
 * weekly and monthly item (src/modules/database/backup.ts) and no yearly one; on-demand
 * snapshots are not part of a policy. Only these can be copied by the policy.
 */
export const POLICY_SNAPSHOT_FREQUENCIES = ["HOURLY", "DAILY", "WEEKLY", "MONTHLY"] as const satisfies readonly SnapshotFrequency[];
