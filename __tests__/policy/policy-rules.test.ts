import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecretsmanagerSecretPolicy } from "@cdktf/provider-aws/lib/secretsmanager-secret-policy";
import { SecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/secretsmanager-secret-version";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { AdvancedCluster, type AdvancedClusterConfig } from "@cdktf/provider-mongodbatlas/lib/advanced-cluster";
import { DatabaseUser } from "@cdktf/provider-mongodbatlas/lib/database-user";
import { ProjectIpAccessList } from "@cdktf/provider-mongodbatlas/lib/project-ip-access-list";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { Fn } from "cdktf";
import type { StableAddressStack } from "../../src/stacks/stable-addresses";
import type { PolicyContext } from "../../src/policy/policy-rule";
import { failedRuleIds, policyTestStack } from "../support/policy";

const cluster = (overrides: Partial<AdvancedClusterConfig> = {}) => (stack: StableAddressStack) =>
  new AdvancedCluster(stack, "cluster", {
    projectId: "p",
    name: "c",
    clusterType: "REPLICASET",
    backupEnabled: true,
    pitEnabled: true,
    terminationProtectionEnabled: true,
    advancedConfiguration: { minimumEnabledTlsProtocol: "TLS1_2" },
    lifecycle: { preventDestroy: true },
    replicationSpecs: [{ regionConfigs: [{ priority: 7, providerName: "AWS", regionName: "US_EAST_1", electableSpecs: { instanceSize: "M10" } }] }],
    ...overrides,
  });

const user = (roles: { roleName: string; databaseName: string }[], scoped = true) => (stack: StableAddressStack) =>
  new DatabaseUser(stack, "user", {
    projectId: "p",
    username: "app",
    password: "${random_password.database_password.result}",
    authDatabaseName: "admin",
    roles,
    scopes: scoped ? [{ name: "c", type: "CLUSTER" }] : undefined,
  });

const secret = (keyRotation: boolean, recoveryWindowInDays = 7) => (stack: StableAddressStack) => {
  const key = new KmsKey(stack, "key", { enableKeyRotation: keyRotation });
  new SecretsmanagerSecret(stack, "secret", { name: "s", kmsKeyId: key.arn, recoveryWindowInDays });
};

const bucket = (omit: "publicAccessBlock" | "encryption" | "versioning" | "tlsPolicy" | "nothing") => (stack: StableAddressStack) => {
  const logs = new S3Bucket(stack, "logs", { bucketPrefix: "logs-" });
  if (omit !== "publicAccessBlock") {
    new S3BucketPublicAccessBlock(stack, "block", { bucket: logs.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
  }
  if (omit !== "encryption") {
    new S3BucketServerSideEncryptionConfigurationA(stack, "encryption", { bucket: logs.id, rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] });
  }
  if (omit !== "versioning") new S3BucketVersioningA(stack, "versioning", { bucket: logs.id, versioningConfiguration: { status: "Enabled" } });
  if (omit !== "tlsPolicy") {
    new S3BucketPolicy(stack, "policy", {
      bucket: logs.id,
      policy: Fn.jsonencode({ Statement: [{ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } }] }),
    });
  }
};

const alarmTopic = (subscribed: boolean) => (stack: StableAddressStack) => {
  const topic = new SnsTopic(stack, "alarms", { kmsMasterKeyId: "alias/alarms" });
  if (subscribed) new SnsTopicSubscription(stack, "oncall", { topicArn: topic.arn, protocol: "email", endpoint: "oncall@example.org" });
};

// Production stacks need explicit key and secret policies (their own rules, tested in key-and-secret-policies.test.ts).
const ADMINISTRATION_ONLY_KEY_POLICY = JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Principal: { AWS: "arn:aws:iam::111122223333:root" },
      Action: ["kms:DescribeKey", "kms:PutKeyPolicy"],
      Resource: "*",
      Condition: { ArnEquals: { "aws:PrincipalArn": ["arn:aws:iam::111122223333:role/deploy"] } },
    },
  ],
});
const DENY_READ_TO_ALL_BUT_APP = JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    { Effect: "Deny", Principal: "*", Action: "secretsmanager:GetSecretValue", Resource: "*", Condition: { ArnNotEquals: { "aws:PrincipalArn": "arn:aws:iam::111122223333:role/app" } } },
    {
      Effect: "Deny",
      Principal: "*",
      Action: ["secretsmanager:DeleteSecret", "secretsmanager:PutResourcePolicy", "secretsmanager:DeleteResourcePolicy"],
      Resource: "*",
      Condition: { ArnNotEquals: { "aws:PrincipalArn": "arn:aws:iam::111122223333:role/deploy" } },
    },
  ],
});

