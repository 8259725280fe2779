/*
 * The scripts the workflows run (.github/scripts/), run as the workflows run them: the preflight
 * that stops an environment before anything is applied, the deploy order from config/, the seed
 * plan gate (the seeder's exit codes, waiting out an index build, refusing an unapproved seed plan),
 * the head-of-main check, and the push of errored.tfstate.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { deployOrder, pipelineEnvironments, type PipelineEnvironment } from "../../.github/scripts/pipeline";
import { preflightProblems } from "../../.github/scripts/preflight";
import { runCli as seedCli, SEED_EXIT, seedPlanDigest, type SeedRun } from "../../.github/scripts/seed-plan";
import { EXIT } from "../../src/seed/main";
import { DEFAULT_INDEX_BUILD_TIMEOUT_MS } from "../../src/seed/time-limits";
import { ConfigError } from "../../src/config/config-issue";
import { writeConfigFile } from "../support/config-files";
import { temporaryDirectory } from "../support/stacks";
import { terraformAvailability } from "../support/terraform-runner";
import { filledInEnvironment } from "./support/environment-files";
import { concreteWorkflows } from "./support/instances";
import { loadWorkflow } from "./support/workflows";

let scratch: string;
beforeAll(() => {
  scratch = temporaryDirectory("ci-scripts");
});
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

const readyDev = () => filledInEnvironment("dev");

describe("preflight: what stops an environment before any credential is requested", () => {
  it("refuses the committed dev file in a deploy, naming each placeholder field (CI roles included)", () => {
    const problems = preflightProblems("dev", "deploy");
    for (const field of ["ci.planRoleArn", "ci.deployRoleArn", "ci.runnerLabel", "network.vpcId", "state.bucket", "database.seederRoleArn"]) {
      expect(problems.some((problem) => problem.startsWith(`config/dev.json: ${field}`)), field).toBe(true);
    }
  });

  it("accepts an environment whose fields are all real", () => {
    const configDir = path.join(scratch, "ready");
    writeConfigFile(configDir, "dev", readyDev());
    expect(preflightProblems("dev", "deploy", configDir)).toEqual([]);
  });

  it("stops a deploy, not a pull request's plan, when ci.runnerLabel is missing", () => {
    const configDir = path.join(scratch, "no-label");
    const dev = readyDev();
    delete dev.ci.runnerLabel;
    writeConfigFile(configDir, "dev", dev);
    const problems = preflightProblems("dev", "deploy", configDir);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.every((problem) => problem.startsWith(`${path.join(configDir, "dev.json")}: ci.runnerLabel`))).toBe(true);
    expect(problems.join("\n")).toContain("this environment and those after it are not deployed");
    expect(preflightProblems("dev", "pull-request", configDir)).toEqual([]);
  });

  it("runs as the workflow runs it: a deploy fails with ::error::, a pull request skips the plan with a notice and a summary", () => {
    const output = path.join(scratch, "preflight-output");
    const summary = path.join(scratch, "preflight-summary", "audio-pipeline-dev.md");
    const run = (mode: string) =>
      spawnSync(process.execPath, ["--import", "tsx", ".github/scripts/preflight.ts", "dev", "--mode", mode, ...(mode === "pull-request" ? ["--summary-file", summary] : [])], {
        encoding: "utf8",
        env: { ...process.env, GITHUB_OUTPUT: output },
      });
    const deploy = run("deploy");
    expect(deploy.status).toBe(1);
    expect(deploy.stdout).toMatch(/^::error title=audio-pipeline-dev not deployed::config\/dev\.json: ci\.planRoleArn is a placeholder/m);
    const pullRequest = run("pull-request");
    expect(pullRequest.status).toBe(0);
    expect(pullRequest.stdout).toMatch(/^::notice title=audio-pipeline-dev not planned::/m);
    expect(fs.readFileSync(output, "utf8")).toBe("ready=false\nready=false\n");
    expect(fs.readFileSync(summary, "utf8")).toMatch(/^#### `audio-pipeline-dev`: not planned/);
  }, 60_000);
});

describe("deploy order from config/", () => {
  const environment = (name: string, production: boolean, deployAfter?: string): PipelineEnvironment => ({
    name,
    file: `config/${name}.json`,
    stack: `audio-pipeline-${name}`,
    production,
    region: "us-east-1",
    planRoleArn: "",
    deployRoleArn: "",
    seedRoleArn: "",
    seedSecretId: "",
    ...(deployAfter ? { deployAfter } : {}),
  });
  const names = (list: PipelineEnvironment[]) => list.map((item) => item.name);

  it("puts non-production environments first and production ones after all of them, unless ci.deployAfter says otherwise", () => {
    expect(names(deployOrder([environment("prod", true), environment("qa", false), environment("dev", false)]))).toEqual(["dev", "qa", "prod"]);
    expect(names(deployOrder([environment("prod", true), environment("staging", false, "qa"), environment("qa", false, "dev"), environment("dev", false)]))).toEqual([
      "dev",
      "qa",
      "staging",
      "prod",
    ]);
    expect(names(deployOrder([environment("eu", true, "prod"), environment("prod", true), environment("dev", false)]))).toEqual(["dev", "prod", "eu"]);
  });

  it("refuses an unknown name, itself, or a cycle, naming the file, the field, the value and what is allowed", () => {
    expect(() => deployOrder([environment("dev", false, "qa"), environment("prod", true)])).toThrow(
      'config/dev.json: ci.deployAfter: got "qa"; names no environment in config/; allowed: "prod"',
    );
    expect(() => deployOrder([environment("dev", false, "dev")])).toThrow(/ci\.deployAfter: got "dev"; an environment cannot deploy after itself/);
    const cycle = () => deployOrder([environment("a", false, "b"), environment("b", false, "a")]);
    expect(cycle).toThrow(ConfigError);
    expect(cycle).toThrow(/forms a cycle \(a after b, b after a\)/);
  });

  it("reads the committed files: every environment once, production last", () => {
    const list = pipelineEnvironments();
    expect(new Set(names(list)).size).toBe(list.length);
    const firstProduction = list.findIndex((item) => item.production);
    expect(list.slice(firstProduction).every((item) => item.production)).toBe(true);
  });
});

describe("seed-plan.ts: the seed jobs' gate", () => {
  const PLAN = ["+ create collection recordings with its $jsonSchema validator", "+ create index recordings.by_status {\"status\":1}", ""].join("\n");

  /** A stand-in seeder answering each call with the next of `runs`; records the calls. */
  function seeder(runs: SeedRun[]) {
    const calls: string[][] = [];
    return {
      calls,
      run: (args: readonly string[]) => {
        calls.push([...args]);
        const next = runs.shift();
        if (!next) throw new Error(`unexpected seeder call ${args.join(" ")}`);
        return next;
      },
    };
  }
  const files = () => {
    const directory = fs.mkdtempSync(path.join(scratch, "seed-"));
    return { GITHUB_OUTPUT: path.join(directory, "output"), GITHUB_STEP_SUMMARY: path.join(directory, "summary.md") };
  };
  const read = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "");
  const noSleep = async () => {};

  it("puts the plan in the job summary and reports changes (2) or none (0)", async () => {
    const env = files();
    const stand = seeder([{ code: 2, stdout: PLAN, stderr: "" }]);
    expect(await seedCli(["plan", "--environment", "prod", "--secret-id", "audio-pipeline/mongodb-seed-uri"], env, stand.run, noSleep)).toBe(0);
    expect(stand.calls).toEqual([["plan", "--secret-id", "audio-pipeline/mongodb-seed-uri"]]);
    expect(read(env.GITHUB_OUTPUT)).toBe(`changes=true\ndigest=${seedPlanDigest(PLAN)}\n`);
    expect(read(env.GITHUB_STEP_SUMMARY)).toContain("#### seed plan of `prod`: changes pending");
    expect(read(env.GITHUB_STEP_SUMMARY)).toContain("+ create index recordings.by_status");

    const none = files();
    expect(await seedCli(["plan", "--environment", "dev", "--secret-id", "s"], none, seeder([{ code: 0, stdout: "No changes.\n", stderr: "" }]).run, noSleep)).toBe(0);
    expect(read(none.GITHUB_OUTPUT)).toMatch(/^changes=false\n/);
    expect(read(none.GITHUB_STEP_SUMMARY)).toContain("#### seed plan of `dev`: no changes");
  });

  it("waits while an index build is in progress (4) and plans again, a bounded number of times", async () => {
    const waits: number[] = [];
    const sleep = async (seconds: number) => {
      waits.push(seconds);
    };
    const env = files();
    const building = { code: 4, stdout: "index build in progress\n", stderr: "" };
    const stand = seeder([building, building, { code: 2, stdout: PLAN, stderr: "" }]);
    expect(await seedCli(["plan", "--environment", "prod", "--secret-id", "s", "--attempts", "3", "--wait-seconds", "30"], env, stand.run, sleep)).toBe(0);
    expect(waits).toEqual([30, 30]);
    expect(read(env.GITHUB_OUTPUT)).toMatch(/^changes=true\n/);

    const never = seeder([building, building, building]);
    const gaveUp = files();
    expect(await seedCli(["plan", "--environment", "prod", "--secret-id", "s", "--attempts", "3", "--wait-seconds", "1"], gaveUp, never.run, noSleep)).toBe(1);
    expect(never.calls).toHaveLength(3);
    expect(read(gaveUp.GITHUB_OUTPUT)).toBe("");
  });

  it("fails on a conflict (3) and on a failure (1), with no outputs: nothing after it runs", async () => {
    for (const code of [3, 1]) {
      const env = files();
      expect(await seedCli(["plan", "--environment", "prod", "--secret-id", "s"], env, seeder([{ code, stdout: "", stderr: "" }]).run, noSleep)).toBe(1);
      expect(read(env.GITHUB_OUTPUT)).toBe("");
      expect(read(env.GITHUB_STEP_SUMMARY)).toMatch(code === 3 ? /seed of `prod`: stopped\n\nthe seed plan found a conflict \(exit 3\)/ : /seed plan failed \(exit 1\)/);
    }
  });

  it("applies only when a fresh seed plan has the approved digest", async () => {
    const approved = seedPlanDigest(PLAN);
    const same = seeder([{ code: 2, stdout: `${PLAN}   \n`, stderr: "" }, { code: 0, stdout: "applied\n", stderr: "" }]);
    expect(await seedCli(["apply", "--environment", "prod", "--secret-id", "s", "--digest", approved], files(), same.run, noSleep)).toBe(0);
    expect(same.calls).toEqual([
      ["plan", "--secret-id", "s"],
      ["apply", "--secret-id", "s"],
    ]);

    const changed = seeder([{ code: 2, stdout: `${PLAN}+ create index recordings.by_owner {"owner":1}\n`, stderr: "" }]);
    const env = files();
    expect(await seedCli(["apply", "--environment", "prod", "--secret-id", "s", "--digest", approved], env, changed.run, noSleep)).toBe(1);
    expect(changed.calls).toEqual([["plan", "--secret-id", "s"]]);
    expect(read(env.GITHUB_STEP_SUMMARY)).toContain("#### seed of `prod`: not applied");
  });

  it("runs the seeder as `npm run --silent seed -- plan --secret-id <id>` (a stand-in npm on PATH)", () => {
    const bin = fs.mkdtempSync(path.join(scratch, "npm-"));
    const calls = path.join(bin, "calls");
    fs.writeFileSync(path.join(bin, "npm"), `#!/bin/sh\necho "$*" >> "${calls}"\necho "+ create index recordings.by_status"\nexit 2\n`, { mode: 0o755 });
    const output = path.join(bin, "output");
    const result = spawnSync(process.execPath, ["--import", "tsx", ".github/scripts/seed-plan.ts", "plan", "--environment", "dev", "--secret-id", "audio-pipeline-dev/mongodb-seed-uri"], {
      encoding: "utf8",
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, GITHUB_OUTPUT: output, GITHUB_STEP_SUMMARY: "" },
    });
    expect(result.status, result.stderr).toBe(0);
    expect(fs.readFileSync(calls, "utf8")).toBe("run --silent seed -- plan --secret-id audio-pipeline-dev/mongodb-seed-uri\n");
    expect(fs.readFileSync(output, "utf8")).toMatch(/^changes=true\ndigest=[0-9a-f]{64}\n$/);
  }, 60_000);
});

