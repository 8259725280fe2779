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

/** The roles Terraform runs as for one environment, and who else may administer what it creates. */
export interface TerraformRoles {
  readonly accountId: string;
  /** Plans (read-only): reads the key on every refresh. */
  readonly planRoleArn: string;
  /** Applies: creates the key, and must be able to change its policy later. */
  readonly deployRoleArn: string;
  /**
   * Step 1 of replacing the plan role: the new role is allowed beside the current one, so that
   * the plan that switches to it (step 2) can refresh.
   * @default - no rotation under way
   */
  readonly nextPlanRoleArn?: string;
  /**
   * Step 1 of replacing the deploy role, as nextPlanRoleArn.
   * @default - no rotation under way
   */
  readonly nextDeployRoleArn?: string;
  /**
   * The break-glass administrator: besides the deploy role(s), the only principal that may
   * administer the keys and delete or re-policy the secrets.
   * @default - the deploy role(s) alone
   */
  readonly breakGlassRoleArn?: string;
}

const present = (...arns: ReadonlyArray<string | undefined>): string[] => arns.filter((arn): arn is string => arn !== undefined);

/** The plan role, and during a rotation the one replacing it. */
export function planRoleArns(roles: TerraformRoles): string[] {
  return present(roles.planRoleArn, roles.nextPlanRoleArn);
}

/** The deploy role, and during a rotation the one replacing it. */
export function deployRoleArns(roles: TerraformRoles): string[] {
  return present(roles.deployRoleArn, roles.nextDeployRoleArn);
}

/** Every role Terraform may run as: each refreshes, so each reads the secrets. */
export function terraformRoleArns(roles: TerraformRoles): string[] {
  return [...planRoleArns(roles), ...deployRoleArns(roles)];
}

/** The named administrators of keys and secrets: the deploy role(s) and the break-glass role. */
export function administratorArns(roles: TerraformRoles): string[] {
  return present(...deployRoleArns(roles), roles.breakGlassRoleArn);
}

/** A principal list as reviewers expect it: one ARN as a string, several as a list. */
export function oneOrMany(arns: readonly string[]): string | readonly string[] {
  return arns.length === 1 ? arns[0] : arns;
}

/**
 * The condition that narrows an account-root statement to named roles. `aws:PrincipalArn` of a
 * role session is the role's ARN, compared as text: a role deleted and recreated under the same
 * name qualifies again (a role named as Principal would not: KMS stores its unique id).
 */
export function onlyPrincipals(arns: readonly string[]) {
  return { ArnEquals: { "aws:PrincipalArn": [...arns] } } as const;
}

/**
 * The statements every key of this module starts with:
 * - the account root administers the key (never uses it), but only for the named
 *   administrators (`aws:PrincipalArn`): a PowerUserAccess role of the account gets nothing;
 * - the deploy role(s) administer it directly, the lock-out guard: KMS refuses a policy that
 *   would stop its caller from changing it again, and the deploy role must always pass that check;
 * - the plan role(s) read it.
 */
export function keyAdministrationStatements(roles: TerraformRoles): PolicyStatement[] {
  return [
    {
      Sid: "NamedAdministratorsThroughTheAccount",
      Effect: "Allow",
      Principal: { AWS: accountRootArn(roles.accountId) },
      Action: [...KEY_ADMINISTRATION_ACTIONS],
      Resource: "*",
      Condition: onlyPrincipals(administratorArns(roles)),
    },
    {
      // Without it the deploy role could create the key but never change it (or its policy) again.
      Sid: "DeployRoleAdministers",
      Effect: "Allow",
      Principal: { AWS: oneOrMany(deployRoleArns(roles)) },
      Action: [...KEY_ADMINISTRATION_ACTIONS],
      Resource: "*",
    },
    {
      Sid: "PlanRoleReadsTheKey",
      Effect: "Allow",
      Principal: { AWS: oneOrMany(planRoleArns(roles)) },
      Action: [...KEY_READ_ACTIONS],
      Resource: "*",
    },
  ];
}

/** A policy document as the literal JSON string Terraform takes. */
export function policyDocument(statements: readonly PolicyStatement[]): string {
  return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}
