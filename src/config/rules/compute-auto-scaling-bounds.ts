import { z } from "zod";
import { isDedicatedTier, tierFamily, tierRank } from "../../atlas/cluster-tiers";
import { atlasSection } from "../environment-schema";
import { defineRule } from "./config-rule";

/**
 * Compute auto-scaling moves the cluster between minTier and maxTier within one tier family,
 * so the bounds must belong to the cluster's family and bracket its tier. NVMe tiers cannot
 * auto-scale.
 */
export const computeAutoScalingBounds = defineRule({
  id: "compute-auto-scaling-bounds",
  reads: z.looseObject({ atlas: atlasSection.pick({ tier: true, autoScaling: true }).loose() }),
  check({ atlas }) {
    const compute = atlas.autoScaling.compute;
    if (!compute || !isDedicatedTier(atlas.tier)) return [];
    const path = ["atlas", "autoScaling", "compute"];
    const family = tierFamily(atlas.tier);
    if (family === "NVME") {
      return [{ path: ["atlas", "tier"], value: atlas.tier, message: `NVMe tiers (${atlas.tier}) cannot use compute auto-scaling; remove atlas.autoScaling.compute` }];
    }
    const outOfFamily = (["minTier", "maxTier"] as const).filter((bound) => tierFamily(compute[bound]) !== family);
    if (outOfFamily.length > 0) {
      return outOfFamily.map((bound) => ({
        path: [...path, bound],
        value: compute[bound],
        message: `not in the ${family} tier family of atlas.tier ${atlas.tier}; allowed: a ${family}-family tier`,
      }));
    }
    const [min, tier, max] = [tierRank(compute.minTier), tierRank(atlas.tier), tierRank(compute.maxTier)];
    if (min <= tier && tier <= max) return [];
    return [
      {
        path,
        value: { minTier: compute.minTier, maxTier: compute.maxTier },
        message: `must satisfy minTier <= atlas.tier (${atlas.tier}) <= maxTier`,
      },
    ];
  },
});
