import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { KmsKeyPolicy } from "@cdktf/provider-aws/lib/kms-key-policy";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { AWS_PARTITION } from "../../atlas/regions";
import { Construct } from "constructs";
import { KEY_DELETION_WINDOW_DAYS } from "./connection-secret-key";
import { accountRootArn, administratorArns, keyAdministrationStatements, onlyPrincipals, policyDocument, type TerraformRoles } from "./key-policy";

/** Inputs of {@link AlarmTopic}. */
export interface AlarmTopicProps {
  readonly namePrefix: string;
  /** E-mail subscribers; each must confirm the subscription AWS sends. */
  readonly emails: readonly string[];
  /** @default - no HTTPS subscriber */
  readonly httpsEndpoint?: string;
  /** Who administers the topic's key (never using it); the deploy and break-glass roles may also publish a test message. */
  readonly terraformRoles: TerraformRoles;
  /** Region of the topic: its ARN, and the SNS endpoint through which the publishers may use the key. */
  readonly region: string;
}

/** What only the named administrators may do to the topic. */
export const TOPIC_ADMINISTRATION_ACTIONS = [
  "sns:SetTopicAttributes",
  "sns:DeleteTopic",
  "sns:AddPermission",
  "sns:RemovePermission",
  "sns:Subscribe",
  "sns:TagResource",
  "sns:UntagResource",
] as const;

/** What a publisher to an encrypted topic needs on its key (SNS generates and reads the data key on its behalf). */
export const PUBLISHER_KEY_ACTIONS = ["kms:GenerateDataKey*", "kms:Decrypt"] as const;

/**
 * The SNS topic the database's CloudWatch alarms publish to, encrypted with its own KMS key.
 * CloudWatch may use that key: the AWS-managed SNS key would silently drop alarm messages.
 * Besides CloudWatch, only the named administrators (deploy and break-glass roles) may publish,
 * for a test message ("does paging work?"): the key lets nobody else encrypt for the topic,
 * whatever their IAM policy says about sns:Publish.
 */
export class AlarmTopic extends Construct {
  readonly key: KmsKey;
  readonly topic: SnsTopic;
  readonly policy: SnsTopicPolicy;
  readonly subscriptions: SnsTopicSubscription[];

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    const { accountId } = props.terraformRoles;
    const administrators = administratorArns(props.terraformRoles);
    const publishers = administrators;
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
        {
          // Through the account root with aws:PrincipalArn, like administration: a recreated role of
          // the same name keeps it, and a break-glass role that does not exist yet is no error.
          Sid: "NamedAdministratorsPublishTestMessages",
          Effect: "Allow",
          Principal: { AWS: accountRootArn(accountId) },
          Action: [...PUBLISHER_KEY_ACTIONS],
          Resource: "*",
          Condition: { ...onlyPrincipals(publishers), StringEquals: { "kms:ViaService": `sns.${props.region}.amazonaws.com` } },
        },
      ]),
    });
    const name = `${props.namePrefix}-database-alarms`;
    this.topic = new SnsTopic(this, "alarm_topic", {
      name,
      kmsMasterKeyId: this.key.arn,
    });
    const topicArn = `arn:${AWS_PARTITION}:sns:${props.region}:${accountId}:${name}`;
    this.policy = new SnsTopicPolicy(this, "alarm_topic_policy", {
      arn: this.topic.arn,
      // Literal JSON (the ARN is built, not referenced), so reviewers and the policy rules read it as is.
      policy: policyDocument([
        {
          Sid: "CloudWatchAlarmsOfThisAccountPublish",
          Effect: "Allow",
          Principal: { Service: "cloudwatch.amazonaws.com" },
          Action: "sns:Publish",
          Resource: topicArn,
          Condition: { ArnLike: { "aws:SourceArn": `arn:${AWS_PARTITION}:cloudwatch:${props.region}:${accountId}:alarm:*` }, StringEquals: { "aws:SourceAccount": accountId } },
        },
        {
          Sid: "NamedAdministratorsPublishTestMessages",
          Effect: "Allow",
          Principal: { AWS: accountRootArn(accountId) },
          Action: "sns:Publish",
          Resource: topicArn,
          Condition: onlyPrincipals(publishers),
        },
        {
          // A deny, so that no IAM policy of the account can re-point, re-policy or delete the topic
          // that pages on-call, or subscribe someone else to it; the plan role still reads it.
          Sid: "OnlyNamedAdministratorsChangeTheTopic",
          Effect: "Deny",
          Principal: "*",
          Action: [...TOPIC_ADMINISTRATION_ACTIONS],
          Resource: topicArn,
          Condition: { ArnNotEquals: onlyPrincipals(administrators).ArnEquals },
        },
      ]),
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
