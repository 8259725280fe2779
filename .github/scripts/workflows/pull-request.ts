/*
 * pull-request.yml: tests, then one plan job per production: false environment (a matrix over
 * the list), each under its own <env>-plan environment, and one comment with every plan summary.
 */
import { githubEnvironmentName } from "../../../src/environment/names";
import { REQUIRED_CHECK } from "../../../src/github/repository-rules";
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
  preflight,
  render,
  setupNode,
  setupTerraform,
  STACK_DIR,
  synth,
  terraformInit,
  value,
  WORKFLOW_ENV,
  requiredSecretsStep,
  RUN_DEFAULTS,
  type Job,
} from "./shared";

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
      requiredSecretsStep(githubEnvironmentName("$ENVIRONMENT", "plan"), ready),
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

// Waits for a writable primary (what the tests write to), as docs/seeding.md does, and prints the
// server's log whenever start-up fails: the server never answers, rs.initiate() fails, or no
// writable primary within the bound.
const MONGODB_START = [
  "docker run -d --name mongo -p 127.0.0.1:27017:27017 mongo:7.0.14 --replSet rs0 --bind_ip_all --setParameter enableTestCommands=1",
  'fail() { echo "::error::$1"; docker logs --tail 50 mongo 2>&1; exit 1; }',
  'up=""',
  "for _ in $(seq 1 60); do",
  "  if docker exec mongo mongosh --quiet --eval 'db.runCommand({ ping: 1 }).ok' >/dev/null 2>&1; then up=1; break; fi",
  "  sleep 2",
  "done",
  '[ -n "$up" ] || fail "MongoDB did not answer within 2 minutes"',
  "docker exec mongo mongosh --quiet --eval 'rs.initiate()' || fail \"rs.initiate() failed\"",
  "for _ in $(seq 1 60); do",
  "  writable=\"$(docker exec mongo mongosh --quiet --eval 'db.hello().isWritablePrimary' 2>/dev/null || true)\"",
  '  if [ "$writable" = "true" ]; then echo "MongoDB 7.0 is the writable primary of rs0"; exit 0; fi',
  "  sleep 2",
  "done",
  'fail "MongoDB did not become a writable primary within 2 minutes"',
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
  // GitHub refuses a comment over 65,536 characters: each summary gets an equal share, cut at a line
  // (closing an open code block) and pointing at the run, which has the full plans.
  'const share = Math.floor(60000 / Math.max(1, parts.length));',
  'const fit = (part) => { if (part.length <= share) return part; const lines = part.slice(0, share - 200).split("\\n").slice(0, -1); const open = lines.filter((line) => line.trim().startsWith("```")).length % 2 === 1; return [...lines, ...(open ? ["  ```"] : []), "", `> Cut here (comment size limit): the full plan is in [run ${context.runId}](${run}).`, ""].join("\\n"); };',
  'const body = [marker, `### Terraform plan for ${context.payload.pull_request.head.sha.slice(0, 7)}`, "", ...parts.map(fit), scope, "", `Full plan: [run ${context.runId}](${run}).`].join("\\n");',
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
    defaults: RUN_DEFAULTS,
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

