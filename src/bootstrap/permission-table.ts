import { ENVIRONMENT_TAG, type Condition, type EnvironmentScope } from "./environment-scope";

/*
 * What a CI role needs to manage each Terraform resource type this project's stacks use: the IAM
 * actions of the API calls the AWS provider makes to create, read, update and delete it (the
 * resource's Create/Read/Update/Delete functions, the finders, waiters and tag helpers they call),
 * and the resources each action is scoped to for one environment.
 *
 * Which provider source: the target is hashicorp/terraform-provider-aws v5.100.0. That tag could
 * not be read here: the repository snapshot (932 MB) is larger than the fetch tool brings (524 MB),
 * and the file index used instead holds copies of each file from several commits, without tags or
 * dates. So each entry lists, in `sources`, every file read and the commit of the copy read, with
 * its era as the code shows it (see ProviderSource). Where copies older and newer than 5.100.0
 * agree on the calls, the calls are taken as 5.100.0's; docs/day-0.md says which entries rest on
 * one era only.
 *
 * Scopes, tightest first: the exact ARN of a name the stack sets (a secret, a role, a topic, an
 * alarm); the environment's own tag (`aws:ResourceTag/Environment`, which the provider's
 * default_tags put on every resource) for resources named only by a random id (KMS keys, security
 * groups, endpoints); `aws:RequestTag/Environment` for the call that creates such a resource; and
 * "*" only for actions IAM cannot scope at all (each such group says why in `unscoped`).
 *
 * A stack that starts using a type missing here fails `npm test` (__tests__/bootstrap), naming
 * this file: add the type with the provider source files read.
 */

/** One provider source file as read for an entry. */
export interface ProviderSource {
  /** Under internal/service/ of hashicorp/terraform-provider-aws. */
  readonly file: string;
  /** The commit of the stored copy read (40 hex digits). */
  readonly commit: string;
  /**
   * What the copy's code shows of its age: "sdk-v1" uses the AWS SDK for Go v1 (older than
   * 5.100.0); "sdk-v2" uses SDK v2 and carries no version mark (5.x or 6.x); "v6" carries v6
   * marks (the 2026 copyright header or an identity annotation naming v6.x), so is newer than 5.100.0.
   */
  readonly era: "sdk-v1" | "sdk-v2" | "v6";
}

const read = (file: string, commit: string, era: ProviderSource["era"]): ProviderSource => ({ file, commit, era });

/** One IAM statement's worth of permission for one environment. */
export interface Grant {
  /** read: refresh (the plan role); write: create, update, delete (the deploy role, which reads too). */
  readonly access: "read" | "write";
  readonly actions: readonly string[];
  readonly resources: (scope: EnvironmentScope) => readonly string[];
  readonly condition?: (scope: EnvironmentScope) => Condition;
  /**
   * "Deny" for a guard that no Allow of the table may override.
   * @default "Allow"
   */
  readonly effect?: "Allow" | "Deny";
  /** Why IAM cannot scope these actions below "*" (required when resources is ["*"]). */
  readonly unscoped?: string;
}

