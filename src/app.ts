import * as fs from "node:fs";
import * as path from "node:path";
import { AnnotationMetadataEntryType, App, type TerraformStack } from "cdktf";
import { environmentFiles } from "./config/load-environment";
import { resolveEnvironments, type ResolvedEnvironment } from "./environment/resolve";
import { placeholderNotice } from "./config/placeholders";
import { GITHUB_STACK, loadGithubSettings, type LoadedGithubSettings } from "./github/load-github-settings";
import { removeReviewerHcl, updateReviewerHcl } from "./hcl/reviewer-hcl";
import { buildBootstrapStacks } from "./stacks/bootstrap-stacks";
import { DatabaseStack } from "./stacks/database-stack";
import { GithubStack } from "./stacks/github-stack";
import { BOOTSTRAP_STACK_PREFIX, stackName } from "./environment/names";

/** Where the app reads environments and writes Terraform JSON. */
export interface SynthesizeOptions {
  /** Directory of environment files, one `<environment>.json` each. */
  readonly configDir: string;
  /** The cdktf output directory (`cdktf.out`, or CDKTF_OUTDIR when the CLI runs the app). */
  readonly outdir: string;
  /**
   * Also write reviewer HCL to `<outdir>/hcl/<stack>/cdk.tf` (needs the terraform CLI, for fmt).
   * A synth without it removes an earlier run's HCL.
   * @default false
   */
  readonly hcl?: boolean;
}

/** What a successful synth wrote, and what it has to say about it. */
export interface SynthesisResult {
  /** Stack names: one per environment file, then one bootstrap stack per AWS account. */
  readonly stacks: readonly string[];
  /** The github stack's name, when config/github.json exists (docs/day-0.md). */
  readonly githubStack?: string;
  /** Warning annotations, each distinct message once (a concern shared by stacks is one line). */
  readonly warnings: readonly string[];
  /** The one line about committed placeholders, when any file still holds one. */
  readonly placeholderNotice?: string;
  /**
   * Every stack of the app as a construct, in the order of `stacks`: for tools that read the
   * construct tree (the reviewer HCL's block schema) of whatever stacks the app makes.
   */
  readonly constructs: readonly TerraformStack[];
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
export function synthesizeApp(options: SynthesizeOptions): SynthesisResult {
  const outdir = path.resolve(options.outdir);
  try {
    return synthesizeAll(options.configDir, outdir, options.hcl ?? false);
  } catch (error) {
    // A failed synth must not leave an earlier run's output looking current.
    for (const file of environmentFiles(options.configDir)) {
      const stack = stackName(path.basename(file, ".json"));
      fs.rmSync(path.join(outdir, "stacks", stack), { recursive: true, force: true });
      removeReviewerHcl(outdir, stack);
    }
    fs.rmSync(path.join(outdir, "stacks", GITHUB_STACK), { recursive: true, force: true });
    const stacksDir = path.join(outdir, "stacks");
    const bootstraps = fs.existsSync(stacksDir) ? fs.readdirSync(stacksDir).filter((name) => name.startsWith(BOOTSTRAP_STACK_PREFIX)) : [];
    for (const stack of bootstraps) {
      fs.rmSync(path.join(stacksDir, stack), { recursive: true, force: true });
      removeReviewerHcl(outdir, stack);
    }
    fs.rmSync(path.join(outdir, "manifest.json"), { force: true });
    throw error;
  }
}

function synthesizeAll(configDir: string, outdir: string, hcl: boolean): SynthesisResult {
  const environments = resolveEnvironments(configDir);
  const github = loadGithubSettings(configDir, environments);
  fs.mkdirSync(path.dirname(outdir), { recursive: true });
  const staging = fs.mkdtempSync(`${outdir}.staging-`);
  try {
    const { stacks, warnings } = synthesizeInto(staging, environments, github);
    const names = stacks.map((stack) => stack.node.id);
    publish(staging, outdir, github ? [...names, GITHUB_STACK] : names);
    updateReviewerHcl({ outdir, stacks, write: hcl });
    return { stacks: names, ...(github ? { githubStack: GITHUB_STACK } : {}), warnings, placeholderNotice: placeholderNotice(environments), constructs: stacks };
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * Synthesizes every environment's stack, the bootstrap stacks, and the github stack (from
 * config/github.json) into `directory`; throws SynthesisError on any error annotation. Returns the
 * environment and bootstrap stacks.
 */
function synthesizeInto(
  directory: string,
  environments: readonly ResolvedEnvironment[],
  github: LoadedGithubSettings | undefined,
): { stacks: TerraformStack[]; warnings: string[] } {
  // cdktf reads both switches from the environment while the app and its stacks are built:
  // keep going after an error annotation (so every stack's errors are reported), and always JSON
  // (`cdktf synth --hcl` sets SYNTH_HCL_OUTPUT; the reviewer HCL is rendered from the JSON instead).
  const { app, stacks } = withEnvironment({ [CONTINUE_ON_ERRORS]: "true", SYNTH_HCL_OUTPUT: "false" }, () => {
    const app = new App({ outdir: directory, stackTraces: false, hclOutput: false });
    const databaseStacks = environments.map(({ file, config }) => new DatabaseStack(app, { config, configFile: file }));
    // One bootstrap stack per AWS account, its CI roles' permissions generated from the stacks above
    // (throws BootstrapError, before anything is written, when they cannot be generated safely).
    const bootstraps = buildBootstrapStacks(app, databaseStacks.map((stack, index) => ({ config: environments[index].config, stack })));
    if (github) new GithubStack(app, github);
    return { app, stacks: [...databaseStacks, ...bootstraps] as TerraformStack[] };
  });

  app.synth();
  const annotations = (type: string) =>
    app.node.findAll().flatMap((node) =>
      node.node.metadata.filter((entry) => entry.type === type).map((entry) => ({ path: node.node.path, message: String(entry.data) })),
    );
  const errors = annotations(AnnotationMetadataEntryType.ERROR).map(({ path: where, message }) => `[${where}] ${message}`);
  if (errors.length > 0) throw new SynthesisError(errors);
  const warnings = [...new Set(annotations(AnnotationMetadataEntryType.WARN).map(({ message }) => message))];
  return { stacks, warnings };
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
