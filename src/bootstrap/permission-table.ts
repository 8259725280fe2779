import { ENVIRONMENT_TAG, type Condition, type EnvironmentScope } from "./environment-scope";

/*
 * What a CI role needs to manage each Terraform resource type this project's stacks use: the IAM
 * actions of the API calls the AWS provider makes to create, read, update and delete it, taken
 * from the provider's source (hashicorp/terraform-provider-aws v5.100.0, the file named in
 * `source`), and the resources each action is scoped to for one environment.
 *
 * Scopes, tightest first: the exact ARN of a name the stack sets (a secret, a role, a topic, an
 * alarm); the environment's own tag (`aws:ResourceTag/Environment`, which the provider's
 * default_tags put on every resource) for resources named only by a random id (KMS keys, security
 * groups, endpoints); `aws:RequestTag/Environment` for the call that creates such a resource; and
 * "*" only for actions IAM cannot scope at all (each such group says why in `unscoped`).
 *
 * A stack that starts using a type missing here fails `npm test` (__tests__/bootstrap), naming
 * this file: add the type with its provider source file.
 */

/** One IAM statement's worth of permission for one environment. */
export interface Grant {
  /** read: refresh (the plan role); write: create, update, delete (the deploy role, which reads too). */
  readonly access: "read" | "write";
  readonly actions: readonly string[];
  readonly resources: (scope: EnvironmentScope) => readonly string[];
  readonly condition?: (scope: EnvironmentScope) => Condition;
  /** Why IAM cannot scope these actions below "*" (required when resources is ["*"]). */
  readonly unscoped?: string;
}

/** The table entry of one Terraform resource type. */
export interface TypePermissions {
  /** The provider source file (under internal/service/) whose API calls the actions cover. */
  readonly source: string;
  readonly grants: readonly Grant[];
}

const ANY = () => ["*"];
const kmsKeys = (scope: EnvironmentScope) => [scope.arn("kms", "key/*")];
const ec2 = (kind: string) => (scope: EnvironmentScope) => [scope.arn("ec2", `${kind}/*`)];
const tagged = (scope: EnvironmentScope) => scope.tagged();
const requestTagged = (scope: EnvironmentScope) => scope.requestTagged();

/** Re-tagging must not move a resource into another environment, nor drop its Environment tag. */
const keepsEnvironmentTag = (scope: EnvironmentScope): Condition => ({
  StringEquals: { [`aws:ResourceTag/${ENVIRONMENT_TAG}`]: scope.environment },
  StringEqualsIfExists: { [`aws:RequestTag/${ENVIRONMENT_TAG}`]: scope.environment },
});
const keepsEnvironmentTagKey = (scope: EnvironmentScope): Condition => ({
  StringEquals: { [`aws:ResourceTag/${ENVIRONMENT_TAG}`]: scope.environment },
  "ForAllValues:StringNotEquals": { "aws:TagKeys": [ENVIRONMENT_TAG] },
});

const secrets = (scope: EnvironmentScope) => scope.names("aws_secretsmanager_secret", "name").map((name) => scope.secretArn(name));
const topics = (scope: EnvironmentScope) => scope.names("aws_sns_topic", "name").map((name) => scope.arn("sns", name));
const alarms = (scope: EnvironmentScope) => scope.names("aws_cloudwatch_metric_alarm", "alarm_name").map((name) => scope.arn("cloudwatch", `alarm:${name}`));
const dashboards = (scope: EnvironmentScope) =>
  scope.names("aws_cloudwatch_dashboard", "dashboard_name").map((name) => scope.arn("cloudwatch", `dashboard/${name}`, { region: false }));
