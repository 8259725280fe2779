/*
 * .github/scripts/seed-plan.ts, the seed jobs' gate: it reads the seeder's exit codes, waits out
 * an index build a bounded number of times, and applies only a fresh seed plan with the approved
 * digest. A stand-in seeder answers; one test runs the script as the workflow does.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { runCli as seedCli, seedPlanDigest, type SeedRun } from "../../.github/scripts/seed-plan";
import { temporaryDirectory } from "../support/temporary-directory";
import { TYPESCRIPT_RUNNER } from "../support/run-typescript";
import { captureOutputOfEachTest } from "../support/captured-output";

// The gate prints seed plans and ::error lines as the workflow shows them: only a failing test shows them here.
captureOutputOfEachTest();

let scratch: string;
beforeAll(() => {
  scratch = temporaryDirectory("seed-gate");
});
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

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
    const result = spawnSync(process.execPath, [...TYPESCRIPT_RUNNER, ".github/scripts/seed-plan.ts", "plan", "--environment", "dev", "--secret-id", "audio-pipeline-dev/mongodb-seed-uri"], {
      encoding: "utf8",
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, GITHUB_OUTPUT: output, GITHUB_STEP_SUMMARY: "" },
    });
    expect(result.status, result.stderr).toBe(0);
    expect(fs.readFileSync(calls, "utf8")).toBe("run --silent seed -- plan --secret-id audio-pipeline-dev/mongodb-seed-uri\n");
    expect(fs.readFileSync(output, "utf8")).toMatch(/^changes=true\ndigest=[0-9a-f]{64}\n$/);
  }, 60_000);
});
