import type { TerraformLocal } from "cdktf";
import type { Construct } from "constructs";
import { ConnectionSecret, type SecretCredentials } from "./connection-secret";
import { ConnectionSecretKey } from "./connection-secret-key";
import { administratorArns, terraformRoleArns, type TerraformRoles } from "./key-policy";
import type { ConnectionSecretNames } from "./variables";

/** One secret's reader and what its value carries. */
export interface SecretOwner {
  /** The only role(s) (besides Terraform's) that may read and decrypt the secret: the owner's, and during a rotation the one replacing it. */
  readonly roleArns: readonly string[];
  readonly credentials: SecretCredentials;
}

/** Inputs of {@link ConnectionSecrets}. */
export interface ConnectionSecretsProps {
  readonly names: Required<ConnectionSecretNames>;
  readonly namePrefix: string;
  readonly region: string;
  readonly terraformRoles: TerraformRoles;
  readonly environment: string;
  readonly clusterName: string;
  readonly databaseName: string;
  /** The private-endpoint SRV strings Atlas published for the stack's VPC endpoint. */
  readonly privateSrvConnectionStrings: TerraformLocal;
  readonly app: SecretOwner;
  readonly seeder: SecretOwner;
}

/**
 * The application's and the seeder's connection secrets and the KMS key that encrypts both, each
 * secret readable only by its owner's role and Terraform's. Like DatabaseUsers, not a construct
 * scope: its resources keep the construct paths the synthesized JSON has always recorded.
 */
export class ConnectionSecrets {
  readonly key: ConnectionSecretKey;
  /** The secret the application reads. */
  readonly app: ConnectionSecret;
  /** The secret the post-apply seeder reads. */
  readonly seeder: ConnectionSecret;

  constructor(scope: Construct, props: ConnectionSecretsProps) {
    const { names } = props;
    this.key = new ConnectionSecretKey(scope, "connection_secret_key", {
      namePrefix: props.namePrefix,
      region: props.region,
      terraformRoles: props.terraformRoles,
      secrets: [
        { secretName: names.name, readerRoleArns: props.app.roleArns, sid: "AppReadsItsSecret" },
        { secretName: names.seederName, readerRoleArns: props.seeder.roleArns, sid: "SeederReadsItsSecret" },
      ],
    });
    const basics = {
      recoveryWindowDays: names.recoveryWindowDays,
      kmsKeyArn: this.key.key.arn,
      environment: props.environment,
      clusterName: props.clusterName,
      databaseName: props.databaseName,
      privateSrvConnectionStrings: props.privateSrvConnectionStrings,
      administratorArns: administratorArns(props.terraformRoles),
    };
    // Terraform reads every secret version back on each refresh: each of its roles reads both secrets.
    const terraformReaders = terraformRoleArns(props.terraformRoles);
    this.app = new ConnectionSecret(scope, "connection_secret", {
      ...basics,
      secretId: "connection_secret",
      name: names.name,
      purpose: "the application",
      credentials: props.app.credentials,
      readerRoleArns: [...props.app.roleArns, ...terraformReaders],
    });
    this.seeder = new ConnectionSecret(scope, "seeder_secret", {
      ...basics,
      secretId: "seeder_connection_secret",
      name: names.seederName,
      purpose: "the post-apply seeder",
      credentials: props.seeder.credentials,
      readerRoleArns: [...props.seeder.roleArns, ...terraformReaders],
    });
  }
}
