/*
 * The plan digest reads numbers losslessly. JSON.parse turns 9007199254740993 into
 * 9007199254740992 and 1e400 into Infinity (which JSON.stringify writes as null), so a plan
 * approved with one number matched a fresh plan with another. Checked on plan JSON text, and
 * reproduced with real Terraform (terraform_data), which keeps every digit.
 */
import { canonicalJson, canonicalNumber, parsePlanJson, planDigest, type ShownPlan } from "../../.github/scripts/plan-digest";
import { showPlan } from "../../.github/scripts/plan-review";
import { builtinWorkspace } from "../support/builtin-workspace";
import { terraformAvailability } from "../support/terraform-runner";

const SALT = "ab".repeat(32);

/** `terraform show -json` text of a plan that creates one resource with `input` (written as is). */
function planText(input: string): string {
  return `{"format_version":"1.2","resource_changes":[{"address":"terraform_data.n","change":{"actions":["create"],"before":null,"after":{"input":${input}},"after_unknown":{"id":true},"before_sensitive":false,"after_sensitive":{}}}]}`;
}
const digestOf = (input: string) => planDigest(parsePlanJson(planText(input)), SALT).digest;

describe("plan digest: numbers are exact", () => {
  it("9007199254740993 and 9007199254740992 give different digests (JSON.parse cannot tell them apart)", () => {
    expect(JSON.parse("9007199254740993")).toBe(JSON.parse("9007199254740992"));
    expect(planDigest(JSON.parse(planText("9007199254740993")) as ShownPlan, SALT).digest).toBe(planDigest(JSON.parse(planText("9007199254740992")) as ShownPlan, SALT).digest);
    expect(digestOf("9007199254740993")).not.toBe(digestOf("9007199254740992"));
  });

  it("1e400 and null give different digests (JSON.parse makes 1e400 Infinity, written as null)", () => {
    expect(JSON.stringify(JSON.parse("1e400"))).toBe("null");
    expect(digestOf("1e400")).not.toBe(digestOf("null"));
    expect(digestOf("1e400")).not.toBe(digestOf("1e399"));
    expect(digestOf("-1e400")).not.toBe(digestOf("1e400"));
  });

  it("the same number written another way is the same value, so the same digest", () => {
    expect(digestOf("100")).toBe(digestOf("1e2"));
    expect(digestOf("1.50")).toBe(digestOf("1.5"));
    expect(digestOf("0.000")).toBe(digestOf("0"));
    expect(digestOf("1.5")).not.toBe(digestOf("1.05"));
    expect(digestOf("12")).not.toBe(digestOf('"12"'));
  });

  it("canonical numbers: one text per exact value, no rounding", () => {
    expect(["0", "-0.0", "0e10"].map(canonicalNumber)).toEqual(["0", "0", "0"]);
    expect(canonicalNumber("123.4500")).toBe("12345e-2");
    expect(canonicalNumber("1E+400")).toBe("1e400");
    expect(canonicalNumber("9007199254740993")).toBe("9007199254740993");
    expect(canonicalNumber("0.1")).toBe("1e-1");
    expect(() => canonicalNumber("NaN")).toThrow(/not a JSON number/);
    // Plain JavaScript numbers (tests, hand-made plans) take the same path; Infinity is refused.
    expect(canonicalJson({ a: 1e21, b: 0.5 })).toBe('{"a":1e21,"b":5e-1}');
    expect(() => canonicalJson(Infinity)).toThrow(/not a JSON number/);
  });
});

const terraform = terraformAvailability();
if (!terraform.available) console.warn(`skipping the real-Terraform number digest test: ${terraform.reason}`);

describe.skipIf(!terraform.available)("plan digest: numbers, with real Terraform", () => {
  it("a plan of 9007199254740993 does not pass for an approved plan of 9007199254740992", async () => {
    const bin = terraform.available ? terraform.terraform : "terraform";
    const { workspace, dispose } = await builtinWorkspace("digest-numbers", bin, {
      "main.tf.json": { variable: { n: { type: "number" } }, resource: { terraform_data: { n: { input: "${var.n}" } } } },
    });
    try {
      const digests: string[] = [];
      for (const n of ["9007199254740992", "9007199254740993"]) {
        await workspace.run(["plan", "-input=false", "-no-color", `-out=plan-${n}`, "-var", `n=${n}`], 60_000);
        const shown = showPlan(workspace.dir, `plan-${n}`, bin);
        expect(JSON.stringify(shown)).toContain(n);
        digests.push(planDigest(shown, SALT).digest);
      }
      expect(digests[0]).not.toBe(digests[1]);
    } finally {
      dispose();
    }
  }, 120_000);
});
