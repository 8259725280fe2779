/*
 * ONE real-Terraform workspace for the AWS part of every stack, shared by aws-part-plan.test.ts
 * and aws-part-hcl.test.ts: each stack's AWS part as a JSON child module (`<stack>_json`) and as
 * the reviewer HCL rendered from it (`<stack>_hcl`), so that one init, one plan and one
 * `show -json` serve both files. Each of those commands loads the hashicorp/aws schema
 * (2-3 CPU-s); before, the plan file ran them once per stack and the HCL file once more. The plan
 * validates the configuration first and reports validate's diagnostics, so no separate
 * `terraform validate` runs.
 *
 * The JSON modules' outputs are re-exported by the root module (`<module>__<output>`, sensitive
 * as declared), so that the plan's output_changes still show every output value of a stack;
 * planOfStack() cuts one stack's plan out of the shared one, addresses relative to its module.
 *
 * The test files run in different vitest workers (processes): the first one to ask runs
 * Terraform and writes the result into the run directory the global setup provides; the other
 * waits for that file. In one worker the result is memoized.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { inject } from "vitest";
import type { EnvironmentConfig } from "../../src/config/environment-config";
import { blockSchemaOf } from "../../src/hcl/block-schema";
import { renderHcl } from "../../src/hcl/render-hcl";
import { toAwsPart, type AwsPartResult, type Json, type JsonObject, type TerraformJson } from "../support/aws-part";
import {
  withAwsOfflineSettings,
  TerraformWorkspace,
  type Diagnostic,
  type PlanJson,
  type ResourceChange,
  type TerraformVersion,
} from "../support/terraform-runner";
import { BOOTSTRAP_STACK_PREFIX } from "../../src/environment/names";
import { synthesizeEveryStack } from "./synthesized-stacks";

/** Provider local names the AWS part keeps: aws, and Terraform's built-in provider (terraform_data). */
export const KEPT_PROVIDERS = ["aws", "terraform"];

/** Realistic, obviously fake values for the stacks' own variables that have no default (an Atlas organization id is 24 hex digits). */
export const PLAN_VARIABLE_VALUES: Readonly<Record<string, Json>> = { atlas_org_id: "5f0c0ffee0c0ffee0c0ffee0" };

/** Module names are identifiers: audio-pipeline-dev -> audio_pipeline_dev_json. */
export const moduleName = (stack: string, format: "json" | "hcl") => `${stack.replace(/\W/g, "_")}_${format}`;

/** Root output re-exporting output `output` of a stack's JSON module. */
const rootOutputName = (module: string, output: string) => `${module}__${output}`;

/** One stack as planned: the app's JSON, its environment file's config, its AWS part and that part's HCL. */
export interface PlannedStack {
  readonly name: string;
  /** The environment file's config, for a stack made from one (other stacks have none). */
  readonly config?: EnvironmentConfig;
  readonly json: TerraformJson;
  readonly awsPart: AwsPartResult;
  readonly hcl: string;
}

/** One bootstrap stack as planned: the app's JSON and its module (the JSON without the backend). */
export interface PlannedBootstrapStack {
  readonly name: string;
  readonly json: TerraformJson;
  readonly awsPart: AwsPartResult;
}

/** What the shared workspace found; plain JSON, so that it can pass between workers. */
export interface SharedAwsPartRun {
  readonly stacks: readonly PlannedStack[];
  /** The bootstrap stacks (AWS only: planned whole, as JSON modules beside the environment stacks). */
  readonly bootstraps: readonly PlannedBootstrapStack[];
  /** Stacks whose AWS part could not be prepared, with the reason (their tests fail with it). */
  readonly preparationErrors: Readonly<Record<string, string>>;
  readonly version: { readonly text: string; readonly json: TerraformVersion };
  /** The configuration directory (removed since) and how the aws provider was installed there. */
  readonly dir: string;
  readonly installedAs: string;
  readonly diagnostics: readonly Diagnostic[];
  readonly plan: PlanJson;
  readonly timings: string;
  /** Why the configuration with the HCL modules failed, if it did (then the plan holds the JSON modules only). */
  readonly hclError?: string;
}

export type SharedAwsPartOutcome = { readonly ok: true; readonly run: SharedAwsPartRun } | { readonly ok: false; readonly error: string };

