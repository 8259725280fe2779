import { AWS_PARTITION } from "../../atlas/regions";
/*
 * Building blocks of this module's KMS key policies. Every policy is a literal JSON document
 * (no Terraform expression inside), so that reviewers read it in cdk.tf.json and the policy
 * rules can check it at synth time. Principals are therefore built from config values (account
 * id, role ARNs, role names), never from resource attributes.
 */

/** One statement of an IAM or key policy document. */
export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: "Allow" | "Deny";
  readonly Principal: "*" | { readonly AWS: string | readonly string[] } | { readonly Service: string };
  readonly Action: string | readonly string[];
  readonly Resource: string;
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

/** The principal that stands for the whole account: IAM policies of the account may then delegate. */
export function accountRootArn(accountId: string): string {
  return `arn:${AWS_PARTITION}:iam::${accountId}:root`;
}

/** ARN of a role of the account, from its name. */
export function roleArn(accountId: string, roleName: string): string {
  return `arn:${AWS_PARTITION}:iam::${accountId}:role/${roleName}`;
}

/** What Terraform reads back on every refresh of a key (aws provider 5.100.0, resource aws_kms_key). */
export const KEY_READ_ACTIONS = ["kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags"] as const;

/**
 * Managing a key without ever using it: no Encrypt/Decrypt/ReEncrypt/GenerateDataKey, and no
 * CreateGrant either, because a grant could hand decrypt to anyone. PutKeyPolicy is what keeps
 * a key manageable: KMS refuses a policy that would lock its caller out of PutKeyPolicy.
 */
export const KEY_ADMINISTRATION_ACTIONS = [
  ...KEY_READ_ACTIONS,
  "kms:ListGrants",
  "kms:ListKeyPolicies",
  "kms:PutKeyPolicy",
  "kms:UpdateKeyDescription",
  "kms:EnableKey",
  "kms:DisableKey",
  "kms:EnableKeyRotation",
  "kms:DisableKeyRotation",
  "kms:TagResource",
  "kms:UntagResource",
  "kms:CreateAlias",
  "kms:UpdateAlias",
  "kms:DeleteAlias",
  "kms:RevokeGrant",
  "kms:ScheduleKeyDeletion",
  "kms:CancelKeyDeletion",
] as const;

/** The roles Terraform runs as for one environment. */
export interface TerraformRoles {
  readonly accountId: string;
  /** Plans (read-only): reads the key on every refresh. */
  readonly planRoleArn: string;
  /** Applies: creates the key, and must be able to change its policy later. */
  readonly deployRoleArn: string;
}

/**
 * The statements every key of this module starts with: the account root and the deploy role
 * administer the key (never use it), the plan role reads it.
 */
export function keyAdministrationStatements(roles: TerraformRoles): PolicyStatement[] {
  return [
    {
      Sid: "AccountRootAdministersOnly",
      Effect: "Allow",
      Principal: { AWS: accountRootArn(roles.accountId) },
      Action: [...KEY_ADMINISTRATION_ACTIONS],
      Resource: "*",
    },
    {
      // Without it the deploy role could create the key but never change it (or its policy) again.
      Sid: "DeployRoleAdministers",
      Effect: "Allow",
      Principal: { AWS: roles.deployRoleArn },
      Action: [...KEY_ADMINISTRATION_ACTIONS],
      Resource: "*",
    },
    {
      Sid: "PlanRoleReadsTheKey",
      Effect: "Allow",
      Principal: { AWS: roles.planRoleArn },
      Action: [...KEY_READ_ACTIONS],
      Resource: "*",
    },
  ];
}

/** A policy document as the literal JSON string Terraform takes. */
export function policyDocument(statements: readonly PolicyStatement[]): string {
  return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}
