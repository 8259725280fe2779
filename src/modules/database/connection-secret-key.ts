import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { Construct } from "constructs";

/** Inputs of {@link ConnectionSecretKey}. */
export interface ConnectionSecretKeyProps {
  readonly namePrefix: string;
}

/** Days before a scheduled KMS key deletion takes effect (the AWS maximum, to leave time to notice). */
export const KEY_DELETION_WINDOW_DAYS = 30;

/** The customer-managed, rotating KMS key that encrypts the connection secrets. */
export class ConnectionSecretKey extends Construct {
  readonly key: KmsKey;

  constructor(scope: Construct, id: string, props: ConnectionSecretKeyProps) {
    super(scope, id);
    this.key = new KmsKey(this, "connection_secret_key", {
      description: `Encrypts the MongoDB connection secrets of ${props.namePrefix}`,
      enableKeyRotation: true,
      deletionWindowInDays: KEY_DELETION_WINDOW_DAYS,
    });
    new KmsAlias(this, "connection_secret_key_alias", {
      name: `alias/${props.namePrefix}-mongodb-uri`,
      targetKeyId: this.key.keyId,
    });
  }
}