describe("the head-of-main check, as the first job runs it (bash -eo pipefail, a stand-in curl)", () => {
  const script = loadWorkflow("deploy.yml").jobs["current-head"].steps[0].run!;
  function run(ref: string, sha: string, head: string) {
    const bin = fs.mkdtempSync(path.join(scratch, "curl-"));
    // The shape of GitHub's answer to GET /repos/{owner}/{repo}/git/ref/heads/main.
    const answer = JSON.stringify({ ref: "refs/heads/main", object: { sha: head, type: "commit", url: "https://api.github.com/x" } }, null, 2);
    fs.writeFileSync(path.join(bin, "answer.json"), answer);
    fs.writeFileSync(path.join(bin, "curl"), `#!/bin/sh\necho "$*" > "${bin}/args"\ncat "${bin}/answer.json"\n`, { mode: 0o755 });
    const result = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", script], {
      encoding: "utf8",
      env: {
        PATH: `${bin}:${process.env.PATH}`,
        GITHUB_REF: ref,
        GITHUB_SHA: sha,
        GITHUB_REPOSITORY: "org/audio-pipeline",
        GITHUB_API_URL: "https://api.github.com",
        GH_TOKEN: "t",
      },
    });
    return { ...result, args: fs.existsSync(path.join(bin, "args")) ? fs.readFileSync(path.join(bin, "args"), "utf8").trim() : "" };
  }
  const A = "a".repeat(40);
  const B = "b".repeat(40);

  it("lets the run of the current head of main go on", () => {
    const result = run("refs/heads/main", A, A);
    expect(result.status).toBe(0);
    expect(result.args).toBe(
      "-fsS -H Authorization: Bearer t -H Accept: application/vnd.github+json https://api.github.com/repos/org/audio-pipeline/git/ref/heads/main",
    );
  });

  it("stops a run of an older commit (a re-run, or a merge overtaken by a newer one) and says why", () => {
    const result = run("refs/heads/main", A, B);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain(`::error title=Superseded by a newer commit of main::This run deploys ${A}, but main is now at ${B}`);
  });

  it("stops a dispatch of another branch before asking GitHub anything", () => {
    const result = run("refs/heads/feature", A, A);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain("::error title=Only main is deployed::This run is for refs/heads/feature.");
    expect(result.args).toBe("");
  });
});

