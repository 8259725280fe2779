/*
 * The nightly drift report (workflow drift.yml). Per environment it reads two results, the plan
 * made with the read-only plan role (`terraform plan -detailed-exitcode -lock=false`, shown as
 * JSON) and `seed plan`, and tells apart:
 *   - drift: changes made outside Terraform (the plan's `resource_drift`), or a database whose
 *     collections, validators or indexes conflict with the declared shape (seed plan exit 3);
 *   - pending changes: merged to main but not applied yet (the plan's `resource_changes`, and a
 *     seed plan with changes to make, exit 2).
 * Then it keeps one GitHub issue per environment (label `drift`, found by a marker in its body):
 * opened or updated while there is drift, closed with a comment once the environment is clean.
 *
 *   drift-report.ts plan-facts --environment <env> --stack <stack> --plan-exit <n> --dir <stack dir> --plan <planfile> --out <file>
 *   drift-report.ts seed-facts --environment <env> --seed-exit <n> [--seed-output <file>] --out <file>
 *   drift-report.ts sync --facts <dir>          (GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_API_URL, GITHUB_RUN_ID)
 *
 * The plan job reduces its plan to facts that hold addresses, actions and values exactly as the
 * approvers' plan summary prints them: sensitive values masked wherever they appear, unknown ones
 * "(known after apply)" (the plan file itself holds secrets and never leaves its job); the seed job keeps its exit code and the plan it printed (names only). The
 * report job, which holds no cloud credential, joins the two per environment.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { EXIT } from "../../src/seed/exit-codes";
import { altersState, type ShownPlan, type ShownResourceChange } from "./plan-digest";
import { gitHubFromEnv, runReportCli, syncEnvironmentIssue, type GitHubIssues, type IssueAction, type IssueKind } from "./github-issues";
import { showPlan } from "./plan-review";
import { attributeChanges, sensitiveValues, type AttributeChange } from "./plan-values";
import { actionOf, headline, renderSummary, summarizePlan, type PlanAction, type PlanSummary } from "./plan-summary";

export const DRIFT_LABEL = "drift";
export { GitHubIssues, type IssueAction } from "./github-issues";

/** What one environment's night found. `error`: a plan failed, so nothing is known. */
export type DriftState = "drift" | "pending" | "clean" | "error";

export interface DriftRow {
  readonly address: string;
  /** update: changed outside Terraform; destroy: deleted outside Terraform. */
  readonly action: PlanAction;
  /** Top-level attributes whose value differs from the last apply. */
  readonly attributes: readonly string[];
  /** Each changed value, last apply → now, printed as the approvers' summary prints it (sensitive values masked). */
  readonly changes: readonly AttributeChange[];
}

export interface EnvironmentReport {
  readonly environment: string;
  readonly state: DriftState;
  /** Markdown: the issue body and the job summary. */
  readonly markdown: string;
}

/** What the plan job keeps of its plan: safe to upload (no attribute value). */
export interface PlanFacts {
  readonly environment: string;
  readonly stack: string;
  /** terraform plan -detailed-exitcode: 0 no changes, 2 changes, 1 error. */
  readonly planExitCode: number;
  /** Absent when the plan failed. */
  readonly drift?: readonly DriftRow[];
  readonly pending?: PlanSummary;
}

/** What the seed job keeps: seed plan's exit code and its output (collection and index names). */
export interface SeedFacts {
  readonly environment: string;
  readonly seedExitCode: number;
  readonly seedOutput?: string;
}

export interface DriftInputs {
  readonly plan: PlanFacts;
  /** Absent when the seed job did not run or failed before seed plan. */
  readonly seed?: SeedFacts;
  readonly runUrl: string;
}

/** Top-level attributes whose before and after differ. */
function changedAttributes(change: ShownResourceChange): string[] {
  const before = (change.change.before ?? {}) as Record<string, unknown>;
  const after = (change.change.after ?? {}) as Record<string, unknown>;
  if (typeof before !== "object" || typeof after !== "object" || before === null || after === null) return [];
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((key) => JSON.stringify(before[key]) !== JSON.stringify(after[key])).sort();
}

