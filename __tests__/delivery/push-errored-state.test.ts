/*
 * .github/scripts/push-errored-state.sh: after a failed apply, the state Terraform could not save
 * (errored.tfstate) is pushed, releasing the lock only when it is this job's own. The lock report
 * it parses is real Terraform's; the script itself runs against a stand-in terraform.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { temporaryDirectory } from "../support/temporary-directory";
import { terraformAvailability } from "../support/terraform-runner";

let scratch: string;
beforeAll(() => {
  scratch = temporaryDirectory("push-errored-state");
});
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

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
      resource: { terraform_data: { slow: { input: "x", triggers_replace: [trigger], provisioner: [{ "local-exec": { command: "sleep 30" } }] } } },
    });
    fs.writeFileSync(path.join(dir, "main.tf.json"), JSON.stringify({ resource: { terraform_data: { slow: { input: "x" } } } }));
    expect(tf(["init", "-no-color"]).status).toBe(0);
    expect(tf(["apply", "-auto-approve", "-no-color"]).status).toBe(0);
    const state = JSON.parse(fs.readFileSync(path.join(dir, "terraform.tfstate"), "utf8"));
    fs.writeFileSync(path.join(dir, "errored.tfstate"), JSON.stringify({ ...state, serial: state.serial + 1 }));
    fs.writeFileSync(path.join(dir, "main.tf.json"), JSON.stringify(config("2")));
    const { spawn } = await import("node:child_process");
    // In a process group of its own: once the lock report is in, the apply and its sleep are killed
    // together, instead of the test waiting out the sleep.
    const holder = spawn(terraform.available ? terraform.terraform : "terraform", ["apply", "-auto-approve", "-no-color"], { cwd: dir, env, stdio: "ignore", detached: true });
    const closed = new Promise((resolve) => holder.on("close", resolve));
    try {
      for (let attempt = 0; attempt < 50 && !lockReport.includes("Lock Info"); attempt += 1) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        const push = tf(["state", "push", "-no-color", "errored.tfstate"]);
        if (push.status !== 0) lockReport = push.stderr + push.stdout;
      }
    } finally {
      try {
        process.kill(-holder.pid!, "SIGKILL");
      } catch {
        // already gone
      }
      await closed;
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
