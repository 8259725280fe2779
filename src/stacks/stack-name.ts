/**
 * The stack of one environment: `audio-pipeline-<environment>`, which is also the prefix of every
 * name the environment derives (src/config/derived-defaults.ts). A module of its own, so that the
 * CI scripts and the wrappers that only need the name do not load cdktf and the provider bindings.
 */
export function stackName(environment: string): string {
  return `audio-pipeline-${environment}`;
}
