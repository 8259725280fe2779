/*
 * Properties of the deploy workflows under GitHub's real behaviour (issue 20), each returning its
 * violations (empty: it holds): interrupted applies, the state lock as what keeps applies apart,
 * the deploy order checked in the apply job, secrets, strict shells, and reusable-workflow calls.
 */
import { environmentName } from "./workflow-properties";
import type { Job, Step, Workflow } from "./workflows";

const runOf = (step: Step) => step.run ?? "";
const WRAPPED = /^exec bash "\$GITHUB_WORKSPACE\/\.github\/scripts\/terraform-interruptible\.sh" (\d+)([smh]) (terraform [^\n]*)\n?$/;
const minutes = (amount: string, unit: string) => Number(amount) * ({ s: 1 / 60, m: 1, h: 60 } as Record<string, number>)[unit];

/** A step that takes the state lock: an apply, or a plan without -lock=false. */
const takesLock = (step: Step) => /\bterraform\s+apply\b/.test(runOf(step)) || (/\bterraform\s+plan\b/.test(runOf(step)) && !/-lock=false\b/.test(runOf(step)));

/**
 * Every Terraform command that takes the state lock is the step's own process through the wrapper
 * (so a cancel reaches it), waits for the lock a bounded time, and is interrupted by the wrapper
 * early enough that the job's timeout leaves it `marginMinutes` to stop cleanly.
 */
export function lockHoldersNotInterruptible(workflow: Workflow, marginMinutes = 10): string[] {
  const problems: string[] = [];
  for (const [id, job] of Object.entries(workflow.jobs)) {
    let limits = 0;
    for (const step of job.steps.filter(takesLock)) {
      const wrapped = WRAPPED.exec(runOf(step));
      if (!wrapped) {
        problems.push(`${id}: \`${runOf(step).trim()}\` takes the state lock but is not exec'd through terraform-interruptible.sh`);
        continue;
      }
      const limit = minutes(wrapped[1], wrapped[2]);
      limits += limit;
      const lockTimeout = /-lock-timeout=(\d+)([smh])\b/.exec(wrapped[3]);
      if (!lockTimeout) problems.push(`${id}: \`${wrapped[3]}\` has no -lock-timeout (it would fail at once while another apply holds the lock)`);
      else if (minutes(lockTimeout[1], lockTimeout[2]) >= limit) problems.push(`${id}: \`${wrapped[3]}\` may wait for the lock as long as its limit`);
    }
    const timeout = job["timeout-minutes"];
    if (limits > 0 && !(timeout !== undefined && limits + marginMinutes <= timeout)) {
      problems.push(`${id}: its Terraform limits (${limits} min) leave less than ${marginMinutes} min of its timeout (${timeout ?? "none"}) to stop cleanly`);
    }
  }
  return problems;
}

/** Every job that applies pushes errored.tfstate, with a fresh session, on a failure and on a cancel. */
export function erroredStateLeftBehind(workflow: Workflow): string[] {
  const problems: string[] = [];
  for (const [id, job] of Object.entries(workflow.jobs)) {
    if (!job.steps.some((step) => /\bterraform\s+apply\b/.test(runOf(step)))) continue;
    const push = job.steps.findIndex((step) => /push-errored-state\.sh/.test(runOf(step)));
    if (push < 0) {
      problems.push(`${id}: applies but never pushes errored.tfstate`);
      continue;
    }
    const condition = job.steps[push].if ?? "";
    for (const needed of ["failure()", "cancelled()", "errored.tfstate"]) if (!condition.includes(needed)) problems.push(`${id}: the errored.tfstate push does not run on ${needed === "errored.tfstate" ? "the file's presence" : needed}`);
    const fresh = job.steps.slice(0, push).reverse().find((step) => step.uses?.startsWith("aws-actions/configure-aws-credentials@"));
    if (!fresh || fresh.if !== condition) problems.push(`${id}: no fresh session (configure-aws-credentials with the same if:) right before the push`);
  }
  return problems;
}

/** Every job that applies checks the deploy order (this run's jobs) before its first Terraform command that takes the lock. */
export function orderNotChecked(workflow: Workflow): string[] {
  const problems: string[] = [];
  for (const [id, job] of Object.entries(workflow.jobs)) {
    if (!job.steps.some((step) => /\bterraform\s+apply\b/.test(runOf(step)))) continue;
    const check = job.steps.findIndex((step) => /deploy-order\.ts --environment\b/.test(runOf(step)));
    const first = job.steps.findIndex(takesLock);
    if (check < 0 || check > first) problems.push(`${id}: applies without first checking the environments before it finished (deploy-order.ts)`);
    else if (!String(job.steps[check].env?.GH_TOKEN ?? "").includes("github.token")) problems.push(`${id}: the deploy-order check has no GH_TOKEN`);
    if (typeof job.permissions !== "object" || job.permissions.actions !== "read") problems.push(`${id}: cannot read this run's jobs (permissions: actions: read)`);
  }
  return problems;
}

