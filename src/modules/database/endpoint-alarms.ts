import { CloudwatchDashboard } from "@cdktf/provider-aws/lib/cloudwatch-dashboard";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { Fn } from "cdktf";
import { Construct } from "constructs";

/** Inputs of {@link EndpointAlarms}. */
export interface EndpointAlarmsProps {
  readonly namePrefix: string;
  readonly region: string;
  readonly vpcId: string;
  readonly vpcEndpointId: string;
  /** The endpoint's service name (the Atlas endpoint service). */
  readonly serviceName: string;
  /** SNS topic the alarms notify, on alarm and on recovery. */
  readonly topicArn: string;
  readonly packetsDroppedThreshold: number;
  /** Alarm when no connection is active for `idlePeriods` periods. */
  readonly expectTraffic: boolean;
  readonly idlePeriods: number;
}

/*
 * Interface endpoints publish to the AWS/PrivateLinkEndpoints namespace, with the dimension set
 * "Endpoint Type, Service Name, VPC Endpoint Id, VPC Id" (and the same plus "Subnet Id"); metrics
 * ActiveConnections, NewConnections, BytesProcessed, PacketsDropped, RstPacketsReceived; data
 * points only for minutes in which the endpoint received traffic.
 * Source: docs.aws.amazon.com/vpc/latest/privatelink/privatelink-cloudwatch-metrics.html
 */
const NAMESPACE = "AWS/PrivateLinkEndpoints";
const FIVE_MINUTES = 300;

/** CloudWatch alarms and a dashboard on the PrivateLink interface endpoint. */
export class EndpointAlarms extends Construct {
  readonly packetsDropped: CloudwatchMetricAlarm;
  readonly noActiveConnections?: CloudwatchMetricAlarm;
  readonly dashboard: CloudwatchDashboard;

  constructor(scope: Construct, id: string, props: EndpointAlarmsProps) {
    super(scope, id);
    const dimensions = {
      "Endpoint Type": "Interface",
      "Service Name": props.serviceName,
      "VPC Endpoint Id": props.vpcEndpointId,
      "VPC Id": props.vpcId,
    };
    const notify = { alarmActions: [props.topicArn], okActions: [props.topicArn] };

    this.packetsDropped = new CloudwatchMetricAlarm(this, "endpoint_packets_dropped", {
      alarmName: `${props.namePrefix}-atlas-endpoint-packets-dropped`,
      alarmDescription:
        "The PrivateLink endpoint to MongoDB Atlas is dropping packets. Check first: the endpoint security group still allows TCP 1024-65535 from the API and worker groups, then the endpoint's state and the Atlas private endpoint status (output private_endpoint_connection_status).",
      namespace: NAMESPACE,
      metricName: "PacketsDropped",
      dimensions,
      statistic: "Sum",
      period: FIVE_MINUTES,
      evaluationPeriods: 1,
      threshold: props.packetsDroppedThreshold,
      comparisonOperator: "GreaterThanThreshold",
      // No data means no traffic, and so nothing dropped.
      treatMissingData: "notBreaching",
      ...notify,
    });

    if (props.expectTraffic) {
      this.noActiveConnections = new CloudwatchMetricAlarm(this, "endpoint_no_active_connections", {
        alarmName: `${props.namePrefix}-atlas-endpoint-idle`,
        alarmDescription:
          "No client has held a connection to MongoDB Atlas through PrivateLink, although the pipeline should always be connected. Check first: are the API and worker tasks running, can they read the connection secret, and is the Atlas private endpoint AVAILABLE?",
        namespace: NAMESPACE,
        metricName: "ActiveConnections",
        dimensions,
        statistic: "Maximum",
        period: FIVE_MINUTES,
        evaluationPeriods: props.idlePeriods,
        threshold: 1,
        comparisonOperator: "LessThanThreshold",
        // The endpoint publishes nothing while idle, so missing data is the very signal.
        treatMissingData: "breaching",
        ...notify,
      });
    }

    const metric = (name: string, stat: string) => [NAMESPACE, name, ...Object.entries(dimensions).flat(), { stat }];
    const widget = (title: string, metrics: unknown[][], x: number, y: number) => ({
      type: "metric",
      x,
      y,
      width: 12,
      height: 6,
      properties: { title, region: props.region, period: FIVE_MINUTES, view: "timeSeries", metrics },
    });
    this.dashboard = new CloudwatchDashboard(this, "endpoint_dashboard", {
      dashboardName: `${props.namePrefix}-atlas-privatelink`,
      dashboardBody: Fn.jsonencode({
        widgets: [
          widget("Connections", [metric("ActiveConnections", "Maximum"), metric("NewConnections", "Sum")], 0, 0),
          widget("Bytes processed", [metric("BytesProcessed", "Sum")], 12, 0),
          widget("Dropped packets and resets", [metric("PacketsDropped", "Sum"), metric("RstPacketsReceived", "Sum")], 0, 6),
        ],
      }),
    });
  }
}
