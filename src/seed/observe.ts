import type { Db, Document } from "mongodb";
import type { ObservedDatabase } from "./planner";

/**
 * Reads what the planner compares against: the listCollections entries of the declared
 * collections and the listIndexes result of each. Read-only: needs no more than the readWrite
 * role the application user already has.
 */
export async function observeDatabase(db: Db, collectionNames: readonly string[]): Promise<ObservedDatabase> {
  const collections = await db.listCollections({ name: { $in: [...collectionNames] } }, { nameOnly: false }).toArray();
  const indexes: Record<string, Document[]> = {};
  for (const collection of collections) {
    // A view has no indexes (listIndexes fails on it), and the indexes of a time-series
    // collection are moot: the planner reports either as a conflict and looks no further.
    if ((collection.type ?? "collection") !== "collection") continue;
    indexes[collection.name] = await db.collection(collection.name).listIndexes().toArray();
  }
  return { collections, indexes };
}
