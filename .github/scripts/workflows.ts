/*
 * Renders the three workflow files, which are the same whatever config/ holds, and the trust
 * policies of docs/ci-cd.md, which are per environment (documentation, not workflow):
 *
 *   deploy.yml              current-head -> environments (the list, from config/ at run time) ->
 *                           deploy: one matrix entry per environment, in deploy order, one at a
 *                           time (max-parallel: 1), later ones cancelled when one fails (fail-fast)
 *   deploy-environment.yml  one environment's jobs (plan, apply, seed plan, seed approval, seed
 *                           apply), called with that environment's values as inputs
 *   pull-request.yml        tests, then one plan job per production: false environment (a matrix
 *                           over the list), each under its own <env>-plan environment
 *
 *   npx tsx .github/scripts/workflows.ts write [config-dir] [workflow-dir] [doc-file]   regenerate
 *   npx tsx .github/scripts/workflows.ts check [config-dir] [workflow-dir] [doc-file]   exit 1 when stale
 *
 * A new config/<env>.json therefore needs no workflow edit: the environments job lists it, and
 * the matrix runs it. Its trust policies appear in docs/ci-cd.md on the next `write`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import { CI_LIMITS as LIMITS } from "../../src/environment/ci-roles";
import { githubEnvironmentName } from "../../src/environment/names";
import { REQUIRED_CHECK } from "../../src/github/repository-rules";
import { entryEnv, entryInputs } from "./environment-entry";
import { pipelineEnvironments } from "./pipeline";
import { trustPolicySection } from "./trust-policies";

/** Third-party actions, pinned to full commit SHAs (a tag can be moved to other code, a SHA cannot). */
export const ACTIONS = {
  checkout: { ref: "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683", version: "v4.2.2" },
  setupNode: { ref: "actions/setup-node@49933ea5288caeca8642d1e84afbd3f7d6820020", version: "v4.4.0" },
  setupTerraform: { ref: "hashicorp/setup-terraform@b9cd54a3c349d3f38e8881555d616ced269862dd", version: "v3.1.2" },
  awsCredentials: { ref: "aws-actions/configure-aws-credentials@b47578312673ae6fa5b5096b330d9fbac3d116df", version: "v4.2.1" },
  uploadArtifact: { ref: "actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02", version: "v4.6.2" },
  downloadArtifact: { ref: "actions/download-artifact@d3f86a106a0bac45b974a628896c90dbdf5c8093", version: "v4.3.0" },
  githubScript: { ref: "actions/github-script@60a0d83039c74a4aee543508d2ffcb1c3799cdea", version: "v7.0.1" },
} as const;

/** The Terraform the tests run; __tests__/delivery checks the two agree. */
export const TERRAFORM_VERSION = "1.11.4";

type Step = Record<string, unknown>;
type Job = Record<string, unknown>;

const checkout: Step = { uses: ACTIONS.checkout.ref, with: { "persist-credentials": false } };
const setupNode: Step = { uses: ACTIONS.setupNode.ref, with: { "node-version": "${{ env.NODE_VERSION }}", cache: "npm" } };
// The wrapper rewrites terraform's stdout and exit codes; the scripts need the real ones.
const setupTerraform: Step = { uses: ACTIONS.setupTerraform.ref, with: { terraform_version: "${{ env.TERRAFORM_VERSION }}", terraform_wrapper: false } };
const install: Step = { name: "Install (lockfile)", run: "npm ci --no-audit --no-fund" };
const synth: Step = { name: "Synthesize", run: "npm run synth" };

/** The only step env that carries Atlas credentials: environment secrets of the job's environment. */
const ATLAS_ENV = {
  MONGODB_ATLAS_PUBLIC_API_KEY: "${{ secrets.ATLAS_PUBLIC_API_KEY }}",
  MONGODB_ATLAS_PRIVATE_API_KEY: "${{ secrets.ATLAS_PRIVATE_API_KEY }}",
  TF_VAR_atlas_org_id: "${{ secrets.ATLAS_ORG_ID }}",
  // Only read when monitoring.atlasWebhookUrl is set.
  TF_VAR_atlas_alert_webhook_secret: "${{ secrets.ATLAS_ALERT_WEBHOOK_SECRET }}",
};

