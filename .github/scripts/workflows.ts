/*
 * Generates .github/workflows/deploy.yml and pull-request.yml from the environment files in
 * config/: one set of jobs per environment, in the order config sets (pipeline.ts).
 *
 *   npx tsx .github/scripts/workflows.ts write [config-dir] [workflow-dir]   regenerate
 *   npx tsx .github/scripts/workflows.ts check [config-dir] [workflow-dir]   exit 1 when stale
 *
 * Why generated, not a matrix: GitHub Actions runs a job only after every entry of a matrix job
 * it needs, and a job-level `if:` cannot read matrix values. With matrix jobs, dev's apply would
 * wait for prod's approval, and prod's approval could not be skipped for prod alone when its plan
 * has no changes. Generated jobs have literal names, environments, roles, runner labels and
 * concurrency groups, which reviewers read and the tests check job by job. The pull-request check
 * (`npm test`) fails while the committed workflows differ from what config/ generates, so a new
 * config/<env>.json arrives with its jobs, in the same pull request, by running `write`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import { pipelineEnvironments, type PipelineEnvironment } from "./pipeline";
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

/** Job timeouts (minutes) and AWS session lengths (seconds): every session outlives its job. */
export const LIMITS = {
  plan: { timeoutMinutes: 30, sessionSeconds: 3600 },
  // A first apply waits for the cluster and the endpoint service (each can take tens of minutes).
  apply: { timeoutMinutes: 120, sessionSeconds: 10800 },
  seedPlan: { timeoutMinutes: 30, sessionSeconds: 3600 },
  // Index builds on large collections.
  seedApply: { timeoutMinutes: 90, sessionSeconds: 7200 },
} as const;

/** Where a missing ci.runnerLabel shows in runs-on; the preflight stops the environment first. */
export const MISSING_RUNNER_LABEL = "ci-runnerLabel-not-set";

type Step = Record<string, unknown>;
type Job = Record<string, unknown>;

/** GitHub environment names, one per environment and purpose (each role trusts exactly one). */
export const githubEnvironment = {
  plan: (name: string) => `${name}-plan`,
  deploy: (name: string) => `${name}-deploy`,
  seed: (name: string) => `${name}-seed`,
  seedApproval: (name: string) => `${name}-seed-approval`,
};

/** Job ids of one environment's part of the deploy pipeline. */
export const jobIds = (name: string) => ({
  plan: `plan-${name}`,
  apply: `apply-${name}`,
  seedPlan: `seed-plan-${name}`,
  seedApproval: `approve-seed-${name}`,
  seedApply: `seed-apply-${name}`,
});

const stackDir = (environment: PipelineEnvironment) => `cdktf.out/stacks/${environment.stack}`;

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

