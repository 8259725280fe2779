import { z } from "zod";
import { tierRefusal, type ClusterTier, type TierFeature } from "../../atlas/cluster-tiers";
import { effectiveTier } from "../derived-defaults";
import { atlasSection, backupSection } from "../environment-schema";
import { defineRule } from "./config-rule";

/**
 * The cluster tier must offer every feature the environment requests. PrivateLink, a backup
 * schedule and a pinned MongoDB version are always requested by this product; point-in-time
 * restore when `backup.pointInTimeRestore` is on.
 */
export const tierOffersRequestedFeatures = defineRule({
  id: "tier-offers-requested-features",
  reads: z.looseObject({
    atlas: atlasSection.pick({ tier: true, autoScaling: true }).loose().prefault({}),
    backup: backupSection.pick({ pointInTimeRestore: true }).loose().prefault({}),
  }),
  check({ atlas, backup }) {
    const requested: TierFeature[] = ["privateLink", "cloudBackupSchedule", "pinnedVersion"];
    if (backup.pointInTimeRestore) requested.push("pointInTimeRestore");
    const tier: ClusterTier = effectiveTier(atlas);
    const refusal = tierRefusal(tier, requested);
    return refusal ? [{ path: ["atlas", "tier"], value: tier, message: refusal }] : [];
  },
});
