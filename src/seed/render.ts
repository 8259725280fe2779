import { BSON } from "mongodb";
import type { CollectionValidation, DeclaredIndex } from "./declared-shape";
import {
  describeViolationCount,
  isEmptyPlan,
  rejectsWritesToInvalidDocuments,
  type Conflict,
  type IndexBuild,
  type ObservedValidation,
  type Operation,
  type Plan,
} from "./planner";
import { differences } from "./semantic-compare";

/*
 * The plan as people read it in a deploy log, in the spirit of `terraform plan`:
 *   + something will be created
 *   ~ something will be changed in place (a validator, through collMod)
 *   ! a conflict: nothing will be changed until a human resolves it (an index or collection that
 *     differs, or a new validator that existing documents violate)
 *   * an index build in progress: plan exits 4 until it ends, and apply waits for it
 *   = something exists that the shape does not declare; it is left alone
 */

/** Relaxed Extended JSON: numbers print as numbers whatever BSON type the server used. */
function show(value: unknown): string {
  if (value === undefined) return "(absent)";
  return BSON.EJSON.stringify(value, { relaxed: true });
}

function showIndex(index: DeclaredIndex): string {
  return `${show(index.key)}${index.unique === true ? " unique" : ""}`;
}

/** One line naming what an operation does, without its details. */
export function describeOperation(operation: Operation): string {
  switch (operation.kind) {
    case "createCollection": {
      const { validationLevel, validationAction } = operation.validation;
      return `create collection ${operation.collection} with its $jsonSchema validator (validationLevel ${validationLevel}, validationAction ${validationAction})`;
    }
    case "updateValidator":
      return `update validator of ${operation.collection} (collMod)`;
    case "createIndex":
      return `create index ${operation.collection}.${operation.index.name} ${showIndex(operation.index)}`;
  }
}

/** Each changed path of a validation, before -> after, as plan lines. */
function validationChangeLines(before: ObservedValidation, after: CollectionValidation): string[] {
  const changes = [
    ...differences(before.validator ?? {}, after.validator).map((change) => ({ ...change, path: `validator.${change.path}` })),
    ...differences(before.validationLevel, after.validationLevel, "validationLevel"),
    ...differences(before.validationAction, after.validationAction, "validationAction"),
  ];
  return changes.map((change) => `      ${change.path}: ${show(change.before)} -> ${show(change.after)}`);
}

/**
 * An operation as a plan shows it. A validator update lists each changed path, before -> after,
 * and how many existing documents the new validator rejects (0, or documents whose writes the new
 * validation does not refuse: see planValidator).
 */
export function renderOperation(operation: Operation): string[] {
  if (operation.kind !== "updateValidator") return [`  + ${describeOperation(operation)}`];
  const { before, after, violatingDocuments } = operation;
  const tolerated =
    violatingDocuments.count > 0 && !rejectsWritesToInvalidDocuments(after)
      ? ` (validationLevel ${after.validationLevel}, validationAction ${after.validationAction}: writes to them are not refused)`
      : "";
  return [
    `  ~ ${describeOperation(operation)}`,
    ...validationChangeLines(before, after),
    `      existing documents violating the new validator: ${describeViolationCount(violatingDocuments)}${tolerated}`,
  ];
}

/** A build in progress, declared or not: the shape is not settled until it ends. */
export function renderBuild(build: IndexBuild): string {
  const unique = build.spec.unique === true ? " unique" : "";
  const whose = build.declared ? "declared" : "not declared; left as it is once built";
  return `  * index ${build.collection}.${String(build.spec.name)} ${show(build.spec.key)}${unique} is being built (${whose}): plan again when it ends`;
}

export function renderConflict(conflict: Conflict): string[] {
  switch (conflict.kind) {
    case "collection":
      return [`  ! conflict on collection ${conflict.collection}: ${conflict.reason}`, `      found:    ${show(conflict.found)}`];
    case "index":
      return [
        `  ! conflict on index ${conflict.collection}.${conflict.declared.name}: ${conflict.reason}`,
        `      declared: ${show(conflict.declared)}`,
        `      found:    ${show(conflict.found)}`,
      ];
    case "validator":
      return [`  ! conflict on validator of ${conflict.collection}: ${conflict.reason}`, ...validationChangeLines(conflict.before, conflict.after)];
  }
}

function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}

export function renderSummary(plan: Plan): string {
  const byKind = (kind: Operation["kind"]) => plan.operations.filter((operation) => operation.kind === kind).length;
  return (
    `Plan: ${count(byKind("createCollection"), "collection")} to create, ` +
    `${count(byKind("updateValidator"), "validator")} to update, ` +
    `${count(byKind("createIndex"), "index", "indexes")} to create, ` +
    (plan.building.length > 0 ? `${count(plan.building.length, "index build")} in progress, ` : "") +
    `${count(plan.conflicts.length, "conflict")}.`
  );
}

/** The whole plan for one database: conflicts first, since they block everything else, then builds in progress. */
export function renderPlan(plan: Plan, database: string): string[] {
  const unmanaged = plan.unmanagedIndexes.map(
    ({ collection, index }) => `  = index ${collection}.${String(index.name)} ${show(index.key)} is not declared; left as it is`,
  );
  if (isEmptyPlan(plan)) return [`No changes. Database "${database}" matches the declared shape.`, ...unmanaged];
  return [
    `Database "${database}":`,
    ...plan.conflicts.flatMap(renderConflict),
    ...plan.building.map(renderBuild),
    ...plan.operations.flatMap(renderOperation),
    ...unmanaged,
    renderSummary(plan),
  ];
}
