import { resourcesOfType, type PolicyFinding, type PolicyRule, type ResourceBlock, type StackJson } from "../policy-rule";

const PUBLIC_ACCESS_SWITCHES = ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"];

/** The companion resources of `bucket` of the given type (they name it as `bucket = aws_s3_bucket.x.id`). */
function companions(stack: StackJson, type: string, bucket: ResourceBlock): ResourceBlock[] {
  return resourcesOfType(stack, type).filter((companion) => companion.config.bucket === `\${${bucket.address}.id}`);
}

/** Every bucket blocks public access, is encrypted and versioned, and refuses plain HTTP. */
export const s3BucketProtection: PolicyRule = {
  id: "s3-bucket-protection",
  rationale: "Database logs reveal queries and client addresses; a bucket holding them must never become public or readable in transit.",
  level: "error",
  check(stack) {
    const findings: PolicyFinding[] = [];
    for (const bucket of resourcesOfType(stack, "aws_s3_bucket")) {
      const problem = (message: string) => findings.push({ address: bucket.address, message });
      const blocks = companions(stack, "aws_s3_bucket_public_access_block", bucket);
      if (!blocks.some((block) => PUBLIC_ACCESS_SWITCHES.every((name) => block.config[name] === true))) {
        problem("has no public access block with all four switches on");
      }
      if (companions(stack, "aws_s3_bucket_server_side_encryption_configuration", bucket).length === 0) {
        problem("has no default encryption configuration");
      }
      const versioning = companions(stack, "aws_s3_bucket_versioning", bucket);
      if (!versioning.some((v) => (v.config.versioning_configuration as { status?: string } | undefined)?.status === "Enabled")) {
        problem("is not versioned");
      }
      const policies = companions(stack, "aws_s3_bucket_policy", bucket);
      if (!policies.some((policy) => /aws:SecureTransport[\\"\s=:]+false/.test(String(policy.config.policy)))) {
        problem("has no bucket policy denying requests without TLS (aws:SecureTransport = false)");
      }
    }
    return findings;
  },
};
