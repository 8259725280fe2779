import { SeedCommands } from "../../src/seed/commands";
import { DECLARED_SHAPE } from "../../src/seed/declared-shape";
import { observeDatabase } from "../../src/seed/observe";
import { FakeMongoServer } from "./support/fake-mongo";

const database = "audio_pipeline";
const calls = DECLARED_SHAPE.collections[0];

function fakeDb(server: FakeMongoServer): SeedCommands {
  return new SeedCommands(server.client().db(database), 60_000);
}

/** A fake server holding every declared collection as the seeder creates it. */
function seededServer(): FakeMongoServer {
  const server = new FakeMongoServer();
  for (const declared of DECLARED_SHAPE.collections) {
    const { validator, validationLevel, validationAction } = declared;
    server.seedCollection(database, declared.name, { options: { validator, validationLevel, validationAction } });
  }
  return server;
}

describe("observeDatabase", () => {
  it("counts no documents when every validator matches the declaration", async () => {
    const server = seededServer();
    const observed = await observeDatabase(fakeDb(server), DECLARED_SHAPE);
    expect(observed.violatingDocuments).toEqual({});
    expect(server.counts).toEqual([]);
  });

  it("counts the documents the NEW (declared) validator rejects, only for the collection whose validator differs", async () => {
    const server = seededServer();
    const oldValidator = { $jsonSchema: { ...calls.validator.$jsonSchema, required: ["call_id"] } };
    server.seedCollection(database, "calls", { options: { validator: oldValidator, validationLevel: "strict", validationAction: "error" }, violatingDocuments: 3 });
    const observed = await observeDatabase(fakeDb(server), DECLARED_SHAPE);
    expect(observed.violatingDocuments).toEqual({ calls: { kind: "exact", count: 3 } });
    expect(server.counts).toEqual([{ collection: "calls", filter: { $nor: [calls.validator] } }]);
  });

  it("counts nothing for a collection that does not exist yet (it is created empty)", async () => {
    const server = new FakeMongoServer();
    const observed = await observeDatabase(fakeDb(server), DECLARED_SHAPE);
    expect(observed).toEqual({ collections: [], indexes: {}, violatingDocuments: {} });
    expect(server.counts).toEqual([]);
  });
});
