/*
 * drift.yml: the nightly drift report (docs/operations.md). For each environment set up for real:
 * a read-only plan (<env>-plan, the plan role, -lock=false, -detailed-exitcode) reduced in memory
 * to facts without values, and seed plan on the environment's runner (<env>-seed); then one job
 * with no cloud credential and only `issues: write` joins them and keeps one issue per environment.
 */
import { githubEnvironmentName } from "../../../src/environment/names";
import { issueReportJob } from "./issue-report-job";
import {
  ACTIONS,
  ATLAS_ENV,
  awsCredentials,
  checkout,
  environmentEnv,
  fromMatrix,
  header,
  install,
  LIMITS,
  listJob,
  render,
  setupNode,
  setupTerraform,
  STACK_DIR,
  synth,
  terraformInit,
  value,
  RUN_DEFAULTS,
  WORKFLOW_ENV,
  type Job,
} from "./shared";

export const DRIFT_FILE = "drift.yml";
/** 02:30 UTC every night. */
export const DRIFT_SCHEDULE = "30 2 * * *";
const FACTS_DIR = "drift-facts";

const matrix = { matrix: { target: "${{ fromJSON(needs.environments.outputs.list) }}" }, "fail-fast": false };
const whenListed = "${{ needs.environments.outputs.list != '[]' }}";

const PLAN_SCRIPT = [
  // -detailed-exitcode: 0 no changes, 1 error, 2 changes; the report tells drift from pending changes.
  "set +e",
  "terraform plan -input=false -no-color -lock=false -detailed-exitcode -out=drift.tfplan",
  "code=$?",
  "set -e",
  'cd "$GITHUB_WORKSPACE"',
  // The plan JSON stays in the script's memory; only addresses, actions and values as the approvers' summary prints them (sensitive ones masked) are written.
  'npx tsx .github/scripts/drift-report.ts plan-facts --environment "$ENVIRONMENT" --stack "$STACK" --plan-exit "$code" --dir "$STACK_DIR" --plan drift.tfplan --out "drift-facts/$ENVIRONMENT.plan.json"',
  'rm -f "$STACK_DIR/drift.tfplan"',
  "",
].join("\n");

const SEED_SCRIPT = [
  "set +e",
  'npm run --silent seed -- plan --secret-id "$SEED_SECRET_ID" > seed-plan.txt 2>&1',
  "code=$?",
  "set -e",
  "cat seed-plan.txt",
  'npx tsx .github/scripts/drift-report.ts seed-facts --environment "$ENVIRONMENT" --seed-exit "$code" --seed-output seed-plan.txt --out "drift-facts/$ENVIRONMENT.seed.json"',
  "",
].join("\n");

function upload(kind: "plan" | "seed"): Record<string, unknown> {
  return {
    name: `Upload the ${kind} facts (addresses, actions, names; no value)`,
    if: "${{ always() }}",
    uses: ACTIONS.uploadArtifact.ref,
    with: { name: `drift-${kind}-${value(fromMatrix, "environment")}`, path: `${FACTS_DIR}/`, "if-no-files-found": "ignore", "retention-days": 7 },
  };
}

export function driftWorkflow(): string {
  const environment = value(fromMatrix, "environment");
  const jobs: Record<string, Job> = {
    environments: listJob("ready"),
    plan: {
      name: `plan ${value(fromMatrix, "stack")} (read-only)`,
      needs: ["environments"],
      if: whenListed,
      strategy: matrix,
      "runs-on": "ubuntu-24.04",
      "timeout-minutes": LIMITS.plan.timeoutMinutes,
      // The read-only plan role and the Atlas plan key only.
      environment: githubEnvironmentName(environment, "plan"),
      permissions: { contents: "read", "id-token": "write" },
      env: environmentEnv(fromMatrix),
      steps: [
        checkout,
        setupNode,
        install,
        setupTerraform,
        synth,
        awsCredentials("plan", fromMatrix, LIMITS.plan.sessionSeconds),
        terraformInit(),
        { name: "terraform plan -detailed-exitcode -lock=false, reduced to facts", "working-directory": STACK_DIR, env: ATLAS_ENV, run: PLAN_SCRIPT },
        upload("plan"),
      ],
    },
    "seed-plan": {
      name: `seed plan ${value(fromMatrix, "stack")}`,
      needs: ["environments"],
      if: whenListed,
      strategy: matrix,
      // The cluster's PrivateLink hostname resolves only inside the VPC.
      "runs-on": ["self-hosted", value(fromMatrix, "runner_label")],
      "timeout-minutes": LIMITS.seedPlan.timeoutMinutes,
      // The seed role is the only identity besides the application's the database admits; only `seed plan` runs with it.
      environment: githubEnvironmentName(environment, "seed"),
      permissions: { contents: "read", "id-token": "write" },
      env: { ...environmentEnv(fromMatrix), AWS_REGION: value(fromMatrix, "region") },
      steps: [checkout, setupNode, install, awsCredentials("seed", fromMatrix, LIMITS.seedPlan.sessionSeconds), { name: "seed plan (never writes), reduced to facts", run: SEED_SCRIPT }, upload("seed")],
    },
    report: issueReportJob({
      name: "report: one issue per drifted environment",
      needs: ["environments", "plan", "seed-plan"],
      artifacts: "drift-*",
      directory: FACTS_DIR,
      stepName: "Open, update or close each environment's drift issue",
      run: `npx tsx .github/scripts/drift-report.ts sync --facts ${FACTS_DIR}`,
    }),
  };
  const workflow = {
    name: "drift",
    on: { schedule: [{ cron: DRIFT_SCHEDULE }], workflow_dispatch: {} },
    permissions: {},
    defaults: RUN_DEFAULTS,
    concurrency: { group: "drift", "cancel-in-progress": false },
    env: WORKFLOW_ENV,
    jobs,
  };
  return (
    header([
      "The nightly drift report (docs/operations.md): each environment set up for real is planned read-only (its plan role,",
      "-lock=false) and seed-planned; changes made outside Terraform are told apart from changes merged but not applied, and",
      "kept in one issue per environment (label drift). Only the report job may write (issues). Set-up: docs/ci-cd.md.",
    ]) + render(workflow)
  );
}
