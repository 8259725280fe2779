/*
 * The environments the workflows run for, read from config/ at run time: the deploy workflow's
 * matrix (every environment, in deploy order) and the pull-request workflow's (production: false
 * only). So the workflow files are the same whatever config/ holds, and a new config/<env>.json is
 * planned and deployed with no workflow edit.
 *
 *   npx tsx .github/scripts/environments.ts deploy|pull-request|ready [--config-dir <dir>]
 *
 * ready: the environments set up for real (no placeholder, remote state, a runner label: the
 * deploy preflight passes), for the day-2 workflows (drill.yml, drift.yml); `later` then names
 * the ones left out and why they are.
 *
 * Writes `list=<JSON array>` (and `names`, `later`) to $GITHUB_OUTPUT, and the list to stdout.
 * An invalid environment file (or a ci.deployAfter naming no environment, or a cycle) fails here,
 * before any environment is planned.
 */
import * as fs from "node:fs";
import { parseArgs } from "node:util";
import { environmentEntry, type EnvironmentEntry } from "./environment-entry";
import { pipelineEnvironments, type PipelineEnvironment } from "./pipeline";
import { preflightProblems } from "./preflight";

export { environmentEntry, MISSING_RUNNER_LABEL, type EnvironmentEntry } from "./environment-entry";

export type ListMode = "deploy" | "pull-request" | "ready";
const LIST_MODES: readonly string[] = ["deploy", "pull-request", "ready"] satisfies ListMode[];

/** Set up for real: what the deploy preflight would let through. */
const isReady = (environment: PipelineEnvironment, configDir: string) => preflightProblems(environment.name, "deploy", configDir).length === 0;

/** The matrix of `mode` from environments in deploy order: deploy: all of them; pull-request: those pull requests plan (ci.pullRequestPlan, default: production: false); ready: those set up for real. */
function entriesFor(mode: ListMode, all: readonly PipelineEnvironment[], configDir = "config"): EnvironmentEntry[] {
  const chosen = mode === "deploy" ? all : mode === "pull-request" ? all.filter((environment) => environment.pullRequestPlan) : all.filter((environment) => isReady(environment, configDir));
  return chosen.map(environmentEntry);
}

/** The matrix of `mode` for the environment files of `configDir`. */
export function environmentList(mode: ListMode, configDir = "config"): EnvironmentEntry[] {
  return entriesFor(mode, pipelineEnvironments(configDir), configDir);
}

function main(argv: readonly string[]): number {
  const { values, positionals } = parseArgs({ args: [...argv], allowPositionals: true, options: { "config-dir": { type: "string", default: "config" } } });
  const [mode] = positionals;
  if (!LIST_MODES.includes(mode)) {
    process.stderr.write("usage: environments.ts deploy|pull-request|ready [--config-dir <dir>]\n");
    return 1;
  }
  // Read and checked once: every file, with every rule.
  const all = pipelineEnvironments(values["config-dir"]);
  const list = entriesFor(mode as ListMode, all, values["config-dir"]);
  const names = list.map((entry) => entry.environment).join(", ");
  const later =
    mode === "ready"
      ? all.filter((environment) => !list.some((entry) => entry.environment === environment.name)).map((environment) => `${environment.name} (not set up: placeholders, local state or no runner label)`).join(", ")
      : all.filter((environment) => !environment.pullRequestPlan).map((environment) => environment.name).join(", ");
  if (process.env.GITHUB_OUTPUT) {
    fs.appendFileSync(process.env.GITHUB_OUTPUT, `list=${JSON.stringify(list)}\nnames=${names}\nlater=${later}\n`);
  }
  process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
