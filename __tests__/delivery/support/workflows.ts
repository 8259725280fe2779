import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

/** The parts of a GitHub Actions workflow the delivery tests read. */
export interface Step {
  readonly name?: string;
  readonly id?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly if?: string;
  readonly with?: Record<string, unknown>;
  readonly env?: Record<string, unknown>;
  readonly "working-directory"?: string;
}

export interface Job {
  readonly name?: string;
  readonly needs?: string | readonly string[];
  readonly if?: string;
  readonly "runs-on": string | readonly string[];
  readonly environment?: string | { readonly name: string };
  readonly concurrency?: string | { readonly group: string; readonly "cancel-in-progress"?: boolean | string };
  readonly permissions?: Record<string, string> | string;
  readonly env?: Record<string, unknown>;
  readonly services?: Record<string, Service>;
  readonly outputs?: Record<string, string>;
  readonly "timeout-minutes"?: number;
  readonly steps: readonly Step[];
}

/** A service container of a job. */
export interface Service {
  readonly image: string;
  readonly ports?: readonly (string | number)[];
  readonly options?: string;
  readonly env?: Record<string, unknown>;
}

export interface Workflow {
  readonly name: string;
  readonly on: Record<string, unknown>;
  readonly permissions?: Record<string, string> | string;
  readonly concurrency?: { readonly group: string; readonly "cancel-in-progress"?: boolean | string };
  readonly env?: Record<string, unknown>;
  readonly jobs: Record<string, Job>;
}

export const WORKFLOW_DIR = path.join(".github", "workflows");

/** The committed workflows, raw text and parsed (YAML 1.2, so `on:` stays the string "on"). */
export function loadWorkflows(directory = WORKFLOW_DIR): { readonly file: string; readonly text: string; readonly workflow: Workflow }[] {
  const texts: Record<string, string> = Object.fromEntries(
    fs
      .readdirSync(directory)
      .filter((file) => /\.ya?ml$/.test(file))
      .map((file) => [file, fs.readFileSync(path.join(directory, file), "utf8")]),
  );
  return Object.keys(texts)
    .sort()
    .map((file) => ({ file, text: texts[file], workflow: parse(texts[file]) as Workflow }));
}

export function loadWorkflow(file: string): Workflow {
  const found = loadWorkflows().find((entry) => entry.file === file);
  if (!found) throw new Error(`no workflow ${file} is committed`);
  return found.workflow;
}

/** The text of one committed workflow. */
export function workflowText(file: string): string {
  const found = loadWorkflows().find((entry) => entry.file === file);
  if (!found) throw new Error(`no workflow ${file} is committed`);
  return found.text;
}

export function needsOf(job: Job): string[] {
  if (job.needs === undefined) return [];
  return typeof job.needs === "string" ? [job.needs] : [...job.needs];
}

/** Every job `jobId` waits for, directly or through other jobs. */
export function transitiveNeeds(workflow: Workflow, jobId: string): Set<string> {
  const found = new Set<string>();
  const visit = (id: string) => {
    const job = workflow.jobs[id];
    if (!job) throw new Error(`job ${id} does not exist`);
    for (const need of needsOf(job)) {
      if (!found.has(need)) {
        found.add(need);
        visit(need);
      }
    }
  };
  visit(jobId);
  return found;
}

/** Every string in a parsed YAML value, with its path (jobs.plan.steps.5.env.X). */
export function stringsIn(value: unknown, at: string[] = []): { readonly path: string[]; readonly value: string }[] {
  if (typeof value === "string") return [{ path: at, value }];
  if (Array.isArray(value)) return value.flatMap((item, index) => stringsIn(item, [...at, String(index)]));
  if (value && typeof value === "object") return Object.entries(value).flatMap(([key, item]) => stringsIn(item, [...at, key]));
  return [];
}

/** Every step of every job, with the job it belongs to. */
export function allSteps(workflow: Workflow): { readonly jobId: string; readonly job: Job; readonly step: Step; readonly index: number }[] {
  return Object.entries(workflow.jobs).flatMap(([jobId, job]) => job.steps.map((step, index) => ({ jobId, job, step, index })));
}

/** `${{ env.NAME }}` resolved against the job's and then the workflow's env; anything else as is. */
export function resolveEnv(value: unknown, job: Job, workflow: Workflow): unknown {
  const reference = typeof value === "string" ? /^\$\{\{\s*env\.(\w+)\s*\}\}$/.exec(value) : null;
  if (!reference) return value;
  return job.env?.[reference[1]] ?? workflow.env?.[reference[1]];
}

/** The action a `uses:` names, without the ref: "actions/checkout". */
export function actionName(uses: string): string {
  return uses.split("@")[0];
}
