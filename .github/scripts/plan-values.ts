/*
 * What a resource or output change does to each attribute, as the approvers read it in the plan
 * summary: `path: before → after` for every attribute whose value changes, masked the way
 * Terraform's own plan output masks it:
 *   - a value marked in before_sensitive / after_sensitive reads "(sensitive value)";
 *   - a value marked in after_unknown reads "(known after apply)".
 * Stricter than Terraform in one way: a value the plan marks sensitive anywhere is masked wherever
 * else it appears unmarked (terraform_data's `output` echoes a sensitive `input` unmarked, and
 * `terraform show` prints it in clear). The summary goes into a pull-request comment.
 * Values are printed as JSON, numbers with every digit (the plan is read with lossless-json), and
 * cut at MAX_VALUE_CHARS; the job log has the full plan.
 */
import { isLosslessNumber, stringify } from "lossless-json";
import { canonicalJson, type Json, type ShownChange } from "./plan-digest";

export const SENSITIVE = "(sensitive value)";
export const UNKNOWN = "(known after apply)";

/** How long one printed value may be before it is cut (the full value is in the job log). */
export const MAX_VALUE_CHARS = 120;

/** One attribute that changes: its path (`a.b[0].c`), and the before and after as printed. */
export interface AttributeChange {
  readonly path: string;
  readonly before: string;
  readonly after: string;
}

type Marks = Json | undefined;

const isRecord = (value: unknown): value is Record<string, Json> => value !== null && typeof value === "object" && !Array.isArray(value) && !isLosslessNumber(value);
const isContainer = (value: unknown): value is Record<string, Json> | Json[] => Array.isArray(value) || isRecord(value);

/** The marks (sensitive or unknown structure) one level down; `true` covers everything below it. */
function child(marks: Marks, key: string | number): Marks {
  if (marks === true) return true;
  if (Array.isArray(marks) && typeof key === "number") return marks[key];
  if (isRecord(marks) && typeof key === "string") return marks[key];
  return undefined;
}

const REDACTED = "\u0000sensitive\u0000";

/** Values shorter than this are not hunted for elsewhere (true, 1, "a" would mask too much). */
const MIN_SECRET_CHARS = 4;

/** Every string or number the marks call sensitive, as text (to mask its unmarked copies). */
function collectSensitive(value: Json | undefined, marks: Marks, into: Set<string>, covered = false): void {
  const sensitive = covered || marks === true;
  if (Array.isArray(value)) value.forEach((item, index) => collectSensitive(item, child(marks, index), into, sensitive));
  else if (isRecord(value)) Object.entries(value).forEach(([key, item]) => collectSensitive(item, child(marks, key), into, sensitive));
  else if (sensitive && value !== null && value !== undefined && typeof value !== "boolean") {
    const text = String(isLosslessNumber(value) ? value.value : value);
    if (text.length >= MIN_SECRET_CHARS) into.add(text);
  }
}

/** The sensitive values of a set of changes (both sides of each). */
export function sensitiveValues(changes: readonly ShownChange[]): Set<string> {
  const found = new Set<string>();
  for (const change of changes) {
    collectSensitive(change.before, change.before_sensitive, found);
    collectSensitive(change.after, change.after_sensitive, found);
  }
  return found;
}

/** `value` with every part `marks` calls sensitive, or holding a known secret, replaced by a placeholder. */
function redact(value: Json | undefined, marks: Marks, secrets: ReadonlySet<string>): Json | undefined {
  if (marks === true) return REDACTED;
  if (Array.isArray(value)) return value.map((item, index) => redact(item, child(marks, index), secrets) ?? null);
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redact(item, child(marks, key), secrets) ?? null]));
  if (value !== null && value !== undefined && typeof value !== "boolean") {
    const text = String(isLosslessNumber(value) ? value.value : value);
    for (const secret of secrets) if (text.includes(secret)) return REDACTED;
  }
  return value;
}

/**
 * A value as printed in the summary: JSON on one line, every part `sensitive` marks (Terraform's
 * before_sensitive / after_sensitive at this path) shown as (sensitive value), cut at MAX_VALUE_CHARS.
 */
export function printValue(value: Json | undefined, sensitive: Marks = undefined, secrets: ReadonlySet<string> = new Set()): string {
  if (sensitive === true) return SENSITIVE;
  if (value === undefined || value === null) return "null";
  const text = (stringify(redact(value, sensitive, secrets)) ?? "null").split(JSON.stringify(REDACTED)).join(SENSITIVE);
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS - 1)}…` : text;
}

function pathOf(at: string, key: string | number): string {
  if (typeof key === "number") return `${at}[${key}]`;
  return at === "" ? key : /^[A-Za-z_]\w*$/.test(key) ? `${at}.${key}` : `${at}[${JSON.stringify(key)}]`;
}

function walk(
  at: string,
  before: Json | undefined,
  after: Json | undefined,
  beforeSensitive: Marks,
  afterSensitive: Marks,
  afterUnknown: Marks,
  secrets: ReadonlySet<string>,
  out: AttributeChange[],
): void {
  const unknown = afterUnknown === true;
  const bothContainers = isContainer(before ?? null) || isContainer(after ?? null) || isContainer(afterUnknown ?? null);
  const maskedWhole = beforeSensitive === true || afterSensitive === true;
  if (!unknown && !maskedWhole && bothContainers && (before == null || isContainer(before)) && (after == null || isContainer(after))) {
    const keys = new Set<string | number>();
    for (const side of [before, after, afterUnknown]) {
      if (Array.isArray(side)) side.forEach((_item, index) => keys.add(index));
      else if (isRecord(side)) Object.keys(side).forEach((key) => keys.add(key));
    }
    const sorted = [...keys].sort((a, b) => (typeof a === "number" && typeof b === "number" ? a - b : String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0));
    for (const key of sorted) {
      const pick = (value: Json | undefined) => (Array.isArray(value) && typeof key === "number" ? value[key] : isRecord(value) && typeof key === "string" ? value[key] : undefined);
      walk(pathOf(at, key), pick(before), pick(after), child(beforeSensitive, key), child(afterSensitive, key), child(afterUnknown, key), secrets, out);
    }
    return;
  }
  const same = !unknown && canonicalJson(before ?? null) === canonicalJson(after ?? null);
  if (same) return;
  out.push({
    path: at === "" ? "(value)" : at,
    before: printValue(before, beforeSensitive, secrets),
    after: unknown ? UNKNOWN : printValue(after, afterSensitive, secrets),
  });
}

/**
 * Every attribute the change sets to another value, in path order. A create lists what it sets
 * (before: null); a destroy lists nothing (the action says it all).
 */
export function attributeChanges(change: ShownChange, secrets: ReadonlySet<string> = sensitiveValues([change])): AttributeChange[] {
  if (change.actions.length === 1 && change.actions[0] === "delete") return [];
  const out: AttributeChange[] = [];
  walk("", change.before, change.after, change.before_sensitive, change.after_sensitive, change.after_unknown, secrets, out);
  return out;
}
