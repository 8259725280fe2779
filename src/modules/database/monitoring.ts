import { Construct } from "constructs";
import { AlarmTopic } from "./alarm-topic";
import { AtlasAlerts } from "./atlas-alerts";
import { EndpointAlarms } from "./endpoint-alarms";
import type { TerraformRoles } from "./key-policy";
import { LogExport } from "./log-export";
import type { ModuleSettings } from "./variables";

/** Inputs of {@link DatabaseMonitoring}. */
export interface DatabaseMonitoringProps {
  /** The monitoring inputs with their defaults applied (variables.ts, withDefaults). */
  readonly settings: ModuleSettings["monitoring"];
  readonly projectId: string;
  readonly namePrefix: string;
  readonly region: string;
  readonly vpcId: string;
  readonly vpcEndpointId: string;
  readonly serviceName: string;
  readonly terraformRoles: TerraformRoles;
}

/**
 * The monitoring that exists for this database, given that Atlas offers no CloudWatch
 * integration: CloudWatch alarms and a dashboard on the PrivateLink endpoint (AWS side), Atlas
 * alerts (database side), and optionally the Atlas logs exported to S3.
 */
export class DatabaseMonitoring extends Construct {
  readonly alarmTopic: AlarmTopic;
  readonly endpointAlarms: EndpointAlarms;
  readonly atlasAlerts: AtlasAlerts;
  readonly logExport?: LogExport;

  constructor(scope: Construct, id: string, props: DatabaseMonitoringProps) {
    super(scope, id);
    const { settings } = props;
    const emails = settings.alertEmails ?? [];

    this.alarmTopic = new AlarmTopic(this, "alarm_topic", {
      namePrefix: props.namePrefix,
      emails,
      httpsEndpoint: settings.alarmHttpsEndpoint,
      terraformRoles: props.terraformRoles,
      region: props.region,
    });
    this.endpointAlarms = new EndpointAlarms(this, "endpoint_alarms", {
      namePrefix: props.namePrefix,
      region: props.region,
      vpcId: props.vpcId,
      vpcEndpointId: props.vpcEndpointId,
      serviceName: props.serviceName,
      topicArn: this.alarmTopic.topic.arn,
      packetsDroppedThreshold: settings.packetsDroppedThreshold,
      expectTraffic: settings.expectTraffic,
      idlePeriods: settings.idlePeriods,
    });
    this.atlasAlerts = new AtlasAlerts(this, "atlas_alerts", {
      projectId: props.projectId,
      emails,
      webhookUrl: settings.atlasWebhookUrl,
      webhookSecret: settings.atlasWebhookSecret,
      replicationLagSeconds: settings.replicationLagSeconds,
      diskUsedPercent: settings.diskUsedPercent,
      connectionsPercent: settings.connectionsPercent,
      queryTargetingRatio: settings.queryTargetingRatio,
    });
    if (settings.logExport) {
      this.logExport = new LogExport(this, "log_export", {
        projectId: props.projectId,
        namePrefix: props.namePrefix,
        retentionDays: settings.logRetentionDays,
      });
    }
  }
}
