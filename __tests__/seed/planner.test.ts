import { Double, Int32 } from "mongodb";
import { DECLARED_SHAPE, type DeclaredCollection } from "../../src/seed/declared-shape";
import { collectionsWithChangedValidation, isEmptyPlan, planChanges, type Operation, type ViolationCount } from "../../src/seed/planner";
import {
  buildingEntry,
  cappedEntry,
  EMPTY_DATABASE,
  fullySeeded,
  ID_INDEX,
  indexEntry,
  seededCollectionEntry,
  seededIndexes,
  throughServer,
  timeSeriesEntry,
  viewEntry,
  withCollection,
} from "./support/server-responses";

function declared(name: string): DeclaredCollection {
  const collection = DECLARED_SHAPE.collections.find((candidate) => candidate.name === name);
  if (collection === undefined) throw new Error(`no declared collection ${name}`);
  return collection;
}

const calls = declared("calls");
const allDeclaredIndexes = DECLARED_SHAPE.collections.flatMap((collection) => collection.indexes.map((index) => ({ collection: collection.name, index })));

function kinds(operations: readonly Operation[]): string[] {
  return operations.map((operation) => operation.kind);
}

describe("planChanges on an empty database", () => {
  const plan = planChanges(DECLARED_SHAPE, EMPTY_DATABASE);

  it("creates every declared collection with its declared validation", () => {
    const creations = plan.operations.filter((operation) => operation.kind === "createCollection");
    expect(creations).toEqual(
      DECLARED_SHAPE.collections.map((collection) => ({
        kind: "createCollection",
        collection: collection.name,
        validation: {
          validator: collection.validator,
          validationLevel: collection.validationLevel,
          validationAction: collection.validationAction,
        },
      })),
    );
  });

  it("creates every declared index, after all collections", () => {
    const indexCreations = plan.operations.filter((operation) => operation.kind === "createIndex");
    expect(indexCreations).toEqual(allDeclaredIndexes.map(({ collection, index }) => ({ kind: "createIndex", collection, index })));
    const lastCollection = kinds(plan.operations).lastIndexOf("createCollection");
    expect(kinds(plan.operations).indexOf("createIndex")).toBeGreaterThan(lastCollection);
  });

  it("has no conflicts", () => {
    expect(plan.conflicts).toEqual([]);
  });
});

describe("planChanges on a fully seeded database", () => {
  it("plans nothing when the server returns numbers as Int32/Double and adds _id_, v, info and idIndex", () => {
    const plan = planChanges(DECLARED_SHAPE, fullySeeded(DECLARED_SHAPE));
    expect(plan).toEqual({ operations: [], conflicts: [], building: [], unmanagedIndexes: [] });
  });

  it("plans nothing when the validator's properties come back in another order", () => {
    expect(isEmptyPlan(planChanges(DECLARED_SHAPE, fullySeeded(DECLARED_SHAPE, { reorderValidator: true })))).toBe(true);
  });

  it("plans nothing when the server omits validationLevel and validationAction (strict and error by default)", () => {
    expect(isEmptyPlan(planChanges(DECLARED_SHAPE, fullySeeded(DECLARED_SHAPE, { omitValidationDefaults: true })))).toBe(true);
  });

  it("treats unique: false and Double directions on a server index like their absent and integer forms", () => {
    const statusIndex = { v: 2, key: { status: new Double(1) }, name: "status_1", unique: false };
    const observed = withCollection(fullySeeded(DECLARED_SHAPE), "calls", {
      indexes: seededIndexes(calls).map((index) => (index.name === "status_1" ? statusIndex : index)),
    });
    expect(isEmptyPlan(planChanges(DECLARED_SHAPE, observed))).toBe(true);
  });

  it("ignores collections it does not declare", () => {
    const seeded = fullySeeded(DECLARED_SHAPE);
    const observed = { ...seeded, collections: [...seeded.collections, { name: "legacy", type: "collection", options: {} }] };
    expect(isEmptyPlan(planChanges(DECLARED_SHAPE, observed))).toBe(true);
  });
});

describe("planChanges with one missing index", () => {
  it("creates only that index", () => {
    const observed = withCollection(fullySeeded(DECLARED_SHAPE), "calls", {
      indexes: seededIndexes(calls).filter((index) => index.name !== "created_at_1"),
    });
    const plan = planChanges(DECLARED_SHAPE, observed);
    expect(plan.operations).toEqual([{ kind: "createIndex", collection: "calls", index: calls.indexes.find((index) => index.name === "created_at_1") }]);
    expect(plan.conflicts).toEqual([]);
  });
});

