/*
 * Facts about CI jobs that both the workflows (.github/scripts/workflows.ts) and the AWS roles
 * they assume (the bootstrap stack) must agree on: how long each job may run and how long an AWS
 * session it asks for lasts, and which GitHub environment each job runs in. src/ owns them so
 * that the stacks never import from .github/.
 */

/** Per job: its timeout, and the AWS session it requests (role-duration-seconds). */
export const LIMITS = {
  plan: { timeoutMinutes: 30, sessionSeconds: 3600 },
  // A first apply waits for the cluster and the endpoint service (each can take tens of minutes).
  apply: { timeoutMinutes: 120, sessionSeconds: 10800 },
  seedPlan: { timeoutMinutes: 30, sessionSeconds: 3600 },
  // Index builds on large collections.
  seedApply: { timeoutMinutes: 90, sessionSeconds: 7200 },
} as const;

/** GitHub environment names, one per environment and purpose (each role trusts exactly one). */
export const githubEnvironment = {
  plan: (name: string) => `${name}-plan`,
  deploy: (name: string) => `${name}-deploy`,
  seed: (name: string) => `${name}-seed`,
  seedApproval: (name: string) => `${name}-seed-approval`,
};

/** What a CI role is for; each trusts the GitHub environment of the same name. */
export type CiPurpose = "plan" | "deploy" | "seed";

/** The longest session the workflows request with a role of this purpose: its MaxSessionDuration. */
export function maxSessionSeconds(purpose: CiPurpose): number {
  if (purpose === "plan") return LIMITS.plan.sessionSeconds;
  if (purpose === "deploy") return LIMITS.apply.sessionSeconds;
  return Math.max(LIMITS.seedPlan.sessionSeconds, LIMITS.seedApply.sessionSeconds);
}
