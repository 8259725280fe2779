import { resourcesOfType, type PolicyRule } from "../policy-rule";

/** Every SNS topic is encrypted with a KMS key. */
export const snsTopicEncryption: PolicyRule = {
  id: "sns-topic-encryption",
  rationale: "Alarm messages name hosts, endpoints and thresholds of the database; they are encrypted at rest like the rest.",
  level: "error",
  check(stack) {
    return resourcesOfType(stack, "aws_sns_topic")
      .filter((topic) => !topic.config.kms_master_key_id)
      .map((topic) => ({ address: topic.address, message: "is not encrypted (no kms_master_key_id)" }));
  },
};
