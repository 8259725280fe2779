/*
 * The deploy workflows under GitHub's real behaviour (issue 20), checked as properties of what
 * GitHub runs for the environments of config/ (each also broken in the generic workflow, to see
 * it fail), plus:
 *   - a model of GitHub's concurrency groups (one running, one pending; a newer pending job
 *     cancels the older; a job waiting for approval holds its group, as reported), run on three
 *     quick merges with prod's approval of the first left waiting;
 *   - the verdict job's script, as the job runs it, for every way a re-run can go.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { pipelineEnvironments } from "../../.github/scripts/pipeline";
import { temporaryDirectory } from "../support/temporary-directory";
import {
  callInputProblems,
  erroredStateLeftBehind,
  lockHoldersNotInterruptible,
  orderNotChecked,
  plansBesideApplies,
  secretsProblems,
  shellsNotStrict,
} from "./support/delivery-properties";
import { broken, type Writable } from "./support/broken-copy";
import { filledInEnvironment } from "./support/environment-files";
import { committedWorkflow, concreteDeploy, concreteWorkflows } from "./support/instances";
import { waitsForApproval } from "./support/workflow-properties";
import type { Job, Workflow } from "./support/workflows";

const environments = pipelineEnvironments("config");
const genericDeploy = committedWorkflow("deploy.yml");
const called = committedWorkflow("deploy-environment.yml");
const genericPullRequest = committedWorkflow("pull-request.yml");
const { deploy, pullRequest } = concreteWorkflows("config");
const CALLED = { "deploy-environment.yml": called };

const brokenDeploy = (change: (copy: Writable) => void) => concreteDeploy(genericDeploy, broken(called, change));
const each = (message: (name: string) => string) => environments.map((environment) => message(environment.name));
const step = (copy: Writable, job: string, pattern: RegExp) => copy.jobs[job].steps.find((candidate) => pattern.test(candidate.run ?? candidate.uses ?? ""))!;

describe("property: every Terraform command that takes the state lock can be interrupted cleanly and waits for the lock", () => {
  it("holds in the deploy run (fresh plan and apply, through terraform-interruptible.sh, limits within the job's timeout)", () => {
    expect(lockHoldersNotInterruptible(deploy)).toEqual([]);
    expect(lockHoldersNotInterruptible(pullRequest)).toEqual([]);
  });

  it("fails for a plain terraform apply, a missing -lock-timeout, limits longer than the job allows", () => {
    const plain = brokenDeploy((copy) => (step(copy, "apply", /terraform apply/).run = "terraform apply -input=false -no-color -lock-timeout=15m tfplan"));
    expect(lockHoldersNotInterruptible(plain)).toEqual(each((name) => `apply-${name}: \`terraform apply -input=false -no-color -lock-timeout=15m tfplan\` takes the state lock but is not exec'd through terraform-interruptible.sh`));
    const noTimeout = brokenDeploy((copy) => (step(copy, "apply", /terraform apply/).run = step(copy, "apply", /terraform apply/).run.replace(" -lock-timeout=15m", "")));
    expect(lockHoldersNotInterruptible(noTimeout).join("\n")).toContain("has no -lock-timeout");
    const tooLong = brokenDeploy((copy) => (step(copy, "apply", /terraform apply/).run = step(copy, "apply", /terraform apply/).run.replace(/ \d+m terraform apply/, " 600m terraform apply")));
    expect(lockHoldersNotInterruptible(tooLong).join("\n")).toMatch(/leave less than 10 min of its timeout/);
  });
});

describe("property: errored.tfstate is pushed on a failure and on a cancel (a job timeout is one)", () => {
  it("holds in the deploy run", () => {
    expect(erroredStateLeftBehind(deploy)).toEqual([]);
  });

  it("fails for a push on failure() only, as before", () => {
    const failureOnly = brokenDeploy((copy) => {
      for (const candidate of copy.jobs.apply.steps.filter((s) => String(s.if ?? "").includes("errored.tfstate"))) candidate.if = candidate.if.replace("(failure() || cancelled())", "failure()");
    });
    expect(erroredStateLeftBehind(failureOnly)).toEqual(each((name) => `apply-${name}: the errored.tfstate push does not run on cancelled()`));
  });
});

describe("property: an environment applies only after checking, in this run's jobs, that the ones before it finished", () => {
  it("holds in the deploy run", () => {
    expect(orderNotChecked(deploy)).toEqual([]);
  });

  it("fails without the check, with the check after the fresh plan, or without actions: read", () => {
    const without = brokenDeploy((copy) => (copy.jobs.apply.steps = copy.jobs.apply.steps.filter((s) => !/deploy-order\.ts/.test(s.run ?? ""))));
    expect(orderNotChecked(without)).toEqual(each((name) => `apply-${name}: applies without first checking the environments before it finished (deploy-order.ts)`));
    const late = brokenDeploy((copy) => {
      const steps = copy.jobs.apply.steps;
      const [check] = steps.splice(steps.findIndex((s) => /deploy-order\.ts/.test(s.run ?? "")), 1);
      steps.splice(steps.findIndex((s) => /terraform apply/.test(s.run ?? "")), 0, check);
    });
    expect(orderNotChecked(late)).toEqual(each((name) => `apply-${name}: applies without first checking the environments before it finished (deploy-order.ts)`));
    const blind = brokenDeploy((copy) => delete copy.jobs.apply.permissions.actions);
    expect(orderNotChecked(blind)).toEqual(each((name) => `apply-${name}: cannot read this run's jobs (permissions: actions: read)`));
  });
});

describe("property: a deploy plan waits for another run's apply of its environment", () => {
  it("holds in the deploy run (pull-request previews need not wait)", () => {
    expect(plansBesideApplies(deploy)).toEqual([]);
  });

  it("fails without the wait", () => {
    const eager = brokenDeploy((copy) => (copy.jobs.plan.steps = copy.jobs.plan.steps.filter((s) => !/--running-applies/.test(s.run ?? ""))));
    expect(plansBesideApplies(eager)).toEqual(each((name) => `plan-${name}: plans without first waiting for another run's apply of its environment`));
  });
});

describe("property: secrets arrive, or the job says which did not", () => {
  it("holds: the call passes secrets: inherit; every job reading Atlas secrets refuses empty ones first, naming its own environment", () => {
    expect(secretsProblems(genericDeploy, CALLED)).toEqual([]);
    expect(secretsProblems(deploy)).toEqual([]);
    expect(secretsProblems(pullRequest)).toEqual([]);
    const checked = Object.entries(deploy.jobs).filter(([, job]) => job.steps.some((s) => /required-secrets\.ts/.test(s.run ?? ""))).map(([id]) => id);
    expect(checked.sort()).toEqual(environments.flatMap((environment) => [`apply-${environment.name}`, `plan-${environment.name}`]).sort());
  });

  it("fails without secrets: inherit, without the check, or when the check misses a secret", () => {
    expect(secretsProblems(broken(genericDeploy, (copy) => delete copy.jobs.deploy.secrets), CALLED)).toEqual(["deploy: calls ./.github/workflows/deploy-environment.yml without secrets: inherit"]);
    const unchecked = brokenDeploy((copy) => (copy.jobs.plan.steps = copy.jobs.plan.steps.filter((s) => !/required-secrets\.ts/.test(s.run ?? ""))));
    expect(secretsProblems(unchecked)).toEqual(each((name) => `plan-${name}: reads ATLAS_PUBLIC_API_KEY, ATLAS_PRIVATE_API_KEY, ATLAS_ORG_ID, ATLAS_ALERT_WEBHOOK_SECRET without first refusing empty secrets (required-secrets.ts)`));
    const partial = brokenDeploy((copy) => delete step(copy, "apply", /required-secrets\.ts/).env.ATLAS_ORG_ID);
    expect(secretsProblems(partial)).toEqual(each((name) => `apply-${name}: the empty-secret check does not get ATLAS_ORG_ID under its own name`));
    const otherEnvironment = brokenDeploy((copy) => (step(copy, "apply", /required-secrets\.ts/).run = step(copy, "apply", /required-secrets\.ts/).run.replace("-deploy", "-plan")));
    expect(secretsProblems(otherEnvironment)).toEqual(each((name) => `apply-${name}: the empty-secret check names ${name}-plan GitHub environment, not its own (${name}-deploy)`));
  });
});

describe("property: every run: script runs with pipefail (shell: bash)", () => {
  it.each([["deploy.yml", genericDeploy], ["deploy-environment.yml", called], ["pull-request.yml", genericPullRequest]] as const)("holds in %s", (_file, workflow) => {
    expect(shellsNotStrict(workflow)).toEqual([]);
  });

  it("fails without defaults.run.shell", () => {
    expect(shellsNotStrict(broken(called, (copy) => delete copy.defaults))).toEqual(["deploy one environment: defaults.run.shell is unset (bash -e, no pipefail)"]);
  });
});

describe("each caller passes exactly the callee's inputs", () => {
  it("holds for deploy.yml's call of deploy-environment.yml", () => {
    expect(callInputProblems(genericDeploy, CALLED)).toEqual([]);
  });

  it("fails for a missing input, an input the callee does not declare, and a callee that is not committed", () => {
    expect(callInputProblems(broken(genericDeploy, (copy) => delete copy.jobs.deploy.with.seed_secret_id), CALLED)).toEqual(["deploy: does not pass seed_secret_id (required) to deploy-environment.yml"]);
    expect(callInputProblems(broken(genericDeploy, (copy) => (copy.jobs.deploy.with.runner = "x")), CALLED)).toEqual(["deploy: passes runner, which deploy-environment.yml does not declare"]);
    expect(callInputProblems(broken(called, (copy) => (copy.on.workflow_call.inputs.extra = { type: "string", required: false })), {})).toEqual([]);
    expect(callInputProblems(genericDeploy, {})).toEqual(["deploy: calls ./.github/workflows/deploy-environment.yml, which is not committed"]);
    const extraInput = broken(called, (copy) => (copy.on.workflow_call.inputs.extra = { type: "string", required: false }));
    expect(callInputProblems(genericDeploy, { "deploy-environment.yml": extraInput })).toEqual(["deploy: does not pass extra to deploy-environment.yml"]);
  });
});

// ---------------------------------------------------------------------------------------------
// GitHub's concurrency groups, modelled: per group one job runs and one waits ("pending"); a job
// joining while one is pending cancels the pending one. As reported, a job waiting for approval
// holds its group like a running one. Jobs without a group start at once.

type JobState = "running" | "waiting for approval" | "pending" | "cancelled" | "done";

interface ModelJob {
  readonly id: string;
  readonly run: string;
  readonly group?: string;
  readonly approval: boolean;
  state: JobState;
}

class ConcurrencyModel {
  readonly jobs: ModelJob[] = [];

  private holder(group: string) {
    return this.jobs.find((job) => job.group === group && (job.state === "running" || job.state === "waiting for approval"));
  }

  private start(job: ModelJob) {
    job.state = job.approval ? "waiting for approval" : "running";
  }

  /** A job whose needs are met joins its group, or starts. */
  queue(run: string, id: string, template: Job): ModelJob {
    const group = typeof template.concurrency === "object" ? template.concurrency.group : template.concurrency;
    const job: ModelJob = { id, run, group, approval: waitsForApproval(template, environments), state: "pending" };
    this.jobs.push(job);
    if (group === undefined || this.holder(group) === undefined) {
      this.start(job);
      return job;
    }
    for (const other of this.jobs) if (other !== job && other.group === group && other.state === "pending") other.state = "cancelled";
    return job;
  }

  /** A job ends (or, waiting for approval, is approved and then ends); the group's pending job starts. */
  finish(job: ModelJob) {
    job.state = "done";
    const next = job.group === undefined ? undefined : this.jobs.find((other) => other.group === job.group && other.state === "pending");
    if (next) this.start(next);
  }

  find(run: string, id: string) {
    return this.jobs.find((job) => job.run === run && job.id === id)!;
  }
}

