/*
 * The Atlas API keys CI uses, per environment, and the least roles each needs. mongodbatlas
 * 1.41.1 authenticates with programmatic API keys only (service accounts arrived in 2.1.0).
 *
 * - Plan key (`<stack>-plan`, secrets of <env>-plan): Organization Member, so that it sees only
 *   the projects it is added to (Organization Read Only reads every project of the
 *   organization), plus the least project role that can refresh every Atlas resource of its
 *   own stack: the most any one resource's read needs (table below).
 * - Deploy key (`<stack>-deploy`, secrets of <env>-deploy): Organization Member plus Project
 *   Owner on its own project. Organization Project Creator only until the first apply has
 *   created the project; then it is removed (docs/day-0.md gives the order).
 */

export type ProjectRole = "GROUP_READ_ONLY" | "GROUP_OWNER";

/** Atlas role names as the Admin API spells them, and as the UI does. */
export const ROLE_LABELS: Readonly<Record<string, string>> = {
  ORG_MEMBER: "Organization Member",
  ORG_READ_ONLY: "Organization Read Only",
  ORG_GROUP_CREATOR: "Organization Project Creator",
  ORG_OWNER: "Organization Owner",
  ORG_BILLING_ADMIN: "Organization Billing Admin",
  GROUP_READ_ONLY: "Project Read Only",
  GROUP_OWNER: "Project Owner",
};

export const roleLabel = (role: string) => ROLE_LABELS[role] ?? role;

/**
 * The project role each resource's refresh (its Admin API reads) needs. Sources: the Atlas Admin
 * API v2 operation descriptions ("This resource requires the requesting Service Account or API Key
 * to have the … role"). A resource type without an entry fails `npm test` (__tests__/atlas).
 */
export const READ_ROLE_BY_RESOURCE: Readonly<Record<string, { readonly role: ProjectRole; readonly reads: string }>> = {
  mongodbatlas_project: { role: "GROUP_READ_ONLY", reads: "getProject, getProjectSettings, listProjectTeams, getProjectLimit" },
  mongodbatlas_advanced_cluster: { role: "GROUP_READ_ONLY", reads: "getCluster, getClusterAdvancedConfiguration" },
  mongodbatlas_alert_configuration: { role: "GROUP_READ_ONLY", reads: "getAlertConfiguration" },
  mongodbatlas_cloud_backup_schedule: { role: "GROUP_READ_ONLY", reads: "getBackupSchedule" },
  mongodbatlas_database_user: { role: "GROUP_READ_ONLY", reads: "getDatabaseUser (documented: Project Read Only)" },
  mongodbatlas_project_ip_access_list: { role: "GROUP_READ_ONLY", reads: "getProjectIpList" },
  mongodbatlas_privatelink_endpoint: { role: "GROUP_READ_ONLY", reads: "getPrivateEndpointService" },
  mongodbatlas_privatelink_endpoint_service: { role: "GROUP_READ_ONLY", reads: "getPrivateEndpoint" },
  mongodbatlas_push_based_log_export: { role: "GROUP_READ_ONLY", reads: "getPushBasedLogConfiguration (no role stated; it always comes with cloud provider access, below)" },
  mongodbatlas_cloud_provider_access_setup: { role: "GROUP_OWNER", reads: "getCloudProviderAccessRole (documented: Project Owner)" },
  mongodbatlas_cloud_provider_access_authorization: { role: "GROUP_OWNER", reads: "getCloudProviderAccessRole (documented: Project Owner)" },
  mongodbatlas_encryption_at_rest: { role: "GROUP_OWNER", reads: "getEncryptionAtRest (documented: Project Owner)" },
};

const RANK: Readonly<Record<ProjectRole, number>> = { GROUP_READ_ONLY: 0, GROUP_OWNER: 1 };

/** The least project role that refreshes every Atlas resource type of a stack; throws on a type without an entry. */
export function leastPlanRole(resourceTypes: Iterable<string>): { readonly role: ProjectRole; readonly because: readonly string[] } {
  let role: ProjectRole = "GROUP_READ_ONLY";
  const because: string[] = [];
  for (const type of resourceTypes) {
    if (!type.startsWith("mongodbatlas_")) continue;
    const entry = READ_ROLE_BY_RESOURCE[type];
    if (!entry) throw new Error(`${type} has no entry in READ_ROLE_BY_RESOURCE (src/atlas/api-key-roles.ts): add the project role its refresh needs`);
    if (RANK[entry.role] > RANK[role]) role = entry.role;
    if (entry.role === "GROUP_OWNER") because.push(type);
  }
  return { role, because };
}

/** The API key descriptions the doctor looks for (set them when creating the keys). */
export const apiKeyDescription = (stack: string, purpose: "plan" | "deploy") => `${stack}-${purpose}`;
