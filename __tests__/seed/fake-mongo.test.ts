import type { Document } from "mongodb";
import { FakeMongoServer } from "./support/fake-mongo";

/*
 * The test server must answer like MongoDB 7.0, or the seeder's tests prove nothing about a real
 * cluster. Each case is one server rule (platform-facts section 8; 7.0 server code where named).
 */

const database = "audio_pipeline";

function fixture() {
  const server = new FakeMongoServer();
  const db = server.client().db(database);
  const run = (command: Document) => db.command(command);
  const failure = (command: Document) => run(command).then(() => undefined, (error: { code?: number; codeName?: string }) => error);
  const listIndexes = async (collection: string, includeBuildUUIDs = true) =>
    ((await run({ listIndexes: collection, includeBuildUUIDs, cursor: {} })).cursor as { firstBatch: Document[] }).firstBatch;
  return { server, run, failure, listIndexes };
}

const validation = { validator: { $jsonSchema: { bsonType: "object", required: ["a"] } }, validationLevel: "strict", validationAction: "error" };

describe("fake MongoDB 7.0: create", () => {
  it("answers ok to a create of an existing collection with identical options (a second seeder converges)", async () => {
    const { run } = fixture();
    await run({ create: "calls", ...validation });
    await expect(run({ create: "calls", ...validation })).resolves.toMatchObject({ ok: 1 });
  });

  it("answers 48 NamespaceExists to a create with different options", async () => {
    const { run, failure } = fixture();
    await run({ create: "calls", ...validation });
    expect(await failure({ create: "calls", ...validation, validationAction: "warn" })).toMatchObject({ code: 48, codeName: "NamespaceExists" });
  });
});

