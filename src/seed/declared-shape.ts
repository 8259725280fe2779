/**
 * The declared shape of the audio_pipeline database: the single source of truth for the
 * seeder (`npm run seed`) and for the stack's collection-name output.
 *
 * Collections and indexes are not Terraform resources, so this module is what a reviewer reads
 * to know what the database looks like. It is plain data with no runtime import, because the
 * CDKTF stack imports it too and synth must not load the MongoDB driver.
 *
 * @see https://www.mongodb.com/docs/v7.0/core/schema-validation/specify-json-schema/
 */

/** BSON types this shape uses in `$jsonSchema` (`number` matches int, long, double and decimal). */
export type BsonType = "object" | "array" | "string" | "date" | "number";

/** The subset of MongoDB's `$jsonSchema` keywords this shape uses. */
export interface JsonSchema {
  readonly bsonType: BsonType;
  readonly required?: readonly string[];
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly items?: JsonSchema;
  readonly enum?: readonly string[];
  readonly minimum?: number;
  readonly minLength?: number;
}

/** @see https://www.mongodb.com/docs/v7.0/reference/command/collMod/#validation-rules */
export type ValidationLevel = "off" | "strict" | "moderate";
export type ValidationAction = "error" | "warn";

/** The validation options of a collection, exactly as `create` and `collMod` take them. */
export interface CollectionValidation {
  readonly validator: { readonly $jsonSchema: JsonSchema };
  readonly validationLevel: ValidationLevel;
  readonly validationAction: ValidationAction;
}

/** An index the seeder creates. Key order matters: it is the order of the compound index. */
export interface DeclaredIndex {
  /** Explicit, so a differently named copy is noticed instead of silently duplicated. */
  readonly name: string;
  readonly key: Readonly<Record<string, 1 | -1>>;
  /** @default false */
  readonly unique?: boolean;
}

/** A regular (not capped, not time-series, not view) collection with its validator and indexes. */
export interface DeclaredCollection extends CollectionValidation {
  readonly name: string;
  readonly indexes: readonly DeclaredIndex[];
}

export interface DeclaredShape {
  readonly collections: readonly DeclaredCollection[];
}

/** Lifecycle of a call through the pipeline; anything else is a bug in a writer. */
export const CALL_STATUSES = ["uploaded", "transcribing", "analyzing", "complete", "failed"] as const;

/*
 * Validation choices, the same for every collection:
 * - validationLevel "strict": the database starts empty (the seeder creates it), so there are no
 *   legacy documents that "moderate" would need to exempt; every insert and update is checked.
 * - validationAction "error": a malformed write fails at the writer (API or worker) that made
 *   it, instead of landing and leaving only a log line nobody reads ("warn").
 * When a later change tightens a validator over existing data, migrate the data before applying.
 *
 * Which fields are required: identity and query keys, and what every writer knows when it creates
 * the document. Fields that later pipeline stages fill in (a call's duration and participants come
 * out of transcription; a contact's company and title may not be found) are typed but optional.
 * No `additionalProperties: false`: later epics add fields (transcripts, analysis results), and
 * an unknown field is not a corruption worth rejecting a write for.
 */
const VALIDATION = { validationLevel: "strict", validationAction: "error" } as const;

const text: JsonSchema = { bsonType: "string" };
const identifier: JsonSchema = { bsonType: "string", minLength: 1 };
const date: JsonSchema = { bsonType: "date" };
const nonNegativeNumber: JsonSchema = { bsonType: "number", minimum: 0 };
const stringList: JsonSchema = { bsonType: "array", items: text };
const freeFormObject: JsonSchema = { bsonType: "object" };

const calls = {
  name: "calls",
  validator: {
    $jsonSchema: {
      bsonType: "object",
      required: ["call_id", "status", "metadata", "created_at", "updated_at"],
      properties: {
        call_id: identifier,
        status: { bsonType: "string", enum: CALL_STATUSES },
        metadata: {
          bsonType: "object",
          required: ["company_name", "call_date"],
          properties: {
            company_name: text,
            call_date: date,
            duration_seconds: nonNegativeNumber,
            participants: stringList,
          },
        },
        created_at: date,
        updated_at: date,
      },
    },
  },
  ...VALIDATION,
  // Names follow the server's default naming, so an index made by hand the usual way is
  // recognised as the same index rather than reported as a conflict.
  indexes: [
    { name: "call_id_1", key: { call_id: 1 }, unique: true }, // direct lookup by id
    { name: "status_1", key: { status: 1 } }, // calls waiting in a pipeline stage
    { name: "metadata.company_name_1", key: { "metadata.company_name": 1 } }, // calls of one company
    { name: "created_at_1", key: { created_at: 1 } }, // recent calls, time ranges
  ],
} as const satisfies DeclaredCollection;

const contacts = {
  name: "contacts",
  validator: {
    $jsonSchema: {
      bsonType: "object",
      required: ["contact_id", "name", "extracted_from_calls"],
      properties: {
        contact_id: identifier,
        name: text,
        company: text,
        title: text,
        extracted_from_calls: stringList, // call_id values
        metadata: freeFormObject,
      },
    },
  },
  ...VALIDATION,
  indexes: [{ name: "contact_id_1", key: { contact_id: 1 }, unique: true }],
} as const satisfies DeclaredCollection;

const insightsAggregated = {
  name: "insights_aggregated",
  validator: {
    $jsonSchema: {
      bsonType: "object",
      required: ["date", "company_name", "metrics"],
      properties: {
        date: date,
        company_name: text,
        metrics: {
          bsonType: "object",
          required: ["total_calls"],
          properties: {
            total_calls: nonNegativeNumber,
            sentiment_breakdown: freeFormObject,
            common_topics: stringList,
          },
        },
      },
    },
  },
  ...VALIDATION,
  // One aggregate per company and day: the unique key makes a re-run of the aggregation upsert
  // rather than duplicate.
  indexes: [{ name: "date_1_company_name_1", key: { date: 1, company_name: 1 }, unique: true }],
} as const satisfies DeclaredCollection;

/*
 * processing_metrics is a regular collection, not a time-series one, although its documents are
 * measurements: MongoDB 7.0 refuses a validator on a time-series collection ("'timeseries' is not
 * allowed with 'validator'" on create, "option not supported on a time-series collection" on
 * collMod), and every collection here must have one. A regular collection also cannot be
 * converted to time-series later without copying the data, so this is decided once, here.
 */
const processingMetrics = {
  name: "processing_metrics",
  validator: {
    $jsonSchema: {
      bsonType: "object",
      required: ["timestamp", "metric_name", "value"],
      properties: {
        timestamp: date,
        metric_name: text,
        value: { bsonType: "number" },
        dimensions: freeFormObject,
      },
    },
  },
  ...VALIDATION,
  // One metric over a time range: equality on metric_name, then range and sort on timestamp.
  indexes: [{ name: "metric_name_1_timestamp_1", key: { metric_name: 1, timestamp: 1 } }],
} as const satisfies DeclaredCollection;

const DECLARED_COLLECTIONS = [calls, contacts, insightsAggregated, processingMetrics] as const;

export const DECLARED_SHAPE: DeclaredShape = { collections: DECLARED_COLLECTIONS };

/** Names of the declared collections, in declaration order; the stack publishes them as an output. */
export const COLLECTION_NAMES = DECLARED_COLLECTIONS.map((collection) => collection.name);
