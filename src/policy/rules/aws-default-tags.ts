import type { PolicyRule } from "../policy-rule";

const REQUIRED_TAGS = ["Project", "Environment", "ManagedBy"] as const;

/** Every AWS provider tags all its resources through default_tags. */
export const awsDefaultTags: PolicyRule = {
  id: "aws-default-tags",
  rationale: "Untagged resources cannot be attributed to a project, environment or owner for cost and incident response.",
  level: "error",
  check(stack) {
    const providers = stack.provider?.aws ?? [];
    return providers.flatMap((provider, index) => {
      const tags = ((provider.default_tags as { tags?: Record<string, string> }[] | undefined)?.[0]?.tags ?? {}) as Record<string, string>;
      const missing = REQUIRED_TAGS.filter((tag) => !tags[tag]);
      return missing.length === 0
        ? []
        : [{ message: `AWS provider #${index + 1} lacks default_tags ${missing.join(", ")}` }];
    });
  },
};
