import * as fs from "node:fs";
import * as path from "node:path";
import { AnnotationMetadataEntryType, App } from "cdktf";
import { environmentFiles, loadEnvironments, type LoadedEnvironment } from "./config/load-environment";
import { DatabaseStack, stackName } from "./stacks/database-stack";

/** Where the app reads environments and writes Terraform JSON. */
export interface SynthesizeOptions {
  /** Directory of environment files, one `<environment>.json` each. */
  readonly configDir: string;
  /** The cdktf output directory (`cdktf.out`, or CDKTF_OUTDIR when the CLI runs the app). */
  readonly outdir: string;
  /**
   * Also write `cdk.tf` (HCL) next to each `cdk.tf.json`, for Terraform-native reviewers.
   * @default false
   */
  readonly hcl?: boolean;
}

/** Error annotations (policy or construct validation) that stopped a synth. */
export class SynthesisError extends Error {
  constructor(readonly errors: readonly string[]) {
    super([`${errors.length} error(s); nothing was synthesized:`, ...errors.map((error) => `  ${error}`)].join("\n"));
    this.name = "SynthesisError";
  }
}

const CONTINUE_ON_ERRORS = "CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS";

/**
 * Synthesizes one stack per environment file, all or nothing: the stacks are written to a
 * staging directory first and move into `outdir` only when every config file is valid and no
 * construct reported an error, so a failing synth never leaves a partial or stale stack behind.
 * Throws ConfigError or SynthesisError listing every problem at once.
 */
export function synthesizeApp(options: SynthesizeOptions): { readonly stacks: readonly string[] } {
  const outdir = path.resolve(options.outdir);
  try {
    return synthesizeAll(options.configDir, outdir, options.hcl ?? false);
  } catch (error) {
    // A failed synth must not leave an earlier run's output looking current.
    for (const file of environmentFiles(options.configDir)) {
      fs.rmSync(path.join(outdir, "stacks", stackName(path.basename(file, ".json"))), { recursive: true, force: true });
    }
    fs.rmSync(path.join(outdir, "manifest.json"), { force: true });
    throw error;
  }
}

function synthesizeAll(configDir: string, outdir: string, hcl: boolean): { readonly stacks: readonly string[] } {
  const environments = loadEnvironments(configDir);
  fs.mkdirSync(path.dirname(outdir), { recursive: true });
  const staging = fs.mkdtempSync(`${outdir}.staging-`);
  const hclStaging = hcl ? fs.mkdtempSync(`${outdir}.staging-hcl-`) : undefined;
  try {
    const stacks = synthesizeInto(staging, environments, false);
    if (hclStaging) {
      // HCL for reviewers goes next to the JSON, and the manifest points at it as `cdktf synth --hcl` expects.
      synthesizeInto(hclStaging, environments, true);
      for (const name of stacks) {
        fs.cpSync(path.join(hclStaging, "stacks", name), path.join(staging, "stacks", name), { recursive: true });
      }
      fs.copyFileSync(path.join(hclStaging, "manifest.json"), path.join(staging, "manifest.json"));
    }
    publish(staging, outdir, stacks);
    return { stacks };
  } finally {
    for (const directory of [staging, hclStaging]) if (directory) fs.rmSync(directory, { recursive: true, force: true });
  }
}

/** Synthesizes every environment's stack into `directory`; throws SynthesisError on any error annotation. */
function synthesizeInto(directory: string, environments: readonly LoadedEnvironment[], hclOutput: boolean): string[] {
  // cdktf reads both switches from the environment while the app and its stacks are built:
  // keep going after an error annotation (so every stack's errors are reported) and pick JSON or HCL.
  const { app, stacks } = withEnvironment({ [CONTINUE_ON_ERRORS]: "true", SYNTH_HCL_OUTPUT: String(hclOutput) }, () => {
    const app = new App({ outdir: directory, stackTraces: false, hclOutput });
    const stacks = environments.map(({ file, config }) => new DatabaseStack(app, { config, configFile: file }));
    return { app, stacks };
  });

  app.synth();
  const errors = app.node
    .findAll()
    .flatMap((node) =>
      node.node.metadata
        .filter((entry) => entry.type === AnnotationMetadataEntryType.ERROR)
        .map((entry) => `[${node.node.path}] ${String(entry.data)}`),
    );
  if (errors.length > 0) throw new SynthesisError(errors);
  return stacks.map((stack) => stack.node.id);
}

/** Runs `build` with some environment variables set, restoring them afterwards. */
function withEnvironment<T>(variables: Readonly<Record<string, string>>, build: () => T): T {
  const previous = Object.fromEntries(Object.keys(variables).map((name) => [name, process.env[name]]));
  Object.assign(process.env, variables);
  try {
    return build();
  } finally {
    for (const [name, value] of Object.entries(previous)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

/** Replaces each synthesized stack directory and the manifest in `outdir` with the staged ones. */
function publish(staging: string, outdir: string, stackNames: readonly string[]): void {
  for (const name of stackNames) {
    const target = path.join(outdir, "stacks", name);
    fs.rmSync(target, { recursive: true, force: true });
    fs.cpSync(path.join(staging, "stacks", name), target, { recursive: true });
  }
  fs.copyFileSync(path.join(staging, "manifest.json"), path.join(outdir, "manifest.json"));
}
