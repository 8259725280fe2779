import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/secretsmanager-secret-version";
import { Fn, Op } from "cdktf";
import { Construct } from "constructs";

/** Inputs of {@link ConnectionSecret}. */
export interface ConnectionSecretProps {
  readonly name: string;
  readonly recoveryWindowDays: number;
  readonly namePrefix: string;
  readonly environment: string;
  readonly clusterName: string;
  readonly databaseName: string;
  readonly username: string;
  /** Terraform reference to the generated password; never a literal. */
  readonly password: string;
  /**
   * The private-endpoint SRV connection strings Atlas published for this VPC endpoint
   * (a Terraform list expression). Exactly one is expected.
   */
  readonly privateSrvConnectionStrings: string[];
}

/**
 * Driver options for every client of the pipeline: the story's pool size, retryable writes and
 * majority write concern, so an acknowledged write survives a primary failover.
 */
export const CONNECTION_OPTIONS = "retryWrites=true&w=majority&minPoolSize=10&maxPoolSize=50";

/** Days before a scheduled KMS key deletion takes effect (the AWS maximum, to leave time to notice). */
const KEY_DELETION_WINDOW_DAYS = 30;

/**
 * The Secrets Manager secret the application reads: the private SRV URI with credentials,
 * plus the facts a client needs to know about it. Encrypted with its own rotating KMS key.
 */
export class ConnectionSecret extends Construct {
  readonly key: KmsKey;
  readonly secret: SecretsmanagerSecret;
  readonly version: SecretsmanagerSecretVersion;

  constructor(scope: Construct, id: string, props: ConnectionSecretProps) {
    super(scope, id);
    this.key = new KmsKey(this, "connection_secret_key", {
      description: `Encrypts the MongoDB connection secret ${props.name}`,
      enableKeyRotation: true,
      deletionWindowInDays: KEY_DELETION_WINDOW_DAYS,
    });
    new KmsAlias(this, "connection_secret_key_alias", {
      name: `alias/${props.namePrefix}-mongodb-uri`,
      targetKeyId: this.key.keyId,
    });
    this.secret = new SecretsmanagerSecret(this, "connection_secret", {
      name: props.name,
      description: `MongoDB Atlas connection for ${props.databaseName} (${props.environment}), over PrivateLink`,
      kmsKeyId: this.key.arn,
      recoveryWindowInDays: props.recoveryWindowDays,
    });

    const srvConnectionString = Fn.element(props.privateSrvConnectionStrings, 0);
    const host = Fn.replace(srvConnectionString, "mongodb+srv://", "");
    const uri = `mongodb+srv://${props.username}:${Fn.urlencode(props.password)}@${host}/${props.databaseName}?${CONNECTION_OPTIONS}`;
    this.version = new SecretsmanagerSecretVersion(this, "connection_secret_value", {
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
            condition: Op.eq(Fn.lengthOf(props.privateSrvConnectionStrings), 1),
            errorMessage:
              "Atlas has not published exactly one private-endpoint connection string for this VPC endpoint; check the endpoint service's aws_connection_status before writing the secret.",
          },
        ],
      },
    });
  }
}