/** The table entry of one Terraform resource type. */
export interface TypePermissions {
  /** The provider source files read for this entry, the resource's own file first. */
  readonly sources: readonly ProviderSource[];
  readonly grants: readonly Grant[];
  /** Calls the provider can make that are deliberately not granted, and why. */
  readonly withheld?: string;
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
/**
 * Resources that already carry another environment's tag. Tagging at create time can only be
 * scoped by the request's tags (the resource has none yet), so an explicit Deny keeps such a grant
 * from re-tagging (claiming) another environment's resource. An untagged resource of the account
 * stays claimable: docs/day-0.md, "Tagging at create time".
 */
const taggedForAnotherEnvironment = (scope: EnvironmentScope): Condition => ({
  StringNotEquals: { [`aws:ResourceTag/${ENVIRONMENT_TAG}`]: scope.environment },
  Null: { [`aws:ResourceTag/${ENVIRONMENT_TAG}`]: "false" },
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
    sources: [read("cloudwatch/dashboard.go", "0620f2a6a126dfcbc4aecbc9a117b0fbea1656ff", "sdk-v2")],
    grants: [
      { access: "read", actions: ["cloudwatch:GetDashboard"], resources: dashboards },
      { access: "write", actions: ["cloudwatch:PutDashboard", "cloudwatch:DeleteDashboards"], resources: dashboards },
    ],
  },
  aws_cloudwatch_metric_alarm: {
    sources: [read("cloudwatch/metric_alarm.go", "055611a654738da73e7b1e2b5d2b7672c6d4d531", "sdk-v2")],
    grants: [
      { access: "read", actions: ["cloudwatch:DescribeAlarms", "cloudwatch:ListTagsForResource"], resources: alarms },
      { access: "write", actions: ["cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms", "cloudwatch:TagResource", "cloudwatch:UntagResource"], resources: alarms },
    ],
  },
  aws_iam_role: {
    sources: [read("iam/role.go", "0040ea6911af00bea2cca6dbb14e86829826ad8e", "sdk-v1"), read("iam/role.go", "3277329285f5730eeff9c56fbe69836c9448ab78", "sdk-v1")],
    grants: [
      // Read: GetRole, then every inline policy (readRoleInlinePolicies: ListRolePolicies, GetRolePolicy
      // per name) and the attached ones (ListAttachedRolePolicies), whatever the configuration sets.
      { access: "read", actions: ["iam:GetRole", "iam:ListRolePolicies", "iam:GetRolePolicy", "iam:ListAttachedRolePolicies"], resources: roles },
      {
        access: "write",
        actions: ["iam:UpdateRole", "iam:UpdateRoleDescription", "iam:UpdateAssumeRolePolicy", "iam:TagRole", "iam:UntagRole", "iam:ListInstanceProfilesForRole", "iam:DeleteRole"],
        resources: roles,
      },
      // Creating a role, or setting its boundary, only with this environment's boundary: a role
      // without it, or with another, is refused (no escalation through a role the stack creates).
      { access: "write", actions: ["iam:CreateRole", "iam:PutRolePermissionsBoundary"], resources: roles, condition: boundary },
    ],
    withheld:
      "iam:DeleteRolePermissionsBoundary (Update when permissions_boundary is removed: the boundary must stay); iam:RemoveRoleFromInstanceProfile (Delete, only for a role in an instance profile: the stacks make none); inline_policy/managed_policy_arns and force_detach_policies calls (unset in the stacks)",
  },
  aws_iam_openid_connect_provider: {
    sources: [read("iam/openid_connect_provider.go", "01606926a0c0ab9174aec440f976a48b0baee722", "sdk-v2")],
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
    sources: [read("iam/policy.go", "01ccd9a2d118a3e81a9649759bf14303526dc9e6", "sdk-v2")],
    grants: [
      { access: "read", actions: ["iam:GetPolicy", "iam:GetPolicyVersion", "iam:ListPolicyVersions"], resources: policies },
      // Update creates a version without SetAsDefault, then calls SetDefaultPolicyVersion.
      {
        access: "write",
        actions: ["iam:CreatePolicy", "iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:DeletePolicyVersion", "iam:TagPolicy", "iam:UntagPolicy", "iam:DeletePolicy"],
        resources: policies,
      },
    ],
  },
  aws_iam_role_policy_attachment: {
    sources: [read("iam/role_policy_attachment.go", "04c79849dbe7fbe76c3054b364357bcdaade9ac5", "sdk-v1")],
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
    sources: [read("iam/role_policy.go", "02f97af85f89a04e8ed89f5e8b64a9a67f3cfe07", "sdk-v1")],
    grants: [
      { access: "read", actions: ["iam:GetRolePolicy"], resources: roles },
      { access: "write", actions: ["iam:PutRolePolicy", "iam:DeleteRolePolicy"], resources: roles, condition: boundary },
    ],
  },
  aws_kms_alias: {
    sources: [read("kms/alias.go", "01c08000ddb14181b5bd19201d8fca311dc570e4", "sdk-v1"), read("kms/alias.go", "4c72bcc7dc2f5ace40ce61f2a90e12a62cf4ec9a", "sdk-v1")],
    grants: [
      { access: "read", actions: ["kms:ListAliases"], resources: ANY, unscoped: "kms:ListAliases has no resource type; the provider finds an alias by listing" },
      { access: "write", actions: ["kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias"], resources: aliases },
      { access: "write", actions: ["kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias"], resources: kmsKeys, condition: tagged },
    ],
  },
  aws_kms_key: {
    sources: [read("kms/key.go", "00a35305dc1b297a6fcdecdfbba33f1e63c3da39", "v6")],
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
      // CreateKey passes the default tags in its Tags parameter, which KMS authorizes as
      // kms:TagResource in an IAM policy covering every key of the account and Region (the key has no
      // tags yet, so aws:ResourceTag cannot scope it): KMS developer guide, "Controlling access to
      // tags" and "Managing KMS key tags with API operations".
      { access: "write", actions: ["kms:TagResource"], resources: kmsKeys, condition: requestTagged },
      { access: "write", effect: "Deny", actions: ["kms:TagResource", "kms:UntagResource"], resources: kmsKeys, condition: taggedForAnotherEnvironment },
    ],
  },
  aws_kms_key_policy: {
    sources: [read("kms/key_policy.go", "6fc8692d5a123aac6a07fc0720b0b22fcdc7c64f", "sdk-v2"), read("kms/key_policy.go", "076b89bb5605840826f9b2bae397f9f96c2d434f", "sdk-v2"), read("kms/key.go", "00a35305dc1b297a6fcdecdfbba33f1e63c3da39", "v6")],
    grants: [
      // Read is findKeyInfo (kms/key.go), as for aws_kms_key: the rotation status and tags too.
      { access: "read", actions: ["kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags"], resources: kmsKeys, condition: tagged },
      // Delete puts the account's default key policy back (unless bypass_policy_lockout_safety_check).
      { access: "write", actions: ["kms:PutKeyPolicy"], resources: kmsKeys, condition: tagged },
    ],
  },
  aws_s3_bucket: {
    sources: [read("s3/bucket.go", "0070bcd12c952f14c5434a6f351ef7b6fa791226", "sdk-v1"), read("s3/bucket.go", "4c72bcc7dc2f5ace40ce61f2a90e12a62cf4ec9a", "sdk-v1")],
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
      // Tags: PutBucketTagging, and DeleteBucketTagging when the last tag goes (IAM: s3:PutBucketTagging).
      { access: "write", actions: ["s3:CreateBucket", "s3:PutBucketTagging", "s3:DeleteBucket"], resources: buckets },
    ],
    withheld: "force_destroy's object deletion (ListObjectVersions, DeleteObject(s)): the stacks never set force_destroy, and the state buckets are prevent_destroy",
  },
  aws_s3_bucket_lifecycle_configuration: {
    sources: [read("s3/bucket_lifecycle_configuration.go", "edd83424302044e8c32a0ca62412fa55499cd136", "sdk-v1")],
    grants: [
      { access: "read", actions: ["s3:GetLifecycleConfiguration"], resources: buckets },
      { access: "write", actions: ["s3:PutLifecycleConfiguration"], resources: buckets },
    ],
  },
  aws_s3_bucket_ownership_controls: {
    sources: [read("s3/bucket_ownership_controls.go", "01c08000ddb14181b5bd19201d8fca311dc570e4", "sdk-v1")],
    grants: [
      { access: "read", actions: ["s3:GetBucketOwnershipControls"], resources: buckets },
      { access: "write", actions: ["s3:PutBucketOwnershipControls"], resources: buckets },
    ],
  },
  aws_s3_bucket_policy: {
    sources: [read("s3/bucket_policy.go", "0073593e7d6993ba482409f4dc35438daaa79bb3", "sdk-v2")],
    grants: [
      { access: "read", actions: ["s3:GetBucketPolicy"], resources: buckets },
      { access: "write", actions: ["s3:PutBucketPolicy", "s3:DeleteBucketPolicy"], resources: buckets },
    ],
  },
  aws_s3_bucket_public_access_block: {
    sources: [read("s3/bucket_public_access_block.go", "01606926a0c0ab9174aec440f976a48b0baee722", "sdk-v2")],
    grants: [
      { access: "read", actions: ["s3:GetBucketPublicAccessBlock"], resources: buckets },
      { access: "write", actions: ["s3:PutBucketPublicAccessBlock"], resources: buckets },
    ],
  },
  aws_s3_bucket_server_side_encryption_configuration: {
    sources: [read("s3/bucket_server_side_encryption_configuration.go", "01606926a0c0ab9174aec440f976a48b0baee722", "sdk-v2")],
    grants: [
      { access: "read", actions: ["s3:GetEncryptionConfiguration"], resources: buckets },
      { access: "write", actions: ["s3:PutEncryptionConfiguration"], resources: buckets },
    ],
  },
  aws_s3_bucket_versioning: {
    sources: [read("s3/bucket_versioning.go", "01c08000ddb14181b5bd19201d8fca311dc570e4", "sdk-v1")],
    grants: [
      { access: "read", actions: ["s3:GetBucketVersioning"], resources: buckets },
      { access: "write", actions: ["s3:PutBucketVersioning"], resources: buckets },
    ],
  },
  aws_secretsmanager_secret: {
    sources: [read("secretsmanager/secret.go", "00c21cedec069dd27093b175baf15bac6d4b30fe", "sdk-v2")],
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
    sources: [read("secretsmanager/secret_policy.go", "01c08000ddb14181b5bd19201d8fca311dc570e4", "sdk-v1")],
    grants: [
      { access: "read", actions: ["secretsmanager:GetResourcePolicy"], resources: secrets },
      { access: "write", actions: ["secretsmanager:PutResourcePolicy", "secretsmanager:DeleteResourcePolicy"], resources: secrets },
    ],
  },
  aws_secretsmanager_secret_version: {
    sources: [read("secretsmanager/secret_version.go", "0042e8ea0de293c6cd8b003f89f7f4d2fb5fcf31", "v6")],
    grants: [
      // Refreshing a version reads its value, so the plan role reads the secrets (and decrypts them
      // through Secrets Manager only: see ci-policies.ts).
      { access: "read", actions: ["secretsmanager:GetSecretValue"], resources: secrets },
      // Update: adding AWSCURRENT to this version first lists the version ids to find the current one.
      { access: "write", actions: ["secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage", "secretsmanager:ListSecretVersionIds"], resources: secrets },
    ],
  },
  aws_security_group: {
    sources: [read("ec2/vpc_security_group.go", "01606926a0c0ab9174aec440f976a48b0baee722", "sdk-v2")],
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
    sources: [read("sns/topic.go", "00a35305dc1b297a6fcdecdfbba33f1e63c3da39", "v6")],
    grants: [
      { access: "read", actions: ["sns:GetTopicAttributes", "sns:ListTagsForResource"], resources: topics },
      { access: "write", actions: ["sns:CreateTopic", "sns:SetTopicAttributes", "sns:TagResource", "sns:UntagResource", "sns:DeleteTopic"], resources: topics },
    ],
  },
  aws_sns_topic_policy: {
    // Create, update and delete all set the topic's Policy attribute (delete writes the default policy back).
    sources: [read("sns/topic_policy.go", "00a35305dc1b297a6fcdecdfbba33f1e63c3da39", "v6"), read("sns/topic.go", "00a35305dc1b297a6fcdecdfbba33f1e63c3da39", "v6")],
    grants: [
      { access: "read", actions: ["sns:GetTopicAttributes"], resources: topics },
      { access: "write", actions: ["sns:SetTopicAttributes"], resources: topics },
    ],
  },
  aws_sns_topic_subscription: {
    sources: [read("sns/topic_subscription.go", "04a2e6e5bc625ec85ea8c678219b483fc674877e", "sdk-v2")],
    grants: [
      { access: "read", actions: ["sns:GetSubscriptionAttributes"], resources: topics },
      { access: "write", actions: ["sns:Subscribe", "sns:SetSubscriptionAttributes", "sns:Unsubscribe"], resources: topics },
    ],
  },
  aws_vpc_endpoint: {
    sources: [read("ec2/vpc_endpoint.go", "008db85aad5e56627b1eecab8830464a282552ed", "sdk-v2")],
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
    sources: [read("ec2/vpc_security_group_ingress_rule.go", "00a322094b4b9ade8a81b244345dbcf4b52ee8d6", "sdk-v1")],
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
  {
    access: "write",
    effect: "Deny",
    actions: ["ec2:CreateTags", "ec2:DeleteTags"],
    resources: (scope) => [scope.arn("ec2", "security-group/*"), scope.arn("ec2", "security-group-rule/*"), scope.arn("ec2", "vpc-endpoint/*")],
    condition: taggedForAnotherEnvironment,
  },
];
