import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { MongoClient } from "mongodb";
import { resolveConnection } from "../seed/connection";
import { COLLECTION_NAMES } from "../seed/declared-shape";
import { defaultDeps as seedDefaultDeps, main as seedMain } from "../seed/main";
import { compareCounts, type CollectionCount, type CountTolerance } from "./counts";

/*
 * Verification of a restored copy, run on the environment's self-hosted runner (the private
 * hostnames resolve only inside the VPC):
 * 1. `seed plan` against the copy exits 0: every declared collection, validator and index is there;
 * 2. each declared collection's document count in the copy is within the tolerance of the source's.
 * The copy is read with a temporary read-only user scoped to the drill cluster (the stack's users
 * are scoped to the environment's own cluster); the source is read as the seeder, through the
 * seeder's secret and the runner's seeder role (MONGODB-AWS).
 */

export interface VerificationRequest {
  /** mongodb+srv URI of the copy, with the temporary user's credentials. Never printed. */
  readonly restoredUri: string;
  readonly database: string;
  /** The seeder's secret (Secrets Manager id), for the source's URI. */
  readonly sourceSecretId: string;
  readonly awsRegion: string;
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

  const source = await resolveConnection(
    { secretId: request.sourceSecretId, database: request.database },
    {
      env: { ...process.env, MONGODB_URI: undefined, AWS_REGION: request.awsRegion },
      secretsManager: () => new SecretsManagerClient({ region: request.awsRegion }),
      onUri: () => undefined,
    },
  );
  // The source is production: read its counts from metadata (no collection scan). The copy is
  // counted exactly: that is what is being proven.
  const sourceCounts = await withClient(source.uri, request.timeoutMs, async (db) => {
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