/**
 * Where a job's environment values come from: the called workflow's `inputs`, or the pull-request
 * matrix entry. Scripts read them through the environment variables ENVIRONMENT, STACK, STACK_DIR
 * and SEED_SECRET_ID, never through an expression inside `run:`.
 */
interface Source {
  /** An expression for one field of the environment entry (environments.ts), e.g. `inputs.stack`. */
  readonly field: (name: string) => string;
}
const fromInputs: Source = { field: (name) => `inputs.${name}` };
const fromMatrix: Source = { field: (name) => `matrix.target.${name}` };
const value = (source: Source, name: string) => `\${{ ${source.field(name)} }}`;

/** The environment variables every environment job's scripts read (environment-entry.ts). */
const environmentEnv = (source: Source) => entryEnv((name) => value(source, name));
const STACK_DIR = "${{ env.STACK_DIR }}";

/**
 * Production only, before any role is assumed: GitHub's review history of this run must hold an
 * approval of `approvalEnvironment` by someone other than the commit's author (approval-check.ts).
 * A missing or bypassed reviewer rule then stops the job instead of applying unreviewed.
 */
function approvalCheck(approvalEnvironment: string): Step {
  return {
    name: "Refuse to go on without a recorded approval by someone other than the commit's author (production)",
    if: "${{ inputs.production }}",
    env: { GITHUB_TOKEN: "${{ github.token }}", APPROVAL_ENVIRONMENT: approvalEnvironment },
    run: 'npx tsx .github/scripts/approval-check.ts --environment "$APPROVAL_ENVIRONMENT"',
  };
}

function awsCredentials(purpose: "plan" | "deploy" | "seed", source: Source, sessionSeconds: number, extra: Step = {}): Step {
  return {
    name: `AWS credentials (OIDC, ${purpose} role of the environment)`,
    ...extra,
    uses: ACTIONS.awsCredentials.ref,
    with: {
      "role-to-assume": value(source, `${purpose}_role_arn`),
      "role-session-name": `${purpose}-${value(source, "environment")}-\${{ github.run_id }}`,
      "aws-region": value(source, "region"),
      // Longer than the job may run: an expired session cannot save the state after an apply.
      "role-duration-seconds": sessionSeconds,
    },
  };
}

/**
 * The check that a deploy run deploys the current head of main: the first job runs it, and so does
 * every job that applies anything (a re-run of an old run's failed job skips the first job).
 */
export const CURRENT_HEAD_SCRIPT = [
  'if [ "$GITHUB_REF" != "refs/heads/main" ]; then',
  '  echo "::error title=Only main is deployed::This run is for $GITHUB_REF. Nothing was deployed."',
  "  exit 1",
  "fi",
  // curl and grep, not gh or jq: this also runs first on the self-hosted VPC runners.
  'head="$(curl -fsS -H "Authorization: Bearer $GH_TOKEN" -H "Accept: application/vnd.github+json" "$GITHUB_API_URL/repos/$GITHUB_REPOSITORY/git/ref/heads/main" | grep -o \'"sha": *"[0-9a-f]\\{40\\}"\' | head -n 1 | grep -o \'[0-9a-f]\\{40\\}\')"',
  'if [ "$head" != "$GITHUB_SHA" ]; then',
  '  echo "::error title=Superseded by a newer commit of main::This run deploys $GITHUB_SHA, but main is now at $head, whose run deploys a superset. Nothing was deployed by this job."',
  "  exit 1",
  "fi",
  'echo "This run deploys $GITHUB_SHA, the current head of main."',
  "",
].join("\n");

const currentHeadStep: Step = {
  name: "Refuse anything but the current head of main",
  env: { GH_TOKEN: "${{ github.token }}" },
  run: CURRENT_HEAD_SCRIPT,
};

function preflight(mode: "deploy" | "pull-request", summaryFile?: string): Step {
  const summary = summaryFile ? ` --summary-file ${summaryFile}` : "";
  return {
    name: `Refuse placeholders, local state${mode === "deploy" ? " and a missing runner label" : ""} (config/<environment>.json)`,
    id: "preflight",
    run: `npx tsx .github/scripts/preflight.ts "$ENVIRONMENT" --mode ${mode}${summary}`,
  };
}

