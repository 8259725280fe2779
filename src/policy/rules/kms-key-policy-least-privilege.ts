import { actionCovers, literalPolicyStatements, namedPrincipalArns, statementActions } from "../policy-documents";
import { resourcesOfType, type PolicyFinding, type PolicyRule, type ResourceBlock, type StackJson } from "../policy-rule";

/** Actions that use a key, or hand its use to someone else (a grant). */
const CRYPTOGRAPHIC_ACTIONS = [
  "kms:Encrypt",
  "kms:Decrypt",
  "kms:ReEncryptFrom",
  "kms:ReEncryptTo",
  "kms:GenerateDataKey",
  "kms:GenerateDataKeyWithoutPlaintext",
  "kms:GenerateDataKeyPair",
  "kms:GenerateDataKeyPairWithoutPlaintext",
  "kms:GenerateMac",
  "kms:VerifyMac",
  "kms:Sign",
  "kms:Verify",
  "kms:DeriveSharedSecret",
  "kms:CreateGrant",
];

/** Actions that can take a key away from everyone: change who may use it, disable it, delete it. */
const DESTRUCTIVE_ADMINISTRATION = ["kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:CreateGrant"];

const ACCOUNT_ROOT = /^(arn:[\w-]+:iam::\d{12}:root|\d{12})$/;
const EVERY_KMS_ACTION = /^(\*|kms:\*)$/i;

/** The AWS principals of a statement; "*" for everyone. */
function principals(principal: unknown): string[] {
  if (principal === "*") return ["*"];
  const aws = (principal as { AWS?: unknown } | undefined)?.AWS;
  return aws === undefined ? [] : ([] as unknown[]).concat(aws).map(String);
}

/** The policy in force on a key: a separate aws_kms_key_policy wins over the key's own `policy`. */
function effectivePolicy(stack: StackJson, key: ResourceBlock): unknown {
  const reference = new RegExp(`^\\$\\{aws_kms_key\\.${key.name}\\.(id|key_id|arn)\\}$`);
  const attached = resourcesOfType(stack, "aws_kms_key_policy").find((policy) => reference.test(String(policy.config.key_id)));
  return attached ? attached.config.policy : key.config.policy;
}

/** Why one key's policy fails, if it does. */
function keyProblems(stack: StackJson, key: ResourceBlock): string[] {
  const policy = effectivePolicy(stack, key);
  if (policy === undefined) return ["keeps the default key policy, which gives the account root kms:* (any IAM policy of the account may then use the key)"];
  const statements = literalPolicyStatements(policy);
  if (!statements) return ["has a key policy that is a Terraform expression, which this rule cannot check; write it as a literal JSON document"];
  const problems: string[] = [];
  statements.forEach((statement, index) => {
    if (statement.Effect !== "Allow") return;
    const name = statement.Sid ?? `statement ${index + 1}`;
    const actions = statementActions(statement);
    const who = principals(statement.Principal);
    if (actions.some((action) => EVERY_KMS_ACTION.test(action))) {
      problems.push(`grants kms:* in ${name}; list the actions instead`);
      return;
    }
    const broad = who.filter((principal) => principal === "*" || ACCOUNT_ROOT.test(principal));
    if (broad.length === 0) return;
    const administers = DESTRUCTIVE_ADMINISTRATION.filter((candidate) => actions.some((action) => actionCovers(action, candidate)));
    if (administers.length > 0 && namedPrincipalArns(statement.Condition, ["ArnEquals", "StringEquals"]).length === 0) {
      problems.push(
        `lets every IAM principal of the account administer the key (${administers.join(", ")}) in ${name}; name the administrators with an ArnEquals aws:PrincipalArn condition (the deploy and break-glass roles)`,
      );
    }
    if (statement.Condition !== undefined) return;
    const used = CRYPTOGRAPHIC_ACTIONS.filter((candidate) => actions.some((action) => actionCovers(action, candidate)));
    if (used.length > 0) problems.push(`lets ${broad.join(", ")} use the key (${used.join(", ")}) without a condition in ${name}`);
  });
  return problems;
}

/**
 * In production, every KMS key has an explicit key policy, written out, that never grants
 * kms:* and never lets the account root or everyone use the key without a condition, nor
 * administer it (PutKeyPolicy, ScheduleKeyDeletion, DisableKey, CreateGrant) without an
 * aws:PrincipalArn condition naming who. The root principal means "any IAM policy of the
 * account": granting it decrypt makes the key policy no barrier at all, and granting it
 * administration lets a PowerUserAccess role delete the key.
 */
export const kmsKeyPolicyLeastPrivilege: PolicyRule = {
  id: "kms-key-policy-least-privilege",
  rationale: "The key policy is the one control on who can decrypt production credentials and data that no IAM policy can widen.",
  level: "error",
  check(stack, { production }) {
    if (!production) return [];
    return resourcesOfType(stack, "aws_kms_key").flatMap((key): PolicyFinding[] =>
      keyProblems(stack, key).map((message) => ({ address: key.address, message })),
    );
  },
};
