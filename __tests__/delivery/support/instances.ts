/*
 * The generic workflows as GitHub runs them for the environments of a config/ directory: each
 * matrix entry becomes concrete jobs (`<job>-<environment>`), with the values the list job
 * (.github/scripts/environments.ts, in the mode its step names) outputs for that directory. A
 * reusable-workflow call is inlined: the called jobs get the caller's `needs:`, every
 * `inputs.<name>` becomes the caller's `with:` expression for it (matrix values resolved), and the
 * scripts' environment variables (ENVIRONMENT, STACK, ...) are resolved the way bash would. The
 * property checks then read literal roles, environments and groups, job by job.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { environmentList, type EnvironmentEntry, type ListMode } from "../../../.github/scripts/environments";
import { simulate, type JobOutcome, type JobResult } from "./workflow-properties";
import { needsOf, stringsIn, WORKFLOW_DIR, type Job, type Workflow } from "./workflows";

/** The list mode the `environments` job of `workflow` runs (`environments.ts deploy|pull-request`). */
export function listMode(workflow: Workflow): ListMode {
  const run = workflow.jobs.environments?.steps.map((step) => step.run ?? "").find((text) => text.includes("environments.ts"));
  const mode = /environments\.ts\s+(deploy|pull-request|ready)\b/.exec(run ?? "")?.[1];
  if (!mode) throw new Error(`${workflow.name}: no environments job running .github/scripts/environments.ts deploy|pull-request|ready`);
  return mode as ListMode;
}

/** The matrix entries `workflow`'s environments job outputs for `configDir`. */
export function entriesFor(workflow: Workflow, configDir = "config"): EnvironmentEntry[] {
  return environmentList(listMode(workflow), configDir);
}

const literal = (value: unknown) => (typeof value === "boolean" ? String(value) : `'${String(value)}'`);

/** `matrix.target.<field>` of an expression, replaced by the entry's value as a literal. */
const matrixValues = (entry: EnvironmentEntry) => (expression: string) =>
  expression.replace(/\bmatrix\.target\.(\w+)\b/g, (_all, name: string) => literal((entry as unknown as Record<string, unknown>)[name]));

/** Replaces, inside every `${{ }}` of `text`, the references `replace` knows; a reference that became a literal is inlined. */
function rewriteExpressions(text: string, replace: (expression: string) => string): string {
  return text.replace(/\$\{\{\s*([\s\S]*?)\s*\}\}/g, (_all, expression: string) => {
    const rewritten = replace(expression);
    const single = /^'([^']*)'$/.exec(rewritten);
    if (single) return single[1];
    if (rewritten === "true" || rewritten === "false") return rewritten;
    return `\${{ ${rewritten} }}`;
  });
}

/** A deep copy of `value` with every string mapped. */
function mapStrings<T>(value: T, map: (text: string, at: readonly string[]) => string, at: readonly string[] = []): T {
  if (typeof value === "string") return map(value, at) as T;
  if (Array.isArray(value)) return value.map((item, index) => mapStrings(item, map, [...at, String(index)])) as T;
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, mapStrings(item, map, [...at, key])])) as T;
  return value;
}

/** `$NAME`, `${NAME}` and `"$NAME"` of the given variables, replaced by their values (as bash expands them). */
function expandShell(text: string, variables: Readonly<Record<string, string>>): string {
  let out = text;
  for (const [name, valueOf] of Object.entries(variables)) {
    out = out.split(`"$${name}"`).join(valueOf).split(`\${${name}}`).join(valueOf).replace(new RegExp(`\\$${name}\\b`, "g"), valueOf);
  }
  return out;
}

/** The environment-specific variables of an env block, resolved (those whose value refers to the entry). */
function entryVariables(env: Record<string, unknown> | undefined, resolve: (text: string) => string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env ?? {})
      .filter(([, value]) => typeof value === "string" && /\b(inputs|matrix)\./.test(value))
      .map(([name, value]) => [name, resolve(String(value))]),
  );
}

/** `${{ env.NAME }}` of the given variables, inlined. */
const inlineEnv = (text: string, variables: Readonly<Record<string, string>>) =>
  text.replace(/\$\{\{\s*env\.(\w+)\s*\}\}/g, (all, name: string) => (name in variables ? variables[name] : all));

function renameNeeds(text: string, rename: (id: string) => string, ids: readonly string[]): string {
  return text.replace(/\$\{\{[\s\S]*?\}\}/g, (expression) => expression.replace(/\bneeds\.([\w-]+)\./g, (all, id: string) => (ids.includes(id) ? `needs.${rename(id)}.` : all)));
}

