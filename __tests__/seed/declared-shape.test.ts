import { CALL_STATUSES, COLLECTION_NAMES, DECLARED_SHAPE, type DeclaredCollection, type JsonSchema } from "../../src/seed/declared-shape";

/*
 * The declared shape against the story (docs story 1.4) and issue #3. Expected values here are
 * the requirements, written from the issue, not copied from the module. That the stack's
 * collection_names output comes from COLLECTION_NAMES is checked in __tests__/stack/prod-stack.test.ts.
 */

function collection(name: string): DeclaredCollection {
  const found = DECLARED_SHAPE.collections.find((candidate) => candidate.name === name);
  if (found === undefined) throw new Error(`collection ${name} is not declared`);
  return found;
}

/** Every (path, schema) pair of a $jsonSchema, the root included. */
function schemaNodes(schema: JsonSchema, path = "$"): Array<[string, JsonSchema]> {
  const nested = Object.entries(schema.properties ?? {}).flatMap(([field, inner]) => schemaNodes(inner, `${path}.${field}`));
  return [[path, schema], ...nested, ...(schema.items ? schemaNodes(schema.items, `${path}[]`) : [])];
}

describe("declared shape", () => {
  it("declares the four collections of the story, and COLLECTION_NAMES lists every declared collection once", () => {
    expect(COLLECTION_NAMES).toEqual(expect.arrayContaining(["calls", "contacts", "insights_aggregated", "processing_metrics"]));
    expect(DECLARED_SHAPE.collections.map((declared) => declared.name)).toEqual(COLLECTION_NAMES);
    expect(new Set(COLLECTION_NAMES).size).toBe(COLLECTION_NAMES.length);
  });

  it("restricts calls.status to the five pipeline statuses", () => {
    expect(CALL_STATUSES).toEqual(["uploaded", "transcribing", "analyzing", "complete", "failed"]);
    expect(collection("calls").validator.$jsonSchema.properties?.status).toEqual({ bsonType: "string", enum: CALL_STATUSES });
  });

  it.each(DECLARED_SHAPE.collections.map((declared) => [declared.name, declared] as const))(
    "%s: every required field is a declared property, at every level",
    (_name, declared) => {
      for (const [path, node] of schemaNodes(declared.validator.$jsonSchema)) {
        const missing = (node.required ?? []).filter((field) => node.properties?.[field] === undefined);
        expect(missing, `required but not described at ${path}`).toEqual([]);
      }
    },
  );

  it("types each field of the story's data model", () => {
    const typeAt = (name: string, ...path: string[]) =>
      path.reduce<JsonSchema | undefined>((schema, field) => schema?.properties?.[field], collection(name).validator.$jsonSchema)?.bsonType;
    expect(typeAt("calls", "metadata", "call_date")).toBe("date");
    expect(typeAt("calls", "metadata", "duration_seconds")).toBe("number");
    expect(typeAt("calls", "metadata", "participants")).toBe("array");
    expect(typeAt("contacts", "extracted_from_calls")).toBe("array");
    expect(typeAt("insights_aggregated", "metrics", "sentiment_breakdown")).toBe("object");
    expect(typeAt("processing_metrics", "timestamp")).toBe("date");
    expect(typeAt("processing_metrics", "value")).toBe("number");
  });

  it("validates strictly and rejects invalid writes in every collection", () => {
    for (const declared of DECLARED_SHAPE.collections) {
      expect([declared.name, declared.validationLevel, declared.validationAction]).toEqual([declared.name, "strict", "error"]);
    }
  });

  it("declares at least the indexes the story and issue ask for, with their keys in order and uniqueness", () => {
    const indexes = (name: string) => collection(name).indexes.map(({ key, unique }) => ({ key: Object.entries(key), unique: unique ?? false }));
    expect(indexes("calls")).toEqual(
      expect.arrayContaining([
        { key: [["call_id", 1]], unique: true },
        { key: [["status", 1]], unique: false },
        { key: [["metadata.company_name", 1]], unique: false },
        { key: [["created_at", 1]], unique: false },
      ]),
    );
    expect(indexes("contacts")).toEqual(expect.arrayContaining([{ key: [["contact_id", 1]], unique: true }]));
    expect(indexes("insights_aggregated")).toEqual(expect.arrayContaining([{ key: [["date", 1], ["company_name", 1]], unique: true }]));
    expect(indexes("processing_metrics")).toEqual(expect.arrayContaining([{ key: [["metric_name", 1], ["timestamp", 1]], unique: false }]));
  });

  it("declares each index once per collection: no two share a name or a key", () => {
    for (const declared of DECLARED_SHAPE.collections) {
      const names = declared.indexes.map((index) => index.name);
      const keys = declared.indexes.map((index) => JSON.stringify(Object.entries(index.key)));
      expect(new Set(names).size, declared.name).toBe(names.length);
      expect(new Set(keys).size, declared.name).toBe(keys.length);
    }
  });

  it("names every index the way the server names it by default, so a hand-made copy is recognised", () => {
    for (const declared of DECLARED_SHAPE.collections) {
      for (const index of declared.indexes) {
        expect(index.name).toBe(Object.entries(index.key).map(([field, direction]) => `${field}_${direction}`).join("_"));
      }
    }
  });
});
