/*
 * Runs the real Terraform CLI on a configuration in a throw-away directory under os.tmpdir().
 *
 * Two ways to install providers:
 * - "mirror" (offline, the default in tests): a CLI config whose only installation method is the
 *   filesystem mirror that plugin-mirror.ts finds (TF_PLUGIN_MIRROR, else the usual locations). `terraform init` symlinks an unpacked mirror's
 *   provider directory into .terraform (no copy of the ~700 MB binary). The aws provider gets
 *   fake credentials and its skip flags, and every HTTP(S) request of terraform and the provider
 *   is sent to a closed local port (HTTP(S)_PROXY), so no call can reach AWS even on a machine
 *   with network. A provider missing from the mirror makes `init` fail at once.
 * - "registry" (TF_FULL_VALIDATE=1): providers come from their registries (hashicorp/aws from the
 *   mirror when there is one), with a plugin cache; the caller's environment (proxies, ...) is kept.
 *
 * Every child process has a timeout and runs in its own process group, which is killed on timeout
 * (terraform and the provider plugins it started).
 */
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Json, JsonObject, TerraformJson } from "./aws-part";
import { AWS_PROVIDER_ADDRESS, findPluginMirror } from "./plugin-mirror";
import { terraformBinary } from "../../src/hcl/terraform-fmt";

export { AWS_PROVIDER_ADDRESS } from "./plugin-mirror";

/** Whether the real-Terraform tests can run here, and why not. */
export type TerraformAvailability =
  | { readonly available: true; readonly terraform: string; readonly mirror: string; readonly version: string }
  | { readonly available: false; readonly reason: string };

/** First line of `terraform version`, or the reason terraform cannot run. */
function probeTerraform(terraform: string): { version?: string; reason?: string } {
  const probe = spawnSync(terraform, ["version"], {
    encoding: "utf8",
    timeout: 15_000,
    env: { PATH: process.env.PATH ?? "", CHECKPOINT_DISABLE: "1", TF_CLI_CONFIG_FILE: os.devNull, HOME: os.tmpdir() },
  });
  if (probe.error) return { reason: `terraform (${terraform}) cannot run: ${probe.error.message}` };
  if (probe.status !== 0) return { reason: `\`${terraform} version\` exited ${probe.status}: ${probe.stderr.trim()}` };
  return { version: probe.stdout.split("\n")[0].trim() };
}

/**
 * Terraform and an offline provider mirror with hashicorp/aws (TF_PLUGIN_MIRROR, else the usual
 * locations: see plugin-mirror.ts), and `terraform` (or TERRAFORM_BIN) must run.
 */
export function offlineTerraformAvailability(env: NodeJS.ProcessEnv = process.env): TerraformAvailability {
  const search = findPluginMirror(env);
  if (!search.found) return { available: false, reason: search.reason };
  const terraform = terraformBinary(env);
  const probe = probeTerraform(terraform);
  if (!probe.version) return { available: false, reason: probe.reason! };
  return { available: true, terraform, mirror: search.mirror, version: probe.version };
}

/** Terraform alone (tests that need no provider, such as builtin terraform_data), or why it cannot run. */
export function terraformAvailability(env: NodeJS.ProcessEnv = process.env): TerraformAvailability {
  const terraform = terraformBinary(env);
  const probe = probeTerraform(terraform);
  if (!probe.version) return { available: false, reason: probe.reason! };
  return { available: true, terraform, mirror: "", version: probe.version };
}

/** Terraform for a registry-backed run (TF_FULL_VALIDATE=1); the mirror is optional there. */
export function registryTerraformAvailability(env: NodeJS.ProcessEnv = process.env): TerraformAvailability {
  const terraform = terraformBinary(env);
  const probe = probeTerraform(terraform);
  if (!probe.version) return { available: false, reason: probe.reason! };
  const search = findPluginMirror(env);
  return { available: true, terraform, mirror: search.found ? search.mirror : "", version: probe.version };
}

/** Flags that let the aws provider configure itself without calling AWS (STS, IAM, IMDS). */
export const AWS_OFFLINE_PROVIDER_SETTINGS = {
  skip_credentials_validation: true,
  skip_requesting_account_id: true,
  skip_metadata_api_check: true,
  // Fail fast instead of retrying for minutes should anything still try to call AWS.
  max_retries: 1,
} as const;

