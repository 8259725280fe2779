/*
 * `npm run diff|deploy|list [-- <stack> ...]`: the cdktf CLI, as the README and `help` show it.
 * - All three synthesize with `npm run synth`'s runner first, which prints a config error once
 *   (the CLI would print it twice); list then reads the stacks from that output's manifest.
 * - diff and deploy first refuse any stack whose environment file still holds a placeholder (the
 *   same check CI makes), listing each field; nothing is planned or applied then. A bootstrap
 *   stack is refused while any environment file of its account holds one. Then they run
 *   the CLI with --skip-synth on exactly the output just synthesized.
 * - CHECKPOINT_DISABLE=1: no telemetry call, which fails (noisily) on an offline machine.
 * - Outside a terminal, CI=true: cdktf then prints plain lines instead of ~180 spinner frames.
 * - A TF_CLI_CONFIG_FILE that names a missing file is dropped: terraform would warn on every call.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { resolveEnvironments } from "../src/environment/resolve";
import { bootstrapPlaceholderReport, placeholderReport } from "../src/config/placeholders";
import { bootstrapStackName, stackName } from "../src/environment/names";
import { GITHUB_STACK, loadGithubSettings } from "../src/github/load-github-settings";
import { githubPlaceholderReport } from "../src/github/placeholders";

const GUARDED = new Set(["diff", "deploy"]);

/**
 * Whether a stack name given on the command line selects `stack`: cdktf takes exact names and
 * glob patterns (`'*'`, `'audio-pipeline-bootstrap-*'`), so a pattern must be checked too.
 */
export function selects(argument: string, stack: string): boolean {
  const pattern = argument.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${pattern}$`).test(stack);
}

/**
 * Every placeholder line of the named stacks (all stacks when none is named). A bootstrap stack
 * (`audio-pipeline-bootstrap-<account>`) is generated from every environment file of its account,
 * so naming it checks each of those files, with the fields only the bootstrap reads.
 */
export function placeholderRefusals(stacks: readonly string[], configDir = "config"): string[] {
  const chosen = (stack: string) => stacks.length === 0 || stacks.some((argument) => selects(argument, stack));
  const environments = resolveEnvironments(configDir);
  const lines = environments.flatMap(({ file, config }) => {
    if (chosen(bootstrapStackName(config.aws.accountId))) return bootstrapPlaceholderReport(file, config);
    return chosen(stackName(config.environment)) ? placeholderReport(file, config) : [];
  });
  const github = loadGithubSettings(configDir, environments);
  if (github && chosen(GITHUB_STACK)) lines.push(...githubPlaceholderReport(github));
  return [...new Set(lines)];
}

/** The environment the CLI runs in. */
export function cliEnvironment(env: NodeJS.ProcessEnv, isTerminal: boolean): NodeJS.ProcessEnv {
  const result: NodeJS.ProcessEnv = { ...env, CHECKPOINT_DISABLE: "1" };
  if (!isTerminal) result.CI ??= "true";
  if (result.TF_CLI_CONFIG_FILE && !fs.existsSync(result.TF_CLI_CONFIG_FILE)) delete result.TF_CLI_CONFIG_FILE;
  return result;
}

/** The stacks of a synthesized output and their directories, as `cdktf list` prints them. */
export function listStacks(outdir: string): string[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(outdir, "manifest.json"), "utf8")) as { stacks: Record<string, { workingDirectory: string }> };
  const rows = Object.entries(manifest.stacks).map(([name, stack]) => [name, path.join(outdir, stack.workingDirectory)]);
  const width = Math.max("Stack name".length, ...rows.map(([name]) => name.length)) + 2;
  return [["Stack name", "Path"], ...rows].map(([name, where]) => `${name.padEnd(width)}${where}`);
}

function main(argv: readonly string[]): number {
  const [command, ...rest] = argv;
  if (command === undefined) {
    process.stderr.write("usage: tsx scripts/cdktf.ts <diff|deploy|list> [cdktf arguments]\n");
    return 1;
  }
  const env = cliEnvironment(process.env, Boolean(process.stdout.isTTY));
  if (GUARDED.has(command)) {
    const refusals = placeholderRefusals(rest.filter((argument) => !argument.startsWith("-")));
    if (refusals.length > 0) {
      process.stderr.write(`${[`refusing to ${command}: ${refusals.length} placeholder value(s) remain:`, ...refusals.map((line) => `  ${line}`)].join("\n")}\n`);
      return 1;
    }
  }
  const synth = spawnSync(process.execPath, [path.join(__dirname, "synth.cjs")], { stdio: ["ignore", command === "list" ? "ignore" : "inherit", "inherit"], env });
  if (synth.status !== 0) return synth.status ?? 1;
  if (command === "list") {
    listStacks(env.CDKTF_OUTDIR || "cdktf.out").forEach((line) => process.stdout.write(`${line}\n`));
    return 0;
  }
  return spawnSync("npx", ["--no-install", "cdktf", command, ...rest, "--skip-synth"], { stdio: "inherit", env }).status ?? 1;
}

if (require.main === module) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (error) {
    // A config error is already a complete, formatted message.
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