function terraformInit(extra: Step = {}): Step {
  return { name: "terraform init", ...extra, "working-directory": STACK_DIR, run: "terraform init -input=false -no-color" };
}

/** Checkout, install, preflight (before any credential), Terraform and synth: how every deploy job with Terraform starts. */
const deployPrelude: Step[] = [checkout, setupNode, install, preflight("deploy"), setupTerraform, synth];

/**
 * The head check ran, and passed, in this attempt of the run. "Re-run failed jobs" does not re-run
 * a job that succeeded, so without this a re-run of an old run's failed job would skip the check
 * and could take, in an environment's queue, the place of a newer commit's pending job. Every job
 * that joins a queue requires it in its `if:`, which GitHub evaluates before the job is queued.
 * The caller passes the attempt its current-head job ran in as the input head_checked_attempt.
 */
const FRESH_HEAD_CHECK = "inputs.head_checked_attempt == github.run_attempt";
const CALLER_FRESH_HEAD_CHECK = "needs.current-head.outputs.attempt == github.run_attempt";

/** The inputs of deploy-environment.yml: one environment entry (environments.ts), plus the head check's attempt. */
export const ENVIRONMENT_INPUTS = {
  ...entryInputs(),
  head_checked_attempt: { type: "string", description: "the run attempt in which the caller's current-head job passed" },
} as const;

