import type { PolicyRule } from "../policy-rule";
import { atlasUserLeastPrivilege } from "./atlas-user-least-privilege";
import { awsDefaultTags } from "./aws-default-tags";
import { clusterTlsAndBackup } from "./cluster-tls-and-backup";
import { kmsKeyPolicyLeastPrivilege } from "./kms-key-policy-least-privilege";
import { noLiteralSecrets } from "./no-literal-secrets";
import { noPublicNetworkAccess } from "./no-public-network-access";
import { productionAlarmDestination } from "./production-alarm-destination";
import { productionClusterProtection } from "./production-cluster-protection";
import { productionPreventDestroy } from "./production-prevent-destroy";
import { s3BucketProtection } from "./s3-bucket-protection";
import { secretEncryption } from "./secret-encryption";
import { secretResourcePolicy } from "./secret-resource-policy";
import { snsTopicEncryption } from "./sns-topic-encryption";

/** The rule pack applied to every stack. */
export const POLICY_RULES: readonly PolicyRule[] = [
  noPublicNetworkAccess,
  atlasUserLeastPrivilege,
  clusterTlsAndBackup,
  productionClusterProtection,
  secretEncryption,
  awsDefaultTags,
  noLiteralSecrets,
  s3BucketProtection,
  snsTopicEncryption,
  productionAlarmDestination,
  productionPreventDestroy,
  kmsKeyPolicyLeastPrivilege,
  secretResourcePolicy,
];
