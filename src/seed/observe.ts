import type { Db, Document, Filter } from "mongodb";
import type { DeclaredShape } from "./declared-shape";
import { collectionsWithChangedValidation, type ObservedDatabase } from "./planner";

/**
 * Reads what the planner compares against: the listCollections entries of the declared
 * collections, the listIndexes result of each, and, for each collection whose validation differs
 * from the declared one, how many of its documents the declared validator would reject.
 * Read-only: needs no more than the readWrite role the application user already has.
 */
export async function observeDatabase(db: Db, shape: DeclaredShape): Promise<ObservedDatabase> {
  const names = shape.collections.map((declared) => declared.name);
  const collections = await db.listCollections({ name: { $in: names } }, { nameOnly: false }).toArray();
  const indexes: Record<string, Document[]> = {};
  for (const collection of collections) {
    // A view has no indexes (listIndexes fails on it), and the indexes of a time-series
    // collection are moot: the planner reports either as a conflict and looks no further.
    if ((collection.type ?? "collection") !== "collection") continue;
    indexes[collection.name] = await db.collection(collection.name).listIndexes().toArray();
  }
  const violatingDocuments: Record<string, number> = {};
  for (const declared of collectionsWithChangedValidation(shape, collections)) {
    // A full scan of the collection: it runs only when a validator is about to change.
    violatingDocuments[declared.name] = await db.collection(declared.name).countDocuments(violating(declared.validator));
  }
  return { collections, indexes, violatingDocuments };
}

/**
 * The documents a validator rejects. A `$jsonSchema` validator is a query expression, and the
 * manual's own form for "documents that do not match the schema" is `{ $nor: [ <schema> ] }`
 * (Schema Validation: Query for and Modify Valid or Invalid Documents).
 */
export function violating(validator: Document): Filter<Document> {
  return { $nor: [validator] };
}
