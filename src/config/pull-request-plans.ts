/**
 * Whether pull requests plan an environment: `ci.pullRequestPlan`, by default every non-production
 * one. Such an environment's `<env>-plan` GitHub environment is open to every branch, and a pull
 * request controls the workflow it runs, so whatever its plan credentials can read, a pull request
 * can read.
 */
export function pullRequestPlans(config: { readonly production: boolean; readonly ci: { readonly pullRequestPlan?: boolean } }): boolean {
  return config.ci.pullRequestPlan ?? !config.production;
}
