import { z } from "zod";
import { atlasSection } from "../environment-schema";
import { defineRule } from "./config-rule";

/**
 * With compute auto-scaling on, Atlas owns the instance size between minTier and maxTier, and the
 * stack ignores later changes to it (so Terraform does not undo a scale-up). A tier other than
 * the floor would be applied once at creation and then silently ignored: refuse it, and say what
 * to change instead.
 */
export const tierWithComputeAutoScaling = defineRule({
  id: "tier-with-compute-auto-scaling",
  reads: z.looseObject({ atlas: atlasSection.pick({ tier: true, autoScaling: true }).loose() }),
  check({ atlas }) {
    const compute = atlas.autoScaling.compute;
    if (!compute || atlas.tier === undefined || atlas.tier === compute.minTier) return [];
    return [
      {
        path: ["atlas", "tier"],
        value: atlas.tier,
        message:
          `differs from atlas.autoScaling.compute.minTier (${compute.minTier}); with compute auto-scaling Atlas sizes the cluster and ` +
          "a changed atlas.tier would be ignored. Allowed: omit atlas.tier or set it equal to minTier; to resize, change minTier/maxTier " +
          "(docs/runbook-upgrade.md)",
      },
    ];
  },
});
