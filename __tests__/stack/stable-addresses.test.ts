import { Testing, TerraformOutput } from "cdktf";
import { Construct } from "constructs";
import { StableAddressStack } from "../../src/stacks/stable-addresses";

describe("StableAddressStack", () => {
  it("uses the construct id as the Terraform address, however deep the construct sits", () => {
    const stack = new StableAddressStack(Testing.app(), "stack");
    new TerraformOutput(new Construct(new Construct(stack, "a"), "b"), "cluster_name", { value: "x" });
    expect(Object.keys(JSON.parse(Testing.synth(stack)).output)).toEqual(["cluster_name"]);
  });

  it("refuses two elements of the same kind with the same id", () => {
    const stack = new StableAddressStack(Testing.app(), "stack");
    new TerraformOutput(new Construct(stack, "a"), "cluster_name", { value: "x" });
    new TerraformOutput(new Construct(stack, "b"), "cluster_name", { value: "y" });
    expect(() => Testing.synth(stack)).toThrow(/"cluster_name" is used by both stack\/a\/cluster_name and stack\/b\/cluster_name/);
  });
});
