/*
 * The reviewer HCL renderer, checked by the real Terraform CLI on the AWS part of each stack
 * (offline, hashicorp/aws from the provider mirror): the HCL rendered from the AWS-part JSON is
 * valid, lifecycle preconditions included, and plans exactly what the JSON plans. So the renderer
 * is faithful: same resources, same values, same references, same outputs.
 *
 * One configuration holds each stack twice, as child modules (`<stack>_json` and `<stack>_hcl`),
 * so that one init and one plan (which validates first) cover everything: the provider starts once per run,
 * not once per stack and format. aws-part-plan.test.ts reads the same plan (aws-part-workspace.ts).
 *
 * With TF_FULL_VALIDATE=1 where the registry is reachable (CI), the whole reviewer HCL of every
 * stack, Atlas and random included, is validated too: the file `npm run synth:hcl` writes.
 *
 * Skipped, with the reason printed, where terraform or the mirror (or, for the full validate, the
 * opt-in) is missing.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { synthesizeApp } from "../../src/app";
import { reviewerHclPath } from "../../src/hcl/reviewer-hcl";
import type { Json, JsonObject } from "../support/aws-part";
import { offlineTerraformAvailability, registryTerraformAvailability, settled, TerraformWorkspace, type PlanJson } from "../support/terraform-runner";
import { changesOf, moduleName, PLAN_VARIABLE_VALUES, sharedRunOrThrow, type SharedAwsPartRun } from "./aws-part-workspace";
import { CONFIG_DIR, synthesizeEveryStack } from "./synthesized-stacks";

/** Every stack the app makes (environment stacks and any other), so a new stack is covered without a test edit. */
const STACK_NAMES = synthesizeEveryStack().map((stack) => stack.name);

const offline = offlineTerraformAvailability();
if (!offline.available) console.warn(`[terraform] skipping the reviewer-HCL checks on the AWS part: ${offline.reason}`);

const fullValidateRequested = process.env.TF_FULL_VALIDATE === "1";
const registry = fullValidateRequested ? registryTerraformAvailability() : undefined;
if (registry && !registry.available) console.warn(`[terraform] skipping the full validate of the reviewer HCL: ${registry.reason}`);

/**
 * One module's configuration as Terraform parsed it: resources (expressions, references), outputs
 * and variables. Two artefacts of the formats are set aside: the JSON syntax reports the raw text
 * of template strings (alone or in a list or map) as a `constant_value`, and each module has its
 * own provider config key.
 */
function configurationOf(plan: PlanJson, module: string): Json {
  const calls = (plan.configuration.root_module as unknown as { module_calls?: Record<string, { module: JsonObject }> }).module_calls;
  const parsed = calls?.[module]?.module;
  if (!parsed) throw new Error(`module ${module} is not in the plan's configuration`);
  const normalize = (value: Json): Json => {
    if (Array.isArray(value)) return value.map(normalize);
    if (value === null || typeof value !== "object") return value;
    const entries = Object.entries(value)
      .filter(([key, item]) => !(key === "constant_value" && JSON.stringify(item).includes("${")))
      .map(([key, item]) => [key, key === "provider_config_key" && typeof item === "string" ? item.replace(`module.${module}:`, "") : normalize(item)]);
    return Object.fromEntries(entries);
  };
  return normalize({ resources: parsed.resources ?? [], outputs: parsed.outputs ?? {}, variables: parsed.variables ?? {} });
}

/** How many lifecycle precondition entries a Terraform JSON configuration holds. */
function countPreconditions(value: Json): number {
  if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + countPreconditions(item), 0);
  if (value === null || typeof value !== "object") return 0;
  return Object.entries(value).reduce((sum, [key, item]) => sum + (key === "precondition" && Array.isArray(item) ? item.length : 0) + countPreconditions(item), 0);
}

