import type { Db, Document } from "mongodb";
import type { CollectionValidation, DeclaredIndex } from "./declared-shape";
import { IndexBuildTimeoutError, isTimeLimitExceeded } from "./errors";
import type { ViolationCount } from "./planner";
import { asPlainNumber } from "./semantic-compare";
import { COMMAND_TIME_LIMIT_MS, VIOLATION_COUNT_LIMIT, VIOLATION_SCAN_TIME_LIMIT_MS } from "./time-limits";

/*
 * Every command the seeder sends to MongoDB, in one place, each with a server-side time limit
 * (maxTimeMS). Raw commands rather than the driver's helpers, so what is sent is exactly what a
 * reader sees here (includeBuildUUIDs, commitQuorum, maxTimeMS), and the tests' fake server can
 * answer them the way MongoDB 7.0 does. Nothing here can drop, delete or rewrite.
 */

/**
 * The documents a validator rejects. A `$jsonSchema` validator is a query expression, and the
 * manual's own form for "documents that do not match the schema" is `{ $nor: [ <schema> ] }`
 * (Schema Validation: Query for and Modify Valid or Invalid Documents).
 */
export function violating(validator: Document): Document {
  return { $nor: [validator] };
}

/** The commitQuorum sent with createIndexes: a majority of the voting members, or none on a standalone. */
export type CommitQuorum = "majority" | undefined;

export class SeedCommands {
  constructor(
    private readonly db: Db,
    /** maxTimeMS of createIndexes (`--index-build-timeout-ms`). */
    private readonly indexBuildTimeLimitMs: number,
  ) {}

  private run(command: Document, maxTimeMS = COMMAND_TIME_LIMIT_MS): Promise<Document> {
    return this.db.command({ ...command, maxTimeMS });
  }

  /**
   * A standalone rejects commitQuorum ("Standalones can't specify commitQuorum"); a replica set
   * member or mongos takes it. Without it a build waits for every voting member, so one member
   * down would stall it; "majority" of voting members is what the deploy can count on.
   */
  async commitQuorum(): Promise<CommitQuorum> {
    const reply = await this.run({ hello: 1 });
    return typeof reply.setName === "string" || reply.msg === "isdbgrid" ? "majority" : undefined;
  }

  /** listCollections entries of the named collections. */
  async listCollections(names: readonly string[]): Promise<Document[]> {
    return this.drain(await this.run({ listCollections: 1, filter: { name: { $in: [...names] } }, cursor: {} }));
  }

  /**
   * listIndexes with includeBuildUUIDs: without it, a build still in progress is listed exactly
   * like a finished index. With it, an unfinished build comes back as `{ spec, buildUUID }`.
   */
  async listIndexes(collection: string): Promise<Document[]> {
    return this.drain(await this.run({ listIndexes: collection, includeBuildUUIDs: true, cursor: {} }));
  }

  /**
   * How many documents the validator rejects, counted the way countDocuments counts (the same
   * pipeline), but stopping at VIOLATION_COUNT_LIMIT matches and within VIOLATION_SCAN_TIME_LIMIT_MS.
   * A check that runs out of time is unknown, never 0.
   */
  async countViolating(collection: string, validator: Document): Promise<ViolationCount> {
    const pipeline = [{ $match: violating(validator) }, { $limit: VIOLATION_COUNT_LIMIT }, { $group: { _id: 1, n: { $sum: 1 } } }];
    try {
      const [result] = await this.drain(await this.run({ aggregate: collection, pipeline, cursor: {} }, VIOLATION_SCAN_TIME_LIMIT_MS));
      const count = result === undefined ? 0 : Number(asPlainNumber(result.n));
      return count >= VIOLATION_COUNT_LIMIT ? { kind: "atLeast", count } : { kind: "exact", count };
    } catch (error) {
      if (isTimeLimitExceeded(error)) return { kind: "unknown", timeLimitMs: VIOLATION_SCAN_TIME_LIMIT_MS };
      throw error;
    }
  }

  /** What connectionStatus reports about the connected user's privileges. */
  connectionStatus(): Promise<Document> {
    return this.run({ connectionStatus: 1, showPrivileges: true });
  }

  /** Creates a collection; MongoDB 7.0 answers ok when it exists with identical options (a concurrent seeder). */
  async create(collection: string, validation: CollectionValidation): Promise<void> {
    await this.run({ create: collection, ...validationOptions(validation) });
  }

  /** Replaces the validator, validationLevel and validationAction of an existing collection. */
  async collMod(collection: string, validation: CollectionValidation): Promise<void> {
    await this.run({ collMod: collection, ...validationOptions(validation) });
  }

  /**
   * Builds indexes of one collection. An identical index is a no-op on the server, and an
   * identical build already in progress is waited for, not started twice. On a primary, the time
   * limit aborts the build unless it was already committing.
   */
  async createIndexes(collection: string, indexes: readonly DeclaredIndex[], commitQuorum: CommitQuorum): Promise<void> {
    const command = {
      createIndexes: collection,
      indexes: indexes.map(indexSpec),
      ...(commitQuorum === undefined ? {} : { commitQuorum }),
    };
    try {
      await this.run(command, this.indexBuildTimeLimitMs);
    } catch (error) {
      if (isTimeLimitExceeded(error)) {
        throw new IndexBuildTimeoutError(collection, indexes.map((index) => index.name), this.indexBuildTimeLimitMs, error);
      }
      throw error;
    }
  }

  /**
   * All documents of a cursor. getMore carries no maxTimeMS: the server refuses one on a
   * non-tailable cursor, and the originating command's limit already covers the cursor's life.
   */
  private async drain(reply: Document): Promise<Document[]> {
    const cursor = reply.cursor as { id: unknown; ns: string; firstBatch: Document[] };
    const documents = [...cursor.firstBatch];
    const collection = cursor.ns.slice(cursor.ns.indexOf(".") + 1);
    let id = cursor.id;
    while (Number(asPlainNumber(id)) !== 0) {
      const next = (await this.db.command({ getMore: id, collection })).cursor as { id: unknown; nextBatch: Document[] };
      documents.push(...next.nextBatch);
      id = next.id;
    }
    return documents;
  }
}

/** Exactly the three validation options, whatever else the object carries (a declared collection has its name and indexes too). */
function validationOptions({ validator, validationLevel, validationAction }: CollectionValidation): Document {
  return { validator, validationLevel, validationAction };
}

/** An index as createIndexes takes it; `unique: false` is left out, as the server would not store it. */
function indexSpec(index: DeclaredIndex): Document {
  return { name: index.name, key: { ...index.key }, ...(index.unique === true ? { unique: true } : {}) };
}
