/*
 * What a production destroy must never reach: the resources whose loss loses data or locks every
 * client out. The database module protects them (lifecycle.prevent_destroy) and the policy rule
 * production-prevent-destroy checks the synthesized stack against the same list, so the two
 * cannot drift.
 */

/** Resource types that hold the data or the credentials to it. */
export const DATA_AND_CREDENTIAL_TYPES: readonly string[] = [
  "mongodbatlas_project",
  "mongodbatlas_advanced_cluster",
  "mongodbatlas_cloud_backup_schedule",
  "mongodbatlas_database_user",
  "aws_secretsmanager_secret",
  // Atlas's use of the stack's key: without it the cluster's data cannot be read.
  "mongodbatlas_encryption_at_rest",
];

/** Whether a resource of `type` holds data or the credentials to it. */
export function holdsDataOrCredentials(type: string): boolean {
  return DATA_AND_CREDENTIAL_TYPES.includes(type);
}
