/*
 * The environments the workflows run for, read from config/ at run time: the deploy workflow's
 * matrix (every environment, in deploy order) and the pull-request workflow's (production: false
 * only). So the workflow files are the same whatever config/ holds, and a new config/<env>.json is
 * planned and deployed with no workflow edit.
 *
 *   npx tsx .github/scripts/environments.ts deploy|pull-request [--config-dir <dir>]
 *
 * Writes `list=<JSON array>` (and `names`, `later`) to $GITHUB_OUTPUT, and the list to stdout.
 * An invalid environment file (or a ci.deployAfter naming no environment, or a cycle) fails here,
 * before any environment is planned.
 */
import * as fs from "node:fs";
import { parseArgs } from "node:util";
import { environmentEntry, type EnvironmentEntry } from "./environment-entry";
import { pipelineEnvironments, type PipelineEnvironment } from "./pipeline";

export { environmentEntry, MISSING_RUNNER_LABEL, type EnvironmentEntry } from "./environment-entry";

export type ListMode = "deploy" | "pull-request";

/** The matrix of `mode` from environments in deploy order: deploy: all of them; pull-request: those pull requests plan (ci.pullRequestPlan, default: production: false). */
function entriesFor(mode: ListMode, all: readonly PipelineEnvironment[]): EnvironmentEntry[] {
  return (mode === "deploy" ? all : all.filter((environment) => environment.pullRequestPlan)).map(environmentEntry);
}

/** The matrix of `mode` for the environment files of `configDir`. */
export function environmentList(mode: ListMode, configDir = "config"): EnvironmentEntry[] {
  return entriesFor(mode, pipelineEnvironments(configDir));
}

function main(argv: readonly string[]): number {
  const { values, positionals } = parseArgs({ args: [...argv], allowPositionals: true, options: { "config-dir": { type: "string", default: "config" } } });
  const [mode] = positionals;
  if (mode !== "deploy" && mode !== "pull-request") {
    process.stderr.write("usage: environments.ts deploy|pull-request [--config-dir <dir>]\n");
    return 1;
  }
  // Read and checked once: every file, with every rule.
  const all = pipelineEnvironments(values["config-dir"]);
  const list = entriesFor(mode, all);
  const names = list.map((entry) => entry.environment).join(", ");
  const later = all.filter((environment) => !environment.pullRequestPlan).map((environment) => environment.name).join(", ");
  if (process.env.GITHUB_OUTPUT) {
    fs.appendFileSync(process.env.GITHUB_OUTPUT, `list=${JSON.stringify(list)}\nnames=${names}\nlater=${later}\n`);
  }
  process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