export function driftRows(plan: ShownPlan): DriftRow[] {
  // A value marked sensitive anywhere in the plan is masked wherever it appears, as in the approvers' summary.
  const secrets = sensitiveValues([...(plan.resource_drift ?? []), ...(plan.resource_changes ?? [])].map(({ change }) => change));
  return (plan.resource_drift ?? []).filter(altersState).map((change) => ({
    address: change.address,
    action: actionOf(change),
    attributes: changedAttributes(change),
    changes: attributeChanges(change.change, secrets),
  }));
}

const SEED_MEANING: Readonly<Record<number, string>> = {
  [EXIT.ok]: "the database matches the declared shape",
  [EXIT.changesPending]: "changes to apply (pending: the next deploy's seed applies them)",
  [EXIT.conflict]: "a CONFLICT: a collection, validator or index differs from the declared shape in a way the seeder will not change (made outside the seeder)",
  [EXIT.buildInProgress]: "an index build in progress",
  [EXIT.failure]: "failed (see the job log)",
};

/** The plan reduced to what may leave the job. */
export function planFacts(environment: string, stack: string, planExitCode: number, plan: ShownPlan | undefined): PlanFacts {
  if (!plan || (planExitCode !== 0 && planExitCode !== 2)) return { environment, stack, planExitCode };
  return { environment, stack, planExitCode, drift: driftRows(plan), pending: { ...summarizePlan(plan), drift: 0 } };
}

export function classify(inputs: DriftInputs): { state: DriftState; drift: readonly DriftRow[]; pendingCount: number; seedDrift: boolean } {
  const { plan, seed } = inputs;
  const drift = plan.drift ?? [];
  const pendingCount = plan.pending ? plan.pending.resources.length + plan.pending.outputs.length : 0;
  const seedDrift = seed?.seedExitCode === EXIT.conflict;
  const failed = plan.drift === undefined || seed === undefined || seed.seedExitCode === EXIT.failure;
  if (failed) return { state: "error", drift, pendingCount, seedDrift };
  if (drift.length > 0 || seedDrift) return { state: "drift", drift, pendingCount, seedDrift };
  if (pendingCount > 0 || seed.seedExitCode === EXIT.changesPending) return { state: "pending", drift, pendingCount, seedDrift };
  return { state: "clean", drift, pendingCount, seedDrift };
}

export function issueMarker(environment: string): string {
  return `<!-- drift-report:environment=${environment} -->`;
}

export function renderReport(inputs: DriftInputs): EnvironmentReport {
  const { plan, seed } = inputs;
  const { state, drift } = classify(inputs);
  const out = [
    issueMarker(plan.environment),
    `### Drift report: \`${plan.environment}\`: ${state}`,
    "",
    `Run: ${inputs.runUrl}`,
    "",
    "#### Drift: changed outside Terraform",
    "",
  ];
  if (plan.drift === undefined) out.push(`The plan failed (exit ${plan.planExitCode}): nothing is known about drift. See the run's log.`, "");
  else if (drift.length === 0) out.push("None: every resource is as the last apply left it.", "");
  else {
    out.push("| action outside Terraform | resource | attributes that differ |", "|---|---|---|");
    for (const row of drift) out.push(`| ${row.action === "destroy" ? "deleted" : row.action} | \`${row.address}\` | ${row.attributes.map((a) => `\`${a}\``).join(", ") || "-"} |`);
    for (const row of drift.filter(({ changes }) => changes.length > 0)) {
      out.push("", `- \`${row.address}\` (last apply → now; sensitive values masked):`, "  ```text", ...row.changes.map((change) => `  ${change.path}: ${change.before} → ${change.after}`), "  ```");
    }
    out.push("", "The next apply puts these back as the code says, unless the code is changed to match (docs/operations.md, \"The drift report\").", "");
  }
  out.push("#### Pending: merged to main, not applied yet", "");
  if (plan.pending) out.push(headline(plan.pending) === "no changes" ? "None." : renderSummary(plan.pending, { stack: plan.stack }), "");
  else out.push("Unknown (the plan failed).", "");
  out.push("#### Database shape (seed plan)", "");
  if (!seed) out.push("Not known: the seed plan job did not report (see the run's log).", "");
  else {
    out.push(`Exit ${seed.seedExitCode}: ${SEED_MEANING[seed.seedExitCode] ?? "unexpected exit code"}.`, "");
    if (seed.seedOutput && seed.seedExitCode !== EXIT.ok) out.push("```text", seed.seedOutput.trimEnd().split("\n").slice(0, 60).join("\n"), "```", "");
  }
  return { environment: plan.environment, state, markdown: out.join("\n") };
}

