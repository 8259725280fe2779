import { resourcesOfType, type PolicyFinding, type PolicyRule } from "../policy-rule";

/** Production clusters have point-in-time restore and termination protection. */
export const productionClusterProtection: PolicyRule = {
  id: "production-cluster-protection",
  rationale: "Production data must survive both a bad write (restore to the minute) and a mistaken destroy.",
  level: "error",
  check(stack, { production }) {
    if (!production) return [];
    const findings: PolicyFinding[] = [];
    for (const cluster of resourcesOfType(stack, "mongodbatlas_advanced_cluster")) {
      if (cluster.config.pit_enabled !== true) {
        findings.push({ address: cluster.address, message: "has point-in-time restore (pit_enabled) off in production" });
      }
      if (cluster.config.termination_protection_enabled !== true) {
        findings.push({ address: cluster.address, message: "has termination protection off in production" });
      }
    }
    return findings;
  },
};