/** One environment's jobs of the deploy pipeline, reading the environment from `inputs`. */
function environmentJobs(): Record<string, Job> {
  const group = { group: `deploy-${value(fromInputs, "environment")}`, "cancel-in-progress": false };
  const environment = value(fromInputs, "environment");
  const erroredState = `\${{ failure() && hashFiles(format('{0}/errored.tfstate', env.STACK_DIR)) != '' }}`;
  const seedLabel = value(fromInputs, "runner_label");

  const plan: Job = {
    name: "plan ${{ inputs.stack }}",
    if: `\${{ ${FRESH_HEAD_CHECK} }}`,
    "runs-on": "ubuntu-24.04",
    "timeout-minutes": LIMITS.plan.timeoutMinutes,
    environment: githubEnvironmentName(environment, "plan"),
    concurrency: group,
    permissions: { contents: "read", "id-token": "write" },
    outputs: {
      salt: "${{ steps.review.outputs.salt }}",
      digest: "${{ steps.review.outputs.digest }}",
      addresses: "${{ steps.review.outputs.addresses }}",
      changes: "${{ steps.review.outputs.changes }}",
    },
    steps: [
      ...deployPrelude,
      awsCredentials("plan", fromInputs, LIMITS.plan.sessionSeconds),
      terraformInit(),
      {
        name: "terraform plan -out",
        id: "plan",
        "working-directory": STACK_DIR,
        env: ATLAS_ENV,
        // The read-only plan role cannot write the lock; the apply job plans again under the lock.
        run: "terraform plan -input=false -no-color -lock=false -out=tfplan",
      },
      {
        name: "Plan summary and digest for the approvers",
        id: "review",
        run: 'npx tsx .github/scripts/plan-review.ts publish --stack "$STACK" --dir "$STACK_DIR" --plan tfplan',
      },
      {
        name: "Say the plan failed",
        if: "${{ failure() && steps.plan.outcome == 'failure' }}",
        run: 'npx tsx .github/scripts/plan-review.ts failed --stack "$STACK"',
      },
    ],
  };

  const apply: Job = {
    name: "apply ${{ inputs.stack }}",
    needs: ["plan"],
    // Nothing to apply, nothing to approve: the job (and its approval) is skipped.
    if: `\${{ ${FRESH_HEAD_CHECK} && needs.plan.outputs.changes == 'true' }}`,
    "runs-on": "ubuntu-24.04",
    "timeout-minutes": LIMITS.apply.timeoutMinutes,
    // Production: required reviewers on <environment>-deploy make this the approval.
    environment: githubEnvironmentName(environment, "deploy"),
    concurrency: group,
    // actions: read: the approval check reads the run's review history.
    permissions: { contents: "read", actions: "read", "id-token": "write" },
    steps: [
      currentHeadStep,
      ...deployPrelude,
      approvalCheck(githubEnvironmentName(environment, "deploy")),
      awsCredentials("deploy", fromInputs, LIMITS.apply.sessionSeconds),
      terraformInit(),
      {
        name: "terraform plan -out (fresh, under the state lock)",
        "working-directory": STACK_DIR,
        env: ATLAS_ENV,
        run: "terraform plan -input=false -no-color -out=tfplan",
      },
      {
        name: "Refuse a plan other than the approved one",
        env: {
          APPROVED_SALT: "${{ needs.plan.outputs.salt }}",
          APPROVED_DIGEST: "${{ needs.plan.outputs.digest }}",
          APPROVED_ADDRESSES: "${{ needs.plan.outputs.addresses }}",
        },
        run: 'npx tsx .github/scripts/plan-review.ts check --stack "$STACK" --dir "$STACK_DIR" --plan tfplan --salt "$APPROVED_SALT" --digest "$APPROVED_DIGEST" --addresses "$APPROVED_ADDRESSES"',
      },
      {
        name: "terraform apply (the saved, approved plan)",
        "working-directory": STACK_DIR,
        env: ATLAS_ENV,
        run: "terraform apply -input=false -no-color tfplan",
      },
      awsCredentials("deploy", fromInputs, LIMITS.apply.sessionSeconds, {
        name: "AWS credentials again (fresh session of the deploy role, to save the state)",
        if: erroredState,
      }),
      {
        name: "Push errored.tfstate (Terraform could not save the state after applying)",
        if: erroredState,
        "working-directory": STACK_DIR,
        run: "bash ../../../.github/scripts/push-errored-state.sh",
      },
    ],
  };

  const seedSteps = (command: "plan" | "apply", beforeCredentials: Step[] = []): Step[] => [
    checkout,
    setupNode,
    install,
    ...beforeCredentials,
    awsCredentials("seed", fromInputs, command === "plan" ? LIMITS.seedPlan.sessionSeconds : LIMITS.seedApply.sessionSeconds),
  ];
  const seedEnv = { AWS_REGION: value(fromInputs, "region") };
  const seedPlan: Job = {
    name: "seed plan ${{ inputs.stack }}",
    needs: ["plan", "apply"],
    if: `\${{ !cancelled() && ${FRESH_HEAD_CHECK} && needs.plan.result == 'success' && (needs.apply.result == 'success' || needs.apply.result == 'skipped') }}`,
    // The seeder reaches the cluster through its PrivateLink hostname, routable only inside the VPC.
    // A label from config/ (environment variables do not resolve in runs-on).
    "runs-on": ["self-hosted", seedLabel],
    "timeout-minutes": LIMITS.seedPlan.timeoutMinutes,
    environment: githubEnvironmentName(environment, "seed"),
    concurrency: group,
    permissions: { contents: "read", "id-token": "write" },
    outputs: { changes: "${{ steps.seed.outputs.changes }}", digest: "${{ steps.seed.outputs.digest }}" },
    steps: [
      ...seedSteps("plan"),
      {
        name: "Seed plan (into the job summary)",
        id: "seed",
        env: seedEnv,
        run: 'npx tsx .github/scripts/seed-plan.ts plan --environment "$ENVIRONMENT" --secret-id "$SEED_SECRET_ID"',
      },
    ],
  };

  const seedApproval: Job = {
    name: "approve the seed of ${{ inputs.stack }}",
    needs: ["seed-plan"],
    // Production only, and only when the seed plan changes anything.
    if: "${{ inputs.production && needs.seed-plan.outputs.changes == 'true' }}",
    "runs-on": "ubuntu-24.04",
    "timeout-minutes": 5,
    // Required reviewers; no secrets, no role: the seed role trusts only <env>-seed.
    environment: githubEnvironmentName(environment, "seedApproval"),
    permissions: {},
    steps: [
      {
        name: "Record the approved seed plan",
        env: { SEED_DIGEST: "${{ needs.seed-plan.outputs.digest }}" },
        run: 'echo "Approved seed plan digest: $SEED_DIGEST (the seed plan job\'s summary shows the plan)."',
      },
    ],
  };

  const seedApply: Job = {
    name: "seed apply ${{ inputs.stack }}",
    needs: ["seed-plan", "approve-seed"],
    // Production: only after the approval; otherwise the approval job is skipped.
    if: `\${{ !cancelled() && ${FRESH_HEAD_CHECK} && needs.seed-plan.result == 'success' && needs.seed-plan.outputs.changes == 'true' && (needs.approve-seed.result == 'success' || (!inputs.production && needs.approve-seed.result == 'skipped')) }}`,
    "runs-on": ["self-hosted", seedLabel],
    "timeout-minutes": LIMITS.seedApply.timeoutMinutes,
    environment: githubEnvironmentName(environment, "seed"),
    concurrency: group,
    // actions: read: the approval check reads the run's review history.
    permissions: { contents: "read", actions: "read", "id-token": "write" },
    steps: [
      currentHeadStep,
      ...seedSteps("apply", [approvalCheck(githubEnvironmentName(environment, "seedApproval"))]),
      {
        name: "Refuse a seed plan other than the approved one, then apply it",
        env: { ...seedEnv, APPROVED_SEED_DIGEST: "${{ needs.seed-plan.outputs.digest }}" },
        run: 'npx tsx .github/scripts/seed-plan.ts apply --environment "$ENVIRONMENT" --secret-id "$SEED_SECRET_ID" --digest "$APPROVED_SEED_DIGEST"',
      },
    ],
  };

  return { plan, apply, "seed-plan": seedPlan, "approve-seed": seedApproval, "seed-apply": seedApply };
}

