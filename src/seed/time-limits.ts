/*
 * How long the seeder lets each thing take. Every command it sends carries a server-side time
 * limit (maxTimeMS): on a replica set with a member down, or a collection larger than expected,
 * nothing it does may wait without end. `--timeout-ms` (server selection) is separate and unchanged.
 */

/** Metadata commands (hello, listCollections, listIndexes, create, collMod, connectionStatus): answered in milliseconds when healthy. */
export const COMMAND_TIME_LIMIT_MS = 30_000;

/**
 * The violation check of a changed validator scans the collection until it has found
 * VIOLATION_COUNT_LIMIT violating documents, for at most this long. A check that does not
 * finish counts as unknown, which is a conflict: the seeder never guesses "0".
 */
export const VIOLATION_SCAN_TIME_LIMIT_MS = 60_000;

/** The check stops at this many violating documents and reports "at least" that many. */
export const VIOLATION_COUNT_LIMIT = 1_000;

/**
 * Default of `--index-build-timeout-ms`: the maxTimeMS of createIndexes, and the longest apply
 * waits for a build already in progress. 30 minutes covers a build over a few million documents on
 * an M10; a longer build should be started on purpose with a larger value.
 */
export const DEFAULT_INDEX_BUILD_TIMEOUT_MS = 30 * 60_000;

/** How often apply looks again at a build in progress (listIndexes with includeBuildUUIDs). */
export const INDEX_BUILD_POLL_INTERVAL_MS = 5_000;

/**
 * Client-side backstop: a socket silent this long is dropped even if the network vanished and
 * the server's own limit can no longer answer. Longer than any server-side limit above.
 */
export function socketTimeoutMs(indexBuildTimeoutMs: number): number {
  return Math.max(indexBuildTimeoutMs, VIOLATION_SCAN_TIME_LIMIT_MS, COMMAND_TIME_LIMIT_MS) + 60_000;
}

/** "30 min", "90 s", "250 ms": how a limit is quoted in messages. */
export function describeDuration(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms >= 1_000 && ms % 1_000 === 0) return `${ms / 1_000} s`;
  return `${ms} ms`;
}
