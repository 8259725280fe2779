/*
 * .github/scripts/deploy-order.ts: an environment applies only after the environments it deploys
 * after have finished for the same commit in this run, whatever order GitHub starts matrix legs
 * in. Run against a loopback stand-in for GitHub's "list jobs for a workflow run" endpoint
 * (GITHUB_API_URL), as a process the way the apply job runs it, and in-process for the waits.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { checkOrder, main, standing, waitForRunningApplies, type RunJob } from "../../.github/scripts/deploy-order";
import { pipelineEnvironments } from "../../.github/scripts/pipeline";
import { temporaryDirectory } from "../support/temporary-directory";
import { TYPESCRIPT_RUNNER } from "../support/run-typescript";
import { filledInEnvironment } from "./support/environment-files";

const SHA = "c".repeat(40);
const OTHER_SHA = "d".repeat(40);

/** A stand-in for GitHub: serves `jobs()` for run 42 of org/audio-pipeline, `perPage` a page, and records each request. */
async function standIn(jobs: () => RunJob[], options: { status?: number; perPage?: number } = {}) {
  const requests: { url: string; authorization?: string }[] = [];
  const server = http.createServer((request, response) => {
    requests.push({ url: request.url ?? "", authorization: request.headers.authorization });
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    if (options.status) {
      response.writeHead(options.status, { "content-type": "application/json" }).end('{"message":"Resource not accessible by integration"}');
      return;
    }
    if (url.pathname !== "/repos/org/audio-pipeline/actions/runs/42/jobs" || url.searchParams.get("filter") !== "latest") {
      response.writeHead(404).end("{}");
      return;
    }
    const all = jobs();
    const perPage = options.perPage ?? Number(url.searchParams.get("per_page"));
    const page = Number(url.searchParams.get("page") ?? "1");
    response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ total_count: all.length, jobs: all.slice((page - 1) * perPage, page * perPage) }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { apiUrl, requests, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const job = (name: string, status: string, conclusion: string | null = null, sha = SHA): RunJob => ({ name, status, conclusion, head_sha: sha });
const devFinished = [job("dev / plan audio-pipeline-dev", "completed", "success"), job("dev / apply audio-pipeline-dev", "completed", "success")];

let configDir: string;
let scratch: string;
beforeAll(() => {
  scratch = temporaryDirectory("deploy-order");
  configDir = path.join(scratch, "config");
  fs.mkdirSync(configDir);
  for (const file of fs.readdirSync("config")) fs.copyFileSync(path.join("config", file), path.join(configDir, file));
  fs.writeFileSync(path.join(configDir, "staging.json"), JSON.stringify(filledInEnvironment("staging", { deployAfter: "dev" })));
});
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe("deploy order, read from this run's jobs", () => {
  const environments = () => pipelineEnvironments(configDir);
  const dev = () => environments().find((environment) => environment.name === "dev")!;

  it("finished: the apply succeeded, or the plan succeeded and the apply was skipped (nothing to apply)", () => {
    expect(standing(devFinished, dev(), SHA)).toEqual({ state: "finished", how: "its apply succeeded" });
    const nothing = [job("dev / plan audio-pipeline-dev", "completed", "success"), job("dev / apply audio-pipeline-dev", "completed", "skipped")];
    expect(standing(nothing, dev(), SHA)).toEqual({ state: "finished", how: "its plan had nothing to apply" });
  });

  it("failed: a failed, cancelled or skipped-after-failure plan or apply", () => {
    for (const jobs of [
      [job("dev / plan audio-pipeline-dev", "completed", "failure"), job("dev / apply audio-pipeline-dev", "completed", "skipped")],
      [job("dev / plan audio-pipeline-dev", "completed", "success"), job("dev / apply audio-pipeline-dev", "completed", "cancelled")],
      [job("dev / plan audio-pipeline-dev", "completed", "success"), job("dev / apply audio-pipeline-dev", "completed", "failure")],
    ]) {
      expect(standing(jobs, dev(), SHA).state).toBe("failed");
    }
  });

  it("not finished: not started, queued, waiting for approval, in progress, or only another commit's jobs", () => {
    expect(standing([], dev(), SHA)).toEqual({ state: "waiting", how: "plan: not started, apply: not started" });
    expect(standing([job("dev / plan audio-pipeline-dev", "completed", "success"), job("dev / apply audio-pipeline-dev", "waiting")], dev(), SHA).state).toBe("waiting");
    expect(standing([job("dev / plan audio-pipeline-dev", "in_progress")], dev(), SHA).state).toBe("waiting");
    expect(standing(devFinished.map((entry) => ({ ...entry, head_sha: OTHER_SHA })), dev(), SHA).state).toBe("waiting");
    // Another environment's jobs do not count for dev.
    expect(standing([job("staging / apply audio-pipeline-staging", "completed", "success")], dev(), SHA).state).toBe("waiting");
  });

  it("as the apply job runs it: staging goes on after dev finished, and asks GitHub with the job's token", async () => {
    const github = await standIn(() => devFinished);
    try {
      const result = await runScript(github.apiUrl, "staging");
      expect(result.code, result.stdout).toBe(0);
      expect(result.stdout).toContain(`dev finished in this run for ${SHA}: its apply succeeded.`);
      expect(github.requests[0]).toEqual({ url: "/repos/org/audio-pipeline/actions/runs/42/jobs?filter=latest&per_page=100&page=1", authorization: "Bearer job-token" });
    } finally {
      await github.close();
    }
  });

  it("a leg started out of order (prod before staging): prod waits, then goes on once staging has finished", async () => {
    let jobs: RunJob[] = [...devFinished, job("staging / plan audio-pipeline-staging", "in_progress")];
    const github = await standIn(() => jobs);
    const lines: string[] = [];
    try {
      let polls = 0;
      const code = await checkOrder({
        environment: "prod",
        configDir,
        sha: SHA,
        waitMs: 60_000,
        intervalMs: 1,
        run: { apiUrl: github.apiUrl, repository: "org/audio-pipeline", runId: "42", token: "t" },
        log: (line) => lines.push(line),
        sleep: async () => {
          polls += 1;
          if (polls === 2) jobs = [...devFinished, job("staging / plan audio-pipeline-staging", "completed", "success"), job("staging / apply audio-pipeline-staging", "completed", "skipped")];
        },
      });
      expect(code, lines.join("\n")).toBe(0);
      expect(lines[0]).toBe("waiting for staging (plan: in_progress, apply: not started) to finish before applying prod");
      expect(lines).toContain(`staging finished in this run for ${SHA}: its plan had nothing to apply.`);
    } finally {
      await github.close();
    }
  });

  it("stops, applying nothing, when a predecessor failed or has not finished in time", async () => {
    let jobs = [job("dev / plan audio-pipeline-dev", "completed", "success"), job("dev / apply audio-pipeline-dev", "completed", "failure")];
    const github = await standIn(() => jobs);
    try {
      const failed = await runInProcess(github.apiUrl, "staging");
      expect(failed.code).toBe(1);
      expect(failed.stdout).toContain(
        `::error title=Deploy order: staging not applied::staging deploys after dev (plan: success, apply: failure), which did not finish in this run for ${SHA}. Nothing was applied to staging.`,
      );
      jobs = [];
      const lines: string[] = [];
      const late = await checkOrder({ environment: "staging", configDir, sha: SHA, waitMs: 50, intervalMs: 30, run: { apiUrl: github.apiUrl, repository: "org/audio-pipeline", runId: "42", token: "t" }, log: (line) => lines.push(line), sleep: async () => new Promise((resolve) => setTimeout(resolve, 30)) });
      expect(late).toBe(1);
      expect(lines.at(-1)).toMatch(/^::error title=Deploy order: staging not applied::staging deploys after dev \(plan: not started, apply: not started\), which has not finished/);
    } finally {
      await github.close();
    }
  });

  it("reads every page of a run with many jobs", async () => {
    const filler = Array.from({ length: 150 }, (_item, index) => job(`other / job ${index}`, "completed", "success"));
    const github = await standIn(() => [...filler, ...devFinished]);
    try {
      const result = await runInProcess(github.apiUrl, "staging");
      expect(result.code, result.stdout).toBe(0);
      expect(github.requests.map((request) => new URL(request.url, "http://x").searchParams.get("page"))).toEqual(["1", "2"]);
    } finally {
      await github.close();
    }
  });

  it("says clearly when it cannot read the run's jobs", async () => {
    const github = await standIn(() => devFinished, { status: 403 });
    try {
      const result = await runInProcess(github.apiUrl, "staging");
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/::error title=Deploy order: not checked::could not read this run's jobs \(GET .*\): HTTP 403 .*Resource not accessible by integration/);
    } finally {
      await github.close();
    }
  });

  it("an environment with no predecessor goes on without asking", async () => {
    const lines: string[] = [];
    const code = await checkOrder({ environment: "dev", configDir, sha: SHA, waitMs: 0, intervalMs: 0, run: { apiUrl: "http://127.0.0.1:9", repository: "o/r", runId: "1", token: "t" }, log: (line) => lines.push(line) });
    expect([code, lines]).toEqual([0, ["dev deploys after no other environment."]]);
  });
});

/** The same command line, in this process (quicker): what it prints and its exit code. */
async function runInProcess(apiUrl: string, environment: string): Promise<{ code: number; stdout: string }> {
  const lines: string[] = [];
  const env = { GITHUB_API_URL: apiUrl, GITHUB_REPOSITORY: "org/audio-pipeline", GITHUB_RUN_ID: "42", GITHUB_SHA: SHA, GH_TOKEN: "job-token" };
  const code = await main(["--environment", environment, "--config-dir", configDir, "--wait-minutes", "0"], env, (line) => lines.push(line));
  return { code, stdout: lines.map((line) => `${line}\n`).join("") };
}

/** The script as the apply job's step runs it, against the stand-in. */
function runScript(apiUrl: string, environment: string): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...TYPESCRIPT_RUNNER, ".github/scripts/deploy-order.ts", "--environment", environment, "--config-dir", configDir, "--wait-minutes", "0"], {
      env: { ...process.env, GITHUB_API_URL: apiUrl, GITHUB_REPOSITORY: "org/audio-pipeline", GITHUB_RUN_ID: "42", GITHUB_SHA: SHA, GH_TOKEN: "job-token" },
    });
    let stdout = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stdout += chunk));
    child.on("close", (code) => resolve({ code, stdout }));
  });
}

