/**
 * The Terraform version this project runs, in one place for the tests: the dev machines have it at
 * /usr/local/bin/terraform and the workflows pin it (`env.TERRAFORM_VERSION`). The delivery tests
 * check the workflows against this constant always, and against `terraform version -json` when a
 * terraform binary is installed. Change the three together.
 */
export const TERRAFORM_VERSION = "1.11.4";
