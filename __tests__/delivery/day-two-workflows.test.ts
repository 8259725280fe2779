/*
 * drill.yml and drift.yml, checked like the delivery workflows: actionlint runs on every committed
 * workflow in workflows.test.ts; here the shared properties run on what GitHub runs for a config/
 * whose environments are set up for real (the `ready` list: the committed files are placeholders),
 * then the day-2 properties, each also broken in a copy to see it fail.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { environmentList } from "../../.github/scripts/environments";
import { DRILL_LIMITS } from "../../.github/scripts/workflows/drill";
import { pipelineEnvironments } from "../../.github/scripts/pipeline";
import { DEFAULTS as DRILL_DEFAULTS } from "../../src/drill/main";
import { temporaryDirectory } from "../support/temporary-directory";
import { filledInEnvironment } from "./support/environment-files";
import { committedWorkflow, concretePullRequest } from "./support/instances";
import { appliesNotOfSavedPlan, artifactsHoldingPlanOrState, idTokenJobsWithoutEnvironment, jobsMixingEnvironments, sessionsShorterThanJobs } from "./support/workflow-properties";
import { stringsIn, type Job, type Workflow } from "./support/workflows";

type Writable = Record<string, any> & { jobs: Record<string, Record<string, any> & { steps: Record<string, any>[] }> };
const broken = (workflow: Workflow, change: (copy: Writable) => void): Workflow => {
  const copy = structuredClone(workflow) as unknown as Writable;
  change(copy);
  return copy as unknown as Workflow;
};

const configDir = temporaryDirectory("day-two-config");
fs.writeFileSync(path.join(configDir, "dev.json"), JSON.stringify(filledInEnvironment("dev")));
fs.writeFileSync(path.join(configDir, "prod.json"), JSON.stringify({ ...filledInEnvironment("prod"), production: true }));
afterAll(() => fs.rmSync(configDir, { recursive: true, force: true }));

const environments = pipelineEnvironments(configDir);
const genericDrill = committedWorkflow("drill.yml");
const genericDrift = committedWorkflow("drift.yml");
const drill = concretePullRequest(genericDrill, configDir);
const drift = concretePullRequest(genericDrift, configDir);

const runOf = (job: Job) => job.steps.map((step) => step.run ?? "").join("\n");
const isCredentialStep = (step: { uses?: string }) => step.uses?.startsWith("aws-actions/configure-aws-credentials@") ?? false;

/** Write permissions (id-token aside: it only requests an OIDC token), as `job: scope`. */
function writePermissions(workflow: Workflow): string[] {
  const top = workflow.permissions;
  const found: string[] = top === "write-all" ? ["workflow: write-all"] : typeof top === "object" ? Object.entries(top).filter(([, v]) => v === "write").map(([k]) => `workflow: ${k}`) : [];
  for (const [id, job] of Object.entries(workflow.jobs)) {
    if (job.permissions === "write-all") found.push(`${id}: write-all`);
    else if (job.permissions === undefined) found.push(`${id}: default token permissions`);
    else if (typeof job.permissions === "object") {
      for (const [scope, level] of Object.entries(job.permissions)) if (level === "write" && scope !== "id-token") found.push(`${id}: ${scope}`);
    }
  }
  return found;
}

/** Drift: every plan is read-only and lock-free with -detailed-exitcode; nothing applies or seeds; the report job holds no credential. */
function driftProblems(workflow: Workflow): string[] {
  const problems: string[] = [];
  for (const [id, job] of Object.entries(workflow.jobs)) {
    const run = runOf(job);
    if (/\bterraform\s+(apply|destroy|import|state)\b/.test(run) || /\bseed\s+--\s+apply\b|seed-plan\.ts apply/.test(run)) problems.push(`${id}: changes something`);
    for (const plan of run.match(/\bterraform\s+plan\b[^\n]*/g) ?? []) {
      if (!/-lock=false/.test(plan) || !/-detailed-exitcode/.test(plan)) problems.push(`${id}: ${plan.trim()} (needs -lock=false and -detailed-exitcode)`);
    }
    const roles = job.steps.filter(isCredentialStep).map((step) => String(step.with?.["role-to-assume"]));
    const environment = typeof job.environment === "string" ? job.environment : job.environment?.name;
    for (const role of roles) {
      const owner = environments.find((candidate) => environment === `${candidate.name}-plan` || environment === `${candidate.name}-seed`);
      const allowed = environment?.endsWith("-plan") ? owner?.planRoleArn : owner?.seedRoleArn;
      if (role !== allowed) problems.push(`${id}: assumes ${role}`);
      if (environment?.endsWith("-seed") && /\bterraform\b/.test(run)) problems.push(`${id}: runs terraform with the seed role`);
    }
    const writes = typeof job.permissions === "object" && Object.values(job.permissions).includes("write") && job.permissions["id-token"] !== "write";
    if (writes && (roles.length > 0 || stringsIn(job).some(({ value }) => /\bsecrets\.(?!GITHUB_TOKEN)/.test(value)))) problems.push(`${id}: may write and holds a cloud credential`);
  }
  return problems;
}

