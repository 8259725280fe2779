/*
 * The plan summary the approvers read in the job summary (and pull requests in their comment):
 * the counts, every resource that changes and how, destroys and replacements called out first,
 * output changes, drift, the values each change sets (before → after, masked as Terraform masks
 * them: plan-values.ts), and the plan digest the apply job will hold its own plan to. Read from
 * `terraform show -json <planfile>`. The summary has a size limit (MAX_SUMMARY_CHARS); past it, it
 * says how much is left out and points at the job log, which has the full plan.
 */
import { altersState, isNoOp, type PlanDigest, type ShownPlan, type ShownResourceChange } from "./plan-digest";
import { attributeChanges, sensitiveValues, type AttributeChange } from "./plan-values";

/** What the plan does to one address, in one word. */
export type PlanAction = "create" | "update" | "replace" | "destroy" | "read" | "forget" | "move" | "import";

export interface SummaryRow {
  readonly address: string;
  readonly action: PlanAction;
  /** The attributes it sets to another value (none for a destroy). */
  readonly changes: readonly AttributeChange[];
}

export interface PlanSummary {
  readonly resources: readonly SummaryRow[];
  readonly outputs: readonly SummaryRow[];
  /** Resources changed outside Terraform since the last apply. */
  readonly drift: number;
}

/** Terraform's action list as one word; a replacement is delete+create in either order. */
export function actionOf(change: ShownResourceChange): PlanAction {
  const actions = change.change.actions;
  if (actions.includes("delete") && actions.includes("create")) return "replace";
  if (actions.includes("create")) return "create";
  if (actions.includes("delete")) return "destroy";
  if (actions.includes("update")) return "update";
  if (actions.includes("read")) return "read";
  if (actions.includes("forget")) return "forget";
  return change.change.importing != null ? "import" : "move";
}

export function summarizePlan(plan: ShownPlan): PlanSummary {
  // Every value the plan marks sensitive anywhere is masked everywhere in the summary.
  const secrets = sensitiveValues([...(plan.resource_changes ?? []).map((change) => change.change), ...Object.values(plan.output_changes ?? {})]);
  const resources = (plan.resource_changes ?? [])
    .filter(altersState)
    .map((change) => ({ address: change.address, action: actionOf(change), changes: attributeChanges(change.change, secrets) }));
  const outputs = Object.entries(plan.output_changes ?? {})
    .filter(([, change]) => !isNoOp(change.actions))
    .map(([name, change]) => ({ address: name, action: actionOf({ address: name, change }), changes: attributeChanges(change, secrets) }));
  return { resources, outputs, drift: (plan.resource_drift ?? []).length };
}

/** "2 to add, 1 to change, 1 to destroy" (Terraform's counting: a replacement adds and destroys), or "no changes". */
export function headline(summary: PlanSummary): string {
  if (summary.resources.length === 0 && summary.outputs.length === 0) return "no changes";
  const count = (...actions: PlanAction[]) => summary.resources.filter((row) => actions.includes(row.action)).length;
  const parts = [`${count("create", "replace")} to add`, `${count("update")} to change`, `${count("destroy", "replace")} to destroy`];
  for (const action of ["import", "move", "forget", "read"] as const) if (count(action) > 0) parts.push(`${count(action)} to ${action}`);
  if (summary.outputs.length > 0) parts.push(`${summary.outputs.length} output(s) to change`);
  return parts.join(", ");
}

/**
 * The most the summary of one stack may hold (characters). A pull-request comment holds at most
 * 65,536 and carries every non-production stack's summary; a job summary holds 1 MiB.
 */
export const MAX_SUMMARY_CHARS = 24_000;

/** Where the full plan is, for whatever the summary leaves out. */
export const FULL_PLAN = "the full plan is in the job log (step `terraform plan -out`)";

