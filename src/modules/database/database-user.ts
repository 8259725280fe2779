import { DatabaseUser as AtlasDatabaseUser, type DatabaseUserConfig } from "@cdktf/provider-mongodbatlas/lib/database-user";
import { Password } from "@cdktf/provider-random/lib/password";
import { Construct } from "constructs";

/** Built-in roles a user of this module may hold on its one database. */
export type DatabaseRole = "read" | "readWrite" | "dbAdmin";

/** What a user may do, whatever way it authenticates. */
export interface DatabaseUserAccess {
  readonly projectId: string;
  readonly clusterName: string;
  /** The only database the user may use. */
  readonly databaseName: string;
  readonly roles: readonly DatabaseRole[];
  /** Construct id, and so Terraform name, of the Atlas user; fixed per user because addresses must not move. */
  readonly userId: string;
  readonly description: string;
}

/** Inputs of {@link DatabaseUser}. */
export interface DatabaseUserProps extends DatabaseUserAccess {
  readonly username: string;
  /** Construct id, and so Terraform name, of the password; fixed per user because addresses must not move. */
  readonly passwordId: string;
  /**
   * Bumping it replaces the password (random_password keepers): rotation as a reviewed change.
   * Version 1 sets no keepers, so the passwords created before versioning existed stay.
   * @default 1
   */
  readonly passwordVersion?: number;
}

/** Length of the generated password: letters and digits only, so it needs no escaping in a URI. */
const PASSWORD_LENGTH = 32;

/** Roles on the one database, and usable on the one cluster only: the same in both modes. */
export function userGrants(access: DatabaseUserAccess): Pick<DatabaseUserConfig, "projectId" | "roles" | "scopes" | "description"> {
  return {
    projectId: access.projectId,
    roles: access.roles.map((roleName) => ({ roleName, databaseName: access.databaseName })),
    scopes: [{ name: access.clusterName, type: "CLUSTER" }],
    description: access.description,
  };
}

/**
 * A database user with roles on one database only, usable on one cluster only, with a
 * generated password that exists only in Terraform state and in its connection secret.
 */
export class DatabaseUser extends Construct {
  readonly password: Password;
  readonly user: AtlasDatabaseUser;

  constructor(scope: Construct, id: string, props: DatabaseUserProps) {
    super(scope, id);
    const version = props.passwordVersion ?? 1;
    this.password = new Password(this, props.passwordId, {
      length: PASSWORD_LENGTH,
      special: false,
      minUpper: 2,
      minLower: 2,
      minNumeric: 2,
      // Adding keepers to an existing password replaces it, so version 1 (today's) has none.
      keepers: version > 1 ? { password_version: String(version) } : undefined,
    });
    this.user = new AtlasDatabaseUser(this, props.userId, {
      ...userGrants(props),
      username: props.username,
      password: this.password.result,
      authDatabaseName: "admin",
    });
  }
}
