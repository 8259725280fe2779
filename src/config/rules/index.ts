import { breakGlassRoleOfItsOwn } from "./break-glass-role-of-its-own";
import { computeAutoScalingBounds } from "./compute-auto-scaling-bounds";
import type { ConfigRule } from "./config-rule";
import { dayZeroArnsBelongToTheAccount } from "./day-zero-arns-belong-to-the-account";
import { fcvPinWithinAtlasLimit } from "./fcv-pin-within-atlas-limit";
import { noIgnoredValues } from "./no-ignored-values";
import { productionRemoteState } from "./production-remote-state";
import { pullRequestEnvironmentsUseAwsIam } from "./pull-request-environments-use-aws-iam";
import { roleArnsBelongToTheAccount } from "./role-arns-belong-to-the-account";
import { restoreWindowWithinHourlyRetention } from "./restore-window-within-hourly-retention";
import { snapshotCopyRegions } from "./snapshot-copy-regions";
import { snapshotRetentionOrder } from "./snapshot-retention-order";
import { tierOffersRequestedFeatures } from "./tier-offers-requested-features";
import { tierWithComputeAutoScaling } from "./tier-with-compute-auto-scaling";

/** Every cross-field rule an environment file must pass. */
export const CONFIG_RULES: readonly ConfigRule<unknown>[] = [
  tierOffersRequestedFeatures,
  tierWithComputeAutoScaling,
  restoreWindowWithinHourlyRetention,
  snapshotRetentionOrder,
  computeAutoScalingBounds,
  productionRemoteState,
  noIgnoredValues,
  fcvPinWithinAtlasLimit,
  roleArnsBelongToTheAccount,
  snapshotCopyRegions,
  breakGlassRoleOfItsOwn,
  dayZeroArnsBelongToTheAccount,
  pullRequestEnvironmentsUseAwsIam,
];
