import { SeedCommands } from "../../src/seed/commands";
import { DECLARED_SHAPE } from "../../src/seed/declared-shape";
import { IndexBuildTimeoutError } from "../../src/seed/errors";
import { COMMAND_TIME_LIMIT_MS, VIOLATION_COUNT_LIMIT, VIOLATION_SCAN_TIME_LIMIT_MS } from "../../src/seed/time-limits";
import { FakeMongoServer } from "./support/fake-mongo";

const database = "audio_pipeline";
const calls = DECLARED_SHAPE.collections[0];

function fixture(indexBuildTimeLimitMs = 90_000) {
  const server = new FakeMongoServer();
  return { server, commands: new SeedCommands(server.client().db(database), indexBuildTimeLimitMs) };
}

describe("SeedCommands time limits", () => {
  it("sends every command with a maxTimeMS: metadata commands the command limit, createIndexes the index build limit, the violation check its own", async () => {
    const { server, commands } = fixture(90_000);
    await commands.commitQuorum();
    await commands.create("calls", calls);
    await commands.listCollections(["calls"]);
    await commands.listIndexes("calls");
    await commands.countViolating("calls", calls.validator);
    await commands.collMod("calls", calls);
    await commands.connectionStatus();
    await commands.createIndexes("calls", calls.indexes, "majority");
    const limits = Object.fromEntries(server.commands.map((command) => [Object.keys(command)[0], command.maxTimeMS]));
    expect(limits).toEqual({
      hello: COMMAND_TIME_LIMIT_MS,
      create: COMMAND_TIME_LIMIT_MS,
      listCollections: COMMAND_TIME_LIMIT_MS,
      listIndexes: COMMAND_TIME_LIMIT_MS,
      aggregate: VIOLATION_SCAN_TIME_LIMIT_MS,
      collMod: COMMAND_TIME_LIMIT_MS,
      connectionStatus: COMMAND_TIME_LIMIT_MS,
      createIndexes: 90_000,
    });
  });

  it("reads indexes with includeBuildUUIDs, so builds in progress are marked", async () => {
    const { server, commands } = fixture();
    server.seedCollection(database, "calls");
    await commands.listIndexes("calls");
    expect(server.commands).toEqual([expect.objectContaining({ listIndexes: "calls", includeBuildUUIDs: true })]);
  });

  it("turns a createIndexes stopped by its time limit into an IndexBuildTimeoutError naming the indexes and the limit", async () => {
    const { server, commands } = fixture(25);
    server.hangIndexBuilds = true;
    const failure = await commands.createIndexes("calls", calls.indexes.slice(0, 2), "majority").catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(IndexBuildTimeoutError);
    expect((failure as Error).message).toBe(
      `building calls.${calls.indexes[0].name}, calls.${calls.indexes[1].name} did not finish within the index build time limit (25 ms)`,
    );
  });
});

describe("SeedCommands.commitQuorum, from hello", () => {
  it.each([
    ["replicaSet", "majority"],
    ["standalone", undefined],
  ] as const)("is %s -> %s", async (topology, expected) => {
    const { server, commands } = fixture();
    server.topology = topology;
    expect(await commands.commitQuorum()).toBe(expected);
  });
});

describe("SeedCommands.countViolating, bounded", () => {
  it("counts exactly below the limit, stopping the scan at the limit ($limit before the count)", async () => {
    const { server, commands } = fixture();
    server.seedCollection(database, "calls", { violatingDocuments: 3 });
    expect(await commands.countViolating("calls", calls.validator)).toEqual({ kind: "exact", count: 3 });
    const [sent] = server.commands;
    expect(sent.pipeline).toEqual([{ $match: { $nor: [calls.validator] } }, { $limit: VIOLATION_COUNT_LIMIT }, { $group: { _id: 1, n: { $sum: 1 } } }]);
  });

  it("says 'at least' the limit on a collection with more violating documents", async () => {
    const { server, commands } = fixture();
    server.seedCollection(database, "calls", { violatingDocuments: VIOLATION_COUNT_LIMIT * 50 });
    expect(await commands.countViolating("calls", calls.validator)).toEqual({ kind: "atLeast", count: VIOLATION_COUNT_LIMIT });
  });

  it("reports unknown, never 0, when the check runs out of time", async () => {
    const { server, commands } = fixture();
    server.seedCollection(database, "calls");
    server.violationCheckTimesOut = true;
    expect(await commands.countViolating("calls", calls.validator)).toEqual({ kind: "unknown", timeLimitMs: VIOLATION_SCAN_TIME_LIMIT_MS });
  });
});