/**
 * Three quick merges A, B, C; prod's apply of A waits for an approval nobody gives. Each run's
 * prod plan is queued when its run reaches prod; a plan that runs finishes, and its apply joins.
 */
function threeQuickMerges(workflow: Workflow, production: string) {
  const model = new ConcurrencyModel();
  const plan = workflow.jobs[`plan-${production}`];
  const apply = workflow.jobs[`apply-${production}`];
  const reach = (run: string) => {
    const planned = model.queue(run, "plan", plan);
    if (planned.state === "running") {
      model.finish(planned);
      model.queue(run, "apply", apply);
    }
  };
  reach("A");
  reach("B");
  reach("C");
  return model;
}

describe("a waiting approval never holds an environment's queue (GitHub's concurrency, modelled)", () => {
  const production = environments.find((environment) => environment.production)!.name;

  it("three quick merges, A's prod approval left waiting: B's and C's prod plans run at once, nothing is cancelled, and each apply waits for its own approval", () => {
    const model = threeQuickMerges(deploy, production);
    expect(model.jobs.map((job) => `${job.run} ${job.id}: ${job.state}`)).toEqual([
      "A plan: done",
      "A apply: waiting for approval",
      "B plan: done",
      "B apply: waiting for approval",
      "C plan: done",
      "C apply: waiting for approval",
    ]);
    // The approvers approve C (the head of main): its apply starts; A's and B's, approved or not, stop at their head check.
    model.finish(model.find("C", "apply"));
    expect(model.find("C", "apply").state).toBe("done");
  });

  it("the old design (the apply job in the environment's group) fails the same trace: B's plan is blocked, then cancelled by C's", () => {
    const old = concreteDeploy(genericDeploy, broken(called, (copy) => (copy.jobs.apply.concurrency = { group: "deploy-${{ inputs.environment }}", "cancel-in-progress": false })));
    const model = threeQuickMerges(old, production);
    expect(model.jobs.map((job) => `${job.run} ${job.id}: ${job.state}`)).toEqual(["A plan: done", "A apply: waiting for approval", "B plan: cancelled", "C plan: pending"]);
  });

  it("the jobs in a queue never wait for approval; the ones that wait for approval are in none", () => {
    for (const [id, job] of Object.entries(deploy.jobs)) {
      if (waitsForApproval(job, environments)) expect([id, job.concurrency]).toEqual([id, undefined]);
    }
    expect(Object.values(deploy.jobs).filter((job) => waitsForApproval(job, environments)).length).toBe(environments.length * 2);
  });
});

