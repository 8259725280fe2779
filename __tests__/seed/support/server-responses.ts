import { BSON, Double, Int32, UUID, type Document } from "mongodb";
import type { DeclaredCollection, DeclaredIndex, DeclaredShape } from "../../../src/seed/declared-shape";
import type { ObservedDatabase, ViolationCount } from "../../../src/seed/planner";

/*
 * listCollections / listIndexes results shaped like MongoDB 7.0's. The seeded ones are built from
 * the declared shape the way the server would store and return it, so they follow the shape when
 * it changes; the odd ones (views, time-series, hand-made indexes) are written out literally.
 */

/**
 * A value after a trip through the server: serialised to BSON and read back keeping the number
 * wrappers (what the driver returns with promoteValues: false), so 0 comes back as Int32(0).
 */
export function throughServer<T>(value: T): Document {
  return BSON.deserialize(BSON.serialize({ value }), { promoteValues: false }).value as Document;
}

/** The same document with every property order reversed, at every depth; arrays keep their order. */
export function reversedPropertyOrder(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversedPropertyOrder);
  if (typeof value !== "object" || value === null || Object.getPrototypeOf(value) !== Object.prototype) return value;
  return Object.fromEntries(Object.entries(value).reverse().map(([key, inner]) => [key, reversedPropertyOrder(inner)]));
}

export const ID_INDEX: Document = { v: 2, key: { _id: 1 }, name: "_id_" };

export interface SeededCollectionVariant {
  /** Reverse the property order inside the validator, as a hand-made collMod might have. */
  readonly reorderValidator?: boolean;
  /** Leave validationLevel / validationAction out, as the server does when they were not given. */
  readonly omitValidationDefaults?: boolean;
}

/** The listCollections entry of a collection the seeder created. */
export function seededCollectionEntry(declared: DeclaredCollection, variant: SeededCollectionVariant = {}): Document {
  const validator = throughServer(variant.reorderValidator ? reversedPropertyOrder(declared.validator) : declared.validator);
  const validation = variant.omitValidationDefaults
    ? {}
    : { validationLevel: declared.validationLevel, validationAction: declared.validationAction };
  return {
    name: declared.name,
    type: "collection",
    options: { validator, ...validation },
    info: { readOnly: false, uuid: new UUID() },
    idIndex: ID_INDEX,
  };
}

/** A listIndexes entry as 7.0 returns it: `v` first, `unique` only when true, numbers as Int32. */
export function indexEntry(index: DeclaredIndex): Document {
  const key = Object.fromEntries(Object.entries(index.key).map(([field, direction]) => [field, new Int32(direction)]));
  return { v: new Int32(2), key, name: index.name, ...(index.unique ? { unique: true } : {}) };
}

/** listIndexes of a collection the seeder created: the _id_ index, then the declared ones. */
export function seededIndexes(declared: DeclaredCollection): Document[] {
  return [ID_INDEX, ...declared.indexes.map(indexEntry)];
}

export const EMPTY_DATABASE: ObservedDatabase = { collections: [], indexes: {}, violatingDocuments: {} };

/** A database the seeder has fully applied to. */
export function fullySeeded(shape: DeclaredShape, variant: SeededCollectionVariant = {}): ObservedDatabase {
  return {
    collections: shape.collections.map((declared) => seededCollectionEntry(declared, variant)),
    indexes: Object.fromEntries(shape.collections.map((declared) => [declared.name, seededIndexes(declared)])),
    violatingDocuments: {},
  };
}

/**
 * Replaces one collection's observed entry, indexes and/or count of documents violating the
 * declared validator, leaving the rest as they are.
 */
export function withCollection(
  observed: ObservedDatabase,
  name: string,
  change: { readonly entry?: Document | null; readonly indexes?: readonly Document[] | null; readonly violatingDocuments?: number | ViolationCount },
): ObservedDatabase {
  const collections = observed.collections.filter((entry) => entry.name !== name);
  if (change.entry !== null) collections.push(change.entry ?? observed.collections.find((entry) => entry.name === name)!);
  const indexes: Record<string, readonly Document[]> = { ...observed.indexes };
  if (change.indexes === null) delete indexes[name];
  else if (change.indexes !== undefined) indexes[name] = change.indexes;
  const violatingDocuments: Record<string, ViolationCount> = { ...observed.violatingDocuments };
  const counted = change.violatingDocuments;
  if (counted !== undefined) violatingDocuments[name] = typeof counted === "number" ? { kind: "exact", count: counted } : counted;
  return { collections, indexes, violatingDocuments };
}

/** A build in progress as 7.0's listIndexes lists it with includeBuildUUIDs: `{ spec, buildUUID }`. */
export function buildingEntry(index: DeclaredIndex): Document {
  return { spec: indexEntry(index), buildUUID: new UUID() };
}

/** A time-series collection as 7.0 lists it (no validator is possible on it). */
export function timeSeriesEntry(name: string): Document {
  return {
    name,
    type: "timeseries",
    options: { timeseries: { timeField: "timestamp", metaField: "dimensions", granularity: "seconds", bucketMaxSpanSeconds: new Int32(3600) } },
    info: { readOnly: false },
  };
}

/** A view as 7.0 lists it: no uuid, no idIndex, read-only. */
export function viewEntry(name: string, viewOn: string): Document {
  return { name, type: "view", options: { viewOn, pipeline: [{ $match: { status: "complete" } }] }, info: { readOnly: true } };
}

/** A capped collection as 7.0 lists it; sizes come back as Double or Int32 depending on value. */
export function cappedEntry(name: string): Document {
  return {
    name,
    type: "collection",
    options: { capped: true, size: new Double(1048576), max: new Int32(1000) },
    info: { readOnly: false, uuid: new UUID() },
    idIndex: ID_INDEX,
  };
}
