import { randomBytes } from "node:crypto";
import { MongoClient, MongoServerError, type CommandStartedEvent, type Document } from "mongodb";
import { SeedCommands } from "../../src/seed/commands";
import { COLLECTION_NAMES, DECLARED_SHAPE } from "../../src/seed/declared-shape";
import { EXIT } from "../../src/seed/exit-codes";
import { main } from "../../src/seed/main";
import { observeDatabase } from "../../src/seed/observe";
import { isEmptyPlan, planChanges } from "../../src/seed/planner";
import { semanticallyEqual } from "../../src/seed/semantic-compare";

/*
 * The seeder against a real MongoDB 7.0, through its command line. Runs only when
 * MONGODB_TEST_URI is set: the pull-request workflow starts a single-node replica set
 * (`mongod --replSet rs0 --setParameter enableTestCommands=1`, then rs.initiate) on 127.0.0.1 and
 * sets it; no MongoDB server can run on the development machines. Every run works in throwaway
 * databases with a unique name and drops them afterwards.
 *
 * Builds in progress are produced with the server failpoint hangAfterStartingIndexBuild (7.0:
 * the collection scan loops, interruptibly, while it is set), which needs enableTestCommands and
 * a non-empty collection (an index on an empty collection is made at once). Those tests, and the
 * commitQuorum ones, need a replica set; elsewhere they skip with the reason printed. A single
 * node cannot show a member down: for that, only what is sent (commitQuorum, maxTimeMS) is tested.
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
  /** Every command sent, as sent. */
  readonly sent: Document[];
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
  async function seed(command: "plan" | "apply", database: string, extra: string[] = [], onStdout?: (line: string) => void): Promise<SeedRun> {
    const run = { stdout: [] as string[], stderr: [] as string[], writes: [] as string[], destructive: [] as string[], sent: [] as Document[] };
    const code = await main([command, "--database", database, "--timeout-ms", "15000", ...extra], {
      stdout: (line) => {
        run.stdout.push(line);
        onStdout?.(line);
      },
      stderr: (line) => run.stderr.push(line),
      env: { MONGODB_URI: TEST_URI },
      secretsManager: () => {
        throw new Error("the integration tests pass the URI in MONGODB_URI");
      },
      sts: () => {
        throw new Error("the integration tests make no AWS call");
      },
      // Polls every 200 ms instead of every 5 s: the same waiting logic, a faster test.
      clock: { now: () => Date.now(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 200))) },
      mongoClient: (uri, options) => {
        const client = new MongoClient(uri, { ...options, monitorCommands: true });
        client.on("commandStarted", (event: CommandStartedEvent) => {
          const target = `${event.commandName} ${String(event.command[event.commandName])}`;
          run.sent.push(event.command);
          if (SHAPE_WRITES.has(event.commandName)) run.writes.push(target);
          if (DESTRUCTIVE.has(event.commandName)) run.destructive.push(target);
        });
        return client;
      },
    });
    return { code, ...run };
  }

  /** Why the replica-set-only tests cannot run on this server, if they cannot. */
  let replicaSetMissing: string | undefined;

  beforeAll(async () => {
    testClient = new MongoClient(TEST_URI!);
    await testClient.connect();
    const hello = await testClient.db("admin").command({ hello: 1 });
    if (typeof hello.setName !== "string") replicaSetMissing = "the server is not a replica set member (start mongod with --replSet rs0 and run rs.initiate)";
    else {
      await testClient
        .db("admin")
        .command({ configureFailPoint: "hangAfterStartingIndexBuild", mode: "off" })
        .catch((error: Error) => {
          replicaSetMissing = `failpoints are refused (${error.message}); start mongod with --setParameter enableTestCommands=1`;
        });
    }
    if (replicaSetMissing !== undefined) console.warn(`[seed integration] index-build and commitQuorum tests skipped: ${replicaSetMissing}`);
  });

  /** Skips a test that needs a replica set with test commands, printing why. */
  function needReplicaSet(context: { skip: () => void }): void {
    if (replicaSetMissing !== undefined) context.skip();
  }

  const failPoint = (mode: "alwaysOn" | "off") => testClient.db("admin").command({ configureFailPoint: "hangAfterStartingIndexBuild", mode });

  /** Waits until listIndexes (with includeBuildUUIDs) shows the named index being built, or no longer being built. */
  async function untilBuilding(database: string, collection: string, name: string, building: boolean): Promise<void> {
    for (const started = Date.now(); Date.now() - started < 30_000; await new Promise((resolve) => setTimeout(resolve, 100))) {
      const reply = await testClient.db(database).command({ listIndexes: collection, includeBuildUUIDs: true, cursor: {} });
      const entries = (reply.cursor as { firstBatch: Document[] }).firstBatch;
      const isBuilding = entries.some((entry) => entry.buildUUID !== undefined && (entry.spec as Document).name === name);
      if (isBuilding === building) return;
    }
    throw new Error(`${database}.${collection}.${name} did not ${building ? "start" : "stop"} building within 30 s`);
  }

  /** A seeded database whose calls collection holds a document and lacks status_1, which a hanging build is then started for. */
  async function databaseWithHangingBuild(purpose: string): Promise<{ database: string; build: Promise<unknown> }> {
    const database = throwawayDatabase(purpose);
    expect((await seed("apply", database)).code).toBe(EXIT.ok);
    const calls = testClient.db(database).collection("calls");
    const now = new Date();
    await calls.insertOne({ call_id: `hang-${runId}`, status: "uploaded", metadata: { company_name: "Acme", call_date: now }, created_at: now, updated_at: now });
    await calls.dropIndex("status_1"); // the test's own set-up: the seeder itself never drops
    await failPoint("alwaysOn");
    // From here on the failpoint is on: a set-up that fails turns it off again, or every later
    // index build on the server would hang.
    let build: Promise<unknown> | undefined;
    try {
      build = testClient.db(database).command({ createIndexes: "calls", indexes: [{ name: "status_1", key: { status: 1 } }] }).catch((error: unknown) => error);
      await untilBuilding(database, "calls", "status_1", true);
      return { database, build };
    } catch (error) {
      await failPoint("off");
      await build;
      throw error;
    }
  }

  /**
   * Runs apply and resolves once it prints its own "Waiting for ... index build(s)" line, so the
   * test releases the build only after apply has seen it (a fixed sleep races a busy runner).
   * Rejects, with what apply printed, if apply ends or 30 s pass first.
   */
  function applyUntilWaiting(database: string): { applying: Promise<SeedRun>; waiting: Promise<void> } {
    let settle: { resolve: () => void; reject: (error: Error) => void } | undefined;
    const waiting = new Promise<void>((resolve, reject) => {
      settle = { resolve, reject };
    });
    const timer = setTimeout(() => settle?.reject(new Error("apply did not print its waiting line within 30 s")), 30_000);
    const applying = seed("apply", database, [], (line) => {
      if (/^Waiting for \d+ index build\(s\) in progress/.test(line)) settle?.resolve();
    });
    // Settling twice is a no-op: an apply that ends after its waiting line changes nothing here.
    void applying.then(
      (run) => settle?.reject(new Error(`apply ended (exit ${run.code}) without waiting for the build:\n${[...run.stdout, ...run.stderr].join("\n")}`)),
      (error: unknown) => settle?.reject(error instanceof Error ? error : new Error(String(error))),
    );
    void waiting.then(
      () => clearTimeout(timer),
      () => clearTimeout(timer),
    );
    return { applying, waiting };
  }

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

  describe("index builds in progress (replica set, failpoint hangAfterStartingIndexBuild)", () => {
    afterEach(async () => {
      if (replicaSetMissing === undefined) await failPoint("off");
    });

    it("plan shows the build as building and exits 4; apply waits for it, starts no second build, and exits 0", async (context) => {
      needReplicaSet(context);
      const { database, build } = await databaseWithHangingBuild("building");
      try {
        const planned = await seed("plan", database);
        expect(planned.code).toBe(EXIT.buildInProgress);
        expect(planned.stdout).toContain('  * index calls.status_1 {"status":1} is being built (declared): plan again when it ends');

        const { applying, waiting } = applyUntilWaiting(database);
        await waiting;
        await failPoint("off");
        const applied = await applying;
        expect(applied.stderr).toEqual([]);
        expect(applied.code).toBe(EXIT.ok);
        expect(applied.stdout).toContain("  build of calls.status_1 finished");
        expect(applied.writes).not.toContain("createIndexes calls");
      } finally {
        await failPoint("off");
        await build;
      }
      expect((await seed("plan", database)).code).toBe(EXIT.ok);
    });

    it("apply's createIndexes carries commitQuorum majority and the index build limit; when the limit interrupts it, the build is aborted, and a re-run builds it", async (context) => {
      needReplicaSet(context);
      const database = throwawayDatabase("timelimit");
      expect((await seed("apply", database)).code).toBe(EXIT.ok);
      const calls = testClient.db(database).collection("calls");
      const now = new Date();
      await calls.insertOne({ call_id: `limit-${runId}`, status: "uploaded", metadata: { company_name: "Acme", call_date: now }, created_at: now, updated_at: now });
      await calls.dropIndex("status_1");
      await failPoint("alwaysOn");
      try {
        const applied = await seed("apply", database, ["--index-build-timeout-ms", "2000"]);
        expect(applied.code).toBe(EXIT.failure);
        expect(applied.stderr[0]).toMatch(/did not finish within the index build time limit \(2 s\); the server aborted the build, unless it was already committing/);
        expect(applied.stderr[1]).toMatch(/a re-run of apply starts an aborted build again/);
        const sent = applied.sent.find((command) => command.createIndexes === "calls");
        expect(sent).toMatchObject({ commitQuorum: "majority", maxTimeMS: 2000 });
      } finally {
        await failPoint("off");
      }
      await untilBuilding(database, "calls", "status_1", false);
      expect((await calls.listIndexes().toArray()).map((index) => index.name)).not.toContain("status_1");

      const rerun = await seed("apply", database);
      expect(rerun.code).toBe(EXIT.ok);
      expect((await seed("plan", database)).code).toBe(EXIT.ok);
    });
  });

  describe("what is sent", () => {
    it("every command of plan and apply carries maxTimeMS, listIndexes carries includeBuildUUIDs", async () => {
      const database = throwawayDatabase("limits");
      const applied = await seed("apply", database);
      const planned = await seed("plan", database);
      // Driver-internal handshakes and cursor getMores (which may not carry maxTimeMS) aside.
      const seederCommands = [...applied.sent, ...planned.sent].filter((command) => !("getMore" in command) && !("endSessions" in command));
      expect(seederCommands.filter((command) => !(typeof command.maxTimeMS === "number" && command.maxTimeMS > 0))).toEqual([]);
      expect(seederCommands.filter((command) => "listIndexes" in command).every((command) => command.includeBuildUUIDs === true)).toBe(true);
    });
  });

  describe("the server rules the tests' fake follows (MongoDB 7.0)", () => {
    const statusIndex = { name: "status_1", key: { status: 1 } };
    const code = (promise: Promise<unknown>) => promise.then(() => "ok", (error: { code?: number }) => error.code);

    it("identical create is ok, different options 48; identical index a no-op; 86 for another key or signature option; 85 for another option or the same key under another name", async () => {
      const db = testClient.db(throwawayDatabase("rules"));
      const validation = { validator: { $jsonSchema: { bsonType: "object", required: ["a"] } }, validationLevel: "strict", validationAction: "error" };
      expect(await code(db.command({ create: "calls", ...validation }))).toBe("ok");
      expect(await code(db.command({ create: "calls", ...validation }))).toBe("ok");
      expect(await code(db.command({ create: "calls", ...validation, validationAction: "warn" }))).toBe(48);
      expect(await code(db.command({ createIndexes: "calls", indexes: [{ ...statusIndex, expireAfterSeconds: 60 }] }))).toBe("ok");
      expect(await code(db.command({ createIndexes: "calls", indexes: [{ ...statusIndex, expireAfterSeconds: 60 }] }))).toBe("ok");
      expect(await code(db.command({ createIndexes: "calls", indexes: [{ name: "status_1", key: { status: -1 } }] }))).toBe(86);
      expect(await code(db.command({ createIndexes: "calls", indexes: [{ ...statusIndex, unique: true, expireAfterSeconds: 60 }] }))).toBe(86);
      expect(await code(db.command({ createIndexes: "calls", indexes: [{ ...statusIndex, expireAfterSeconds: 120 }] }))).toBe(85);
      expect(await code(db.command({ createIndexes: "calls", indexes: [{ name: "by_status", key: { status: 1 }, expireAfterSeconds: 60 }] }))).toBe(85);
    });

    it("collMod replaces the validator whole without checking existing documents, and answers 26 for a missing collection", async () => {
      const db = testClient.db(throwawayDatabase("collmod"));
      await db.command({ create: "calls", validator: { $jsonSchema: { bsonType: "object", required: ["a"] } } });
      await db.collection("calls").insertOne({ a: 1 });
      await db.command({ collMod: "calls", validator: { $jsonSchema: { bsonType: "object", required: ["b"] } } });
      const [entry] = await db.listCollections({ name: "calls" }, { nameOnly: false }).toArray();
      expect(entry?.options?.validator).toEqual({ $jsonSchema: { bsonType: "object", required: ["b"] } });
      expect(await code(db.command({ collMod: "missing", validationAction: "warn" }))).toBe(26);
    });

    it("lists a build in progress as { spec, buildUUID } only with includeBuildUUIDs", async (context) => {
      needReplicaSet(context);
      // databaseWithHangingBuild turns the failpoint off itself if its set-up fails.
      const { database, build } = await databaseWithHangingBuild("listing");
      try {
        const withUUIDs = await testClient.db(database).command({ listIndexes: "calls", includeBuildUUIDs: true, cursor: {} });
        const without = await testClient.db(database).command({ listIndexes: "calls", cursor: {} });
        const entry = (withUUIDs.cursor as { firstBatch: Document[] }).firstBatch.find((candidate) => (candidate.spec as Document | undefined)?.name === "status_1");
        expect(entry).toMatchObject({ spec: { name: "status_1", key: { status: 1 } }, buildUUID: expect.anything() });
        expect((without.cursor as { firstBatch: Document[] }).firstBatch.find((candidate) => candidate.name === "status_1")).not.toHaveProperty("buildUUID");
      } finally {
        await failPoint("off");
        await build;
      }
    });
  });
});