// ---------------------------------------------------------------------------------------------

describe("the verdict job: a run is green only when this attempt checked the head of main and deployed", () => {
  const script = genericDeploy.jobs.verdict.steps[0].run!;
  const env = genericDeploy.jobs.verdict.steps[0].env!;
  const A = "a".repeat(40);
  const B = "b".repeat(40);
  let scratch: string;
  beforeAll(() => {
    scratch = temporaryDirectory("verdict");
  });
  afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

  function verdict(values: { headResult?: string; headAttempt?: string; attempt?: string; deploy?: string; list?: string; main?: string }) {
    const bin = fs.mkdtempSync(path.join(scratch, "bin-"));
    fs.writeFileSync(path.join(bin, "curl"), `#!/bin/sh\necho '{"ref":"refs/heads/main","object":{"sha":"${values.main ?? A}","type":"commit"}}'\n`, { mode: 0o755 });
    const result = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", script], {
      encoding: "utf8",
      env: {
        PATH: `${bin}:${process.env.PATH}`,
        GITHUB_REF: "refs/heads/main",
        GITHUB_SHA: A,
        GITHUB_REPOSITORY: "org/audio-pipeline",
        GITHUB_API_URL: "https://api.github.com",
        GITHUB_RUN_ATTEMPT: values.attempt ?? "1",
        GH_TOKEN: "t",
        HEAD_CHECK_RESULT: values.headResult ?? "success",
        HEAD_CHECKED_ATTEMPT: values.headAttempt ?? "1",
        DEPLOY_RESULT: values.deploy ?? "success",
        ENVIRONMENT_LIST: values.list ?? "[{}]",
      },
    });
    return { code: result.status, out: result.stdout + result.stderr };
  }

  it("reads what it needs from the run", () => {
    expect(env).toEqual({
      GH_TOKEN: "${{ github.token }}",
      HEAD_CHECK_RESULT: "${{ needs.current-head.result }}",
      HEAD_CHECKED_ATTEMPT: "${{ needs.current-head.outputs.attempt }}",
      DEPLOY_RESULT: "${{ needs.deploy.result }}",
      ENVIRONMENT_LIST: "${{ needs.environments.outputs.list }}",
    });
    expect(genericDeploy.jobs.verdict.if).toBe("${{ always() }}");
  });

  it("green: the first attempt (or Re-run all jobs) checked the head and deployed everything", () => {
    expect(verdict({})).toEqual({ code: 0, out: `Deployed ${A} to every environment of config/.\n` });
    expect(verdict({ attempt: "2", headAttempt: "2" }).code).toBe(0);
    expect(verdict({ deploy: "skipped", list: "[]" }).code).toBe(0);
  });

  it("red, saying what to do: Re-run failed jobs (or one job) of the head of main", () => {
    const rerun = verdict({ attempt: "2", headAttempt: "1", deploy: "success" });
    expect(rerun.code).toBe(1);
    expect(rerun.out).toContain("::error title=Re-run all jobs, not failed ones::Attempt 2 re-ran only some jobs.");
  });

  it("red, saying main moved on: any re-run of an old run", () => {
    const old = verdict({ attempt: "3", headAttempt: "1", main: B });
    expect(old.code).toBe(1);
    expect(old.out).toContain(`::error title=Superseded by a newer commit of main::This run deploys ${A}, but main is now at ${B}`);
  });

  it("red when the head check stopped the run, or an environment failed", () => {
    expect(verdict({ headResult: "failure", headAttempt: "" }).out).toContain("::error title=Nothing deployed::The head-of-main check stopped this run");
    expect(verdict({ deploy: "failure" }).out).toContain("::error title=Not every environment deployed::The deploy job ended failure");
    expect(verdict({ deploy: "cancelled" }).code).toBe(1);
    expect(verdict({ deploy: "skipped" }).code).toBe(1);
  });
});

