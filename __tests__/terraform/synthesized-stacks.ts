import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
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

/** A bootstrap stack as the app writes it (one per AWS account; it belongs to no single environment file). */
export interface SynthesizedBootstrapStack {
  readonly name: string;
  readonly json: TerraformJson;
}

let synthesized: { environments: SynthesizedStack[]; bootstraps: SynthesizedBootstrapStack[] } | undefined;

/**
 * Runs the real app (synthesizeApp) on config/ into a temp dir, reads every stack's cdk.tf.json,
 * and removes the temp dir. Each environment stack is paired with its environment file's
 * validated config; the bootstrap stacks come apart. Memoized per worker (callers get copies).
 */
function synthesizeAll(): { environments: SynthesizedStack[]; bootstraps: SynthesizedBootstrapStack[] } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "aws-part-synth-"));
  try {
    const { stacks } = synthesizeApp({ configDir: CONFIG_DIR, outdir });
    const environments = resolveEnvironments(CONFIG_DIR);
    const read = (name: string) => JSON.parse(fs.readFileSync(path.join(outdir, "stacks", name, "cdk.tf.json"), "utf8")) as TerraformJson;
    const bootstraps = stacks.filter((name) => name.startsWith(BOOTSTRAP_STACK_PREFIX)).map((name) => ({ name, json: read(name) }));
    const environmentStacks = stacks
      .filter((name) => !name.startsWith(BOOTSTRAP_STACK_PREFIX))
      .map((name) => {
        const environment = environments.find(({ config }) => stackName(config.environment) === name);
        if (!environment) throw new Error(`no environment file in config/ produced stack ${name}`);
        return { name, config: environment.config, json: read(name) };
      });
    return { environments: environmentStacks, bootstraps };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** Every environment stack of config/, as the app writes it. */
export function synthesizeStacks(): SynthesizedStack[] {
  synthesized ??= synthesizeAll();
  return structuredClone(synthesized.environments);
}

/** Every bootstrap stack of config/, as the app writes it. */
export function synthesizeBootstrapStacks(): SynthesizedBootstrapStack[] {
  synthesized ??= synthesizeAll();
  return structuredClone(synthesized.bootstraps);
}
