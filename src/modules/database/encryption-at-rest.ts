import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { EncryptionAtRest } from "@cdktf/provider-mongodbatlas/lib/encryption-at-rest";
import { Construct } from "constructs";
import { AtlasAccessRole } from "./atlas-access-role";
import { KEY_DELETION_WINDOW_DAYS } from "./connection-secret-key";
import { keyAdministrationStatements, policyDocument, roleArn, type TerraformRoles } from "./key-policy";

/** Inputs of {@link CustomerKeyEncryption}. */
export interface CustomerKeyEncryptionProps {
  readonly projectId: string;
  readonly namePrefix: string;
  /** Atlas spelling of the key's region (the stack's), e.g. US_EAST_1. */
  readonly atlasRegion: string;
  readonly terraformRoles: TerraformRoles;
}

/** Atlas's own key-rotation reminder (an alert it creates when customer key management is on). */
export const ATLAS_ROTATION_REMINDER_DAYS = 90;

/** What Atlas does with the key: wrap and unwrap the cluster's own data keys, and check the key. */
export const ATLAS_KEY_ACTIONS = ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey"] as const;

/**
 * Atlas encryption at rest with a customer-managed key (customer key management): a rotating
 * KMS key of this stack that only Atlas's role may use, the role Atlas assumes for it (a role of
 * its own, not the log-export role), and the project's encryption-at-rest configuration. The
 * cluster must wait for `encryptionAtRest` and set `encryption_at_rest_provider = "AWS"`.
 * Losing the key loses the data: the module protects it with prevent_destroy in production.
 * @see https://registry.terraform.io/providers/mongodb/mongodbatlas/1.41.1/docs/resources/encryption_at_rest
 */
export class CustomerKeyEncryption extends Construct {
  readonly key: KmsKey;
  readonly access: AtlasAccessRole;
  readonly encryptionAtRest: EncryptionAtRest;

  constructor(scope: Construct, id: string, props: CustomerKeyEncryptionProps) {
    super(scope, id);
    const roleName = `${props.namePrefix}-atlas-kms`;
    this.access = new AtlasAccessRole(this, "access", {
      projectId: props.projectId,
      roleName,
      description: "Assumed by MongoDB Atlas to encrypt this project's cluster storage with the stack's KMS key",
      names: {
        setup: "atlas_encryption_access",
        role: "atlas_encryption_role",
        propagation: "atlas_encryption_role_propagation",
        authorization: "atlas_encryption_access_authorization",
      },
    });
    this.key = new KmsKey(this, "atlas_encryption_key", {
      description: `Encrypts the Atlas cluster storage of ${props.namePrefix} (customer key management)`,
      enableKeyRotation: true,
      // Atlas reminds every 90 days to rotate the key; AWS rotating the key material on the same
      // cadence answers it without a change in Atlas (the key id stays).
      rotationPeriodInDays: ATLAS_ROTATION_REMINDER_DAYS,
      deletionWindowInDays: KEY_DELETION_WINDOW_DAYS,
      // The key policy alone grants the role (same account): no IAM policy can widen or narrow it.
      policy: policyDocument([
        ...keyAdministrationStatements(props.terraformRoles),
        {
          Sid: "OnlyAtlasUsesTheKey",
          Effect: "Allow",
          Principal: { AWS: roleArn(props.terraformRoles.accountId, roleName) },
          Action: [...ATLAS_KEY_ACTIONS],
          Resource: "*",
        },
      ]),
      // KMS refuses a policy naming a role that does not exist yet.
      dependsOn: [this.access.role],
    });
    new KmsAlias(this, "atlas_encryption_key_alias", {
      name: `alias/${props.namePrefix}-atlas-encryption`,
      targetKeyId: this.key.keyId,
    });
    const authorization = this.access.authorize([this.key], { key_policy: this.key.policy });
    this.encryptionAtRest = new EncryptionAtRest(this, "encryption_at_rest", {
      projectId: props.projectId,
      awsKmsConfig: [
        {
          enabled: true,
          customerMasterKeyId: this.key.keyId,
          region: props.atlasRegion,
          roleId: authorization.roleId,
        },
      ],
      // The provider cannot infer the order through the two cloud-provider-access resources (its docs).
      dependsOn: [this.access.setup, authorization],
    });
  }
}
