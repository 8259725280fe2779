import type { IConstruct } from "constructs";

const SUPPRESSION = "audio-pipeline/policy-suppression";
const MINIMUM_REASON_LENGTH = 20;

interface Suppression {
  readonly ruleId: string;
  readonly reason: string;
}

/**
 * Accepts a policy violation on one resource only, with a written reason (like cdk-nag's
 * NagSuppressions). The suppression is printed as a warning on every synth, so it stays visible.
 */
export function suppressPolicy(resource: IConstruct, ruleId: string, reason: string): void {
  if (reason.trim().length < MINIMUM_REASON_LENGTH) {
    throw new Error(
      `Suppressing ${ruleId} on ${resource.node.path} needs a written reason of at least ${MINIMUM_REASON_LENGTH} characters, got "${reason}"`,
    );
  }
  resource.node.addMetadata(SUPPRESSION, { ruleId, reason } satisfies Suppression);
}

/** The reason `ruleId` is suppressed on exactly this construct, if it is. */
export function suppressionReason(resource: IConstruct, ruleId: string): string | undefined {
  return resource.node.metadata
    .filter((entry) => entry.type === SUPPRESSION)
    .map((entry) => entry.data as Suppression)
    .find((suppression) => suppression.ruleId === ruleId)?.reason;
}
