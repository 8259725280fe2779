/*
 * The digest of a saved Terraform plan, computed from `terraform show -json <planfile>`: what the
 * approvers of a deploy read (plan job) and what the apply job checks its own fresh plan against
 * before `terraform apply <planfile>`. Address and action alone are not enough: an update that
 * now sets another value, or a replacement forced by another attribute, must not pass for the
 * approved one. So the digest covers, for every resource change that is not a no-op:
 *   address, actions, before, after, after_unknown (plus previous_address / importing when set)
 * and every output change that is not a no-op (actions, before, after, after_unknown).
 *
 * Sensitive values (before_sensitive / after_sensitive) never appear in the digest or its inputs
 * in clear: each is replaced by an HMAC-SHA256 of its canonical JSON, keyed with a salt. The salt is
 * random per run, made by the plan job and handed to the apply job as a job output: it is not a
 * secret (it only keeps a sensitive value from being matched against a table of guesses computed in
 * advance, or across runs), and a masked job output would not be passed on by the runner at all.
 * Every hash is keyed with the same salt, so both jobs compute the same digest for the same plan.
 *
 * Numbers are read losslessly (lossless-json keeps each number's text): JSON.parse would turn
 * 9007199254740993 into 9007199254740992, and 1e400 into Infinity, which JSON.stringify writes as
 * null. Each number enters the digest as one canonical decimal text of its exact value.
 */
import { createHmac, randomBytes } from "node:crypto";
import { isLosslessNumber, parse as parseLossless, type LosslessNumber } from "lossless-json";

/** A JSON value as `parsePlanJson` returns it: every number kept as its exact text. */
export type Json = null | boolean | number | LosslessNumber | string | Json[] | { [key: string]: Json };

/** `terraform show -json` output, parsed without losing a digit of any number. */
export function parsePlanJson(text: string): ShownPlan {
  return parseLossless(text) as unknown as ShownPlan;
}

/**
 * The exact value of a JSON number text, written one way: an optional "-", the significant digits
 * without leading or trailing zeros, and "e<exponent>" when the exponent is not 0 ("100" -> "1e2",
 * "1.50" -> "15e-1", "-0.0" -> "0"). Two texts give the same result exactly when they are the same
 * number; no digit is rounded away, and no magnitude becomes Infinity.
 */
export function canonicalNumber(text: string): string {
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!match) throw new Error(`not a JSON number: ${text}`);
  const [, sign, whole, fraction = "", exponentText = "0"] = match;
  let digits = `${whole}${fraction}`.replace(/^0+/, "");
  if (digits === "") return "0";
  let exponent = BigInt(exponentText) - BigInt(fraction.length);
  const trailing = digits.length - digits.replace(/0+$/, "").length;
  digits = digits.slice(0, digits.length - trailing);
  exponent += BigInt(trailing);
  return `${sign}${digits}${exponent === 0n ? "" : `e${exponent}`}`;
}

/** The parts of `terraform show -json` (format 1.x) read here. */
export interface ShownPlan {
  readonly format_version: string;
  readonly terraform_version?: string;
  readonly resource_changes?: readonly ShownResourceChange[];
  readonly output_changes?: Readonly<Record<string, ShownChange>>;
  readonly resource_drift?: readonly ShownResourceChange[];
  readonly errored?: boolean;
  readonly applyable?: boolean;
}

export interface ShownChange {
  readonly actions: readonly string[];
  readonly before?: Json;
  readonly after?: Json;
  readonly after_unknown?: Json;
  readonly before_sensitive?: Json;
  readonly after_sensitive?: Json;
  readonly importing?: Json;
}

export interface ShownResourceChange {
  readonly address: string;
  readonly previous_address?: string;
  readonly change: ShownChange;
}

/** A plan's digest: the whole, and one short hash per changed address (to name what differs). */
export interface PlanDigest {
  /** HMAC-SHA256 (hex) of every entry below, in address order. */
  readonly digest: string;
  /** `address` (resources) or `output.<name>` to the first 16 hex digits of its entry's HMAC. */
  readonly addresses: Readonly<Record<string, string>>;
}

/** A fresh random salt (hex). */
export function newSalt(): string {
  return randomBytes(32).toString("hex");
}

