import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { AWS_PARTITION } from "../atlas/regions";

/** Inputs of {@link StateBucket}. */
export interface StateBucketProps {
  readonly bucket: string;
  /** Days S3 keeps a state object's older versions (the state history a bad apply is recovered from). */
  readonly noncurrentVersionRetentionDays: number;
  /** Prefix of the Terraform addresses: `<prefix>`, `<prefix>_versioning`, ... */
  readonly address: string;
  /**
   * The provider of the bucket's region.
   * @default - the stack's default aws provider
   */
  readonly provider?: TerraformProvider;
}

/** Incomplete multipart uploads of a state object are junk after a day; a week is generous. */
const ABORT_INCOMPLETE_UPLOADS_AFTER_DAYS = 7;

/**
 * A Terraform state bucket: versioned (every state ever written can be restored), encrypted by
 * default, never public, owned by the bucket owner only (no ACLs), reachable over TLS only, with
 * older versions expiring after the configured days, and `prevent_destroy`: Terraform refuses a
 * plan that deletes the state of every environment in it.
 */
export class StateBucket extends Construct {
  readonly bucket: S3Bucket;

  constructor(scope: Construct, id: string, props: StateBucketProps) {
    super(scope, id);
    const provider = props.provider;
    const at = (suffix: string) => `${props.address}_${suffix}`;
    this.bucket = new S3Bucket(this, props.address, { bucket: props.bucket, provider, lifecycle: { preventDestroy: true } });
    const bucket = this.bucket.id;
    new S3BucketVersioningA(this, at("versioning"), { bucket, provider, versioningConfiguration: { status: "Enabled" } });
    new S3BucketServerSideEncryptionConfigurationA(this, at("encryption"), {
      bucket,
      provider,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
    });
    new S3BucketPublicAccessBlock(this, at("public_access_block"), {
      bucket,
      provider,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, at("ownership"), { bucket, provider, rule: { objectOwnership: "BucketOwnerEnforced" } });
    new S3BucketPolicy(this, at("policy"), {
      bucket,
      provider,
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "DenyInsecureTransport",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: [`arn:${AWS_PARTITION}:s3:::${props.bucket}`, `arn:${AWS_PARTITION}:s3:::${props.bucket}/*`],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          },
        ],
      }),
    });
    new S3BucketLifecycleConfiguration(this, at("lifecycle"), {
      bucket,
      provider,
      rule: [
        {
          id: "expire-old-state-versions",
          status: "Enabled",
          filter: [{ prefix: "" }],
          noncurrentVersionExpiration: [{ noncurrentDays: props.noncurrentVersionRetentionDays }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: ABORT_INCOMPLETE_UPLOADS_AFTER_DAYS }],
        },
      ],
    });
  }
}
