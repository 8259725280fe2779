/*
 * authenticatedUserPrivileges as connectionStatus({ showPrivileges: true }) reports them for
 * users with built-in roles on audio_pipeline (action lists of MongoDB 7.0's readWrite and
 * dbAdmin, abridged to the actions that matter plus a few others for realism).
 */

const READ_WRITE_ACTIONS = [
  "changeStream", "collStats", "convertToCapped", "createCollection", "createIndex", "dbHash", "dbStats",
  "dropCollection", "dropIndex", "find", "insert", "killCursors", "listCollections", "listIndexes",
  "planCacheRead", "remove", "renameCollectionSameDB", "update",
];

const DB_ADMIN_ACTIONS = [
  "bypassDocumentValidation", "collMod", "collStats", "compact", "convertToCapped", "createCollection", "createIndex",
  "dbStats", "dropCollection", "dropDatabase", "dropIndex", "enableProfiler", "listCollections", "listIndexes",
  "planCacheIndexFilter", "planCacheRead", "planCacheWrite", "reIndex", "renameCollectionSameDB", "validate",
];

/** The stack's application user: readWrite on the database, nothing else. */
export function readWritePrivileges(database: string) {
  return [
    { resource: { db: database, collection: "" }, actions: READ_WRITE_ACTIONS },
    { resource: { db: database, collection: "system.js" }, actions: READ_WRITE_ACTIONS },
    { resource: { cluster: true }, actions: ["listDatabases"] },
  ];
}

/** A seeding user: readWrite and dbAdmin on the database. */
export function seederPrivileges(database: string) {
  return [...readWritePrivileges(database), { resource: { db: database, collection: "" }, actions: DB_ADMIN_ACTIONS }];
}
