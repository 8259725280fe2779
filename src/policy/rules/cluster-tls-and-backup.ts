import { resourcesOfType, type PolicyFinding, type PolicyRule } from "../policy-rule";

const ACCEPTED_TLS = new Set(["TLS1_2", "TLS1_3"]);

/** Every cluster enforces TLS 1.2 or higher and has cloud backup on. */
export const clusterTlsAndBackup: PolicyRule = {
  id: "cluster-tls-and-backup",
  rationale: "Older TLS versions are broken, and a cluster without backup cannot be restored after a bad write.",
  level: "error",
  check(stack) {
    const findings: PolicyFinding[] = [];
    for (const cluster of resourcesOfType(stack, "mongodbatlas_advanced_cluster")) {
      const advanced = (cluster.config.advanced_configuration ?? {}) as { minimum_enabled_tls_protocol?: string };
      if (!ACCEPTED_TLS.has(advanced.minimum_enabled_tls_protocol ?? "")) {
        findings.push({
          address: cluster.address,
          message: `allows TLS below 1.2 (minimum_enabled_tls_protocol is ${advanced.minimum_enabled_tls_protocol ?? "unset"})`,
        });
      }
      if (cluster.config.backup_enabled !== true) findings.push({ address: cluster.address, message: "has backup_enabled off" });
    }
    return findings;
  },
};
