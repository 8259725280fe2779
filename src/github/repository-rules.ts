/*
 * What the github stack enforces on the repository that is not per environment: the check a pull
 * request into main must pass, and the workflows the VPC runner group admits.
 */

/** The pull-request workflow's test job name, which is its check name; the ruleset of main requires it. */
export const REQUIRED_CHECK = "test and synth";

/**
 * The GitHub Actions app's id (`GET /apps/github-actions`): the ruleset accepts the required
 * check only from it, so no other app or commit status can satisfy it under the same name.
 */
export const GITHUB_ACTIONS_APP_ID = 15368;

/** The branch the pipeline deploys from. */
export const MAIN_BRANCH = "main";

/**
 * The workflow files, on main, whose jobs run on the self-hosted VPC runners. GitHub admits to a
 * runner group restricted to selected workflows "only jobs defined directly in the selected
 * workflow", so this names the reusable workflow that holds the seed jobs, not its caller.
 * __tests__/github checks that every workflow with a self-hosted job is listed here. The day-2
 * drill and drift workflows add one entry each.
 */
export const VPC_WORKFLOWS: readonly string[] = ["deploy-environment.yml", "drill.yml", "drift.yml"];

/** The `selected_workflows` entry of a workflow file: `<owner>/<repo>/.github/workflows/<file>@refs/heads/main`. */
export const selectedWorkflow = (repository: string, file: string) => `${repository}/.github/workflows/${file}@refs/heads/${MAIN_BRANCH}`;

/** GitHub's REST API; GITHUB_API_URL overrides it (GitHub Enterprise, or a loopback stand-in in tests). */
export const DEFAULT_GITHUB_API_URL = "https://api.github.com";