/** Drill: no AWS role at all; a clean-up step after the drill that runs whatever happened, for the same run id; a job that outlives the drill's own limits. */
function drillProblems(workflow: Workflow): string[] {
  const problems: string[] = [];
  for (const [id, job] of Object.entries(workflow.jobs)) {
    if (job.steps.some(isCredentialStep) || (typeof job.permissions === "object" && job.permissions["id-token"] === "write")) problems.push(`${id}: can assume an AWS role`);
    const drillAt = job.steps.findIndex((step) => /npm run --silent drill -- "\$\{args\[@\]\}"/.test(step.run ?? ""));
    if (drillAt < 0) continue;
    if (!/--run-id "\$RUN_ID"/.test(job.steps[drillAt].run ?? "")) problems.push(`${id}: the drill does not name its run id`);
    const cleanup = job.steps.slice(drillAt + 1).find((step) => /\bdrill -- ("[^"]+"|\S+) --cleanup-only --run-id "\$RUN_ID"/.test(step.run ?? ""));
    if (!cleanup || cleanup.if !== "${{ always() }}") problems.push(`${id}: no always() clean-up step for the run's id after the drill`);
    if (!/^exec /m.test(job.steps[drillAt].run ?? "")) problems.push(`${id}: the drill is not exec'd (a cancel's SIGINT would not reach it)`);
    const limits = Number(job.env?.TIMEOUT_MS) + Number(job.env?.CLEANUP_TIMEOUT_MS);
    if (!(Number(job["timeout-minutes"]) * 60_000 > limits)) problems.push(`${id}: timeout-minutes ${job["timeout-minutes"]} does not outlive the drill's limits (${limits} ms)`);
  }
  return problems;
}

describe("drill.yml and drift.yml: the shared properties, for environments set up for real", () => {
  it("make concrete jobs for every ready environment", () => {
    expect(Object.keys(drill.jobs).sort()).toEqual(["drill-dev", "drill-prod", "environments", "report"]);
    expect(Object.keys(drift.jobs).sort()).toEqual(["environments", "plan-dev", "plan-prod", "report", "seed-plan-dev", "seed-plan-prod"]);
  });

  it("run only for environments set up for real: one without a runner label is left out", () => {
    const mixed = temporaryDirectory("day-two-mixed");
    try {
      fs.copyFileSync(path.join(configDir, "dev.json"), path.join(mixed, "dev.json"));
      const prod: Record<string, any> = { ...filledInEnvironment("prod"), production: true };
      delete prod.ci.runnerLabel;
      fs.writeFileSync(path.join(mixed, "prod.json"), JSON.stringify(prod));
      expect(environmentList("deploy", mixed).map((entry) => entry.environment)).toEqual(["dev", "prod"]);
      expect(environmentList("ready", mixed).map((entry) => entry.environment)).toEqual(["dev"]);
    } finally {
      fs.rmSync(mixed, { recursive: true, force: true });
    }
  });

  it.each([["drill", drill], ["drift", drift]] as const)("hold in %s", (_name, workflow) => {
    expect(idTokenJobsWithoutEnvironment(workflow)).toEqual([]);
    expect(artifactsHoldingPlanOrState(workflow)).toEqual([]);
    expect(jobsMixingEnvironments(workflow, environments)).toEqual([]);
    expect(sessionsShorterThanJobs(workflow)).toEqual([]);
    expect(appliesNotOfSavedPlan(workflow)).toEqual([]);
  });

  it("fail for a drift plan written out as JSON, or a drill job reading another secret", () => {
    const planJson = concretePullRequest(broken(genericDrift, (copy) => copy.jobs.plan.steps.push({ run: "terraform show -json drift.tfplan > plan.json" })), configDir);
    expect(artifactsHoldingPlanOrState(planJson)).toEqual(["plan-dev: writes plan JSON (terraform show -json) out of the script that keeps it in memory", "plan-prod: writes plan JSON (terraform show -json) out of the script that keeps it in memory"]);
    const deployKey = concretePullRequest(broken(genericDrill, (copy) => (copy.jobs.drill.steps[3].env.MONGODB_ATLAS_PRIVATE_API_KEY = "${{ secrets.ATLAS_PRIVATE_API_KEY }}")), configDir);
    expect(jobsMixingEnvironments(deployKey, environments)).toEqual(["drill-dev: reads secrets.ATLAS_PRIVATE_API_KEY in dev-drill, which holds only the drill key", "drill-prod: reads secrets.ATLAS_PRIVATE_API_KEY in prod-drill, which holds only the drill key"]);
  });
});

describe("drift.yml: its only write permission is issues: write, and it holds no cloud write credential", () => {
  it("holds", () => {
    expect(writePermissions(drift)).toEqual(["report: issues"]);
    expect(driftProblems(drift)).toEqual([]);
    expect(drift.jobs.report.steps.some(isCredentialStep)).toBe(false);
    expect(drift.on).toMatchObject({ schedule: [{ cron: expect.any(String) }], workflow_dispatch: {} });
  });

  it("fails for contents: write, an apply, a locking plan, the deploy role, a seed apply, or a report job with a role", () => {
    expect(writePermissions(broken(drift, (copy) => (copy.jobs["plan-dev"].permissions.contents = "write")))).toEqual(["plan-dev: contents", "report: issues"]);
    expect(writePermissions(broken(drift, (copy) => delete copy.jobs.report.permissions))).toEqual(["report: default token permissions"]);
    const apply = broken(drift, (copy) => copy.jobs["plan-dev"].steps.push({ run: "terraform apply -input=false drift.tfplan" }));
    expect(driftProblems(apply)).toEqual(["plan-dev: changes something"]);
    const locking = broken(drift, (copy) => {
      const step = copy.jobs["plan-prod"].steps.find((s) => /terraform plan/.test(s.run ?? ""))!;
      step.run = step.run.replace(" -lock=false", "");
    });
    expect(driftProblems(locking)).toEqual([expect.stringMatching(/^plan-prod: terraform plan .*needs -lock=false/)]);
    const deployRole = broken(drift, (copy) => (copy.jobs["plan-dev"].steps.find(isCredentialStep)!.with["role-to-assume"] = environments[0].deployRoleArn));
    expect(driftProblems(deployRole)).toEqual([`plan-dev: assumes ${environments[0].deployRoleArn}`]);
    const seedApply = broken(drift, (copy) => copy.jobs["seed-plan-dev"].steps.push({ run: 'npm run --silent seed -- apply --secret-id "$SEED_SECRET_ID"' }));
    expect(driftProblems(seedApply)).toEqual(["seed-plan-dev: changes something"]);
    const credentialedReport = broken(drift, (copy) => copy.jobs.report.steps.push({ ...copy.jobs["plan-dev"].steps.find(isCredentialStep)! }));
    expect(driftProblems(credentialedReport)).toContain("report: may write and holds a cloud credential");
  });
});

describe("drill.yml: no AWS role, only the report job may write (issues), a clean-up whatever happens, and a job that outlives the drill", () => {
  it("holds", () => {
    expect(writePermissions(drill)).toEqual(["report: issues"]);
    expect(Object.values(drill.jobs).filter((job) => stringsIn(job).some(({ value }) => /\bsecrets\./.test(value))).map((job) => job.environment)).toEqual(["dev-drill", "prod-drill"]);
    expect(drillProblems(drill)).toEqual([]);
    expect(drill.on).toMatchObject({ schedule: [{ cron: expect.any(String) }], workflow_dispatch: { inputs: { environment: {}, at: {}, confirm_production: { type: "boolean", default: false } } } });
    expect(drill.jobs["drill-prod"].environment).toBe("prod-drill");
    // The workflow's limits are the drill's own defaults.
    expect(DRILL_LIMITS.drillMinutes * 60_000).toBe(DRILL_DEFAULTS.timeoutMs);
    expect(DRILL_LIMITS.cleanupMinutes * 60_000).toBe(DRILL_DEFAULTS.cleanupTimeoutMs);
  });

  it("fails for an AWS role, a clean-up only on success, a drill not exec'd, or a job timeout inside the drill's", () => {
    const withRole = broken(drill, (copy) => (copy.jobs["drill-dev"].permissions["id-token"] = "write"));
    expect(drillProblems(withRole)).toEqual(["drill-dev: can assume an AWS role"]);
    const onSuccess = broken(drill, (copy) => (copy.jobs["drill-dev"].steps.find((s) => /--cleanup-only/.test(s.run ?? ""))!.if = "${{ success() }}"));
    expect(drillProblems(onSuccess)).toEqual(["drill-dev: no always() clean-up step for the run's id after the drill"]);
    const notExec = broken(drill, (copy) => {
      const step = copy.jobs["drill-prod"].steps.find((s) => /exec npm run/.test(s.run ?? ""))!;
      step.run = step.run.replace("exec npm run", "npm run");
    });
    expect(drillProblems(notExec)).toEqual(["drill-prod: the drill is not exec'd (a cancel's SIGINT would not reach it)"]);
    const short = broken(drill, (copy) => (copy.jobs["drill-dev"]["timeout-minutes"] = 180));
    expect(drillProblems(short)).toEqual([expect.stringMatching(/^drill-dev: timeout-minutes 180 does not outlive the drill's limits/)]);
  });
});
