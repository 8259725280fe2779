/*
 * deploy.yml: current-head -> environments (the list, from config/ at run time) -> deploy: one
 * matrix entry per environment, in deploy order, one at a time (max-parallel: 1), later ones
 * cancelled when one fails (fail-fast); each entry runs deploy-environment.yml.
 */
import { DEPLOY_ENVIRONMENT_FILE, ENVIRONMENT_INPUTS } from "./deploy-environment";
import { currentHeadStep, header, listJob, render, WORKFLOW_ENV, type Job } from "./shared";

const CALLER_FRESH_HEAD_CHECK = "needs.current-head.outputs.attempt == github.run_attempt";

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
      // actions: read: the production apply jobs check their approval in the run's review history.
      permissions: { contents: "read", actions: "read", "id-token": "write" },
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
    },
  };
  const workflow = { name: "deploy", on: { push: { branches: ["main"] }, workflow_dispatch: {} }, permissions: {}, env: WORKFLOW_ENV, jobs };
  return (
    header([
      "Deploys every environment of config/, one at a time in deploy order (ci.deployAfter; by default non-production",
      "first): each runs deploy-environment.yml. A failure (a refused plan, a missing runner label) stops the later ones.",
      "No workflow-level concurrency: each environment has its own group, so a waiting prod approval never blocks dev,",
      "and only a newer commit of main replaces a pending job. Set-up: docs/ci-cd.md.",
    ]) + render(workflow)
  );
}

