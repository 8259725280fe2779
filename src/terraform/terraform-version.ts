/**
 * The Terraform CLI this project runs, in one place: the workflows install exactly this version
 * (`env.TERRAFORM_VERSION`, written by .github/scripts/workflows.ts from this constant), the
 * runbooks were checked against it, and every synthesized stack requires its minor version or a
 * later 1.x (`terraform.required_version`). Change it here, then `npm run workflows`.
 */
export const TERRAFORM_VERSION = "1.11.4";

/**
 * The oldest Terraform that can use this project's state: the S3 backend's `use_lockfile`
 * (S3-native locking) arrived in Terraform 1.10. TERRAFORM_VERSION must not be older (tested).
 */
export const OLDEST_TERRAFORM_WITH_S3_LOCKFILE = "1.10.0";

/**
 * `required_version` of every stack: the pinned minor version or any later 1.x (`~> 1.11`), so
 * an older CLI (which could not lock the state, or would not understand what the pipeline's
 * Terraform wrote) stops at `terraform init` with Terraform's own message.
 */
export const REQUIRED_TERRAFORM_VERSION = `~> ${TERRAFORM_VERSION.split(".").slice(0, 2).join(".")}`;
