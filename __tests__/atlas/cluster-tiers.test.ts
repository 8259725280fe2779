import { asDedicatedTier, DEDICATED_TIERS, tierRank, tierRefusal } from "../../src/atlas/cluster-tiers";
import { atlasRegionName } from "../../src/atlas/regions";

const EVERYTHING = ["privateLink", "pointInTimeRestore", "cloudBackupSchedule", "pinnedVersion"] as const;

describe("tier capability table", () => {
  it.each(DEDICATED_TIERS)("lets dedicated tier %s serve every requested feature", (tier) => {
    expect(tierRefusal(tier, EVERYTHING)).toBeUndefined();
  });

  it.each(["M2", "M5"] as const)("refuses %s even when nothing special is requested, naming the alternatives", (tier) => {
    const refusal = tierRefusal(tier, []);
    expect(refusal).toMatch(/can no longer be created .*February 2025.*January 2026/);
    expect(refusal).toMatch(/use M10 or a larger dedicated tier/);
    expect(refusal).toMatch(/FLEX \/ M0/);
  });

  it.each(["FLEX", "M0"] as const)("lets %s serve a deployment that requests none of the dedicated features", (tier) => {
    expect(tierRefusal(tier, [])).toBeUndefined();
  });

  it("names only the features FLEX lacks that were requested", () => {
    expect(tierRefusal("FLEX", ["pointInTimeRestore"])).toMatch(
      /^FLEX clusters do not offer continuous backup with point-in-time restore, which this environment requests/,
    );
  });

  it("orders tiers within a family for auto-scaling bounds", () => {
    expect(tierRank("M10")).toBeLessThan(tierRank("M30"));
    expect(tierRank("R40")).toBe(0);
  });

  it("refuses to narrow a shared tier to a dedicated one", () => {
    expect(asDedicatedTier("M10")).toBe("M10");
    expect(() => asDedicatedTier("FLEX")).toThrow(/FLEX is not a dedicated tier/);
  });
});

describe("Atlas region names", () => {
  it("are the AWS names in upper snake case", () => {
    expect(atlasRegionName("us-east-1")).toBe("US_EAST_1");
    expect(atlasRegionName("ap-southeast-2")).toBe("AP_SOUTHEAST_2");
  });
});