/** Each stack's AWS part and its reviewer HCL; a stack that cannot be prepared is left out, with the reason. */
function prepare(): { stacks: PlannedStack[]; bootstraps: PlannedBootstrapStack[]; preparationErrors: Record<string, string>; hclError?: string } {
  // Every stack the app makes (environments and bootstraps): each one's AWS part and HCL are checked.
  const synthesized = synthesizeEveryStack();
  const stacks: PlannedStack[] = [];
  const preparationErrors: Record<string, string> = {};
  const message = (error: unknown) => (error instanceof Error ? error.stack ?? error.message : String(error));
  let hclError: string | undefined;
  let schema: ReturnType<typeof blockSchemaOf> | undefined;
  try {
    // The renderer's block schema comes from the constructs (the app's JSON does not say which keys are blocks).
    schema = blockSchemaOf(synthesized.map((stack) => stack.construct));
  } catch (error) {
    hclError = message(error);
  }
  for (const stack of synthesized) {
    let awsPart: AwsPartResult;
    try {
      // terraform_data (the IAM propagation waits) is built into Terraform: it needs no provider, so it stays.
      awsPart = toAwsPart(stack.json, { keepProviders: KEPT_PROVIDERS });
      // allowed_account_ids needs the caller's account, which offline planning never asks AWS for
      // (skip_requesting_account_id): the guard is for real deploys; offline it only fails the plan.
      const providers = (awsPart.config.provider as JsonObject | undefined)?.aws;
      for (const block of Array.isArray(providers) ? providers : []) delete (block as JsonObject).allowed_account_ids;
      const missing = awsPart.variablesWithoutDefault.filter((name) => PLAN_VARIABLE_VALUES[name] === undefined);
      if (missing.length > 0) throw new Error(`add realistic plan values for ${missing.join(", ")} to PLAN_VARIABLE_VALUES`);
    } catch (error) {
      preparationErrors[stack.name] = message(error);
      continue;
    }
    let hcl = "";
    try {
      // Rendered with the offline settings in its provider blocks, as the JSON module is planned.
      if (schema) hcl = renderHcl(withAwsOfflineSettings(awsPart.config), schema);
    } catch (error) {
      hclError ??= `${stack.name}: ${message(error)}`;
    }
    stacks.push({ name: stack.name, ...(stack.config ? { config: stack.config } : {}), json: stack.json, awsPart, hcl });
  }
  // The bootstrap stacks are AWS only: planned whole, as the same JSON and HCL modules as the others.
  const bootstraps = stacks.filter(({ name }) => name.startsWith(BOOTSTRAP_STACK_PREFIX)).map(({ name, json, awsPart }) => ({ name, json, awsPart }));
  return { stacks, bootstraps, preparationErrors, ...(hclError ? { hclError } : {}) };
}

/**
 * Runs init, version, plan (which validates) and show once, for every stack and both formats. Should the
 * HCL fail (to render, or in Terraform), the JSON modules are planned alone, so that a fault of
 * the renderer fails the HCL tests, with the error, and the plan tests still check the plan.
 */
async function runTerraform(available: { readonly terraform: string; readonly mirror: string }): Promise<SharedAwsPartRun> {
  const prepared = prepare();
  const { bootstraps, preparationErrors } = prepared;
  if (prepared.hclError) return { ...(await runTerraformOn(available, prepared.stacks, bootstraps, ["json"])), preparationErrors, hclError: prepared.hclError };
  try {
    return { ...(await runTerraformOn(available, prepared.stacks, bootstraps, ["json", "hcl"])), preparationErrors };
  } catch (error) {
    const hclError = error instanceof Error ? error.message : String(error);
    return { ...(await runTerraformOn(available, prepared.stacks, bootstraps, ["json"])), preparationErrors, hclError };
  }
}

async function runTerraformOn(
  available: { readonly terraform: string; readonly mirror: string },
  stacks: readonly PlannedStack[],
  bootstraps: readonly PlannedBootstrapStack[],
  formats: readonly ("json" | "hcl")[],
): Promise<Omit<SharedAwsPartRun, "preparationErrors">> {
  const files: Record<string, Json> = {};
  const modules: JsonObject = {};
  const outputs: JsonObject = {};
  for (const { name, awsPart, hcl } of stacks) {
    const inputs = Object.fromEntries(awsPart.variablesWithoutDefault.map((variable) => [variable, PLAN_VARIABLE_VALUES[variable]]));
    for (const [format, file, content] of [["json", "main.tf.json", withAwsOfflineSettings(awsPart.config)], ["hcl", "main.tf", hcl]] as const) {
      if (!formats.includes(format)) continue;
      const module = moduleName(name, format);
      modules[module] = { source: `./${module}`, ...inputs };
      files[`${module}/${file}`] = content;
    }
    const module = moduleName(name, "json");
    for (const [output, body] of Object.entries((awsPart.config.output ?? {}) as JsonObject)) {
      outputs[rootOutputName(module, output)] = { value: `\${module.${module}.${output}}`, sensitive: (body as JsonObject).sensitive === true };
    }
  }
  const workspace = TerraformWorkspace.create({
    name: "aws-parts",
    terraform: available.terraform,
    installation: { kind: "mirror", mirror: available.mirror },
    files: { "main.tf.json": { module: modules, ...(Object.keys(outputs).length > 0 ? { output: outputs } : {}) }, ...files },
  });
  try {
    await workspace.init();
    const version = await workspace.version();
    const installed = path.join(workspace.dir, ".terraform", "providers", Object.keys(version.json.provider_selections)[0] ?? "none", Object.values(version.json.provider_selections)[0] ?? "none", version.json.platform);
    const installedAs = fs.existsSync(installed) && fs.lstatSync(installed).isSymbolicLink() ? `a symlink to ${fs.readlinkSync(installed)}` : "a copy";
    const { diagnostics, plan } = await workspace.validatedPlan();
    const timings = workspace.timings.map(({ command, durationMs }) => `${command} ${(durationMs / 1000).toFixed(1)}s`).join(", ");
    return { stacks, bootstraps, version, dir: workspace.dir, installedAs, diagnostics, plan, timings };
  } finally {
    workspace.dispose();
  }
}

