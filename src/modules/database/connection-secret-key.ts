import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { Construct } from "constructs";
import { deployRoleArns, keyAdministrationStatements, oneOrMany, policyDocument, terraformRoleArns, type PolicyStatement, type TerraformRoles } from "./key-policy";
import { AWS_PARTITION } from "../../atlas/regions";

/** A secret the key encrypts, and the one role (besides Terraform's) that reads it. */
export interface SecretReader {
  /** Secrets Manager name of the secret. */
  readonly secretName: string;
  /** IAM role(s) that read the secret (the application's, the seeder's; two while one replaces the other). */
  readonly readerRoleArns: readonly string[];
  /** Statement id of that reader's decrypt permission, e.g. "AppReadsItsSecret". */
  readonly sid: string;
}

/** Inputs of {@link ConnectionSecretKey}. */
export interface ConnectionSecretKeyProps {
  readonly namePrefix: string;
  /** AWS region of the stack: decrypt is allowed only through Secrets Manager there. */
  readonly region: string;
  readonly terraformRoles: TerraformRoles;
  readonly secrets: readonly SecretReader[];
}

/** Days before a scheduled KMS key deletion takes effect (the AWS maximum, to leave time to notice). */
export const KEY_DELETION_WINDOW_DAYS = 30;

/**
 * ARN pattern of a secret of this account and region by name: Secrets Manager appends a dash and
 * six random characters. Known before the secret exists, so the key policy needs no reference to it.
 */
export function secretArnPattern(region: string, accountId: string, name: string): string {
  return `arn:${AWS_PARTITION}:secretsmanager:${region}:${accountId}:secret:${name}-??????`;
}

/**
 * The customer-managed, rotating KMS key that encrypts the connection secrets. Its policy lets
 * only the secrets' readers decrypt, only through Secrets Manager in this region, and only for
 * their own secret (Secrets Manager passes the secret's ARN as encryption context). The deploy
 * role may also generate data keys (to write secret versions); the account root and the deploy
 * role administer the key and may never use it.
 */
export class ConnectionSecretKey extends Construct {
  readonly key: KmsKey;

  constructor(scope: Construct, id: string, props: ConnectionSecretKeyProps) {
    super(scope, id);
    const { accountId } = props.terraformRoles;
    const throughSecretsManager = (secretNames: readonly string[]) => ({
      StringEquals: { "kms:ViaService": `secretsmanager.${props.region}.amazonaws.com` },
      StringLike: { "kms:EncryptionContext:SecretARN": secretNames.map((name) => secretArnPattern(props.region, accountId, name)) },
    });
    const allSecrets = props.secrets.map((secret) => secret.secretName);
    const statements: PolicyStatement[] = [
      ...keyAdministrationStatements(props.terraformRoles),
      ...props.secrets.map(
        (secret): PolicyStatement => ({
          Sid: secret.sid,
          Effect: "Allow",
          Principal: { AWS: oneOrMany(secret.readerRoleArns) },
          Action: "kms:Decrypt",
          Resource: "*",
          Condition: throughSecretsManager([secret.secretName]),
        }),
      ),
      {
        // Terraform reads every secret version back on each refresh and plan.
        Sid: "TerraformReadsTheSecrets",
        Effect: "Allow",
        Principal: { AWS: terraformRoleArns(props.terraformRoles) },
        Action: "kms:Decrypt",
        Resource: "*",
        Condition: throughSecretsManager(allSecrets),
      },
      {
        Sid: "DeployRoleWritesSecretVersions",
        Effect: "Allow",
        Principal: { AWS: oneOrMany(deployRoleArns(props.terraformRoles)) },
        Action: "kms:GenerateDataKey",
        Resource: "*",
        Condition: throughSecretsManager(allSecrets),
      },
    ];
    this.key = new KmsKey(this, "connection_secret_key", {
      description: `Encrypts the MongoDB connection secrets of ${props.namePrefix}`,
      enableKeyRotation: true,
      deletionWindowInDays: KEY_DELETION_WINDOW_DAYS,
      policy: policyDocument(statements),
    });
    new KmsAlias(this, "connection_secret_key_alias", {
      name: `alias/${props.namePrefix}-mongodb-uri`,
      targetKeyId: this.key.keyId,
    });
  }
}
