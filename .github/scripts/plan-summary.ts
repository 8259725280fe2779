/*
 * Turns the output of `cdktf diff <stack>` into a short Markdown summary: the plan line, the
 * resources and what happens to each, destroys and replacements called out, and the first line of
 * each error. The PR comment and the job summary show this, not the full plan: the full plan stays
 * in the job log. Only addresses, counts and error headlines are copied; Terraform already masks
 * sensitive values in the plan, and nothing here prints attribute values at all.
 *
 *   npx tsx .github/scripts/plan-summary.ts <stack> <diff-log> <step-outcome> [cdktf-out]
 *
 * writes the Markdown to stdout. <step-outcome> is the diff step's outcome (success, failure, ...).
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** What the plan does to one resource, in Terraform's words mapped to one verb. */
export type PlanAction = "create" | "update" | "replace" | "destroy" | "read" | "move" | "forget";

export interface ResourceChange {
  readonly address: string;
  readonly action: PlanAction;
}

export interface DiffSummary {
  /** "Plan: 2 to add, 0 to change, 0 to destroy." or "No changes."; absent when the plan failed early. */
  readonly planLine?: string;
  readonly changes: readonly ResourceChange[];
  /** First line of each distinct error. */
  readonly errors: readonly string[];
  readonly warnings: number;
  /** Terraform reported drift ("Objects have changed outside of Terraform"). */
  readonly drift: boolean;
}

// Terraform's phrases after "# <address>" in a plan, most specific first.
const ACTION_PHRASES: ReadonlyArray<readonly [RegExp, PlanAction]> = [
  [/^will be created\b/, "create"],
  [/^will be destroyed\b/, "destroy"],
  [/^will be updated in-place\b/, "update"],
  [/^(must be replaced|will be replaced|is tainted, so must be replaced)\b/, "replace"],
  [/^will be read during apply\b/, "read"],
  [/^has moved to\b/, "move"],
  [/^will no longer be managed by Terraform\b/, "forget"],
];

/** Removes terminal colour and cursor sequences (cdktf prints them unless --no-color and CI). */
export function stripAnsi(text: string): string {
  return text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, "").replace(/\r/g, "");
}

export function summarizeDiff(log: string): DiffSummary {
  const lines = stripAnsi(log).split("\n");
  const changes: ResourceChange[] = [];
  const seen = new Set<string>();
  const errors: string[] = [];
  let planLine: string | undefined;
  let warnings = 0;
  let drift = false;

  for (const line of lines) {
    // cdktf prefixes a block of output with the stack name; the address comment follows "# ".
    const resource = /#\s+([^\s(#][^\s]*)(?:\s+\([^)]*\))?\s+(.+)$/.exec(line);
    if (resource) {
      const action = ACTION_PHRASES.find(([phrase]) => phrase.test(resource[2]))?.[1];
      if (action && !seen.has(resource[1])) {
        seen.add(resource[1]);
        changes.push({ address: resource[1], action });
        continue;
      }
    }
    const plan = /\b(Plan: [^.]*to destroy\.)/.exec(line);
    if (plan) planLine = plan[1];
    else if (/\bNo changes\.\s/.test(`${line} `) && planLine === undefined) planLine = "No changes.";
    if (/Objects have changed outside of Terraform/.test(line)) drift = true;
    const error = /(?:^|\s)Error: (.+)$/.exec(line);
    if (error && !errors.includes(error[1].trim())) errors.push(error[1].trim());
    if (/(?:^|\s)Warning: /.test(line)) warnings += 1;
  }
  return { planLine, changes, errors, warnings, drift };
}

/** The backend type a synthesized stack uses ("s3", "local", ...), or undefined when not synthesized. */
export function stackBackend(outdir: string, stack: string): string | undefined {
  const file = path.join(outdir, "stacks", stack, "cdk.tf.json");
  if (!fs.existsSync(file)) return undefined;
  const json = JSON.parse(fs.readFileSync(file, "utf8")) as { terraform?: { backend?: Record<string, unknown> } };
  return Object.keys(json.terraform?.backend ?? {})[0] ?? "local";
}

const MAX_ROWS = 60;

export interface RenderOptions {
  readonly stack: string;
  /** The diff step's outcome as GitHub reports it. */
  readonly outcome: string;
  readonly backend?: string;
}

export function renderSummary(summary: DiffSummary, options: RenderOptions): string {
  const out: string[] = [];
  const failed = options.outcome !== "success";
  const headline = failed ? "**plan failed**" : (summary.planLine ?? "no plan line found: read the job log");
  out.push(`#### \`${options.stack}\`: ${headline}`, "");

  if (options.backend === "local") {
    out.push(
      "> [!WARNING]",
      "> This stack uses a **local** state file, which a CI runner does not keep: the plan is against an empty state",
      "> and shows everything as new. Set `state.bucket` in the environment file to plan (and deploy) for real.",
      "",
    );
  }
  const destructive = summary.changes.filter((change) => change.action === "destroy" || change.action === "replace");
  if (destructive.length > 0) {
    out.push(
      "> [!CAUTION]",
      `> ${destructive.length} resource(s) will be destroyed or replaced: ${destructive.map((c) => `\`${c.address}\` (${c.action})`).join(", ")}.`,
      "> A replaced cluster, project or user means data or access loss: check this is intended.",
      "",
    );
  }
  if (summary.drift) out.push("Terraform found changes made outside of Terraform (drift): see the job log.", "");
  if (failed && summary.errors.length > 0) {
    out.push("Errors (first line of each; the job log has the rest):", "", ...summary.errors.map((error) => `- ${error}`), "");
  }
  if (summary.changes.length > 0) {
    out.push("| action | address |", "|---|---|");
    for (const change of summary.changes.slice(0, MAX_ROWS)) out.push(`| ${change.action} | \`${change.address}\` |`);
    if (summary.changes.length > MAX_ROWS) out.push(`| … | ${summary.changes.length - MAX_ROWS} more in the job log |`);
    out.push("");
  }
  if (summary.warnings > 0) out.push(`${summary.warnings} warning(s) in the job log.`, "");
  return out.join("\n");
}

function main(argv: readonly string[]): number {
  const [stack, logFile, outcome, outdir = "cdktf.out"] = argv;
  if (!stack || !logFile || !outcome) {
    process.stderr.write("usage: plan-summary.ts <stack> <diff-log> <step-outcome> [cdktf-out]\n");
    return 1;
  }
  const log = fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8") : "";
  const summary = summarizeDiff(log);
  process.stdout.write(`${renderSummary(summary, { stack, outcome, backend: stackBackend(outdir, stack) })}\n`);
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
