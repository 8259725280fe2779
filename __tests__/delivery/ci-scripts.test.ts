/*
 * The small scripts the workflows run (.github/scripts/): the plan summary posted to pull
 * requests, the deploy preflight, and the settings read from an environment file.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { environmentSettings, outputLines } from "../../.github/scripts/environment-settings";
import { preflightProblems } from "../../.github/scripts/preflight";
import { synthesizeApp } from "../../src/app";
import { committedConfigJson, synthesizeLocalStateDev, writeConfigFile } from "../support/config-files";
import { temporaryDirectory } from "../support/stacks";
import { allSteps, loadWorkflows, stringsIn } from "./support/workflows";

describe("preflightProblems, before a deploy from CI", () => {
  let workspace: string;
  beforeAll(() => {
    workspace = temporaryDirectory("preflight");
  });
  afterAll(() => fs.rmSync(workspace, { recursive: true, force: true }));

  it("refuses the committed dev stack while its network ids and state bucket are placeholders", () => {
    const outdir = path.join(workspace, "committed");
    synthesizeApp({ configDir: "config", outdir });
    const problems = preflightProblems(outdir, "audio-pipeline-dev");
    expect(problems.some((problem) => /config\/dev\.json: network\.vpcId is a placeholder \(vpc-0+\)/.test(problem))).toBe(true);
    expect(problems.some((problem) => /config\/dev\.json: state\.bucket is a placeholder/.test(problem))).toBe(true);
    expect(problems.some((problem) => /local file/.test(problem))).toBe(false);
  });

  it("refuses a stack that keeps its state in a local file", () => {
    const outdir = synthesizeLocalStateDev(workspace);
    expect(preflightProblems(outdir, "audio-pipeline-dev").some((problem) => /keeps its state in a local file/.test(problem))).toBe(true);
  });

  it("accepts a stack with S3 state and real ids", () => {
    const configDir = path.join(workspace, "config");
    const dev = committedConfigJson("dev");
    dev.network = {
      ...dev.network,
      vpcId: "vpc-0a1b2c3d4e5f60718",
      privateSubnetIds: ["subnet-0a1b2c3d4e5f60718", "subnet-0a1b2c3d4e5f60719"],
      clientSecurityGroups: { api: "sg-0a1b2c3d4e5f60718", worker: "sg-0a1b2c3d4e5f60719" },
    };
    dev.state = { bucket: "audio-pipeline-terraform-state-dev" };
    dev.aws = { accountId: "123456789012" };
    dev.ci = {
      planRoleArn: "arn:aws:iam::123456789012:role/audio-pipeline-dev-plan",
      deployRoleArn: "arn:aws:iam::123456789012:role/audio-pipeline-dev-deploy",
      runnerLabel: "audio-pipeline-vpc",
    };
    writeConfigFile(configDir, "dev", dev);
    const outdir = path.join(workspace, "ready");
    synthesizeApp({ configDir, outdir });
    expect(preflightProblems(outdir, "audio-pipeline-dev", configDir)).toEqual([]);
  });

  it("asks for a synth when there is no output, and names the stacks when the stack is unknown", () => {
    expect(preflightProblems(path.join(workspace, "nothing"), "audio-pipeline-dev")[0]).toMatch(/run `npm run synth` first/);
    expect(preflightProblems(path.join(workspace, "committed"), "audio-pipeline-qa")).toEqual([
      `stack audio-pipeline-qa is not in ${path.join(workspace, "committed", "manifest.json")} (stacks: audio-pipeline-dev, audio-pipeline-prod)`,
    ]);
  });
});

describe("environmentSettings, what the seed jobs read from config/<env>.json", () => {
  it("gives dev's region and its seeder's secret (config/dev.json connectionSecret.seederName)", () => {
    expect(environmentSettings("dev")).toEqual({ region: "us-east-1", seedSecretId: "audio-pipeline-dev/mongodb-seed-uri" });
  });

  it("gives prod's seeder's secret, the default", () => {
    expect(environmentSettings("prod")).toMatchObject({ seedSecretId: "audio-pipeline/mongodb-seed-uri" });
  });

  it("fails for an environment without a file", () => {
    expect(() => environmentSettings("qa")).toThrow('no environment "qa" in config/');
  });

  it("prints exactly the outputs the workflows read from it, no more, no less", () => {
    const printed = outputLines(environmentSettings("dev")).map((line) => line.slice(0, line.indexOf("=")));
    const settingsSteps = loadWorkflows().flatMap(({ workflow }) =>
      allSteps(workflow).filter(({ step }) => /\.github\/scripts\/environment-settings\.ts\b/.test(step.run ?? "")),
    );
    expect(settingsSteps.length).toBeGreaterThan(0);
    const read = new Set<string>();
    for (const { job, step } of settingsSteps) {
      expect(step.id).toBeDefined();
      for (const { value } of stringsIn(job)) {
        for (const match of value.matchAll(new RegExp(`steps\\.${step.id}\\.outputs\\.(\\w+)`, "g"))) read.add(match[1]);
      }
    }
    expect([...printed].sort()).toEqual([...read].sort());
  });
});
