import type { DatabaseUser as AtlasDatabaseUser } from "@cdktf/provider-mongodbatlas/lib/database-user";
import type { Construct } from "constructs";
import { suppressPolicy } from "../../policy/suppressions";
import type { SecretCredentials } from "./connection-secret";
import { DatabaseUser, type DatabaseUserAccess } from "./database-user";
import { IamDatabaseUser } from "./iam-database-user";
import type { DatabaseProps } from "./variables";

/** Inputs of {@link DatabaseUsers}: the database section with its defaults applied, and where the users live. */
export interface DatabaseUsersProps extends Required<Omit<DatabaseProps, "name" | "nextAppRoleArn" | "nextSeederRoleArn">> {
  readonly projectId: string;
  readonly clusterName: string;
  readonly databaseName: string;
}

/** A user as its secret needs it: the Atlas user, and what a client authenticates with. */
export interface UserCredentials {
  readonly user: AtlasDatabaseUser;
  readonly credentials: SecretCredentials;
}

/** The password users, with their generated passwords. */
export interface PasswordUsers {
  readonly app: DatabaseUser;
  readonly seeder: DatabaseUser;
}

/**
 * The application's and the seeder's database users and their credentials, in either mode:
 * - `password`: a user in `admin` with a generated password each;
 * - `aws-iam`: a ROLE user in `$external` named by each IAM role; while `retainPasswordUsers` is
 *   on (step 1 of switching), the password users stay beside them, so clients still using a
 *   password keep working.
 *
 * Not a construct scope of its own: its resources sit directly in the module, where their
 * construct paths (written in the synthesized JSON) and addresses have always been.
 */
export class DatabaseUsers {
  /** The application's user, the one its secret names: readWrite on the database. */
  readonly app: UserCredentials;
  /** The seeder's user, the one its secret names: readWrite and dbAdmin on the database. */
  readonly seeder: UserCredentials;
  /** The password users: in password mode, and in aws-iam mode while `retainPasswordUsers` is on. */
  readonly passwordUsers?: PasswordUsers;
  /** Every Atlas user created, current and retained. */
  readonly all: readonly AtlasDatabaseUser[];

  constructor(scope: Construct, props: DatabaseUsersProps) {
    const access = accessOf(props);
    if (props.authentication === "aws-iam") {
      // Created first, as they always were, so the synthesized JSON keeps its order.
      this.passwordUsers = props.retainPasswordUsers ? passwordUsers(scope, access, props) : undefined;
      const app = new IamDatabaseUser(scope, "app_iam", { ...access.app, userId: "app_iam_user", roleArn: props.appRoleArn });
      const seeder = new IamDatabaseUser(scope, "seeder_iam", { ...access.seeder, userId: "seeder_iam_user", roleArn: props.seederRoleArn });
      // The user's name is the role ARN: referring to it makes the secret wait for the user.
      this.app = { user: app.user, credentials: { authentication: "aws-iam", roleArn: app.user.username } };
      this.seeder = { user: seeder.user, credentials: { authentication: "aws-iam", roleArn: seeder.user.username } };
    } else {
      const users = passwordUsers(scope, access, props);
      this.passwordUsers = users;
      this.app = { user: users.app.user, credentials: withPassword(users.app) };
      this.seeder = { user: users.seeder.user, credentials: withPassword(users.seeder) };
    }
    this.all = [...new Set([this.app.user, this.seeder.user, ...(this.passwordUsers ? [this.passwordUsers.app.user, this.passwordUsers.seeder.user] : [])])];

    for (const seederUser of new Set([this.seeder.user, ...(this.passwordUsers ? [this.passwordUsers.seeder.user] : [])])) {
      suppressPolicy(
        seederUser,
        "atlas-user-least-privilege",
        "The seeder replaces collection validators with collMod, which only dbAdmin grants; the role covers this one database, and the credentials are read only by the post-apply seeding job",
      );
    }
  }
}

type Access = Omit<DatabaseUserAccess, "userId">;

function accessOf(props: DatabaseUsersProps): { readonly app: Access; readonly seeder: Access } {
  const app = {
    projectId: props.projectId,
    clusterName: props.clusterName,
    databaseName: props.databaseName,
    roles: ["readWrite"],
    description: `Application user of ${props.databaseName}`,
  } as const satisfies Access;
  const seeder = {
    ...app,
    roles: ["readWrite", "dbAdmin"],
    description: `Post-apply seeder of ${props.databaseName}: collections, validators, indexes`,
  } as const satisfies Access;
  return { app, seeder };
}

function passwordUsers(scope: Construct, access: ReturnType<typeof accessOf>, props: DatabaseUsersProps): PasswordUsers {
  const { passwordVersion } = props;
  return {
    app: new DatabaseUser(scope, "user", { ...access.app, username: props.username, passwordId: "database_password", userId: "app_user", passwordVersion }),
    seeder: new DatabaseUser(scope, "seeder", { ...access.seeder, username: props.seederUsername, passwordId: "seeder_password", userId: "seeder_user", passwordVersion }),
  };
}

function withPassword(user: DatabaseUser): SecretCredentials {
  return { authentication: "password", username: user.user.username, password: user.password.result };
}