const aliases = (scope: EnvironmentScope) => scope.names("aws_kms_alias", "name").map((name) => scope.arn("kms", name));
const roles = (scope: EnvironmentScope) => scope.names("aws_iam_role", "name").map((name) => scope.arn("iam", `role/${name}`, { region: false }));
/** Buckets the stack names, or (bucket_prefix) every bucket its prefix can produce. */
const buckets = (scope: EnvironmentScope) => [
  ...scope.names("aws_s3_bucket", "bucket").map((name) => `arn:${scope.partition}:s3:::${name}`),
  ...scope.names("aws_s3_bucket", "bucket_prefix").map((prefix) => `arn:${scope.partition}:s3:::${prefix}*`),
];
const vpcAndSubnets = (scope: EnvironmentScope) => [
  scope.arn("ec2", `vpc/${scope.config.network.vpcId}`),
  ...scope.config.network.privateSubnetIds.map((id) => scope.arn("ec2", `subnet/${id}`)),
];
const policies = (scope: EnvironmentScope) => scope.names("aws_iam_policy", "name").map((name) => scope.arn("iam", `policy/${name}`, { region: false }));
const oidcProviders = (scope: EnvironmentScope) =>
  scope.names("aws_iam_openid_connect_provider", "url").map((url) => scope.arn("iam", `oidc-provider/${url.replace(/^https:\/\//, "")}`, { region: false }));
const boundary = (scope: EnvironmentScope): Condition => ({ StringEquals: { "iam:PermissionsBoundary": scope.config.aws.permissionsBoundaryArn } });

const EC2_DESCRIBE = "EC2 Describe* calls support no resource-level permissions (service authorization reference: no resource types)";

