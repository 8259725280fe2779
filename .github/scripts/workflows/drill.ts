/*
 * drill.yml: the monthly restore drill of every environment set up for real (and one by hand):
 * environments (the `ready` list, from config/ at run time) -> drill: one matrix entry per
 * environment, on that environment's self-hosted runner, under its <env>-drill environment, which
 * holds only the drill's Atlas key. No AWS role. Then one report job, without credentials and with
 * only `issues: write`, keeps one issue per environment whose drill did not pass.
 */
import { githubEnvironmentName } from "../../../src/environment/names";
import { issueReportJob } from "./issue-report-job";
import { ACTIONS, checkout, environmentEnv, fromMatrix, header, install, listJob, render, setupNode, RUN_DEFAULTS, value, WORKFLOW_ENV, type Job } from "./shared";

export const DRILL_FILE = "drill.yml";

/** The drill's own limits (src/drill/main.ts defaults) plus margin: the job outlives the drill's clean-up. */
export const DRILL_LIMITS = {
  /** --timeout-ms, minutes */
  drillMinutes: 180,
  /** --cleanup-timeout-ms, minutes */
  cleanupMinutes: 45,
  /** The job: the two above, and 15 minutes for checkout, install and the last clean-up step. */
  jobMinutes: 240,
} as const;

/** 06:00 UTC on the 3rd of each month (cron cannot say "first Tuesday": day-of-month and day-of-week are OR-ed). */
export const DRILL_SCHEDULE = "0 6 3 * *";

const DRILL_SCRIPT = [
  'if [ -n "$SELECTED" ] && [ "$SELECTED" != "$ENVIRONMENT" ]; then',
  '  echo "Only $SELECTED was asked for: $ENVIRONMENT is not drilled in this run."',
  "  exit 0",
  "fi",
  'args=("$ENVIRONMENT" --run-id "$RUN_ID" --report-file "drill-report-$ENVIRONMENT.json" --timeout-ms "$TIMEOUT_MS" --cleanup-timeout-ms "$CLEANUP_TIMEOUT_MS")',
  'if [ -n "$DRILL_AT" ]; then args+=(--at "$DRILL_AT"); fi',
  // The schedule is the standing decision to drill production monthly; by hand it is a tick box.
  'if [ "$PRODUCTION" = "true" ] && { [ "$GITHUB_EVENT_NAME" = "schedule" ] || [ "$CONFIRM_PRODUCTION" = "true" ]; }; then args+=(--confirm-production); fi',
  // exec: SIGINT and SIGTERM of a cancelled job reach the drill, which then deletes its cluster.
  'exec npm run --silent drill -- "${args[@]}"',
  "",
].join("\n");

const CLEANUP_SCRIPT = [
  'if [ -n "$SELECTED" ] && [ "$SELECTED" != "$ENVIRONMENT" ]; then exit 0; fi',
  'npm run --silent drill -- "$ENVIRONMENT" --cleanup-only --run-id "$RUN_ID" --report-file "drill-cleanup-$ENVIRONMENT.json"',
  "",
].join("\n");

