import * as fs from "node:fs";
import { parse } from "yaml";
import { checkApproval, type EnvironmentApproval } from "../../.github/scripts/approval-check";
import { startStandIn, type StandIn } from "../support/http-stand-in";

// Shapes from GitHub's REST description: `environment-approvals` (the run's review history) and
// `commit` (author and committer are nullable simple users).
const user = (login: string, id: number) => ({ login, id, node_id: "MDQ6VXNlcjE=", type: "User", site_admin: false, url: `https://api.github.com/users/${login}` });
const environment = (name: string) => ({ id: 56780428, node_id: "MDExOkVudmlyb25tZW50NTY3ODA0Mjg=", name, url: "https://api.github.com/repos/o/r/environments/x", html_url: "https://github.com/o/r/deployments/activity_log?environments_filter=x", created_at: "2026-01-01T00:00:00Z", updated_at: "2026-01-01T00:00:00Z" });
const review = (login: string, name: string, state: EnvironmentApproval["state"] = "approved") => ({ environments: [environment(name)], state, user: user(login, 7), comment: "" });
const commit = (author: string | null, committer: string | null = "web-flow") => ({
  sha: "0123456789abcdef0123456789abcdef01234567",
  commit: { author: { name: "A", email: "a@example.com", date: "2026-01-01T00:00:00Z" }, committer: { name: "C", email: "c@example.com", date: "2026-01-01T00:00:00Z" }, message: "m" },
  author: author === null ? null : user(author, 1),
  committer: committer === null ? null : user(committer, 2),
  parents: [],
});

const SHA = "0123456789abcdef0123456789abcdef01234567";
let standIn: StandIn | undefined;
afterEach(async () => {
  await standIn?.close();
  standIn = undefined;
});

async function check(approvals: unknown, commitBody: unknown, environmentName = "prod-deploy", status = 200) {
  standIn = await startStandIn({
    "GET /repos/example-org/audio-pipeline-database/actions/runs/42/approvals": { status, body: approvals },
    [`GET /repos/example-org/audio-pipeline-database/commits/${SHA}`]: { body: commitBody },
  });
  return checkApproval({ apiUrl: standIn.url, token: "t0ken", repository: "example-org/audio-pipeline-database", runId: "42", sha: SHA, environment: environmentName });
}

describe("approval-check: a production apply proves an approval by someone other than the commit's author", () => {
  it("passes when a reviewer other than the author approved this environment, and makes only GET calls", async () => {
    const result = await check([review("alice", "prod-deploy")], commit("bob"));
    expect(result).toEqual({ ok: true, message: expect.stringMatching(/^prod-deploy: run 42 approved by alice, not the author \(bob\) of 0123456/) });
    expect(standIn?.requests.map((request) => request.method)).toEqual(["GET", "GET"]);
    expect(standIn?.requests.every((request) => request.headers.authorization === "Bearer t0ken")).toBe(true);
  });

  it.each([
    ["no review at all (no required reviewers, or an admin bypass)", [], commit("bob"), /holds no approval for prod-deploy/],
    ["the author approved their own commit", [review("bob", "prod-deploy")], commit("bob"), /only approvals are by the commit's author or committer \(bob\)/],
    ["the author approved, in another case", [review("BOB", "prod-deploy")], commit("bob"), /only approvals are by the commit's author/],
    ["the committer approved a commit they pushed for someone else", [review("carol", "prod-deploy")], commit("bob", "carol"), /only approvals are by the commit's author or committer \(carol\)/],
    ["an approval of another environment only", [review("alice", "dev-deploy")], commit("bob"), /holds no approval for prod-deploy/],
    ["a rejection", [review("alice", "prod-deploy", "rejected")], commit("bob"), /was rejected/],
    ["a pending review with a comment", [review("alice", "prod-deploy", "pending")], commit("bob"), /holds no approval/],
    ["a commit whose author is linked to no GitHub account", [review("alice", "prod-deploy")], commit(null), /has no GitHub author/],
  ])("refuses: %s", async (_what, approvals, commitBody, why) => {
    const result = await check(approvals, commitBody);
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(why);
    expect(result.message).toMatch(/Nothing was applied and no role was assumed\. Fix: add required reviewers to prod-deploy/);
  });

  it("checks the seed approval the same way, against <env>-seed-approval", async () => {
    expect((await check([review("alice", "prod-deploy")], commit("bob"), "prod-seed-approval")).ok).toBe(false);
    expect((await check([review("alice", "prod-seed-approval")], commit("bob"), "prod-seed-approval")).ok).toBe(true);
  });

  it("refuses, saying which permission to grant, when the token cannot read the review history", async () => {
    const result = await check({ message: "Resource not accessible by integration" }, commit("bob"), "prod-deploy", 403);
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(/approvals answered 403 \(does the job grant `actions: read` and `contents: read`\?\)/);
  });

  it("refuses, without a stack trace, when GitHub cannot be reached", async () => {
    const result = await checkApproval({ apiUrl: "http://127.0.0.1:9", token: "t", repository: "o/r", runId: "1", sha: SHA, environment: "prod-deploy" });
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(/GET \/repos\/o\/r\/.* failed: /);
  });
});

describe("deploy-environment.yml runs the approval check before any role is assumed", () => {
  const workflow = parse(fs.readFileSync(".github/workflows/deploy-environment.yml", "utf8"));
  const caller = parse(fs.readFileSync(".github/workflows/deploy.yml", "utf8"));

  it.each([
    ["apply", "${{ inputs.environment }}-deploy"],
    ["seed-apply", "${{ inputs.environment }}-seed-approval"],
  ])("%s: production only, with the least token permission (actions: read), before the first AWS credentials step", (jobName, approvalEnvironment) => {
    const job = workflow.jobs[jobName];
    const steps: Array<Record<string, any>> = job.steps;
    const check = steps.findIndex((step) => String(step.run ?? "").includes(".github/scripts/approval-check.ts"));
    const credentials = steps.findIndex((step) => String(step.uses ?? "").startsWith("aws-actions/configure-aws-credentials@"));
    expect(check).toBeGreaterThanOrEqual(0);
    expect(credentials).toBeGreaterThan(check);
    expect(steps[check].if).toBe("${{ inputs.production }}");
    expect(steps[check].env).toEqual({ GITHUB_TOKEN: "${{ github.token }}", APPROVAL_ENVIRONMENT: approvalEnvironment });
    expect(job.permissions).toEqual({ contents: "read", actions: "read", "id-token": "write" });
    // The caller's permissions bound the called jobs'.
    expect(caller.jobs.deploy.permissions.actions).toBe("read");
  });
});
