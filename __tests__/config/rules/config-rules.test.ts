import { breakGlassRoleOfItsOwn } from "../../../src/config/rules/break-glass-role-of-its-own";
import { computeAutoScalingBounds } from "../../../src/config/rules/compute-auto-scaling-bounds";
import type { ConfigRule } from "../../../src/config/rules/config-rule";
import { CONFIG_RULES } from "../../../src/config/rules";
import { dayZeroArnsBelongToTheAccount } from "../../../src/config/rules/day-zero-arns-belong-to-the-account";
import { fcvPinWithinAtlasLimit } from "../../../src/config/rules/fcv-pin-within-atlas-limit";
import { roleArnsBelongToTheAccount } from "../../../src/config/rules/role-arns-belong-to-the-account";
import { pullRequestEnvironmentsUseAwsIam } from "../../../src/config/rules/pull-request-environments-use-aws-iam";
import { restoreWindowWithinHourlyRetention } from "../../../src/config/rules/restore-window-within-hourly-retention";
import { snapshotCopyRegions } from "../../../src/config/rules/snapshot-copy-regions";
import { snapshotRetentionOrder } from "../../../src/config/rules/snapshot-retention-order";
import { noIgnoredValues } from "../../../src/config/rules/no-ignored-values";
import { productionRemoteState } from "../../../src/config/rules/production-remote-state";
import { tierOffersRequestedFeatures } from "../../../src/config/rules/tier-offers-requested-features";
import { tierWithComputeAutoScaling } from "../../../src/config/rules/tier-with-compute-auto-scaling";

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
    compliant: { atlas: { autoScaling: { compute: { minTier: "M10", maxTier: "M30" } } } },
    noncompliant: { atlas: { autoScaling: { compute: { minTier: "R40", maxTier: "M30" } } } },
    path: "atlas.autoScaling.compute.maxTier",
  },
  {
    rule: tierWithComputeAutoScaling,
    compliant: { atlas: { tier: "M20", autoScaling: { compute: { minTier: "M20", maxTier: "M30" } } } },
    noncompliant: { atlas: { tier: "M30", autoScaling: { compute: { minTier: "M10", maxTier: "M30" } } } },
    path: "atlas.tier",
  },
  {
    rule: productionRemoteState,
    compliant: { production: true, state: { bucket: "my-state" } },
    noncompliant: { production: true },
    path: "state",
  },
  {
    rule: noIgnoredValues,
    compliant: { backup: { pointInTimeRestore: false } },
    noncompliant: { backup: { pointInTimeRestore: false, restoreWindowDays: 7 } },
    path: "backup.restoreWindowDays",
  },
  {
    // Dates far from any plausible "today", so the registered rule (real clock) gives the same answer any day.
    rule: fcvPinWithinAtlasLimit,
    compliant: { atlas: {} },
    noncompliant: { atlas: { pinFcvSince: "2020-01-01T00:00:00Z", pinFcvUntil: "2020-01-15T00:00:00Z" } },
    path: "atlas.pinFcvUntil",
  },
  {
    rule: roleArnsBelongToTheAccount,
    compliant: { aws: { accountId: "111122223333" }, database: { appRoleArn: "arn:aws:iam::111122223333:role/app" } },
    noncompliant: { aws: { accountId: "111122223333" }, database: { appRoleArn: "arn:aws:iam::444455556666:role/app" } },
    path: "database.appRoleArn",
  },
  {
    rule: pullRequestEnvironmentsUseAwsIam,
    // Password mode stays possible where no pull request plans; step 1 of the switch is aws-iam.
    compliant: { production: false, database: { authentication: "aws-iam", retainPasswordUsers: true } },
    // (and { production: false, ci: { pullRequestPlan: false }, database: { authentication: "password" } }, below)
    noncompliant: { production: false, database: { authentication: "password" } },
    path: "database.authentication",
  },
  {
    rule: snapshotCopyRegions,
    compliant: { region: "us-east-1", backup: { copyToRegions: ["US_WEST_2"] } },
    noncompliant: { region: "us-east-1", backup: { copyToRegions: ["US_WEST_2", "US_EAST_1"] } },
    path: "backup.copyToRegions.1",
  },
  {
    rule: dayZeroArnsBelongToTheAccount,
    compliant: { aws: { accountId: "111122223333", permissionsBoundaryArn: "arn:aws:iam::111122223333:policy/b" } },
    noncompliant: { aws: { accountId: "111122223333", permissionsBoundaryArn: "arn:aws:iam::444455556666:policy/b" } },
    path: "aws.permissionsBoundaryArn",
  },
  {
    rule: breakGlassRoleOfItsOwn,
    compliant: { ci: { deployRoleArn: "arn:aws:iam::111122223333:role/deploy", breakGlassRoleArn: "arn:aws:iam::111122223333:role/break-glass" } },
    noncompliant: { ci: { planRoleArn: "arn:aws:iam::111122223333:role/plan", breakGlassRoleArn: "arn:aws:iam::111122223333:role/plan" } },
    path: "ci.breakGlassRoleArn",
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
    const issues = run(computeAutoScalingBounds, { atlas: { autoScaling: { compute: { minTier: "M40_NVME", maxTier: "M50_NVME" } } } });
    expect(issues?.[0].message).toMatch(/^NVMe tiers cannot use compute auto-scaling/);
  });

  it("accept an omitted atlas.tier under compute auto-scaling: the floor is where the cluster starts", () => {
    expect(run(tierWithComputeAutoScaling, { atlas: { autoScaling: { compute: { minTier: "M30", maxTier: "M50" } } } })).toEqual([]);
  });

  it("name both fields and the way out when atlas.tier differs from the auto-scaling floor", () => {
    const [issue] = run(tierWithComputeAutoScaling, { atlas: { tier: "M30", autoScaling: { compute: { minTier: "M10", maxTier: "M40" } } } }) ?? [];
    expect(issue.message).toMatch(/atlas\.autoScaling\.compute\.minTier \(M10\)/);
    expect(issue.message).toMatch(/omit atlas\.tier or set it equal to minTier/);
  });

  it("refuse each value the stack would ignore, and only while it is ignored", () => {
    const paths = (input: unknown) => run(noIgnoredValues, input)?.map((issue) => issue.path.join("."));
    expect(paths({ monitoring: { expectTraffic: false, idlePeriods: 3, logExport: false, logRetentionDays: 30 } })).toEqual([
      "monitoring.idlePeriods",
      "monitoring.logRetentionDays",
    ]);
    expect(paths({ monitoring: { expectTraffic: true, idlePeriods: 3, logExport: true, logRetentionDays: 30 } })).toEqual([]);
    expect(paths({ database: { username: "app" } })).toEqual(["database.username"]);
    // The role ARNs are the secrets' readers in both modes, so password mode uses them too.
    expect(paths({ database: { authentication: "password", username: "app", appRoleArn: "arn:aws:iam::123456789012:role/app" } })).toEqual([]);
    expect(paths({ database: { authentication: "password", retainPasswordUsers: true } })).toEqual(["database.retainPasswordUsers"]);
    // While switching to aws-iam (step 1), the password users and their fields still exist.
    expect(paths({ database: { authentication: "aws-iam", retainPasswordUsers: true, username: "app", passwordVersion: 2 } })).toEqual([]);
  });

  it("check each snapshot copy region: an Atlas name (with the spelling when AWS's is used), not the cluster's, once", () => {
    const issues = (input: unknown) => run(snapshotCopyRegions, input)?.map((issue) => [issue.path.join("."), issue.message]);
    expect(issues({ region: "eu-west-1", backup: { copyToRegions: ["us-west-2", "MARS_1", "EU_WEST_1", "US_WEST_2", "US_WEST_2"] } })).toEqual([
      ["backup.copyToRegions.0", expect.stringMatching(/^not an Atlas AWS region name \(write "US_WEST_2"/)],
      ["backup.copyToRegions.1", expect.stringMatching(/^not an Atlas AWS region name; allowed: US_EAST_1, /)],
      ["backup.copyToRegions.2", expect.stringMatching(/^is the cluster's own region \(region "eu-west-1"\)/)],
      ["backup.copyToRegions.4", "is listed twice; allowed: each region once"],
    ]);
  });

  it("accept only copy frequencies the backup policy takes", () => {
    const issues = run(snapshotCopyRegions, { backup: { copyToRegions: ["US_WEST_2"], copyFrequencies: ["DAILY", "YEARLY", "ON_DEMAND"] } });
    expect(issues?.map((issue) => issue.path.join("."))).toEqual(["backup.copyFrequencies.1", "backup.copyFrequencies.2"]);
    expect(issues?.[0].message).toMatch(/takes no YEARLY snapshots.*allowed: HOURLY, DAILY, WEEKLY, MONTHLY/);
  });

  it("refuse copy frequencies without a copy region (they would be ignored)", () => {
    expect(run(noIgnoredValues, { backup: { copyFrequencies: ["DAILY"] } })?.map((issue) => issue.path.join("."))).toEqual(["backup.copyFrequencies"]);
    expect(run(noIgnoredValues, { backup: { copyToRegions: ["US_WEST_2"], copyFrequencies: ["DAILY"] } })).toEqual([]);
  });

  it("leave local state alone outside production", () => {
    expect(run(productionRemoteState, { production: false })).toBeUndefined();
  });
});

describe("config rule 'pull-request-environments-use-aws-iam': password mode only where no pull request plans", () => {
  it("allows password mode in an environment pull requests do not plan", () => {
    expect(run(pullRequestEnvironmentsUseAwsIam, { production: false, ci: { pullRequestPlan: false }, database: { authentication: "password" } })).toEqual([]);
    expect(run(pullRequestEnvironmentsUseAwsIam, { production: true, database: { authentication: "password" } })).toEqual([]);
  });
  it("refuses password mode by default for production: false (aws-iam is the default mode)", () => {
    expect(run(pullRequestEnvironmentsUseAwsIam, { production: false, database: { authentication: "password" } })?.map((issue) => issue.path.join("."))).toEqual(["database.authentication"]);
    expect(run(pullRequestEnvironmentsUseAwsIam, { production: false })).toEqual([]);
  });
});

describe("config rule break-glass-role-of-its-own", () => {
  const roles = {
    database: { appRoleArn: "arn:aws:iam::111122223333:role/app", seederRoleArn: "arn:aws:iam::111122223333:role/seeder" },
    ci: { planRoleArn: "arn:aws:iam::111122223333:role/plan", deployRoleArn: "arn:aws:iam::111122223333:role/deploy", nextDeployRoleArn: "arn:aws:iam::111122223333:role/deploy-2" },
  };
  it.each(["database.appRoleArn", "database.seederRoleArn", "ci.planRoleArn", "ci.deployRoleArn", "ci.nextDeployRoleArn"])(
    "refuses a break-glass role that is also %s, naming it",
    (field) => {
      const [section, name] = field.split(".") as ["ci" | "database", string];
      const arn = (roles[section] as Record<string, string>)[name];
      const [issue] = run(breakGlassRoleOfItsOwn, { ...roles, ci: { ...roles.ci, breakGlassRoleArn: arn } }) ?? [];
      expect(issue).toEqual({ path: ["ci", "breakGlassRoleArn"], value: arn, message: `is also ${field}; allowed: a break-glass administrator role of its own, which no job or application runs as` });
    },
  );
});