function awsCredentials(purpose: string, environment: PipelineEnvironment, roleArn: string, sessionSeconds: number, extra: Step = {}): Step {
  return {
    name: `AWS credentials (OIDC, ${purpose} role of ${environment.name})`,
    ...extra,
    uses: ACTIONS.awsCredentials.ref,
    with: {
      "role-to-assume": roleArn,
      "role-session-name": `${purpose}-${environment.name}-\${{ github.run_id }}`,
      "aws-region": environment.region,
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

/** Fails, naming the regenerate command, when the committed workflows are not what config/ generates. */
const workflowsCheck: Step = { name: "Workflows are generated from config/", run: "npx tsx .github/scripts/workflows.ts check" };

const currentHeadStep: Step = {
  name: "Refuse anything but the current head of main",
  env: { GH_TOKEN: "${{ github.token }}" },
  run: CURRENT_HEAD_SCRIPT,
};

function preflight(environment: PipelineEnvironment, mode: "deploy" | "pull-request", summaryFile?: string): Step {
  const summary = summaryFile ? ` --summary-file ${summaryFile}` : "";
  return {
    name: `Refuse placeholders, local state${mode === "deploy" ? " and a missing runner label" : ""} (${environment.file})`,
    id: "preflight",
    run: `npx tsx .github/scripts/preflight.ts ${environment.name} --mode ${mode}${summary}`,
  };
}

function terraformInit(environment: PipelineEnvironment, extra: Step = {}): Step {
  return { name: "terraform init", ...extra, "working-directory": stackDir(environment), run: "terraform init -input=false -no-color" };
}

/** Checkout, install, preflight (before any credential), Terraform and synth: how every deploy job with Terraform starts. */
function deployPrelude(environment: PipelineEnvironment): Step[] {
  return [checkout, setupNode, install, preflight(environment, "deploy"), setupTerraform, synth];
}

/**
 * The head check ran, and passed, in this attempt of the run. "Re-run failed jobs" does not re-run
 * a job that succeeded, so without this a re-run of an old run's failed job would skip the check
 * and could take, in an environment's queue, the place of a newer commit's pending job. Every job
 * that joins a queue requires it in its `if:`, which GitHub evaluates before the job is queued.
 */
const FRESH_HEAD_CHECK = "needs.current-head.outputs.attempt == github.run_attempt";
const HEAD_CHECKED = `needs.current-head.result == 'success' && ${FRESH_HEAD_CHECK}`;

/** One environment's jobs of the deploy pipeline; `after` are the jobs of the environment before it. */
function deployJobs(environment: PipelineEnvironment, after: readonly string[]): Record<string, Job> {
  const ids = jobIds(environment.name);
  const dir = stackDir(environment);
  const group = { group: `deploy-${environment.name}`, "cancel-in-progress": false };
  const okOrSkipped = (id: string) => `(needs.${id}.result == 'success' || needs.${id}.result == 'skipped')`;
  // After the environment before this one, even where it had nothing to apply (skipped jobs).
  const chain = after.map((id) => (id.startsWith("plan-") || id.startsWith("seed-plan-") ? `needs.${id}.result == 'success'` : okOrSkipped(id)));
  const seedLabel = environment.runnerLabel ?? MISSING_RUNNER_LABEL;

  const plan: Job = {
    name: `plan ${environment.stack}`,
    needs: ["current-head", ...after],
    if: after.length === 0 ? `\${{ ${FRESH_HEAD_CHECK} }}` : `\${{ !cancelled() && ${HEAD_CHECKED} && ${chain.join(" && ")} }}`,
    "runs-on": "ubuntu-24.04",
    "timeout-minutes": LIMITS.plan.timeoutMinutes,
    environment: githubEnvironment.plan(environment.name),
    concurrency: group,
    permissions: { contents: "read", "id-token": "write" },
    outputs: {
      salt: "${{ steps.review.outputs.salt }}",
      digest: "${{ steps.review.outputs.digest }}",
      addresses: "${{ steps.review.outputs.addresses }}",
      changes: "${{ steps.review.outputs.changes }}",
    },
    steps: [
      ...deployPrelude(environment),
      awsCredentials("plan", environment, environment.planRoleArn, LIMITS.plan.sessionSeconds),
      terraformInit(environment),
      {
        name: "terraform plan -out",
        id: "plan",
        "working-directory": dir,
        env: ATLAS_ENV,
        // The read-only plan role cannot write the lock; the apply job plans again under the lock.
        run: "terraform plan -input=false -no-color -lock=false -out=tfplan",
      },
      {
        name: "Plan summary and digest for the approvers",
        id: "review",
        run: `npx tsx .github/scripts/plan-review.ts publish --stack ${environment.stack} --dir ${dir} --plan tfplan`,
      },
      {
        name: "Say the plan failed",
        if: "${{ failure() && steps.plan.outcome == 'failure' }}",
        run: `npx tsx .github/scripts/plan-review.ts failed --stack ${environment.stack}`,
      },
    ],
  };

  const apply: Job = {
    name: `apply ${environment.stack}${environment.production ? " (approval)" : ""}`,
    needs: ["current-head", ids.plan],
    // Nothing to apply, nothing to approve: the job (and its approval) is skipped.
    if: `\${{ ${FRESH_HEAD_CHECK} && needs.${ids.plan}.outputs.changes == 'true' }}`,
    "runs-on": "ubuntu-24.04",
    "timeout-minutes": LIMITS.apply.timeoutMinutes,
    environment: githubEnvironment.deploy(environment.name),
    concurrency: group,
    permissions: { contents: "read", "id-token": "write" },
    steps: [
      currentHeadStep,
      ...deployPrelude(environment),
      awsCredentials("deploy", environment, environment.deployRoleArn, LIMITS.apply.sessionSeconds),
      terraformInit(environment),
      {
        name: "terraform plan -out (fresh, under the state lock)",
        "working-directory": dir,
        env: ATLAS_ENV,
        run: "terraform plan -input=false -no-color -out=tfplan",
      },
      {
        name: "Refuse a plan other than the approved one",
        env: {
          APPROVED_SALT: `\${{ needs.${ids.plan}.outputs.salt }}`,
          APPROVED_DIGEST: `\${{ needs.${ids.plan}.outputs.digest }}`,
          APPROVED_ADDRESSES: `\${{ needs.${ids.plan}.outputs.addresses }}`,
        },
        run: `npx tsx .github/scripts/plan-review.ts check --stack ${environment.stack} --dir ${dir} --plan tfplan --salt "$APPROVED_SALT" --digest "$APPROVED_DIGEST" --addresses "$APPROVED_ADDRESSES"`,
      },
      {
        name: "terraform apply (the saved, approved plan)",
        "working-directory": dir,
        env: ATLAS_ENV,
        run: "terraform apply -input=false -no-color tfplan",
      },
      awsCredentials("deploy", environment, environment.deployRoleArn, LIMITS.apply.sessionSeconds, {
        name: `AWS credentials again (fresh session of the deploy role of ${environment.name}, to save the state)`,
        if: `\${{ failure() && hashFiles('${dir}/errored.tfstate') != '' }}`,
      }),
      {
        name: "Push errored.tfstate (Terraform could not save the state after applying)",
        if: `\${{ failure() && hashFiles('${dir}/errored.tfstate') != '' }}`,
        "working-directory": dir,
        run: "bash ../../../.github/scripts/push-errored-state.sh",
      },
    ],
  };

  const seedSteps = (command: string): Step[] => [
    checkout,
    setupNode,
    install,
    awsCredentials("seed", environment, environment.seedRoleArn, command === "plan" ? LIMITS.seedPlan.sessionSeconds : LIMITS.seedApply.sessionSeconds),
  ];
  const seedEnv = { AWS_REGION: environment.region };
  const seedPlan: Job = {
    name: `seed plan ${environment.stack}`,
    needs: ["current-head", ids.plan, ids.apply],
    if: `\${{ !cancelled() && ${HEAD_CHECKED} && needs.${ids.plan}.result == 'success' && ${okOrSkipped(ids.apply)} }}`,
    // The seeder reaches the cluster through its PrivateLink hostname, routable only inside the VPC.
    "runs-on": ["self-hosted", seedLabel],
    "timeout-minutes": LIMITS.seedPlan.timeoutMinutes,
    environment: githubEnvironment.seed(environment.name),
    concurrency: group,
    permissions: { contents: "read", "id-token": "write" },
    outputs: { changes: "${{ steps.seed.outputs.changes }}", digest: "${{ steps.seed.outputs.digest }}" },
    steps: [
      ...seedSteps("plan"),
      {
        name: "Seed plan (into the job summary)",
        id: "seed",
        env: seedEnv,
        run: `npx tsx .github/scripts/seed-plan.ts plan --environment ${environment.name} --secret-id ${environment.seedSecretId}`,
      },
    ],
  };

  const seedApproval: Job = {
    name: `approve the seed of ${environment.stack}`,
    needs: [ids.seedPlan],
    if: `\${{ needs.${ids.seedPlan}.outputs.changes == 'true' }}`,
    "runs-on": "ubuntu-24.04",
    "timeout-minutes": 5,
    // Required reviewers; no secrets, no role: the seed role trusts only <env>-seed.
    environment: githubEnvironment.seedApproval(environment.name),
    permissions: {},
    steps: [
      {
        name: "Record the approved seed plan",
        env: { SEED_DIGEST: `\${{ needs.${ids.seedPlan}.outputs.digest }}` },
        run: 'echo "Approved seed plan digest: $SEED_DIGEST (the seed plan job\'s summary shows the plan)."',
      },
    ],
  };

  const seedApply: Job = {
    name: `seed apply ${environment.stack}`,
    needs: environment.production ? ["current-head", ids.seedPlan, ids.seedApproval] : ["current-head", ids.seedPlan],
    if: environment.production
      ? `\${{ !cancelled() && ${HEAD_CHECKED} && needs.${ids.seedPlan}.outputs.changes == 'true' && needs.${ids.seedApproval}.result == 'success' }}`
      : `\${{ ${FRESH_HEAD_CHECK} && needs.${ids.seedPlan}.outputs.changes == 'true' }}`,
    "runs-on": ["self-hosted", seedLabel],
    "timeout-minutes": LIMITS.seedApply.timeoutMinutes,
    environment: githubEnvironment.seed(environment.name),
    concurrency: group,
    permissions: { contents: "read", "id-token": "write" },
    steps: [
      currentHeadStep,
      ...seedSteps("apply"),
      {
        name: "Refuse a seed plan other than the approved one, then apply it",
        env: { ...seedEnv, APPROVED_SEED_DIGEST: `\${{ needs.${ids.seedPlan}.outputs.digest }}` },
        run: `npx tsx .github/scripts/seed-plan.ts apply --environment ${environment.name} --secret-id ${environment.seedSecretId} --digest "$APPROVED_SEED_DIGEST"`,
      },
    ],
  };

  return {
    [ids.plan]: plan,
    [ids.apply]: apply,
    [ids.seedPlan]: seedPlan,
    ...(environment.production ? { [ids.seedApproval]: seedApproval } : {}),
    [ids.seedApply]: seedApply,
  };
}

const WORKFLOW_ENV = {
  CHECKPOINT_DISABLE: "1", // no telemetry calls from cdktf-cli or terraform
  NODE_VERSION: "20",
  TERRAFORM_VERSION,
};

function header(lines: readonly string[]): string {
  return [
    "# GENERATED by .github/scripts/workflows.ts from config/*.json: do not edit by hand.",
    "# Regenerate: npx tsx .github/scripts/workflows.ts write   (the pull-request check and the deploy run stop while this file is stale)",
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

export function deployWorkflow(environments: readonly PipelineEnvironment[]): string {
  const jobs: Record<string, Job> = {
    "current-head": {
      name: "deploy only the current head of main",
      // No concurrency group: a run of an older commit, a re-run or a dispatch of another branch
      // stops here, before it can take a place in an environment's queue.
      "runs-on": "ubuntu-24.04",
      "timeout-minutes": 10,
      permissions: { contents: "read" },
      outputs: { attempt: "${{ github.run_attempt }}" },
      // A config/ change merged without regenerating would leave an environment undeployed, or
      // deployed with old settings: stop the whole run instead, naming the command.
      steps: [currentHeadStep, checkout, setupNode, install, workflowsCheck],
    },
  };
  let after: string[] = [];
  for (const environment of environments) {
    const own = deployJobs(environment, after);
    Object.assign(jobs, own);
    after = Object.keys(own);
  }
  const workflow = {
    name: "deploy",
    on: { push: { branches: ["main"] }, workflow_dispatch: {} },
    permissions: {},
    env: WORKFLOW_ENV,
    jobs,
  };
  return (
    header([
      `Deploys ${environments.map((environment) => environment.name).join(", then ")}: for each, plan (summary and digest in the job summary),`,
      "apply the saved plan after a fresh plan matched the digest (production: after approval, and only when the plan",
      "changes anything), then plan the seed, approve it (production, only when it changes anything) and apply it.",
      "No workflow-level concurrency: each environment has its own group, so a waiting prod approval never blocks dev,",
      "and only a newer commit of main replaces a pending job. Set-up: docs/ci-cd.md.",
    ]) + annotatePins(stringify(workflow, { lineWidth: 0, aliasDuplicateObjects: false }))
  );
}

const PR_SUMMARY_DIR = "plan-summary";

function pullRequestPlanJob(environment: PipelineEnvironment): Job {
  const dir = stackDir(environment);
  const summaryFile = `${PR_SUMMARY_DIR}/${environment.stack}.md`;
  const ready = { if: "${{ steps.preflight.outputs.ready == 'true' }}" };
  return {
    name: `plan ${environment.stack}`,
    needs: ["check"],
    // A fork's pull request gets neither secrets nor an OIDC token.
    if: "${{ github.event.pull_request.head.repo.full_name == github.repository }}",
    "runs-on": "ubuntu-24.04",
    "timeout-minutes": LIMITS.plan.timeoutMinutes,
    // Open to all branches; holds only this environment's read-only plan role and Atlas key.
    environment: githubEnvironment.plan(environment.name),
    permissions: { contents: "read", "id-token": "write" },
    steps: [
      checkout,
      setupNode,
      install,
      preflight(environment, "pull-request", summaryFile),
      { ...setupTerraform, ...ready },
      { ...synth, ...ready },
      awsCredentials("plan", environment, environment.planRoleArn, LIMITS.plan.sessionSeconds, ready),
      terraformInit(environment, ready),
      {
        name: "terraform plan -out",
        id: "plan",
        ...ready,
        "working-directory": dir,
        env: ATLAS_ENV,
        // A preview takes no lock: it must not wait for (or block) a deploy.
        run: "terraform plan -input=false -no-color -lock=false -out=tfplan",
      },
      {
        name: "Plan summary",
        ...ready,
        run: `npx tsx .github/scripts/plan-review.ts publish --stack ${environment.stack} --dir ${dir} --plan tfplan --summary-file ${summaryFile}`,
      },
      {
        name: "Say the plan failed",
        if: "${{ failure() && steps.plan.outcome == 'failure' }}",
        run: `npx tsx .github/scripts/plan-review.ts failed --stack ${environment.stack} --summary-file ${summaryFile}`,
      },
      {
        name: "Upload the summary (Markdown only)",
        if: "${{ !cancelled() }}",
        uses: ACTIONS.uploadArtifact.ref,
        with: { name: `plan-summary-${environment.stack}`, path: summaryFile, "if-no-files-found": "ignore", "retention-days": 7 },
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

const COMMENT_SCRIPT = (planned: readonly PipelineEnvironment[], later: readonly PipelineEnvironment[]) =>
  [
    'const fs = require("node:fs");',
    'const path = require("node:path");',
    'const marker = "<!-- audio-pipeline-plan -->";',
    `const dir = ${JSON.stringify(PR_SUMMARY_DIR)};`,
    'const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith(".md")).sort() : [];',
    "const parts = files.map((f) => fs.readFileSync(path.join(dir, f), \"utf8\"));",
    "const run = `${context.serverUrl}/${context.repo.owner}/${context.repo.repo}/actions/runs/${context.runId}`;",
    `const scope = ${JSON.stringify(
      `Planned here: ${planned.map((environment) => environment.name).join(", ") || "nothing"} (non-production).` +
        (later.length > 0 ? ` ${later.map((environment) => environment.name).join(", ")}: planned after the merge, by the deploy workflow, for the approvers of their deploy.` : ""),
    )};`,
    'const body = [marker, `### Terraform plan for ${context.payload.pull_request.head.sha.slice(0, 7)}`, "", ...parts, scope, "", `Full plan: [run ${context.runId}](${run}).`].join("\\n");',
    "const issue_number = context.payload.pull_request.number;",
    "const comments = await github.paginate(github.rest.issues.listComments, { ...context.repo, issue_number });",
    'const previous = comments.find((c) => c.user?.type === "Bot" && c.body?.startsWith(marker));',
    "if (previous) await github.rest.issues.updateComment({ ...context.repo, comment_id: previous.id, body });",
    "else await github.rest.issues.createComment({ ...context.repo, issue_number, body });",
    "",
  ].join("\n");

export function pullRequestWorkflow(environments: readonly PipelineEnvironment[]): string {
  const planned = environments.filter((environment) => !environment.production);
  const later = environments.filter((environment) => environment.production);
  const planJobs = Object.fromEntries(planned.map((environment) => [`plan-${environment.name}`, pullRequestPlanJob(environment)]));
  const jobs: Record<string, Job> = {
    check: {
      name: "test and synth",
      "runs-on": "ubuntu-24.04",
      "timeout-minutes": 20,
      permissions: { contents: "read" },
      steps: [
        checkout,
        setupNode,
        setupTerraform,
        install,
        workflowsCheck,
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
    ...planJobs,
    comment: {
      name: "post the plan summary",
      needs: Object.keys(planJobs),
      if: "${{ !cancelled() && github.event.pull_request.head.repo.full_name == github.repository }}",
      "runs-on": "ubuntu-24.04",
      "timeout-minutes": 5,
      // The only job that may write to the pull request; it holds no cloud credentials.
      permissions: { "pull-requests": "write" },
      steps: [
        { uses: ACTIONS.downloadArtifact.ref, with: { pattern: "plan-summary-*", path: PR_SUMMARY_DIR, "merge-multiple": true } },
        { name: "Create or update the plan comment", uses: ACTIONS.githubScript.ref, with: { script: COMMENT_SCRIPT(planned, later) } },
      ],
    },
  };
  if (planned.length === 0) delete (jobs.comment as { needs?: unknown }).needs;
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
      "Every pull request: tests (MongoDB 7.0 replica set for the seeder), synth, and a plan of each non-production",
      `environment (${planned.map((environment) => environment.name).join(", ") || "none"}) in its own job, under its <env>-plan environment (open to all branches).`,
      `Production environments (${later.map((environment) => environment.name).join(", ") || "none"}) are planned only after the merge. Set-up: docs/ci-cd.md.`,
    ]) + annotatePins(stringify(workflow, { lineWidth: 0, aliasDuplicateObjects: false }))
  );
}

/** Both workflow files, by file name, for the environments of `configDir`. */
export function generateWorkflows(configDir = "config"): Record<string, string> {
  const environments = pipelineEnvironments(configDir);
  return { "deploy.yml": deployWorkflow(environments), "pull-request.yml": pullRequestWorkflow(environments) };
}

/** File names whose committed text differs from the generated one. */
const CI_DOC = path.join("docs", "ci-cd.md");
const TRUST_SECTION = /(<!-- trust-policies:begin -->\n)[\s\S]*(<!-- trust-policies:end -->)/;

/** Every file `write` produces from config/: both workflows, and docs/ci-cd.md with its trust-policy section. */
export function generatedFiles(configDir = "config", workflowDir = path.join(".github", "workflows"), docFile = CI_DOC): Record<string, string> {
  const files: Record<string, string> = {};
  for (const [file, text] of Object.entries(generateWorkflows(configDir))) files[path.join(workflowDir, file)] = text;
  const doc = fs.readFileSync(docFile, "utf8");
  files[docFile] = doc.replace(TRUST_SECTION, (_all, begin: string, end: string) => `${begin}${trustPolicySection(pipelineEnvironments(configDir))}${end}`);
  return files;
}

/** The generated files that differ from what config/ generates now. */
export function staleWorkflows(configDir = "config", workflowDir = path.join(".github", "workflows"), docFile = CI_DOC): string[] {
  return Object.entries(generatedFiles(configDir, workflowDir, docFile))
    .filter(([file, text]) => !fs.existsSync(file) || fs.readFileSync(file, "utf8") !== text)
    .map(([file]) => path.basename(file));
}

function main(argv: readonly string[]): number {
  const [command, configDir = "config", workflowDir = path.join(".github", "workflows"), docFile = CI_DOC] = argv;
  if (command === "write") {
    for (const [file, text] of Object.entries(generatedFiles(configDir, workflowDir, docFile))) fs.writeFileSync(file, text);
    process.stdout.write(`wrote ${workflowDir}/deploy.yml, pull-request.yml and the trust policies of ${docFile} from ${configDir}/\n`);
    return 0;
  }
  if (command === "check") {
    const stale = staleWorkflows(configDir, workflowDir, docFile);
    for (const file of stale) {
      const where = file === path.basename(docFile) ? docFile : `${workflowDir}/${file}`;
      process.stdout.write(`::error file=${where}::${file} is not what ${configDir}/ generates: run \`npx tsx .github/scripts/workflows.ts write\` and commit it\n`);
    }
    return stale.length === 0 ? 0 : 1;
  }
  process.stderr.write("usage: workflows.ts write|check [config-dir] [workflow-dir] [doc-file]\n");
  return 1;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
