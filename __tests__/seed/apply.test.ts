import { applyOperations } from "../../src/seed/apply";
import { SeedCommands } from "../../src/seed/commands";
import { DECLARED_SHAPE } from "../../src/seed/declared-shape";
import { ApplyInterruptedError } from "../../src/seed/errors";
import { planChanges, type Operation } from "../../src/seed/planner";
import { FakeMongoServer } from "./support/fake-mongo";
import { EMPTY_DATABASE } from "./support/server-responses";

function commandsFor(server: FakeMongoServer): SeedCommands {
  return new SeedCommands(server.client().db("audio_pipeline"), 60_000);
}

describe("applyOperations", () => {
  it("sends one create per collection and one createIndexes per collection, in plan order, with the given commitQuorum", async () => {
    const server = new FakeMongoServer();
    const applied: Operation[] = [];
    const plan = planChanges(DECLARED_SHAPE, EMPTY_DATABASE);
    await applyOperations(commandsFor(server), plan.operations, "majority", (operation) => applied.push(operation));
    expect(applied).toEqual(plan.operations);
    expect(server.writes).toEqual([
      ...DECLARED_SHAPE.collections.map(({ name }) => `create ${name}`),
      ...DECLARED_SHAPE.collections.map(({ name }) => `createIndexes ${name}`),
    ]);
    const createIndexes = server.commands.filter((command) => command.createIndexes !== undefined);
    expect(createIndexes.map((command) => command.commitQuorum)).toEqual(DECLARED_SHAPE.collections.map(() => "majority"));
  });

  it("sends no commitQuorum when told there is none (a standalone rejects it)", async () => {
    const server = new FakeMongoServer();
    server.topology = "standalone";
    await applyOperations(commandsFor(server), planChanges(DECLARED_SHAPE, EMPTY_DATABASE).operations, undefined, () => undefined);
    expect(server.commands.filter((command) => command.createIndexes !== undefined && "commitQuorum" in command)).toEqual([]);
  });

  it("stops at the first failure and says how many operations were made", async () => {
    const server = new FakeMongoServer();
    server.seedCollection("audio_pipeline", "contacts"); // made by hand, without a validator, after the plan was read
    const plan = planChanges(DECLARED_SHAPE, EMPTY_DATABASE);
    const failure = await applyOperations(commandsFor(server), plan.operations, "majority", () => undefined).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ApplyInterruptedError);
    expect(failure).toMatchObject({ completed: 1, total: plan.operations.length });
    expect((failure as ApplyInterruptedError).cause).toMatchObject({ code: 48, codeName: "NamespaceExists" });
    expect(server.writes).toEqual(["create calls", "create contacts"]);
  });
});
