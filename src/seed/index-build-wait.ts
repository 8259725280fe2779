import { BSON } from "mongodb";
import type { SeedCommands } from "./commands";
import type { IndexBuild } from "./planner";

/*
 * Apply never starts a second build of an index that is already being built (after an
 * interrupted apply, a build started by hand, or one waiting for its commit quorum). It waits:
 * it reads listIndexes (with includeBuildUUIDs) again and again until each build's buildUUID is
 * gone, or until the time limit passes, and then says how each build ended.
 */

export interface WaitClock {
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

export interface BuildOutcome {
  readonly build: IndexBuild;
  /** "finished": the index is there; "vanished": the build ended without it (failed or aborted); "running": still going at the time limit. */
  readonly outcome: "finished" | "vanished" | "running";
}

/** A buildUUID as comparable text, whatever BSON class the driver gave it. */
function buildKey(buildUUID: unknown): string {
  return BSON.EJSON.stringify({ buildUUID });
}

export async function waitForIndexBuilds(
  commands: Pick<SeedCommands, "listIndexes">,
  builds: readonly IndexBuild[],
  limits: { readonly timeLimitMs: number; readonly pollIntervalMs: number },
  clock: WaitClock,
  onEnded: (outcome: BuildOutcome) => void,
): Promise<BuildOutcome[]> {
  const deadline = clock.now() + limits.timeLimitMs;
  let pending = [...builds];
  const outcomes: BuildOutcome[] = [];
  for (;;) {
    const stillRunning: IndexBuild[] = [];
    for (const collection of new Set(pending.map((build) => build.collection))) {
      const listed = await commands.listIndexes(collection);
      const running = new Set(listed.filter((entry) => entry.buildUUID !== undefined).map((entry) => buildKey(entry.buildUUID)));
      const ready = new Set(listed.filter((entry) => entry.buildUUID === undefined).map((entry) => String(entry.name)));
      for (const build of pending.filter((candidate) => candidate.collection === collection)) {
        if (running.has(buildKey(build.buildUUID))) {
          stillRunning.push(build);
          continue;
        }
        const outcome: BuildOutcome = { build, outcome: ready.has(String(build.spec.name)) ? "finished" : "vanished" };
        outcomes.push(outcome);
        onEnded(outcome);
      }
    }
    pending = stillRunning;
    if (pending.length === 0) return outcomes;
    const remaining = deadline - clock.now();
    if (remaining <= 0) return [...outcomes, ...pending.map((build) => ({ build, outcome: "running" as const }))];
    await clock.sleep(Math.min(limits.pollIntervalMs, remaining));
  }
}
