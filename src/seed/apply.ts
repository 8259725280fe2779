import type { CommitQuorum, SeedCommands } from "./commands";
import type { DeclaredIndex } from "./declared-shape";
import { ApplyInterruptedError } from "./errors";
import type { Operation } from "./planner";

/** The write commands apply sends. */
export type ApplyCommands = Pick<SeedCommands, "create" | "collMod" | "createIndexes">;

/**
 * Carries out a plan's operations in order. Only three commands are ever sent: create (a missing
 * collection with its validator), collMod (a changed validator) and createIndexes (missing
 * indexes, one command per collection, with the given commitQuorum). Nothing here can drop,
 * delete or rewrite. Each is safe to repeat: MongoDB 7.0 answers an identical create and an
 * identical index with ok, so a re-run after an interruption, or a second seeder, converges.
 *
 * The caller must not pass a plan that has conflicts or builds in progress: that is decided before this runs.
 */
export async function applyOperations(
  commands: ApplyCommands,
  operations: readonly Operation[],
  commitQuorum: CommitQuorum,
  onApplied: (operation: Operation) => void,
): Promise<void> {
  let completed = 0;
  try {
    for (const batch of batchIndexCreations(operations)) {
      await send(commands, batch, commitQuorum);
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

async function send(commands: ApplyCommands, batch: readonly Operation[], commitQuorum: CommitQuorum): Promise<void> {
  const [first] = batch;
  switch (first.kind) {
    case "createCollection":
      return commands.create(first.collection, first.validation);
    case "updateValidator":
      return commands.collMod(first.collection, first.after);
    case "createIndex": {
      const indexes: DeclaredIndex[] = batch.flatMap((operation) => (operation.kind === "createIndex" ? [operation.index] : []));
      return commands.createIndexes(first.collection, indexes, commitQuorum);
    }
  }
}
