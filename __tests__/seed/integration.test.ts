import { randomBytes } from "node:crypto";
import { MongoClient, MongoServerError, type CommandStartedEvent } from "mongodb";
import { SeedCommands } from "../../src/seed/commands";
import { COLLECTION_NAMES, DECLARED_SHAPE } from "../../src/seed/declared-shape";
import { EXIT, main } from "../../src/seed/main";
import { observeDatabase } from "../../src/seed/observe";
import { isEmptyPlan, planChanges } from "../../src/seed/planner";
import { semanticallyEqual } from "../../src/seed/semantic-compare";

/*
 * The seeder against a real MongoDB (7.0: standalone, replica set or Atlas), through its command
 * line. Runs only when MONGODB_TEST_URI is set: the pull-request workflow's check job sets it for
 * its mongo:7.0 service container; no MongoDB server can be installed on the development machines. Every run works in throwaway databases with a unique name and drops them
 * afterwards; the URI's user needs readWrite on them (or dbAdmin/root on a local test server).
 */

const TEST_URI = process.env.MONGODB_TEST_URI;
const SKIP_REASON =
  "MONGODB_TEST_URI is not set, so the seeder's integration tests against a real MongoDB are skipped (no server can run here); set it to a MongoDB 7.0 URI to run them";
if (!TEST_URI) console.warn(`[seed integration] ${SKIP_REASON}`);

/** The commands that change a database's shape: the only ones the seeder may send. */
const SHAPE_WRITES = new Set(["create", "collMod", "createIndexes"]);
/** Commands the seeder must never send. */
const DESTRUCTIVE = new Set(["drop", "dropDatabase", "dropIndexes", "deleteIndexes", "renameCollection", "delete", "update", "findAndModify", "insert"]);

interface SeedRun {
  readonly code: number;
  readonly stdout: string[];
  readonly stderr: string[];
  /** Shape-changing commands sent, as "<command> <collection>". */
  readonly writes: string[];
  readonly destructive: string[];
}