describe("the plan job waits for another run's apply of the same environment (the apply job is in no queue)", () => {
  /** A stand-in with runs in progress (ids → jobs); the current run is 42. */
  async function runsStandIn(runs: () => Record<string, RunJob[]>) {
    const server = http.createServer((request, response) => {
      const url = new URL(request.url ?? "/", "http://127.0.0.1");
      if (url.pathname === "/repos/org/audio-pipeline/actions/runs" && url.searchParams.get("status") === "in_progress") {
        response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ workflow_runs: ["42", ...Object.keys(runs())].map((id) => ({ id: Number(id) })) }));
        return;
      }
      const jobs = /^\/repos\/org\/audio-pipeline\/actions\/runs\/(\d+)\/jobs$/.exec(url.pathname);
      if (jobs) {
        const list = runs()[jobs[1]] ?? [];
        response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ total_count: list.length, jobs: list }));
        return;
      }
      response.writeHead(404).end("{}");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return { apiUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
  }

  it("plans once run 41's apply of dev has finished; a waiting approval or another environment's apply does not hold it", async () => {
    let runs: Record<string, RunJob[]> = {
      "40": [job("dev / apply audio-pipeline-dev", "waiting", null, OTHER_SHA)],
      "41": [job("dev / apply audio-pipeline-dev", "in_progress", null, OTHER_SHA), job("prod / apply audio-pipeline-prod", "in_progress", null, OTHER_SHA)],
    };
    const github = await runsStandIn(() => runs);
    const lines: string[] = [];
    try {
      const code = await waitForRunningApplies({
        environment: "dev",
        configDir,
        waitMs: 60_000,
        intervalMs: 1,
        run: { apiUrl: github.apiUrl, repository: "org/audio-pipeline", runId: "42", token: "t" },
        log: (line) => lines.push(line),
        sleep: async () => {
          runs = { ...runs, "41": [job("dev / apply audio-pipeline-dev", "completed", "success", OTHER_SHA)] };
        },
      });
      expect(code, lines.join("\n")).toBe(0);
      expect(lines).toEqual(["waiting for run 41: dev / apply audio-pipeline-dev to finish before planning dev", "No other run is applying dev: planning from its current state."]);
      // prod's plan is not held by dev's apply, nor by an apply waiting for approval.
      runs = { "40": [job("prod / apply audio-pipeline-prod", "waiting", null, OTHER_SHA)], "41": [job("dev / apply audio-pipeline-dev", "in_progress", null, OTHER_SHA)] };
      const prod: string[] = [];
      expect(await waitForRunningApplies({ environment: "prod", configDir, waitMs: 0, intervalMs: 1, run: { apiUrl: github.apiUrl, repository: "org/audio-pipeline", runId: "42", token: "t" }, log: (line) => prod.push(line) })).toBe(0);
      // Still applying after the wait: the plan stops, saying why.
      const late: string[] = [];
      expect(await waitForRunningApplies({ environment: "dev", configDir, waitMs: 0, intervalMs: 1, run: { apiUrl: github.apiUrl, repository: "org/audio-pipeline", runId: "42", token: "t" }, log: (line) => late.push(line) })).toBe(1);
      expect(late[0]).toMatch(/^::error title=dev not planned::run 41: dev \/ apply audio-pipeline-dev still applies dev after 0 minutes/);
    } finally {
      await github.close();
    }
  });
});