describe("planChanges with a changed validator", () => {
  const outdatedValidator = throughServer({
    $jsonSchema: {
      ...calls.validator.$jsonSchema,
      properties: { ...calls.validator.$jsonSchema.properties, status: { bsonType: "string", enum: ["uploaded", "complete"] } },
    },
  });
  const outdatedEntry = () => {
    const entry = seededCollectionEntry(calls);
    return { ...entry, options: { ...entry.options, validator: outdatedValidator } };
  };
  const withOutdatedValidator = (violatingDocuments: number | ViolationCount) =>
    withCollection(fullySeeded(DECLARED_SHAPE), "calls", { entry: outdatedEntry(), violatingDocuments });

  it("updates the validator when no existing document violates the new one, with the observed one as before and the declared one as after", () => {
    const plan = planChanges(DECLARED_SHAPE, withOutdatedValidator(0));
    expect(plan.operations).toEqual([
      {
        kind: "updateValidator",
        collection: "calls",
        before: { validator: outdatedValidator, validationLevel: "strict", validationAction: "error" },
        after: { validator: calls.validator, validationLevel: calls.validationLevel, validationAction: calls.validationAction },
        violatingDocuments: { kind: "exact", count: 0 },
      },
    ]);
    expect(plan.conflicts).toEqual([]);
  });

  it("refuses the update as a conflict, planning no operation, when 3 existing documents violate the new validator", () => {
    const plan = planChanges(DECLARED_SHAPE, withOutdatedValidator(3));
    expect(plan.operations).toEqual([]);
    expect(plan.conflicts).toEqual([
      {
        kind: "validator",
        collection: "calls",
        reason: expect.stringMatching(/^3 existing documents violate the new validator .*never rewrites documents.*migrate the data first/),
        before: { validator: outdatedValidator, validationLevel: "strict", validationAction: "error" },
        after: { validator: calls.validator, validationLevel: "strict", validationAction: "error" },
        violatingDocuments: { kind: "exact", count: 3 },
      },
    ]);
    expect(isEmptyPlan(plan)).toBe(false);
  });

  it("says 'document' for one", () => {
    expect(planChanges(DECLARED_SHAPE, withOutdatedValidator(1)).conflicts[0]?.reason).toMatch(/^1 existing document violates the new validator/);
  });

  it("keeps the other pending changes in the plan next to the conflict, so one run shows everything to fix", () => {
    const observed = withCollection(
      withCollection(fullySeeded(DECLARED_SHAPE), "calls", {
        entry: outdatedEntry(),
        indexes: seededIndexes(calls).filter((index) => index.name !== "created_at_1"),
        violatingDocuments: 3,
      }),
      "contacts",
      { entry: null, indexes: null },
    );
    const plan = planChanges(DECLARED_SHAPE, observed);
    expect(plan.conflicts).toEqual([expect.objectContaining({ kind: "validator", collection: "calls", violatingDocuments: { kind: "exact", count: 3 } })]);
    expect(kinds(plan.operations)).not.toContain("updateValidator");
    expect(plan.operations).toEqual([
      expect.objectContaining({ kind: "createCollection", collection: "contacts" }),
      { kind: "createIndex", collection: "calls", index: calls.indexes.find((index) => index.name === "created_at_1") },
      ...declared("contacts").indexes.map((index) => ({ kind: "createIndex", collection: "contacts", index })),
    ]);
  });

  it.each([
    ["validationAction warn", { validationAction: "warn" }],
    ["validationLevel moderate", { validationLevel: "moderate" }],
  ] as const)("updates despite violating documents when the declared %s refuses no write to them, and keeps the count", (_what, validation) => {
    const tolerant: DeclaredCollection = { ...calls, ...validation };
    const plan = planChanges({ collections: [tolerant] }, withOutdatedValidator(3));
    expect(plan.conflicts).toEqual([]);
    expect(plan.operations).toEqual([expect.objectContaining({ kind: "updateValidator", collection: "calls", violatingDocuments: { kind: "exact", count: 3 } })]);
  });

  it("refuses the update when the check stopped at its limit, saying 'at least'", () => {
    const plan = planChanges(DECLARED_SHAPE, withOutdatedValidator({ kind: "atLeast", count: 1000 }));
    expect(plan.operations).toEqual([]);
    expect(plan.conflicts[0]?.reason).toMatch(/^at least 1000 existing documents violate the new validator/);
  });

  it.each([
    ["strict/error", {}],
    ["validationAction warn", { validationAction: "warn" }],
  ] as const)("refuses the update when the check ran out of time (%s): unknown is a conflict, never 0", (_what, validation) => {
    const shape = { collections: [{ ...calls, ...validation }] };
    const plan = planChanges(shape, withOutdatedValidator({ kind: "unknown", timeLimitMs: 60_000 }));
    expect(plan.operations).toEqual([]);
    expect(plan.conflicts).toEqual([expect.objectContaining({ kind: "validator", violatingDocuments: { kind: "unknown", timeLimitMs: 60_000 } })]);
    expect(plan.conflicts[0]?.reason).toMatch(/did not finish within 1 min, so their number is unknown/);
  });

  it("updates the validator when only validationAction differs", () => {
    const entry = seededCollectionEntry(calls);
    const observed = withCollection(fullySeeded(DECLARED_SHAPE), "calls", {
      entry: { ...entry, options: { ...entry.options, validationAction: "warn" } },
      violatingDocuments: 0,
    });
    const plan = planChanges(DECLARED_SHAPE, observed);
    expect(kinds(plan.operations)).toEqual(["updateValidator"]);
  });

  it("adds the validator to a collection that exists without one", () => {
    const entry = { ...seededCollectionEntry(calls), options: {} };
    const plan = planChanges(DECLARED_SHAPE, withCollection(fullySeeded(DECLARED_SHAPE), "calls", { entry, violatingDocuments: 0 }));
    expect(plan.operations).toEqual([expect.objectContaining({ kind: "updateValidator", before: { validator: undefined, validationLevel: "strict", validationAction: "error" } })]);
  });

  it("refuses to plan when the observation has no count for a changed validator, rather than guess", () => {
    const observed = withCollection(fullySeeded(DECLARED_SHAPE), "calls", { entry: outdatedEntry() });
    expect(() => planChanges(DECLARED_SHAPE, observed)).toThrow("no count of the documents violating the new validator of calls");
  });
});

