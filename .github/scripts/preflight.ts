/*
 * Runs first in every plan and apply job, before any credential is requested: refuses an
 * environment that CI cannot plan or deploy for real.
 * - committed placeholders (role ARNs, account id, network ids, state bucket, e-mail addresses):
 *   a plan against them means nothing, and an apply would fail half way;
 * - a local state backend: the runner is thrown away after the job, and the state with it;
 * - (deploy) no ci.runnerLabel: the seed jobs could never start. Stopping here stops this
 *   environment and every one after it before anything of theirs is applied.
 *
 *   npx tsx .github/scripts/preflight.ts <environment> --mode deploy|pull-request [--summary-file <md>] [--config-dir <dir>]
 *
 * deploy: each problem is an ::error:: and the job fails. pull-request: the plan is skipped with a
 * notice (the output `ready=false`, and a line in the summary file), so pull requests stay green
 * while an environment is not set up yet.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { stackName } from "../../src/environment/names";
import { resolveEnvironments } from "../../src/environment/resolve";
import { placeholderReport } from "../../src/config/placeholders";
import { pipelineEnvironment } from "./pipeline";

export type PreflightMode = "deploy" | "pull-request";

/** Every reason CI must not plan or deploy `environment`; empty when it may. */
export function preflightProblems(environment: string, mode: PreflightMode, configDir = "config"): string[] {
  const found = resolveEnvironments(configDir).find(({ config }) => config.environment === environment);
  if (!found) return [`no environment "${environment}" in ${configDir}/`];
  const { file, config } = found;
  const pipeline = pipelineEnvironment(found);
  // The runner label gets its own, more specific line below (deploys only: a plan needs no runner).
  const problems = placeholderReport(file, config).filter((line) => !line.startsWith(`${file}: ci.runnerLabel `));
  if (config.state === undefined) {
    problems.push(`${file}: no "state" section, so the state would live on the runner and be lost after the job; set "state": {"bucket": ...}.`);
  }
  if (pipeline.runnerLabel === undefined && mode === "deploy") {
    problems.push(`${file}: ci.runnerLabel: the seed jobs need the label of a self-hosted runner inside this environment's VPC (docs/ci-cd.md); this environment and those after it are not deployed.`);
  }
  return problems;
}

function main(argv: readonly string[]): number {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: { mode: { type: "string" }, "summary-file": { type: "string" }, "config-dir": { type: "string", default: "config" } },
  });
  const [environment] = positionals;
  const mode = values.mode;
  if (!environment || (mode !== "deploy" && mode !== "pull-request")) {
    process.stderr.write("usage: preflight.ts <environment> --mode deploy|pull-request [--summary-file <md>] [--config-dir <dir>]\n");
    return 1;
  }
  const problems = preflightProblems(environment, mode, values["config-dir"]);
  const ready = problems.length === 0;
  if (process.env.GITHUB_OUTPUT) fs.appendFileSync(process.env.GITHUB_OUTPUT, `ready=${ready}\n`);
  const stack = stackName(environment);
  if (ready) {
    process.stdout.write(`${stack}: no placeholders, remote state${mode === "deploy" ? ", a runner label" : ""}: ready\n`);
    return 0;
  }
  const level = mode === "deploy" ? "error" : "notice";
  for (const problem of problems) process.stdout.write(`::${level} title=${stack} not ${mode === "deploy" ? "deployed" : "planned"}::${problem}\n`);
  if (values["summary-file"]) {
    fs.mkdirSync(path.dirname(values["summary-file"]), { recursive: true });
    fs.writeFileSync(values["summary-file"], [`#### \`${stack}\`: not planned`, "", ...problems.map((problem) => `- ${problem}`), ""].join("\n"));
  }
  return mode === "deploy" ? 1 : 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