function table(rows: readonly SummaryRow[], heading: string): string[] {
  if (rows.length === 0) return [];
  return [`| action | ${heading} |`, "|---|---|", ...rows.map((row) => `| ${row.action} | \`${row.address}\` |`), ""];
}

/** A value as it may stand in a code block: no run of backticks can close the block. */
const inBlock = (text: string) => text.replace(/`{3,}/g, (run) => run.split("").join("\u200b"));

/** One change with its attributes: a heading line and a code block of `path: before → after`. */
function valuesOf(row: SummaryRow, kind: "resource" | "output"): string[] {
  const name = kind === "output" ? `output \`${row.address}\`` : `\`${row.address}\``;
  if (row.changes.length === 0) return [`- ${name}: ${row.action}${row.action === "destroy" ? "" : " (no attribute changes its value)"}`];
  return [`- ${name}: ${row.action}`, "  ```text", ...row.changes.map((change) => `  ${inBlock(`${change.path}: ${change.before} → ${change.after}`)}`), "  ```"];
}

/** The values section, within `budget` characters; what does not fit is counted and pointed to. */
function valuesSection(summary: PlanSummary, budget: number): string[] {
  const entries = [...summary.resources.map((row) => valuesOf(row, "resource")), ...summary.outputs.map((row) => valuesOf(row, "output"))];
  if (entries.length === 0) return [];
  const out = ["What changes (before → after; sensitive values masked, unknown values known after apply):", ""];
  // Room for the note that says what is left out, and for the lines that join the sections.
  let used = out.join("\n").length + 400;
  let shown = 0;
  for (const entry of entries) {
    const text = entry.join("\n");
    if (used + text.length + 1 > budget) break;
    out.push(...entry);
    used += text.length + 1;
    shown += 1;
  }
  if (shown < entries.length) out.push("", `> [!NOTE]`, `> ${entries.length - shown} of ${entries.length} change(s) not shown here (size limit): ${FULL_PLAN}.`);
  return [...out, ""];
}

export interface RenderOptions {
  readonly stack: string;
  /** Shown when given: the digest the apply job checks. */
  readonly digest?: PlanDigest;
  /** @default MAX_SUMMARY_CHARS */
  readonly maxChars?: number;
}

/** The Markdown for the job summary / pull-request comment. */
export function renderSummary(summary: PlanSummary, options: RenderOptions): string {
  const out = [`#### \`${options.stack}\`: ${headline(summary)}`, ""];
  const destructive = summary.resources.filter((row) => row.action === "destroy" || row.action === "replace");
  if (destructive.length > 0) {
    out.push(
      "> [!CAUTION]",
      `> ${destructive.length} resource(s) will be destroyed or replaced: ${destructive.map((row) => `\`${row.address}\` (${row.action})`).join(", ")}.`,
      "> A replaced cluster, project, user or key means data or access loss: check this is intended.",
      "",
    );
  }
  if (summary.drift > 0) out.push(`${summary.drift} resource(s) changed outside Terraform since the last apply (drift): see the job log.`, "");
  const digest = options.digest
    ? [
        `Plan digest: \`${options.digest.digest}\``,
        "",
        "The apply job plans again and applies only a plan with this digest (resources and outputs, values included; sensitive values as salted hashes).",
        "",
      ]
    : [];
  const budget = options.maxChars ?? MAX_SUMMARY_CHARS;
  const overview = [...table(summary.resources, "resource"), ...table(summary.outputs, "output")];
  const fixed = [...out, ...digest].join("\n").length;
  if (fixed + overview.join("\n").length > budget) {
    // Even the list of addresses does not fit: the counts, the warnings and the digest stay.
    out.push(`> [!NOTE]`, `> ${summary.resources.length + summary.outputs.length} change(s) are too many to list here (size limit): ${FULL_PLAN}.`, "");
  } else {
    out.push(...overview, ...valuesSection(summary, budget - fixed - overview.join("\n").length));
  }
  out.push(...digest);
  return out.join("\n");
}
