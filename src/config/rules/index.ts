import { computeAutoScalingBounds } from "./compute-auto-scaling-bounds";
import type { ConfigRule } from "./config-rule";
import { roleArnsBelongToTheAccount } from "./role-arns-belong-to-the-account";
import { restoreWindowWithinHourlyRetention } from "./restore-window-within-hourly-retention";
import { snapshotRetentionOrder } from "./snapshot-retention-order";
import { tierOffersRequestedFeatures } from "./tier-offers-requested-features";

/** Every cross-field rule an environment file must pass. */
export const CONFIG_RULES: readonly ConfigRule<unknown>[] = [
  tierOffersRequestedFeatures,
  restoreWindowWithinHourlyRetention,
  snapshotRetentionOrder,
  computeAutoScalingBounds,
  roleArnsBelongToTheAccount,
];