let memo: Promise<SharedAwsPartOutcome> | undefined;

/**
 * The shared run: started by the first caller in the whole test run, read from the run directory
 * by every other worker. Never rejects: a failure is an outcome each test reports.
 */
export function sharedAwsPartRun(available: { readonly terraform: string; readonly mirror: string }): Promise<SharedAwsPartOutcome> {
  memo ??= (async (): Promise<SharedAwsPartOutcome> => {
    const runDir = inject("testRunDir");
    const resultFile = path.join(runDir, "aws-parts.json");
    const lockDir = path.join(runDir, "aws-parts.lock");
    try {
      fs.mkdirSync(lockDir);
    } catch {
      return waitForSharedResult(resultFile, lockDir, 600_000);
    }
    // Who runs it, so that a waiting worker can tell a run still going from one that died.
    fs.writeFileSync(path.join(lockDir, "pid"), String(process.pid));
    let outcome: SharedAwsPartOutcome;
    try {
      outcome = { ok: true, run: await runTerraform(available) };
    } catch (error) {
      outcome = { ok: false, error: error instanceof Error ? error.message : String(error) };
    }
    fs.writeFileSync(`${resultFile}.partial`, JSON.stringify(outcome));
    fs.renameSync(`${resultFile}.partial`, resultFile);
    return outcome;
  })();
  return memo;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * The result the worker holding `lockDir` writes to `resultFile`. Should that worker die without
 * writing it (a crash, an out-of-memory kill), this says so at once instead of waiting out the
 * tests' timeout.
 */
export async function waitForSharedResult(resultFile: string, lockDir: string, timeoutMs: number): Promise<SharedAwsPartOutcome> {
  const deadline = Date.now() + timeoutMs;
  const pidFile = path.join(lockDir, "pid");
  while (!fs.existsSync(resultFile)) {
    if (Date.now() > deadline) return { ok: false, error: `no shared AWS-part result in ${resultFile} after ${timeoutMs} ms` };
    const owner = fs.existsSync(pidFile) ? Number(fs.readFileSync(pidFile, "utf8")) : undefined;
    if (owner && !isAlive(owner) && !fs.existsSync(resultFile)) {
      return { ok: false, error: `the test worker (pid ${owner}) that ran the shared AWS-part Terraform run exited without a result; its output above says why` };
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return JSON.parse(fs.readFileSync(resultFile, "utf8")) as SharedAwsPartOutcome;
}

/** The shared run, or the error that stopped it (thrown, so the calling test fails with it). */
export async function sharedRunOrThrow(available: { readonly terraform: string; readonly mirror: string }): Promise<SharedAwsPartRun> {
  const outcome = await sharedAwsPartRun(available);
  if (!outcome.ok) throw new Error(outcome.error);
  return outcome.run;
}

/** What one module plans: its resource changes with addresses relative to it, sorted. */
export function changesOf(plan: PlanJson, module: string): ResourceChange[] {
  const prefix = `module.${module}.`;
  return (plan.resource_changes ?? [])
    .filter((change) => change.address.startsWith(prefix))
    .map((change) => ({ ...change, address: change.address.slice(prefix.length), module_address: undefined }))
    .sort((a, b) => a.address.localeCompare(b.address));
}

/**
 * One stack's plan, as if its AWS part were the root module: its resource changes, its outputs'
 * changes, its configuration and its planned values. Nothing of another stack is in it.
 */
export function planOfStack(plan: PlanJson, stack: string): PlanJson {
  const module = moduleName(stack, "json");
  const calls = (plan.configuration.root_module as unknown as { module_calls?: Record<string, { module: JsonObject }> }).module_calls;
  const configuration = calls?.[module]?.module;
  if (!configuration) throw new Error(`module ${module} is not in the plan's configuration`);
  const prefix = rootOutputName(module, "");
  const outputChanges = Object.fromEntries(
    Object.entries(plan.output_changes ?? {})
      .filter(([name]) => name.startsWith(prefix))
      .map(([name, change]) => [name.slice(prefix.length), change]),
  );
  const plannedModules = ((plan.planned_values as JsonObject | undefined)?.root_module as JsonObject | undefined)?.child_modules as JsonObject[] | undefined;
  return {
    format_version: plan.format_version,
    terraform_version: plan.terraform_version,
    planned_values: plannedModules?.find((child) => child.address === `module.${module}`) ?? null,
    resource_changes: changesOf(plan, module),
    output_changes: outputChanges,
    configuration: { root_module: configuration as unknown as PlanJson["configuration"]["root_module"] },
  };
}
