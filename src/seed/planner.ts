import type { CollectionValidation, DeclaredCollection, DeclaredIndex, DeclaredShape } from "./declared-shape";
import { sameIndexKey, semanticallyEqual } from "./semantic-compare";
import { describeDuration } from "./time-limits";

/*
 * The planner: a pure function from (declared shape, observed server state) to the operations
 * that bring the server to the shape, and the conflicts that forbid doing so. It never plans a
 * drop, a rename, or a change to an existing index: those would destroy something, so a
 * difference there is a conflict for a human to resolve. Nor does it replace a validator that
 * existing documents violate (see planValidator): the seeder never rewrites documents.
 */

type Document = Readonly<Record<string, unknown>>;

/** The server state the planner needs, as the server returns it. */
export interface ObservedDatabase {
  /** `listCollections` entries (name, type, options, info, idIndex) for the declared names. */
  readonly collections: readonly Document[];
  /**
   * `listIndexes` results (sent with `includeBuildUUIDs: true`) by collection name, for every
   * observed regular collection: finished indexes as specs, builds in progress as `{ spec, buildUUID }`.
   */
  readonly indexes: Readonly<Record<string, readonly Document[]>>;
  /**
   * For every collection that {@link collectionsWithChangedValidation} names: how many of its
   * documents do NOT satisfy the declared validator (documents matching `{ $nor: [declaredValidator] }`).
   */
  readonly violatingDocuments: Readonly<Record<string, ViolationCount>>;
}

/**
 * The result of a bounded violation check: an exact count, a lower bound when the check stopped
 * at its limit, or unknown when it ran out of time. Unknown is never read as 0.
 */
export type ViolationCount =
  | { readonly kind: "exact"; readonly count: number }
  | { readonly kind: "atLeast"; readonly count: number }
  | { readonly kind: "unknown"; readonly timeLimitMs: number };

/** A counted number of violating documents: what an update or a refusal can quote. */
export type CountedViolations = Exclude<ViolationCount, { kind: "unknown" }>;

/** What a validator looks like on the server; `validator` is absent when there is none. */
export interface ObservedValidation {
  readonly validator: Document | undefined;
  readonly validationLevel: string;
  readonly validationAction: string;
}

export type Operation =
  | { readonly kind: "createCollection"; readonly collection: string; readonly validation: CollectionValidation }
  | {
      readonly kind: "updateValidator";
      readonly collection: string;
      readonly before: ObservedValidation;
      readonly after: CollectionValidation;
      /** Existing documents that do not satisfy `after.validator`; above 0 only when `after` rejects no write to them. */
      readonly violatingDocuments: CountedViolations;
    }
  | { readonly kind: "createIndex"; readonly collection: string; readonly index: DeclaredIndex };

export type Conflict =
  | {
      readonly kind: "collection";
      readonly collection: string;
      readonly reason: string;
      /** The listCollections entry as the server returned it. */
      readonly found: Document;
    }
  | {
      readonly kind: "index";
      readonly collection: string;
      readonly reason: string;
      readonly declared: DeclaredIndex;
      /** The listIndexes entry as the server returned it. */
      readonly found: Document;
    }
  | {
      /** A validator change that existing documents violate, or that could not be checked; the seeder never rewrites documents. */
      readonly kind: "validator";
      readonly collection: string;
      readonly reason: string;
      readonly before: ObservedValidation;
      readonly after: CollectionValidation;
      readonly violatingDocuments: ViolationCount;
    };

/** An index on a declared collection that the shape does not mention: reported, left alone. */
export interface UnmanagedIndex {
  readonly collection: string;
  readonly index: Document;
}

/** An index build in progress on a declared collection (listIndexes with includeBuildUUIDs). */
export interface IndexBuild {
  readonly collection: string;
  /** The spec being built, as the server lists it. */
  readonly spec: Document;
  readonly buildUUID: unknown;
  /** Whether the shape declares this index (same name and definition); an undeclared build is someone else's. */
  readonly declared: boolean;
}

export interface Plan {
  readonly operations: readonly Operation[];
  readonly conflicts: readonly Conflict[];
  /** Builds still running: until they end, the database's shape is not known. */
  readonly building: readonly IndexBuild[];
  readonly unmanagedIndexes: readonly UnmanagedIndex[];
}

