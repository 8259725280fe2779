/*
 * The reviewer HCL renderer, checked by the real Terraform CLI on the AWS part of each stack
 * (offline, hashicorp/aws from the provider mirror): the HCL rendered from the AWS-part JSON is
 * valid, lifecycle preconditions included, and plans exactly what the JSON plans. So the renderer
 * is faithful: same resources, same values, same references, same outputs.
 *
 * One configuration holds each stack twice, as child modules (`<stack>_json` and `<stack>_hcl`),
 * so that one init, one validate and one plan cover everything: the provider starts once per run,
 * not once per stack and format.
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
import { blockSchemaOf } from "../../src/hcl/block-schema";
import { renderHcl } from "../../src/hcl/render-hcl";
import { loadEnvironments } from "../../src/config/load-environment";
import { stackName } from "../../src/stacks/database-stack";
import { toAwsPart, type Json, type JsonObject, type TerraformJson } from "../support/aws-part";
import { synthesizeEnvironment } from "../support/stacks";
import {
  awsOfflineProviderOverride,
  offlineTerraformAvailability,
  registryTerraformAvailability,
  TerraformWorkspace,
  type PlanJson,
  type ResourceChange,
} from "../support/terraform-runner";
import { CONFIG_DIR } from "./synthesized-stacks";

/** Obviously fake values for the stacks' own variables that have no default (an Atlas organization id is 24 hex digits). */
const PLAN_VARIABLE_VALUES: Readonly<Record<string, Json>> = { atlas_org_id: "5f0c0ffee0c0ffee0c0ffee0" };

const STACK_NAMES = loadEnvironments(CONFIG_DIR).map(({ config }) => stackName(config.environment));

const offline = offlineTerraformAvailability();
if (!offline.available) console.warn(`[terraform] skipping the reviewer-HCL checks on the AWS part: ${offline.reason}`);

const fullValidateRequested = process.env.TF_FULL_VALIDATE === "1";
const registry = fullValidateRequested ? registryTerraformAvailability() : undefined;
if (registry && !registry.available) console.warn(`[terraform] skipping the full validate of the reviewer HCL: ${registry.reason}`);

/** Module names are identifiers: audio-pipeline-dev -> audio_pipeline_dev_json. */
const moduleName = (stack: string, format: "json" | "hcl") => `${stack.replace(/\W/g, "_")}_${format}`;

/** What one module plans: its resource changes without the module prefix, by address. */
function changesOf(plan: PlanJson, module: string): ResourceChange[] {
  const prefix = `module.${module}.`;
  return (plan.resource_changes ?? [])
    .filter((change) => change.address.startsWith(prefix))
    .map((change) => ({ ...change, address: change.address.slice(prefix.length), module_address: undefined }))
    .sort((a, b) => a.address.localeCompare(b.address));
}

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

describe.skipIf(!offline.available)("reviewer HCL of each stack's AWS part, through real Terraform", () => {
  let workspace: TerraformWorkspace | undefined;
  let checked: Promise<{ readonly plan: PlanJson; readonly diagnostics: readonly { severity: string; summary: string }[] }>;
  const hclOf = new Map<string, string>();

  beforeAll(async () => {
    if (!offline.available) return;
    const synthesized = loadEnvironments(CONFIG_DIR).map((environment) => synthesizeEnvironment(environment));
    const schema = blockSchemaOf(synthesized.map(({ stack }) => stack));
    const files: Record<string, Json> = {};
    const modules: JsonObject = {};
    for (const { stack, json } of synthesized) {
      // Like the AWS-part plan: terraform_data (built into Terraform, with its provisioner) stays.
      const awsPart = toAwsPart(json as unknown as TerraformJson, { keepProviders: ["aws", "terraform"] });
      const missing = awsPart.variablesWithoutDefault.filter((name) => PLAN_VARIABLE_VALUES[name] === undefined);
      if (missing.length > 0) throw new Error(`add plan values for ${missing.join(", ")} to PLAN_VARIABLE_VALUES`);
      const inputs = Object.fromEntries(awsPart.variablesWithoutDefault.map((name) => [name, PLAN_VARIABLE_VALUES[name]]));
      const hcl = renderHcl(awsPart.config, schema);
      hclOf.set(stack.node.id, hcl);
      for (const [format, main] of [["json", { "main.tf.json": awsPart.config }], ["hcl", { "main.tf": hcl }]] as const) {
        const module = moduleName(stack.node.id, format);
        modules[module] = { source: `./${module}`, ...inputs };
        for (const [file, content] of Object.entries(main)) files[`${module}/${file}`] = content;
        files[`${module}/offline_override.tf.json`] = awsOfflineProviderOverride(awsPart.config);
      }
    }
    workspace = TerraformWorkspace.create({
      name: "aws-part-hcl",
      terraform: offline.terraform,
      installation: { kind: "mirror", mirror: offline.mirror },
      files: { "main.tf.json": { module: modules }, ...files },
    });
    const ws = workspace;
    checked = ws
      .init()
      .then(() => ws.validate())
      .then(async ({ diagnostics }) => ({ diagnostics, plan: await ws.plan() }));
    checked.catch(() => undefined);
  }, 120_000);

  afterAll(async () => {
    await checked?.catch(() => undefined);
    if (workspace) console.info(`[terraform] reviewer HCL of the AWS parts: ${workspace.timings.map(({ command, durationMs }) => `${command} ${(durationMs / 1000).toFixed(1)}s`).join(", ")}`);
    workspace?.dispose();
  });

  test("terraform validate accepts every stack's HCL, lifecycle preconditions included", async () => {
    for (const name of STACK_NAMES) expect(hclOf.get(name), name).toMatch(/^\s*precondition \{$/m);
    const { diagnostics } = await checked;
    expect(diagnostics.filter((diagnostic) => diagnostic.severity === "error")).toEqual([]);
  }, 120_000);

  test.each(STACK_NAMES.map((name) => [name]))("%s: the HCL plans exactly what the JSON plans, value for value", async (name) => {
    const { plan } = await checked;
    const fromJson = changesOf(plan, moduleName(name, "json"));
    expect(fromJson.length).toBeGreaterThan(0);
    expect(changesOf(plan, moduleName(name, "hcl"))).toEqual(fromJson);
  }, 120_000);

  test.each(STACK_NAMES.map((name) => [name]))("%s: Terraform reads the same configuration from both: expressions, references, outputs, variables", async (name) => {
    const { plan } = await checked;
    expect(configurationOf(plan, moduleName(name, "hcl"))).toEqual(configurationOf(plan, moduleName(name, "json")));
  }, 120_000);
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
