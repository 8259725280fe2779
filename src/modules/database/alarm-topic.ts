import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { KmsKeyPolicy } from "@cdktf/provider-aws/lib/kms-key-policy";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { Construct } from "constructs";
import { KEY_DELETION_WINDOW_DAYS } from "./connection-secret-key";
import { keyAdministrationStatements, policyDocument, type TerraformRoles } from "./key-policy";

/** Inputs of {@link AlarmTopic}. */
export interface AlarmTopicProps {
  readonly namePrefix: string;
  /** E-mail subscribers; each must confirm the subscription AWS sends. */
  readonly emails: readonly string[];
  /** @default - no HTTPS subscriber */
  readonly httpsEndpoint?: string;
  /** Who administers the topic's key: the account root and the deploy role, never using it. */
  readonly terraformRoles: TerraformRoles;
}

/**
 * The SNS topic the database's CloudWatch alarms publish to, encrypted with its own KMS key.
 * CloudWatch may use that key: the AWS-managed SNS key would silently drop alarm messages.
 */
export class AlarmTopic extends Construct {
  readonly key: KmsKey;
  readonly topic: SnsTopic;
  readonly subscriptions: SnsTopicSubscription[];

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    this.key = new KmsKey(this, "alarm_topic_key", {
      description: `Encrypts the database alarm topic ${props.namePrefix}-database-alarms`,
      enableKeyRotation: true,
      deletionWindowInDays: KEY_DELETION_WINDOW_DAYS,
    });
    new KmsKeyPolicy(this, "alarm_topic_key_policy", {
      keyId: this.key.keyId,
      policy: policyDocument([
        ...keyAdministrationStatements(props.terraformRoles),
        // The statement AWS documents for alarms on encrypted topics, without conditions:
        // conditions on the caller are reported to break CloudWatch-to-SNS delivery silently.
        {
          Sid: "CloudWatchEncryptsAlarmMessages",
          Effect: "Allow",
          Principal: { Service: "cloudwatch.amazonaws.com" },
          Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
          Resource: "*",
        },
      ]),
    });
    this.topic = new SnsTopic(this, "alarm_topic", {
      name: `${props.namePrefix}-database-alarms`,
      kmsMasterKeyId: this.key.arn,
    });
    const endpoints = [
      ...props.emails.map((email) => ({ protocol: "email", endpoint: email })),
      ...(props.httpsEndpoint ? [{ protocol: "https", endpoint: props.httpsEndpoint }] : []),
    ];
    this.subscriptions = endpoints.map(
      ({ protocol, endpoint }) =>
        new SnsTopicSubscription(this, `alarm_subscription_${endpoint.replace(/[^A-Za-z0-9]+/g, "_")}`, {
          topicArn: this.topic.arn,
          protocol,
          endpoint,
        }),
    );
  }
}
