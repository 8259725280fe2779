import { z } from "zod";
import { tierRefusal, type ClusterTier, type TierFeature } from "../../atlas/cluster-tiers";
import { effectiveEncryptionAtRest, effectiveTier } from "../environment-config";
import { atlasSection, backupSection } from "../environment-schema";
import { defineRule } from "./config-rule";

/**
 * The cluster tier must offer every feature the environment requests. PrivateLink, a backup
 * schedule and a pinned MongoDB version are always requested by this product; point-in-time
 * restore when `backup.pointInTimeRestore` is on; encryption at rest with a customer-managed
 * key when `atlas.encryptionAtRest` is on (its default: `production`).
 */
export const tierOffersRequestedFeatures = defineRule({
  id: "tier-offers-requested-features",
  reads: z.looseObject({
    production: z.boolean().optional(),
    atlas: atlasSection.pick({ tier: true, autoScaling: true }).loose().extend({ encryptionAtRest: z.boolean().optional() }).prefault({}),
    backup: backupSection.pick({ pointInTimeRestore: true }).loose().prefault({}),
  }),
  check({ production, atlas, backup }) {
    const requested: TierFeature[] = ["privateLink", "cloudBackupSchedule", "pinnedVersion"];
    if (backup.pointInTimeRestore) requested.push("pointInTimeRestore");
    if (effectiveEncryptionAtRest(atlas, production)) requested.push("customerKeyEncryption");
    const tier: ClusterTier = effectiveTier(atlas);
    const refusal = tierRefusal(tier, requested);
    return refusal ? [{ path: ["atlas", "tier"], value: tier, message: refusal }] : [];
  },
});
