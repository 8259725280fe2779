import { resourcesOfType, type PolicyFinding, type PolicyRule } from "../policy-rule";

// Built-in roles that reach beyond one database or administer the deployment.
const PRIVILEGED_ROLES = new Set([
  "atlasAdmin",
  "root",
  "dbAdmin",
  "dbAdminAnyDatabase",
  "dbOwner",
  "readWriteAnyDatabase",
  "readAnyDatabase",
  "userAdmin",
  "userAdminAnyDatabase",
  "clusterAdmin",
  "clusterManager",
  "clusterMonitor",
  "hostManager",
  "backup",
  "restore",
  "enableSharding",
]);

/** Database users get readWrite/read on named databases only, and are scoped to a cluster. */
export const atlasUserLeastPrivilege: PolicyRule = {
  id: "atlas-user-least-privilege",
  rationale: "A leaked application credential must not be able to read other databases or administer the cluster.",
  level: "error",
  check(stack) {
    const findings: PolicyFinding[] = [];
    for (const user of resourcesOfType(stack, "mongodbatlas_database_user")) {
      const roles = (user.config.roles ?? []) as { role_name?: string; database_name?: string }[];
      for (const role of roles) {
        if (role.role_name && PRIVILEGED_ROLES.has(role.role_name)) {
          findings.push({ address: user.address, message: `has the administrative role ${role.role_name}` });
        } else if (role.database_name === "admin" || role.database_name === "local" || role.database_name === "config") {
          findings.push({ address: user.address, message: `has ${role.role_name} on the system database ${role.database_name}` });
        }
      }
      const scopes = (user.config.scopes ?? []) as { type?: string }[];
      if (!scopes.some((scope) => scope.type === "CLUSTER")) {
        findings.push({ address: user.address, message: "is not scoped to a cluster, so it works on every cluster of the project" });
      }
    }
    return findings;
  },
};
