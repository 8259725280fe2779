import { GetCallerIdentityCommand, type STSClient } from "@aws-sdk/client-sts";

/*
 * Who the seeder is in AWS, for MONGODB-AWS authentication failures: the server cannot say why
 * it refused, so the message names the role the driver signed in as, which the operator can
 * compare with the database user (an Atlas user in $external named by a role ARN).
 */

/** The role the seeder runs as, or why it could not be found out. */
export type CallerIdentity = { readonly arn: string } | { readonly unknownBecause: string };

const ASSUMED_ROLE = /^arn:([\w-]+):sts::(\d{12}):assumed-role\/([^/]+)\/[^/]+$/;
const IAM_ROLE = /^arn:([\w-]+):iam::(\d{12}):role\/(?:[^/]+\/)*([^/]+)$/;

/**
 * The IAM role ARN behind a caller ARN. STS reports an assumed role as
 * `arn:aws:sts::<account>:assumed-role/<role>/<session>`; Atlas names the user by the role,
 * `arn:aws:iam::<account>:role/<role>`. Any other ARN (an IAM user) is returned as it is.
 */
export function roleArnOf(callerArn: string): string {
  const match = ASSUMED_ROLE.exec(callerArn);
  return match === null ? callerArn : `arn:${match[1]}:iam::${match[2]}:role/${match[3]}`;
}

/**
 * Whether two role ARNs name the same role: same partition, account and role name. An assumed
 * role's ARN carries no IAM path, so a path in the other ARN is not a difference.
 */
export function sameRole(left: string, right: string): boolean {
  const a = IAM_ROLE.exec(roleArnOf(left));
  const b = IAM_ROLE.exec(roleArnOf(right));
  return a !== null && b !== null && a[1] === b[1] && a[2] === b[2] && a[3] === b[3];
}

/** STS GetCallerIdentity, mapped to the role; never throws (the failure is reported instead). */
export async function callerIdentity(client: STSClient): Promise<CallerIdentity> {
  try {
    const { Arn } = await client.send(new GetCallerIdentityCommand({}));
    return Arn === undefined ? { unknownBecause: "GetCallerIdentity returned no ARN" } : { arn: roleArnOf(Arn) };
  } catch (error) {
    const name = error instanceof Error ? error.name : "error";
    return { unknownBecause: `GetCallerIdentity failed: ${name}` };
  } finally {
    client.destroy();
  }
}
