/*
 * The properties the delivery workflows must keep, each as a function that returns its violations
 * (empty: the property holds). The tests run each on the committed workflows, and on a copy with
 * the property broken, to see it fail.
 */
import type { PipelineEnvironment } from "../../../.github/scripts/pipeline";
import { actionName, allSteps, stringsIn, type Job, type Step, type Workflow } from "./workflows";

export function environmentName(job: Job): string | undefined {
  return typeof job.environment === "string" ? job.environment : job.environment?.name;
}

/** The pipeline environment and purpose a GitHub environment name belongs to (`<env>-<purpose>`). */
export function ownerOf(
  githubEnvironment: string,
  environments: readonly PipelineEnvironment[],
): { readonly environment: PipelineEnvironment; readonly purpose: "plan" | "deploy" | "seed" | "seed-approval" | "drill" } | undefined {
  for (const purpose of ["seed-approval", "plan", "deploy", "seed", "drill"] as const) {
    const environment = environments.find((candidate) => githubEnvironment === `${candidate.name}-${purpose}`);
    if (environment) return { environment, purpose };
  }
  return undefined;
}

const usesAction = (step: Step, action: string) => step.uses !== undefined && actionName(step.uses) === action;
const runOf = (step: Step) => step.run ?? "";
const isCredentialStep = (step: Step) => usesAction(step, "aws-actions/configure-aws-credentials");

/** Secrets a job reads (GITHUB_TOKEN aside). */
function secretsIn(value: unknown): string[] {
  return stringsIn(value).flatMap(({ value: text }) => [...text.matchAll(/\bsecrets\.(\w+)/g)].map((match) => match[1])).filter((name) => name !== "GITHUB_TOKEN");
}

/** Every job with `id-token: write` names an environment (so its OIDC subject is `environment:<name>`). */
export function idTokenJobsWithoutEnvironment(workflow: Workflow): string[] {
  const problems: string[] = [];
  const top = workflow.permissions;
  if (top === "write-all" || (typeof top === "object" && top["id-token"] === "write")) problems.push("workflow-level permissions grant id-token: write");
  for (const [id, job] of Object.entries(workflow.jobs)) {
    const permissions = job.permissions;
    const idToken = permissions === "write-all" || (typeof permissions === "object" && permissions["id-token"] === "write");
    if (idToken && !environmentName(job)) problems.push(`${id}: id-token: write without an environment`);
    if (!idToken && job.steps.some(isCredentialStep)) problems.push(`${id}: assumes an AWS role without id-token: write`);
  }
  return problems;
}

/** `terraform apply` only ever applies a saved plan, right after the fresh plan matched the approved digest. */
export function appliesNotOfSavedPlan(workflow: Workflow): string[] {
  const problems: string[] = [];
  for (const { jobId, job, step, index } of allSteps(workflow)) {
    const run = runOf(step);
    if (/\bcdktf\s+(deploy|apply|destroy)\b/.test(run)) problems.push(`${jobId}: runs cdktf deploy/destroy (it plans again and auto-approves)`);
    if (/-auto-approve\b|--auto-approve\b/.test(run)) problems.push(`${jobId}: auto-approves`);
    if (/\bterraform\s+destroy\b/.test(run)) problems.push(`${jobId}: runs terraform destroy`);
    if (/\bnpm\s+run\s+deploy\b/.test(run)) problems.push(`${jobId}: runs npm run deploy`);
    const apply = /\bterraform\s+apply\b([^\n;&|]*)/.exec(run);
    if (!apply) continue;
    const args = apply[1].trim().split(/\s+/).filter(Boolean);
    const planFile = args.filter((arg) => !arg.startsWith("-")).pop();
    if (!planFile) {
      problems.push(`${jobId}: terraform apply without a saved plan file`);
      continue;
    }
    const dir = step["working-directory"];
    const before = job.steps.slice(0, index).map((candidate, at) => ({ candidate, at }));
    const check = before
      .filter(({ candidate }) => /plan-review\.ts check\b/.test(runOf(candidate)) && runOf(candidate).includes(`--plan ${planFile}`) && runOf(candidate).includes(`--dir ${String(dir)}`))
      .pop();
    if (!check) {
      problems.push(`${jobId}: applies ${planFile} without checking its digest against the approved plan first`);
      continue;
    }
    const saved = before
      .slice(0, check.at)
      .some(({ candidate }) => new RegExp(`\\bterraform\\s+plan\\b[^\\n]*-out=${planFile}\\b`).test(runOf(candidate)) && candidate["working-directory"] === dir);
    if (!saved) problems.push(`${jobId}: applies ${planFile}, which no step before the check saved with terraform plan -out in ${String(dir)}`);
    if (before.slice(check.at + 1).some(({ candidate }) => /\bterraform\s+plan\b/.test(runOf(candidate)))) problems.push(`${jobId}: plans again between the checked plan and the apply`);
  }
  return problems;
}

