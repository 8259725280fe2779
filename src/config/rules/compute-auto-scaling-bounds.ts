import { z } from "zod";
import { tierFamily, tierRank } from "../../atlas/cluster-tiers";
import { atlasSection } from "../environment-schema";
import { defineRule } from "./config-rule";

/**
 * Compute auto-scaling moves the cluster between minTier and maxTier within one tier family,
 * so both bounds must belong to one family, in order. NVMe tiers cannot auto-scale. (Where the
 * cluster starts, atlas.tier, is the rule tier-with-compute-auto-scaling.)
 */
export const computeAutoScalingBounds = defineRule({
  id: "compute-auto-scaling-bounds",
  reads: z.looseObject({ atlas: atlasSection.pick({ autoScaling: true }).loose() }),
  check({ atlas }) {
    const compute = atlas.autoScaling.compute;
    if (!compute) return [];
    const path = ["atlas", "autoScaling", "compute"];
    const family = tierFamily(compute.minTier);
    if (family === "NVME") {
      return [
        {
          path: [...path, "minTier"],
          value: compute.minTier,
          message: "NVMe tiers cannot use compute auto-scaling; allowed: an M or R tier, or remove atlas.autoScaling.compute",
        },
      ];
    }
    if (tierFamily(compute.maxTier) !== family) {
      return [
        {
          path: [...path, "maxTier"],
          value: compute.maxTier,
          message: `not in the ${family} tier family of minTier ${compute.minTier}; allowed: a ${family}-family tier`,
        },
      ];
    }
    if (tierRank(compute.minTier) <= tierRank(compute.maxTier)) return [];
    return [{ path, value: { minTier: compute.minTier, maxTier: compute.maxTier }, message: "must satisfy minTier <= maxTier" }];
  },
});
