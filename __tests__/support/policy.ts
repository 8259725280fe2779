import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { MongodbatlasProvider } from "@cdktf/provider-mongodbatlas/lib/provider";
import { AnnotationMetadataEntryType, Aspects, Testing } from "cdktf";
import type { PolicyContext } from "../../src/policy/policy-rule";
import { PolicyChecks } from "../../src/policy/policy-checks";
import { StableAddressStack } from "../../src/stacks/stable-addresses";

export interface PolicyAnnotation {
  readonly level: "error" | "warning";
  readonly path: string;
  readonly message: string;
}

export const TAGS = { Project: "audio-pipeline", Environment: "test", ManagedBy: "cdktf" };

/** A stack with tagged providers; `build` adds the resources under test. */
export function policyTestStack(build: (stack: StableAddressStack) => void, context: PolicyContext = { production: false }) {
  const stack = new StableAddressStack(Testing.app(), "policy-test");
  new AwsProvider(stack, "aws", { region: "us-east-1", defaultTags: [{ tags: TAGS }] });
  new MongodbatlasProvider(stack, "mongodbatlas", {});
  build(stack);
  Aspects.of(stack).add(new PolicyChecks(context));
  return stack;
}

/** The policy annotations the rule pack leaves on a stack's constructs. */
export function policyAnnotations(stack: StableAddressStack): PolicyAnnotation[] {
  Testing.synth(stack);
  return stack.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === AnnotationMetadataEntryType.ERROR || entry.type === AnnotationMetadataEntryType.WARN)
      .map((entry) => ({
        level: entry.type === AnnotationMetadataEntryType.ERROR ? ("error" as const) : ("warning" as const),
        path: construct.node.path,
        message: String(entry.data),
      }))
      .filter((annotation) => annotation.message.startsWith("[")),
  );
}

/** Ids of the rules that reported an error. */
export function failedRuleIds(stack: StableAddressStack): string[] {
  return [
    ...new Set(policyAnnotations(stack).filter((a) => a.level === "error").map((a) => /^\[([\w-]+)\]/.exec(a.message)?.[1] ?? "")),
  ];
}