/** The server's defaults when a collection's options omit them. */
const DEFAULT_VALIDATION_LEVEL = "strict";
const DEFAULT_VALIDATION_ACTION = "error";

/** The index every collection has; the server creates and owns it. */
const ID_INDEX_NAME = "_id_";

/**
 * Properties of a listIndexes entry that do not change what the index does: `v` is the index
 * format version, `ns` appears on old servers, `background` has been ignored since 4.2.
 */
const INDEX_PROPERTIES_WITHOUT_MEANING = new Set(["v", "ns", "background", "name", "key"]);

/** Boolean index options whose `false` means the same as absent. */
const FALSE_MEANS_ABSENT = new Set(["unique", "sparse", "hidden"]);

/**
 * Collection options that change what the declared validators and indexes would mean. Anything
 * else (e.g. changeStreamPreAndPostImages) may be set by someone else and is left alone.
 */
const CONFLICTING_COLLECTION_OPTIONS: ReadonlyArray<[option: string, reason: string]> = [
  ["capped", "it is a capped collection, which silently discards old documents"],
  ["collation", "it has a default collation, which every declared index would inherit"],
];

export function planChanges(shape: DeclaredShape, observed: ObservedDatabase): Plan {
  const conflicts: Conflict[] = [];
  const building: IndexBuild[] = [];
  const unmanagedIndexes: UnmanagedIndex[] = [];
  // Creations first, then validator updates, then indexes: an index needs its collection.
  const collectionOperations: Operation[] = [];
  const validatorOperations: Operation[] = [];
  const indexOperations: Operation[] = [];

  for (const declared of shape.collections) {
    const found = observed.collections.find((entry) => entry.name === declared.name);
    if (found === undefined) {
      collectionOperations.push({ kind: "createCollection", collection: declared.name, validation: validationOf(declared) });
      indexOperations.push(...declared.indexes.map((index) => createIndex(declared.name, index)));
      continue;
    }
    const collectionConflict = collectionConflictReason(found);
    if (collectionConflict !== undefined) {
      // Validators and indexes of something that is not the declared collection are moot.
      conflicts.push({ kind: "collection", collection: declared.name, reason: collectionConflict, found });
      continue;
    }
    const before = observedValidation(found);
    if (!sameValidation(before, declared)) {
      const validatorPlan = planValidator(declared, before, observed.violatingDocuments[declared.name]);
      if (validatorPlan.kind === "updateValidator") validatorOperations.push(validatorPlan);
      else conflicts.push(validatorPlan);
    }
    const indexPlan = planIndexes(declared, observed.indexes[declared.name] ?? []);
    indexOperations.push(...indexPlan.operations);
    conflicts.push(...indexPlan.conflicts);
    building.push(...indexPlan.building);
    unmanagedIndexes.push(...indexPlan.unmanaged.map((index) => ({ collection: declared.name, index })));
  }

  return { operations: [...collectionOperations, ...validatorOperations, ...indexOperations], conflicts, building, unmanagedIndexes };
}

/**
 * The declared collections that exist as regular collections and whose validation differs from
 * the declaration: those the planner needs a count of violating documents for. Pure, so the
 * observation step asks exactly the question the planner looks up.
 */
export function collectionsWithChangedValidation(shape: DeclaredShape, collections: readonly Document[]): DeclaredCollection[] {
  return shape.collections.filter((declared) => {
    const found = collections.find((entry) => entry.name === declared.name);
    if (found === undefined || collectionConflictReason(found) !== undefined) return false;
    return !sameValidation(observedValidation(found), declared);
  });
}

/** Whether the server refuses updates of documents that do not satisfy the validator. */
export function rejectsWritesToInvalidDocuments(validation: CollectionValidation): boolean {
  return validation.validationLevel === "strict" && validation.validationAction === "error";
}

/**
 * A changed validator becomes a collMod, unless existing documents violate it and the new
 * validation rejects writes to them: with validationLevel strict and validationAction error,
 * every later update of such a document fails, even one that does not touch the offending field,
 * so the application would break on old data. The seeder never rewrites documents, so that is a
 * conflict for a person: migrate the data, then apply. With validationLevel moderate (updates of
 * already-invalid documents are not checked) or off, or validationAction warn, nothing is
 * refused, and the update goes ahead with the count shown. A check that did not finish is a
 * conflict whatever the validation: the seeder replaces no validator it could not check.
 */