/**
 * The called workflow's jobs for one entry, as the call job `callJob` of the caller runs them:
 * ids `<job>-<environment>`, the caller's needs added, inputs inlined.
 */
export function instantiateCall(called: Workflow, callJob: Job & { with?: Record<string, unknown> }, entry: EnvironmentEntry): Record<string, Job> {
  const matrix = matrixValues(entry);
  const inputExpressions = Object.fromEntries(
    Object.entries(callJob.with ?? {}).map(([name, given]) => {
      const text = String(given);
      const whole = /^\$\{\{\s*([\s\S]*?)\s*\}\}$/.exec(text);
      return [name, whole ? matrix(whole[1]) : literal(text)];
    }),
  );
  const declared = Object.keys(((called.on.workflow_call ?? {}) as { inputs?: Record<string, unknown> }).inputs ?? {});
  const inputs = (expression: string) =>
    expression.replace(/\binputs\.(\w+)\b/g, (_all, name: string) => {
      if (!declared.includes(name)) throw new Error(`${called.name}: inputs.${name} is not declared`);
      if (!(name in inputExpressions)) throw new Error(`the call does not pass input ${name}`);
      return `(${inputExpressions[name]})`.replace(/^\((('[^']*')|true|false|[\w.-]+)\)$/, "$1");
    });
  const resolve = (text: string) => rewriteExpressions(text, inputs);
  const variables = entryVariables(called.env, resolve);
  const ids = Object.keys(called.jobs);
  const rename = (id: string) => `${id}-${entry.environment}`;
  const jobs: Record<string, Job> = {};
  for (const [id, job] of Object.entries(called.jobs)) {
    const concrete = mapStrings(job, (text) => expandShell(inlineEnv(renameNeeds(resolve(text), rename, ids), variables), variables));
    jobs[rename(id)] = { ...concrete, needs: [...needsOf(callJob), ...needsOf(job).map(rename)] };
  }
  return jobs;
}

/** A matrix job over `matrix.target` for one entry: id `<job>-<environment>`, matrix values inlined, no strategy. */
export function instantiateMatrixJob(job: Job & { strategy?: unknown }, id: string, entry: EnvironmentEntry): Record<string, Job> {
  const resolve = (text: string) => rewriteExpressions(text, matrixValues(entry));
  const variables = entryVariables(job.env, resolve);
  const { strategy: _strategy, ...rest } = job;
  return { [`${id}-${entry.environment}`]: mapStrings(rest as Job, (text) => expandShell(inlineEnv(resolve(text), variables), variables)) };
}

type CallJob = Job & { uses?: string; with?: Record<string, unknown>; strategy?: Record<string, any> };

/** The deploy workflow with its call job replaced by the called jobs of every entry (for the property checks). */
export function concreteDeploy(deploy: Workflow, called: Workflow, configDir = "config"): Workflow {
  const jobs: Record<string, Job> = {};
  for (const [id, job] of Object.entries(deploy.jobs) as [string, CallJob][]) {
    if (job.uses === undefined) jobs[id] = job;
    else for (const entry of entriesFor(deploy, configDir)) Object.assign(jobs, instantiateCall(called, job, entry));
  }
  return { ...deploy, jobs };
}

/** The pull-request workflow with its matrix job expanded per entry, and `needs:` on it expanded too. */
export function concretePullRequest(pullRequest: Workflow, configDir = "config"): Workflow {
  const entries = entriesFor(pullRequest, configDir);
  const matrixJobs = Object.entries(pullRequest.jobs).filter(([, job]) => (job as CallJob).strategy !== undefined).map(([id]) => id);
  const jobs: Record<string, Job> = {};
  for (const [id, job] of Object.entries(pullRequest.jobs)) {
    if (matrixJobs.includes(id)) for (const entry of entries) Object.assign(jobs, instantiateMatrixJob(job, id, entry));
    else jobs[id] = { ...job, ...(job.needs ? { needs: needsOf(job).flatMap((need) => (matrixJobs.includes(need) ? entries.map((entry) => `${need}-${entry.environment}`) : [need])) } : {}) };
  }
  return { ...pullRequest, jobs };
}

/** A committed workflow file, parsed. */
export function committedWorkflow(file: string, directory = WORKFLOW_DIR): Workflow {
  return parse(fs.readFileSync(path.join(directory, file), "utf8")) as Workflow;
}

/** Both pipelines of the committed workflows, concrete for `configDir`. */
export function concreteWorkflows(configDir = "config", workflows: { deploy?: Workflow; called?: Workflow; pullRequest?: Workflow } = {}) {
  const deploy = workflows.deploy ?? committedWorkflow("deploy.yml");
  const called = workflows.called ?? committedWorkflow("deploy-environment.yml");
  const pullRequest = workflows.pullRequest ?? committedWorkflow("pull-request.yml");
  return { deploy: concreteDeploy(deploy, called, configDir), pullRequest: concretePullRequest(pullRequest, configDir) };
}

/** Strings of `workflow` that name one of `names` literally (a generic workflow names none). */
export function literalEnvironmentValues(workflow: Workflow, entries: readonly EnvironmentEntry[]): string[] {
  const marks = entries.flatMap((entry) => [entry.plan_role_arn, entry.deploy_role_arn, entry.seed_role_arn, entry.stack, entry.seed_secret_id, `${entry.environment}-plan`, `${entry.environment}-deploy`, `${entry.environment}-seed`]);
  return stringsIn(workflow)
    .filter(({ value }) => marks.some((mark) => value.includes(mark)))
    .map(({ path: at, value }) => `${at.join(".")}: ${value}`);
}

/**
 * The deploy run evaluated with its own `needs:`, `if:` and matrix strategy: the caller's jobs,
 * then each entry's called jobs in list order. With `max-parallel: 1` an entry starts only after
 * the one before it ended, and with `fail-fast: true` a failed entry cancels every later one
 * (its jobs then never run: "skipped" here). Without both, a later entry runs whatever happened
 * to an earlier one.
 */
export function simulateDeploy(
  deploy: Workflow,
  called: Workflow,
  outcome: (jobId: string) => JobOutcome,
  github: Readonly<Record<string, string>>,
  configDir = "config",
): Record<string, JobResult> {
  const callers = Object.entries(deploy.jobs) as [string, CallJob][];
  const [callId, callJob] = callers.find(([, job]) => job.uses !== undefined) ?? [];
  if (!callId || !callJob) throw new Error("deploy.yml calls no workflow");
  // Jobs that wait for the call job (a verdict at the end) are evaluated after every entry.
  const after = callers.filter(([id]) => id !== callId && needsOf(deploy.jobs[id]).includes(callId)).map(([id]) => id);
  const before = callers.filter(([id]) => !after.includes(id));
  const finished = { results: {} as Record<string, JobResult>, outputs: {} as Record<string, Readonly<Record<string, string>>> };
  // The call job itself: does it start (its if:, its needs)?
  const callerOnly = { ...deploy, jobs: Object.fromEntries(before.map(([id, job]) => [id, id === callId ? { ...job, steps: [] } : job])) } as Workflow;
  simulate(callerOnly, (id) => (id === callId ? { result: "success" } : outcome(id)), github, finished);
  const started = finished.results[callId] !== "skipped";
  delete finished.results[callId];
  const sequential = callJob.strategy?.["max-parallel"] === 1 && callJob.strategy?.["fail-fast"] === true;
  let stopped = !started;
  let failed = false;
  const entryJobs: string[] = [];
  for (const entry of entriesFor(deploy, configDir)) {
    const jobs = instantiateCall(called, callJob, entry);
    entryJobs.push(...Object.keys(jobs));
    if (stopped) {
      for (const id of Object.keys(jobs)) finished.results[id] = "skipped";
      continue;
    }
    simulate({ ...deploy, jobs: { ...Object.fromEntries(before.filter(([id]) => id !== callId)), ...jobs } } as Workflow, outcome, github, finished);
    if (Object.keys(jobs).some((id) => finished.results[id] === "failure")) {
      failed = true;
      if (sequential) stopped = true;
    }
  }
  if (after.length > 0) {
    // The call job's result, as the jobs after it see it: failure if an entry failed, skipped if it never started.
    const results = { ...finished.results, [callId]: (!started ? "skipped" : failed ? "failure" : "success") as JobResult };
    const outputs = { ...finished.outputs };
    const rest = { ...deploy, jobs: Object.fromEntries(callers.filter(([id]) => id === callId || before.some(([other]) => other === id) || after.includes(id)).map(([id, job]) => [id, id === callId ? { ...job, steps: [] } : job])) } as Workflow;
    simulate(rest, outcome, github, { results, outputs });
    for (const id of after) finished.results[id] = results[id];
  }
  return finished.results;
}
