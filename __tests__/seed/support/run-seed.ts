import { main, type SeedDeps } from "../../../src/seed/main";

export interface Run {
  readonly code: number;
  readonly stdout: string[];
  readonly stderr: string[];
  /** Everything printed, for checks that must hold on both streams. */
  readonly printed: string;
  /** Every line in the order printed, both streams. */
  readonly lines: string[];
}

/**
 * A clock whose sleep advances time at once: a wait of 30 minutes in the seeder takes a few
 * event-loop turns in a test, and the deadline logic still sees every millisecond pass.
 */
export function virtualClock(start = Date.UTC(2026, 10, 29, 9, 0, 0)): SeedDeps["clock"] & { elapsed: () => number } {
  let now = start;
  return {
    now: () => now,
    sleep: async (ms) => {
      now += ms;
      await new Promise((resolve) => setImmediate(resolve));
    },
    elapsed: () => now - start,
  };
}

/** Runs the command line in-process; by default it may neither read a secret, ask STS nor connect. */
export async function runSeed(argv: string[], deps: Partial<SeedDeps> = {}): Promise<Run> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const lines: string[] = [];
  const code = await main(argv, {
    stdout: (line) => {
      stdout.push(line);
      lines.push(line);
    },
    stderr: (line) => {
      stderr.push(line);
      lines.push(line);
    },
    env: {},
    secretsManager: () => {
      throw new Error("this run must not read a secret");
    },
    sts: () => {
      throw new Error("this run must not ask STS");
    },
    mongoClient: () => {
      throw new Error("this run must not make a MongoDB client");
    },
    clock: virtualClock(),
    ...deps,
  });
  return { code, stdout, stderr, printed: lines.join("\n"), lines };
}