/**
 * The Terraform JSON with the offline settings merged into every aws provider block (one is added
 * if there is none). Merged rather than set in an override file: Terraform 1.11 reports a child
 * module's provider block whose arguments an override file sets as a "Redundant empty provider
 * block", and the shared workspaces hold the stacks as child modules.
 */
export function withAwsOfflineSettings(config: TerraformJson): TerraformJson {
  const providers = (config.provider as JsonObject | undefined)?.aws;
  const blocks = Array.isArray(providers) ? providers : providers ? [providers] : [{}];
  return {
    ...config,
    provider: {
      ...((config.provider as JsonObject | undefined) ?? {}),
      aws: blocks.map((block) => ({ ...(block as JsonObject), ...AWS_OFFLINE_PROVIDER_SETTINGS })),
    },
  };
}

/** A closed local port: requests through it fail at once instead of leaving the machine. */
const NETWORK_FENCE = "http://127.0.0.1:9";

/** How a workspace installs providers. */
export type ProviderInstallation =
  | { readonly kind: "mirror"; readonly mirror: string }
  | { readonly kind: "registry"; readonly mirror?: string; readonly pluginCacheDir?: string };

/** Timeouts of the child processes, in milliseconds. */
export interface TerraformTimeouts {
  readonly init: number;
  readonly validate: number;
  readonly plan: number;
  readonly show: number;
}

export const DEFAULT_TIMEOUTS: TerraformTimeouts = { init: 180_000, validate: 60_000, plan: 120_000, show: 60_000 };

/** One finished terraform command. */
export interface CommandResult {
  readonly args: readonly string[];
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
}

/** A terraform command that failed or timed out; the message carries its output. */
export class TerraformCommandError extends Error {
  constructor(
    readonly result: CommandResult,
    reason: string,
  ) {
    const tail = (text: string) => text.trim().split("\n").slice(-40).join("\n");
    super(
      [`terraform ${result.args.join(" ")} ${reason}`, tail(result.stderr), tail(result.stdout)]
        .filter((part) => part.length > 0)
        .join("\n--\n"),
    );
    this.name = "TerraformCommandError";
  }
}

/** A diagnostic of `terraform validate -json`. */
export interface Diagnostic {
  readonly severity: "error" | "warning";
  readonly summary: string;
  readonly detail?: string;
  readonly address?: string;
  /** Where in the configuration, when Terraform says (the file is relative to the working directory). */
  readonly range?: { readonly filename: string };
}

/** `terraform version -json`. */
export interface TerraformVersion {
  readonly terraform_version: string;
  readonly platform: string;
  readonly provider_selections: Readonly<Record<string, string>>;
}

/** The parts of `terraform show -json <plan>` the tests read. */
export interface PlanJson {
  readonly format_version: string;
  readonly terraform_version: string;
  readonly resource_changes?: readonly ResourceChange[];
  readonly output_changes?: Readonly<Record<string, { readonly actions: readonly string[] }>>;
  readonly configuration: {
    readonly root_module: {
      readonly resources?: readonly ConfigurationResource[];
    };
  };
  readonly [key: string]: unknown;
}

export interface ResourceChange {
  readonly address: string;
  readonly mode: "managed" | "data";
  readonly type: string;
  readonly name: string;
  readonly provider_name: string;
  readonly change: {
    readonly actions: readonly string[];
    readonly before: Json;
    readonly after: JsonObject | null;
    readonly after_unknown?: Json;
    readonly after_sensitive?: Json;
  };
}

export interface ConfigurationResource {
  readonly address: string;
  readonly mode: "managed" | "data";
  readonly type: string;
  readonly name: string;
  readonly expressions?: Readonly<Record<string, { readonly constant_value?: Json; readonly references?: readonly string[] }>>;
}

function cliConfig(installation: ProviderInstallation): string {
  const hcl = (value: string) => JSON.stringify(value);
  if (installation.kind === "mirror") {
    return [
      "# Written by __tests__/support/terraform-runner.ts: providers only from the offline mirror.",
      "provider_installation {",
      "  filesystem_mirror {",
      `    path = ${hcl(installation.mirror)}`,
      "  }",
      "}",
      "",
    ].join("\n");
  }
  const lines = ["# Written by __tests__/support/terraform-runner.ts: providers from their registries."];
  if (installation.pluginCacheDir) lines.push(`plugin_cache_dir = ${hcl(installation.pluginCacheDir)}`);
  lines.push("provider_installation {");
  if (installation.mirror) {
    lines.push(
      "  filesystem_mirror {",
      `    path    = ${hcl(installation.mirror)}`,
      `    include = [${hcl(AWS_PROVIDER_ADDRESS)}]`,
      "  }",
      "  direct {",
      `    exclude = [${hcl(AWS_PROVIDER_ADDRESS)}]`,
      "  }",
    );
  } else {
    lines.push("  direct {}");
  }
  lines.push("}", "");
  return lines.join("\n");
}

