/*
 * What the approvers of the prod deploy read is plan-prod's plan; `cdktf deploy` plans again when it
 * runs, possibly hours later, and applies that new plan. This script closes most of that gap: it
 * records the approved plan's changes (the address and action of every resource, parsed exactly as
 * the summary the approvers read), and, right before the deploy, compares a fresh plan against it.
 * Only when both make the same changes does the deploy go ahead.
 *
 *   npx tsx .github/scripts/plan-changes.ts record <stack> <diff-log> <approved.json>
 *   npx tsx .github/scripts/plan-changes.ts check <stack> <approved.json> <diff-log>
 *
 * `check` exits 1 with "the plan changed since it was approved: ..." when they differ. It compares
 * which resources change and how, and the plan line; not attribute values (the summary never
 * copies those, and Terraform masks the sensitive ones).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { summarizeDiff, type PlanAction, type ResourceChange } from "./plan-summary";

/** The changes of one plan, as recorded for the approvers' plan and computed for the fresh one. */
export interface RecordedPlan {
  readonly stack: string;
  /** "Plan: 1 to add, 0 to change, 0 to destroy." or "No changes." */
  readonly planLine: string;
  /** Sorted by address, one entry per resource. */
  readonly changes: readonly ResourceChange[];
}

/** One resource whose change differs; `undefined` means "no change" on that side. */
export interface ChangeDifference {
  readonly address: string;
  readonly approved: PlanAction | undefined;
  readonly current: PlanAction | undefined;
}

export interface PlanDifference {
  readonly changes: readonly ChangeDifference[];
  /** Set when the plan lines differ. */
  readonly planLine?: { readonly approved: string; readonly current: string };
}

/** The recorded form of a `cdktf diff` log; refuses a log in which the plan did not complete. */
export function recordPlan(stack: string, diffLog: string): RecordedPlan {
  const summary = summarizeDiff(diffLog);
  if (summary.errors.length > 0) throw new Error(`the plan of ${stack} failed: ${summary.errors.join("; ")}`);
  if (summary.planLine === undefined) throw new Error(`no plan line in the diff output of ${stack}: the plan did not complete`);
  const changes = [...summary.changes].sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  return { stack, planLine: summary.planLine, changes };
}

/** How the current plan differs from the approved one; undefined when they make the same changes. */
export function comparePlans(approved: RecordedPlan, current: RecordedPlan): PlanDifference | undefined {
  const approvedActions = new Map(approved.changes.map((change) => [change.address, change.action]));
  const currentActions = new Map(current.changes.map((change) => [change.address, change.action]));
  const addresses = [...new Set([...approvedActions.keys(), ...currentActions.keys()])].sort();
  const changes = addresses
    .map((address) => ({ address, approved: approvedActions.get(address), current: currentActions.get(address) }))
    .filter((difference) => difference.approved !== difference.current);
  const planLine = approved.planLine === current.planLine ? undefined : { approved: approved.planLine, current: current.planLine };
  if (changes.length === 0 && planLine === undefined) return undefined;
  return { changes, ...(planLine ? { planLine } : {}) };
}

/** The failure message: what differs, and what to do. */
export function describeDifference(difference: PlanDifference): string {
  const action = (value: PlanAction | undefined) => value ?? "no change";
  const parts = difference.changes.map((change) => `${change.address}: approved ${action(change.approved)}, now ${action(change.current)}`);
  if (difference.planLine) parts.push(`plan line: approved "${difference.planLine.approved}", now "${difference.planLine.current}"`);
  return `the plan changed since it was approved: ${parts.join("; ")}; re-run the workflow to plan again and have the new plan approved`;
}

/** Checks a recorded plan read back from its artifact. */
export function parseRecordedPlan(text: string): RecordedPlan {
  const value = JSON.parse(text) as Partial<RecordedPlan>;
  const valid =
    typeof value.stack === "string" &&
    typeof value.planLine === "string" &&
    Array.isArray(value.changes) &&
    value.changes.every((change) => typeof change?.address === "string" && typeof change?.action === "string");
  if (!valid) throw new Error("not a recorded plan: expected {stack, planLine, changes: [{address, action}]}");
  return value as RecordedPlan;
}

export interface CliResult {
  readonly code: number;
  readonly stdout: string[];
  readonly stderr: string[];
}

export function runCli(argv: readonly string[]): CliResult {
  const [command, ...args] = argv;
  const stdout: string[] = [];
  const stderr: string[] = [];
  try {
    if (command === "record" && args.length === 3) {
      const [stack, diffLog, out] = args;
      const recorded = recordPlan(stack, fs.readFileSync(diffLog, "utf8"));
      fs.mkdirSync(path.dirname(out), { recursive: true });
      fs.writeFileSync(out, `${JSON.stringify(recorded, null, 2)}\n`);
      stdout.push(`${stack}: recorded ${recorded.changes.length} change(s), "${recorded.planLine}", in ${out}`);
      return { code: 0, stdout, stderr };
    }
    if (command === "check" && args.length === 3) {
      const [stack, approvedFile, diffLog] = args;
      const approved = parseRecordedPlan(fs.readFileSync(approvedFile, "utf8"));
      if (approved.stack !== stack) throw new Error(`${approvedFile} records the plan of ${approved.stack}, not ${stack}`);
      const difference = comparePlans(approved, recordPlan(stack, fs.readFileSync(diffLog, "utf8")));
      if (difference !== undefined) {
        // ::error:: becomes an annotation on the run page.
        stdout.push(`::error title=${stack}: plan changed since approval::${describeDifference(difference)}`);
        return { code: 1, stdout, stderr };
      }
      stdout.push(`${stack}: the plan makes the approved changes (${approved.changes.length}, "${approved.planLine}"): deploying`);
      return { code: 0, stdout, stderr };
    }
    stderr.push("usage: plan-changes.ts record <stack> <diff-log> <approved.json> | check <stack> <approved.json> <diff-log>");
    return { code: 1, stdout, stderr };
  } catch (error) {
    stdout.push(`::error title=${args[0] ?? "plan"}: cannot compare plans::${error instanceof Error ? error.message : String(error)}`);
    return { code: 1, stdout, stderr };
  }
}

if (require.main === module) {
  const result = runCli(process.argv.slice(2));
  for (const line of result.stdout) process.stdout.write(`${line}\n`);
  for (const line of result.stderr) process.stderr.write(`${line}\n`);
  process.exitCode = result.code;
}
