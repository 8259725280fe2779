import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { TerraformStack } from "cdktf";
import { synthesizeApp } from "../../src/app";
import { resolveEnvironments } from "../../src/environment/resolve";
import type { EnvironmentConfig } from "../../src/config/environment-config";
import { BOOTSTRAP_STACK_PREFIX, stackName } from "../../src/environment/names";
import type { TerraformJson } from "../support/aws-part";

export const REPO_ROOT = path.resolve(__dirname, "../..");
export const CONFIG_DIR = path.join(REPO_ROOT, "config");

/** One stack as the app writes it: `<outdir>/stacks/<name>/cdk.tf.json`. */
export interface SynthesizedStack {
  readonly name: string;
  readonly config: EnvironmentConfig;
  readonly json: TerraformJson;
}

/** Any stack the app writes, with its environment file's config when it comes from one. */
export interface AppStack {
  readonly name: string;
  readonly config?: EnvironmentConfig;
  readonly json: TerraformJson;
  readonly construct: TerraformStack;
}

/**
 * Runs the real app (synthesizeApp) on config/ into a temp dir, reads EVERY stack's cdk.tf.json
 * (whatever stacks the app makes, environment stacks or others), and removes the temp dir.
 */
export function synthesizeEveryStack(): readonly AppStack[] {
  everyStack ??= synthesizeEveryStackOnce();
  return everyStack;
}

/** One synth per test worker, shared by the files that read the committed stacks (read-only: frozen). */
let everyStack: readonly AppStack[] | undefined;

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** The github stack's JSON (config/github.json), which the app writes apart from the others; undefined without that file. */
export function synthesizedGithubStack(): { readonly name: string; readonly json: TerraformJson } | undefined {
  synthesizeEveryStack();
  return githubStack;
}
let githubStack: { readonly name: string; readonly json: TerraformJson } | undefined;

function synthesizeEveryStackOnce(): readonly AppStack[] {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "aws-part-synth-"));
  try {
    const { stacks, constructs, githubStack: github } = synthesizeApp({ configDir: CONFIG_DIR, outdir });
    if (github) githubStack = { name: github, json: deepFreeze(JSON.parse(fs.readFileSync(path.join(outdir, "stacks", github, "cdk.tf.json"), "utf8")) as TerraformJson) };
    const environments = resolveEnvironments(CONFIG_DIR);
    return stacks.map((name, index) => {
      const environment = environments.find(({ config }) => stackName(config.environment) === name);
      const file = path.join(outdir, "stacks", name, "cdk.tf.json");
      const json = deepFreeze(JSON.parse(fs.readFileSync(file, "utf8")) as TerraformJson);
      return { name, json, construct: constructs[index], ...(environment ? { config: environment.config } : {}) };
    });
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** The stacks of the environment files in config/, each paired with its validated config. */
export function synthesizeStacks(): SynthesizedStack[] {
  return synthesizeEveryStack().flatMap(({ name, config, json }) => (config ? [{ name, config, json }] : []));
}

/** A bootstrap stack as the app writes it (one per AWS account; it belongs to no single environment file). */
export interface SynthesizedBootstrapStack {
  readonly name: string;
  readonly json: TerraformJson;
}

/** Every bootstrap stack of config/, as the app writes it; copies, so a caller may adapt one (e.g. for an offline plan). */
export function synthesizeBootstrapStacks(): SynthesizedBootstrapStack[] {
  return synthesizeEveryStack()
    .filter(({ name }) => name.startsWith(BOOTSTRAP_STACK_PREFIX))
    .map(({ name, json }) => ({ name, json: structuredClone(json) as TerraformJson }));
}
