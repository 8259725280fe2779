import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/secretsmanager-secret-version";
import { Fn, Op, type TerraformLocal } from "cdktf";
import { Construct } from "constructs";

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
  readonly username: string;
  /** Terraform reference to the generated password; never a literal. */
  readonly password: string;
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

/**
 * A Secrets Manager secret a client reads: the private SRV URI with one user's credentials,
 * plus the facts a client needs to know about it.
 */
export class ConnectionSecret extends Construct {
  readonly secret: SecretsmanagerSecret;
  readonly version: SecretsmanagerSecretVersion;

  constructor(scope: Construct, id: string, props: ConnectionSecretProps) {
    super(scope, id);
    this.secret = new SecretsmanagerSecret(this, props.secretId, {
      name: props.name,
      description: `MongoDB Atlas connection for ${props.purpose}: ${props.databaseName} (${props.environment}), over PrivateLink`,
      kmsKeyId: props.kmsKeyArn,
      recoveryWindowInDays: props.recoveryWindowDays,
    });

    const strings = props.privateSrvConnectionStrings.asList;
    const exactlyOne = Op.eq(Fn.lengthOf(strings), 1);
    // "" rather than an evaluation error when the list is not exactly one string, so that the
    // precondition below reports the real cause.
    const host = Fn.replace(Fn.conditional(exactlyOne, Fn.element(strings, 0), ""), "mongodb+srv://", "");
    const uri = `mongodb+srv://${props.username}:${Fn.urlencode(props.password)}@${host}/${props.databaseName}?${CONNECTION_OPTIONS}`;
    this.version = new SecretsmanagerSecretVersion(this, `${props.secretId}_value`, {
      secretId: this.secret.id,
      secretString: Fn.jsonencode({
        uri,
        username: props.username,
        database: props.databaseName,
        environment: props.environment,
        cluster: props.clusterName,
      }),
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
