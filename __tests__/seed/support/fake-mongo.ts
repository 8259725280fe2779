import { MongoServerError, UUID, type Document, type MongoClient } from "mongodb";
import { ID_INDEX, throughServer } from "./server-responses";

/*
 * An in-memory stand-in for the few driver calls the seeder makes, so the command line's
 * orchestration (exit codes, all-or-nothing apply, re-plan) is tested here, where no MongoDB
 * server can run. It answers like MongoDB 7.0 (listCollections / listIndexes shapes, numbers
 * as BSON wrappers) and records every write command. It implements no drop or delete: a seeder
 * that tried one would fail these tests with a TypeError.
 * The real server is exercised by seed-integration.test.ts when MONGODB_TEST_URI is set.
 */

interface StoredCollection {
  type: "collection" | "timeseries" | "view";
  options: Document;
  indexes: Document[];
  /**
   * What countDocuments({ $nor: [validator] }) answers: the fake keeps no documents, so a test
   * tells it how many of the collection's documents the validator it is asked about rejects.
   */
  violatingDocuments: number;
}

export class FakeMongoServer {
  /** Write commands received, as "<command> <collection>". */
  readonly writes: string[] = [];
  /** countDocuments calls received, with the filter as sent. */
  readonly counts: Array<{ readonly collection: string; readonly filter: Document }> = [];
  /**
   * What connectionStatus reports: by default nobody is authenticated (no access control, as on
   * a local test server); set it to play an authenticated user with these privileges.
   */
  authenticatedUserPrivileges: Document[] | undefined;
  private readonly databases = new Map<string, Map<string, StoredCollection>>();

  /** Puts a collection in place as if someone had made it by hand. */
  seedCollection(database: string, name: string, collection: Partial<StoredCollection> = {}): void {
    this.database(database).set(name, { type: "collection", options: {}, indexes: [ID_INDEX], violatingDocuments: 0, ...collection });
  }

  /** Tells the fake how many documents of a collection its declared validator rejects (say, after a data migration). */
  setViolatingDocuments(database: string, name: string, count: number): void {
    const stored = this.database(database).get(name);
    if (stored === undefined) throw new Error(`no collection ${database}.${name} in the fake server`);
    stored.violatingDocuments = count;
  }

  /** A client for this server: what the seeder's mongoClient factory returns. */
  client(): MongoClient {
    const client = {
      connect: async () => client,
      close: async () => undefined,
      db: (name: string) => this.db(name),
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

  private db(name: string): unknown {
    const collections = this.database(name);
    const existing = (collection: string): StoredCollection => {
      const found = collections.get(collection);
      if (found === undefined) throw new MongoServerError({ message: `ns does not exist: ${name}.${collection}`, code: 26, codeName: "NamespaceNotFound" });
      return found;
    };
    return {
      listCollections: (filter: { name: { $in: string[] } }) => ({
        toArray: async () =>
          [...collections.entries()]
            .filter(([collection]) => filter.name.$in.includes(collection))
            .map(([collection, stored]) => ({
              name: collection,
              type: stored.type,
              options: throughServer(stored.options),
              info: { readOnly: stored.type === "view", uuid: new UUID() },
              ...(stored.type === "collection" ? { idIndex: ID_INDEX } : {}),
            })),
      }),
      collection: (collection: string) => ({
        listIndexes: () => ({ toArray: async () => existing(collection).indexes.map((index) => throughServer(index)) }),
        countDocuments: async (filter: Document) => {
          // Only the question the seeder may ask: how many documents a $jsonSchema validator rejects.
          const nor: unknown = filter.$nor;
          const isViolationQuery =
            Object.keys(filter).length === 1 &&
            Array.isArray(nor) &&
            nor.length === 1 &&
            typeof nor[0] === "object" &&
            nor[0] !== null &&
            Object.keys(nor[0]).join() === "$jsonSchema";
          if (!isViolationQuery) throw new Error(`the fake server only counts { $nor: [{ $jsonSchema }] }, got ${JSON.stringify(filter)}`);
          this.counts.push({ collection, filter });
          return existing(collection).violatingDocuments;
        },
        createIndexes: async (specs: Array<{ name: string; key: Document; unique?: boolean }>) => {
          this.writes.push(`createIndexes ${collection}`);
          const stored = collections.get(collection) ?? { type: "collection" as const, options: {}, indexes: [ID_INDEX], violatingDocuments: 0 };
          collections.set(collection, stored);
          for (const spec of specs) {
            if (stored.indexes.some((index) => index.name === spec.name)) {
              throw new MongoServerError({ message: `Index already exists: ${spec.name}`, code: 85, codeName: "IndexOptionsConflict" });
            }
            stored.indexes.push({ v: 2, key: spec.key, name: spec.name, ...(spec.unique ? { unique: true } : {}) });
          }
          return specs.map((spec) => spec.name);
        },
      }),
      createCollection: async (collection: string, options: Document) => {
        this.writes.push(`create ${collection}`);
        if (collections.has(collection)) {
          throw new MongoServerError({ message: `Collection ${name}.${collection} already exists.`, code: 48, codeName: "NamespaceExists" });
        }
        collections.set(collection, { type: "collection", options: { ...options }, indexes: [ID_INDEX], violatingDocuments: 0 });
      },
      command: async (command: Document) => {
        if (command.connectionStatus === 1) {
          const privileges = this.authenticatedUserPrivileges;
          const authenticatedUsers = privileges === undefined ? [] : [{ user: "audio-pipeline-app", db: "admin" }];
          return { authInfo: { authenticatedUsers, authenticatedUserRoles: [], authenticatedUserPrivileges: privileges ?? [] }, ok: 1 };
        }
        const { collMod, ...options } = command;
        if (typeof collMod !== "string") throw new Error(`the fake server only knows collMod, got ${JSON.stringify(command)}`);
        this.writes.push(`collMod ${collMod}`);
        Object.assign(existing(collMod).options, options);
        return { ok: 1 };
      },
    };
  }
}
