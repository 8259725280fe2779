/*
 * An interrupted apply, rehearsed offline with real Terraform: a slow terraform_data apply
 * (local-exec sleep) on a local backend, run through the same step script the apply job runs
 * (`exec bash .github/scripts/terraform-interruptible.sh <limit> terraform apply ... tfplan`, under
 * `bash --noprofile --norc -eo pipefail` as GitHub runs a step). The runner's signals are sent as it
 * sends them on a cancel (SIGINT to the step's shell, then SIGTERM), compressed in time; the time
 * limit is the script's own. Terraform must save the state and release the lock, and the step must
 * say what happened in the runbook's words. The same apply run without the script shows the
 * failure it prevents: the shell passes nothing on and Terraform applies on, holding the lock,
 * until the runner kills it.
 */
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { APPLY_WRAPPER, applyStepScript } from "../../.github/scripts/lock-holding-steps";
import { temporaryDirectory } from "../support/temporary-directory";
import { terraformAvailability } from "../support/terraform-runner";

const terraform = terraformAvailability();
if (!terraform.available) console.warn(`skipping the interrupted-apply rehearsal: ${terraform.reason}`);
const named = terraform.available ? terraform.terraform : "terraform";
/** The binary's absolute path (the step finds it as `terraform` on PATH, as on the runner). */
const bin = path.isAbsolute(named) ? named : String(spawnSync("bash", ["-c", `command -v "${named}"`], { encoding: "utf8" }).stdout).trim() || named;

/** One resource applied at once, then one whose creation takes a minute. */
const STACK = {
  resource: {
    terraform_data: {
      first: { input: "first" },
      slow: { input: "slow", depends_on: ["terraform_data.first"], provisioner: [{ "local-exec": { command: "sleep 60" } }] },
    },
  },
};

let scratch: string;
beforeAll(() => {
  scratch = temporaryDirectory("interrupted-apply");
});
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

