/*
 * The small scripts the workflows run (.github/scripts/): the plan summary posted to pull
 * requests, the deploy preflight, and the settings read from an environment file.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { environmentSettings, outputLines } from "../../.github/scripts/environment-settings";
import { preflightProblems } from "../../.github/scripts/preflight";
import { renderSummary, stripAnsi, summarizeDiff } from "../../.github/scripts/plan-summary";
import { synthesizeApp } from "../../src/app";
import { deployableConfigJson, synthesizeLocalStateDev, writeConfigFile } from "../support/config-files";
import { temporaryDirectory } from "../support/stacks";
import { allSteps, loadWorkflows, stringsIn } from "./support/workflows";

// The shape of real `cdktf diff --no-color` output (CI=true): the stack name before each block.
const CREATE_LOG = `audio-pipeline-dev  Terraform used the selected providers to generate the following execution
          plan. Resource actions are indicated with the following symbols:
audio-pipeline-dev  + create
audio-pipeline-dev  Terraform will perform the following actions:

            # aws_kms_key.connection_secret_key (connection_secret_key) will be created
            + resource "aws_kms_key" "connection_secret_key" {
                + arn = (known after apply)
              }

            # random_password.database_password (database_password) will be created
            + resource "random_password" "database_password" {
                + result = (sensitive value)
              }

          Plan: 2 to add, 0 to change, 0 to destroy.
`;

const MIXED_LOG = `audio-pipeline-prod  Note: Objects have changed outside of Terraform
audio-pipeline-prod  Terraform will perform the following actions:
            # aws_security_group.private_endpoint_security_group will be updated in-place
            # mongodbatlas_advanced_cluster.cluster must be replaced
          -/+ resource "mongodbatlas_advanced_cluster" "cluster" {
            # aws_kms_alias.old_alias will be destroyed
            # (because aws_kms_alias.old_alias is not in configuration)
            # data.aws_caller_identity.current will be read during apply
          Plan: 0 to add, 1 to change, 1 to destroy.
audio-pipeline-prod  Warning: Argument is deprecated
`;

describe("summarizeDiff", () => {
  it("reads the plan line and each resource's action", () => {
    expect(summarizeDiff(CREATE_LOG)).toEqual({
      planLine: "Plan: 2 to add, 0 to change, 0 to destroy.",
      changes: [
        { address: "aws_kms_key.connection_secret_key", action: "create" },
        { address: "random_password.database_password", action: "create" },
      ],
      errors: [],
      warnings: 0,
      drift: false,
    });
  });

  it("tells updates, replacements, destroys and reads apart, and notices drift and warnings", () => {
    const summary = summarizeDiff(MIXED_LOG);
    expect(summary.changes).toEqual([
      { address: "aws_security_group.private_endpoint_security_group", action: "update" },
      { address: "mongodbatlas_advanced_cluster.cluster", action: "replace" },
      { address: "aws_kms_alias.old_alias", action: "destroy" },
      { address: "data.aws_caller_identity.current", action: "read" },
    ]);
    expect(summary.drift).toBe(true);
    expect(summary.warnings).toBe(1);
  });

  it("reads 'No changes.'", () => {
    const log = "audio-pipeline-dev  No changes. Your infrastructure matches the configuration.\n";
    expect(summarizeDiff(log)).toMatchObject({ planLine: "No changes.", changes: [] });
  });

  it("keeps the first line of each distinct error", () => {
    const log = [
      "audio-pipeline-dev  Error: No value for required variable",
      '            on cdk.tf.json line 40: "atlas_org_id"',
      "audio-pipeline-dev  Error: No value for required variable",
      "Error: non-zero exit code 1",
    ].join("\n");
    expect(summarizeDiff(log).errors).toEqual(["No value for required variable", "non-zero exit code 1"]);
  });

  it("ignores terminal colour codes", () => {
    expect(stripAnsi("\u001b[1m  # aws_kms_key.k\u001b[0m will be created")).toBe("  # aws_kms_key.k will be created");
    expect(summarizeDiff("\u001b[1m  # aws_kms_key.k\u001b[0m will be created\n").changes).toEqual([{ address: "aws_kms_key.k", action: "create" }]);
  });
});

describe("renderSummary", () => {
  it("gives the plan line, then a table of resources", () => {
    const text = renderSummary(summarizeDiff(CREATE_LOG), { stack: "audio-pipeline-dev", outcome: "success", backend: "s3" });
    expect(text).toContain("#### `audio-pipeline-dev`: Plan: 2 to add, 0 to change, 0 to destroy.");
    expect(text).toContain("| create | `random_password.database_password` |");
    expect(text).not.toContain("WARNING");
  });

  it("calls out destroys and replacements before anything else", () => {
    const text = renderSummary(summarizeDiff(MIXED_LOG), { stack: "audio-pipeline-prod", outcome: "success", backend: "s3" });
    expect(text).toContain(
      "> 2 resource(s) will be destroyed or replaced: `mongodbatlas_advanced_cluster.cluster` (replace), `aws_kms_alias.old_alias` (destroy).",
    );
    expect(text.indexOf("CAUTION")).toBeLessThan(text.indexOf("| action |"));
  });

  it("says the plan failed, with the errors, when the diff step failed", () => {
    const text = renderSummary(summarizeDiff("Error: No value for required variable\n"), { stack: "audio-pipeline-dev", outcome: "failure" });
    expect(text).toContain("**plan failed**");
    expect(text).toContain("- No value for required variable");
  });

  it("warns that a plan against local state starts from nothing", () => {
    const text = renderSummary(summarizeDiff(CREATE_LOG), { stack: "audio-pipeline-dev", outcome: "success", backend: "local" });
    expect(text).toContain("**local** state file");
  });

  it("copies no attribute values, only addresses, counts and error headlines", () => {
    const log = `${CREATE_LOG}            + secret_string = "mongodb+srv://app:hunter2@cluster.example.net"\n`;
    const text = renderSummary(summarizeDiff(log), { stack: "audio-pipeline-dev", outcome: "success" });
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("known after apply");
  });
});

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
    const dev = deployableConfigJson("dev");
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
