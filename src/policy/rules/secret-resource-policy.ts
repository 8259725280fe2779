import { actionCovers, literalPolicyStatements, namedPrincipalArns, statementActions, type PolicyDocumentStatement } from "../policy-documents";
import { resourcesOfType, type PolicyFinding, type PolicyRule } from "../policy-rule";

/** What may only be done by named administrators: deleting the secret and changing or dropping its policy. */
const ADMINISTRATION = ["secretsmanager:DeleteSecret", "secretsmanager:PutResourcePolicy", "secretsmanager:DeleteResourcePolicy"];

/** A Deny to everyone except the principals an ArnNotEquals/StringNotEquals aws:PrincipalArn condition names. */
function deniesAllButNamed(statement: PolicyDocumentStatement, action: string): boolean {
  if (statement.Effect !== "Deny" || statement.Principal !== "*" || !statementActions(statement).some((written) => actionCovers(written, action))) return false;
  return namedPrincipalArns(statement.Condition, ["ArnNotEquals", "StringNotEquals"]).length > 0;
}

/**
 * In production, every secret has a resource policy that denies reading its value
 * (GetSecretValue) to everyone but its readers, so a broad IAM policy elsewhere in the account
 * (GetSecretValue on *) cannot reach the database credentials; and denies deleting the secret
 * and changing or dropping its policy to everyone but named administrators (aws:PrincipalArn).
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
      const findings: PolicyFinding[] = denies ? [] : [{ address: secret.address, message: `has a resource policy (${policy.address}) that denies GetSecretValue to no one` }];
      const open = ADMINISTRATION.filter((action) => !statements.some((statement) => deniesAllButNamed(statement, action)));
      if (open.length > 0) {
        findings.push({
          address: secret.address,
          message: `has a resource policy (${policy.address}) that lets any IAM principal of the account ${open.join(", ")}; deny them to all but the named administrators (ArnNotEquals aws:PrincipalArn)`,
        });
      }
      return findings;
    });
  },
};
