import { DECLARED_SHAPE } from "../../src/seed/declared-shape";
import { EXIT } from "../../src/seed/exit-codes";
import { DEFAULT_INDEX_BUILD_TIMEOUT_MS, INDEX_BUILD_POLL_INTERVAL_MS } from "../../src/seed/time-limits";
import { FakeMongoServer } from "./support/fake-mongo";
import { runSeed, virtualClock } from "./support/run-seed";

/*
 * The command line against the 7.0-like fake: index builds in progress, the index build time
 * limit, two seeders at once, and an apply interrupted after each of its steps.
 */

const database = "audio_pipeline";
const uri = "mongodb://127.0.0.1:27017/";
const calls = DECLARED_SHAPE.collections[0];
const [callsIndex] = calls.indexes;

let server: FakeMongoServer;
beforeEach(() => {
  server = new FakeMongoServer();
});
const against = (extra: object = {}) => ({ mongoClient: () => server.client(), ...extra });
const seed = (argv: string[], extra: object = {}) => runSeed([...argv, "--uri", uri], against(extra));

/** A database the seeder has fully applied to, except that one declared index is still being built. */
async function withBuildInProgress(): Promise<void> {
  expect((await seed(["apply"])).code).toBe(EXIT.ok);
  server.seedCollection(database, calls.name, {
    options: { validator: calls.validator, validationLevel: calls.validationLevel, validationAction: calls.validationAction },
    indexes: [{ v: 2, key: { _id: 1 }, name: "_id_" }, ...calls.indexes.filter((index) => index !== callsIndex).map((index) => ({ v: 2, ...index }))],
  });
  server.startIndexBuild(database, calls.name, { ...callsIndex });
}

const indexBuildsSent = () => server.writes.filter((write) => write.startsWith("createIndexes"));

describe("plan with an index build in progress", () => {
  it("shows it as building and exits 4, never 'no changes'", async () => {
    await withBuildInProgress();
    const planned = await seed(["plan"]);
    expect(planned.code).toBe(EXIT.buildInProgress);
    expect(planned.stdout).toContain(`  * index calls.${callsIndex.name} ${JSON.stringify(callsIndex.key)}${callsIndex.unique === true ? " unique" : ""} is being built (declared): plan again when it ends`);
    expect(planned.printed).not.toMatch(/No changes/);
  });

  it("exits 4 over 2 when changes are pending too, and 3 over 4 when there is a conflict", async () => {
    await withBuildInProgress();
    server.seedCollection(database, "contacts", { indexes: [{ v: 2, key: { _id: 1 }, name: "_id_" }] }); // validator and index missing
    server.setViolatingDocuments(database, "contacts", 0);
    expect((await seed(["plan"])).code).toBe(EXIT.buildInProgress);
    server.seedCollection(database, "contacts", { type: "view", options: { viewOn: "calls", pipeline: [] }, indexes: [] });
    expect((await seed(["plan"])).code).toBe(EXIT.conflict);
  });

  it("exits 0 again once the build has finished", async () => {
    await withBuildInProgress();
    server.finishIndexBuilds();
    expect((await seed(["plan"])).code).toBe(EXIT.ok);
  });
});

