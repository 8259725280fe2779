import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { PushBasedLogExport } from "@cdktf/provider-mongodbatlas/lib/push-based-log-export";
import { parseEnvironment } from "../../src/environment/resolve";
import { committedConfigJson, setField } from "../support/config-files";
import { committedEnvironment, onlyResource, resourceNamed, synthesizeEnvironment, type TerraformJson } from "../support/stacks";

const prod = committedEnvironment("prod");
const dev = committedEnvironment("dev");
const prodStack = synthesizeEnvironment(prod);
const devStack = synthesizeEnvironment(dev);

const alarms = (json: TerraformJson) => json.resource.aws_cloudwatch_metric_alarm ?? {};
const atlasAlerts = (json: TerraformJson) => Object.values(json.resource.mongodbatlas_alert_configuration ?? {});
const ENDPOINT_DIMENSIONS = {
  "Endpoint Type": "Interface",
  "Service Name": "${mongodbatlas_privatelink_endpoint.atlas_private_endpoint.endpoint_service_name}",
  "VPC Endpoint Id": "${aws_vpc_endpoint.atlas_vpc_endpoint.id}",
  "VPC Id": prod.config.network.vpcId,
};

describe.each([
  ["prod", prodStack],
  ["dev", devStack],
] as const)("%s stack: CloudWatch side", (_name, { synth, json }) => {
  it("publishes alarms to an SNS topic encrypted with its own rotating key that CloudWatch may use", () => {
    expect(synth).toHaveResourceWithProperties(SnsTopic, { kms_master_key_id: "${aws_kms_key.alarm_topic_key.arn}" });
    expect(synth).toHaveResourceWithProperties(KmsKey, { enable_key_rotation: true, description: expect.stringContaining("alarm topic") });
    const statements = JSON.parse(String(onlyResource(json, "aws_kms_key_policy").policy)).Statement as { Principal: unknown; Action: string[] }[];
    const cloudWatch = statements.filter((statement) => JSON.stringify(statement.Principal) === '{"Service":"cloudwatch.amazonaws.com"}');
    expect(cloudWatch).toHaveLength(1);
    expect(cloudWatch[0].Action).toContain("kms:GenerateDataKey*");
    // The account root administers the key but cannot use it, and nobody gets kms:*.
    expect(JSON.stringify(statements)).not.toContain('"kms:*"');
  });

  it("alarms on dropped packets of the PrivateLink endpoint, dimensioned by that endpoint", () => {
    expect(synth).toHaveResourceWithProperties(CloudwatchMetricAlarm, {
      namespace: "AWS/PrivateLinkEndpoints",
      metric_name: "PacketsDropped",
      dimensions: ENDPOINT_DIMENSIONS,
      comparison_operator: "GreaterThanThreshold",
      alarm_actions: ["${aws_sns_topic.alarm_topic.arn}"],
      ok_actions: ["${aws_sns_topic.alarm_topic.arn}"],
    });
  });

  it("says in every alarm description what to check first", () => {
    for (const alarm of Object.values(alarms(json))) expect(alarm.alarm_description).toMatch(/Check first: .{20,}/);
  });

  it("draws the endpoint's metrics on a dashboard", () => {
    const body = String(onlyResource(json, "aws_cloudwatch_dashboard").dashboard_body);
    for (const metric of ["ActiveConnections", "NewConnections", "BytesProcessed", "PacketsDropped", "RstPacketsReceived"]) {
      expect(body).toContain(`"${metric}"`);
    }
    expect(body).toContain('"VPC Endpoint Id", aws_vpc_endpoint.atlas_vpc_endpoint.id');
  });
});

