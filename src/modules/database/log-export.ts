import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { PushBasedLogExport } from "@cdktf/provider-mongodbatlas/lib/push-based-log-export";
import { Fn } from "cdktf";
import { Construct } from "constructs";
import { AtlasAccessRole } from "./atlas-access-role";

/** Inputs of {@link LogExport}. */
export interface LogExportProps {
  readonly projectId: string;
  readonly namePrefix: string;
  /** Days a log object is kept (its expired version goes one day later). */
  readonly retentionDays: number;
}

/** Folder of the bucket Atlas exports to. */
const LOG_PREFIX = "atlas-logs";
// S3 allows at most 37 characters in a bucket_prefix; AWS appends a unique suffix.
const MAX_BUCKET_PREFIX = 37;
const ABORT_INCOMPLETE_UPLOADS_AFTER_DAYS = 7;
const NONCURRENT_VERSION_DAYS = 1;

/**
 * Atlas pushes its logs to a private S3 bucket of this stack: versioned, encrypted, expiring,
 * public access blocked and reachable over TLS only. Atlas writes through an IAM role that
 * trusts only Atlas's AWS account with this project's external id, and may use only this bucket.
 * @see https://registry.terraform.io/providers/mongodb/mongodbatlas/1.41.1/docs/resources/push_based_log_export
 */
export class LogExport extends Construct {
  readonly bucket: S3Bucket;
  readonly role: IamRole;
  readonly export: PushBasedLogExport;

  constructor(scope: Construct, id: string, props: LogExportProps) {
    super(scope, id);
    this.bucket = new S3Bucket(this, "log_bucket", {
      bucketPrefix: `${props.namePrefix}-atlas-logs-`.slice(0, MAX_BUCKET_PREFIX),
    });
    const bucket = this.bucket.id;
    new S3BucketOwnershipControls(this, "log_bucket_ownership", {
      bucket,
      rule: { objectOwnership: "BucketOwnerEnforced" },
    });
    const publicAccessBlock = new S3BucketPublicAccessBlock(this, "log_bucket_public_access_block", {
      bucket,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketServerSideEncryptionConfigurationA(this, "log_bucket_encryption", {
      bucket,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
    });
    new S3BucketVersioningA(this, "log_bucket_versioning", {
      bucket,
      versioningConfiguration: { status: "Enabled" },
    });
    new S3BucketLifecycleConfiguration(this, "log_bucket_lifecycle", {
      bucket,
      rule: [
        {
          id: "expire-atlas-logs",
          status: "Enabled",
          filter: [{ prefix: "" }],
          expiration: [{ days: props.retentionDays }],
          // Expiry turns the log into a non-current version; remove that a day later, so a log
          // lives retentionDays + 1 days, not twice as long.
          noncurrentVersionExpiration: [{ noncurrentDays: NONCURRENT_VERSION_DAYS }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: ABORT_INCOMPLETE_UPLOADS_AFTER_DAYS }],
        },
        {
          id: "remove-expired-delete-markers",
          status: "Enabled",
          filter: [{ prefix: "" }],
          expiration: [{ expiredObjectDeleteMarker: true }],
        },
      ],
    });
    const bucketPolicy = new S3BucketPolicy(this, "log_bucket_policy", {
      bucket,
      policy: Fn.jsonencode({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "DenyInsecureTransport",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: [this.bucket.arn, `${this.bucket.arn}/*`],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          },
        ],
      }),
      // A public access block applied after the policy would race it.
      dependsOn: [publicAccessBlock],
    });

    // The permissions of the provider's own example (examples/mongodbatlas_push_based_log_export),
    // no wider: the bucket, and objects anywhere in it, because Atlas writes a test object
    // during set-up, outside the export prefix.
    const access = new AtlasAccessRole(this, "access", {
      projectId: props.projectId,
      roleName: `${props.namePrefix}-atlas-log-export`,
      description: "Assumed by MongoDB Atlas to push this project's logs to S3",
      names: {
        setup: "atlas_cloud_provider_access",
        role: "atlas_log_export_role",
        policy: "atlas_log_export_role_policy",
        propagation: "atlas_log_export_role_propagation",
        authorization: "atlas_cloud_provider_access_authorization",
      },
      policy: {
        name: "write-atlas-logs",
        document: Fn.jsonencode({
          Version: "2012-10-17",
          Statement: [
            { Sid: "FindTheBucket", Effect: "Allow", Action: ["s3:ListBucket", "s3:GetBucketLocation"], Resource: this.bucket.arn },
            { Sid: "WriteObjectsInTheBucket", Effect: "Allow", Action: ["s3:PutObject", "s3:GetObject"], Resource: `${this.bucket.arn}/*` },
          ],
        }),
      },
    });
    this.role = access.role;
    const authorization = access.authorize();
    this.export = new PushBasedLogExport(this, "atlas_log_export", {
      projectId: props.projectId,
      bucketName: this.bucket.bucket,
      iamRoleId: authorization.roleId,
      prefixPath: LOG_PREFIX,
      dependsOn: [bucketPolicy],
    });
  }
}