describe("apply with an index build in progress", () => {
  it("polls listIndexes until the build is gone, reports it finished, and never starts a second build of it", async () => {
    await withBuildInProgress();
    const clock = virtualClock();
    const finishAfterPolls = 3;
    let polls = 0;
    const sleep = async (ms: number) => {
      polls += 1;
      if (polls === finishAfterPolls) server.finishIndexBuilds();
      await clock.sleep(ms);
    };
    const sentBefore = indexBuildsSent().length;
    const applied = await seed(["apply"], { clock: { now: clock.now, sleep } });
    expect(applied.code).toBe(EXIT.ok);
    expect(applied.stdout).toContain(`  build of calls.${callsIndex.name} finished`);
    expect(indexBuildsSent().length).toBe(sentBefore);
    expect(clock.elapsed()).toBe(finishAfterPolls * INDEX_BUILD_POLL_INTERVAL_MS);
    const listIndexesWhileWaiting = server.commands.filter((command) => command.listIndexes === calls.name && command.includeBuildUUIDs === true);
    expect(listIndexesWhileWaiting.length).toBeGreaterThan(finishAfterPolls);
  });

  it("builds the index again when the build in progress ended without it (failed or aborted), once it is gone", async () => {
    await withBuildInProgress();
    const clock = virtualClock();
    const applied = await seed(["apply"], {
      clock: {
        now: clock.now,
        sleep: async (ms: number) => {
          server.abortIndexBuilds();
          await clock.sleep(ms);
        },
      },
    });
    expect(applied.code).toBe(EXIT.ok);
    expect(applied.stdout).toContain(`  build of calls.${callsIndex.name} ended without the index (it failed, e.g. on duplicate keys, or was aborted); apply builds it again`);
    expect(server.indexNames(database, calls.name).ready).toContain(callsIndex.name);
  });

  it("gives up after --index-build-timeout-ms with the build still running, changes nothing, and exits 1", async () => {
    await withBuildInProgress();
    const clock = virtualClock();
    const writesBefore = server.writes.length;
    const applied = await seed(["apply", "--index-build-timeout-ms", "60000"], { clock });
    expect(applied.code).toBe(EXIT.failure);
    expect(applied.stderr[0]).toBe(`error: 1 index build(s) still in progress after 1 min (calls.${callsIndex.name}); nothing was changed`);
    expect(applied.stderr[1]).toMatch(/^hint: apply never starts a second build of an index: run plan again later \(it exits 4/);
    expect(clock.elapsed()).toBe(60_000);
    expect(server.writes.length).toBe(writesBefore);
  });

  it("waits at most the default index build limit when none is given", async () => {
    await withBuildInProgress();
    const clock = virtualClock();
    expect((await seed(["apply"], { clock })).code).toBe(EXIT.failure);
    expect(clock.elapsed()).toBe(DEFAULT_INDEX_BUILD_TIMEOUT_MS);
  });
});

describe("apply's createIndexes", () => {
  it("carries commitQuorum majority on a replica set and none on a standalone (detected with hello)", async () => {
    expect((await seed(["apply"])).code).toBe(EXIT.ok);
    const standalone = new FakeMongoServer();
    standalone.topology = "standalone";
    expect((await runSeed(["apply", "--uri", uri], { mongoClient: () => standalone.client() })).code).toBe(EXIT.ok);
    const quorums = (target: FakeMongoServer) => target.commands.filter((command) => command.createIndexes !== undefined).map((command) => command.commitQuorum);
    expect(quorums(server)).toEqual(DECLARED_SHAPE.collections.map(() => "majority"));
    expect(quorums(standalone)).toEqual(DECLARED_SHAPE.collections.map(() => undefined));
  });

  it("says the build was aborted (or, if committing, that plan shows it) when the time limit interrupts it, and a re-run builds it", async () => {
    server.hangIndexBuilds = true;
    const applied = await seed(["apply", "--index-build-timeout-ms", "30"]);
    expect(applied.code).toBe(EXIT.failure);
    expect(applied.stderr).toHaveLength(2);
    expect(applied.stderr[0]).toMatch(
      /^error: apply stopped after \d+ of \d+ operations: building calls\.[\w.]+(, calls\.[\w.]+)* did not finish within the index build time limit \(30 ms\); the server aborted the build, unless it was already committing, in which case plan shows it as building or done$/,
    );
    expect(applied.stderr[1]).toMatch(/a re-run of apply starts an aborted build again; .*raise --index-build-timeout-ms/);
    expect(server.indexNames(database, calls.name)).toEqual({ ready: ["_id_"], building: [] });

    server.hangIndexBuilds = false;
    expect((await seed(["apply"])).code).toBe(EXIT.ok);
    expect((await seed(["plan"])).code).toBe(EXIT.ok);
  });
});

describe("every command the seeder sends has a time limit", () => {
  it("in plan and apply, on an empty database and with a validator change", async () => {
    await seed(["apply"]);
    server.seedCollection(database, "contacts", { indexes: [{ v: 2, key: { _id: 1 }, name: "_id_" }] });
    await seed(["plan"]);
    await seed(["apply"]);
    const names = new Set(server.commands.map((command) => Object.keys(command)[0]));
    expect([...names].sort()).toEqual(["aggregate", "collMod", "connectionStatus", "create", "createIndexes", "hello", "listCollections", "listIndexes"]);
    const unlimited = server.commands.filter((command) => !(Number.isInteger(command.maxTimeMS) && (command.maxTimeMS as number) > 0));
    expect(unlimited).toEqual([]);
  });
});

describe("the violation check in plan", () => {
  it("exits 3 when the check runs out of time (unknown is a conflict, never 0), naming the limit", async () => {
    await seed(["apply"]);
    server.seedCollection(database, "contacts", { indexes: [{ v: 2, key: { _id: 1 }, name: "_id_" }, { v: 2, key: { contact_id: 1 }, name: "contact_id_1", unique: true }] });
    server.violationCheckTimesOut = true;
    const planned = await seed(["plan"]);
    expect(planned.code).toBe(EXIT.conflict);
    expect(planned.stdout.find((line) => line.startsWith("  ! conflict on validator of contacts: "))).toMatch(/did not finish within 1 min, so their number is unknown/);
  });

  it("reports 'at least' the limit on a large collection", async () => {
    await seed(["apply"]);
    server.seedCollection(database, "contacts", { indexes: [{ v: 2, key: { _id: 1 }, name: "_id_" }, { v: 2, key: { contact_id: 1 }, name: "contact_id_1", unique: true }] });
    server.setViolatingDocuments(database, "contacts", 250_000);
    const planned = await seed(["plan"]);
    expect(planned.code).toBe(EXIT.conflict);
    expect(planned.stdout.find((line) => line.startsWith("  ! conflict on validator of contacts: "))).toMatch(/: at least 1000 existing documents violate the new validator/);
  });
});

describe("two seeders applying at once", () => {
  it("both converge on an empty database with no error", async () => {
    const [first, second] = await Promise.all([seed(["apply"]), seed(["apply"])]);
    expect([first.code, second.code, first.stderr, second.stderr]).toEqual([EXIT.ok, EXIT.ok, [], []]);
    expect((await seed(["plan"])).code).toBe(EXIT.ok);
    for (const declared of DECLARED_SHAPE.collections) {
      expect(server.indexNames(database, declared.name).ready).toEqual(["_id_", ...declared.indexes.map((index) => index.name)]);
    }
  });

  it("the second, arriving while the first's index builds run, waits for them instead of sending them again, and both converge", async () => {
    server.hangIndexBuilds = true;
    const first = seed(["apply"], { clock: { now: Date.now, sleep: (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 5))) } });
    while (server.indexNames(database, calls.name).building.length === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    const clock = virtualClock();
    const second = seed(["apply"], {
      clock: {
        now: clock.now,
        sleep: async (ms: number) => {
          server.hangIndexBuilds = false;
          server.finishIndexBuilds();
          await clock.sleep(ms);
        },
      },
    });
    const [a, b] = await Promise.all([first, second]);
    expect([a.code, b.code, a.stderr, b.stderr]).toEqual([EXIT.ok, EXIT.ok, [], []]);
    expect(b.stdout).toContain(`  build of calls.${callsIndex.name} finished`);
    expect(server.writes.filter((write) => write === `createIndexes ${calls.name}`)).toHaveLength(1);
    expect((await seed(["plan"])).code).toBe(EXIT.ok);
  });
});

describe("an apply interrupted after each step", () => {
  const collections = DECLARED_SHAPE.collections;
  const total = collections.length + collections.reduce((sum, collection) => sum + collection.indexes.length, 0);
  /** Operations done before write k: one per create, then each createIndexes counts its indexes. */
  const doneBefore = (k: number) =>
    k <= collections.length ? k - 1 : collections.length + collections.slice(0, k - collections.length - 1).reduce((sum, collection) => sum + collection.indexes.length, 0);

  it.each(Array.from({ length: collections.length * 2 }, (_, i) => i + 1))("converges when re-run after the connection dropped following write %i", async (step) => {
    server.interruptAfterWrite = step;
    const interrupted = await seed(["apply"]);
    expect(interrupted.code).toBe(EXIT.failure);
    expect(interrupted.stderr[0]).toMatch(new RegExp(`^error: apply stopped after ${doneBefore(step)} of ${total} operations: network failure`));
    server.interruptAfterWrite = undefined;
    const rerun = await seed(["apply"]);
    expect(rerun.stderr).toEqual([]);
    expect(rerun.code).toBe(EXIT.ok);
    expect((await seed(["plan"])).code).toBe(EXIT.ok);
  });
});
