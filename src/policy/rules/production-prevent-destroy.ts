import { DATA_AND_CREDENTIAL_TYPES } from "../data-resources";
import { resourcesOfType, type PolicyRule, type ResourceBlock, type StackJson } from "../policy-rule";

/** KMS keys that encrypt a secret: without them the secret cannot be read. */
function secretKeys(stack: StackJson): ResourceBlock[] {
  const referenced = new Set(
    resourcesOfType(stack, "aws_secretsmanager_secret").map((secret) => /aws_kms_key\.([\w-]+)\./.exec(String(secret.config.kms_key_id))?.[1]),
  );
  return resourcesOfType(stack, "aws_kms_key").filter((key) => referenced.has(key.name));
}

/**
 * In production, Terraform refuses to destroy the data and the credentials: Atlas termination
 * protection alone stops only the cluster's own delete, after its users, secrets and backup
 * schedule would already be gone.
 */
export const productionPreventDestroy: PolicyRule = {
  id: "production-prevent-destroy",
  rationale: "A mistaken destroy must stop before it touches anything, not half-way through production.",
  level: "error",
  check(stack, { production }) {
    if (!production) return [];
    return [...resourcesOfType(stack, ...DATA_AND_CREDENTIAL_TYPES), ...secretKeys(stack)]
      .filter((resource) => (resource.config.lifecycle as { prevent_destroy?: boolean } | undefined)?.prevent_destroy !== true)
      .map((resource) => ({ address: resource.address, message: "has no lifecycle.prevent_destroy in production" }));
  },
};