describe("a new config/staging.json keeps these properties too", () => {
  it("holds for every job GitHub would run for it", () => {
    const directory = temporaryDirectory("staging-config");
    try {
      for (const file of fs.readdirSync("config")) fs.copyFileSync(path.join("config", file), path.join(directory, file));
      fs.writeFileSync(path.join(directory, "staging.json"), JSON.stringify(filledInEnvironment("staging", { deployAfter: "dev" })));
      const concrete = concreteWorkflows(directory);
      expect([
        ...lockHoldersNotInterruptible(concrete.deploy),
        ...erroredStateLeftBehind(concrete.deploy),
        ...orderNotChecked(concrete.deploy),
        ...secretsProblems(concrete.deploy),
        ...secretsProblems(concrete.pullRequest),
      ]).toEqual([]);
      expect(Object.keys(concrete.deploy.jobs)).toContain("apply-staging");
    } finally {
      fs.rmSync(directory, { recursive: true, force: true });
    }
  });
});

describe("approve-seed: the same head and attempt guard as the jobs that queue", () => {
  const production = environments.find((environment) => environment.production)!.name;
  const guardProblems = (workflow: Workflow) =>
    Object.entries(workflow.jobs)
      .filter(([id]) => id.startsWith("approve-seed-"))
      .flatMap(([id, job]) => [
        ...((job.if ?? "").includes("needs.current-head.outputs.attempt == github.run_attempt") ? [] : [`${id}: runs in an attempt that did not check the head of main`]),
        ...(job.steps[0]?.name === "Refuse anything but the current head of main" ? [] : [`${id}: does not check the head of main once approved`]),
      ]);

  it("holds: only in the attempt whose first job checked the head, and it checks again once approved", () => {
    expect(guardProblems(deploy)).toEqual([]);
    expect(deploy.jobs[`approve-seed-${production}`].steps[0].run).toContain('"$head" != "$GITHUB_SHA"');
  });

  it("fails without the attempt guard or without the head check", () => {
    const unguarded = brokenDeploy((copy) => (copy.jobs["approve-seed"].if = "${{ inputs.production && needs.seed-plan.outputs.changes == 'true' }}"));
    expect(guardProblems(unguarded)).toEqual(each((name) => `approve-seed-${name}: runs in an attempt that did not check the head of main`));
    const unchecked = brokenDeploy((copy) => copy.jobs["approve-seed"].steps.shift());
    expect(guardProblems(unchecked)).toEqual(each((name) => `approve-seed-${name}: does not check the head of main once approved`));
  });
});
