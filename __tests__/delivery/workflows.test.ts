/*
 * The GitHub Actions workflows, read as data: jobs and their order, where secrets may appear,
 * permissions, pins, and that every command they run exists. The workflows cannot run here (no
 * GitHub, no cloud); these tests are what keeps them honest between runs.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { TERRAFORM_VERSION } from "./pinned-versions";
import {
  actionName,
  allSteps,
  loadWorkflow,
  loadWorkflows,
  needsOf,
  resolveEnv,
  stringsIn,
  transitiveNeeds,
  type Job,
  type Step,
  type Workflow,
} from "./support/workflows";

const packageJson = JSON.parse(fs.readFileSync("package.json", "utf8")) as {
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

const workflows = loadWorkflows();
const pullRequest = loadWorkflow("pull-request.yml");
const deploy = loadWorkflow("deploy.yml");

/** Environment variables that carry a credential: the only names a secret may be given. */
const CREDENTIAL_VARIABLES = [
  "MONGODB_ATLAS_PUBLIC_API_KEY",
  "MONGODB_ATLAS_PRIVATE_API_KEY",
  "TF_VAR_atlas_org_id",
  "TF_VAR_atlas_alert_webhook_secret",
];

/** The steps that talk to Atlas through Terraform: the only ones that need the Atlas key and org id. */
function needsAtlasCredentials(step: Step): boolean {
  return /\bcdktf (diff|deploy)\b/.test(step.run ?? "");
}

function stepRunning(job: Job, pattern: RegExp): Step {
  const found = job.steps.filter((step) => pattern.test(step.run ?? ""));
  if (found.length !== 1) throw new Error(`expected one step running ${pattern}, found ${found.length}`);
  return found[0];
}

function indexOfRun(job: Job, pattern: RegExp): number {
  return job.steps.findIndex((step) => pattern.test(step.run ?? ""));
}

function usesAction(job: Job, action: string): boolean {
  return job.steps.some((step) => step.uses !== undefined && actionName(step.uses) === action);
}

function environmentName(job: Job): string | undefined {
  return typeof job.environment === "string" ? job.environment : job.environment?.name;
}