function workspace(): { dir: string; env: NodeJS.ProcessEnv; tf: (args: string[]) => ReturnType<typeof spawnSync> } {
  const dir = fs.mkdtempSync(path.join(scratch, "stack-"));
  fs.writeFileSync(path.join(dir, "main.tf.json"), JSON.stringify(STACK));
  const shim = path.join(dir, "bin");
  fs.mkdirSync(shim);
  // The step calls `terraform` by name, as on the runner.
  fs.symlinkSync(bin, path.join(shim, "terraform"));
  const env = { ...process.env, GITHUB_WORKSPACE: process.cwd(), PATH: `${shim}:${process.env.PATH}`, TF_CLI_CONFIG_FILE: "/dev/null", CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1" };
  const tf = (args: string[]) => spawnSync("terraform", args, { cwd: dir, env, encoding: "utf8", timeout: 60_000 });
  expect(tf(["init", "-no-color"]).status).toBe(0);
  expect(tf(["plan", "-input=false", "-no-color", "-out=tfplan"]).status).toBe(0);
  return { dir, env, tf };
}

interface StepRun {
  readonly code: number | null;
  readonly output: string;
  /** Whether Terraform still ran (the lock held) just before the runner's final kill. */
  readonly stillRunning: boolean;
}

/**
 * Runs `script` as a step in its own process group; once the slow resource is being created,
 * `interrupt` may signal the step's shell. After `killAfterMs` the whole group is killed, as the
 * runner kills a step's processes.
 */
async function runStep(dir: string, env: NodeJS.ProcessEnv, script: string, interrupt: (pid: number) => Promise<void>, killAfterMs: number): Promise<StepRun> {
  // As the runner runs a step: its script in a file, `bash --noprofile --norc -eo pipefail <file>`.
  const file = path.join(dir, `step-${Date.now()}.sh`);
  fs.writeFileSync(file, script);
  const step = spawn("bash", ["--noprofile", "--norc", "-eo", "pipefail", file], { cwd: dir, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  step.stdout.on("data", (chunk) => (output += chunk));
  step.stderr.on("data", (chunk) => (output += chunk));
  const closed = new Promise<number | null>((resolve) => step.on("close", (code, signal) => resolve(code ?? (signal ? -1 : null))));
  for (let waited = 0; !output.includes("Provisioning with 'local-exec'") && waited < 30_000; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
  expect(output).toContain("Provisioning with 'local-exec'");
  await interrupt(step.pid!);
  const killed = new Promise<"kill">((resolve) => setTimeout(() => resolve("kill"), killAfterMs));
  const first = await Promise.race([closed, killed]);
  let stillRunning = false;
  if (first === "kill") {
    stillRunning = fs.existsSync(path.join(dir, ".terraform.tfstate.lock.info"));
    try {
      process.kill(-step.pid!, "SIGKILL");
    } catch {
      // already gone
    }
    return { code: await closed, output, stillRunning };
  }
  return { code: first, output, stillRunning };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The runner's cancel: SIGINT to the step's shell, SIGTERM a moment later (7.5 s on GitHub) if it still runs. */
async function cancel(pid: number): Promise<void> {
  process.kill(pid, "SIGINT");
  await sleep(1_000);
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    // the step has ended already
  }
}

describe.skipIf(!terraform.available)("an interrupted apply, with real Terraform (local backend, terraform_data + local-exec sleep)", () => {
  it("a cancel (SIGINT to the step's shell, SIGTERM after): Terraform stops cleanly, the state is saved and the lock released", async () => {
    const { dir, env, tf } = workspace();
    const run = await runStep(dir, env, applyStepScript("5m"), cancel, 30_000);
    expect(run.stillRunning, run.output).toBe(false);
    expect(run.code).not.toBe(0);
    expect(run.output).toContain("Interrupt received.");
    expect(run.output).toContain("Gracefully shutting down...");
    expect(run.output).not.toContain("Two interrupts received");
    expect(run.output).toContain("::error title=Apply interrupted: cancelled::");
    // Saved: what was applied is in the state; released: the lock is free at once.
    expect(String(tf(["state", "list"]).stdout).split("\n")).toContain("terraform_data.first");
    expect(fs.existsSync(path.join(dir, ".terraform.tfstate.lock.info"))).toBe(false);
    const locked = tf(["plan", "-input=false", "-no-color", "-lock-timeout=0s"]);
    expect(String(locked.stderr)).not.toContain("Error acquiring the state lock");
    expect(locked.status).toBe(0);
    expect(fs.existsSync(path.join(dir, "errored.tfstate"))).toBe(false);
  }, 90_000);

  it("its own time limit (shorter than the job's): one SIGINT, the state saved, the lock released, exit 124", async () => {
    const { dir, env, tf } = workspace();
    const run = await runStep(dir, env, applyStepScript("2s"), async () => undefined, 30_000);
    expect(run.stillRunning, run.output).toBe(false);
    expect(run.code).toBe(124);
    expect(run.output).toContain("Interrupt received.");
    expect(run.output).not.toContain("Two interrupts received");
    expect(run.output).toContain("::error title=Apply interrupted: time limit::");
    expect(String(tf(["state", "list"]).stdout).split("\n")).toContain("terraform_data.first");
    expect(fs.existsSync(path.join(dir, ".terraform.tfstate.lock.info"))).toBe(false);
  }, 90_000);

  it("without the script (terraform as the shell's child), a cancel does not reach Terraform: it applies on, holding the lock, until killed", async () => {
    const { dir, env } = workspace();
    const run = await runStep(dir, env, "terraform apply -input=false -no-color tfplan\n", cancel, 2_500);
    expect(run.output).not.toContain("Interrupt received.");
    expect(run.stillRunning).toBe(true);
  }, 90_000);

  it("the script refuses a limit it cannot read, before running anything", () => {
    const refused = spawnSync("bash", [APPLY_WRAPPER, "105", "terraform", "apply"], { encoding: "utf8" });
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain("usage: terraform-interruptible.sh <limit");
  });
});
