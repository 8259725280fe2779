import { DatabaseUser as AtlasDatabaseUser } from "@cdktf/provider-mongodbatlas/lib/database-user";
import { Password } from "@cdktf/provider-random/lib/password";
import { Construct } from "constructs";

/** Built-in roles a user of this module may hold on its one database. */
export type DatabaseRole = "read" | "readWrite" | "dbAdmin";

/** Inputs of {@link DatabaseUser}. */
export interface DatabaseUserProps {
  readonly projectId: string;
  readonly clusterName: string;
  readonly username: string;
  /** The only database the user may use. */
  readonly databaseName: string;
  readonly roles: readonly DatabaseRole[];
  /** Construct id, and so Terraform name, of the password; fixed per user because addresses must not move. */
  readonly passwordId: string;
  /** Construct id, and so Terraform name, of the Atlas user. */
  readonly userId: string;
  readonly description: string;
}

/** Length of the generated password: letters and digits only, so it needs no escaping in a URI. */
const PASSWORD_LENGTH = 32;

/**
 * A database user with roles on one database only, usable on one cluster only, with a
 * generated password that exists only in Terraform state and in its connection secret.
 */
export class DatabaseUser extends Construct {
  readonly password: Password;
  readonly user: AtlasDatabaseUser;

  constructor(scope: Construct, id: string, props: DatabaseUserProps) {
    super(scope, id);
    this.password = new Password(this, props.passwordId, {
      length: PASSWORD_LENGTH,
      special: false,
      minUpper: 2,
      minLower: 2,
      minNumeric: 2,
    });
    this.user = new AtlasDatabaseUser(this, props.userId, {
      projectId: props.projectId,
      username: props.username,
      password: this.password.result,
      authDatabaseName: "admin",
      roles: props.roles.map((roleName) => ({ roleName, databaseName: props.databaseName })),
      scopes: [{ name: props.clusterName, type: "CLUSTER" }],
      description: props.description,
    });
  }
}