const WORKFLOW_ENV = {
  CHECKPOINT_DISABLE: "1", // no telemetry calls from cdktf-cli or terraform
  NODE_VERSION: "20",
  TERRAFORM_VERSION,
};

function header(lines: readonly string[]): string {
  return [
    "# GENERATED by .github/scripts/workflows.ts (npm run workflows): do not edit by hand. The same whatever config/ holds:",
    "# the environments come from config/ at run time (.github/scripts/environments.ts).",
    "#",
    ...lines.map((line) => (line ? `# ${line}` : "#")),
    "",
  ].join("\n");
}

/** Appends the version comment to each SHA-pinned `uses:`. */
function annotatePins(text: string): string {
  let out = text;
  for (const action of Object.values(ACTIONS)) out = out.split(`uses: ${action.ref}\n`).join(`uses: ${action.ref} # ${action.version}\n`);
  return out;
}

const render = (workflow: object) => annotatePins(stringify(workflow, { lineWidth: 0, aliasDuplicateObjects: false }));

/** The job that lists the environments of config/ for a matrix (outputs list, names, later). */
function listJob(mode: "deploy" | "pull-request", extra: Job = {}): Job {
  return {
    name: "list the environments (config/)",
    ...extra,
    "runs-on": "ubuntu-24.04",
    "timeout-minutes": 10,
    permissions: { contents: "read" },
    outputs: { list: "${{ steps.list.outputs.list }}", names: "${{ steps.list.outputs.names }}", later: "${{ steps.list.outputs.later }}" },
    steps: [checkout, setupNode, install, { name: "Environments, in deploy order", id: "list", run: `npx tsx .github/scripts/environments.ts ${mode}` }],
  };
}

export const DEPLOY_ENVIRONMENT_FILE = "deploy-environment.yml";

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

export function deployEnvironmentWorkflow(): string {
  const inputs = Object.fromEntries(Object.entries(ENVIRONMENT_INPUTS).map(([name, input]) => [name, { ...input, required: true }]));
  const workflow = {
    name: "deploy one environment",
    on: { workflow_call: { inputs } },
    permissions: {},
    env: { ...WORKFLOW_ENV, ...environmentEnv(fromInputs) },
    jobs: environmentJobs(),
  };
  return (
    header([
      "One environment's part of deploy.yml: plan (summary and digest in the job summary), apply the saved plan after a",
      "fresh plan matched the digest (production: after approval, and only when the plan changes anything), then plan",
      "the seed, approve it (production, only when it changes anything) and apply it. Set-up: docs/ci-cd.md.",
    ]) + render(workflow)
  );
}

const PR_SUMMARY_DIR = "plan-summary";

