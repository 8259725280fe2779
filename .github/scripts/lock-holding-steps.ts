/*
 * The apply job's Terraform commands that hold the state lock (the fresh plan, and the apply of the
 * saved plan), as step scripts. Each `exec`s terraform-interruptible.sh, so that a cancel or a time
 * limit reaches Terraform itself, once, with time to save the state and release the lock (the
 * script says why). Each waits for the lock up to LOCK_TIMEOUT_MINUTES: with no concurrency group
 * on the job that waits for approval, the state lock is what keeps two applies of one environment
 * apart.
 */

import { APPLY_MINUTES } from "../../src/environment/ci-roles";

/** The wrapper, from the checkout's root. */
export const APPLY_WRAPPER = ".github/scripts/terraform-interruptible.sh";

/** Minutes: how long each command may wait for the lock, and may run before the wrapper interrupts it (src/environment/ci-roles.ts). */
export const LOCK_TIMEOUT_MINUTES = APPLY_MINUTES.lockTimeout;
export const FRESH_PLAN_MINUTES = APPLY_MINUTES.freshPlan;
export const APPLY_ONLY_MINUTES = APPLY_MINUTES.apply;

/** A step script that runs `command` (a terraform command line) through the wrapper, as the step's own process. */
export function interruptible(limit: string, command: string): string {
  return `exec bash "$GITHUB_WORKSPACE/${APPLY_WRAPPER}" ${limit} ${command}\n`;
}

/** The apply job's fresh plan, under the state lock. */
export function freshPlanStepScript(limit = `${FRESH_PLAN_MINUTES}m`): string {
  return interruptible(limit, `terraform plan -input=false -no-color -lock-timeout=${LOCK_TIMEOUT_MINUTES}m -out=tfplan`);
}

/** The apply of the saved, approved plan. */
export function applyStepScript(limit = `${APPLY_ONLY_MINUTES}m`): string {
  return interruptible(limit, `terraform apply -input=false -no-color -lock-timeout=${LOCK_TIMEOUT_MINUTES}m tfplan`);
}