describe("the pull-request workflow", () => {
  it("runs on pull requests to main", () => {
    expect(pullRequest.on).toEqual({ pull_request: { branches: ["main"] } });
  });

  it("installs from the lockfile, tests, synthesizes and uploads cdktf.out, in that order", () => {
    const check = pullRequest.jobs.check;
    const order = [/^npm ci\b/m, /^npm test$/m, /^npm run synth$/m].map((pattern) => indexOfRun(check, pattern));
    expect(order.every((index) => index >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    const upload = check.steps.findIndex((step) => step.uses && actionName(step.uses) === "actions/upload-artifact");
    expect(upload).toBeGreaterThan(order[2]);
    expect(String(check.steps[upload].with?.path)).toMatch(/^cdktf\.out\/$/m);
  });

  it("runs the seeder's integration tests against a MongoDB 7.0 service container, not skipped", () => {
    const check = pullRequest.jobs.check;
    const mongodb = check.services?.mongodb;
    // An exact release or a digest: never a tag that moves (7.0, latest).
    expect(mongodb?.image).toMatch(/^mongo(:7\.0\.\d+|@sha256:[0-9a-f]{64})$/);
    expect(mongodb?.ports?.map(String)).toContain("27017:27017");
    // Steps start only once the server answers.
    expect(mongodb?.options).toMatch(/--health-cmd "mongosh (--quiet )?--eval 'db\.runCommand\(\{ping:1\}\)'"/);
    const test = stepRunning(check, /^npm test$/m);
    const uri = String(test.env?.MONGODB_TEST_URI);
    expect(uri).toBe("mongodb://localhost:27017/?directConnection=true");
    // The variable the integration tests read, on the port the service publishes.
    expect(fs.readFileSync("__tests__/seed/integration.test.ts", "utf8")).toContain("process.env.MONGODB_TEST_URI");
    expect(mongodb?.ports?.map(String)).toContain(`${new URL(uri).port}:27017`);
  });

  it("writes the reviewers' HCL apart from the JSON terraform runs", () => {
    // Terraform loads every *.tf and *.tf.json of a directory: both files in one directory define everything twice.
    const hcl = stepRunning(pullRequest.jobs.check, /npm run synth:hcl/);
    expect(hcl.run).toMatch(/--output (?!cdktf\.out\b)\S+/);
  });

  it("plans the dev stack only, with `cdktf diff` after the checks, only where credentials exist", () => {
    const plan = pullRequest.jobs.plan;
    expect(needsOf(plan)).toEqual(["check"]);
    expect((plan as { strategy?: unknown }).strategy).toBeUndefined();
    expect(plan.env?.STACK).toBe("audio-pipeline-dev");
    expect(stepRunning(plan, /cdktf diff/).run).toContain('npx cdktf diff "$STACK"');
    // Forks get neither secrets nor an OIDC token; the dev plan role must be configured.
    expect(plan.if).toContain("github.event.pull_request.head.repo.full_name == github.repository");
    expect(plan.if).toContain("vars.AWS_DEV_PLAN_ROLE_ARN != ''");
  });

  it("reaches nothing of prod: no prod stack, role, environment or prod-only secret in any job", () => {
    // Pull-request code runs in these jobs, and a plan reads the whole state it plans (passwords included).
    const mentions = stringsIn(pullRequest.jobs)
      .filter(({ value }) =>
        /\bprod\b|audio-pipeline-prod|production|ATLAS_ALERT_WEBHOOK_SECRET|atlas_alert_webhook_secret|AWS_(PROD_PLAN|PLAN|DEPLOY|SEED)_ROLE_ARN|ATLAS_(PUBLIC|PRIVATE)_API_KEY/i.test(value),
      )
      .map(({ path: at, value }) => `${at.join(".")}: ${value.slice(0, 80)}`);
    expect(mentions).toEqual([]);
    const roles = allSteps(pullRequest)
      .filter(({ step }) => step.uses !== undefined && actionName(step.uses) === "aws-actions/configure-aws-credentials")
      .map(({ step }) => step.with?.["role-to-assume"]);
    expect(roles).toEqual(["${{ vars.AWS_DEV_PLAN_ROLE_ARN }}"]);
    expect(Object.values(pullRequest.jobs).map(environmentName).filter(Boolean)).toEqual([]);
  });

  it("posts the plan summary from a separate job that holds no cloud credentials", () => {
    const comment = pullRequest.jobs.comment;
    expect(needsOf(comment)).toEqual(["plan"]);
    expect(usesAction(comment, "actions/github-script")).toBe(true);
    expect(usesAction(comment, "aws-actions/configure-aws-credentials")).toBe(false);
    expect(stringsIn(comment).some(({ value }) => value.includes("secrets."))).toBe(false);
  });
});

describe("the deploy workflow", () => {
  const order = ["deploy-dev", "seed-dev", "deploy-prod", "seed-prod"];

  it("runs on merges to main, and deploys only main even when started by hand", () => {
    expect(deploy.on.push).toEqual({ branches: ["main"] });
    expect(deploy.jobs["deploy-dev"].if).toBe("github.ref == 'refs/heads/main'");
    // Every other job waits for deploy-dev, so it is skipped with it.
    for (const jobId of Object.keys(deploy.jobs).filter((id) => id !== "deploy-dev")) {
      expect(transitiveNeeds(deploy, jobId).has("deploy-dev"), jobId).toBe(true);
    }
  });

  it("deploys dev, seeds dev, deploys prod, seeds prod, each after the one before", () => {
    for (const [index, jobId] of order.entries()) {
      expect(deploy.jobs[jobId], jobId).toBeDefined();
      const before = transitiveNeeds(deploy, jobId);
      expect([...before].filter((id) => order.includes(id)).sort()).toEqual(order.slice(0, index).sort());
    }
    expect(needsOf(deploy.jobs["seed-dev"])).toEqual(["deploy-dev"]);
    expect(needsOf(deploy.jobs["seed-prod"])).toEqual(["deploy-prod"]);
  });

  it("shows the approvers a prod plan before the prod deploy", () => {
    expect(needsOf(deploy.jobs["deploy-prod"])).toEqual(["plan-prod"]);
    expect(needsOf(deploy.jobs["plan-prod"])).toEqual(["seed-dev"]);
    expect(stepRunning(deploy.jobs["plan-prod"], /cdktf diff/).run).toContain("audio-pipeline-prod");
  });

  it("plans prod with its own role, in its own environment that no pull request can use", () => {
    const planProd = deploy.jobs["plan-prod"];
    // The prod plan role trusts only this environment's OIDC subject; the environment allows branch main only.
    expect(environmentName(planProd)).toBe("production-plan");
    const credentials = planProd.steps.find((step) => step.uses?.startsWith("aws-actions/configure-aws-credentials@"));
    expect(credentials?.with?.["role-to-assume"]).toBe("${{ vars.AWS_PROD_PLAN_ROLE_ARN }}");
    // The dev-only plan role is for pull requests; no main job needs it.
    expect(stringsIn(deploy.jobs).some(({ value }) => value.includes("AWS_DEV_PLAN_ROLE_ARN"))).toBe(false);
  });

  it("records the changes plan-prod shows the approvers; deploy-prod applies only after a fresh plan makes the same", () => {
    const planProd = deploy.jobs["plan-prod"];
    const deployProd = deploy.jobs["deploy-prod"];
    const uploadOf = (job: Job) => job.steps.find((step) => step.uses !== undefined && actionName(step.uses) === "actions/upload-artifact");
    const downloadOf = (job: Job) => job.steps.find((step) => step.uses !== undefined && actionName(step.uses) === "actions/download-artifact");

    // plan-prod: the diff the summary shows, recorded from the same log, uploaded.
    const diff = stepRunning(planProd, /cdktf diff audio-pipeline-prod/);
    expect(diff.run).toContain('| tee "$RUNNER_TEMP/diff.log"');
    const record = stepRunning(planProd, /plan-changes\.ts record /);
    const [, recordedStack, recordedLog, recordedFile] = /plan-changes\.ts record (\S+) (\S+) (\S+)$/.exec(record.run!.trim()) ?? [];
    expect([recordedStack, recordedLog]).toEqual(["audio-pipeline-prod", '"$RUNNER_TEMP/diff.log"']);
    expect(planProd.steps.indexOf(record)).toBeGreaterThan(planProd.steps.indexOf(diff));
    const upload = uploadOf(planProd);
    expect(planProd.steps.indexOf(upload!)).toBeGreaterThan(planProd.steps.indexOf(record));
    expect(path.normalize(String(upload?.with?.path))).toBe(path.normalize(`${path.dirname(recordedFile)}/`));
    expect(upload?.with?.["if-no-files-found"]).toBe("error");

    // deploy-prod: the same artifact, a fresh plan of the synthesized output, the check, then the deploy.
    const download = downloadOf(deployProd);
    expect(download?.with?.name).toBe(upload?.with?.name);
    const replan = stepRunning(deployProd, /cdktf diff audio-pipeline-prod --skip-synth/);
    expect(replan.run).toContain('| tee "$RUNNER_TEMP/diff.log"');
    expect(replan.run).toContain("set -o pipefail");
    const check = stepRunning(deployProd, /plan-changes\.ts check /);
    const [, checkedStack, approvedFile, checkedLog] = /plan-changes\.ts check (\S+) (\S+) (\S+)$/.exec(check.run!.trim()) ?? [];
    expect([checkedStack, checkedLog]).toEqual(["audio-pipeline-prod", '"$RUNNER_TEMP/diff.log"']);
    expect(path.normalize(approvedFile)).toBe(path.join(String(download?.with?.path), path.basename(recordedFile)));
    const at = (step: Step) => deployProd.steps.indexOf(step);
    const credentials = deployProd.steps.findIndex((step) => step.uses?.startsWith("aws-actions/configure-aws-credentials@"));
    const preflight = indexOfRun(deployProd, /preflight\.ts audio-pipeline-prod$/m);
    const apply = indexOfRun(deployProd, /cdktf deploy audio-pipeline-prod/);
    expect(preflight).toBeLessThan(at(replan));
    expect(credentials).toBeLessThan(at(replan));
    expect(at(download!)).toBeLessThan(at(check));
    expect(at(replan)).toBeLessThan(at(check));
    expect(at(check)).toBeLessThan(apply);
    // A check that may fail must stop the job: nothing lets the deploy run after it.
    expect(check["continue-on-error" as keyof Step]).toBeUndefined();
    expect(deployProd.steps[apply].if).toBeUndefined();
  });

  it("deploys prod only through the `production` environment, whose reviewers approve it", () => {
    expect(environmentName(deploy.jobs["deploy-prod"])).toBe("production");
    // No other job may use it: each job that does asks for its own approval.
    const others = Object.entries(deploy.jobs).filter(([id, job]) => id !== "deploy-prod" && environmentName(job) === "production");
    expect(others).toEqual([]);
  });

  it("deploys exactly the synthesized output the preflight checked", () => {
    for (const [jobId, stack] of [
      ["deploy-dev", "audio-pipeline-dev"],
      ["deploy-prod", "audio-pipeline-prod"],
    ]) {
      const job = deploy.jobs[jobId];
      const synth = indexOfRun(job, /^npm run synth$/m);
      const preflight = indexOfRun(job, new RegExp(`preflight\\.ts ${stack}$`, "m"));
      const apply = indexOfRun(job, new RegExp(`cdktf deploy ${stack} --auto-approve --skip-synth`));
      expect([synth, preflight, apply].every((index) => index >= 0), jobId).toBe(true);
      expect(synth < preflight && preflight < apply, jobId).toBe(true);
    }
  });

  it("serializes runs: one deploy at a time, per environment too, never cancelled half way", () => {
    expect(deploy.concurrency).toEqual({ group: "deploy-main", "cancel-in-progress": false });
    for (const [jobId, group] of [
      ["deploy-dev", "audio-pipeline-dev"],
      ["seed-dev", "audio-pipeline-dev"],
      ["plan-prod", "audio-pipeline-prod"],
      ["deploy-prod", "audio-pipeline-prod"],
      ["seed-prod", "audio-pipeline-prod"],
    ]) {
      expect(deploy.jobs[jobId].concurrency, jobId).toEqual({ group, "cancel-in-progress": false });
    }
  });

  it("fails before deploying when the VPC runner label is not configured", () => {
    const first = deploy.jobs["deploy-dev"].steps[0];
    expect(first.env?.VPC_RUNNER_LABEL).toBe("${{ vars.VPC_RUNNER_LABEL }}");
    expect(first.run).toMatch(/if \[ -z "\$VPC_RUNNER_LABEL" \]/);
  });
});

describe("the seed jobs", () => {
  const seedJobs = [
    ["seed-dev", "dev"],
    ["seed-prod", "prod"],
  ] as const;

  it.each(seedJobs)("%s runs on the self-hosted runner inside the VPC", (jobId) => {
    expect(deploy.jobs[jobId]["runs-on"]).toEqual(["self-hosted", "${{ vars.VPC_RUNNER_LABEL }}"]);
  });

  it.each(seedJobs)("%s reads the seeder's secret named by config/%s.json, with AWS_REGION set, and plans before it applies", (jobId, environment) => {
    const job = deploy.jobs[jobId];
    const settings = job.steps.find((step) => step.id === "settings");
    expect(settings?.run).toBe(`npx tsx .github/scripts/environment-settings.ts ${environment} >> "$GITHUB_OUTPUT"`);
    const plan = stepRunning(job, /npm run seed -- plan/);
    const apply = stepRunning(job, /npm run seed -- apply/);
    for (const step of [plan, apply]) {
      expect(step.run).toContain('--secret-id "$SECRET_ID"');
      expect(step.env).toMatchObject({
        AWS_REGION: "${{ steps.settings.outputs.region }}",
        SECRET_ID: "${{ steps.settings.outputs.seed_secret_id }}",
      });
    }
    expect(job.steps.indexOf(plan)).toBeLessThan(job.steps.indexOf(apply));
    expect(apply.if).toBe(`steps.${plan.id}.outputs.pending == 'true'`);
  });

  describe("the plan step's exit-code handling, run in bash with a stand-in npm", () => {
    const planStep = stepRunning(deploy.jobs["seed-dev"], /npm run seed -- plan/);
    let workspace: string;
    beforeAll(() => {
      workspace = fs.mkdtempSync(path.join(os.tmpdir(), "seed-step-"));
      fs.writeFileSync(path.join(workspace, "npm"), '#!/bin/sh\necho "npm $*"\nexit "$FAKE_EXIT"\n', { mode: 0o755 });
    });
    afterAll(() => fs.rmSync(workspace, { recursive: true, force: true }));

    function runPlanStep(exitCode: number) {
      const output = path.join(workspace, `output-${exitCode}`);
      fs.writeFileSync(output, "");
      // GitHub runs `run:` with `bash -e {0}`.
      const result = spawnSync("bash", ["-e", "-c", planStep.run!], {
        encoding: "utf8",
        env: {
          PATH: `${workspace}:${process.env.PATH}`,
          FAKE_EXIT: String(exitCode),
          GITHUB_OUTPUT: output,
          SECRET_ID: "audio-pipeline-dev/mongodb-seed-uri",
        },
      });
      return { status: result.status, stdout: result.stdout, output: fs.readFileSync(output, "utf8") };
    }

    it("passes with changes pending (2), and lets apply run", () => {
      const result = runPlanStep(2);
      expect(result.status).toBe(0);
      expect(result.output).toBe("pending=true\n");
      expect(result.stdout).toContain("npm run seed -- plan --secret-id audio-pipeline-dev/mongodb-seed-uri");
    });

    it("passes with no changes (0), and skips apply", () => {
      expect(runPlanStep(0)).toMatchObject({ status: 0, output: "pending=false\n" });
    });

    it.each([1, 3])("fails on exit %i, with that exit code", (exitCode) => {
      const result = runPlanStep(exitCode);
      expect(result.status).toBe(exitCode);
      expect(result.output).toBe("");
      expect(result.stdout).toContain(`::error::seed plan exited ${exitCode}`);
    });
  });
});

describe.each(workflows.map(({ file, text, workflow }) => [file, text, workflow] as const))("%s", (file, text, workflow: Workflow) => {
  it("passes secrets only through `env:` of the steps that run cdktf diff/deploy, one secret per credential variable", () => {
    const misplaced = stringsIn(workflow)
      .filter(({ value }) => value.includes("secrets."))
      .filter(({ path: at, value }) => {
        const [jobs, jobId, steps, index, env, name] = at;
        if (jobs !== "jobs" || steps !== "steps" || env !== "env" || at.length !== 6) return true;
        const step = workflow.jobs[jobId].steps[Number(index)];
        return !needsAtlasCredentials(step) || !CREDENTIAL_VARIABLES.includes(name) || !/^\$\{\{ secrets\.[A-Z_]+ \}\}$/.test(value);
      })
      .map(({ path: at }) => at.join("."));
    expect(misplaced).toEqual([]);
  });

  it("never interpolates a secret into a script, echoes a credential variable, or traces the shell", () => {
    for (const { jobId, step } of allSteps(workflow)) {
      const run = step.run ?? "";
      const where = `${file} ${jobId} ${step.name ?? step.run}`;
      expect(run, where).not.toContain("secrets.");
      expect(run, where).not.toMatch(/\bset\s+-[a-z]*x|set -o xtrace|bash -x/);
      // The credential variables are for the provider and terraform to read, never for the script.
      for (const variable of CREDENTIAL_VARIABLES) expect(run, where).not.toContain(variable);
    }
    expect(text).not.toMatch(/secrets\s*:\s*inherit/);
  });

  it("gets AWS credentials only through OIDC, never from static keys", () => {
    expect(text).not.toMatch(/AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|aws-access-key-id|aws-secret-access-key/);
    for (const { step } of allSteps(workflow).filter(({ step }) => step.uses?.startsWith("aws-actions/configure-aws-credentials@"))) {
      expect(step.with?.["role-to-assume"]).toMatch(/^\$\{\{ vars\.AWS_[A-Z_]+_ROLE_ARN \}\}$/);
    }
  });

  it("grants nothing by default, id-token: write only to jobs that assume an AWS role, pull-requests: write only to the comment job", () => {
    expect(workflow.permissions).toEqual({});
    for (const [jobId, job] of Object.entries(workflow.jobs)) {
      const permissions = job.permissions;
      expect(typeof permissions, jobId).toBe("object");
      const granted = permissions as Record<string, string>;
      expect(granted["id-token"] === "write", `${jobId} id-token`).toBe(usesAction(job, "aws-actions/configure-aws-credentials"));
      expect(granted["pull-requests"] === "write", `${jobId} pull-requests`).toBe(file === "pull-request.yml" && jobId === "comment");
      const writes = Object.entries(granted).filter(([, level]) => level === "write").map(([scope]) => scope);
      expect(writes.every((scope) => scope === "id-token" || scope === "pull-requests"), jobId).toBe(true);
    }
  });

  it("pins every third-party action to a full commit SHA, with the version in a comment", () => {
    const uses = text.split("\n").filter((line) => /^\s*(-\s+)?uses:/.test(line));
    expect(uses.length).toBeGreaterThan(0);
    for (const line of uses) expect(line).toMatch(/uses: [\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
  });

  it("runs only commands that exist: npm scripts in package.json, package binaries, repository files", () => {
    for (const { jobId, step } of allSteps(workflow)) {
      const run = step.run ?? "";
      for (const match of run.matchAll(/\bnpm\s+(ci|test|t|run|run-script)\b(?:\s+([\w:.-]+))?/g)) {
        const [, command, script] = match;
        if (command === "ci") expect(fs.existsSync("package-lock.json"), `${jobId}: npm ci needs package-lock.json`).toBe(true);
        else if (command === "test" || command === "t") expect(packageJson.scripts.test, `${jobId}: npm test`).toBeDefined();
        else expect(packageJson.scripts[script ?? ""], `${jobId}: npm run ${script}`).toBeDefined();
      }
      for (const [, binary, argument] of run.matchAll(/\bnpx\s+([\w@/.-]+)(?:\s+(\S+))?/g)) {
        const provider = binary === "cdktf" ? "cdktf-cli" : binary;
        expect({ ...packageJson.dependencies, ...packageJson.devDependencies }[provider], `${jobId}: npx ${binary}`).toBeDefined();
        if (binary === "tsx") expect(fs.existsSync(argument), `${jobId}: npx tsx ${argument}`).toBe(true);
      }
    }
  });

  it("sets up Terraform at the version the tests use, without the wrapper", () => {
    const setups = Object.values(workflow.jobs).flatMap((job) =>
      job.steps.filter((step) => step.uses?.startsWith("hashicorp/setup-terraform@")).map((step) => ({ job, step })),
    );
    // Every job that runs cdktf diff/deploy sets Terraform up itself.
    for (const job of Object.values(workflow.jobs).filter((job) => job.steps.some(needsAtlasCredentials))) {
      expect(usesAction(job, "hashicorp/setup-terraform")).toBe(true);
    }
    for (const { job, step } of setups) {
      expect(resolveEnv(step.with?.terraform_version, job, workflow)).toBe(TERRAFORM_VERSION);
      expect(step.with?.terraform_wrapper).toBe(false);
    }
  });
});

describe("the pinned Terraform version", () => {
  it("is the one installed here, when terraform is installed", () => {
    const probe = spawnSync("terraform", ["version", "-json"], {
      encoding: "utf8",
      timeout: 15_000,
      env: { PATH: process.env.PATH ?? "", CHECKPOINT_DISABLE: "1", TF_CLI_CONFIG_FILE: os.devNull },
    });
    if (probe.error || probe.status !== 0) {
      console.warn(`[delivery] terraform is not installed here; the workflows are checked against TERRAFORM_VERSION=${TERRAFORM_VERSION} only`);
      return;
    }
    expect((JSON.parse(probe.stdout) as { terraform_version: string }).terraform_version).toBe(TERRAFORM_VERSION);
  });
});
