import { actionCovers, literalPolicyStatements, statementActions } from "../policy-documents";
import { resourcesOfType, type PolicyFinding, type PolicyRule } from "../policy-rule";

/**
 * In production, every secret has a resource policy that denies reading its value
 * (GetSecretValue) to everyone but its readers, so a broad IAM policy elsewhere in the account
 * (GetSecretValue on *) cannot reach the database credentials.
 */
export const secretResourcePolicy: PolicyRule = {
  id: "secret-resource-policy",
  rationale: "IAM policies anywhere in the account can grant GetSecretValue on *; only the secret's own policy can say no to them.",
  level: "error",
  check(stack, { production }) {
    if (!production) return [];
    const policies = resourcesOfType(stack, "aws_secretsmanager_secret_policy");
    return resourcesOfType(stack, "aws_secretsmanager_secret").flatMap((secret): PolicyFinding[] => {
      const reference = new RegExp(`^\\$\\{aws_secretsmanager_secret\\.${secret.name}\\.(arn|id)\\}$`);
      const policy = policies.find((candidate) => reference.test(String(candidate.config.secret_arn)));
      if (!policy) return [{ address: secret.address, message: "has no resource policy (aws_secretsmanager_secret_policy)" }];
      const statements = literalPolicyStatements(policy.config.policy);
      if (!statements) {
        return [{ address: secret.address, message: `has a resource policy (${policy.address}) that is a Terraform expression, which this rule cannot check` }];
      }
      const denies = statements.some(
        (statement) => statement.Effect === "Deny" && statementActions(statement).some((action) => actionCovers(action, "secretsmanager:GetSecretValue")),
      );
      return denies ? [] : [{ address: secret.address, message: `has a resource policy (${policy.address}) that denies GetSecretValue to no one` }];
    });
  },
};
