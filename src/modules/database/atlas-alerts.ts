import { AlertConfiguration, type AlertConfigurationConfig, type AlertConfigurationNotification } from "@cdktf/provider-mongodbatlas/lib/alert-configuration";
import { Construct } from "constructs";

/** Inputs of {@link AtlasAlerts}. */
export interface AtlasAlertsProps {
  readonly projectId: string;
  readonly emails: readonly string[];
  /** @default - no webhook */
  readonly webhookUrl?: string;
  /** @default - unsigned webhook calls */
  readonly webhookSecret?: string;
  readonly replicationLagSeconds: number;
  readonly diskUsedPercent: number;
  readonly connectionsPercent: number;
  readonly queryTargetingRatio: number;
}

// Re-notify every hour while an alert stays open.
const REMIND_EVERY_MINUTES = 60;

/*
 * Event types and metric names are those of the Atlas Admin API (alert configurations), the
 * reference the 1.41.1 provider docs defer to; checked against the Admin API's OpenAPI
 * specification (the copies in the provider repository and in atlas-sdk-go):
 * - OUTSIDE_METRIC_THRESHOLD with OPLOG_SLAVE_LAG_MASTER_TIME (time units),
 *   DISK_PARTITION_SPACE_USED_DATA, CONNECTIONS_PERCENT and
 *   QUERY_TARGETING_SCANNED_OBJECTS_PER_RETURNED (units RAW), mode AVERAGE;
 * - NO_PRIMARY, PRIMARY_ELECTED, CPS_SNAPSHOT_FAILED, CPS_RESTORE_FAILED (no threshold);
 * - REPLICATION_OPLOG_WINDOW_RUNNING_OUT (threshold_config, LESS_THAN in HOURS).
 * An unknown name is accepted by `terraform plan` and fails only at apply, hence this list.
 */
type AlertDefinition = Pick<AlertConfigurationConfig, "eventType" | "metricThresholdConfig" | "thresholdConfig">;

/** Atlas alerts for the signals that matter on a replica set, sent to e-mail and/or a webhook. */
export class AtlasAlerts extends Construct {
  readonly alerts: Record<string, AlertConfiguration>;

  constructor(scope: Construct, id: string, props: AtlasAlertsProps) {
    super(scope, id);
    const metric = (metricName: string, threshold: number, units: string) => ({
      metricThresholdConfig: [{ metricName, operator: "GREATER_THAN", threshold, units, mode: "AVERAGE" }],
    });
    const definitions: Record<string, AlertDefinition> = {
      replication_lag: { eventType: "OUTSIDE_METRIC_THRESHOLD", ...metric("OPLOG_SLAVE_LAG_MASTER_TIME", props.replicationLagSeconds, "SECONDS") },
      no_primary: { eventType: "NO_PRIMARY" },
      primary_elected: { eventType: "PRIMARY_ELECTED" },
      oplog_window_running_out: {
        eventType: "REPLICATION_OPLOG_WINDOW_RUNNING_OUT",
        thresholdConfig: [{ operator: "LESS_THAN", threshold: 1, units: "HOURS" }],
      },
      disk_space_used: { eventType: "OUTSIDE_METRIC_THRESHOLD", ...metric("DISK_PARTITION_SPACE_USED_DATA", props.diskUsedPercent, "RAW") },
      connections_used: { eventType: "OUTSIDE_METRIC_THRESHOLD", ...metric("CONNECTIONS_PERCENT", props.connectionsPercent, "RAW") },
      query_targeting: {
        eventType: "OUTSIDE_METRIC_THRESHOLD",
        ...metric("QUERY_TARGETING_SCANNED_OBJECTS_PER_RETURNED", props.queryTargetingRatio, "RAW"),
      },
      backup_snapshot_failed: { eventType: "CPS_SNAPSHOT_FAILED" },
      backup_restore_failed: { eventType: "CPS_RESTORE_FAILED" },
    };
    const notifications = alertNotifications(props);
    this.alerts = Object.fromEntries(
      Object.entries(definitions).map(([name, definition]) => [
        name,
        new AlertConfiguration(this, `atlas_alert_${name}`, {
          projectId: props.projectId,
          enabled: true,
          notification: notifications,
          ...definition,
        }),
      ]),
    );
  }
}

/** E-mail and webhook notifications; without either, the project owners are e-mailed. */
function alertNotifications(props: AtlasAlertsProps): AlertConfigurationNotification[] {
  const notifications: AlertConfigurationNotification[] = props.emails.map((emailAddress) => ({
    typeName: "EMAIL",
    emailAddress,
    intervalMin: REMIND_EVERY_MINUTES,
    delayMin: 0,
  }));
  if (props.webhookUrl) {
    notifications.push({
      typeName: "WEBHOOK",
      webhookUrl: props.webhookUrl,
      webhookSecret: props.webhookSecret,
      intervalMin: REMIND_EVERY_MINUTES,
      delayMin: 0,
    });
  }
  if (notifications.length === 0) {
    notifications.push({ typeName: "GROUP", roles: ["GROUP_OWNER"], emailEnabled: true, intervalMin: REMIND_EVERY_MINUTES, delayMin: 0 });
  }
  return notifications;
}
