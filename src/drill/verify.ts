import { MongoClient } from "mongodb";
import { COLLECTION_NAMES } from "../seed/declared-shape";
import { defaultDeps as seedDefaultDeps, main as seedMain } from "../seed/main";
import { compareCounts, type CollectionCount, type CountTolerance } from "./counts";

/*
 * Verification of a restored copy, run on the environment's self-hosted runner (the private
 * hostnames resolve only inside the VPC):
 * 1. `seed plan` against the copy exits 0: every declared collection, validator and index is there;
 * 2. each declared collection's document count in the copy is within the tolerance of the source's.
 * Both are read with the drill's temporary user: `read` on the database only, scoped to the drill
 * cluster and the source, deleted by the drill (and by Atlas at its deleteAfterDate). The stack's
 * own users cannot do it: they are scoped to the environment's cluster only (docs/operations.md,
 * "Credentials", says why the drill does not borrow the seeder's role instead).
 */

export interface VerificationRequest {
  /** mongodb+srv URI of the copy, with the temporary user's credentials. Never printed. */
  readonly restoredUri: string;
  /** The same for the environment's own cluster (private endpoint). Never printed. */
  readonly sourceUri: string;
  readonly database: string;
  readonly tolerance: CountTolerance;
  readonly timeoutMs: number;
}

export interface VerificationResult {
  readonly seedPlanExitCode: number;
  /** seed plan's output (its own redaction applies). */
  readonly seedPlanOutput: readonly string[];
  readonly counts: readonly CollectionCount[];
}

export type Verifier = (request: VerificationRequest) => Promise<VerificationResult>;

export function verificationPassed(result: VerificationResult): boolean {
  return result.seedPlanExitCode === 0 && result.counts.every((count) => count.ok);
}

/** The real verifier: the seeder's planner in-process, and the MongoDB driver for counts. */
export const mongoVerifier: Verifier = async (request) => {
  const output: string[] = [];
  const seedPlanExitCode = await seedMain(["plan", "--database", request.database, "--timeout-ms", String(request.timeoutMs)], {
    ...seedDefaultDeps(),
    // The URI goes through the environment, never the command line (ps, logs).
    env: { ...process.env, MONGODB_URI: request.restoredUri },
    stdout: (line) => output.push(line),
    stderr: (line) => output.push(line),
  });

  // The source is production: read its counts from metadata (no collection scan). The copy is
  // counted exactly: that is what is being proven.
  const sourceCounts = await withClient(request.sourceUri, request.timeoutMs, async (db) => {
    const counts = new Map<string, number>();
    for (const name of COLLECTION_NAMES) counts.set(name, await db(request.database).collection(name).estimatedDocumentCount());
    return counts;
  });
  const restoredCounts = await withClient(request.restoredUri, request.timeoutMs, async (db) => {
    const present = new Set((await db(request.database).listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name));
    const counts = new Map<string, number>();
    for (const name of COLLECTION_NAMES) if (present.has(name)) counts.set(name, await db(request.database).collection(name).countDocuments({}));
    return counts;
  });
  return { seedPlanExitCode, seedPlanOutput: output, counts: compareCounts(COLLECTION_NAMES, sourceCounts, restoredCounts, request.tolerance) };
};

async function withClient<T>(uri: string, timeoutMs: number, use: (db: MongoClient["db"]) => Promise<T>): Promise<T> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: timeoutMs, connectTimeoutMS: timeoutMs, appName: "restore-drill", readPreference: "secondaryPreferred" });
  try {
    await client.connect();
    return await use(client.db.bind(client));
  } finally {
    await client.close().catch(() => undefined);
  }
}
