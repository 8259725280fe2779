/*
 * Refuses to deploy a synthesized stack that cannot be deployed from CI:
 * - a local state backend: the runner is thrown away after the job, and with it the state, so the
 *   next run would try to create everything again (and fail on names Atlas already holds);
 * - committed placeholder ids (network ids, example e-mail addresses): the apply would fail half way,
 *   after creating the Atlas project.
 * Runs after `npm run synth`, before `cdktf deploy --skip-synth`, so what is checked is what deploys.
 *
 *   npx tsx .github/scripts/preflight.ts <stack> [cdktf-out]
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { loadEnvironments } from "../../src/config/load-environment";
import { placeholderReport } from "../../src/config/placeholders";
import { stackName } from "../../src/stacks/database-stack";

interface Manifest {
  readonly stacks: Record<
    string,
    {
      readonly synthesizedStackPath: string;
      readonly workingDirectory: string;
      readonly annotations: ReadonlyArray<{ readonly level: string; readonly message: string }>;
    }
  >;
}

/** Every reason the stack must not be deployed from CI; empty when it may. */
export function preflightProblems(outdir: string, stack: string, configDir = "config"): string[] {
  const manifestFile = path.join(outdir, "manifest.json");
  if (!fs.existsSync(manifestFile)) return [`${manifestFile} does not exist: run \`npm run synth\` first`];
  const manifest = JSON.parse(fs.readFileSync(manifestFile, "utf8")) as Manifest;
  const entry = manifest.stacks[stack];
  if (!entry) return [`stack ${stack} is not in ${manifestFile} (stacks: ${Object.keys(manifest.stacks).join(", ")})`];

  const problems: string[] = [];
  const stackJson = path.join(outdir, entry.workingDirectory, "cdk.tf.json");
  const json = JSON.parse(fs.readFileSync(stackJson, "utf8")) as { terraform?: { backend?: Record<string, unknown> } };
  const backend = Object.keys(json.terraform?.backend ?? {})[0] ?? "local";
  if (backend === "local") {
    problems.push(
      `${stack} keeps its state in a local file, which a CI runner does not keep: set "state": {"bucket": ...} in its environment file so the state lives in S3.`,
    );
  }
  // Placeholders come from the environment files themselves (the same check `npm run diff` makes).
  const environment = loadEnvironments(configDir).find(({ config }) => stackName(config.environment) === stack);
  if (environment) problems.push(...placeholderReport(environment.file, environment.config));
  return problems;
}

function main(argv: readonly string[]): number {
  const [stack, outdir = "cdktf.out"] = argv;
  if (!stack) {
    process.stderr.write("usage: preflight.ts <stack> [cdktf-out]\n");
    return 1;
  }
  const problems = preflightProblems(outdir, stack);
  // ::error:: lines become annotations on the run page.
  for (const problem of problems) process.stdout.write(`::error title=${stack} cannot be deployed::${problem}\n`);
  if (problems.length === 0) process.stdout.write(`${stack}: remote state, no placeholders: ready to deploy\n`);
  return problems.length === 0 ? 0 : 1;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