function drillJob(): Job {
  const environment = value(fromMatrix, "environment");
  return {
    name: `drill ${environment}`,
    needs: ["environments"],
    if: "${{ needs.environments.outputs.list != '[]' }}",
    strategy: { matrix: { target: "${{ fromJSON(needs.environments.outputs.list) }}" }, "fail-fast": false },
    // The verification reaches the clusters through their PrivateLink hostnames, routable only
    // inside the VPC. A label from config/ (environment variables do not resolve in runs-on).
    "runs-on": ["self-hosted", value(fromMatrix, "runner_label")],
    "timeout-minutes": DRILL_LIMITS.jobMinutes,
    // Holds only the drill's Atlas key (Project Owner of this environment's project); main only.
    environment: githubEnvironmentName(environment, "drill"),
    // One drill per environment at a time (the drill refuses a second one too); never cancelled by the next.
    concurrency: { group: `drill-${environment}`, "cancel-in-progress": false },
    // No id-token: the drill assumes no AWS role. No write permission.
    permissions: { contents: "read" },
    env: {
      ...environmentEnv(fromMatrix),
      PRODUCTION: value(fromMatrix, "production"),
      RUN_ID: "${{ github.run_id }}-${{ github.run_attempt }}",
      SELECTED: "${{ inputs.environment }}",
      DRILL_AT: "${{ inputs.at }}",
      CONFIRM_PRODUCTION: "${{ inputs.confirm_production }}",
      TIMEOUT_MS: String(DRILL_LIMITS.drillMinutes * 60_000),
      CLEANUP_TIMEOUT_MS: String(DRILL_LIMITS.cleanupMinutes * 60_000),
    },
    steps: [
      checkout,
      setupNode,
      install,
      {
        name: "Restore drill: create drill-<run id>, restore, verify, delete (RTO and RPO into the job summary)",
        env: { MONGODB_ATLAS_PUBLIC_API_KEY: "${{ secrets.ATLAS_DRILL_PUBLIC_API_KEY }}", MONGODB_ATLAS_PRIVATE_API_KEY: "${{ secrets.ATLAS_DRILL_PRIVATE_API_KEY }}" },
        run: DRILL_SCRIPT,
      },
      {
        // A drill killed before its own clean-up ended (the runner's SIGKILL 7.5 s after SIGTERM) leaves its cluster.
        name: "Delete what this run's drill left, if anything (also after a cancel)",
        if: "${{ always() }}",
        env: { MONGODB_ATLAS_PUBLIC_API_KEY: "${{ secrets.ATLAS_DRILL_PUBLIC_API_KEY }}", MONGODB_ATLAS_PRIVATE_API_KEY: "${{ secrets.ATLAS_DRILL_PRIVATE_API_KEY }}" },
        run: CLEANUP_SCRIPT,
      },
      {
        name: "Upload the drill report (RTO, RPO, steps; no secret)",
        if: "${{ always() }}",
        uses: ACTIONS.uploadArtifact.ref,
        with: { name: `drill-report-${environment}`, path: "drill-report-*.json\ndrill-cleanup-*.json\n", "if-no-files-found": "ignore", "retention-days": 90 },
      },
    ],
  };
}

function reportJob(): Job {
  return issueReportJob({
    name: "report: one issue per environment whose drill did not pass",
    needs: ["environments", "drill"],
    artifacts: "drill-report-*",
    directory: "drill-reports",
    stepName: "Open, update or close each environment's drill issue",
    run: "npx tsx .github/scripts/drill-report.ts sync --reports drill-reports",
  });
}

export function drillWorkflow(): string {
  const workflow = {
    name: "drill",
    on: {
      schedule: [{ cron: DRILL_SCHEDULE }],
      workflow_dispatch: {
        inputs: {
          environment: { description: "one environment of config/ (empty: every environment set up for real)", type: "string", required: false, default: "" },
          at: { description: "restore this UTC point in time (e.g. 2026-12-01T09:30:00Z) instead of the latest snapshot", type: "string", required: false, default: "" },
          confirm_production: { description: "also drill production environments (a restore of production data into a temporary cluster)", type: "boolean", required: false, default: false },
        },
      },
    },
    permissions: {},
    defaults: RUN_DEFAULTS,
    env: WORKFLOW_ENV,
    jobs: { environments: listJob("ready"), drill: drillJob(), report: reportJob() },
  };
  return (
    header([
      "The monthly restore drill (docs/operations.md): for each environment set up for real, npm run drill restores the",
      "latest snapshot into a temporary cluster drill-<run id>, verifies it, records RTO and RPO, and deletes it in every",
      "outcome. Runs on the environment's self-hosted runner under <env>-drill (the drill's Atlas key only). Set-up: docs/ci-cd.md.",
    ]) + render(workflow)
  );
}