/** JSON with object keys sorted at every level: one text per value. */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return "null";
  if (isLosslessNumber(value)) return canonicalNumber((value as LosslessNumber).value);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error(`${value} is not a JSON number`);
    return canonicalNumber(String(value));
  }
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, item]) => item !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(",")}}`;
}

function hmac(salt: string, text: string): string {
  return createHmac("sha256", salt).update(text).digest("hex");
}

const isObject = (value: unknown): value is Record<string, Json> => value !== null && typeof value === "object" && !Array.isArray(value) && !isLosslessNumber(value);

/**
 * `value` with every part that `sensitive` marks (`true` at that path, as Terraform's
 * *_sensitive structures do) replaced by `{"sensitive": <hmac>}`.
 */
export function maskSensitive(value: Json | undefined, sensitive: Json | undefined, salt: string): Json | undefined {
  if (sensitive === true) return { sensitive: hmac(salt, canonicalJson(value ?? null)) };
  if (Array.isArray(value) && Array.isArray(sensitive)) return value.map((item, index) => maskSensitive(item, sensitive[index], salt) ?? null);
  if (isObject(value) && isObject(sensitive)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, maskSensitive(item, sensitive[key], salt) ?? null]));
  }
  return value;
}

/** A change that changes nothing: Terraform's ["no-op"]. */
export const isNoOp = (actions: readonly string[]) => actions.length === 1 && actions[0] === "no-op";

/** A resource change that alters state: anything but a no-op, and a no-op that moves or imports. */
export function altersState(change: ShownResourceChange): boolean {
  return !isNoOp(change.change.actions) || change.previous_address !== undefined || change.change.importing != null;
}

function digestEntry(change: ShownChange, salt: string): Record<string, Json | undefined> {
  return {
    actions: [...change.actions],
    before: maskSensitive(change.before, change.before_sensitive, salt),
    after: maskSensitive(change.after, change.after_sensitive, salt),
    after_unknown: change.after_unknown,
  };
}

/** Every digested entry of a plan, keyed by address (`output.<name>` for outputs), sorted. */
export function digestEntries(plan: ShownPlan, salt: string): [string, Record<string, Json | undefined>][] {
  const resources = (plan.resource_changes ?? []).filter(altersState).map((change): [string, Record<string, Json | undefined>] => [
    change.address,
    {
      address: change.address,
      ...digestEntry(change.change, salt),
      ...(change.previous_address === undefined ? {} : { previous_address: change.previous_address }),
      ...(change.change.importing == null ? {} : { importing: change.change.importing }),
    },
  ]);
  const outputs = Object.entries(plan.output_changes ?? {})
    .filter(([, change]) => !isNoOp(change.actions))
    .map(([name, change]): [string, Record<string, Json | undefined>] => [`output.${name}`, { output: name, ...digestEntry(change, salt) }]);
  return [...resources, ...outputs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Refuses a plan that `terraform apply` could not apply, so an errored plan never gets a digest. */
export function assertApplyable(plan: ShownPlan): void {
  if (!/^1\./.test(plan.format_version)) throw new Error(`unsupported plan format ${plan.format_version} (expected 1.x)`);
  if (plan.errored === true) throw new Error("the plan errored: Terraform cannot apply it");
}

export function planDigest(plan: ShownPlan, salt: string): PlanDigest {
  if (!/^[0-9a-f]{32,}$/.test(salt)) throw new Error("the salt must be at least 32 hex digits (plan job output `salt`)");
  assertApplyable(plan);
  const entries = digestEntries(plan, salt);
  const addresses = Object.fromEntries(entries.map(([address, entry]) => [address, hmac(salt, canonicalJson(entry)).slice(0, 16)]));
  return { digest: hmac(salt, canonicalJson(entries)), addresses };
}

/** Whether the plan would change anything at all (resources, state bindings or outputs). */
export function hasChanges(digest: PlanDigest): boolean {
  return Object.keys(digest.addresses).length > 0;
}

/** How a fresh plan differs from the approved one, address by address. */
export interface DigestDifference {
  /** Changed in the fresh plan, not in the approved one. */
  readonly added: readonly string[];
  /** Changed in the approved plan, not in the fresh one. */
  readonly removed: readonly string[];
  /** Changed in both, differently (actions, values, or unknowns). */
  readonly differs: readonly string[];
}

/** undefined when the digests match. */
export function compareDigests(approved: PlanDigest, current: PlanDigest): DigestDifference | undefined {
  if (approved.digest === current.digest) return undefined;
  const approvedAddresses = Object.keys(approved.addresses);
  const currentAddresses = Object.keys(current.addresses);
  return {
    added: currentAddresses.filter((address) => !(address in approved.addresses)),
    removed: approvedAddresses.filter((address) => !(address in current.addresses)),
    differs: approvedAddresses.filter((address) => address in current.addresses && approved.addresses[address] !== current.addresses[address]),
  };
}

/** One line naming every address that differs, for the ::error:: annotation. */
export function describeDigestDifference(difference: DigestDifference): string {
  const parts = [
    difference.added.length > 0 ? `not approved: ${difference.added.join(", ")}` : "",
    difference.removed.length > 0 ? `approved but no longer planned: ${difference.removed.join(", ")}` : "",
    difference.differs.length > 0 ? `planned differently than approved: ${difference.differs.join(", ")}` : "",
  ].filter((part) => part.length > 0);
  const detail = parts.length > 0 ? parts.join("; ") : "the same addresses change, but the plan digest differs";
  return `the fresh plan is not the approved plan (${detail}). Nothing was applied. Re-run the workflow to plan again and have the new plan approved.`;
}

/** Parses the `addresses` job output back. */
export function parseAddresses(text: string): Record<string, string> {
  const value = JSON.parse(text) as unknown;
  if (!isObject(value) || !Object.values(value).every((hash) => typeof hash === "string" && /^[0-9a-f]{16}$/.test(hash))) {
    throw new Error("the approved addresses must be a JSON object of address to 16 hex digits (plan job output `addresses`)");
  }
  return value as Record<string, string>;
}
