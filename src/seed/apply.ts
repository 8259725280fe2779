import type { Db, IndexDescription } from "mongodb";
import type { DeclaredIndex } from "./declared-shape";
import { ApplyInterruptedError } from "./errors";
import type { Operation } from "./planner";

/**
 * Carries out a plan's operations in order. Only three commands are ever sent: create (a missing
 * collection with its validator), collMod (a changed validator) and createIndexes (missing
 * indexes, one command per collection). Nothing here can drop, delete or rewrite.
 *
 * The caller must not pass a plan that has conflicts: all-or-nothing is decided before this runs.
 */
export async function applyOperations(db: Db, operations: readonly Operation[], onApplied: (operation: Operation) => void): Promise<void> {
  let completed = 0;
  try {
    for (const batch of batchIndexCreations(operations)) {
      await send(db, batch);
      for (const operation of batch) {
        completed += 1;
        onApplied(operation);
      }
    }
  } catch (error) {
    throw new ApplyInterruptedError(completed, operations.length, error);
  }
}

/** Groups consecutive index creations on one collection, so each collection gets one createIndexes. */
function batchIndexCreations(operations: readonly Operation[]): Operation[][] {
  const batches: Operation[][] = [];
  for (const operation of operations) {
    const previous = batches.at(-1);
    const joinsPrevious =
      operation.kind === "createIndex" &&
      previous !== undefined &&
      previous[0].kind === "createIndex" &&
      previous[0].collection === operation.collection;
    if (joinsPrevious) previous.push(operation);
    else batches.push([operation]);
  }
  return batches;
}

async function send(db: Db, batch: readonly Operation[]): Promise<void> {
  const [first] = batch;
  switch (first.kind) {
    case "createCollection":
      await db.createCollection(first.collection, { ...first.validation });
      return;
    case "updateValidator":
      await db.command({ collMod: first.collection, ...first.after });
      return;
    case "createIndex": {
      const indexes = batch.flatMap((operation) => (operation.kind === "createIndex" ? [indexDescription(operation.index)] : []));
      await db.collection(first.collection).createIndexes(indexes);
      return;
    }
  }
}

function indexDescription(index: DeclaredIndex): IndexDescription {
  // `unique: false` is left out rather than sent, as the server would not store it either.
  return { name: index.name, key: { ...index.key }, ...(index.unique === true ? { unique: true } : {}) };
}