describe("fake MongoDB 7.0: createIndexes", () => {
  const statusIndex = { name: "status_1", key: { status: 1 } };

  it("treats an identical index as a no-op", async () => {
    const { run, listIndexes } = fixture();
    await run({ createIndexes: "calls", indexes: [statusIndex] });
    await expect(run({ createIndexes: "calls", indexes: [statusIndex] })).resolves.toMatchObject({ ok: 1, note: "all indexes already exist" });
    expect((await listIndexes("calls")).map((index) => index.name)).toEqual(["_id_", "status_1"]);
  });

  it.each([
    ["a different key", { name: "status_1", key: { status: -1 } }],
    ["a different unique (a signature option since 5.0)", { ...statusIndex, unique: true }],
    ["a different sparse", { ...statusIndex, sparse: true }],
    ["a different partialFilterExpression", { ...statusIndex, partialFilterExpression: { status: { $exists: true } } }],
    ["a different collation", { ...statusIndex, collation: { locale: "fr" } }],
  ])("answers 86 IndexKeySpecsConflict to the same name with %s", async (_what, spec) => {
    const { run, failure } = fixture();
    await run({ createIndexes: "calls", indexes: [statusIndex] });
    expect(await failure({ createIndexes: "calls", indexes: [spec] })).toMatchObject({ code: 86, codeName: "IndexKeySpecsConflict" });
  });

  it("answers 85 IndexOptionsConflict to the same name and signature with another option different", async () => {
    const { run, failure } = fixture();
    await run({ createIndexes: "calls", indexes: [{ ...statusIndex, expireAfterSeconds: 60 }] });
    expect(await failure({ createIndexes: "calls", indexes: [{ ...statusIndex, expireAfterSeconds: 120 }] })).toMatchObject({ code: 85, codeName: "IndexOptionsConflict" });
  });

  it("answers 85 IndexOptionsConflict to the same key and signature under another name", async () => {
    const { run, failure } = fixture();
    await run({ createIndexes: "calls", indexes: [statusIndex] });
    expect(await failure({ createIndexes: "calls", indexes: [{ name: "by_status", key: { status: 1 } }] })).toMatchObject({ code: 85 });
  });

  it("builds the same key under another name when the signature differs", async () => {
    const { run, listIndexes } = fixture();
    await run({ createIndexes: "calls", indexes: [statusIndex] });
    await run({ createIndexes: "calls", indexes: [{ name: "status_unique", key: { status: 1 }, unique: true }] });
    expect((await listIndexes("calls")).map((index) => index.name)).toEqual(["_id_", "status_1", "status_unique"]);
  });

  it("refuses commitQuorum on a standalone with 2 BadValue, and takes it on a replica set", async () => {
    const standalone = fixture();
    standalone.server.topology = "standalone";
    expect(await standalone.failure({ createIndexes: "calls", indexes: [statusIndex], commitQuorum: "majority" })).toMatchObject({ code: 2, codeName: "BadValue" });
    await expect(fixture().run({ createIndexes: "calls", indexes: [statusIndex], commitQuorum: "majority" })).resolves.toMatchObject({ ok: 1, commitQuorum: "majority" });
  });

  it("lists a build in progress as { spec, buildUUID } only with includeBuildUUIDs; without it, like a finished index", async () => {
    const { server, run, listIndexes } = fixture();
    await run({ create: "calls" });
    const buildUUID = server.startIndexBuild(database, "calls", statusIndex);
    expect(await listIndexes("calls")).toEqual([expect.objectContaining({ name: "_id_" }), { spec: expect.objectContaining({ name: "status_1" }), buildUUID }]);
    expect((await listIndexes("calls", false)).map((index) => index.name)).toEqual(["_id_", "status_1"]);
  });

  it("makes an identical createIndexes wait for the build in progress, then answers ok without a second build", async () => {
    const { server, run, listIndexes } = fixture();
    await run({ create: "calls" });
    server.startIndexBuild(database, "calls", statusIndex);
    let answered = false;
    const second = run({ createIndexes: "calls", indexes: [statusIndex] }).then((reply) => {
      answered = true;
      return reply;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(answered).toBe(false);
    server.finishIndexBuilds();
    await expect(second).resolves.toMatchObject({ note: "all indexes already exist" });
    expect((await listIndexes("calls")).filter((index) => index.name === "status_1")).toHaveLength(1);
  });

  it("aborts the command's own build when maxTimeMS runs out (a primary aborts on interruption)", async () => {
    const { server, failure, listIndexes } = fixture();
    server.hangIndexBuilds = true;
    expect(await failure({ createIndexes: "calls", indexes: [statusIndex], maxTimeMS: 20 })).toMatchObject({ code: 50, codeName: "MaxTimeMSExpired" });
    expect((await listIndexes("calls")).map((index) => index.name ?? (index.spec as Document).name)).toEqual(["_id_"]);
  });
});

describe("fake MongoDB 7.0: collMod", () => {
  it("replaces only the options it is given, the validator whole, without checking existing documents", async () => {
    const { server, run } = fixture();
    await run({ create: "calls", ...validation });
    server.setViolatingDocuments(database, "calls", 5);
    const replacement = { $jsonSchema: { bsonType: "object", required: ["b"] } };
    await expect(run({ collMod: "calls", validator: replacement })).resolves.toMatchObject({ ok: 1 });
    const listed = ((await run({ listCollections: 1, filter: { name: { $in: ["calls"] } }, cursor: {} })).cursor as { firstBatch: Document[] }).firstBatch;
    expect(listed[0]?.options).toMatchObject({ validator: { $jsonSchema: { required: ["b"] } }, validationLevel: "strict", validationAction: "error" });
  });

  it.each([
    ["a missing collection", { collMod: "nope", validationAction: "warn" }, 26],
    ["an unknown option", { collMod: "calls", validationColour: "red" }, 40415],
    ["a validationLevel outside its values", { collMod: "calls", validationLevel: "lenient" }, 2],
  ])("refuses %s", async (_what, command, code) => {
    const { run, failure } = fixture();
    await run({ create: "calls", ...validation });
    expect(await failure(command)).toMatchObject({ code });
  });
});