/**
 * Secrets: every job that reads an Atlas secret stops first when one is empty (required-secrets.ts,
 * naming its own GitHub environment, each secret under its own name), and every call of a reusable
 * workflow whose jobs read secrets passes them on (`secrets: inherit`).
 */
export function secretsProblems(workflow: Workflow, called: Readonly<Record<string, Workflow>> = {}): string[] {
  const problems: string[] = [];
  for (const [id, job] of Object.entries(workflow.jobs) as [string, Job & { uses?: string; secrets?: unknown }][]) {
    if (job.uses !== undefined) {
      const callee = called[job.uses.replace(/^\.\/\.github\/workflows\//, "")];
      if (callee && JSON.stringify(callee).includes("secrets.") && job.secrets !== "inherit") problems.push(`${id}: calls ${job.uses} without secrets: inherit`);
      continue;
    }
    const reads = job.steps.map((step, index) => ({ index, names: [...JSON.stringify(step.env ?? {}).matchAll(/secrets\.(ATLAS_\w+)/g)].map((match) => match[1]) }));
    const terraform = reads.find(({ index, names }) => names.length > 0 && !/required-secrets\.ts/.test(runOf(job.steps[index])));
    if (!terraform) continue;
    const check = job.steps.findIndex((step) => /required-secrets\.ts\b/.test(runOf(step)));
    if (check < 0 || check > terraform.index) {
      problems.push(`${id}: reads ${terraform.names.join(", ")} without first refusing empty secrets (required-secrets.ts)`);
      continue;
    }
    const step = job.steps[check];
    for (const name of new Set(reads.flatMap(({ names }) => names))) {
      if (step.env?.[name] !== `\${{ secrets.${name} }}`) problems.push(`${id}: the empty-secret check does not get ${name} under its own name`);
    }
    const named = /--github-environment "?([^"\s]+)"?/.exec(runOf(step))?.[1];
    const own = environmentName(job);
    if (named !== own && !(own ?? "").includes("${{") ) problems.push(`${id}: the empty-secret check names ${named ?? "no"} GitHub environment, not its own (${own})`);
  }
  return problems;
}

/** Every `run:` runs under bash with pipefail (`defaults.run.shell: bash`; unset, GitHub runs `bash -e`). */
export function shellsNotStrict(workflow: Workflow & { defaults?: { run?: { shell?: string } } }): string[] {
  const shell = workflow.defaults?.run?.shell;
  const problems = shell === "bash" ? [] : [`${workflow.name}: defaults.run.shell is ${shell ?? "unset (bash -e, no pipefail)"}`];
  for (const [jobId, job] of Object.entries(workflow.jobs)) {
    for (const step of job.steps ?? []) {
      const own = (step as Step & { shell?: string }).shell;
      if (step.run !== undefined && own !== undefined && own !== "bash") problems.push(`${jobId}: a step with shell: ${own}`);
    }
  }
  return problems;
}

/** Each call of a reusable workflow passes exactly the inputs the callee declares: none missing, none unknown. */
export function callInputProblems(workflow: Workflow, called: Readonly<Record<string, Workflow>>): string[] {
  const problems: string[] = [];
  for (const [id, job] of Object.entries(workflow.jobs) as [string, Job & { uses?: string; with?: Record<string, unknown> }][]) {
    if (job.uses === undefined || !job.uses.startsWith("./")) continue;
    const file = job.uses.replace(/^\.\/\.github\/workflows\//, "");
    const callee = called[file];
    if (!callee) {
      problems.push(`${id}: calls ${job.uses}, which is not committed`);
      continue;
    }
    const inputs = ((callee.on.workflow_call ?? {}) as { inputs?: Record<string, { required?: boolean; type?: string }> }).inputs ?? {};
    const given = Object.keys(job.with ?? {});
    for (const name of given) if (!(name in inputs)) problems.push(`${id}: passes ${name}, which ${file} does not declare`);
    for (const [name, input] of Object.entries(inputs)) {
      if (!given.includes(name)) problems.push(`${id}: does not pass ${name}${input.required ? " (required)" : ""} to ${file}`);
    }
  }
  return problems;
}

/**
 * Every deploy plan (the plan the approvers approve) first waits until no other run applies its
 * environment: the apply job is in no queue, so without the wait a plan could read the state from
 * before a running apply, and its approved digest would never match the apply job's fresh plan.
 */
export function plansBesideApplies(workflow: Workflow): string[] {
  const problems: string[] = [];
  for (const [id, job] of Object.entries(workflow.jobs)) {
    const plan = job.steps.findIndex((step) => /\bterraform\s+plan\b[^\n]*-lock=false/.test(runOf(step)));
    if (plan < 0 || !job.steps.some((step) => /plan-review\.ts publish\b/.test(runOf(step)))) continue;
    const wait = job.steps.findIndex((step) => /deploy-order\.ts --running-applies\b/.test(runOf(step)));
    if (wait < 0 || wait > plan) problems.push(`${id}: plans without first waiting for another run's apply of its environment`);
    if (typeof job.permissions !== "object" || job.permissions.actions !== "read") problems.push(`${id}: cannot see other runs' jobs (permissions: actions: read)`);
  }
  return problems;
}