/**
 * Go's garbage collector for terraform and the provider plugins it starts (they inherit the
 * environment): none until a process holds 2 GiB. Building the hashicorp/aws schema, which every
 * command does, allocates heavily, and collecting it on the way costs about a quarter of each
 * command's CPU time (a one-resource plan: 3.4 CPU-s by default, 2.6 with this). The whole
 * `npm test` then peaks at about 2.9 GB of memory in use. The caller's own
 * GOGC or GOMEMLIMIT wins.
 */
const GO_GARBAGE_COLLECTION = { GOGC: process.env.GOGC ?? "off", GOMEMLIMIT: process.env.GOMEMLIMIT ?? "2GiB" };

function childEnvironment(installation: ProviderInstallation, cliConfigFile: string, home: string): NodeJS.ProcessEnv {
  const terraformSettings = {
    TF_CLI_CONFIG_FILE: cliConfigFile,
    TF_IN_AUTOMATION: "1",
    TF_INPUT: "0",
    CHECKPOINT_DISABLE: "1",
    ...GO_GARBAGE_COLLECTION,
  };
  if (installation.kind === "registry") {
    // Keep proxies and the like, but no variables, logs or data dirs of the caller's own runs.
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter(
        ([name]) => !name.startsWith("TF_VAR_") && !["TF_DATA_DIR", "TF_LOG", "TF_LOG_PATH", "TF_PLUGIN_CACHE_DIR", "TF_WORKSPACE"].includes(name),
      ),
    );
    return { ...inherited, ...terraformSettings };
  }
  // Nothing from the caller but PATH and the temp dir: no real AWS profile, no TF_VAR_*.
  return {
    PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
    TMPDIR: os.tmpdir(),
    HOME: home,
    ...terraformSettings,
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_CONFIG_FILE: os.devNull,
    AWS_SHARED_CREDENTIALS_FILE: os.devNull,
    AWS_EC2_METADATA_DISABLED: "true",
    HTTP_PROXY: NETWORK_FENCE,
    HTTPS_PROXY: NETWORK_FENCE,
    http_proxy: NETWORK_FENCE,
    https_proxy: NETWORK_FENCE,
  };
}

/** Runs one command in its own process group; kills the group on timeout. */
function runCommand(
  command: string,
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<CommandResult & { timedOut: boolean }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }, options.timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({
        args,
        exitCode: code ?? (signal ? 128 : 1),
        stdout,
        stderr,
        durationMs: Math.round(performance.now() - started),
        timedOut,
      });
    });
  });
}

/** Options of {@link TerraformWorkspace.create}. */
export interface WorkspaceOptions {
  /** Used in the temp dir's name, e.g. the stack name. */
  readonly name: string;
  readonly terraform: string;
  readonly installation: ProviderInstallation;
  /**
   * Files of the configuration directory, relative path to content: JSON (main.tf.json,
   * x_override.tf.json, y.auto.tfvars.json), or HCL text for a `.tf` file; sub-directories are created.
   */
  readonly files: Readonly<Record<string, Json>>;
  readonly timeouts?: Partial<TerraformTimeouts>;
}

/**
 * A configuration in its own temp dir (config/, home/, the CLI config), with the terraform
 * commands the tests need. Call dispose() when done.
 */
/** The error for a configuration Terraform found invalid, with every error diagnostic. */
function invalidConfiguration(result: CommandResult, diagnostics: readonly Diagnostic[]): TerraformCommandError {
  const errors = diagnostics.filter((diagnostic) => diagnostic.severity === "error");
  return new TerraformCommandError(result, `found the configuration invalid:\n${errors.map((error) => `  ${error.address ?? ""} ${error.summary}: ${error.detail ?? ""}`).join("\n")}`);
}

export class TerraformWorkspace {
  /** Wall time of each command run so far, for the report. */
  readonly timings: { command: string; durationMs: number }[] = [];
  private readonly env: NodeJS.ProcessEnv;
  private readonly timeouts: TerraformTimeouts;

