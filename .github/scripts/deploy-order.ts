/*
 * Deploy order, checked rather than assumed. GitHub promises only the order in which matrix legs
 * are created, and legs have been seen starting out of order. So before an environment's apply
 * job plans under the lock, this step reads the jobs of this run (GitHub's API) and goes on only
 * when every environment it deploys after (ci.deployAfter; for a production environment without
 * it, every non-production one) has finished for the same commit in this run:
 *   its apply job succeeded, or its plan job succeeded and its apply job was skipped (nothing to
 *   apply).
 * A predecessor whose plan or apply failed, was cancelled or timed out stops this environment
 * (exit 1, nothing applied). One not yet finished is waited for, polling, up to --wait-minutes.
 *
 *   npx tsx .github/scripts/deploy-order.ts --environment <name> [--config-dir config]
 *        [--wait-minutes 20] [--interval-seconds 15]
 *
 * With --running-applies (the plan job, before it plans): waits instead until no other run has an
 * apply job of this environment in progress, so the plan reads the state that apply leaves, not
 * the state before it (the apply job waits for approval in no queue, so a plan is not kept from
 * running beside it otherwise). The apply job's fresh plan would then differ from the approved one.
 *
 * Reads GITHUB_API_URL (a loopback stand-in in the tests), GITHUB_REPOSITORY, GITHUB_RUN_ID,
 * GITHUB_SHA and GH_TOKEN (the job's token, with actions: read).
 */
import { parseArgs } from "node:util";
import { pipelineEnvironments, predecessors, type PipelineEnvironment } from "./pipeline";

/** The fields of a job in GET /repos/{owner}/{repo}/actions/runs/{run_id}/jobs that are read here. */
export interface RunJob {
  readonly name: string;
  readonly status: string;
  readonly conclusion: string | null;
  readonly head_sha: string;
}

/** Where a predecessor stands in this run. */
export type Standing =
  | { readonly state: "finished"; readonly how: string }
  | { readonly state: "failed"; readonly how: string }
  | { readonly state: "waiting"; readonly how: string };

/** A job of the called workflow, as GitHub names it under the matrix leg: "<environment> / <job name>". */
function findJob(jobs: readonly RunJob[], jobName: string): RunJob | undefined {
  return jobs.find((job) => job.name === jobName || job.name.endsWith(` / ${jobName}`));
}

const describe = (job: RunJob | undefined) => (job === undefined ? "not started" : job.status === "completed" ? (job.conclusion ?? "completed") : job.status);

/** Whether `environment` has finished for `sha` in the run whose jobs are `jobs`. */
export function standing(jobs: readonly RunJob[], environment: PipelineEnvironment, sha: string): Standing {
  const ours = jobs.filter((job) => job.head_sha === sha);
  const plan = findJob(ours, `plan ${environment.stack}`);
  const apply = findJob(ours, `apply ${environment.stack}`);
  const how = `plan: ${describe(plan)}, apply: ${describe(apply)}`;
  const done = (job: RunJob | undefined) => job?.status === "completed";
  if (done(apply) && apply!.conclusion === "success") return { state: "finished", how: "its apply succeeded" };
  if (done(plan) && plan!.conclusion === "success" && done(apply) && apply!.conclusion === "skipped") return { state: "finished", how: "its plan had nothing to apply" };
  if ((done(plan) && plan!.conclusion !== "success") || (done(apply) && apply!.conclusion !== "success")) return { state: "failed", how };
  return { state: "waiting", how };
}

export interface GitHubRun {
  readonly apiUrl: string;
  readonly repository: string;
  readonly runId: string;
  readonly token: string;
}