function planValidator(
  declared: DeclaredCollection,
  before: ObservedValidation,
  violatingDocuments: ViolationCount | undefined,
): Extract<Operation, { kind: "updateValidator" }> | Extract<Conflict, { kind: "validator" }> {
  if (violatingDocuments === undefined) {
    // A gap in the observation step, never a server state: refuse rather than guess.
    throw new Error(`the observed state has no count of the documents violating the new validator of ${declared.name}`);
  }
  const after = validationOf(declared);
  const conflict = (reason: string) => ({ kind: "validator" as const, collection: declared.name, reason, before, after, violatingDocuments });
  if (violatingDocuments.kind === "unknown") {
    return conflict(
      `the check for existing documents that violate the new validator did not finish within ${describeDuration(violatingDocuments.timeLimitMs)}, ` +
        "so their number is unknown; the seeder replaces no validator it could not check: count them by hand (find({ $nor: [<new validator>] })), then run plan again",
    );
  }
  if (violatingDocuments.count > 0 && rejectsWritesToInvalidDocuments(after)) {
    const documents = `${describeViolationCount(violatingDocuments)} existing ${violatingDocuments.count === 1 && violatingDocuments.kind === "exact" ? "document violates" : "documents violate"}`;
    return conflict(
      `${documents} the new validator (validationLevel ${after.validationLevel}, validationAction ${after.validationAction}: ` +
        "every later update of them would fail); the seeder never rewrites documents: migrate the data first, then run apply",
    );
  }
  return { kind: "updateValidator", collection: declared.name, before, after, violatingDocuments };
}

/** "3", or "at least 1000" when the check stopped at its limit. */
export function describeViolationCount(count: CountedViolations): string {
  return count.kind === "atLeast" ? `at least ${count.count}` : String(count.count);
}

/** Whether a plan asks for nothing: no operation, no conflict, and no index build still running. */
export function isEmptyPlan(plan: Plan): boolean {
  return plan.operations.length === 0 && plan.conflicts.length === 0 && plan.building.length === 0;
}

function createIndex(collection: string, index: DeclaredIndex): Operation {
  return { kind: "createIndex", collection, index };
}

function validationOf(declared: DeclaredCollection): CollectionValidation {
  return {
    validator: declared.validator,
    validationLevel: declared.validationLevel,
    validationAction: declared.validationAction,
  };
}

/**
 * Why an existing collection cannot be brought to a declared regular collection without
 * destroying it; undefined when it can. Never resolved by the seeder: converting a view or a
 * time-series collection means dropping it.
 */
function collectionConflictReason(found: Document): string | undefined {
  // listCollections on servers before 3.4 omitted `type`; those are regular collections.
  const type = found.type ?? "collection";
  if (type === "view") return "a view exists under this name; the seeder declares a regular collection";
  if (type === "timeseries") {
    return "a time-series collection exists under this name; the seeder declares a regular collection (time-series collections cannot have validators)";
  }
  if (type !== "collection") return `a ${String(type)} exists under this name; the seeder declares a regular collection`;
  const options = optionsOf(found);
  for (const [option, reason] of CONFLICTING_COLLECTION_OPTIONS) {
    if (options[option] !== undefined && options[option] !== false) return `the collection exists but ${reason}`;
  }
  return undefined;
}

function optionsOf(found: Document): Document {
  const options = found.options;
  return typeof options === "object" && options !== null ? (options as Document) : {};
}

function observedValidation(found: Document): ObservedValidation {
  const options = optionsOf(found);
  const validator = options.validator;
  return {
    validator: typeof validator === "object" && validator !== null ? (validator as Document) : undefined,
    validationLevel: typeof options.validationLevel === "string" ? options.validationLevel : DEFAULT_VALIDATION_LEVEL,
    validationAction: typeof options.validationAction === "string" ? options.validationAction : DEFAULT_VALIDATION_ACTION,
  };
}

function sameValidation(found: ObservedValidation, declared: CollectionValidation): boolean {
  return (
    semanticallyEqual(found.validator ?? {}, declared.validator) &&
    found.validationLevel === declared.validationLevel &&
    found.validationAction === declared.validationAction
  );
}

