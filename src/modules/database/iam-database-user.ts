import { DatabaseUser as AtlasDatabaseUser } from "@cdktf/provider-mongodbatlas/lib/database-user";
import { Construct } from "constructs";
import { userGrants, type DatabaseUserAccess } from "./database-user";

/** Inputs of {@link IamDatabaseUser}. */
export interface IamDatabaseUserProps extends DatabaseUserAccess {
  /** ARN of the IAM role whose credentials authenticate (MONGODB-AWS); it is the user's name. */
  readonly roleArn: string;
}

/**
 * A password-less database user: whoever holds credentials of the IAM role may connect, with
 * the same roles and cluster scope as the password user it replaces. Atlas keeps such users in
 * `$external`, so it is a new user beside a password user, never an in-place change of one.
 */
export class IamDatabaseUser extends Construct {
  readonly user: AtlasDatabaseUser;

  constructor(scope: Construct, id: string, props: IamDatabaseUserProps) {
    super(scope, id);
    this.user = new AtlasDatabaseUser(this, props.userId, {
      ...userGrants(props),
      username: props.roleArn,
      awsIamType: "ROLE",
      authDatabaseName: "$external",
    });
  }
}
