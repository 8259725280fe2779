/*
 * deploy.yml: current-head -> environments (the list, from config/ at run time) -> deploy: one
 * matrix entry per environment, in deploy order, one at a time (max-parallel: 1), later ones
 * cancelled when one fails (fail-fast); each entry runs deploy-environment.yml.
 */
import { DEPLOY_ENVIRONMENT_FILE, ENVIRONMENT_INPUTS } from "./deploy-environment";
import { CURRENT_HEAD_SCRIPT, currentHeadStep, header, listJob, render, RUN_DEFAULTS, WORKFLOW_ENV, type Job } from "./shared";

const CALLER_FRESH_HEAD_CHECK = "needs.current-head.outputs.attempt == github.run_attempt";

/**
 * The deploy run's last job: a run is green only when this attempt checked the head of main and
 * deployed. "Re-run failed jobs" (or one job) keeps the first job's result from an earlier attempt,
 * so every job that queues for an environment is skipped, and the run would end green with nothing
 * done. This job then checks the head of main itself and fails, saying what to do instead.
 */
const VERDICT_SCRIPT = [
  'if [ "$HEAD_CHECK_RESULT" != "success" ]; then',
  '  echo "::error title=Nothing deployed::The head-of-main check stopped this run (its job says why)."',
  "  exit 1",
  "fi",
  'if [ "$HEAD_CHECKED_ATTEMPT" != "$GITHUB_RUN_ATTEMPT" ]; then',
  '  echo "Attempt $GITHUB_RUN_ATTEMPT re-ran only some jobs; the head of main was checked in attempt $HEAD_CHECKED_ATTEMPT. Checking it again:"',
  ...CURRENT_HEAD_SCRIPT.trimEnd().split("\n").filter((line) => !line.startsWith("echo \"This run deploys")).map((line) => `  ${line}`),
  '  echo "::error title=Re-run all jobs, not failed ones::Attempt $GITHUB_RUN_ATTEMPT re-ran only some jobs. The jobs that queue for an environment (plan, seed plan, seed approval, seed apply) run only in the attempt that checked the head of main, so they were skipped and their work was not done. Use \"Re-run all jobs\", or run the workflow on main."',
  "  exit 1",
  "fi",
  'case "$DEPLOY_RESULT" in',
  '  success) echo "Deployed $GITHUB_SHA to every environment of config/." ;;',
  "  skipped)",
  '    if [ "$ENVIRONMENT_LIST" = "[]" ]; then echo "config/ lists no environment: nothing to deploy."; exit 0; fi',
  '    echo "::error title=Nothing deployed::The environments were not deployed (the deploy job was skipped)."',
  "    exit 1 ;;",
  '  *) echo "::error title=Not every environment deployed::The deploy job ended $DEPLOY_RESULT: see the failed environment\x27s jobs."',
  "    exit 1 ;;",
  "esac",
  "",
].join("\n");

export function deployWorkflow(): string {
  const matrixEntry = (name: string) => `\${{ matrix.target.${name} }}`;
  const jobs: Record<string, Job> = {
    "current-head": {
      name: "deploy only the current head of main",
      // No concurrency group: a run of an older commit, a re-run or a dispatch of another branch
      // stops here, before it can take a place in an environment's queue.
      "runs-on": "ubuntu-24.04",
      "timeout-minutes": 10,
      permissions: { contents: "read" },
      outputs: { attempt: "${{ github.run_attempt }}" },
      steps: [currentHeadStep],
    },
    environments: listJob("deploy", { needs: ["current-head"], if: `\${{ ${CALLER_FRESH_HEAD_CHECK} }}` }),
    deploy: {
      name: "${{ matrix.target.environment }}",
      needs: ["current-head", "environments"],
      if: `\${{ ${CALLER_FRESH_HEAD_CHECK} && needs.environments.outputs.list != '[]' }}`,
      // The ceiling for the called jobs; each of them that uses it names its own environment.
      // actions: read: deploy order, and the production apply jobs check their approval in the run's review history.
      permissions: { actions: "read", contents: "read", "id-token": "write" },
      strategy: {
        matrix: { target: "${{ fromJSON(needs.environments.outputs.list) }}" },
        // One environment at a time, in the listed (deploy) order; a failure cancels the later ones.
        "max-parallel": 1,
        "fail-fast": true,
      },
      uses: `./.github/workflows/${DEPLOY_ENVIRONMENT_FILE}`,
      with: {
        ...Object.fromEntries(Object.keys(ENVIRONMENT_INPUTS).filter((name) => name !== "head_checked_attempt").map((name) => [name, matrixEntry(name)])),
        head_checked_attempt: "${{ needs.current-head.outputs.attempt }}",
      },
      // The called jobs read their GitHub environment's secrets. GitHub's docs say a called job
      // with `environment:` gets them anyway; some report them empty without this. No repository
      // secret exists by design, so inheriting adds nothing else; required-secrets.ts names any
      // that still arrive empty.
      secrets: "inherit",
    },
    verdict: {
      name: "deployed in this attempt",
      needs: ["current-head", "environments", "deploy"],
      if: "${{ always() }}",
      "runs-on": "ubuntu-24.04",
      "timeout-minutes": 5,
      permissions: { contents: "read" },
      steps: [
        {
          name: "Fail unless this attempt checked the head of main and deployed",
          env: {
            GH_TOKEN: "${{ github.token }}",
            HEAD_CHECK_RESULT: "${{ needs.current-head.result }}",
            HEAD_CHECKED_ATTEMPT: "${{ needs.current-head.outputs.attempt }}",
            DEPLOY_RESULT: "${{ needs.deploy.result }}",
            ENVIRONMENT_LIST: "${{ needs.environments.outputs.list }}",
          },
          run: VERDICT_SCRIPT,
        },
      ],
    },
  };
  const workflow = { name: "deploy", on: { push: { branches: ["main"] }, workflow_dispatch: {} }, permissions: {}, defaults: RUN_DEFAULTS, env: WORKFLOW_ENV, jobs };
  return (
    header([
      "Deploys every environment of config/, one at a time in deploy order (ci.deployAfter; by default non-production",
      "first): each runs deploy-environment.yml. A failure (a refused plan, a missing runner label) stops the later ones.",
      "No workflow-level concurrency: each environment has its own group, so a waiting prod approval never blocks dev,",
      "and only a newer commit of main replaces a pending job. Set-up: docs/ci-cd.md.",
    ]) + render(workflow)
  );
}

