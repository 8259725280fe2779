import type { Document } from "mongodb";
import type { SeedCommands } from "./commands";
import type { DeclaredShape } from "./declared-shape";
import { collectionsWithChangedValidation, type ObservedDatabase, type ViolationCount } from "./planner";

/** The read-only commands observation sends. */
export type ObservationCommands = Pick<SeedCommands, "listCollections" | "listIndexes" | "countViolating">;

/**
 * Reads what the planner compares against: the listCollections entries of the declared
 * collections, the listIndexes result of each (builds in progress included, marked), and, for
 * each collection whose validation differs from the declared one, a bounded count of its
 * documents the declared validator would reject. Read-only: needs no more than the readWrite
 * role the application user already has.
 */
export async function observeDatabase(commands: ObservationCommands, shape: DeclaredShape): Promise<ObservedDatabase> {
  const collections = await commands.listCollections(shape.collections.map((declared) => declared.name));
  const indexes: Record<string, Document[]> = {};
  for (const collection of collections) {
    // A view has no indexes (listIndexes fails on it), and the indexes of a time-series
    // collection are moot: the planner reports either as a conflict and looks no further.
    if ((collection.type ?? "collection") !== "collection") continue;
    indexes[collection.name] = await commands.listIndexes(collection.name);
  }
  const violatingDocuments: Record<string, ViolationCount> = {};
  for (const declared of collectionsWithChangedValidation(shape, collections)) {
    violatingDocuments[declared.name] = await commands.countViolating(declared.name, declared.validator);
  }
  return { collections, indexes, violatingDocuments };
}