/** Every job of the run, latest attempt of each (paginated, 100 a page). */
export async function runJobs(run: GitHubRun, fetchImpl: typeof fetch = fetch): Promise<RunJob[]> {
  const jobs: RunJob[] = [];
  for (let page = 1; ; page += 1) {
    const url = `${run.apiUrl}/repos/${run.repository}/actions/runs/${run.runId}/jobs?filter=latest&per_page=100&page=${page}`;
    let response: Response;
    try {
      response = await fetchImpl(url, { headers: { Authorization: `Bearer ${run.token}`, Accept: "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28" } });
    } catch (error) {
      throw new Error(`could not read this run's jobs (GET ${url}): ${error instanceof Error ? error.message : String(error)}`);
    }
    if (!response.ok) throw new Error(`could not read this run's jobs (GET ${url}): HTTP ${response.status} ${(await response.text()).slice(0, 200)}`);
    const body = (await response.json()) as { total_count?: number; jobs?: RunJob[] };
    if (!Array.isArray(body.jobs)) throw new Error(`could not read this run's jobs (GET ${url}): the answer has no "jobs" list`);
    jobs.push(...body.jobs);
    if (body.jobs.length < 100 || (body.total_count !== undefined && jobs.length >= body.total_count)) return jobs;
  }
}

/** The other runs of this repository in progress, by id (paginated). */
async function runsInProgress(run: GitHubRun, fetchImpl: typeof fetch): Promise<string[]> {
  const ids: string[] = [];
  for (let page = 1; ; page += 1) {
    const url = `${run.apiUrl}/repos/${run.repository}/actions/runs?status=in_progress&per_page=100&page=${page}`;
    const response = await fetchImpl(url, { headers: { Authorization: `Bearer ${run.token}`, Accept: "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28" } }).catch((error: unknown) => {
      throw new Error(`could not list the runs in progress (GET ${url}): ${error instanceof Error ? error.message : String(error)}`);
    });
    if (!response.ok) throw new Error(`could not list the runs in progress (GET ${url}): HTTP ${response.status} ${(await response.text()).slice(0, 200)}`);
    const body = (await response.json()) as { workflow_runs?: { id: number | string }[] };
    const runs = body.workflow_runs ?? [];
    ids.push(...runs.map((entry) => String(entry.id)).filter((id) => id !== run.runId));
    if (runs.length < 100) return ids;
  }
}

/** The apply jobs of `environment` running now in other runs ("<run>: <job name>"). */
export async function runningApplies(run: GitHubRun, environment: PipelineEnvironment, fetchImpl: typeof fetch = fetch): Promise<string[]> {
  const found: string[] = [];
  for (const id of await runsInProgress(run, fetchImpl)) {
    const apply = findJob(await runJobs({ ...run, runId: id }, fetchImpl), `apply ${environment.stack}`);
    if (apply?.status === "in_progress") found.push(`run ${id}: ${apply.name}`);
  }
  return found;
}

/** 0 once no other run applies `environment`; 1 when one still does after the wait. */
export async function waitForRunningApplies(options: Omit<OrderOptions, "sha">): Promise<number> {
  const self = pipelineEnvironments(options.configDir).find((environment) => environment.name === options.environment);
  if (!self) throw new Error(`--environment ${options.environment}: no such environment in ${options.configDir}/`);
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const deadline = Date.now() + options.waitMs;
  for (;;) {
    const running = await runningApplies(options.run, self, options.fetchImpl);
    if (running.length === 0) {
      options.log(`No other run is applying ${self.name}: planning from its current state.`);
      return 0;
    }
    if (Date.now() + options.intervalMs > deadline) {
      options.log(`::error title=${self.name} not planned::${running.join(", ")} still applies ${self.name} after ${Math.round(options.waitMs / 60_000)} minutes; a plan now would read the state before that apply. Re-run once it has finished.`);
      return 1;
    }
    options.log(`waiting for ${running.join(", ")} to finish before planning ${self.name}`);
    await sleep(options.intervalMs);
  }
}

