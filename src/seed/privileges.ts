import type { Operation } from "./planner";

/*
 * Whether the connected user may carry out a plan, decided before the first write so that a
 * missing privilege refuses the whole apply instead of stopping it half-way. The application
 * user the stack creates has readWrite, which covers creating collections and indexes but not
 * collMod: replacing a validator needs dbAdmin (or a role with the collMod action).
 *
 * @see https://www.mongodb.com/docs/manual/reference/privilege-actions/
 * @see https://www.mongodb.com/docs/manual/reference/command/connectionStatus/
 */

/** The privilege action each kind of operation needs on its collection. */
const REQUIRED_ACTION: Readonly<Record<Operation["kind"], string>> = {
  createCollection: "createCollection",
  updateValidator: "collMod",
  createIndex: "createIndex",
};

/** The part of a `connectionStatus` reply (with `showPrivileges: true`) this module reads. */
export interface ConnectionStatusReply {
  readonly authInfo?: {
    readonly authenticatedUsers?: readonly unknown[];
    readonly authenticatedUserPrivileges?: ReadonlyArray<{
      readonly resource?: { readonly db?: string; readonly collection?: string; readonly anyResource?: boolean };
      readonly actions?: readonly string[];
    }>;
  };
}

/**
 * The privileges the plan needs and the user lacks, as "<action> on <database>.<collection>".
 * Empty when nobody is authenticated: the server then runs without access control (a local test
 * server) and will accept everything.
 */
export function missingPrivileges(reply: ConnectionStatusReply, database: string, operations: readonly Operation[]): string[] {
  const authInfo = reply.authInfo;
  if ((authInfo?.authenticatedUsers ?? []).length === 0) return [];
  const privileges = authInfo?.authenticatedUserPrivileges ?? [];
  const granted = (action: string, collection: string) =>
    privileges.some(({ resource, actions }) => {
      if (!(actions ?? []).includes(action) || resource === undefined) return false;
      if (resource.anyResource === true) return true;
      // An empty db or collection in a resource means "every database" / "every collection".
      const dbMatches = resource.db === "" || resource.db === database;
      const collectionMatches = resource.collection === "" || resource.collection === collection;
      return dbMatches && collectionMatches;
    });
  const missing = operations
    .map((operation) => ({ action: REQUIRED_ACTION[operation.kind], collection: operation.collection }))
    .filter(({ action, collection }) => !granted(action, collection))
    .map(({ action, collection }) => `${action} on ${database}.${collection}`);
  return [...new Set(missing)];
}
