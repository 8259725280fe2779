import { Int32, Long, MongoNetworkError, MongoServerError, UUID, type Document, type MongoClient } from "mongodb";
import { semanticallyEqual, sameIndexKey } from "../../../src/seed/semantic-compare";
import { ID_INDEX, throughServer } from "./server-responses";

/*
 * An in-memory stand-in for MongoDB 7.0 at the level of commands, so the seeder's orchestration
 * (exit codes, all-or-nothing apply, waits, races, interruptions) is tested where no MongoDB
 * server can run. It answers each command the seeder may send the way 7.0 does; each rule below
 * names the server behaviour it follows (platform-facts section 8, and the 7.0 server code where
 * noted). Any other command (drop, delete, getMore, ...) throws, so a seeder that sent one fails.
 * The real server is exercised by integration.test.ts when MONGODB_TEST_URI is set.
 */

type Topology = "replicaSet" | "standalone";

interface Build {
  readonly spec: Document;
  readonly buildUUID: UUID;
  /** Settles when the build commits (the spec joins the indexes) or aborts (it is gone). */
  readonly settled: Promise<void>;
  settle(): void;
}

interface StoredCollection {
  type: "collection" | "timeseries" | "view";
  options: Document;
  indexes: Document[];
  builds: Build[];
  /** What the violation check counts: the fake keeps no documents, so a test says how many the declared validator rejects. */
  violatingDocuments: number;
}

/** Server-side error as the driver builds it from a reply. */
function serverError(code: number, codeName: string, errmsg: string): MongoServerError {
  return new MongoServerError({ ok: 0, errmsg, code, codeName, message: errmsg });
}

const nextTick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Options of an index spec that are not part of its definition: format version, old `ns`, `background` (ignored since 4.2). */
const NOT_DEFINITION = new Set(["v", "ns", "background", "name", "key"]);
/** Since 5.0 an index's signature is its key plus these options (platform-facts section 8). */
const SIGNATURE_OPTIONS = ["unique", "sparse", "collation", "partialFilterExpression"];

function optionValue(spec: Document, option: string): unknown {
  const value = spec[option];
  return value === false ? undefined : value; // unique/sparse false are not stored
}

function sameSignature(a: Document, b: Document): boolean {
  return sameIndexKey(a.key, b.key) && SIGNATURE_OPTIONS.every((option) => semanticallyEqual(optionValue(a, option), optionValue(b, option)));
}

function identicalIndex(a: Document, b: Document): boolean {
  const options = new Set([...Object.keys(a), ...Object.keys(b)].filter((option) => !NOT_DEFINITION.has(option)));
  return sameIndexKey(a.key, b.key) && [...options].every((option) => semanticallyEqual(optionValue(a, option), optionValue(b, option)));
}

export class FakeMongoServer {
  /** Every command received, as sent (for checks such as "each carries maxTimeMS"). */
  readonly commands: Document[] = [];
  /** Shape-changing commands received (whether or not they succeeded), as "<command> <collection>". */
  readonly writes: string[] = [];
  /** Violation checks received: the collection and the $match stage as sent. */
  readonly counts: Array<{ readonly collection: string; readonly filter: Document }> = [];
  /** hello answers as a replica set member (setName) or as a standalone. */
  topology: Topology = "replicaSet";
  /** Like the 7.0 failpoint hangAfterStartingIndexBuild: builds started now stay in progress until released or interrupted. */
  hangIndexBuilds = false;
  /** The violation check runs out of its time limit (a large, busy collection). */
  violationCheckTimesOut = false;
  /** The connection drops right after the n-th shape write (1-based) took effect: the reply is lost. */
  interruptAfterWrite: number | undefined;
  /**
   * What connectionStatus reports: by default nobody is authenticated (no access control, as on
   * a local test server); set it to play an authenticated user with these privileges.
   */
  authenticatedUserPrivileges: Document[] | undefined;
  private readonly databases = new Map<string, Map<string, StoredCollection>>();

  /** Puts a collection in place as if someone had made it by hand. */
  seedCollection(database: string, name: string, collection: Partial<Omit<StoredCollection, "builds">> = {}): void {
    this.database(database).set(name, { type: "collection", options: {}, indexes: [ID_INDEX], violatingDocuments: 0, ...collection, builds: [] });
  }

  /** Tells the fake how many documents of a collection its declared validator rejects (say, after a data migration). */
  setViolatingDocuments(database: string, name: string, count: number): void {
    this.stored(database, name).violatingDocuments = count;
  }

