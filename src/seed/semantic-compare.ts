/**
 * Comparison of documents as MongoDB means them, not as they happen to be spelled: what the
 * server returns from listCollections / listIndexes must compare equal to what the seeder
 * declared, or a fully seeded database would never plan zero operations.
 *
 * - Numbers compare by value: the server may hand back an Int32, a Double or a Long where the
 *   declaration has a plain number (and with `promoteValues: false` it hands back wrappers).
 * - Property order inside a document does not matter (validators, index options), except for an
 *   index key, whose order is the order of the compound index: see {@link sameIndexKey}.
 * - Array order matters: `required` and `enum` come back exactly as they were sent, and treating
 *   them as sets would only hide a hand edit; the cost of a reordered array is one harmless collMod.
 * - A property whose value is `undefined` is absent, as it is once serialised to BSON.
 */

type Document = Readonly<Record<string, unknown>>;

const NUMERIC_BSON_TYPES = new Set(["Int32", "Double", "Long", "Decimal128"]);

/** Type tag of a BSON wrapper. Read by name, not `instanceof`, so two bson copies still agree. */
function bsonTypeOf(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const tag = (value as { _bsontype?: unknown })._bsontype;
  return typeof tag === "string" ? tag : undefined;
}

/** The JS number a numeric BSON wrapper stands for; other values pass through unchanged. */
export function asPlainNumber(value: unknown): unknown {
  const tag = bsonTypeOf(value);
  if (tag === undefined || !NUMERIC_BSON_TYPES.has(tag)) return value;
  if (tag === "Long") return (value as { toNumber(): number }).toNumber();
  // Int32 and Double carry `.value`; Decimal128 only prints itself.
  const wrapped = (value as { value?: unknown }).value;
  return typeof wrapped === "number" ? wrapped : Number(String(value));
}

function isPlainDocument(value: unknown): value is Document {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

/** Own keys whose value is defined, i.e. the keys that would exist in BSON. */
function presentKeys(document: Document): string[] {
  return Object.keys(document).filter((key) => document[key] !== undefined);
}

/** Deep equality with MongoDB's meaning: numbers by value, document keys in any order. */
export function semanticallyEqual(left: unknown, right: unknown): boolean {
  const a = asPlainNumber(left);
  const b = asPlainNumber(right);
  if (typeof a === "number" && typeof b === "number") return a === b || (Number.isNaN(a) && Number.isNaN(b));
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => semanticallyEqual(item, b[i]));
  }
  if (isPlainDocument(a) && isPlainDocument(b)) {
    const keys = presentKeys(a);
    return keys.length === presentKeys(b).length && keys.every((key) => key in b && semanticallyEqual(a[key], b[key]));
  }
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (a instanceof RegExp && b instanceof RegExp) return a.source === b.source && a.flags === b.flags;
  const tagA = bsonTypeOf(a);
  if (tagA !== undefined) {
    // Other BSON values (ObjectId, BSONRegExp, Binary, ...) all serialise to canonical JSON.
    return tagA === bsonTypeOf(b) && JSON.stringify(a) === JSON.stringify(b);
  }
  return Object.is(a, b);
}

/** An index key as ordered (field, direction) pairs, directions as plain numbers or strings. */
export function indexKeyEntries(key: unknown): Array<[string, unknown]> {
  if (!isPlainDocument(key)) return [];
  return presentKeys(key).map((field) => [field, asPlainNumber(key[field])]);
}

/** Whether two index keys are the same index: same fields, same directions, same order. */
export function sameIndexKey(left: unknown, right: unknown): boolean {
  const a = indexKeyEntries(left);
  const b = indexKeyEntries(right);
  return a.length === b.length && a.every(([field, direction], i) => field === b[i][0] && semanticallyEqual(direction, b[i][1]));
}

/** One leaf that differs between two documents; `undefined` on a side means absent there. */
export interface Difference {
  /** Dotted path from the compared root, e.g. `$jsonSchema.properties.status.enum`. */
  readonly path: string;
  readonly before: unknown;
  readonly after: unknown;
}

/**
 * The leaves that differ between two values, descending into documents present on both sides so
 * a changed validator shows the one property that changed rather than two whole documents.
 */
export function differences(before: unknown, after: unknown, path = ""): Difference[] {
  if (semanticallyEqual(before, after)) return [];
  if (isPlainDocument(before) && isPlainDocument(after)) {
    const keys = [...presentKeys(after), ...presentKeys(before).filter((key) => after[key] === undefined)];
    return keys.flatMap((key) => differences(before[key], after[key], path === "" ? key : `${path}.${key}`));
  }
  return [{ path, before, after }];
}