/** One entry per Terraform type; keys sorted. */
export const PERMISSION_TABLE: Readonly<Record<string, TypePermissions>> = {
  aws_cloudwatch_dashboard: {
    source: "cloudwatch/dashboard.go",
    grants: [
      { access: "read", actions: ["cloudwatch:GetDashboard"], resources: dashboards },
      { access: "write", actions: ["cloudwatch:PutDashboard", "cloudwatch:DeleteDashboards"], resources: dashboards },
    ],
  },
  aws_cloudwatch_metric_alarm: {
    source: "cloudwatch/metric_alarm.go",
    grants: [
      { access: "read", actions: ["cloudwatch:DescribeAlarms", "cloudwatch:ListTagsForResource"], resources: alarms },
      { access: "write", actions: ["cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms", "cloudwatch:TagResource", "cloudwatch:UntagResource"], resources: alarms },
    ],
  },
  aws_iam_role: {
    source: "iam/role.go",
    grants: [
      { access: "read", actions: ["iam:GetRole", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies"], resources: roles },
      {
        access: "write",
        actions: ["iam:UpdateRole", "iam:UpdateRoleDescription", "iam:UpdateAssumeRolePolicy", "iam:TagRole", "iam:UntagRole", "iam:ListInstanceProfilesForRole", "iam:DeleteRole"],
        resources: roles,
      },
      // Creating a role, or setting its boundary, only with this environment's boundary: a role
      // without it, or with another, is refused (no escalation through a role the stack creates).
      { access: "write", actions: ["iam:CreateRole", "iam:PutRolePermissionsBoundary"], resources: roles, condition: boundary },
    ],
  },
  aws_iam_openid_connect_provider: {
    source: "iam/openid_connect_provider.go",
    grants: [
      { access: "read", actions: ["iam:GetOpenIDConnectProvider"], resources: oidcProviders },
      {
        access: "write",
        actions: [
          "iam:CreateOpenIDConnectProvider",
          "iam:UpdateOpenIDConnectProviderThumbprint",
          "iam:AddClientIDToOpenIDConnectProvider",
          "iam:RemoveClientIDFromOpenIDConnectProvider",
          "iam:TagOpenIDConnectProvider",
          "iam:UntagOpenIDConnectProvider",
          "iam:DeleteOpenIDConnectProvider",
        ],
        resources: oidcProviders,
      },
    ],
  },
  aws_iam_policy: {
    source: "iam/policy.go",
    grants: [
      { access: "read", actions: ["iam:GetPolicy", "iam:GetPolicyVersion", "iam:ListPolicyVersions"], resources: policies },
      { access: "write", actions: ["iam:CreatePolicy", "iam:CreatePolicyVersion", "iam:DeletePolicyVersion", "iam:TagPolicy", "iam:UntagPolicy", "iam:DeletePolicy"], resources: policies },
    ],
  },
  aws_iam_role_policy_attachment: {
    source: "iam/role_policy_attachment.go",
    grants: [
      { access: "read", actions: ["iam:ListAttachedRolePolicies"], resources: roles },
      // Only the stack's own policies, and only to roles that carry the boundary.
      {
        access: "write",
        actions: ["iam:AttachRolePolicy", "iam:DetachRolePolicy"],
        resources: roles,
        condition: (scope) => ({ ...boundary(scope), ArnEquals: { "iam:PolicyARN": policies(scope) } }),
      },
    ],
  },
  aws_iam_role_policy: {
    source: "iam/role_policy.go",
    grants: [
      { access: "read", actions: ["iam:GetRolePolicy"], resources: roles },
      { access: "write", actions: ["iam:PutRolePolicy", "iam:DeleteRolePolicy"], resources: roles, condition: boundary },
    ],
  },
  aws_kms_alias: {
    source: "kms/alias.go",
    grants: [
      { access: "read", actions: ["kms:ListAliases"], resources: ANY, unscoped: "kms:ListAliases has no resource type; the provider finds an alias by listing" },
      { access: "write", actions: ["kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias"], resources: aliases },
      { access: "write", actions: ["kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias"], resources: kmsKeys, condition: tagged },
    ],
  },
  aws_kms_key: {
    source: "kms/key.go",
    grants: [
      { access: "read", actions: ["kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags"], resources: kmsKeys, condition: tagged },
      {
        access: "write",
        actions: ["kms:CreateKey"],
        resources: ANY,
        condition: requestTagged,
        unscoped: "kms:CreateKey names no resource (the key does not exist yet); it is limited to keys tagged with the environment (aws:RequestTag)",
      },
      {
        access: "write",
        actions: ["kms:PutKeyPolicy", "kms:UpdateKeyDescription", "kms:EnableKeyRotation", "kms:DisableKeyRotation", "kms:EnableKey", "kms:DisableKey", "kms:ScheduleKeyDeletion"],
        resources: kmsKeys,
        condition: tagged,
      },
      { access: "write", actions: ["kms:TagResource"], resources: kmsKeys, condition: keepsEnvironmentTag },
      { access: "write", actions: ["kms:UntagResource"], resources: kmsKeys, condition: keepsEnvironmentTagKey },
    ],
  },
  aws_kms_key_policy: {
    source: "kms/key_policy.go",
    grants: [
      { access: "read", actions: ["kms:GetKeyPolicy", "kms:DescribeKey"], resources: kmsKeys, condition: tagged },
      { access: "write", actions: ["kms:PutKeyPolicy"], resources: kmsKeys, condition: tagged },
    ],
  },
  aws_s3_bucket: {
    source: "s3/bucket.go",
    grants: [
      {
        access: "read",
        actions: [
          "s3:ListBucket",
          "s3:GetBucketPolicy",
          "s3:GetBucketAcl",
          "s3:GetBucketCORS",
          "s3:GetBucketWebsite",
          "s3:GetBucketVersioning",
          "s3:GetAccelerateConfiguration",
          "s3:GetBucketRequestPayment",
          "s3:GetBucketLogging",
          "s3:GetLifecycleConfiguration",
          "s3:GetReplicationConfiguration",
          "s3:GetEncryptionConfiguration",
          "s3:GetBucketObjectLockConfiguration",
          "s3:GetBucketTagging",
        ],
        resources: buckets,
      },
      { access: "write", actions: ["s3:CreateBucket", "s3:PutBucketTagging", "s3:DeleteBucket"], resources: buckets },
    ],
  },
  aws_s3_bucket_lifecycle_configuration: {
    source: "s3/bucket_lifecycle_configuration.go",
    grants: [
      { access: "read", actions: ["s3:GetLifecycleConfiguration"], resources: buckets },
      { access: "write", actions: ["s3:PutLifecycleConfiguration"], resources: buckets },
    ],
  },
  aws_s3_bucket_ownership_controls: {
    source: "s3/bucket_ownership_controls.go",
    grants: [
      { access: "read", actions: ["s3:GetBucketOwnershipControls"], resources: buckets },
      { access: "write", actions: ["s3:PutBucketOwnershipControls"], resources: buckets },
    ],
  },
  aws_s3_bucket_policy: {
    source: "s3/bucket_policy.go",
    grants: [
      { access: "read", actions: ["s3:GetBucketPolicy"], resources: buckets },
      { access: "write", actions: ["s3:PutBucketPolicy", "s3:DeleteBucketPolicy"], resources: buckets },
    ],
  },
  aws_s3_bucket_public_access_block: {
    source: "s3/bucket_public_access_block.go",
    grants: [
      { access: "read", actions: ["s3:GetBucketPublicAccessBlock"], resources: buckets },
      { access: "write", actions: ["s3:PutBucketPublicAccessBlock"], resources: buckets },
    ],
  },
  aws_s3_bucket_server_side_encryption_configuration: {
    source: "s3/bucket_server_side_encryption_configuration.go",
    grants: [
      { access: "read", actions: ["s3:GetEncryptionConfiguration"], resources: buckets },
      { access: "write", actions: ["s3:PutEncryptionConfiguration"], resources: buckets },
    ],
  },
  aws_s3_bucket_versioning: {
    source: "s3/bucket_versioning.go",
    grants: [
      { access: "read", actions: ["s3:GetBucketVersioning"], resources: buckets },
      { access: "write", actions: ["s3:PutBucketVersioning"], resources: buckets },
    ],
  },
  aws_secretsmanager_secret: {
    source: "secretsmanager/secret.go",
    grants: [
      { access: "read", actions: ["secretsmanager:DescribeSecret", "secretsmanager:GetResourcePolicy"], resources: secrets },
      {
        access: "write",
        actions: [
          "secretsmanager:CreateSecret",
          "secretsmanager:UpdateSecret",
          "secretsmanager:PutResourcePolicy",
          "secretsmanager:DeleteResourcePolicy",
          "secretsmanager:TagResource",
          "secretsmanager:UntagResource",
          "secretsmanager:DeleteSecret",
        ],
        resources: secrets,
      },
    ],
  },
  aws_secretsmanager_secret_policy: {
    source: "secretsmanager/secret_policy.go",
    grants: [
      { access: "read", actions: ["secretsmanager:GetResourcePolicy"], resources: secrets },
      { access: "write", actions: ["secretsmanager:PutResourcePolicy", "secretsmanager:DeleteResourcePolicy"], resources: secrets },
    ],
  },
  aws_secretsmanager_secret_version: {
    source: "secretsmanager/secret_version.go",
    grants: [
      // Refreshing a version reads its value, so the plan role reads the secrets (and decrypts them
      // through Secrets Manager only: see ci-policies.ts).
      { access: "read", actions: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], resources: secrets },
      { access: "write", actions: ["secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage"], resources: secrets },
    ],
  },
  aws_security_group: {
    source: "ec2/vpc_security_group.go",
    grants: [
      { access: "read", actions: ["ec2:DescribeSecurityGroups"], resources: ANY, unscoped: EC2_DESCRIBE },
      { access: "write", actions: ["ec2:DescribeNetworkInterfaces"], resources: ANY, unscoped: `${EC2_DESCRIBE}; deleting a group first looks for network interfaces still using it` },
      { access: "write", actions: ["ec2:CreateSecurityGroup"], resources: (scope) => [scope.arn("ec2", `vpc/${scope.config.network.vpcId}`)] },
      { access: "write", actions: ["ec2:CreateSecurityGroup"], resources: ec2("security-group"), condition: requestTagged },
      {
        access: "write",
        actions: ["ec2:DeleteSecurityGroup", "ec2:RevokeSecurityGroupEgress", "ec2:AuthorizeSecurityGroupEgress", "ec2:RevokeSecurityGroupIngress"],
        resources: ec2("security-group"),
        condition: tagged,
      },
    ],
  },
  aws_sns_topic: {
    source: "sns/topic.go",
    grants: [
      { access: "read", actions: ["sns:GetTopicAttributes", "sns:ListTagsForResource"], resources: topics },
      { access: "write", actions: ["sns:CreateTopic", "sns:SetTopicAttributes", "sns:TagResource", "sns:UntagResource", "sns:DeleteTopic"], resources: topics },
    ],
  },
  aws_sns_topic_policy: {
    // Create, update and delete all set the topic's Policy attribute (delete writes the default policy back).
    source: "sns/topic_policy.go",
    grants: [
      { access: "read", actions: ["sns:GetTopicAttributes"], resources: topics },
      { access: "write", actions: ["sns:SetTopicAttributes"], resources: topics },
    ],
  },
  aws_sns_topic_subscription: {
    source: "sns/topic_subscription.go",
    grants: [
      { access: "read", actions: ["sns:GetSubscriptionAttributes"], resources: topics },
      { access: "write", actions: ["sns:Subscribe", "sns:SetSubscriptionAttributes", "sns:Unsubscribe"], resources: topics },
    ],
  },
  aws_vpc_endpoint: {
    source: "ec2/vpc_endpoint.go",
    grants: [
      { access: "read", actions: ["ec2:DescribeVpcEndpoints", "ec2:DescribePrefixLists", "ec2:DescribeNetworkInterfaces"], resources: ANY, unscoped: EC2_DESCRIBE },
      { access: "write", actions: ["ec2:CreateVpcEndpoint"], resources: vpcAndSubnets },
      { access: "write", actions: ["ec2:CreateVpcEndpoint"], resources: ec2("security-group"), condition: tagged },
      { access: "write", actions: ["ec2:CreateVpcEndpoint"], resources: ec2("vpc-endpoint"), condition: requestTagged },
      { access: "write", actions: ["ec2:ModifyVpcEndpoint", "ec2:DeleteVpcEndpoints"], resources: ec2("vpc-endpoint"), condition: tagged },
      { access: "write", actions: ["ec2:ModifyVpcEndpoint"], resources: ec2("security-group"), condition: tagged },
      { access: "write", actions: ["ec2:ModifyVpcEndpoint"], resources: (scope) => scope.config.network.privateSubnetIds.map((id) => scope.arn("ec2", `subnet/${id}`)) },
    ],
  },
  aws_vpc_security_group_ingress_rule: {
    source: "ec2/vpc_security_group_ingress_rule.go",
    grants: [
      { access: "read", actions: ["ec2:DescribeSecurityGroupRules"], resources: ANY, unscoped: EC2_DESCRIBE },
      { access: "write", actions: ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress", "ec2:ModifySecurityGroupRules"], resources: ec2("security-group"), condition: tagged },
      { access: "write", actions: ["ec2:AuthorizeSecurityGroupIngress"], resources: ec2("security-group-rule"), condition: requestTagged },
      { access: "write", actions: ["ec2:ModifySecurityGroupRules"], resources: ec2("security-group-rule"), condition: tagged },
    ],
  },
};

/** EC2 tags: on create only with the call that creates a tagged resource of this table; after that, as for the resource. */
export const EC2_TAGGING: readonly Grant[] = [
  {
    access: "write",
    actions: ["ec2:CreateTags"],
    resources: (scope) => [scope.arn("ec2", "security-group/*"), scope.arn("ec2", "security-group-rule/*"), scope.arn("ec2", "vpc-endpoint/*")],
    condition: (scope) => ({
      StringEquals: {
        [`aws:RequestTag/${ENVIRONMENT_TAG}`]: scope.environment,
        "ec2:CreateAction": ["CreateSecurityGroup", "CreateVpcEndpoint", "AuthorizeSecurityGroupIngress"],
      },
    }),
  },
  {
    access: "write",
    actions: ["ec2:CreateTags"],
    resources: (scope) => [scope.arn("ec2", "security-group/*"), scope.arn("ec2", "security-group-rule/*"), scope.arn("ec2", "vpc-endpoint/*")],
    condition: keepsEnvironmentTag,
  },
  {
    access: "write",
    actions: ["ec2:DeleteTags"],
    resources: (scope) => [scope.arn("ec2", "security-group/*"), scope.arn("ec2", "security-group-rule/*"), scope.arn("ec2", "vpc-endpoint/*")],
    condition: keepsEnvironmentTagKey,
  },
];
