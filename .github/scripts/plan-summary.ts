/*
 * The plan summary the approvers read in the job summary (and pull requests in their comment):
 * the counts, every resource that changes and how, destroys and replacements called out first,
 * output changes, drift, and the plan digest the apply job will hold its own plan to. Read from
 * `terraform show -json <planfile>`; only addresses, actions and counts are copied, never an
 * attribute value (the job log has the full plan, with Terraform's masking of sensitive values).
 */
import { altersState, isNoOp, type PlanDigest, type ShownPlan, type ShownResourceChange } from "./plan-digest";

/** What the plan does to one address, in one word. */
export type PlanAction = "create" | "update" | "replace" | "destroy" | "read" | "forget" | "move" | "import";

export interface SummaryRow {
  readonly address: string;
  readonly action: PlanAction;
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
  const resources = (plan.resource_changes ?? []).filter(altersState).map((change) => ({ address: change.address, action: actionOf(change) }));
  const outputs = Object.entries(plan.output_changes ?? {})
    .filter(([, change]) => !isNoOp(change.actions))
    .map(([name, change]) => ({ address: name, action: actionOf({ address: name, change }) }));
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

const MAX_ROWS = 80;

function table(rows: readonly SummaryRow[], heading: string): string[] {
  if (rows.length === 0) return [];
  const out = [`| action | ${heading} |`, "|---|---|", ...rows.slice(0, MAX_ROWS).map((row) => `| ${row.action} | \`${row.address}\` |`)];
  if (rows.length > MAX_ROWS) out.push(`| … | ${rows.length - MAX_ROWS} more in the job log |`);
  return [...out, ""];
}

export interface RenderOptions {
  readonly stack: string;
  /** Shown when given: the digest the apply job checks. */
  readonly digest?: PlanDigest;
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
  out.push(...table(summary.resources, "resource"), ...table(summary.outputs, "output"));
  if (options.digest) {
    out.push(
      `Plan digest: \`${options.digest.digest}\``,
      "",
      "The apply job plans again and applies only a plan with this digest (resources and outputs, values included; sensitive values as salted hashes).",
      "",
    );
  }
  return out.join("\n");
}