/** Artifact and cache paths that could hold a plan file, plan JSON or state. */
const ALLOWED_ARTIFACT_PATHS = [
  /\.md$/,
  /(^|\/)cdk\.tf\.json$/,
  /(^|\/)cdk\.tf$/,
  /(^|\/)manifest\.json$/,
  // drift.yml: facts written by drift-report.ts (addresses, actions, attribute names; the plan stays in its memory).
  /^drift-facts\/$/,
  // drill.yml: the drill's report (times, RTO, RPO, counts; no credential).
  /^drill-(report|cleanup)-\*\.json$/,
];

export function artifactsHoldingPlanOrState(workflow: Workflow): string[] {
  const problems: string[] = [];
  for (const { jobId, step } of allSteps(workflow)) {
    if (usesAction(step, "actions/upload-artifact") || usesAction(step, "actions/cache")) {
      const paths = String(step.with?.path ?? "")
        .split("\n")
        .map((line) => line.trim())
        .filter((line) => line.length > 0 && !line.startsWith("!"));
      if (paths.length === 0) problems.push(`${jobId}: an artifact without a path`);
      for (const entry of paths) {
        if (!ALLOWED_ARTIFACT_PATHS.some((pattern) => pattern.test(entry))) problems.push(`${jobId}: artifact path ${entry} could hold a plan, plan JSON or state`);
      }
    }
    const run = runOf(step);
    if (/\bterraform\s+show\b[^\n]*-json/.test(run)) problems.push(`${jobId}: writes plan JSON (terraform show -json) out of the script that keeps it in memory`);
    if (/\bterraform\s+state\s+pull\b/.test(run)) problems.push(`${jobId}: pulls the state`);
  }
  return problems;
}

