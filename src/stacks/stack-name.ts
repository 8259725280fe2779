/**
 * The stack of one environment: `audio-pipeline-<environment>`, which is also the prefix of every
 * name the environment derives (src/config/derived-defaults.ts). A module of its own, so that the
 * CI scripts and the wrappers that only need the name do not load cdktf and the provider bindings.
 */
export function stackName(environment: string): string {
  return `audio-pipeline-${environment}`;
}

/** The day-0 stack of one AWS account: `audio-pipeline-bootstrap-<account id>`. */
export function bootstrapStackName(accountId: string): string {
  return `${BOOTSTRAP_STACK_PREFIX}${accountId}`;
}

/** What every bootstrap stack's name starts with. */
export const BOOTSTRAP_STACK_PREFIX = "audio-pipeline-bootstrap-";