describe("collectionsWithChangedValidation, what the observation step counts documents for", () => {
  it("names only existing regular collections whose validation differs from the declaration", () => {
    const entry = seededCollectionEntry(calls);
    const observed = withCollection(
      withCollection(withCollection(fullySeeded(DECLARED_SHAPE), "calls", { entry: { ...entry, options: { ...entry.options, validationAction: "warn" } } }), "contacts", {
        entry: null,
      }),
      "processing_metrics",
      { entry: timeSeriesEntry("processing_metrics") },
    );
    expect(collectionsWithChangedValidation(DECLARED_SHAPE, observed.collections).map(({ name }) => name)).toEqual(["calls"]);
  });

  it("names none on a fully seeded database, whatever order or number types the server uses", () => {
    expect(collectionsWithChangedValidation(DECLARED_SHAPE, fullySeeded(DECLARED_SHAPE, { reorderValidator: true }).collections)).toEqual([]);
  });
});

describe("planChanges with an index conflict", () => {
  it("reports an index of the same name with other options, with both definitions, and plans nothing for it", () => {
    const found = { v: 2, key: { status: 1 }, name: "status_1", unique: true };
    const observed = withCollection(fullySeeded(DECLARED_SHAPE), "calls", {
      indexes: seededIndexes(calls).map((index) => (index.name === "status_1" ? found : index)),
    });
    const plan = planChanges(DECLARED_SHAPE, observed);
    expect(plan.operations).toEqual([]);
    expect(plan.conflicts).toEqual([
      {
        kind: "index",
        collection: "calls",
        reason: "same name and key, different options",
        declared: calls.indexes.find((index) => index.name === "status_1"),
        found,
      },
    ]);
  });

  it("reports a compound index of the same name whose fields are in another order", () => {
    const insights = declared("insights_aggregated");
    const found = { v: 2, key: { company_name: 1, date: 1 }, name: "date_1_company_name_1", unique: true };
    const observed = withCollection(fullySeeded(DECLARED_SHAPE), "insights_aggregated", { indexes: [ID_INDEX, found] });
    const plan = planChanges(DECLARED_SHAPE, observed);
    expect(plan.conflicts).toEqual([expect.objectContaining({ kind: "index", collection: insights.name, reason: expect.stringContaining("different key"), found })]);
  });

  it("reports an index on the declared key under another name instead of creating a duplicate", () => {
    const found = { v: 2, key: { contact_id: new Int32(1) }, name: "by_contact", unique: true };
    const observed = withCollection(fullySeeded(DECLARED_SHAPE), "contacts", { indexes: [ID_INDEX, found] });
    const plan = planChanges(DECLARED_SHAPE, observed);
    expect(plan.operations).toEqual([]);
    expect(plan.conflicts).toEqual([expect.objectContaining({ kind: "index", collection: "contacts", reason: expect.stringContaining("by_contact"), found })]);
  });
});