/** Every `uses:` is a local action or pinned to a full commit SHA, with the version in a comment. */
export function unpinnedActions(text: string): string[] {
  return text
    .split("\n")
    .filter((line) => /^\s*(-\s+)?uses:/.test(line))
    .map((line) => line.trim().replace(/^-\s+/, ""))
    .filter((line) => !/^uses:\s+\.\//.test(line) && !/^uses:\s+[\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+(\.\d+)*$/.test(line));
}

/** No job holds credentials of two environments, or of an environment other than its own. */
export function jobsMixingEnvironments(workflow: Workflow, environments: readonly PipelineEnvironment[]): string[] {
  const problems: string[] = [];
  const roleOf = (environment: PipelineEnvironment, purpose: string) =>
    ({ plan: environment.planRoleArn, deploy: environment.deployRoleArn, seed: environment.seedRoleArn })[purpose];
  for (const [id, job] of Object.entries(workflow.jobs)) {
    const name = environmentName(job);
    const owner = name === undefined ? undefined : ownerOf(name, environments);
    const roles = job.steps.filter(isCredentialStep).map((step) => String(step.with?.["role-to-assume"]));
    const secrets = secretsIn(job);
    const holdsCredentials = roles.length > 0 || secrets.length > 0 || (typeof job.permissions === "object" && job.permissions["id-token"] === "write");
    if (name !== undefined && owner === undefined) problems.push(`${id}: environment ${name} belongs to no environment file`);
    if (!holdsCredentials) continue;
    if (!owner) {
      problems.push(`${id}: holds credentials (${[...roles, ...secrets.map((secret) => `secrets.${secret}`)].join(", ") || "id-token"}) without an environment of its own`);
      continue;
    }
    for (const role of roles) {
      if (role !== roleOf(owner.environment, owner.purpose)) problems.push(`${id}: assumes ${role} in ${name}, whose role is ${roleOf(owner.environment, owner.purpose) ?? "none"}`);
    }
    if (secrets.length > 0 && owner.purpose !== "plan" && owner.purpose !== "deploy" && owner.purpose !== "drill") problems.push(`${id}: reads secrets in ${name}, which holds none`);
    // <env>-drill holds the drill's Atlas key and nothing else.
    if (owner.purpose === "drill") for (const secret of secrets.filter((candidate) => !/^ATLAS_DRILL_/.test(candidate))) problems.push(`${id}: reads secrets.${secret} in ${name}, which holds only the drill key`);
    // Nothing of another environment: no other file's roles, stacks or environment names in the job.
    const others = environments.filter((environment) => environment.name !== owner.environment.name);
    for (const { value } of stringsIn(job)) {
      for (const other of others) {
        const foreign = [other.planRoleArn, other.deployRoleArn, other.seedRoleArn, other.stack, other.seedSecretId].find((mark) => value.includes(mark));
        const named = new RegExp(`(--environment|preflight\\.ts)\\s+${other.name}\\b`).test(value);
        if (foreign || named) problems.push(`${id} (${name}): refers to ${other.name} (${foreign ?? other.name})`);
      }
    }
  }
  return problems;
}

/** Every AWS session outlives the job that uses it. */
export function sessionsShorterThanJobs(workflow: Workflow): string[] {
  const problems: string[] = [];
  for (const { jobId, job, step } of allSteps(workflow)) {
    if (!isCredentialStep(step)) continue;
    const seconds = Number(step.with?.["role-duration-seconds"]);
    const timeout = Number((job as { "timeout-minutes"?: number })["timeout-minutes"]);
    if (!Number.isFinite(timeout)) problems.push(`${jobId}: no timeout-minutes`);
    else if (!(seconds > timeout * 60)) problems.push(`${jobId}: role-duration-seconds ${step.with?.["role-duration-seconds"] ?? "(default 3600)"} does not outlive timeout-minutes ${timeout}`);
  }
  return problems;
}

const HEAD_CHECK = /\/repos\/\$GITHUB_REPOSITORY\/git\/ref\/heads\/main"[\s\S]*"\$head" != "\$GITHUB_SHA"[\s\S]*exit 1/;

/** Whether a job's GitHub environment is one that has (or may have) required reviewers: `<env>-deploy`, `<env>-seed-approval`. */
export function waitsForApproval(job: Job, environments: readonly PipelineEnvironment[]): boolean {
  const name = environmentName(job);
  const owner = name === undefined ? undefined : ownerOf(name, environments);
  return owner?.purpose === "deploy" || owner?.purpose === "seed-approval";
}

/**
 * Deploy concurrency: no workflow-level group; the first job joins none and checks the run deploys
 * the head of main. A job that waits for approval joins no group (a waiting approval would hold
 * the environment's queue, and every newer commit's job in it would wait or be cancelled), and
 * checks the head of main first once approved. Every other job holding an environment's
 * credentials queues in that environment's own group without cancelling, and only in the attempt
 * whose first job checked the head. Every job that applies checks the head again first.
 */
export function deployConcurrencyProblems(workflow: Workflow, environments: readonly PipelineEnvironment[]): string[] {
  const problems: string[] = [];
  if (workflow.concurrency !== undefined) problems.push("a workflow-level concurrency group");
  const roots = Object.entries(workflow.jobs).filter(([, job]) => job.needs === undefined || (Array.isArray(job.needs) && job.needs.length === 0));
  if (roots.length !== 1) problems.push(`expected one first job, found ${roots.map(([id]) => id).join(", ") || "none"}`);
  for (const [id, job] of roots) {
    if (job.concurrency !== undefined) problems.push(`${id}: the first job joins a concurrency group`);
    if (!job.steps.some((step) => HEAD_CHECK.test(runOf(step)))) problems.push(`${id}: the first job does not check the run deploys the head of main`);
  }
  for (const [id, job] of Object.entries(workflow.jobs)) {
    const name = environmentName(job);
    const owner = name === undefined ? undefined : ownerOf(name, environments);
    const credentials = typeof job.permissions === "object" && job.permissions["id-token"] === "write";
    const approval = waitsForApproval(job, environments);
    if (approval) {
      if (job.concurrency !== undefined) problems.push(`${id}: waits for approval inside a concurrency group (the waiting approval would hold the queue of ${owner?.environment.name})`);
      if (!HEAD_CHECK.test(runOf(job.steps[0] ?? {}))) problems.push(`${id}: waits for approval without checking the head of main first once approved`);
    } else if (credentials) {
      const group = typeof job.concurrency === "object" ? job.concurrency : undefined;
      if (!owner || group?.group !== `deploy-${owner.environment.name}`) problems.push(`${id}: not in the concurrency group of its environment`);
      if (group?.["cancel-in-progress"] !== false) problems.push(`${id}: its concurrency group may cancel a job in progress`);
    }
    if (job.concurrency !== undefined && !roots.some(([rootId]) => rootId === id)) {
      const needs = job.needs === undefined ? [] : typeof job.needs === "string" ? [job.needs] : job.needs;
      const [root] = roots.map(([rootId]) => rootId);
      const fresh = `needs.${root}.outputs.attempt == github.run_attempt`;
      if (!needs.includes(root) || !(job.if ?? "").includes(fresh)) problems.push(`${id}: joins a queue without requiring the head check of this attempt (${fresh})`);
    }
    const applies = job.steps.some((step) => /\bterraform\s+apply\b|seed-plan\.ts apply\b/.test(runOf(step)));
    if (applies && !HEAD_CHECK.test(runOf(job.steps[0]))) problems.push(`${id}: applies without first checking it deploys the head of main`);
  }
  return problems;
}

/** What pull-request code may reach: only the plan environments of non-production environments. */
export function pullRequestReach(workflow: Workflow, environments: readonly PipelineEnvironment[]): string[] {
  const problems: string[] = [];
  for (const [id, job] of Object.entries(workflow.jobs)) {
    const name = environmentName(job);
    if (name === undefined) continue;
    const owner = ownerOf(name, environments);
    if (!owner || owner.purpose !== "plan" || owner.environment.production) problems.push(`${id}: pull requests reach ${name}`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// A small evaluator of the job graph: which jobs run, given each job's own outcome. It reads the
// `needs:` and `if:` the workflow has (the subset of GitHub's expression language it uses).

export type JobResult = "success" | "failure" | "skipped";

export interface JobOutcome {
  readonly result: "success" | "failure";
  readonly outputs?: Readonly<Record<string, string>>;
}

type Value = string | boolean;

function evaluate(expression: string, lookup: (path: string) => Value, call: (name: string) => boolean): boolean {
  const tokens = expression.match(/'[^']*'|&&|\|\||==|!=|!|\(|\)|[A-Za-z_][\w.-]*(?:\(\))?/g) ?? [];
  let at = 0;
  const peek = () => tokens[at];
  const next = () => tokens[at++];
  const truthy = (value: Value) => value !== "" && value !== false;
  function or(): Value {
    let left = and();
    while (peek() === "||") {
      next();
      const right = and();
      left = truthy(left) ? left : right;
    }
    return left;
  }
  function and(): Value {
    let left = equality();
    while (peek() === "&&") {
      next();
      const right = equality();
      left = truthy(left) ? right : left;
    }
    return left;
  }
  function equality(): Value {
    const left = unary();
    if (peek() === "==" || peek() === "!=") {
      const operator = next();
      const right = unary();
      return operator === "==" ? String(left) === String(right) : String(left) !== String(right);
    }
    return left;
  }
  function unary(): Value {
    if (peek() === "!") {
      next();
      return !truthy(unary());
    }
    return primary();
  }
  function primary(): Value {
    const token = next();
    if (token === undefined) throw new Error(`unexpected end of ${expression}`);
    if (token === "(") {
      const value = or();
      if (next() !== ")") throw new Error(`missing ) in ${expression}`);
      return value;
    }
    if (token.startsWith("'")) return token.slice(1, -1);
    if (token === "true" || token === "false") return token === "true";
    if (token.endsWith("()")) return call(token.slice(0, -2));
    return lookup(token);
  }
  const value = or();
  if (at !== tokens.length) throw new Error(`cannot read ${expression} past ${tokens[at]}`);
  return truthy(value);
}

/**
 * The result of every job, in GitHub's terms: a job runs when its `if:` holds (without a status
 * function, only when every job it needs succeeded), and then ends as `outcome(jobId)` says.
 */
export function simulate(
  workflow: Workflow,
  outcome: (jobId: string) => JobOutcome,
  github: Readonly<Record<string, string>> = {},
  finished: { readonly results: Record<string, JobResult>; readonly outputs: Record<string, Readonly<Record<string, string>>> } = { results: {}, outputs: {} },
): Record<string, JobResult> {
  // Jobs already finished (an earlier part of the run) keep their results and outputs.
  const { results, outputs } = finished;
  const needsOf = (job: Job) => (job.needs === undefined ? [] : typeof job.needs === "string" ? [job.needs] : [...job.needs]);
  const pending = Object.keys(workflow.jobs).filter((id) => !(id in results));
  while (pending.length > 0) {
    const index = pending.findIndex((id) => needsOf(workflow.jobs[id]).every((need) => need in results));
    if (index < 0) throw new Error(`jobs wait for each other: ${pending.join(", ")}`);
    const [id] = pending.splice(index, 1);
    const job = workflow.jobs[id];
    const needs = needsOf(job);
    const raw = (job.if ?? "").replace(/^\$\{\{\s*|\s*\}\}$/g, "").trim();
    const expression = /\b(success|failure|cancelled|always)\(\)/.test(raw) ? raw : raw ? `success() && (${raw})` : "success()";
    const runs = evaluate(
      expression,
      (path) => {
        const parts = path.split(".");
        if (parts[0] === "needs") {
          if (!needs.includes(parts[1])) throw new Error(`${id} reads needs.${parts[1]}, which it does not need`);
          if (parts[2] === "result") return results[parts[1]];
          if (parts[2] === "outputs") return outputs[parts[1]]?.[parts[3]] ?? "";
        }
        if (parts[0] === "github") return github[parts.slice(1).join(".")] ?? "";
        throw new Error(`${id}: the evaluator does not know ${path}`);
      },
      (name) => {
        if (name === "success") return needs.every((need) => results[need] === "success");
        if (name === "failure") return needs.some((need) => results[need] === "failure");
        if (name === "cancelled") return false;
        if (name === "always") return true;
        throw new Error(`unknown function ${name}()`);
      },
    );
    if (!runs) {
      results[id] = "skipped";
      continue;
    }
    const ended = outcome(id);
    results[id] = ended.result;
    outputs[id] = ended.result === "success" ? (ended.outputs ?? {}) : {};
  }
  return results;
}