interface RuleCase {
  readonly id: string;
  readonly context?: PolicyContext;
  readonly compliant: (stack: StableAddressStack) => void;
  readonly noncompliant: (stack: StableAddressStack) => void;
}

const CASES: RuleCase[] = [
  {
    id: "no-public-network-access",
    compliant: (stack) => new ProjectIpAccessList(stack, "entry", { projectId: "p", cidrBlock: "10.0.0.0/16" }),
    noncompliant: (stack) => new ProjectIpAccessList(stack, "entry", { projectId: "p", cidrBlock: "0.0.0.0/0" }),
  },
  {
    id: "no-public-network-access",
    compliant: (stack) => {
      const group = new SecurityGroup(stack, "group", { vpcId: "vpc-1" });
      new VpcSecurityGroupIngressRule(stack, "rule", { securityGroupId: group.id, ipProtocol: "tcp", fromPort: 1024, toPort: 65535, referencedSecurityGroupId: "sg-0123456789abcdef0" });
    },
    noncompliant: (stack) => {
      const group = new SecurityGroup(stack, "group", { vpcId: "vpc-1" });
      new VpcSecurityGroupIngressRule(stack, "rule", { securityGroupId: group.id, ipProtocol: "tcp", fromPort: 1024, toPort: 65535, cidrIpv6: "::/0" });
    },
  },
  {
    id: "no-public-network-access",
    compliant: (stack) => new SecurityGroup(stack, "group", { vpcId: "vpc-1", ingress: [{ fromPort: 27017, toPort: 27017, protocol: "tcp", cidrBlocks: ["10.0.0.0/16"] }] }),
    noncompliant: (stack) => new SecurityGroup(stack, "group", { vpcId: "vpc-1", ingress: [{ fromPort: 27017, toPort: 27017, protocol: "tcp", cidrBlocks: ["52.1.2.0/24"] }] }),
  },
  {
    id: "atlas-user-least-privilege",
    compliant: user([{ roleName: "readWrite", databaseName: "audio_pipeline" }]),
    noncompliant: user([{ roleName: "readWriteAnyDatabase", databaseName: "admin" }]),
  },
  {
    id: "atlas-user-least-privilege",
    compliant: user([{ roleName: "read", databaseName: "audio_pipeline" }]),
    noncompliant: user([{ roleName: "readWrite", databaseName: "audio_pipeline" }], false),
  },
  {
    id: "cluster-tls-and-backup",
    compliant: cluster(),
    noncompliant: cluster({ advancedConfiguration: { minimumEnabledTlsProtocol: "TLS1_0" } }),
  },
  {
    id: "cluster-tls-and-backup",
    compliant: cluster(),
    noncompliant: cluster({ backupEnabled: false }),
  },
  {
    id: "production-cluster-protection",
    context: { production: true },
    compliant: cluster(),
    noncompliant: cluster({ terminationProtectionEnabled: false }),
  },
  {
    id: "production-cluster-protection",
    context: { production: true },
    compliant: cluster(),
    noncompliant: cluster({ pitEnabled: false }),
  },
  {
    id: "secret-encryption",
    compliant: secret(true),
    noncompliant: secret(false),
  },
  {
    id: "secret-encryption",
    compliant: secret(true, 30),
    noncompliant: secret(true, 0),
  },
  {
    id: "secret-encryption",
    compliant: secret(true),
    noncompliant: (stack) => new SecretsmanagerSecret(stack, "secret", { name: "s", recoveryWindowInDays: 7 }),
  },
  {
    id: "aws-default-tags",
    compliant: () => undefined,
    noncompliant: (stack) => new AwsProvider(stack, "aws_untagged", { region: "us-east-1", alias: "untagged" }),
  },
  {
    id: "no-literal-secrets",
    compliant: (stack) => new SecretsmanagerSecretVersion(stack, "value", { secretId: "s", secretString: "${jsonencode({uri = var.uri})}" }),
    noncompliant: (stack) => new SecretsmanagerSecretVersion(stack, "value", { secretId: "s", secretString: '{"uri":"mongodb+srv://app:hunter22@cluster.mongodb.net"}' }),
  },
  {
    id: "no-literal-secrets",
    compliant: user([{ roleName: "readWrite", databaseName: "audio_pipeline" }]),
    noncompliant: (stack) =>
      new DatabaseUser(stack, "user", { projectId: "p", username: "app", password: "hunter22", authDatabaseName: "admin", scopes: [{ name: "c", type: "CLUSTER" }] }),
  },
  { id: "s3-bucket-protection", compliant: bucket("nothing"), noncompliant: bucket("publicAccessBlock") },
  { id: "s3-bucket-protection", compliant: bucket("nothing"), noncompliant: bucket("encryption") },
  { id: "s3-bucket-protection", compliant: bucket("nothing"), noncompliant: bucket("versioning") },
  { id: "s3-bucket-protection", compliant: bucket("nothing"), noncompliant: bucket("tlsPolicy") },
  {
    id: "sns-topic-encryption",
    compliant: (stack) => new SnsTopic(stack, "alarms", { kmsMasterKeyId: "alias/alarms" }),
    noncompliant: (stack) => new SnsTopic(stack, "alarms", {}),
  },
  { id: "production-alarm-destination", context: { production: true }, compliant: alarmTopic(true), noncompliant: alarmTopic(false) },
  {
    id: "production-prevent-destroy",
    context: { production: true },
    compliant: cluster(),
    noncompliant: cluster({ lifecycle: {} }),
  },
  {
    id: "production-prevent-destroy",
    context: { production: true },
    compliant: (stack) => {
      const key = new KmsKey(stack, "key", { enableKeyRotation: true, policy: ADMINISTRATION_ONLY_KEY_POLICY, lifecycle: { preventDestroy: true } });
      const secret = new SecretsmanagerSecret(stack, "secret", { name: "s", kmsKeyId: key.arn, recoveryWindowInDays: 7, lifecycle: { preventDestroy: true } });
      new SecretsmanagerSecretPolicy(stack, "secret_policy", { secretArn: secret.arn, policy: DENY_READ_TO_ALL_BUT_APP });
    },
    noncompliant: (stack) => {
      const key = new KmsKey(stack, "key", { enableKeyRotation: true });
      new SecretsmanagerSecret(stack, "secret", { name: "s", kmsKeyId: key.arn, recoveryWindowInDays: 7, lifecycle: { preventDestroy: true } });
    },
  },
];

describe.each(CASES.map((c, index) => [`${c.id} #${index + 1}`, c] as const))("policy rule %s", (_name, rule) => {
  it("Compliance: reports nothing for a compliant resource", () => {
    expect(failedRuleIds(policyTestStack(rule.compliant, rule.context))).toEqual([]);
  });

  it("Noncompliance: fails synth with the rule's id", () => {
    expect(failedRuleIds(policyTestStack(rule.noncompliant, rule.context))).toContain(rule.id);
  });
});

describe("production-alarm-destination outside production", () => {
  it("lets a dev alarm topic go without subscribers", () => {
    expect(failedRuleIds(policyTestStack(alarmTopic(false), { production: false }))).toEqual([]);
  });
});

describe("production-cluster-protection outside production", () => {
  it("lets a dev cluster go without termination protection or point-in-time restore", () => {
    const stack = policyTestStack(cluster({ terminationProtectionEnabled: false, pitEnabled: false }), { production: false });
    expect(failedRuleIds(stack)).toEqual([]);
  });
});
