import type { Db } from "mongodb";
import { applyOperations } from "../../src/seed/apply";
import { DECLARED_SHAPE } from "../../src/seed/declared-shape";
import { ApplyInterruptedError } from "../../src/seed/errors";
import { planChanges, type Operation } from "../../src/seed/planner";
import { FakeMongoServer } from "./support/fake-mongo";
import { EMPTY_DATABASE } from "./support/server-responses";

function fakeDb(server: FakeMongoServer): Db {
  return server.client().db("audio_pipeline");
}

describe("applyOperations", () => {
  it("sends one create per collection and one createIndexes per collection, in plan order", async () => {
    const server = new FakeMongoServer();
    const applied: Operation[] = [];
    const plan = planChanges(DECLARED_SHAPE, EMPTY_DATABASE);
    await applyOperations(fakeDb(server), plan.operations, (operation) => applied.push(operation));
    expect(applied).toEqual(plan.operations);
    expect(server.writes).toEqual([
      ...DECLARED_SHAPE.collections.map(({ name }) => `create ${name}`),
      ...DECLARED_SHAPE.collections.map(({ name }) => `createIndexes ${name}`),
    ]);
  });

  it("stops at the first failure and says how many operations were made", async () => {
    const server = new FakeMongoServer();
    server.seedCollection("audio_pipeline", "contacts"); // made after the plan was read
    const plan = planChanges(DECLARED_SHAPE, EMPTY_DATABASE);
    const failure = await applyOperations(fakeDb(server), plan.operations, () => undefined).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ApplyInterruptedError);
    expect(failure).toMatchObject({ completed: 1, total: plan.operations.length });
    expect(server.writes).toEqual(["create calls", "create contacts"]);
  });
});