  /** Starts a build as another client would (by hand, or an earlier interrupted apply); it runs until finished or aborted here. */
  startIndexBuild(database: string, collection: string, spec: Document): UUID {
    return this.register(this.stored(database, collection), spec).buildUUID;
  }

  /** Every build in progress commits: its index becomes ready. */
  finishIndexBuilds(): void {
    for (const stored of this.allCollections()) for (const build of [...stored.builds]) this.commit(stored, build);
  }

  /** Every build in progress is aborted (e.g. a unique build that met duplicates): its index never appears. */
  abortIndexBuilds(): void {
    for (const stored of this.allCollections()) for (const build of [...stored.builds]) this.abort(stored, build);
  }

  /** Names of a collection's ready indexes and of its builds in progress (none if it does not exist); for assertions. */
  indexNames(database: string, collection: string): { ready: string[]; building: string[] } {
    const stored = this.database(database).get(collection);
    if (stored === undefined) return { ready: [], building: [] };
    return { ready: stored.indexes.map((index) => String(index.name)), building: stored.builds.map((build) => String(build.spec.name)) };
  }

  /** A client for this server: what the seeder's mongoClient factory returns. */
  client(): MongoClient {
    const client = {
      connect: async () => client,
      close: async () => undefined,
      db: (name: string) => ({ command: (command: Document) => this.handle(name, command) }),
    };
    return client as unknown as MongoClient;
  }

  private database(name: string): Map<string, StoredCollection> {
    let database = this.databases.get(name);
    if (database === undefined) {
      database = new Map();
      this.databases.set(name, database);
    }
    return database;
  }

  private stored(database: string, name: string): StoredCollection {
    const stored = this.database(database).get(name);
    if (stored === undefined) throw new Error(`no collection ${database}.${name} in the fake server`);
    return stored;
  }

  private allCollections(): StoredCollection[] {
    return [...this.databases.values()].flatMap((database) => [...database.values()]);
  }

  private register(stored: StoredCollection, spec: Document): Build {
    let settle = () => undefined as void;
    const settled = new Promise<void>((resolve) => {
      settle = resolve;
    });
    const build: Build = { spec: { v: 2, ...spec }, buildUUID: new UUID(), settled, settle };
    stored.builds.push(build);
    return build;
  }

  private commit(stored: StoredCollection, build: Build): void {
    stored.builds = stored.builds.filter((candidate) => candidate !== build);
    stored.indexes.push(build.spec);
    build.settle();
  }

  private abort(stored: StoredCollection, build: Build): void {
    stored.builds = stored.builds.filter((candidate) => candidate !== build);
    build.settle();
  }

  private async handle(database: string, command: Document): Promise<Document> {
    this.commands.push(command);
    await nextTick(); // another client's command may run in between, as on a real server
    const maxTimeMS = command.maxTimeMS as unknown;
    if (maxTimeMS !== undefined && (!Number.isInteger(maxTimeMS) || (maxTimeMS as number) < 0)) {
      throw serverError(2, "BadValue", "maxTimeMS must be a non-negative integer");
    }
    const [name] = Object.keys(command);
    const collections = this.database(database);
    switch (name) {
      case "hello":
        return { isWritablePrimary: true, maxWireVersion: 21, ...(this.topology === "replicaSet" ? { setName: "rs0", hosts: ["127.0.0.1:27017"] } : {}), ok: 1 };
      case "connectionStatus": {
        const privileges = this.authenticatedUserPrivileges;
        const authenticatedUsers = privileges === undefined ? [] : [{ user: "audio-pipeline-app", db: "admin" }];
        return { authInfo: { authenticatedUsers, authenticatedUserRoles: [], authenticatedUserPrivileges: privileges ?? [] }, ok: 1 };
      }
      case "listCollections":
        return this.listCollections(database, collections, command);
      case "listIndexes":
        return this.listIndexes(database, collections, command);
      case "aggregate":
        return this.countViolating(database, collections, command);
      case "create":
      case "collMod":
      case "createIndexes": {
        this.writes.push(`${name} ${String(command[name])}`);
        const written = this.writes.length;
        const reply =
          name === "create"
            ? this.create(database, collections, command)
            : name === "collMod"
              ? this.collMod(database, collections, command)
              : await this.createIndexes(database, collections, command);
        if (this.interruptAfterWrite === written) throw new MongoNetworkError("connection 3 to 127.0.0.1:27017 closed");
        return reply;
      }
      default:
        throw new Error(`the fake server does not model ${JSON.stringify(command)}`);
    }
  }

