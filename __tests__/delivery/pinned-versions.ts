/**
 * The Terraform version this project runs: one constant in src/terraform/terraform-version.ts,
 * which the workflows (`env.TERRAFORM_VERSION`) and every stack's `required_version` read. The
 * delivery tests check the generated workflows against it always, and against
 * `terraform version -json` when a terraform binary is installed.
 */
export { TERRAFORM_VERSION } from "../../src/terraform/terraform-version";