const terraform = terraformAvailability();
const describeWithTerraform = terraform.available ? describe : describe.skip;
if (!terraform.available) console.warn(`skipping the errored.tfstate tests: ${terraform.reason}`);

describeWithTerraform("push-errored-state.sh: saving the state a failed apply could not save", () => {
  let lockReport = "";

  // Terraform's real report of a held lock: an apply of this user on this host holds it while a
  // `terraform state push` tries to take it.
  beforeAll(async () => {
    const dir = fs.mkdtempSync(path.join(scratch, "lock-"));
    const env = { ...process.env, TF_CLI_CONFIG_FILE: os.devNull, CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1" };
    const tf = (args: string[]) => spawnSync(terraform.available ? terraform.terraform : "terraform", args, { cwd: dir, encoding: "utf8", env });
    const config = (trigger: string) => ({
      resource: { terraform_data: { slow: { input: "x", triggers_replace: [trigger], provisioner: [{ "local-exec": { command: "sleep 6" } }] } } },
    });
    fs.writeFileSync(path.join(dir, "main.tf.json"), JSON.stringify({ resource: { terraform_data: { slow: { input: "x" } } } }));
    expect(tf(["init", "-no-color"]).status).toBe(0);
    expect(tf(["apply", "-auto-approve", "-no-color"]).status).toBe(0);
    const state = JSON.parse(fs.readFileSync(path.join(dir, "terraform.tfstate"), "utf8"));
    fs.writeFileSync(path.join(dir, "errored.tfstate"), JSON.stringify({ ...state, serial: state.serial + 1 }));
    fs.writeFileSync(path.join(dir, "main.tf.json"), JSON.stringify(config("2")));
    const { spawn } = await import("node:child_process");
    const holder = spawn(terraform.available ? terraform.terraform : "terraform", ["apply", "-auto-approve", "-no-color"], { cwd: dir, env, stdio: "ignore" });
    try {
      for (let attempt = 0; attempt < 50 && !lockReport.includes("Lock Info"); attempt += 1) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        const push = tf(["state", "push", "-no-color", "errored.tfstate"]);
        if (push.status !== 0) lockReport = push.stderr + push.stdout;
      }
    } finally {
      await new Promise((resolve) => holder.on("close", resolve));
    }
    expect(lockReport).toContain("Error acquiring the state lock");
  }, 60_000);

  /** Runs the script in a stack directory with a stand-in terraform that holds `report`'s lock until it is released. */
  function runScript(report: string | undefined) {
    const dir = fs.mkdtempSync(path.join(scratch, "stack-"));
    fs.writeFileSync(path.join(dir, "errored.tfstate"), "{}");
    const bin = path.join(dir, "bin");
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(dir, "report"), report ?? "");
    fs.writeFileSync(
      path.join(bin, "terraform"),
      [
        "#!/bin/sh",
        `echo "$*" >> "${dir}/calls"`,
        'case "$1" in',
        `  state) if [ -s "${dir}/report" ]; then cat "${dir}/report" >&2; exit 1; fi; exit 0 ;;`,
        `  force-unlock) for arg; do last="$arg"; done; id="$(sed -n 's/^[[:space:]]*ID:[[:space:]]*//p' "${dir}/report")"; if [ "$last" = "$id" ]; then : > "${dir}/report"; exit 0; fi; exit 1 ;;`,
        "esac",
        "exit 1",
        "",
      ].join("\n"),
      { mode: 0o755 },
    );
    const result = spawnSync("bash", [path.resolve(".github/scripts/push-errored-state.sh")], { cwd: dir, encoding: "utf8", env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
    return { ...result, calls: fs.readFileSync(path.join(dir, "calls"), "utf8").trim().split("\n"), errored: fs.existsSync(path.join(dir, "errored.tfstate")) };
  }

  it("pushes errored.tfstate when the state is not locked", () => {
    const result = runScript(undefined);
    expect(result.status).toBe(0);
    expect(result.calls).toEqual(["state push -no-color errored.tfstate"]);
    expect(result.errored).toBe(false);
  });

  it("releases the lock only when it is this job's own failed apply, then pushes", () => {
    const id = /ID:\s+(\S+)/.exec(lockReport)![1];
    const result = runScript(lockReport);
    expect(result.status, result.stdout).toBe(0);
    expect(result.calls).toEqual(["state push -no-color errored.tfstate", `force-unlock -force -no-color ${id}`, "state push -no-color errored.tfstate"]);
  });

  it("leaves anyone else's lock alone and points at the runbook", () => {
    const result = runScript(lockReport.replace(/Who:\s+\S+/, "Who:       someone@laptop"));
    expect(result.status).toBe(1);
    expect(result.calls).toEqual(["state push -no-color errored.tfstate"]);
    expect(result.stdout).toContain("docs/runbook-state-lock.md");
    expect(result.errored).toBe(true);
  });
});

describe("the pull-request check's MongoDB 7.0 replica set (bash, stand-in docker and sleep)", () => {
  const check = loadWorkflow("pull-request.yml").jobs.check;
  const start = check.steps.find((step) => /docker run -d --name mongo/.test(step.run ?? ""))!;
  const test = check.steps.find((step) => step.run === "npm test")!;

  /** Runs the step with a docker that reports PRIMARY after `primaryAfter` status polls (never: -1). */
  function run(primaryAfter: number) {
    const bin = fs.mkdtempSync(path.join(scratch, "docker-"));
    fs.writeFileSync(path.join(bin, "sleep"), "#!/bin/sh\nexit 0\n", { mode: 0o755 });
    fs.writeFileSync(
      path.join(bin, "docker"),
      [
        "#!/bin/sh",
        `echo "$*" >> "${bin}/calls"`,
        'case "$*" in',
        `  *rs.status*) n=$(cat "${bin}/polls" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "${bin}/polls"; if [ ${primaryAfter} -ge 0 ] && [ $n -gt ${primaryAfter} ]; then echo PRIMARY; else echo STARTUP2; fi ;;`,
        "esac",
        "exit 0",
        "",
      ].join("\n"),
      { mode: 0o755 },
    );
    const result = spawnSync("bash", ["-e", "-c", start.run!], { encoding: "utf8", env: { PATH: `${bin}:${process.env.PATH}` } });
    return { ...result, calls: fs.readFileSync(path.join(bin, "calls"), "utf8").trim().split("\n") };
  }

  it("starts mongo:7.0.14 with --replSet rs0 in a run: step, initiates it, and waits for PRIMARY before the tests", () => {
    const result = run(3);
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(result.calls[0]).toBe("run -d --name mongo -p 127.0.0.1:27017:27017 mongo:7.0.14 --replSet rs0 --bind_ip_all --setParameter enableTestCommands=1");
    expect(result.calls).toContain("exec mongo mongosh --quiet --eval rs.initiate()");
    expect(result.calls.filter((call) => call.includes("rs.status")).length).toBe(4);
    expect(check.steps.indexOf(start)).toBeLessThan(check.steps.indexOf(test));
    expect(test.env?.MONGODB_TEST_URI).toBe("mongodb://127.0.0.1:27017/?replicaSet=rs0&directConnection=true");
    expect((check as { services?: unknown }).services).toBeUndefined();
  });

  it("fails, with the server's log, when the member never becomes PRIMARY (bounded wait)", () => {
    const result = run(-1);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain("::error::MongoDB did not become PRIMARY within 2 minutes");
    expect(result.calls.filter((call) => call.includes("rs.status")).length).toBe(60);
    expect(result.calls).toContain("logs mongo");
  });
});

describe("the seed jobs and the seeder agree", () => {
  it("on the exit codes the gate reads", () => {
    expect(SEED_EXIT).toEqual({ none: EXIT.ok, failure: EXIT.failure, changes: EXIT.changesPending, conflict: EXIT.conflict, indexBuild: EXIT.buildInProgress });
  });

  it("on time: a seed apply job outlives the seeder's longest index build wait, a seed plan job its bounded waits", () => {
    const jobs = Object.entries(concreteWorkflows().deploy.jobs);
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
