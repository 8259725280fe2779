import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecretsmanagerSecretPolicy } from "@cdktf/provider-aws/lib/secretsmanager-secret-policy";
import { SecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/secretsmanager-secret-version";
import { Fn, Op, type TerraformLocal } from "cdktf";
import { Construct } from "constructs";
import { connectionSecretValue, type ConnectionSecretValue } from "./connection-secret-value";
import { onlyPrincipals, policyDocument } from "./key-policy";
import type { DatabaseAuthentication } from "./variables";

/**
 * What only the named administrators may do to a secret: delete it, change or drop its resource
 * policy, and change what it holds or which key encrypts it (outside the deploy role, a new value
 * could point clients at another server). Tags too: IAM policies may scope by aws:ResourceTag.
 */
export const SECRET_ADMINISTRATION_ACTIONS = [
  "secretsmanager:DeleteSecret",
  "secretsmanager:PutResourcePolicy",
  "secretsmanager:DeleteResourcePolicy",
  "secretsmanager:PutSecretValue",
  "secretsmanager:UpdateSecret",
  "secretsmanager:UpdateSecretVersionStage",
  "secretsmanager:RotateSecret",
  "secretsmanager:CancelRotateSecret",
  "secretsmanager:ReplicateSecretToRegions",
  "secretsmanager:RemoveRegionsFromReplication",
  "secretsmanager:StopReplicationToReplica",
  "secretsmanager:TagResource",
  "secretsmanager:UntagResource",
] as const;

/** How the secret's user authenticates; the secret holds what a client needs for it. */
export type SecretCredentials =
  | {
      readonly authentication: Extract<DatabaseAuthentication, "password">;
      readonly username: string;
      /** Terraform reference to the generated password; never a literal. */
      readonly password: string;
    }
  | {
      readonly authentication: Extract<DatabaseAuthentication, "aws-iam">;
      /** The IAM role ARN that is the database user's name (a reference to the Atlas user, so the secret waits for it). */
      readonly roleArn: string;
    };

/** Inputs of {@link ConnectionSecret}. */
export interface ConnectionSecretProps {
  /** Construct id, and so Terraform name, of the secret; its value is `<secretId>_value`. Fixed per secret. */
  readonly secretId: string;
  readonly name: string;
  /** What the secret is for, shown in its description. */
  readonly purpose: string;
  readonly recoveryWindowDays: number;
  /** ARN of the customer-managed KMS key that encrypts the secret. */
  readonly kmsKeyArn: string;
  readonly environment: string;
  readonly clusterName: string;
  readonly databaseName: string;
  readonly credentials: SecretCredentials;
  /**
   * The only principals that may read the value (GetSecretValue); every other principal is
   * denied by the secret's resource policy, whatever its IAM policy says.
   */
  readonly readerRoleArns: readonly string[];
  /**
   * The only principals that may delete the secret, change its policy or its value
   * ({@link SECRET_ADMINISTRATION_ACTIONS}): the deploy role(s) and the break-glass role.
   */
  readonly administratorArns: readonly string[];
  /**
   * The private-endpoint SRV connection strings Atlas published for this VPC endpoint
   * (a list). Exactly one is expected.
   */
  readonly privateSrvConnectionStrings: TerraformLocal;
}

/**
 * Driver options for every client of the pipeline: the story's pool size, retryable writes and
 * majority write concern, so an acknowledged write survives a primary failover.
 */
export const CONNECTION_OPTIONS = "retryWrites=true&w=majority&minPoolSize=10&maxPoolSize=50";

/** URI options of AWS IAM authentication: the driver takes the credentials from the standard AWS chain. */
export const AWS_IAM_AUTH_OPTIONS = "authMechanism=MONGODB-AWS&authSource=%24external";

/**
 * A Secrets Manager secret a client reads: the private SRV URI (with the password in password
 * mode, with MONGODB-AWS options and no credential in aws-iam mode), plus the facts a client
 * needs to know about it. A resource policy denies reading it to all but its readers.
 */
export class ConnectionSecret extends Construct {
  readonly secret: SecretsmanagerSecret;
  readonly version: SecretsmanagerSecretVersion;
  readonly policy: SecretsmanagerSecretPolicy;

  constructor(scope: Construct, id: string, props: ConnectionSecretProps) {
    super(scope, id);
    this.secret = new SecretsmanagerSecret(this, props.secretId, {
      name: props.name,
      description: `MongoDB Atlas connection for ${props.purpose}: ${props.databaseName} (${props.environment}), over PrivateLink`,
      kmsKeyId: props.kmsKeyArn,
      recoveryWindowInDays: props.recoveryWindowDays,
    });

    this.policy = new SecretsmanagerSecretPolicy(this, `${props.secretId}_policy`, {
      secretArn: this.secret.arn,
      // Deny only: the readers still need GetSecretValue in their own IAM policy.
      policy: policyDocument([
        {
          Sid: "OnlyItsReadersGetTheValue",
          Effect: "Deny",
          Principal: "*",
          Action: "secretsmanager:GetSecretValue",
          Resource: "*",
          Condition: { ArnNotEquals: { "aws:PrincipalArn": [...props.readerRoleArns] } },
        },
        {
          // A deny, so that no IAM policy of the account (PowerUserAccess, secretsmanager:* on *) can
          // delete or re-policy the secret; the named roles still need the actions in their IAM policy.
          Sid: "OnlyNamedAdministratorsChangeIt",
          Effect: "Deny",
          Principal: "*",
          Action: [...SECRET_ADMINISTRATION_ACTIONS],
          Resource: "*",
          Condition: { ArnNotEquals: onlyPrincipals(props.administratorArns).ArnEquals },
        },
      ]),
      blockPublicPolicy: true,
    });

    const strings = props.privateSrvConnectionStrings.asList;
    const exactlyOne = Op.eq(Fn.lengthOf(strings), 1);
    // "" rather than an evaluation error when the list is not exactly one string, so that the
    // precondition below reports the real cause.
    const host = Fn.replace(Fn.conditional(exactlyOne, Fn.element(strings, 0), ""), "mongodb+srv://", "");
    const about = { database: props.databaseName, environment: props.environment, cluster: props.clusterName };
    const credentials = props.credentials;
    // The contract every reader checks (connection-secret-value.ts); parsing it here makes a field
    // the readers do not expect a synth error rather than a broken secret.
    const value: ConnectionSecretValue =
      credentials.authentication === "password"
        ? {
            uri: `mongodb+srv://${credentials.username}:${Fn.urlencode(credentials.password)}@${host}/${props.databaseName}?${CONNECTION_OPTIONS}`,
            username: credentials.username,
            ...about,
            authentication: credentials.authentication,
          }
        : {
            uri: `mongodb+srv://${host}/${props.databaseName}?${AWS_IAM_AUTH_OPTIONS}&${CONNECTION_OPTIONS}`,
            authentication: credentials.authentication,
            roleArn: credentials.roleArn,
            ...about,
          };
    this.version = new SecretsmanagerSecretVersion(this, `${props.secretId}_value`, {
      secretId: this.secret.id,
      secretString: Fn.jsonencode(connectionSecretValue.parse(value)),
      lifecycle: {
        precondition: [
          {
            condition: exactlyOne,
            errorMessage:
              "Atlas has not published exactly one private-endpoint connection string for this VPC endpoint; check the endpoint service's aws_connection_status before writing the secret.",
          },
        ],
      },
    });
  }
}
