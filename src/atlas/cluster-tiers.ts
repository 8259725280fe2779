/**
 * What each Atlas cluster tier can do, as far as this product cares.
 *
 * Source: mongodb.com/docs/atlas/flex-migration, .../security-private-endpoint,
 * .../reference/flex-limitations (checked 2026; see shared platform facts, section 2).
 */

/** A feature of the deployment that only some tiers offer. */
export type TierFeature = "privateLink" | "pointInTimeRestore" | "cloudBackupSchedule" | "pinnedVersion" | "customerKeyEncryption";

/** Human wording for each feature, used in error messages. */
export const TIER_FEATURE_NAMES: Readonly<Record<TierFeature, string>> = {
  privateLink: "AWS PrivateLink",
  pointInTimeRestore: "continuous backup with point-in-time restore",
  cloudBackupSchedule: "a cloud backup schedule with snapshot policies",
  pinnedVersion: "choosing the MongoDB major version",
  // "Atlas limits this feature to dedicated cluster tiers of M10 and greater" (provider 1.41.1 docs, encryption_at_rest).
  customerKeyEncryption: "encryption at rest with a customer-managed key (atlas.encryptionAtRest)",
};

/** Dedicated tiers on AWS, smallest first within each family. */
export const DEDICATED_TIERS = [
  "M10", "M20", "M30", "M40", "M50", "M60", "M80", "M140", "M200", "M300", "M400", "M700",
  "R40", "R50", "R60", "R80", "R200", "R300", "R400", "R700",
  "M40_NVME", "M50_NVME", "M60_NVME", "M80_NVME", "M200_NVME", "M400_NVME",
] as const;

/** Shared and serverless-style tiers: Atlas knows them, this product explains why it cannot use them. */
export const SHARED_TIERS = ["M0", "M2", "M5", "FLEX"] as const;

export type DedicatedTier = (typeof DEDICATED_TIERS)[number];
export type ClusterTier = DedicatedTier | (typeof SHARED_TIERS)[number];

export const ALL_TIERS: readonly ClusterTier[] = [...DEDICATED_TIERS, ...SHARED_TIERS];

/** The smallest tier that offers every feature this product requests. */
const SMALLEST_COMPLETE_TIER: DedicatedTier = "M10";

interface TierCapabilities {
  /** Why Atlas refuses to create this tier at all; absent when it can be created. */
  readonly retired?: string;
  readonly features: ReadonlySet<TierFeature>;
}

const EVERY_FEATURE: ReadonlySet<TierFeature> = new Set(Object.keys(TIER_FEATURE_NAMES) as TierFeature[]);
const NO_FEATURE: ReadonlySet<TierFeature> = new Set();

const SHARED_TIER_RETIREMENT =
  "M2 and M5 clusters can no longer be created (Atlas blocked new M2/M5 clusters in February 2025 " +
  "and migrated the remaining ones to Flex in January 2026)";

const CAPABILITIES: Readonly<Record<ClusterTier, TierCapabilities>> = {
  ...(Object.fromEntries(DEDICATED_TIERS.map((tier) => [tier, { features: EVERY_FEATURE }])) as Record<
    DedicatedTier,
    TierCapabilities
  >),
  M0: { features: NO_FEATURE },
  M2: { retired: SHARED_TIER_RETIREMENT, features: NO_FEATURE },
  M5: { retired: SHARED_TIER_RETIREMENT, features: NO_FEATURE },
  // Flex has automatic snapshots only, runs MongoDB 8.0+ without a choice, and no private endpoints.
  FLEX: { features: NO_FEATURE },
};

export function isDedicatedTier(tier: string): tier is DedicatedTier {
  return (DEDICATED_TIERS as readonly string[]).includes(tier);
}

/**
 * Explains why `tier` cannot serve a deployment that requests `requested`, or returns
 * undefined when it can. The message names the alternatives.
 */
export function tierRefusal(tier: ClusterTier, requested: readonly TierFeature[]): string | undefined {
  const capabilities = CAPABILITIES[tier];
  const alternatives = `use ${SMALLEST_COMPLETE_TIER} or a larger dedicated tier (${SMALLEST_COMPLETE_TIER} is the smallest that offers every feature requested here)`;
  if (capabilities.retired) {
    return `${capabilities.retired}; ${alternatives}, or FLEX / M0 only for deployments without PrivateLink, point-in-time restore, backup schedules or a chosen version`;
  }
  const missing = requested.filter((feature) => !capabilities.features.has(feature));
  if (missing.length === 0) return undefined;
  const names = missing.map((feature) => TIER_FEATURE_NAMES[feature]).join(", ");
  return `${tier} clusters do not offer ${names}, which this environment requests; ${alternatives}`;
}

/** Tier family: compute auto-scaling moves a cluster only within its family. */
export function tierFamily(tier: DedicatedTier): "M" | "R" | "NVME" {
  if (tier.endsWith("_NVME")) return "NVME";
  return tier.startsWith("R") ? "R" : "M";
}

/** Size order of a dedicated tier within its family (0 = smallest). */
export function tierRank(tier: DedicatedTier): number {
  return DEDICATED_TIERS.filter((candidate) => tierFamily(candidate) === tierFamily(tier)).indexOf(tier);
}

/** Narrows a validated tier for the module; environment files reach this only after the tier rule passed. */
export function asDedicatedTier(tier: string): DedicatedTier {
  if (!isDedicatedTier(tier)) throw new Error(`${tier} is not a dedicated tier; the tier-offers-requested-features rule should have refused it`);
  return tier;
}
