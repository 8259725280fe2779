import type { ConfigRule } from "../../../src/config/rules/config-rule";
import { fcvPinWithinAtlasLimitAt } from "../../../src/config/rules/fcv-pin-within-atlas-limit";

const NOW = new Date("2027-03-10T12:00:00Z");
const rule = fcvPinWithinAtlasLimitAt(() => NOW);

function run(input: unknown, checked: ConfigRule<unknown> = rule) {
  const parsed = checked.reads.safeParse(input);
  if (!parsed.success) throw new Error(`the rule's fields did not parse: ${parsed.error.message}`);
  return checked.check(parsed.data);
}
const pin = (pinFcvSince?: string, pinFcvUntil?: string) => ({ atlas: { pinFcvSince, pinFcvUntil } });

describe("config rule fcv-pin-within-atlas-limit (now = 2027-03-10T12:00:00Z)", () => {
  it("passes an environment without a pin", () => {
    expect(run({ atlas: {} })).toEqual([]);
  });

  it("passes a pin that ends exactly 4 weeks after its start, still ahead", () => {
    expect(run(pin("2027-03-01T00:00:00Z", "2027-03-29T00:00:00Z"))).toEqual([]);
  });

  it("refuses a pin that ends one second more than 4 weeks after its start, naming the latest allowed end", () => {
    const issues = run(pin("2027-03-01T00:00:00Z", "2027-03-29T00:00:01Z"));
    expect(issues).toHaveLength(1);
    expect(issues[0].path).toEqual(["atlas", "pinFcvUntil"]);
    expect(issues[0].value).toBe("2027-03-29T00:00:01Z");
    expect(issues[0].message).toMatch(/more than 4 weeks after atlas\.pinFcvSince \(2027-03-01T00:00:00Z\)/);
    expect(issues[0].message).toMatch(/allowed: at most 2027-03-29T00:00:00\.000Z/);
    expect(issues[0].message).toMatch(/remove atlas\.pinFcvUntil and atlas\.pinFcvSince/);
  });

  it("refuses a pin whose end has passed and says to remove it", () => {
    const issues = run(pin("2027-02-20T00:00:00Z", "2027-03-10T11:59:59Z"));
    expect(issues.map((issue) => issue.path.join("."))).toEqual(["atlas.pinFcvUntil"]);
    expect(issues[0].message).toMatch(/has passed \(now: 2027-03-10T12:00:00\.000Z\).*would pin again.*remove atlas\.pinFcvUntil and atlas\.pinFcvSince/);
  });

  it("refuses an end equal to now: the pin is over at that instant", () => {
    expect(run(pin("2027-03-01T00:00:00Z", "2027-03-10T12:00:00Z")).map((issue) => issue.path.join("."))).toEqual(["atlas.pinFcvUntil"]);
  });

  it("follows the injected clock: the same pin passes a day earlier", () => {
    const dayBefore = fcvPinWithinAtlasLimitAt(() => new Date("2027-03-09T12:00:00Z"));
    expect(run(pin("2027-02-20T00:00:00Z", "2027-03-10T11:59:59Z"), dayBefore)).toEqual([]);
  });

  it("requires the start whenever an end is set", () => {
    const issues = run(pin(undefined, "2027-03-20T00:00:00Z"));
    expect(issues).toEqual([expect.objectContaining({ path: ["atlas", "pinFcvSince"], value: undefined })]);
    expect(issues[0].message).toMatch(/required while atlas\.pinFcvUntil is set/);
  });

  it("refuses a start left behind without an end", () => {
    const issues = run(pin("2027-03-01T00:00:00Z", undefined));
    expect(issues).toEqual([expect.objectContaining({ path: ["atlas", "pinFcvSince"], message: "set without atlas.pinFcvUntil; remove it" })]);
  });

  it("refuses a start in the future", () => {
    const issues = run(pin("2027-03-11T00:00:00Z", "2027-03-20T00:00:00Z"));
    expect(issues.map((issue) => issue.path.join("."))).toEqual(["atlas.pinFcvSince"]);
    expect(issues[0].message).toMatch(/is in the future/);
  });
});
