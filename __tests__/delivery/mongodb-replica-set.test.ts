/*
 * The pull-request check's MongoDB 7.0 replica set, for the seeder's integration tests: the step
 * runs as the job runs it (shell: bash, i.e. bash --noprofile --norc -eo pipefail), with stand-in
 * docker and sleep.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { temporaryDirectory } from "../support/temporary-directory";
import { loadWorkflow } from "./support/workflows";

let scratch: string;
beforeAll(() => {
  scratch = temporaryDirectory("mongodb-replica-set");
});
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe("the pull-request check's MongoDB 7.0 replica set (bash, stand-in docker and sleep)", () => {
  const check = loadWorkflow("pull-request.yml").jobs.check;
  const start = check.steps.find((step) => /docker run -d --name mongo/.test(step.run ?? ""))!;
  const test = check.steps.find((step) => step.run === "npm test")!;

  /**
   * Runs the step with a stand-in docker: the server answers ping after `answersAfter` polls
   * (never: -1), rs.initiate() fails if asked, and isWritablePrimary is true after `writableAfter`
   * polls (never: -1).
   */
  function run({ answersAfter = 0, initiateFails = false, writableAfter }: { answersAfter?: number; initiateFails?: boolean; writableAfter: number }) {
    const bin = fs.mkdtempSync(path.join(scratch, "docker-"));
    fs.writeFileSync(path.join(bin, "sleep"), "#!/bin/sh\nexit 0\n", { mode: 0o755 });
    const counter = (name: string, after: number, yes: string, no: string) =>
      `n=$(cat "${bin}/${name}" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "${bin}/${name}"; if [ ${after} -ge 0 ] && [ $n -gt ${after} ]; then ${yes}; else ${no}; fi`;
    fs.writeFileSync(
      path.join(bin, "docker"),
      [
        "#!/bin/sh",
        `echo "$*" >> "${bin}/calls"`,
        'case "$*" in',
        `  *ping*) ${counter("pings", answersAfter, "echo 1", "exit 1")} ;;`,
        `  *rs.initiate*) ${initiateFails ? "echo MongoServerError: already initialized >&2; exit 1" : "echo '{ ok: 1 }'"} ;;`,
        `  *isWritablePrimary*) ${counter("hellos", writableAfter, "echo true", "echo false")} ;;`,
        "  logs*) echo 'the server log: {\"msg\":\"Fatal assertion\"}' ;;",
        "esac",
        "exit 0",
        "",
      ].join("\n"),
      { mode: 0o755 },
    );
    const result = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", start.run!], { encoding: "utf8", env: { PATH: `${bin}:${process.env.PATH}` } });
    return { ...result, calls: fs.readFileSync(path.join(bin, "calls"), "utf8").trim().split("\n") };
  }

  it("starts mongo:7.0.14 with --replSet rs0 in a run: step, initiates it, and waits for a writable primary before the tests", () => {
    const result = run({ answersAfter: 2, writableAfter: 3 });
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(result.calls[0]).toBe("run -d --name mongo -p 127.0.0.1:27017:27017 mongo:7.0.14 --replSet rs0 --bind_ip_all --setParameter enableTestCommands=1");
    expect(result.calls).toContain("exec mongo mongosh --quiet --eval rs.initiate()");
    expect(result.calls.filter((call) => call.includes("isWritablePrimary")).length).toBe(4);
    expect(result.calls).not.toContain("logs --tail 50 mongo");
    expect(check.steps.indexOf(start)).toBeLessThan(check.steps.indexOf(test));
    expect(test.env?.MONGODB_TEST_URI).toBe("mongodb://127.0.0.1:27017/?replicaSet=rs0&directConnection=true");
    expect((check as { services?: unknown }).services).toBeUndefined();
  });

  it("fails, with the server's log, when the member never becomes a writable primary (bounded wait)", () => {
    const result = run({ writableAfter: -1 });
    expect(result.status).toBe(1);
    expect(result.stdout).toContain("::error::MongoDB did not become a writable primary within 2 minutes");
    expect(result.calls.filter((call) => call.includes("isWritablePrimary")).length).toBe(60);
    expect(result.calls).toContain("logs --tail 50 mongo");
    expect(result.stdout).toContain("the server log:");
  });

  it("fails, with the server's log, when the server never answers, and initiates nothing", () => {
    const result = run({ answersAfter: -1, writableAfter: 0 });
    expect(result.status).toBe(1);
    expect(result.stdout).toContain("::error::MongoDB did not answer within 2 minutes");
    expect(result.calls).not.toContain("exec mongo mongosh --quiet --eval rs.initiate()");
    expect(result.stdout).toContain("the server log:");
  });

  it("fails, with the server's log, when rs.initiate() fails", () => {
    const result = run({ initiateFails: true, writableAfter: 0 });
    expect(result.status).toBe(1);
    expect(result.stdout).toContain("::error::rs.initiate() failed");
    expect(result.calls.some((call) => call.includes("isWritablePrimary"))).toBe(false);
    expect(result.stdout).toContain("the server log:");
  });
});