describe("planChanges with a conflict together with other changes", () => {
  const conflicting = { v: 2, key: { call_id: 1 }, name: "call_id_1" }; // not unique: duplicates may already exist
  const observed = withCollection(withCollection(fullySeeded(DECLARED_SHAPE), "calls", { indexes: [ID_INDEX, conflicting] }), "contacts", {
    entry: null,
    indexes: null,
  });
  const plan = planChanges(DECLARED_SHAPE, observed);

  it("reports the conflict", () => {
    expect(plan.conflicts).toEqual([expect.objectContaining({ kind: "index", collection: "calls", found: conflicting })]);
  });

  it("still lists the other pending changes, so one run shows everything to fix", () => {
    expect(plan.operations).toEqual([
      expect.objectContaining({ kind: "createCollection", collection: "contacts" }),
      ...calls.indexes.filter((index) => index.name !== "call_id_1").map((index) => ({ kind: "createIndex", collection: "calls", index })),
      ...declared("contacts").indexes.map((index) => ({ kind: "createIndex", collection: "contacts", index })),
    ]);
  });
});

describe("planChanges when a declared name holds something other than a regular collection", () => {
  it.each([
    ["a time-series collection", timeSeriesEntry("processing_metrics"), "processing_metrics", "time-series"],
    ["a view", viewEntry("contacts", "calls"), "contacts", "view"],
    ["a capped collection", cappedEntry("calls"), "calls", "capped"],
  ])("reports %s as a conflict and plans nothing for that name", (_what, entry, name, reasonWord) => {
    const observed = withCollection(fullySeeded(DECLARED_SHAPE), name, { entry, indexes: null });
    const plan = planChanges(DECLARED_SHAPE, observed);
    expect(plan.conflicts).toEqual([{ kind: "collection", collection: name, reason: expect.stringContaining(reasonWord), found: entry }]);
    expect(plan.operations).toEqual([]);
  });
});

describe("planChanges with indexes the shape does not declare", () => {
  it("reports them as unmanaged, plans nothing for them, and never lists _id_", () => {
    const extra = indexEntry({ name: "updated_at_1", key: { updated_at: 1 } });
    const observed = withCollection(fullySeeded(DECLARED_SHAPE), "calls", { indexes: [...seededIndexes(calls), extra] });
    const plan = planChanges(DECLARED_SHAPE, observed);
    expect(plan.unmanagedIndexes).toEqual([{ collection: "calls", index: extra }]);
    expect(plan.operations).toEqual([]);
    expect(plan.conflicts).toEqual([]);
  });
});

describe("planChanges with index builds in progress (listIndexes with includeBuildUUIDs)", () => {
  const statusIndex = calls.indexes.find((index) => index.name === "status_1")!;
  const withBuilding = (entry: ReturnType<typeof buildingEntry>) =>
    withCollection(fullySeeded(DECLARED_SHAPE), "calls", { indexes: [...seededIndexes(calls).filter((index) => index.name !== "status_1"), entry] });

  it("reports a declared index still being built as building: no creation, no 'no changes'", () => {
    const entry = buildingEntry(statusIndex);
    const plan = planChanges(DECLARED_SHAPE, withBuilding(entry));
    expect(plan.operations).toEqual([]);
    expect(plan.conflicts).toEqual([]);
    expect(plan.building).toEqual([{ collection: "calls", spec: entry.spec, buildUUID: entry.buildUUID, declared: true }]);
    expect(isEmptyPlan(plan)).toBe(false);
  });

  it("reports someone else's build of an undeclared index as building too, not as unmanaged", () => {
    const entry = buildingEntry({ name: "updated_at_1", key: { updated_at: 1 } });
    const observed = withCollection(fullySeeded(DECLARED_SHAPE), "calls", { indexes: [...seededIndexes(calls), entry] });
    const plan = planChanges(DECLARED_SHAPE, observed);
    expect(plan.building).toEqual([expect.objectContaining({ collection: "calls", declared: false })]);
    expect(plan.unmanagedIndexes).toEqual([]);
    expect(isEmptyPlan(plan)).toBe(false);
  });

  it("reports a build whose definition differs from the declaration as a conflict, saying it is still being built", () => {
    const entry = buildingEntry({ ...statusIndex, unique: true });
    const plan = planChanges(DECLARED_SHAPE, withBuilding(entry));
    expect(plan.building).toEqual([]);
    expect(plan.conflicts).toEqual([expect.objectContaining({ kind: "index", reason: "same name and key, different options (its build is still in progress)", found: entry })]);
  });
});