interface IndexPlan {
  readonly operations: Operation[];
  readonly conflicts: Conflict[];
  readonly building: IndexBuild[];
  readonly unmanaged: Document[];
}

/** A listIndexes entry: a finished index is its spec; a build in progress is `{ spec, buildUUID }`. */
interface ListedIndex {
  readonly spec: Document;
  readonly buildUUID?: unknown;
  /** The entry as the server returned it, for conflict reports. */
  readonly entry: Document;
}

function listedIndex(entry: Document): ListedIndex {
  const spec = entry.spec;
  if (entry.buildUUID !== undefined && typeof spec === "object" && spec !== null) {
    return { spec: spec as Document, buildUUID: entry.buildUUID, entry };
  }
  return { spec: entry, entry };
}

function planIndexes(declared: DeclaredCollection, entries: readonly Document[]): IndexPlan {
  const plan: IndexPlan = { operations: [], conflicts: [], building: [], unmanaged: [] };
  const found = entries.map(listedIndex);
  const accountedFor = new Set<ListedIndex>();
  const conflict = (index: DeclaredIndex, reason: string, listed: ListedIndex) => {
    const state = listed.buildUUID === undefined ? "" : " (its build is still in progress)";
    plan.conflicts.push({ kind: "index", collection: declared.name, reason: `${reason}${state}`, declared: index, found: listed.entry });
  };
  for (const index of declared.indexes) {
    const sameName = found.find((listed) => listed.spec.name === index.name);
    if (sameName !== undefined) {
      accountedFor.add(sameName);
      const reason = indexDifference(index, sameName.spec);
      if (reason !== undefined) conflict(index, reason, sameName);
      else if (sameName.buildUUID !== undefined) plan.building.push(indexBuild(declared.name, sameName, true));
      continue;
    }
    // MongoDB refuses a second index with the same key and signature under another name (85
    // IndexOptionsConflict); since 5.0 the signature is the key plus unique, sparse, collation
    // and partialFilterExpression. One that differs in those would be accepted, but it would
    // duplicate an index nobody declared on the same key: a conflict for a person either way.
    const sameKey = found.find((listed) => listed.spec.name !== ID_INDEX_NAME && sameIndexKey(listed.spec.key, index.key));
    if (sameKey !== undefined) {
      accountedFor.add(sameKey);
      conflict(index, `an index on the same key exists under another name (${String(sameKey.spec.name)})`, sameKey);
      continue;
    }
    plan.operations.push(createIndex(declared.name, index));
  }
  for (const listed of found) {
    if (listed.spec.name === ID_INDEX_NAME || accountedFor.has(listed)) continue;
    if (listed.buildUUID !== undefined) plan.building.push(indexBuild(declared.name, listed, false));
    else plan.unmanaged.push(listed.spec);
  }
  return plan;
}

function indexBuild(collection: string, listed: ListedIndex, declared: boolean): IndexBuild {
  return { collection, spec: listed.spec, buildUUID: listed.buildUUID, declared };
}

/**
 * How an existing index of the same name differs from its declaration; undefined if it does not.
 * The seeder never changes an existing index. (MongoDB itself would answer a createIndexes of the
 * declared spec with 86 IndexKeySpecsConflict for a different key or signature option (unique,
 * sparse, collation, partialFilterExpression), and with 85 IndexOptionsConflict for any other
 * differing option, e.g. expireAfterSeconds.)
 */
function indexDifference(declared: DeclaredIndex, found: Document): string | undefined {
  if (!sameIndexKey(found.key, declared.key)) return "same name, different key (fields, directions or their order)";
  if (!semanticallyEqual(meaningfulOptions(found), meaningfulOptions(declared))) return "same name and key, different options";
  return undefined;
}

/** The options of an index that change its behaviour, with defaults spelled out removed. */
function meaningfulOptions(index: Document | DeclaredIndex): Document {
  const options: Record<string, unknown> = {};
  for (const [option, value] of Object.entries(index)) {
    if (INDEX_PROPERTIES_WITHOUT_MEANING.has(option) || value === undefined) continue;
    if (FALSE_MEANS_ABSENT.has(option) && value === false) continue;
    options[option] = value;
  }
  return options;
}
