import { computeAutoScalingBounds } from "../../../src/config/rules/compute-auto-scaling-bounds";
import type { ConfigRule } from "../../../src/config/rules/config-rule";
import { CONFIG_RULES } from "../../../src/config/rules";
import { roleArnsBelongToTheAccount } from "../../../src/config/rules/role-arns-belong-to-the-account";
import { restoreWindowWithinHourlyRetention } from "../../../src/config/rules/restore-window-within-hourly-retention";
import { snapshotRetentionOrder } from "../../../src/config/rules/snapshot-retention-order";
import { tierOffersRequestedFeatures } from "../../../src/config/rules/tier-offers-requested-features";

/** Runs a rule the way the loader does: only when its fields parse. */
function run(rule: ConfigRule<unknown>, input: unknown) {
  const parsed = rule.reads.safeParse(input);
  return parsed.success ? rule.check(parsed.data) : undefined;
}

const cases: { rule: ConfigRule<unknown>; compliant: unknown; noncompliant: unknown; path: string }[] = [
  {
    rule: tierOffersRequestedFeatures,
    compliant: { atlas: { tier: "M10" } },
    noncompliant: { atlas: { tier: "FLEX" }, backup: { pointInTimeRestore: false } },
    path: "atlas.tier",
  },
  {
    rule: restoreWindowWithinHourlyRetention,
    compliant: { backup: { restoreWindowDays: 7, hourlyRetentionDays: 7 } },
    noncompliant: { backup: { restoreWindowDays: 8, hourlyRetentionDays: 7 } },
    path: "backup.restoreWindowDays",
  },
  {
    rule: snapshotRetentionOrder,
    compliant: { backup: { hourlyRetentionDays: 7, dailyRetentionDays: 7, weeklyRetentionWeeks: 1, monthlyRetentionMonths: 1 } },
    noncompliant: { backup: { weeklyRetentionWeeks: 5, monthlyRetentionMonths: 1 } },
    path: "backup.monthlyRetentionMonths",
  },
  {
    rule: computeAutoScalingBounds,
    compliant: { atlas: { tier: "M20", autoScaling: { compute: { minTier: "M10", maxTier: "M30" } } } },
    noncompliant: { atlas: { tier: "M20", autoScaling: { compute: { minTier: "R40", maxTier: "M30" } } } },
    path: "atlas.autoScaling.compute.minTier",
  },
  {
    rule: roleArnsBelongToTheAccount,
    compliant: { aws: { accountId: "111122223333" }, database: { appRoleArn: "arn:aws:iam::111122223333:role/app" } },
    noncompliant: { aws: { accountId: "111122223333" }, database: { appRoleArn: "arn:aws:iam::444455556666:role/app" } },
    path: "database.appRoleArn",
  },
];

describe.each(cases)("config rule $rule.id", ({ rule, compliant, noncompliant, path }) => {
  it("passes a compliant environment", () => {
    expect(run(rule, compliant)).toEqual([]);
  });

  it("reports a noncompliant environment at the offending field", () => {
    const issues = run(rule, noncompliant);
    expect(issues?.map((issue) => issue.path.join("."))).toEqual([path]);
  });
});

describe("config rules", () => {
  it("are all registered, each under a unique id", () => {
    expect(CONFIG_RULES.map((rule) => rule.id).sort()).toEqual(cases.map(({ rule }) => rule.id).sort());
  });

  it("skip an environment whose fields they read are invalid, leaving the report to the schema", () => {
    expect(run(restoreWindowWithinHourlyRetention, { backup: { restoreWindowDays: "thirty" } })).toBeUndefined();
  });

  it("ignore the restore window when point-in-time restore is off", () => {
    expect(
      run(restoreWindowWithinHourlyRetention, { backup: { pointInTimeRestore: false, restoreWindowDays: 30, hourlyRetentionDays: 2 } }),
    ).toEqual([]);
  });

  it("refuse compute auto-scaling on NVMe tiers", () => {
    const issues = run(computeAutoScalingBounds, {
      atlas: { tier: "M40_NVME", autoScaling: { compute: { minTier: "M40_NVME", maxTier: "M50_NVME" } } },
    });
    expect(issues?.[0].message).toMatch(/NVMe tiers \(M40_NVME\) cannot use compute auto-scaling/);
  });
});
