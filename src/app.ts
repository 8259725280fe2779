import * as fs from "node:fs";
import * as path from "node:path";
import { AnnotationMetadataEntryType, App } from "cdktf";
import { environmentFiles, loadEnvironments } from "./config/load-environment";
import { DatabaseStack, stackName } from "./stacks/database-stack";

/** Where the app reads environments and writes Terraform JSON. */
export interface SynthesizeOptions {
  /** Directory of environment files, one `<environment>.json` each. */
  readonly configDir: string;
  /** The cdktf output directory (`cdktf.out`, or CDKTF_OUTDIR when the CLI runs the app). */
  readonly outdir: string;
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
    return synthesizeAll(options.configDir, outdir);
  } catch (error) {
    // A failed synth must not leave an earlier run's output looking current.
    for (const file of environmentFiles(options.configDir)) {
      fs.rmSync(path.join(outdir, "stacks", stackName(path.basename(file, ".json"))), { recursive: true, force: true });
    }
    fs.rmSync(path.join(outdir, "manifest.json"), { force: true });
    throw error;
  }
}

function synthesizeAll(configDir: string, outdir: string): { readonly stacks: readonly string[] } {
  const environments = loadEnvironments(configDir);
  fs.mkdirSync(path.dirname(outdir), { recursive: true });
  const staging = fs.mkdtempSync(`${outdir}.staging-`);
  try {
    // Keep synthesizing after an error annotation so that every stack's errors are reported.
    const previous = process.env[CONTINUE_ON_ERRORS];
    process.env[CONTINUE_ON_ERRORS] = "true";
    const app = new App({ outdir: staging, stackTraces: false });
    const stacks = environments.map(({ file, config }) => new DatabaseStack(app, { config, configFile: file }));
    if (previous === undefined) delete process.env[CONTINUE_ON_ERRORS];
    else process.env[CONTINUE_ON_ERRORS] = previous;

    app.synth();
    const errors = app.node
      .findAll()
      .flatMap((node) =>
        node.node.metadata
          .filter((entry) => entry.type === AnnotationMetadataEntryType.ERROR)
          .map((entry) => `[${node.node.path}] ${String(entry.data)}`),
      );
    if (errors.length > 0) throw new SynthesisError(errors);

    publish(staging, outdir, stacks.map((stack) => stack.node.id));
    return { stacks: stacks.map((stack) => stack.node.id) };
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
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