function pullRequestPlanJob(): Job {
  const summaryFile = `${PR_SUMMARY_DIR}/\${STACK}.md`;
  const ready = { if: "${{ steps.preflight.outputs.ready == 'true' }}" };
  return {
    name: "plan ${{ matrix.target.stack }}",
    needs: ["check", "environments"],
    // A fork's pull request gets neither secrets nor an OIDC token.
    if: "${{ github.event.pull_request.head.repo.full_name == github.repository && needs.environments.outputs.list != '[]' }}",
    strategy: { matrix: { target: "${{ fromJSON(needs.environments.outputs.list) }}" }, "fail-fast": false },
    "runs-on": "ubuntu-24.04",
    "timeout-minutes": LIMITS.plan.timeoutMinutes,
    // Open to all branches; holds only this environment's read-only plan role and Atlas key.
    environment: githubEnvironmentName(value(fromMatrix, "environment"), "plan"),
    permissions: { contents: "read", "id-token": "write" },
    env: environmentEnv(fromMatrix),
    steps: [
      checkout,
      setupNode,
      install,
      preflight("pull-request", `"${summaryFile}"`),
      { ...setupTerraform, ...ready },
      { ...synth, ...ready },
      awsCredentials("plan", fromMatrix, LIMITS.plan.sessionSeconds, ready),
      terraformInit(ready),
      {
        name: "terraform plan -out",
        id: "plan",
        ...ready,
        "working-directory": STACK_DIR,
        env: ATLAS_ENV,
        // A preview takes no lock: it must not wait for (or block) a deploy.
        run: "terraform plan -input=false -no-color -lock=false -out=tfplan",
      },
      {
        name: "Plan summary",
        ...ready,
        run: `npx tsx .github/scripts/plan-review.ts publish --stack "$STACK" --dir "$STACK_DIR" --plan tfplan --summary-file "${summaryFile}"`,
      },
      {
        name: "Say the plan failed",
        if: "${{ failure() && steps.plan.outcome == 'failure' }}",
        run: `npx tsx .github/scripts/plan-review.ts failed --stack "$STACK" --summary-file "${summaryFile}"`,
      },
      {
        name: "Upload the summary (Markdown only)",
        if: "${{ !cancelled() }}",
        uses: ACTIONS.uploadArtifact.ref,
        with: { name: `plan-summary-${value(fromMatrix, "stack")}`, path: `${PR_SUMMARY_DIR}/${value(fromMatrix, "stack")}.md`, "if-no-files-found": "ignore", "retention-days": 7 },
      },
    ],
  };
}

const MONGODB_START = [
  "docker run -d --name mongo -p 127.0.0.1:27017:27017 mongo:7.0.14 --replSet rs0 --bind_ip_all --setParameter enableTestCommands=1",
  "for attempt in $(seq 1 60); do",
  "  if docker exec mongo mongosh --quiet --eval 'db.runCommand({ ping: 1 }).ok' >/dev/null 2>&1; then break; fi",
  "  sleep 2",
  "done",
  "docker exec mongo mongosh --quiet --eval 'rs.initiate()'",
  "for attempt in $(seq 1 60); do",
  "  state=\"$(docker exec mongo mongosh --quiet --eval 'rs.status().members[0].stateStr' 2>/dev/null || true)\"",
  '  if [ "$state" = "PRIMARY" ]; then echo "MongoDB 7.0 is PRIMARY of rs0"; exit 0; fi',
  "  sleep 2",
  "done",
  'echo "::error::MongoDB did not become PRIMARY within 2 minutes"',
  "docker logs mongo | tail -n 50",
  "exit 1",
  "",
].join("\n");

const COMMENT_SCRIPT = [
  'const fs = require("node:fs");',
  'const path = require("node:path");',
  'const marker = "<!-- audio-pipeline-plan -->";',
  `const dir = ${JSON.stringify(PR_SUMMARY_DIR)};`,
  'const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith(".md")).sort() : [];',
  'const parts = files.map((f) => fs.readFileSync(path.join(dir, f), "utf8"));',
  "const run = `${context.serverUrl}/${context.repo.owner}/${context.repo.repo}/actions/runs/${context.runId}`;",
  "const { PLANNED, LATER } = process.env;",
  'const scope = `Planned here: ${PLANNED || "nothing"} (non-production).` + (LATER ? ` ${LATER}: planned after the merge, by the deploy workflow, for the approvers of their deploy.` : "");',
  'const body = [marker, `### Terraform plan for ${context.payload.pull_request.head.sha.slice(0, 7)}`, "", ...parts, scope, "", `Full plan: [run ${context.runId}](${run}).`].join("\\n");',
  "const issue_number = context.payload.pull_request.number;",
  "const comments = await github.paginate(github.rest.issues.listComments, { ...context.repo, issue_number });",
  'const previous = comments.find((c) => c.user?.type === "Bot" && c.body?.startsWith(marker));',
  "if (previous) await github.rest.issues.updateComment({ ...context.repo, comment_id: previous.id, body });",
  "else await github.rest.issues.createComment({ ...context.repo, issue_number, body });",
  "",
].join("\n");

