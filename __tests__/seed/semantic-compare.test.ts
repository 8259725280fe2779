import { Decimal128, Double, Int32, Long, ObjectId } from "mongodb";
import { differences, sameIndexKey, semanticallyEqual } from "../../src/seed/semantic-compare";

describe("semanticallyEqual", () => {
  it.each([
    ["Int32", new Int32(3)],
    ["Double", new Double(3)],
    ["Long", Long.fromNumber(3)],
    ["Decimal128", Decimal128.fromString("3")],
  ])("treats a %s as the plain number it holds", (_type, wrapped) => {
    expect(semanticallyEqual({ minimum: wrapped }, { minimum: 3 })).toBe(true);
    expect(semanticallyEqual({ minimum: wrapped }, { minimum: 4 })).toBe(false);
  });

  it("ignores property order inside documents, at any depth", () => {
    expect(semanticallyEqual({ a: 1, b: { c: 2, d: 3 } }, { b: { d: 3, c: 2 }, a: 1 })).toBe(true);
  });

  it("keeps array order significant", () => {
    expect(semanticallyEqual({ required: ["a", "b"] }, { required: ["b", "a"] })).toBe(false);
  });

  it("treats an undefined property as absent, and a missing one as different from a present one", () => {
    expect(semanticallyEqual({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(semanticallyEqual({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(semanticallyEqual({ a: 1, b: undefined }, { a: 1, c: 2 })).toBe(false);
  });

  it("does not confuse a document with an array or a string with a number", () => {
    expect(semanticallyEqual({ 0: "a" }, ["a"])).toBe(false);
    expect(semanticallyEqual("1", 1)).toBe(false);
  });

  it("compares other BSON values by value", () => {
    const id = new ObjectId();
    expect(semanticallyEqual(new ObjectId(id.toHexString()), id)).toBe(true);
    expect(semanticallyEqual(new ObjectId(), id)).toBe(false);
  });
});

describe("sameIndexKey", () => {
  it("matches the same fields and directions whatever number type holds the direction", () => {
    expect(sameIndexKey({ metric_name: new Int32(1), timestamp: new Double(-1) }, { metric_name: 1, timestamp: -1 })).toBe(true);
  });

  it("tells compound keys apart by field order", () => {
    expect(sameIndexKey({ date: 1, company_name: 1 }, { company_name: 1, date: 1 })).toBe(false);
  });

  it("tells keys apart by direction", () => {
    expect(sameIndexKey({ created_at: 1 }, { created_at: -1 })).toBe(false);
  });
});

describe("differences", () => {
  it("names each changed leaf by its dotted path, with absent sides as undefined", () => {
    const before = { $jsonSchema: { required: ["a"], properties: { a: { bsonType: "string" }, old: { bsonType: "date" } } } };
    const after = { $jsonSchema: { required: ["a", "b"], properties: { a: { bsonType: "string" }, b: { bsonType: "number" } } } };
    expect(differences(before, after)).toEqual([
      { path: "$jsonSchema.required", before: ["a"], after: ["a", "b"] },
      { path: "$jsonSchema.properties.b", before: undefined, after: { bsonType: "number" } },
      { path: "$jsonSchema.properties.old", before: { bsonType: "date" }, after: undefined },
    ]);
  });

  it("finds nothing between semantically equal documents", () => {
    expect(differences({ a: new Int32(1), b: 2 }, { b: 2, a: 1 })).toEqual([]);
  });
});
