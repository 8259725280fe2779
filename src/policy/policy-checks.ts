import { Annotations, TerraformStack, type IAspect } from "cdktf";
import type { IConstruct } from "constructs";
import type { PolicyContext, PolicyRule, StackJson } from "./policy-rule";
import { POLICY_RULES } from "./rules";
import { suppressionReason } from "./suppressions";

type ResourceWithMetadata = { readonly "//"?: { readonly metadata?: { readonly path?: string } } };

/**
 * Applies the policy rule pack to a stack at synth time. Each violation becomes an error (or
 * warning) annotation on the offending resource, so `cdktf synth` fails listing every
 * violation at once. The rules read the stack as it will be written, references resolved.
 */
export class PolicyChecks implements IAspect {
  constructor(
    private readonly context: PolicyContext,
    private readonly rules: readonly PolicyRule[] = POLICY_RULES,
  ) {}

  visit(node: IConstruct): void {
    if (!(node instanceof TerraformStack)) return;
    const json = node.toTerraform() as StackJson;
    const constructsByPath = new Map(node.node.findAll().map((construct) => [construct.node.path, construct]));
    const constructAt = (address: string | undefined): IConstruct => {
      if (!address) return node;
      const [type, name] = address.split(".");
      const path = (json.resource?.[type]?.[name] as ResourceWithMetadata | undefined)?.["//"]?.metadata?.path;
      return (path && constructsByPath.get(path)) || node;
    };

    for (const rule of this.rules) {
      for (const finding of rule.check(json, this.context)) {
        const target = constructAt(finding.address);
        const subject = finding.address ?? node.node.id;
        const reason = suppressionReason(target, rule.id);
        // A suppression is a documented, deliberate exception (its reason is in the code and in
        // docs/policy.md): not a warning, and not repeated on every synth.
        if (reason) continue;
        if (rule.level === "error") {
          Annotations.of(target).addError(`[${rule.id}] ${subject} ${finding.message}. ${rule.rationale}`);
        } else {
          Annotations.of(target).addWarning(`[${rule.id}] ${subject} ${finding.message}. ${rule.rationale}`);
        }
      }
    }
  }
}