export interface OrderOptions {
  readonly environment: string;
  readonly configDir: string;
  readonly sha: string;
  readonly waitMs: number;
  readonly intervalMs: number;
  readonly run: GitHubRun;
  readonly log: (line: string) => void;
  readonly fetchImpl?: typeof fetch;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** 0 when every predecessor finished (after waiting for them, if need be); 1, with the reason, when not. */
export async function checkOrder(options: OrderOptions): Promise<number> {
  const all = pipelineEnvironments(options.configDir);
  const self = all.find((environment) => environment.name === options.environment);
  if (!self) throw new Error(`--environment ${options.environment}: no such environment in ${options.configDir}/ (${all.map((environment) => environment.name).join(", ")})`);
  const before = predecessors(self, all).map((name) => all.find((environment) => environment.name === name)!);
  if (before.length === 0) {
    options.log(`${self.name} deploys after no other environment.`);
    return 0;
  }
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const deadline = Date.now() + options.waitMs;
  for (;;) {
    const jobs = await runJobs(options.run, options.fetchImpl);
    const standings = before.map((environment) => ({ environment, standing: standing(jobs, environment, options.sha) }));
    const failed = standings.filter(({ standing: s }) => s.state === "failed");
    if (failed.length > 0) {
      const which = failed.map(({ environment, standing: s }) => `${environment.name} (${s.how})`).join(", ");
      options.log(`::error title=Deploy order: ${self.name} not applied::${self.name} deploys after ${which}, which did not finish in this run for ${options.sha}. Nothing was applied to ${self.name}.`);
      return 1;
    }
    const waiting = standings.filter(({ standing: s }) => s.state === "waiting");
    if (waiting.length === 0) {
      for (const { environment, standing: s } of standings) options.log(`${environment.name} finished in this run for ${options.sha}: ${s.how}.`);
      return 0;
    }
    const which = waiting.map(({ environment, standing: s }) => `${environment.name} (${s.how})`).join(", ");
    if (Date.now() + options.intervalMs > deadline) {
      options.log(
        `::error title=Deploy order: ${self.name} not applied::${self.name} deploys after ${which}, which has not finished in this run for ${options.sha} within ${Math.round(options.waitMs / 60_000)} minutes. Nothing was applied to ${self.name}; re-run the workflow once it has.`,
      );
      return 1;
    }
    options.log(`waiting for ${which} to finish before applying ${self.name}`);
    await sleep(options.intervalMs);
  }
}

/** The step's command line: `env` is the job's environment, `log` its stdout. */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv = process.env, log: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      environment: { type: "string" },
      "config-dir": { type: "string", default: "config" },
      "wait-minutes": { type: "string", default: "20" },
      "interval-seconds": { type: "string", default: "15" },
      "running-applies": { type: "boolean", default: false },
    },
  });
  const missing = ["GITHUB_API_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID", "GITHUB_SHA", "GH_TOKEN"].filter((name) => !env[name]);
  try {
    if (!values.environment) throw new Error("--environment is required");
    if (missing.length > 0) throw new Error(`${missing.join(", ")} not set (the job's GitHub context)`);
    const common = {
      environment: values.environment,
      configDir: values["config-dir"],
      waitMs: Number(values["wait-minutes"]) * 60_000,
      intervalMs: Number(values["interval-seconds"]) * 1_000,
      run: { apiUrl: env.GITHUB_API_URL!, repository: env.GITHUB_REPOSITORY!, runId: env.GITHUB_RUN_ID!, token: env.GH_TOKEN! },
      log,
    };
    if (values["running-applies"]) return await waitForRunningApplies(common);
    return await checkOrder({
      environment: values.environment,
      configDir: values["config-dir"],
      sha: env.GITHUB_SHA!,
      waitMs: Number(values["wait-minutes"]) * 60_000,
      intervalMs: Number(values["interval-seconds"]) * 1_000,
      run: { apiUrl: env.GITHUB_API_URL!, repository: env.GITHUB_REPOSITORY!, runId: env.GITHUB_RUN_ID!, token: env.GH_TOKEN! },
      log,
    });
  } catch (error) {
    log(`::error title=Deploy order: not checked::${error instanceof Error ? error.message : String(error)}. Nothing was applied.`);
    return 1;
  }
}

if (require.main === module) void main(process.argv.slice(2)).then((code) => (process.exitCode = code));
