import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { synthesizeApp } from "../../src/app";
import { resolveEnvironments } from "../../src/environment/resolve";
import type { EnvironmentConfig } from "../../src/config/environment-config";
import { stackName } from "../../src/environment/names";
import type { TerraformJson } from "../support/aws-part";

export const REPO_ROOT = path.resolve(__dirname, "../..");
export const CONFIG_DIR = path.join(REPO_ROOT, "config");

/** One stack as the app writes it: `<outdir>/stacks/<name>/cdk.tf.json`. */
export interface SynthesizedStack {
  readonly name: string;
  readonly config: EnvironmentConfig;
  readonly json: TerraformJson;
}

/**
 * Runs the real app (synthesizeApp) on config/ into a temp dir, reads every stack's cdk.tf.json,
 * and removes the temp dir. Each stack is paired with its environment file's validated config.
 */
export function synthesizeStacks(): SynthesizedStack[] {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "aws-part-synth-"));
  try {
    const { stacks } = synthesizeApp({ configDir: CONFIG_DIR, outdir });
    const environments = resolveEnvironments(CONFIG_DIR);
    return stacks.map((name) => {
      const environment = environments.find(({ config }) => stackName(config.environment) === name);
      if (!environment) throw new Error(`no environment file in config/ produced stack ${name}`);
      const file = path.join(outdir, "stacks", name, "cdk.tf.json");
      return { name, config: environment.config, json: JSON.parse(fs.readFileSync(file, "utf8")) as TerraformJson };
    });
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}