  private constructor(
    readonly root: string,
    readonly dir: string,
    private readonly terraform: string,
    private readonly installation: ProviderInstallation,
    timeouts: Partial<TerraformTimeouts>,
  ) {
    const home = path.join(root, "home");
    fs.mkdirSync(home);
    const cliConfigFile = path.join(root, "terraform.tfrc");
    fs.writeFileSync(cliConfigFile, cliConfig(installation));
    this.env = childEnvironment(installation, cliConfigFile, home);
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...timeouts };
  }

  static create(options: WorkspaceOptions): TerraformWorkspace {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), `tf-${options.name.replace(/[^\w-]+/g, "_")}-`));
    const dir = path.join(root, "workspace");
    fs.mkdirSync(dir);
    for (const [file, content] of Object.entries(options.files)) {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      // HCL (.tf) as written; anything else as JSON.
      const text = typeof content === "string" && file.endsWith(".tf") ? content : `${JSON.stringify(content, null, 2)}\n`;
      fs.writeFileSync(path.join(dir, file), text);
    }
    return new TerraformWorkspace(root, dir, options.terraform, options.installation, options.timeouts ?? {});
  }

  /** Runs `terraform <args>` in the configuration directory; throws on a non-zero exit or a timeout. */
  async run(args: readonly string[], timeoutMs: number, acceptExitCodes: readonly number[] = [0]): Promise<CommandResult> {
    const result = await runCommand(this.terraform, args, { cwd: this.dir, env: this.env, timeoutMs });
    this.timings.push({ command: args[0], durationMs: result.durationMs });
    if (result.timedOut) throw new TerraformCommandError(result, `timed out after ${timeoutMs} ms (process group killed)`);
    if (!acceptExitCodes.includes(result.exitCode)) throw new TerraformCommandError(result, `exited ${result.exitCode}`);
    return result;
  }

  /** `terraform init` (without the backend in registry mode: validate needs none). */
  async init(): Promise<CommandResult> {
    const backend = this.installation.kind === "registry" ? ["-backend=false"] : [];
    return this.run(["init", "-input=false", "-no-color", ...backend], this.timeouts.init);
  }

  /** `terraform validate -json`; throws with every error diagnostic when the configuration is invalid. */
  async validate(): Promise<{ readonly diagnostics: readonly Diagnostic[] }> {
    const result = await this.run(["validate", "-json", "-no-color"], this.timeouts.validate, [0, 1]);
    let report: { valid: boolean; diagnostics: Diagnostic[] };
    try {
      report = JSON.parse(result.stdout) as typeof report;
    } catch {
      throw new TerraformCommandError(result, `exited ${result.exitCode} without a JSON report`);
    }
    if (!report.valid) throw invalidConfiguration(result, report.diagnostics);
    return { diagnostics: report.diagnostics };
  }

  /**
   * `terraform plan -json -refresh=false -out plan` then `terraform show -json plan`, with the
   * plan's diagnostics. A plan validates the configuration before it plans, so this reports what
   * `terraform validate` would, with one load of the provider schemas fewer than validate + plan;
   * an invalid configuration throws with every error diagnostic, as validate() does.
   */
  async validatedPlan(): Promise<{ readonly diagnostics: readonly Diagnostic[]; readonly plan: PlanJson }> {
    const result = await this.run(["plan", "-json", "-refresh=false", "-input=false", "-out=plan"], this.timeouts.plan, [0, 1]);
    const diagnostics = result.stdout
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as { type?: string; diagnostic?: Diagnostic })
      .filter((message) => message.type === "diagnostic" && message.diagnostic)
      .map((message) => message.diagnostic!);
    if (result.exitCode !== 0) throw invalidConfiguration(result, diagnostics);
    const shown = await this.run(["show", "-json", "-no-color", "plan"], this.timeouts.show);
    return { diagnostics, plan: JSON.parse(shown.stdout) as PlanJson };
  }

  /** The plan of validatedPlan(), without its diagnostics. */
  async plan(): Promise<PlanJson> {
    return (await this.validatedPlan()).plan;
  }

  /** `terraform version` (text) and `terraform version -json`, run in the configuration directory. */
  async version(): Promise<{ readonly text: string; readonly json: TerraformVersion }> {
    const text = await this.run(["version"], this.timeouts.show);
    const json = await this.run(["version", "-json"], this.timeouts.show);
    return { text: text.stdout.trim(), json: JSON.parse(json.stdout) as TerraformVersion };
  }

  /** Removes the temp dir. */
  dispose(): void {
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

/** Marks a promise as handled (a test awaits it later), so that an early failure is not reported twice. */
export function settled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}
