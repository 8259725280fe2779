/*
 * Renders the three workflow files, which are the same whatever config/ holds, and the trust
 * policies of docs/ci-cd.md, which are per environment (documentation, not workflow). One file
 * per workflow in workflows/ (shared.ts holds what they share; queued-job.ts builds every job
 * that joins an environment's queue or changes anything):
 *
 *   deploy.yml              current-head -> environments (the list, from config/ at run time) ->
 *                           deploy: one matrix entry per environment, in deploy order, one at a
 *                           time (max-parallel: 1), later ones cancelled when one fails (fail-fast)
 *   deploy-environment.yml  one environment's jobs (plan, apply, seed plan, seed approval, seed
 *                           apply), called with that environment's values as inputs
 *   pull-request.yml        tests, then one plan job per production: false environment (a matrix
 *                           over the list), each under its own <env>-plan environment
 *   drill.yml               monthly restore drill per environment set up for real (<env>-drill)
 *   drift.yml               nightly read-only plan and seed plan per environment, one issue each
 *
 *   npx tsx .github/scripts/workflows.ts write [config-dir] [workflow-dir] [doc-file]   regenerate
 *   npx tsx .github/scripts/workflows.ts check [config-dir] [workflow-dir] [doc-file]   exit 1 when stale
 *
 * A new config/<env>.json therefore needs no workflow edit: the environments job lists it, and
 * the matrix runs it. Its trust policies appear in docs/ci-cd.md on the next `write`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { pipelineEnvironments } from "./pipeline";
import { trustPolicySection } from "./trust-policies";
import { deployWorkflow } from "./workflows/deploy";
import { DEPLOY_ENVIRONMENT_FILE, deployEnvironmentWorkflow } from "./workflows/deploy-environment";
import { DRIFT_FILE, driftWorkflow } from "./workflows/drift";
import { DRILL_FILE, drillWorkflow } from "./workflows/drill";
import { pullRequestWorkflow } from "./workflows/pull-request";

export { TERRAFORM_VERSION } from "./workflows/shared";

/** The workflow files, by file name: the same whatever config/ holds. */
export function generateWorkflows(): Record<string, string> {
  return {
    "deploy.yml": deployWorkflow(),
    [DEPLOY_ENVIRONMENT_FILE]: deployEnvironmentWorkflow(),
    "pull-request.yml": pullRequestWorkflow(),
    [DRILL_FILE]: drillWorkflow(),
    [DRIFT_FILE]: driftWorkflow(),
  };
}

const CI_DOC = path.join("docs", "ci-cd.md");
const TRUST_SECTION = /(<!-- trust-policies:begin -->\n)[\s\S]*(<!-- trust-policies:end -->)/;

/** Every file `write` produces: the workflows, and docs/ci-cd.md with the trust policies of config/'s environments. */
export function generatedFiles(configDir = "config", workflowDir = path.join(".github", "workflows"), docFile = CI_DOC): Record<string, string> {
  const files: Record<string, string> = {};
  for (const [file, text] of Object.entries(generateWorkflows())) files[path.join(workflowDir, file)] = text;
  const doc = fs.readFileSync(docFile, "utf8");
  files[docFile] = doc.replace(TRUST_SECTION, (_all, begin: string, end: string) => `${begin}${trustPolicySection(pipelineEnvironments(configDir))}${end}`);
  return files;
}

/** The generated files that differ from what `write` would produce now. */
export function staleWorkflows(configDir = "config", workflowDir = path.join(".github", "workflows"), docFile = CI_DOC): string[] {
  return Object.entries(generatedFiles(configDir, workflowDir, docFile))
    .filter(([file, text]) => !fs.existsSync(file) || fs.readFileSync(file, "utf8") !== text)
    .map(([file]) => path.basename(file));
}

function main(argv: readonly string[]): number {
  const [command, configDir = "config", workflowDir = path.join(".github", "workflows"), docFile = CI_DOC] = argv;
  if (command === "write") {
    for (const [file, text] of Object.entries(generatedFiles(configDir, workflowDir, docFile))) fs.writeFileSync(file, text);
    process.stdout.write(`wrote ${Object.keys(generateWorkflows()).join(", ")} in ${workflowDir}/ and the trust policies of ${docFile} from ${configDir}/\n`);
    return 0;
  }
  if (command === "check") {
    const stale = staleWorkflows(configDir, workflowDir, docFile);
    for (const file of stale) {
      const where = file === path.basename(docFile) ? docFile : `${workflowDir}/${file}`;
      process.stdout.write(`::error file=${where}::${file} is not what \`npx tsx .github/scripts/workflows.ts write\` produces: run it and commit the result\n`);
    }
    return stale.length === 0 ? 0 : 1;
  }
  process.stderr.write("usage: workflows.ts write|check [config-dir] [workflow-dir] [doc-file]\n");
  return 1;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
