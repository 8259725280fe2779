/*
 * .github/scripts/preflight.ts, the first step of every environment's jobs: it stops an
 * environment whose file still holds placeholders before any credential is requested, in a deploy
 * with an error and in a pull request's plan with a notice.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { preflightProblems } from "../../.github/scripts/preflight";
import { writeConfigFile } from "../support/config-files";
import { temporaryDirectory } from "../support/temporary-directory";
import { filledInEnvironment } from "./support/environment-files";
import { TYPESCRIPT_RUNNER } from "../support/run-typescript";

let scratch: string;
beforeAll(() => {
  scratch = temporaryDirectory("preflight");
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
      spawnSync(process.execPath, [...TYPESCRIPT_RUNNER, ".github/scripts/preflight.ts", "dev", "--mode", mode, ...(mode === "pull-request" ? ["--summary-file", summary] : [])], {
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
