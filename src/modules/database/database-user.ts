import { DatabaseUser as AtlasDatabaseUser } from "@cdktf/provider-mongodbatlas/lib/database-user";
import { Password } from "@cdktf/provider-random/lib/password";
import { Construct } from "constructs";

/** Inputs of {@link DatabaseUser}. */
export interface DatabaseUserProps {
  readonly projectId: string;
  readonly clusterName: string;
  readonly username: string;
  /** The only database the user may read and write. */
  readonly databaseName: string;
}

/** Length of the generated password: letters and digits only, so it needs no escaping in a URI. */
export const PASSWORD_LENGTH = 32;

/**
 * The application's database user: readWrite on one database, usable on one cluster only,
 * with a generated password that exists only in Terraform state and in the connection secret.
 */
export class DatabaseUser extends Construct {
  readonly password: Password;
  readonly user: AtlasDatabaseUser;

  constructor(scope: Construct, id: string, props: DatabaseUserProps) {
    super(scope, id);
    this.password = new Password(this, "database_password", {
      length: PASSWORD_LENGTH,
      special: false,
      minUpper: 2,
      minLower: 2,
      minNumeric: 2,
    });
    this.user = new AtlasDatabaseUser(this, "app_user", {
      projectId: props.projectId,
      username: props.username,
      password: this.password.result,
      authDatabaseName: "admin",
      roles: [{ roleName: "readWrite", databaseName: props.databaseName }],
      scopes: [{ name: props.clusterName, type: "CLUSTER" }],
      description: `Application user of ${props.databaseName}`,
    });
  }
}
