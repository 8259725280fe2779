import { resourcesOfType, type PolicyFinding, type PolicyRule } from "../policy-rule";

const MINIMUM_RECOVERY_WINDOW_DAYS = 7;

/**
 * Secrets are encrypted with a customer-managed KMS key of this stack that rotates, and can be
 * recovered for at least 7 days after deletion.
 */
export const secretEncryption: PolicyRule = {
  id: "secret-encryption",
  rationale: "A customer-managed, rotating key keeps control of who can decrypt the credentials; a recovery window undoes a mistaken delete.",
  level: "error",
  check(stack) {
    const findings: PolicyFinding[] = [];
    const keys = new Map(resourcesOfType(stack, "aws_kms_key").map((key) => [key.name, key]));
    for (const secret of resourcesOfType(stack, "aws_secretsmanager_secret")) {
      const keyName = /^\$\{aws_kms_key\.([\w-]+)\.(arn|id|key_id)\}$/.exec(String(secret.config.kms_key_id ?? ""))?.[1];
      const key = keyName ? keys.get(keyName) : undefined;
      if (!key) {
        findings.push({ address: secret.address, message: "is not encrypted with a customer-managed KMS key of this stack" });
      } else if (key.config.enable_key_rotation !== true) {
        findings.push({ address: secret.address, message: `is encrypted with ${key.address}, which does not rotate` });
      }
      const window = secret.config.recovery_window_in_days;
      if (typeof window !== "number" || window < MINIMUM_RECOVERY_WINDOW_DAYS) {
        findings.push({
          address: secret.address,
          message: `has a recovery window of ${window ?? "the provider default"} days; at least ${MINIMUM_RECOVERY_WINDOW_DAYS} is required`,
        });
      }
    }
    return findings;
  },
};