  private cursor(ns: string, firstBatch: Document[]): Document {
    return { cursor: { id: Long.ZERO, ns, firstBatch }, ok: 1 };
  }

  private listCollections(database: string, collections: Map<string, StoredCollection>, command: Document): Document {
    const names = (command.filter as { name: { $in: string[] } }).name.$in;
    const entries = [...collections.entries()]
      .filter(([collection]) => names.includes(collection))
      .map(([collection, stored]) => ({
        name: collection,
        type: stored.type,
        options: throughServer(stored.options),
        info: { readOnly: stored.type === "view", uuid: new UUID() },
        ...(stored.type === "collection" ? { idIndex: ID_INDEX } : {}),
      }));
    return this.cursor(`${database}.$cmd.listCollections`, entries);
  }

  /**
   * 7.0: listIndexes lists builds in progress too; only with includeBuildUUIDs are they marked,
   * as `{ spec, buildUUID }`. Without it they look exactly like finished indexes.
   */
  private listIndexes(database: string, collections: Map<string, StoredCollection>, command: Document): Document {
    const collection = String(command.listIndexes);
    const stored = collections.get(collection);
    if (stored === undefined) throw serverError(26, "NamespaceNotFound", `ns does not exist: ${database}.${collection}`);
    const building = stored.builds.map((build) => (command.includeBuildUUIDs === true ? { spec: throughServer(build.spec), buildUUID: build.buildUUID } : throughServer(build.spec)));
    return this.cursor(`${database}.${collection}`, [...stored.indexes.map((index) => throughServer(index)), ...building]);
  }

  /** Only the seeder's question: how many documents match { $nor: [{ $jsonSchema }] }, stopping at a limit, as countDocuments counts. */
  private countViolating(database: string, collections: Map<string, StoredCollection>, command: Document): Document {
    const collection = String(command.aggregate);
    const [match, limit, group, ...rest] = command.pipeline as Document[];
    const nor = (match?.$match as Document | undefined)?.$nor as unknown;
    const isViolationQuery =
      rest.length === 0 &&
      Array.isArray(nor) &&
      nor.length === 1 &&
      Object.keys(nor[0] as Document).join() === "$jsonSchema" &&
      Number.isInteger(limit?.$limit) &&
      semanticallyEqual(group, { $group: { _id: 1, n: { $sum: 1 } } });
    if (!isViolationQuery) throw new Error(`the fake server only counts [{ $match: { $nor: [{ $jsonSchema }] } }, { $limit }, { $group }], got ${JSON.stringify(command.pipeline)}`);
    this.counts.push({ collection, filter: match.$match as Document });
    const stored = collections.get(collection);
    if (this.violationCheckTimesOut) throw serverError(50, "MaxTimeMSExpired", "operation exceeded time limit");
    const count = Math.min(stored?.violatingDocuments ?? 0, limit.$limit as number);
    return this.cursor(`${database}.${collection}`, count === 0 ? [] : [{ _id: new Int32(1), n: new Int32(count) }]);
  }

  /** 7.0: create of an existing collection with identical options is ok (a no-op); with other options, or over a view, 48 NamespaceExists. */
  private create(database: string, collections: Map<string, StoredCollection>, command: Document): Document {
    const { create: name, maxTimeMS: _limit, ...options } = command;
    const existing = collections.get(String(name));
    if (existing !== undefined) {
      if (existing.type === "collection" && semanticallyEqual(existing.options, options)) return { ok: 1 };
      throw serverError(48, "NamespaceExists", `Collection ${database}.${String(name)} already exists with different options.`);
    }
    collections.set(String(name), { type: "collection", options: { ...options }, indexes: [ID_INDEX], builds: [], violatingDocuments: 0 });
    return { ok: 1 };
  }