export function pullRequestWorkflow(): string {
  const jobs: Record<string, Job> = {
    check: {
      name: REQUIRED_CHECK,
      "runs-on": "ubuntu-24.04",
      "timeout-minutes": 20,
      permissions: { contents: "read" },
      steps: [
        checkout,
        setupNode,
        setupTerraform,
        install,
        // In a run: step, not a service: a service cannot be given --replSet (the linter refuses services.*.command).
        { name: "Start MongoDB 7.0 (single-node replica set) for the seeder's integration tests", run: MONGODB_START },
        {
          name: "Test",
          env: {
            // The runner reaches the Terraform registry: the real-Terraform tests validate the whole stack.
            TF_FULL_VALIDATE: "1",
            MONGODB_TEST_URI: "mongodb://127.0.0.1:27017/?replicaSet=rs0&directConnection=true",
          },
          run: "npm test",
        },
        // The JSON that is planned and applied, and the same configuration in HCL for reviewers (cdktf.out/hcl/<stack>/cdk.tf).
        { name: "Synthesize (JSON, and HCL for reviewers)", run: "npm run synth:hcl" },
        {
          name: "Upload the synthesized stacks (configuration only)",
          uses: ACTIONS.uploadArtifact.ref,
          with: {
            name: "cdktf.out",
            path: ["cdktf.out/manifest.json", "cdktf.out/stacks/*/cdk.tf.json", "cdktf.out/hcl/*/cdk.tf", ""].join("\n"),
            "if-no-files-found": "error",
            "retention-days": 14,
          },
        },
      ],
    },
    environments: listJob("pull-request"),
    plan: pullRequestPlanJob(),
    comment: {
      name: "post the plan summary",
      needs: ["environments", "plan"],
      if: "${{ !cancelled() && github.event.pull_request.head.repo.full_name == github.repository }}",
      "runs-on": "ubuntu-24.04",
      "timeout-minutes": 5,
      // The only job that may write to the pull request; it holds no cloud credentials.
      permissions: { "pull-requests": "write" },
      steps: [
        { uses: ACTIONS.downloadArtifact.ref, with: { pattern: "plan-summary-*", path: PR_SUMMARY_DIR, "merge-multiple": true } },
        {
          name: "Create or update the plan comment",
          uses: ACTIONS.githubScript.ref,
          env: { PLANNED: "${{ needs.environments.outputs.names }}", LATER: "${{ needs.environments.outputs.later }}" },
          with: { script: COMMENT_SCRIPT },
        },
      ],
    },
  };
  const workflow = {
    name: "pull-request",
    on: { pull_request: { branches: ["main"] } },
    permissions: {},
    // A new push makes the checks of the previous push pointless (plans here take no lock).
    concurrency: { group: "pull-request-${{ github.event.pull_request.number }}", "cancel-in-progress": true },
    env: WORKFLOW_ENV,
    jobs,
  };
  return (
    header([
      "Every pull request: tests (MongoDB 7.0 replica set for the seeder), synth, and a plan of each production: false",
      "environment of config/ in its own matrix job, under its <env>-plan environment (open to all branches).",
      "Production environments are planned only after the merge. Set-up: docs/ci-cd.md.",
    ]) + render(workflow)
  );
}

/** The workflow files, by file name: the same whatever config/ holds. */
export function generateWorkflows(): Record<string, string> {
  return { "deploy.yml": deployWorkflow(), [DEPLOY_ENVIRONMENT_FILE]: deployEnvironmentWorkflow(), "pull-request.yml": pullRequestWorkflow() };
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