describe.skipIf(!offline.available)("reviewer HCL of each stack's AWS part, through real Terraform", () => {
  // The workspace aws-part-plan.test.ts plans too: one init, plan and show for both files.
  let checked: Promise<SharedAwsPartRun>;

  beforeAll(() => {
    if (!offline.available) return;
    checked = settled(
      sharedRunOrThrow(offline).then((run) => {
        if (run.hclError) throw new Error(`the configuration with the reviewer HCL failed: ${run.hclError}`);
        return run;
      }),
    );
  });

  test("terraform accepts every stack's HCL as valid (the plan's validation), lifecycle preconditions included", async () => {
    const { stacks, preparationErrors, diagnostics } = await checked;
    expect(preparationErrors).toEqual({});
    expect(stacks.map((stack) => stack.name).sort()).toEqual([...STACK_NAMES].sort());
    // Each stack's HCL carries as many precondition blocks as its JSON has preconditions.
    let total = 0;
    for (const { name, hcl, awsPart } of stacks) {
      const inJson = countPreconditions(awsPart.config);
      total += inJson;
      expect((hcl.match(/^\s*precondition \{$/gm) ?? []).length, name).toBe(inJson);
    }
    expect(total, "the environment stacks have lifecycle preconditions to carry over").toBeGreaterThan(0);
    expect(diagnostics.filter((diagnostic) => diagnostic.severity === "error")).toEqual([]);
  }, 300_000);

  test.each(STACK_NAMES.map((name) => [name]))("%s: the HCL plans exactly what the JSON plans, value for value", async (name) => {
    const { plan } = await checked;
    const fromJson = changesOf(plan, moduleName(name, "json"));
    expect(fromJson.length).toBeGreaterThan(0);
    expect(changesOf(plan, moduleName(name, "hcl"))).toEqual(fromJson);
  }, 300_000);

  test.each(STACK_NAMES.map((name) => [name]))("%s: Terraform reads the same configuration from both: expressions, references, outputs, variables", async (name) => {
    const { plan } = await checked;
    expect(configurationOf(plan, moduleName(name, "hcl"))).toEqual(configurationOf(plan, moduleName(name, "json")));
  }, 300_000);
});

describe.skipIf(!fullValidateRequested || !registry?.available)("the whole reviewer HCL, with the registry (TF_FULL_VALIDATE=1)", () => {
  let outdir: string | undefined;
  let workspace: TerraformWorkspace | undefined;
  let ownCache: string | undefined;

  afterAll(() => {
    workspace?.dispose();
    for (const directory of [outdir, ownCache]) if (directory) fs.rmSync(directory, { recursive: true, force: true });
  });

  test("terraform validate accepts every stack's cdktf.out/hcl/<stack>/cdk.tf (aws, mongodbatlas, random)", async () => {
    if (!registry?.available) throw new Error("no terraform");
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), "reviewer-hcl-full-"));
    ownCache = process.env.TF_PLUGIN_CACHE_DIR ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), "tf-plugin-cache-"));
    synthesizeApp({ configDir: CONFIG_DIR, outdir, hcl: true });
    // Each stack is a child module (its backend block is ignored there, with a warning): one init for all.
    const files: Record<string, Json> = {};
    const modules: JsonObject = {};
    for (const name of STACK_NAMES) {
      const module = moduleName(name, "hcl");
      files[`${module}/cdk.tf`] = fs.readFileSync(path.join(outdir, reviewerHclPath(name)), "utf8");
      modules[module] = { source: `./${module}`, ...PLAN_VARIABLE_VALUES };
    }
    workspace = TerraformWorkspace.create({
      name: "reviewer-hcl-full",
      terraform: registry.terraform,
      installation: { kind: "registry", mirror: registry.mirror || undefined, pluginCacheDir: process.env.TF_PLUGIN_CACHE_DIR ?? ownCache },
      files: { "main.tf.json": { module: modules }, ...files },
      timeouts: { init: 600_000 },
    });
    await workspace.init();
    const { diagnostics } = await workspace.validate();
    for (const warning of diagnostics) console.warn(`[terraform] reviewer HCL full validate ${warning.severity}: ${warning.summary}`);
    expect(diagnostics.filter((diagnostic) => diagnostic.severity === "error")).toEqual([]);
  }, 720_000);
});
