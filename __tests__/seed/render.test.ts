import { DECLARED_SHAPE } from "../../src/seed/declared-shape";
import { planChanges } from "../../src/seed/planner";
import { renderPlan, renderSummary } from "../../src/seed/render";
import { buildingEntry, EMPTY_DATABASE, fullySeeded, indexEntry, seededIndexes, viewEntry, withCollection } from "./support/server-responses";

describe("renderPlan", () => {
  it("says there is nothing to do for a seeded database", () => {
    expect(renderPlan(planChanges(DECLARED_SHAPE, fullySeeded(DECLARED_SHAPE)), "audio_pipeline")).toEqual([
      'No changes. Database "audio_pipeline" matches the declared shape.',
    ]);
  });

  it("mentions an undeclared index as left alone, even when nothing else is to do", () => {
    const calls = DECLARED_SHAPE.collections[0];
    const extra = indexEntry({ name: "legacy_1", key: { legacy: 1 } });
    const observed = withCollection(fullySeeded(DECLARED_SHAPE), calls.name, { indexes: [...seededIndexes(calls), extra] });
    expect(renderPlan(planChanges(DECLARED_SHAPE, observed), "audio_pipeline")).toContain('  = index calls.legacy_1 {"legacy":1} is not declared; left as it is');
  });

  it("shows what occupies a declared name when it is not a regular collection", () => {
    const view = viewEntry("contacts", "calls");
    const lines = renderPlan(planChanges(DECLARED_SHAPE, withCollection(fullySeeded(DECLARED_SHAPE), "contacts", { entry: view, indexes: null })), "db");
    expect(lines).toContain("  ! conflict on collection contacts: a view exists under this name; the seeder declares a regular collection");
    expect(lines.some((line) => line.startsWith('      found:    {"name":"contacts","type":"view"'))).toBe(true);
  });
});

describe("renderSummary", () => {
  it("counts each kind of change, singular and plural", () => {
    const indexCount = DECLARED_SHAPE.collections.reduce((sum, collection) => sum + collection.indexes.length, 0);
    expect(renderSummary(planChanges(DECLARED_SHAPE, EMPTY_DATABASE))).toBe(
      `Plan: ${DECLARED_SHAPE.collections.length} collections to create, 0 validators to update, ${indexCount} indexes to create, 0 conflicts.`,
    );
  });
});

describe("renderPlan with an index build in progress", () => {
  const calls = DECLARED_SHAPE.collections[0];
  const [first] = calls.indexes;
  const observed = withCollection(fullySeeded(DECLARED_SHAPE), calls.name, {
    indexes: [...seededIndexes(calls).filter((index) => index.name !== first.name), buildingEntry(first)],
  });
  const lines = renderPlan(planChanges(DECLARED_SHAPE, observed), "audio_pipeline");

  it("shows the build as building and never says there are no changes", () => {
    expect(lines).toContain(`  * index ${calls.name}.${first.name} ${JSON.stringify(first.key)}${first.unique === true ? " unique" : ""} is being built (declared): plan again when it ends`);
    expect(lines.join("\n")).not.toMatch(/No changes/);
  });

  it("counts builds in progress in the summary", () => {
    expect(lines.at(-1)).toBe("Plan: 0 collections to create, 0 validators to update, 0 indexes to create, 1 index build in progress, 0 conflicts.");
  });
});
