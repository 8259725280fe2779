/*
 * Expired credentials during an apply, rehearsed offline with real Terraform against a state
 * backend that starts refusing the job mid-apply, as S3 does once the session has expired: a
 * loopback stand-in for Terraform's http backend (state and lock), refusing every write with 403
 * from a given moment. The apply runs through the step script the apply job runs
 * (terraform-interruptible.sh); then, with "a fresh session" (the stand-in accepting writes again),
 * the job's push step (push-errored-state.sh) runs, and the operator follows the runbook.
 * What both print must be what docs/runbook-state-lock.md tells the operator to look for.
 */
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { applyStepScript } from "../../.github/scripts/lock-holding-steps";
import { temporaryDirectory } from "../support/temporary-directory";
import { terraformAvailability } from "../support/terraform-runner";

const terraform = terraformAvailability();
if (!terraform.available) console.warn(`skipping the expired-credentials rehearsal: ${terraform.reason}`);
const named = terraform.available ? terraform.terraform : "terraform";
const bin = path.isAbsolute(named) ? named : String(spawnSync("bash", ["-c", `command -v "${named}"`], { encoding: "utf8" }).stdout).trim() || named;

/** Terraform's http backend, in memory: GET/POST the state, LOCK/UNLOCK the lock; `expired` refuses every write. */
async function stateBackend() {
  const backend = { state: undefined as string | undefined, lock: undefined as string | undefined, expired: false, refused: [] as string[] };
  const server = http.createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      const write = request.method !== "GET";
      if (write && backend.expired) {
        backend.refused.push(`${request.method} ${request.url}`);
        response.writeHead(403).end("ExpiredToken: The security token included in the request is expired");
        return;
      }
      if (new URL(request.url ?? "/", "http://127.0.0.1").pathname === "/state") {
        if (request.method === "GET") backend.state === undefined ? response.writeHead(404).end() : response.writeHead(200, { "content-type": "application/json" }).end(backend.state);
        else {
          backend.state = body;
          response.writeHead(200).end();
        }
        return;
      }
      if (request.method === "LOCK") {
        if (backend.lock !== undefined) response.writeHead(423, { "content-type": "application/json" }).end(backend.lock);
        else {
          backend.lock = body;
          response.writeHead(200).end();
        }
        return;
      }
      if (request.method === "UNLOCK") {
        backend.lock = undefined;
        response.writeHead(200).end();
        return;
      }
      response.writeHead(405).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { backend, url, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** A command, asynchronously, killed after 60 s. */
function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe.skipIf(!terraform.available)("expired credentials during an apply, with real Terraform (http backend stand-in)", () => {
  it("the apply step says the state was not saved and the lock not released; the push step names the lock and the runbook; following it saves the state", async () => {
    const scratch = temporaryDirectory("expired-credentials");
    const { backend, url, close } = await stateBackend();
    try {
      const dir = path.join(scratch, "stack");
      fs.mkdirSync(path.join(dir, "bin"), { recursive: true });
      fs.symlinkSync(bin, path.join(dir, "bin", "terraform"));
      fs.writeFileSync(
        path.join(dir, "main.tf.json"),
        JSON.stringify({
          terraform: { backend: { http: { address: `${url}/state`, lock_address: `${url}/lock`, unlock_address: `${url}/lock`, retry_max: 0 } } },
          resource: { terraform_data: { first: { input: "first" }, slow: { input: "slow", depends_on: ["terraform_data.first"], provisioner: [{ "local-exec": { command: "sleep 2" } }] } } },
        }),
      );
      // No proxy: the stand-in is on loopback.
      const env = { ...process.env, GITHUB_WORKSPACE: process.cwd(), PATH: `${path.join(dir, "bin")}:${process.env.PATH}`, TF_CLI_CONFIG_FILE: "/dev/null", CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1", NO_PROXY: "127.0.0.1", HTTP_PROXY: "", HTTPS_PROXY: "" };
      // Asynchronous only: the stand-in answers from this process's event loop.
      const tf = (args: string[]) => run("terraform", args, dir, env);
      expect((await tf(["init", "-no-color", "-input=false"])).code).toBe(0);
      expect((await tf(["plan", "-input=false", "-no-color", "-out=tfplan"])).code).toBe(0);

      // The apply step, as the runner runs it; the session "expires" once the slow resource is being created.
      const file = path.join(dir, "apply-step.sh");
      fs.writeFileSync(file, applyStepScript("5m"));
      const step = spawn("bash", ["--noprofile", "--norc", "-eo", "pipefail", file], { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
      let output = "";
      const collect = (chunk: Buffer) => {
        output += chunk;
        if (output.includes("Provisioning with 'local-exec'")) backend.expired = true;
      };
      step.stdout.on("data", collect);
      step.stderr.on("data", collect);
      const code = await new Promise<number | null>((resolve) => step.on("close", resolve));
      expect(code).not.toBe(0);
      expect(backend.refused.length).toBeGreaterThan(0);
      expect(fs.existsSync(path.join(dir, "errored.tfstate"))).toBe(true);
      expect(output).toContain("errored.tfstate");
      expect(output).toContain("Error releasing the state lock");
      expect(output).toContain("::error title=State not saved::");
      expect(backend.lock).toBeDefined();

      const applyLock = JSON.parse(backend.lock!).ID as string;
      expect(output).toContain("Failed to persist state to backend");

      // The push step, with a fresh session. Terraform's http backend reports the lock's holder only
      // by ID ("already locked: ID=<id>"), so the script cannot tell it is the job's own lock: it
      // leaves it alone and names it, pointing at the runbook. (The S3 backend, and the local one,
      // report the holder in full: push-errored-state.test.ts, where it releases its own lock.)
      backend.expired = false;
      const script = path.resolve(".github/scripts/push-errored-state.sh");
      const refused = await run("bash", ["--noprofile", "--norc", "-eo", "pipefail", script], dir, env);
      expect(refused.code).toBe(1);
      expect(refused.stdout).toContain(`::error title=State not saved::Terraform could not save the state after the apply, and errored.tfstate could not be pushed back (lock: ${applyLock}, held by someone the backend does not name;`);
      expect(refused.stdout).toContain("docs/runbook-state-lock.md");
      expect(backend.lock).toBeDefined();

      // The operator follows the runbook (step 4: force-unlock that ID), then pushes: the state is whole.
      expect((await tf(["force-unlock", "-force", "-no-color", applyLock])).code).toBe(0);
      const pushed = await run("bash", ["--noprofile", "--norc", "-eo", "pipefail", script], dir, env);
      expect(pushed.code, pushed.stdout + pushed.stderr).toBe(0);
      expect(pushed.stdout).toContain("pushed errored.tfstate: the remote state now records what the failed apply did");
      expect(backend.lock).toBeUndefined();
      expect(JSON.parse(backend.state!).resources.map((resource: { name: string }) => resource.name).sort()).toEqual(["first", "slow"]);

      // The runbook names what was printed.
      const runbook = fs.readFileSync("docs/runbook-state-lock.md", "utf8");
      for (const words of ["::error title=State not saved::", "Failed to persist state to backend", "Error releasing the state lock", "pushed errored.tfstate", "could not be pushed back", "force-unlock"]) expect(runbook).toContain(words);
    } finally {
      await close();
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  }, 120_000);
});