/** The drift issues: label `drift`, one per environment. */
export const DRIFT_ISSUES: IssueKind = {
  label: { name: DRIFT_LABEL, color: "d93f0b", description: "Infrastructure changed outside Terraform (nightly drift report)" },
  marker: issueMarker,
  title: (environment) => `Drift in ${environment}: changed outside Terraform`,
  closing: (environment, runUrl) => `No drift any more in \`${environment}\` (run ${runUrl}). Closing.`,
};

/** Keeps one drift issue per environment in step with its report; an error leaves the issue as it is. */
export function syncIssue(github: GitHubIssues, report: EnvironmentReport, runUrl: string): Promise<{ action: IssueAction; issue?: number }> {
  const attention = report.state === "drift" ? "open" : report.state === "error" ? "unknown" : "clear";
  return syncEnvironmentIssue(github, DRIFT_ISSUES, { environment: report.environment, attention, body: report.markdown }, runUrl);
}

function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, "utf8")) as T;
}

function wholeNumber(name: string, value: string | undefined): number {
  const parsed = Number(value);
  if (value === undefined || !Number.isInteger(parsed)) throw new Error(`--${name}: got ${JSON.stringify(value)}; allowed: a whole number (an exit code)`);
  return parsed;
}

async function cli(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      environment: { type: "string", default: "" },
      stack: { type: "string", default: "" },
      "plan-exit": { type: "string" },
      dir: { type: "string", default: "." },
      plan: { type: "string" },
      "seed-exit": { type: "string" },
      "seed-output": { type: "string" },
      out: { type: "string" },
      facts: { type: "string", default: "drift-facts" },
    },
  });
  const present = (file: string | undefined) => file !== undefined && fs.existsSync(file) && fs.statSync(file).size > 0;
  const write = (facts: unknown) => {
    const out = values.out ?? `${values.environment}.json`;
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, JSON.stringify(facts));
  };
  if (command === "plan-facts") {
    const planExitCode = wholeNumber("plan-exit", values["plan-exit"]);
    // The plan JSON stays in this process's memory (plan-review.ts showPlan); only facts are written.
    const planned = (planExitCode === 0 || planExitCode === 2) && values.plan !== undefined && present(path.join(values.dir, values.plan));
    write(planFacts(values.environment, values.stack, planExitCode, planned ? showPlan(values.dir, values.plan!) : undefined));
    return 0;
  }
  if (command === "seed-facts") {
    const seedOutput = present(values["seed-output"]) ? fs.readFileSync(values["seed-output"]!, "utf8") : undefined;
    write({ environment: values.environment, seedExitCode: wholeNumber("seed-exit", values["seed-exit"]), ...(seedOutput === undefined ? {} : { seedOutput }) } satisfies SeedFacts);
    return 0;
  }
  if (command === "sync") {
    const { github, runUrl } = gitHubFromEnv(process.env);
    const { GITHUB_STEP_SUMMARY } = process.env;
    const files = fs.existsSync(values.facts) ? fs.readdirSync(values.facts, { recursive: true, encoding: "utf8" }).filter((name) => name.endsWith(".json")) : [];
    const facts = files.map((file) => readJson<PlanFacts | SeedFacts>(path.join(values.facts, file)));
    const plans = facts.filter((fact): fact is PlanFacts => "planExitCode" in fact).sort((a, b) => a.environment.localeCompare(b.environment));
    let failed = false;
    for (const plan of plans) {
      const seed = facts.find((fact): fact is SeedFacts => "seedExitCode" in fact && fact.environment === plan.environment);
      const report = renderReport({ plan, seed, runUrl });
      const { action, issue } = await syncIssue(github, report, runUrl);
      if (GITHUB_STEP_SUMMARY) fs.appendFileSync(GITHUB_STEP_SUMMARY, `${report.markdown}\n`);
      process.stdout.write(`${report.environment}: ${report.state}; issue ${issue === undefined ? "-" : `#${issue}`} ${action}\n`);
      if (report.state === "error") failed = true;
    }
    // A failed plan is a red run, not an issue: nothing is known about that environment.
    return failed ? 1 : 0;
  }
  throw new Error(`unknown command ${JSON.stringify(command)}; allowed: plan-facts, seed-facts, sync`);
}

if (require.main === module) runReportCli("Drift report", cli);