  /**
   * 7.0 collMod: each given option replaces that option alone (a new validator replaces the old
   * one whole, `{}` removes it); existing documents are not checked; a missing collection is 26
   * NamespaceNotFound; an unknown field is 40415; a level or action outside its enum is 2 BadValue.
   */
  private collMod(database: string, collections: Map<string, StoredCollection>, command: Document): Document {
    const { collMod: name, maxTimeMS: _limit, ...options } = command;
    const stored = collections.get(String(name));
    if (stored === undefined) throw serverError(26, "NamespaceNotFound", `ns does not exist: ${database}.${String(name)}`);
    for (const [option, value] of Object.entries(options)) {
      if (!["validator", "validationLevel", "validationAction"].includes(option)) {
        throw serverError(40415, "Location40415", `BSON field 'collMod.${option}' is an unknown field.`);
      }
      const allowed = option === "validationLevel" ? ["off", "strict", "moderate"] : option === "validationAction" ? ["error", "warn"] : undefined;
      if (allowed !== undefined && !allowed.includes(String(value))) throw serverError(2, "BadValue", `Enumeration value '${String(value)}' for field '${option}' is not a valid value.`);
    }
    if (options.validator !== undefined && Object.keys(options.validator as Document).length === 0) {
      delete stored.options.validator;
      delete options.validator;
    }
    Object.assign(stored.options, options);
    return { ok: 1 };
  }

  /**
   * 7.0 createIndexes, per requested spec, all checked before anything is built:
   * - the same name with an identical definition (ready or being built): nothing to do;
   * - the same name with a different key or signature option (unique, sparse, collation,
   *   partialFilterExpression): 86 IndexKeySpecsConflict;
   * - the same name and signature with another option different (expireAfterSeconds, hidden): 85 IndexOptionsConflict;
   * - the same key and signature under another name: 85 IndexOptionsConflict.
   * An identical build already in progress is waited for, then looked at again (it may have
   * been aborted). commitQuorum on a standalone is 2 BadValue. When maxTimeMS runs out, the
   * command's own builds are aborted (a primary aborts on interruption).
   */
  private async createIndexes(_database: string, collections: Map<string, StoredCollection>, command: Document): Promise<Document> {
    const name = String(command.createIndexes);
    if (command.commitQuorum !== undefined && this.topology === "standalone") throw serverError(2, "BadValue", "Standalones can't specify commitQuorum");
    let stored = collections.get(name);
    const createdCollectionAutomatically = stored === undefined;
    if (stored === undefined) {
      stored = { type: "collection", options: {}, indexes: [ID_INDEX], builds: [], violatingDocuments: 0 };
      collections.set(name, stored);
    }
    const requested = command.indexes as Document[];
    for (;;) {
      const inProgress = requested.map((spec) => stored.builds.find((build) => build.spec.name === spec.name && identicalIndex(build.spec, spec)));
      const waitFor = inProgress.find((build) => build !== undefined);
      if (waitFor === undefined) break;
      await waitFor.settled; // 7.0 waits for the pre-existing build, then looks again
    }
    const numIndexesBefore = stored.indexes.length;
    const toBuild: Document[] = [];
    for (const spec of requested) {
      const existing = [...stored.indexes, ...stored.builds.map((build) => build.spec), ...toBuild];
      const sameName = existing.find((index) => index.name === spec.name);
      if (sameName !== undefined) {
        if (identicalIndex(sameName, spec)) continue;
        if (!sameSignature(sameName, spec)) {
          throw serverError(86, "IndexKeySpecsConflict", `An existing index has the same name as the requested index. Requested index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(sameName)}`);
        }
        throw serverError(85, "IndexOptionsConflict", `An equivalent index already exists with the same name but different options. Requested index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(sameName)}`);
      }
      const sameKey = existing.find((index) => sameSignature(index, spec));
      if (sameKey !== undefined) throw serverError(85, "IndexOptionsConflict", `Index already exists with a different name: ${String(sameKey.name)}`);
      toBuild.push(spec);
    }
    if (toBuild.length === 0) return { numIndexesBefore, numIndexesAfter: numIndexesBefore, note: "all indexes already exist", ok: 1 };
    const builds = toBuild.map((spec) => this.register(stored, spec));
    if (!this.hangIndexBuilds) setImmediate(() => builds.forEach((build) => this.commit(stored, build)));
    const limit = typeof command.maxTimeMS === "number" && command.maxTimeMS > 0 ? command.maxTimeMS : undefined;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<"timeout">((resolve) => {
      if (limit !== undefined) timer = setTimeout(() => resolve("timeout"), limit);
    });
    const outcome = await Promise.race([Promise.all(builds.map((build) => build.settled)), timedOut]);
    clearTimeout(timer);
    if (outcome === "timeout") {
      builds.forEach((build) => this.abort(stored, build));
      throw serverError(50, "MaxTimeMSExpired", "operation exceeded time limit");
    }
    return {
      numIndexesBefore,
      numIndexesAfter: stored.indexes.length,
      createdCollectionAutomatically,
      ...(command.commitQuorum === undefined ? {} : { commitQuorum: command.commitQuorum }),
      ok: 1,
    };
  }
}
