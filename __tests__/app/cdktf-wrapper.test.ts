import * as fs from "node:fs";
import * as path from "node:path";
import { cliEnvironment, placeholderRefusals } from "../../scripts/cdktf";
import { committedConfigJson, writeConfigFile } from "../support/config-files";
import { temporaryDirectory } from "../support/stacks";

/*
 * `npm run diff|deploy|list`: refuse placeholders before anything is planned, and run the CLI
 * quietly (no telemetry, no spinner frames outside a terminal, no warning about a missing CLI config).
 */

let workspace: string;
beforeEach(() => {
  workspace = temporaryDirectory("cdktf-wrapper");
});
afterEach(() => fs.rmSync(workspace, { recursive: true, force: true }));

/** The committed dev file with every placeholder replaced by a real-looking value. */
function readyDev(): Record<string, any> {
  const dev = committedConfigJson("dev");
  dev.aws = { accountId: "123456789012" };
  dev.network = {
    ...dev.network,
    vpcId: "vpc-0a1b2c3d4e5f60718",
    privateSubnetIds: ["subnet-0a1b2c3d4e5f60718", "subnet-0a1b2c3d4e5f60719"],
    clientSecurityGroups: { api: "sg-0a1b2c3d4e5f60718", worker: "sg-0a1b2c3d4e5f60719" },
  };
  dev.state = { bucket: "audio-pipeline-terraform-state-dev" };
  dev.ci = {
    planRoleArn: "arn:aws:iam::123456789012:role/audio-pipeline-dev-plan",
    deployRoleArn: "arn:aws:iam::123456789012:role/audio-pipeline-dev-deploy",
    runnerLabel: "audio-pipeline-vpc",
  };
  return dev;
}

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
    writeConfigFile(configDir, "dev", readyDev());
    const staging = committedConfigJson("dev");
    staging.environment = "staging";
    writeConfigFile(configDir, "staging", staging);
    expect(placeholderRefusals(["audio-pipeline-dev"], configDir)).toEqual([]);
    expect(placeholderRefusals([], configDir).length).toBeGreaterThan(0);
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