describe.skipIf(!TEST_URI)("seeder against a real MongoDB", () => {
  const runId = `${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
  const throwaway: string[] = [];
  let testClient: MongoClient;

  function throwawayDatabase(purpose: string): string {
    const name = `seed_it_${runId}_${purpose}`;
    throwaway.push(name);
    return name;
  }

  /** Runs the command line against the test server, watching every command it sends. */
  async function seed(command: "plan" | "apply", database: string): Promise<SeedRun> {
    const run = { stdout: [] as string[], stderr: [] as string[], writes: [] as string[], destructive: [] as string[] };
    const code = await main([command, "--database", database, "--timeout-ms", "15000"], {
      stdout: (line) => run.stdout.push(line),
      stderr: (line) => run.stderr.push(line),
      env: { MONGODB_URI: TEST_URI },
      secretsManager: () => {
        throw new Error("the integration tests pass the URI in MONGODB_URI");
      },
      sts: () => {
        throw new Error("the integration tests make no AWS call");
      },
      clock: { now: () => Date.now(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) },
      mongoClient: (uri, options) => {
        const client = new MongoClient(uri, { ...options, monitorCommands: true });
        client.on("commandStarted", (event: CommandStartedEvent) => {
          const target = `${event.commandName} ${String(event.command[event.commandName])}`;
          if (SHAPE_WRITES.has(event.commandName)) run.writes.push(target);
          if (DESTRUCTIVE.has(event.commandName)) run.destructive.push(target);
        });
        return client;
      },
    });
    return { code, ...run };
  }

  beforeAll(async () => {
    testClient = new MongoClient(TEST_URI!);
    await testClient.connect();
  });

  afterAll(async () => {
    for (const name of throwaway) await removeDatabase(name);
    await testClient.close();
  });

  /** Drops a throwaway database; with only readWrite (no dropDatabase), drops its collections. */
  async function removeDatabase(name: string): Promise<void> {
    const db = testClient.db(name);
    try {
      await db.dropDatabase();
    } catch {
      for (const { name: collection } of await db.listCollections({}, { nameOnly: true }).toArray()) await db.dropCollection(collection);
    }
  }

  describe("on an empty database", () => {
    let database: string;
    let firstApply: SeedRun;

    beforeAll(async () => {
      database = throwawayDatabase("seeded");
      firstApply = await seed("apply", database);
    });

    it("apply creates every collection and index, re-plans to no changes and exits 0", async () => {
      expect(firstApply.stderr).toEqual([]);
      expect(firstApply.code).toBe(EXIT.ok);
      expect(firstApply.stdout.at(-1)).toMatch(/Re-plan: no changes\.$/);
      expect(firstApply.writes).toEqual([
        ...COLLECTION_NAMES.map((name) => `create ${name}`),
        ...COLLECTION_NAMES.map((name) => `createIndexes ${name}`),
      ]);
      expect(firstApply.destructive).toEqual([]);
    });

    it("leaves the server with each declared validator and index, as the server itself reports them", async () => {
      const db = testClient.db(database);
      const listed = await db.listCollections({}, { nameOnly: false }).toArray();
      for (const declared of DECLARED_SHAPE.collections) {
        const entry = listed.find((candidate) => candidate.name === declared.name);
        expect(entry?.type).toBe("collection");
        expect(semanticallyEqual(entry?.options?.validator, declared.validator)).toBe(true);
        const indexNames = (await db.collection(declared.name).listIndexes().toArray()).map((index) => index.name);
        expect(indexNames).toEqual(["_id_", ...declared.indexes.map((index) => index.name)]);
      }
      expect(isEmptyPlan(planChanges(DECLARED_SHAPE, await observeDatabase(new SeedCommands(db, 60_000), DECLARED_SHAPE)))).toBe(true);
    });

    it("a second apply sends no create, collMod or createIndexes and exits 0", async () => {
      const second = await seed("apply", database);
      expect(second.code).toBe(EXIT.ok);
      expect(second.writes).toEqual([]);
      expect(second.destructive).toEqual([]);
    });

    it("plan exits 0 once applied", async () => {
      expect((await seed("plan", database)).code).toBe(EXIT.ok);
    });

    it("rejects a call whose status is not one of the pipeline statuses, and accepts a valid one", async () => {
      const calls = testClient.db(database).collection("calls");
      const now = new Date();
      const call = { call_id: `valid-${runId}`, status: "uploaded", metadata: { company_name: "Acme", call_date: now }, created_at: now, updated_at: now };
      await expect(calls.insertOne({ ...call })).resolves.toMatchObject({ acknowledged: true });
      const rejection = await calls.insertOne({ ...call, call_id: `invalid-${runId}`, status: "lost" }).catch((error: unknown) => error);
      expect(rejection).toBeInstanceOf(MongoServerError);
      expect((rejection as MongoServerError).code).toBe(121); // DocumentValidationFailure
    });

    it("rejects a second call with the same call_id", async () => {
      const calls = testClient.db(database).collection("calls");
      const now = new Date();
      const call = { call_id: `twice-${runId}`, status: "complete", metadata: { company_name: "Acme", call_date: now }, created_at: now, updated_at: now };
      await calls.insertOne({ ...call });
      const rejection = await calls.insertOne({ ...call }).catch((error: unknown) => error);
      expect(rejection).toBeInstanceOf(MongoServerError);
      expect((rejection as MongoServerError).code).toBe(11000); // DuplicateKey
    });

    it("shows a validator changed by hand, and restores it with one collMod", async () => {
      await testClient.db(database).command({ collMod: "contacts", validationAction: "warn" });
      const planned = await seed("plan", database);
      expect(planned.code).toBe(EXIT.changesPending);
      expect(planned.stdout).toContain('      validationAction: "warn" -> "error"');
      const applied = await seed("apply", database);
      expect(applied.code).toBe(EXIT.ok);
      expect(applied.writes).toEqual(["collMod contacts"]);
    });
  });

  describe("with a changed validator that an existing document violates", () => {
    it("plan and apply exit 3 and change nothing; once the document is migrated, apply replaces the validator", async () => {
      const database = throwawayDatabase("validator");
      const db = testClient.db(database);
      const declaredCalls = DECLARED_SHAPE.collections.find((collection) => collection.name === "calls")!;
      // The previous validator: the same schema, but any string was a valid status.
      const properties = { ...declaredCalls.validator.$jsonSchema.properties, status: { bsonType: "string" } };
      const previousValidator = { $jsonSchema: { ...declaredCalls.validator.$jsonSchema, properties } };
      await db.createCollection("calls", { validator: previousValidator, validationLevel: "strict", validationAction: "error" });
      const calls = db.collection("calls");
      const now = new Date();
      const call = { metadata: { company_name: "Acme", call_date: now }, created_at: now, updated_at: now };
      await calls.insertOne({ ...call, call_id: `valid-${runId}`, status: "complete" });
      // Valid under the previous validator (the server accepted it), not under the declared one.
      const { insertedId } = await calls.insertOne({ ...call, call_id: `legacy-${runId}`, status: "archived" });

      const planned = await seed("plan", database);
      expect(planned.stderr).toEqual([]);
      expect(planned.code).toBe(EXIT.conflict);
      const conflict = planned.stdout.find((line) => line.startsWith("  ! conflict on validator of calls: "));
      expect(conflict).toMatch(/: 1 existing document violates the new validator\b.*never rewrites documents.*migrate the data first/);

      const applied = await seed("apply", database);
      expect(applied.code).toBe(EXIT.conflict);
      expect(applied.writes).toEqual([]);
      expect(applied.destructive).toEqual([]);
      const [entry] = await db.listCollections({ name: "calls" }, { nameOnly: false }).toArray();
      expect(semanticallyEqual(entry?.options?.validator, previousValidator)).toBe(true);
      expect((await db.listCollections({}, { nameOnly: true }).toArray()).map((collection) => collection.name)).toEqual(["calls"]);

      // The migration a person makes; the seeder itself never rewrites documents.
      await calls.updateOne({ _id: insertedId }, { $set: { status: "complete" } });
      const replanned = await seed("plan", database);
      expect(replanned.code).toBe(EXIT.changesPending);
      expect(replanned.stdout).toContain("  ~ update validator of calls (collMod)");
      expect(replanned.stdout).toContain("      existing documents violating the new validator: 0");
      const migrated = await seed("apply", database);
      expect(migrated.code).toBe(EXIT.ok);
      expect(migrated.writes).toContain("collMod calls");
    });
  });

  describe("with a conflicting index", () => {
    it("plan and apply exit 3, and apply changes nothing at all", async () => {
      const database = throwawayDatabase("conflict");
      const calls = testClient.db(database).collection("calls");
      await calls.createIndex({ status: 1 }, { name: "status_1", unique: true });
      const indexesBefore = await calls.listIndexes().toArray();

      const planned = await seed("plan", database);
      expect(planned.code).toBe(EXIT.conflict);
      expect(planned.stdout).toContain("  ! conflict on index calls.status_1: same name and key, different options");

      const applied = await seed("apply", database);
      expect(applied.code).toBe(EXIT.conflict);
      expect(applied.writes).toEqual([]);
      expect(applied.destructive).toEqual([]);
      expect(await calls.listIndexes().toArray()).toEqual(indexesBefore);
      const collections = await testClient.db(database).listCollections({}, { nameOnly: true }).toArray();
      expect(collections.map((collection) => collection.name)).toEqual(["calls"]);
    });
  });
});
