/*
 * The one builder of the jobs that join an environment's deploy queue or change anything (plan,
 * apply, seed plan, seed apply of deploy-environment.yml). Whatever the job, it always gets:
 * - the fresh head check in its `if:` (GitHub evaluates it before the job is queued), when it
 *   joins the queue;
 * - the current-head step first, when the job changes anything;
 * - the environment's concurrency group (one queue per environment, never cancelled, so only a
 *   newer commit of main replaces a pending job), unless it waits for approval: a job waiting for
 *   approval would hold the queue, and every newer commit's job in it would wait or be cancelled
 *   (the apply: kept apart from other applies by the state lock and the head check instead);
 * - the permissions to request an OIDC token and nothing else;
 * - the GitHub environment of its purpose, whose role is the only one it can assume.
 * So the rules hold by construction; __tests__/delivery checks them on the generated files too.
 */
import { githubEnvironmentName, type GitHubEnvironmentPurpose } from "../../../src/environment/names";
import { currentHeadStep, fromInputs, value, type Job, type Step } from "./shared";

/**
 * The head check ran, and passed, in this attempt of the run. "Re-run failed jobs" does not re-run
 * a job that succeeded, so without this a re-run of an old run's failed job would skip the check
 * and could take, in an environment's queue, the place of a newer commit's pending job. Every job
 * that joins a queue requires it in its `if:`, which GitHub evaluates before the job is queued.
 * The caller passes the attempt its current-head job ran in as the input head_checked_attempt.
 */
export const FRESH_HEAD_CHECK = "inputs.head_checked_attempt == github.run_attempt";

/** What differs between the queued jobs. */
export interface QueuedJobSpec {
  readonly name: string;
  readonly needs?: readonly string[];
  /** Also run after a failed or skipped job it needs (`!cancelled()`), so `when` decides. */
  readonly evenAfterFailure?: boolean;
  /** Further conditions, after the fresh head check. */
  readonly when?: string;
  readonly runsOn: string | readonly string[];
  readonly timeoutMinutes: number;
  /** The GitHub environment the job runs in (`<environment>-<purpose>`). */
  readonly purpose: Extract<GitHubEnvironmentPurpose, "plan" | "deploy" | "seed">;
  /** The job applies something: the current-head step comes first. */
  readonly changesAnything: boolean;
  /**
   * The job waits for an approval (required reviewers on its GitHub environment): it joins no
   * queue, and needs no fresh head check in its `if:` (its first step checks the head in any attempt).
   * @default false
   */
  readonly waitsForApproval?: boolean;
  /** Read permissions beyond the OIDC token's (e.g. actions: read). @default none */
  readonly readPermissions?: readonly string[];
  readonly outputs?: Readonly<Record<string, string>>;
  readonly steps: readonly Step[];
}

/** The queue of the environment the called workflow deploys. */
const DEPLOY_QUEUE = { group: `deploy-${value(fromInputs, "environment")}`, "cancel-in-progress": false };

export function queuedJob(spec: QueuedJobSpec): Job {
  if (spec.waitsForApproval && !spec.changesAnything) throw new Error(`${spec.name}: a job that waits for approval checks the head of main first (changesAnything)`);
  const queued = !spec.waitsForApproval;
  const conditions = [...(spec.evenAfterFailure ? ["!cancelled()"] : []), ...(queued ? [FRESH_HEAD_CHECK] : []), ...(spec.when ? [spec.when] : [])];
  return {
    name: spec.name,
    ...(spec.needs ? { needs: [...spec.needs] } : {}),
    if: `\${{ ${conditions.join(" && ")} }}`,
    "runs-on": typeof spec.runsOn === "string" ? spec.runsOn : [...spec.runsOn],
    "timeout-minutes": spec.timeoutMinutes,
    environment: githubEnvironmentName(value(fromInputs, "environment"), spec.purpose),
    ...(queued ? { concurrency: DEPLOY_QUEUE } : {}),
    permissions: { ...Object.fromEntries((spec.readPermissions ?? []).map((scope) => [scope, "read"])), contents: "read", "id-token": "write" },
    ...(spec.outputs ? { outputs: spec.outputs } : {}),
    steps: spec.changesAnything ? [currentHeadStep, ...spec.steps] : [...spec.steps],
  };
}
