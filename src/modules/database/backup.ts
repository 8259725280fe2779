import { CloudBackupSchedule } from "@cdktf/provider-mongodbatlas/lib/cloud-backup-schedule";
import { Construct } from "constructs";
import type { BackupPolicy } from "./variables";

/** Inputs of {@link BackupSchedule}, already defaulted by the module. */
export interface BackupScheduleProps {
  readonly projectId: string;
  readonly clusterName: string;
  readonly policy: Required<BackupPolicy>;
  /**
   * The cluster's zone (`replication_specs[0].zone_id`), which snapshot copies name. Provider
   * 1.41.1 deprecates `replication_spec_id` for it.
   */
  readonly zoneId: string;
}

// Atlas frequency_interval values: daily must be 1; weekly 6 = Saturday; monthly 40 = last day of the month.
const EVERY_DAY = 1;
const SATURDAY = 6;
const LAST_DAY_OF_MONTH = 40;

/**
 * Snapshot policies and the point-in-time window of the cluster.
 * @see https://registry.terraform.io/providers/mongodb/mongodbatlas/1.41.1/docs/resources/cloud_backup_schedule
 */
export class BackupSchedule extends Construct {
  readonly schedule: CloudBackupSchedule;

  constructor(scope: Construct, id: string, props: BackupScheduleProps) {
    super(scope, id);
    const { policy } = props;
    this.schedule = new CloudBackupSchedule(this, "backup_schedule", {
      projectId: props.projectId,
      clusterName: props.clusterName,
      referenceHourOfDay: policy.referenceHourOfDay,
      referenceMinuteOfHour: 0,
      restoreWindowDays: policy.pointInTimeRestore ? policy.restoreWindowDays : undefined,
      policyItemHourly: {
        frequencyInterval: policy.hourlyEveryHours,
        retentionUnit: "days",
        retentionValue: policy.hourlyRetentionDays,
      },
      policyItemDaily: { frequencyInterval: EVERY_DAY, retentionUnit: "days", retentionValue: policy.dailyRetentionDays },
      policyItemWeekly: [
        { frequencyInterval: SATURDAY, retentionUnit: "weeks", retentionValue: policy.weeklyRetentionWeeks },
      ],
      policyItemMonthly: [
        { frequencyInterval: LAST_DAY_OF_MONTH, retentionUnit: "months", retentionValue: policy.monthlyRetentionMonths },
      ],
      // A copy in another region survives an outage of the cluster's region. The oplog goes too
      // when point-in-time restore is on, so the copy region can restore to any minute.
      copySettings:
        policy.copyToRegions.length === 0
          ? undefined
          : policy.copyToRegions.map((regionName) => ({
              cloudProvider: "AWS",
              regionName,
              zoneId: props.zoneId,
              frequencies: [...policy.copyFrequencies],
              shouldCopyOplogs: policy.pointInTimeRestore,
            })),
    });
  }
}