describe("prod stack: monitoring settings from config/prod.json", () => {
  const { config } = prod;
  const { synth, json } = prodStack;

  it("sends alarms to the configured addresses", () => {
    for (const email of config.monitoring.alertEmails ?? []) {
      expect(synth).toHaveResourceWithProperties(SnsTopicSubscription, { protocol: "email", endpoint: email });
    }
  });

  it("uses the configured packets-dropped threshold", () => {
    expect(alarms(json).endpoint_packets_dropped.threshold).toBe(config.monitoring.packetsDroppedThreshold);
  });

  it("alarms when no connection is active for the configured number of periods, treating silence as idle", () => {
    expect(synth).toHaveResourceWithProperties(CloudwatchMetricAlarm, {
      metric_name: "ActiveConnections",
      statistic: "Maximum",
      comparison_operator: "LessThanThreshold",
      threshold: 1,
      evaluation_periods: config.monitoring.idlePeriods,
      treat_missing_data: "breaching",
    });
  });

  it("mails Atlas alerts to the configured addresses", () => {
    for (const alert of atlasAlerts(json)) {
      expect(alert.notification).toEqual(
        (config.monitoring.alertEmails ?? []).map((email) => expect.objectContaining({ type_name: "EMAIL", email_address: email })),
      );
    }
  });

  it("exports the Atlas logs to a private, encrypted, versioned, expiring bucket", () => {
    expect(synth).toHaveResourceWithProperties(PushBasedLogExport, {
      bucket_name: "${aws_s3_bucket.log_bucket.bucket}",
      iam_role_id: "${mongodbatlas_cloud_provider_access_authorization.atlas_cloud_provider_access_authorization.role_id}",
      prefix_path: "atlas-logs",
    });
    expect(synth).toHaveResourceWithProperties(S3BucketPublicAccessBlock, {
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(synth).toHaveResourceWithProperties(S3BucketLifecycleConfiguration, {
      rule: [
        expect.objectContaining({
          expiration: [{ days: config.monitoring.logRetentionDays }],
          // The expired version goes a day later, so a log lives retention + 1 days, not twice as long.
          noncurrent_version_expiration: [{ noncurrent_days: 1 }],
        }),
        expect.objectContaining({ expiration: [{ expired_object_delete_marker: true }] }),
      ],
    });
    expect(onlyResource(json, "aws_s3_bucket_versioning").versioning_configuration).toEqual({ status: "Enabled" });
    expect(String(onlyResource(json, "aws_s3_bucket_policy").policy)).toContain('"aws:SecureTransport" = "false"');
  });

  it("lets only Atlas, with this project's external id, assume the log role, and use only the log bucket and its objects", () => {
    const trust = String(resourceNamed(json, "aws_iam_role", "atlas_log_export_role").assume_role_policy);
    expect(trust).toContain('"AWS" = mongodbatlas_cloud_provider_access_setup.atlas_cloud_provider_access.aws_config[0].atlas_aws_account_arn');
    expect(trust).toContain(
      '"sts:ExternalId" = mongodbatlas_cloud_provider_access_setup.atlas_cloud_provider_access.aws_config[0].atlas_assumed_role_external_id',
    );
    // The provider's example grants the bucket and bucket/*: Atlas writes a test object outside the export prefix.
    const permissions = String(resourceNamed(json, "aws_iam_role_policy", "atlas_log_export_role_policy").policy);
    expect(permissions).toContain('"Action" = ["s3:ListBucket", "s3:GetBucketLocation"], "Resource" = aws_s3_bucket.log_bucket.arn');
    expect(permissions).toContain('"Action" = ["s3:PutObject", "s3:GetObject"], "Resource" = "${aws_s3_bucket.log_bucket.arn}/*"');
    expect(permissions.match(/"Resource" = /g)).toHaveLength(2);
    expect(permissions).not.toMatch(/"s3:\*"|"s3:Delete|"\*"/);
    expect(resourceNamed(json, "mongodbatlas_cloud_provider_access_authorization", "atlas_cloud_provider_access_authorization").aws).toEqual({
      iam_assumed_role_arn: "${aws_iam_role.atlas_log_export_role.arn}",
    });
  });

  it("authorizes the log role only after IAM has had time to propagate, so the first apply succeeds", () => {
    const authorization = resourceNamed(json, "mongodbatlas_cloud_provider_access_authorization", "atlas_cloud_provider_access_authorization");
    expect(authorization.depends_on).toEqual(["terraform_data.atlas_log_export_role_propagation"]);
    const wait = resourceNamed(json, "terraform_data", "atlas_log_export_role_propagation");
    expect(wait.depends_on).toEqual(expect.arrayContaining(["aws_iam_role.atlas_log_export_role", "aws_iam_role_policy.atlas_log_export_role_policy"]));
    const command = String((wait.provisioner as { "local-exec": { command: string } }[])[0]["local-exec"].command);
    expect(Number(/^sleep (\d+)$/.exec(command)?.[1])).toBeGreaterThanOrEqual(30);
    // A changed role or policy waits again.
    expect(Object.values(wait.triggers_replace as Record<string, string>).sort()).toEqual([
      "${aws_iam_role.atlas_log_export_role.arn}",
      "${aws_iam_role_policy.atlas_log_export_role_policy.policy}",
    ]);
  });

  it("outputs the alarm topic, the dashboard and the log bucket", () => {
    expect(Object.keys(json.output)).toEqual(expect.arrayContaining(["alarm_topic_arn", "endpoint_dashboard_name", "log_bucket_name"]));
  });
});

describe("dev stack: cheaper monitoring from config/dev.json", () => {
  const { json } = devStack;

  it("has no idle-endpoint alarm and no subscriber", () => {
    expect(Object.keys(alarms(json))).toEqual(["endpoint_packets_dropped"]);
    expect(json.resource.aws_sns_topic_subscription).toBeUndefined();
  });

  it("sends Atlas alerts to the project owners when no address is configured", () => {
    for (const alert of atlasAlerts(json)) {
      expect(alert.notification).toEqual([expect.objectContaining({ type_name: "GROUP", roles: ["GROUP_OWNER"], email_enabled: true })]);
    }
  });

  it("exports no logs", () => {
    expect(json.resource.mongodbatlas_push_based_log_export).toBeUndefined();
    expect(json.resource.aws_s3_bucket).toBeUndefined();
    expect(json.output.log_bucket_name).toBeUndefined();
  });
});

describe("Atlas alerts", () => {
  const { config } = prod;

  it.each([
    ["prod", prodStack],
    ["dev", devStack],
  ] as const)("in %s cover replication lag, primary elections, oplog window, disk, connections, query targeting and backups", (_name, { json }) => {
    const alerts = atlasAlerts(json);
    expect(alerts.map((alert) => alert.event_type).sort()).toEqual([
      "CPS_RESTORE_FAILED",
      "CPS_SNAPSHOT_FAILED",
      "NO_PRIMARY",
      "OUTSIDE_METRIC_THRESHOLD",
      "OUTSIDE_METRIC_THRESHOLD",
      "OUTSIDE_METRIC_THRESHOLD",
      "OUTSIDE_METRIC_THRESHOLD",
      "PRIMARY_ELECTED",
      "REPLICATION_OPLOG_WINDOW_RUNNING_OUT",
    ]);
    const thresholds = Object.fromEntries(
      alerts
        .flatMap((alert) => (alert.metric_threshold_config ?? []) as { metric_name: string; threshold: number; units: string }[])
        .map((metric) => [metric.metric_name, `${metric.threshold} ${metric.units}`]),
    );
    expect(thresholds).toEqual({
      OPLOG_SLAVE_LAG_MASTER_TIME: `${config.monitoring.replicationLagSeconds} SECONDS`,
      DISK_PARTITION_SPACE_USED_DATA: `${config.monitoring.diskUsedPercent} RAW`,
      CONNECTIONS_PERCENT: `${config.monitoring.connectionsPercent} RAW`,
      QUERY_TARGETING_SCANNED_OBJECTS_PER_RETURNED: `${config.monitoring.queryTargetingRatio} RAW`,
    });
  });

  it("sign webhook calls with a secret that enters only as a sensitive Terraform variable", () => {
    const withWebhook = committedConfigJson("prod");
    setField(withWebhook, "monitoring.atlasWebhookUrl", "https://alerts.internal.example.org/atlas");
    const config = parseEnvironment(withWebhook);
    const { json } = synthesizeEnvironment({ file: "config/prod.json", config });
    expect(json.variable.atlas_alert_webhook_secret).toMatchObject({ type: "string", sensitive: true });
    for (const alert of atlasAlerts(json)) {
      expect(alert.notification).toContainEqual(
        expect.objectContaining({
          type_name: "WEBHOOK",
          webhook_url: "https://alerts.internal.example.org/atlas",
          webhook_secret: "${var.atlas_alert_webhook_secret}",
        }),
      );
    }
  });
});
