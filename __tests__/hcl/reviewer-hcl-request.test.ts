/*
 * How a run asks for reviewer HCL: `npm run synth:hcl` sets SYNTH_REVIEWER_HCL=1. cdktf's own
 * `synth --hcl` is refused, because the CLI would then rewrite the manifest's cdk.tf.json as HCL.
 */
import * as fs from "node:fs";
import { REVIEWER_HCL_VARIABLE, reviewerHclRequested } from "../../src/hcl/reviewer-hcl";
import { ReviewerHclError } from "../../src/hcl/reviewer-hcl-error";

describe("reviewerHclRequested", () => {
  test("is on only with SYNTH_REVIEWER_HCL=1, which the synth:hcl script sets", () => {
    expect(reviewerHclRequested({ [REVIEWER_HCL_VARIABLE]: "1" })).toBe(true);
    expect(reviewerHclRequested({})).toBe(false);
    expect(reviewerHclRequested({ SYNTH_HCL_OUTPUT: "false" })).toBe(false);
    const scripts = JSON.parse(fs.readFileSync("package.json", "utf8")).scripts as Record<string, string>;
    expect(scripts["synth:hcl"]).toContain(`${REVIEWER_HCL_VARIABLE}=1`);
    expect(scripts["synth:hcl"]).not.toMatch(/--hcl\b/);
  });

  test("refuses `cdktf synth --hcl` with one message saying what to run instead", () => {
    for (const value of ["true", "1"]) {
      expect(() => reviewerHclRequested({ SYNTH_HCL_OUTPUT: value })).toThrow(ReviewerHclError);
      expect(() => reviewerHclRequested({ SYNTH_HCL_OUTPUT: value })).toThrow(/`cdktf synth --hcl` is not supported .* Run `npm run synth:hcl`/);
    }
  });
});
