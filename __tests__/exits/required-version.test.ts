/*
 * Every synthesized stack says which Terraform it needs (`terraform.required_version`), derived
 * from the one pinned version the workflows install (src/terraform/terraform-version.ts), and
 * that constraint admits the pinned version and refuses every Terraform without S3-native locking
 * (`use_lockfile`, 1.10). The real-Terraform tests (aws-part-plan) plan the AWS part with the
 * constraint in place, so Terraform itself accepts it too.
 */
import * as fs from "node:fs";
import { OLDEST_TERRAFORM_WITH_S3_LOCKFILE, REQUIRED_TERRAFORM_VERSION, TERRAFORM_VERSION } from "../../src/terraform/terraform-version";
import { synthesizedGithubStack, synthesizeEveryStack } from "../terraform/synthesized-stacks";

type Version = [number, number, number];
const parse = (text: string): Version => {
  const parts = text.split(".").map(Number);
  return [parts[0] ?? 0, parts[1] ?? 0, parts[2] ?? 0];
};
const compare = (a: Version, b: Version): number => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

/** Terraform's `~>`, `>=`, `<`, `=` constraints, comma-separated: enough to read what the stacks say. */
function admits(constraint: string, version: string): boolean {
  const candidate = parse(version);
  return constraint.split(",").every((part) => {
    const match = /^\s*(~>|>=|<=|>|<|=|!=)?\s*([0-9.]+)\s*$/.exec(part);
    if (!match) throw new Error(`cannot read the version constraint "${part}"`);
    const [, operator = "=", text] = match;
    const bound = parse(text);
    const order = compare(candidate, bound);
    switch (operator) {
      case "~>": {
        const segments = text.split(".").length;
        const upper: Version = segments <= 2 ? [bound[0] + 1, 0, 0] : [bound[0], bound[1] + 1, 0];
        return order >= 0 && compare(candidate, upper) < 0;
      }
      case ">=": return order >= 0;
      case "<=": return order <= 0;
      case ">": return order > 0;
      case "<": return order < 0;
      case "!=": return order !== 0;
      default: return order === 0;
    }
  });
}

/** Every stack the app writes, whatever produces it (environment files or any other stack). */
function synthesizedTerraformBlocks(): Record<string, { required_version?: string }> {
  const github = synthesizedGithubStack();
  return Object.fromEntries([...synthesizeEveryStack(), ...(github ? [github] : [])].map((stack) => [stack.name, stack.json.terraform as { required_version?: string }]));
}

describe("terraform.required_version", () => {
  it("reads the constraint the way Terraform does", () => {
    expect(admits("~> 1.11", "1.11.4")).toBe(true);
    expect(admits("~> 1.11", "1.12.0")).toBe(true);
    expect(admits("~> 1.11", "2.0.0")).toBe(false);
    expect(admits("~> 1.11", "1.10.9")).toBe(false);
    expect(admits("~> 1.11.4", "1.12.0")).toBe(false);
    expect(admits(">= 1.10, < 2.0.0", "1.10.0")).toBe(true);
  });

  it("admits the pinned Terraform and nothing older than S3-native locking", () => {
    expect(admits(REQUIRED_TERRAFORM_VERSION, TERRAFORM_VERSION)).toBe(true);
    const [major, minor] = parse(OLDEST_TERRAFORM_WITH_S3_LOCKFILE);
    expect(admits(REQUIRED_TERRAFORM_VERSION, `${major}.${minor - 1}.99`)).toBe(false);
    expect(compare(parse(TERRAFORM_VERSION), parse(OLDEST_TERRAFORM_WITH_S3_LOCKFILE))).toBeGreaterThanOrEqual(0);
  });

  it("is what the README says it is", () => {
    expect(fs.readFileSync("README.md", "utf8")).toContain(`required_version = "${REQUIRED_TERRAFORM_VERSION}"`);
  });

  it("is in every synthesized stack, the same constraint everywhere", () => {
    const blocks = synthesizedTerraformBlocks();
    expect(Object.keys(blocks).length).toBeGreaterThan(0);
    for (const [name, block] of Object.entries(blocks)) expect(block.required_version, name).toBe(REQUIRED_TERRAFORM_VERSION);
  });
});
