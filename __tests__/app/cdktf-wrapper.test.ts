import * as fs from "node:fs";
import * as path from "node:path";
import { cliEnvironment, listStacks, placeholderRefusals } from "../../scripts/cdktf";
import { synthesizeApp } from "../../src/app";
import { committedConfigJson, deployableConfigJson, writeConfigFile } from "../support/config-files";
import { temporaryDirectory } from "../support/temporary-directory";

/*
 * `npm run diff|deploy|list`: refuse placeholders before anything is planned, and run the CLI
 * quietly (no telemetry, no spinner frames outside a terminal, no warning about a missing CLI config).
 */

let workspace: string;
beforeEach(() => {
  workspace = temporaryDirectory("cdktf-wrapper");
});
afterEach(() => fs.rmSync(workspace, { recursive: true, force: true }));

describe("placeholderRefusals (npm run diff / deploy)", () => {
  it("lists every placeholder field of the named stack, with its file", () => {
    const configDir = path.join(workspace, "config");
    writeConfigFile(configDir, "dev", committedConfigJson("dev"));
    const refusals = placeholderRefusals(["audio-pipeline-dev"], configDir);
    const file = path.join(configDir, "dev.json").replace(`${process.cwd()}/`, "");
    expect(refusals).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^${file}: network\\.vpcId is a placeholder \\(vpc-0+\\)`)),
        expect.stringMatching(/: state\.bucket is a placeholder/),
        expect.stringMatching(/: ci\.runnerLabel is a placeholder \(not set\)/),
      ]),
    );
  });

  it("passes a stack whose file holds only real values, and checks only the stacks named", () => {
    const configDir = path.join(workspace, "config");
    writeConfigFile(configDir, "dev", deployableConfigJson("dev"));
    const staging = committedConfigJson("dev");
    staging.environment = "staging";
    writeConfigFile(configDir, "staging", staging);
    expect(placeholderRefusals(["audio-pipeline-dev"], configDir)).toEqual([]);
    expect(placeholderRefusals([], configDir).length).toBeGreaterThan(0);
  });
});

describe("placeholderRefusals of the github stack (config/github.json)", () => {
  it("refuses the example owner, placeholder reviewers and the example state bucket; nothing once they are real", () => {
    const configDir = path.join(workspace, "config");
    for (const name of ["dev", "prod"]) writeConfigFile(configDir, name, deployableConfigJson(name));
    const github = JSON.parse(fs.readFileSync("config/github.json", "utf8"));
    writeConfigFile(configDir, "github", github);
    const refusals = placeholderRefusals(["audio-pipeline-github"], configDir);
    expect(refusals).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/github\.json: repository is a placeholder \(example-org\/audio-pipeline-database\); set the real value/),
        expect.stringMatching(/github\.json: reviewers\.prod\.deploy\[0\] is a placeholder \(placeholder-prod-approvers, id 1\)/),
        expect.stringMatching(/github\.json: state\.bucket is a placeholder/),
      ]),
    );
    const real = { ...github, repository: "audio-team/audio-pipeline-database", state: { bucket: "audio-pipeline-terraform-state-prod", region: "us-east-1" }, reviewers: { prod: { deploy: [{ team: "prod-approvers", id: 4242 }], seedApproval: [{ team: "prod-approvers", id: 4242 }] } } };
    writeConfigFile(configDir, "github", real);
    expect(placeholderRefusals(["audio-pipeline-github"], configDir)).toEqual([]);
  });
});

describe("cliEnvironment", () => {
  it("turns telemetry off always, and spinner frames off outside a terminal", () => {
    expect(cliEnvironment({}, false)).toMatchObject({ CHECKPOINT_DISABLE: "1", CI: "true" });
    expect(cliEnvironment({}, true)).not.toHaveProperty("CI");
    expect(cliEnvironment({ CI: "false" }, false).CI).toBe("false");
  });

  it("drops a TF_CLI_CONFIG_FILE that names a missing file, and keeps one that exists", () => {
    expect(cliEnvironment({ TF_CLI_CONFIG_FILE: path.join(workspace, "missing.tfrc") }, true)).not.toHaveProperty("TF_CLI_CONFIG_FILE");
    const real = path.join(workspace, "real.tfrc");
    fs.writeFileSync(real, "");
    expect(cliEnvironment({ TF_CLI_CONFIG_FILE: real }, true).TF_CLI_CONFIG_FILE).toBe(real);
  });
});

describe("listStacks (npm run list)", () => {
  it("lists each synthesized stack with its directory, as cdktf list does", () => {
    const outdir = path.join(workspace, "out");
    const { stacks: environmentStacks, githubStack } = synthesizeApp({ configDir: "config", outdir });
    const stacks = githubStack ? [...environmentStacks, githubStack] : environmentStacks;
    const lines = listStacks(outdir);
    expect(lines[0]).toMatch(/^Stack name\s+Path$/);
    expect(lines.slice(1).map((line) => line.split(/\s+/)).sort()).toEqual(stacks.map((stack) => [stack, path.join(outdir, "stacks", stack)]).sort());
  });
});
