import * as fs from "node:fs";
import * as path from "node:path";
import { cliEnvironment, listStacks, placeholderRefusals, selects } from "../../scripts/cdktf";
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
  it("refuses a placeholder repository (the environment files' github.repository), placeholder reviewers and the example state bucket; nothing once they are real", () => {
    const configDir = path.join(workspace, "config");
    for (const name of ["dev", "prod"]) writeConfigFile(configDir, name, deployableConfigJson(name));
    const github = JSON.parse(fs.readFileSync("config/github.json", "utf8"));
    writeConfigFile(configDir, "github", github);
    const refusals = placeholderRefusals(["audio-pipeline-github"], configDir);
    expect(refusals).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/config\/<env>\.json: github\.repository is a placeholder \(placeholder-owner\/audio-pipeline\); set the real value/),
        expect.stringMatching(/github\.json: reviewers\.prod\.deploy\[0\] is a placeholder \(placeholder-prod-approvers, id 1\)/),
        expect.stringMatching(/github\.json: state\.bucket is a placeholder/),
      ]),
    );
    for (const name of ["dev", "prod"]) writeConfigFile(configDir, name, { ...deployableConfigJson(name), github: { repository: "audio-team/audio-pipeline-database" } });
    const real = { ...github, state: { bucket: "audio-pipeline-terraform-state-prod", region: "us-east-1" }, reviewers: { prod: { deploy: [{ team: "prod-approvers", id: 4242 }], seedApproval: [{ team: "prod-approvers", id: 4242 }] } } };
    writeConfigFile(configDir, "github", real);
    expect(placeholderRefusals(["audio-pipeline-github"], configDir)).toEqual([]);
  });
});

describe("placeholderRefusals for a bootstrap stack (audio-pipeline-bootstrap-<account>)", () => {
  const ACCOUNT = "123456789012";
  const BOOTSTRAP = `audio-pipeline-bootstrap-${ACCOUNT}`;
  /** dev and prod of one account, all real values, plus staging of another account with placeholders. */
  type Files = Record<"dev" | "prod" | "staging", Record<string, any>>;
  function accountFiles(change: (files: Files) => void = () => undefined): string {
    const configDir = path.join(workspace, "config");
    const staging = committedConfigJson("dev");
    staging.environment = "staging";
    staging.aws = { accountId: "444455556666" };
    delete staging.ci;
    const files: Files = { dev: deployableConfigJson("dev"), prod: deployableConfigJson("prod"), staging };
    // Every file names the one repository (a config rule); the test of its placeholder removes it from all.
    for (const file of Object.values(files)) file.github = { repository: "audio-team/audio-pipeline" };
    change(files);
    for (const [name, file] of Object.entries(files)) writeConfigFile(configDir, name, file);
    return configDir;
  }

  it("passes when every file of the account holds real values, whatever other accounts' files hold", () => {
    expect(placeholderRefusals([BOOTSTRAP], accountFiles())).toEqual([]);
  });

  it("refuses a placeholder in any environment file that feeds it, naming file and field, though that environment's own stack is not named", () => {
    const configDir = accountFiles(({ dev }) => {
      dev.state.bucket = "audio-pipeline-terraform-state-placeholder";
      delete dev.ci.runnerLabel;
    });
    expect(placeholderRefusals([BOOTSTRAP], configDir)).toEqual([
      expect.stringMatching(/config\/dev\.json: state\.bucket is a placeholder \(audio-pipeline-terraform-state-placeholder\); set the real value before planning or applying the bootstrap stack$/),
      expect.stringMatching(/config\/dev\.json: ci\.runnerLabel is a placeholder \(not set\)/),
    ]);
    expect(placeholderRefusals(["audio-pipeline-prod"], configDir)).toEqual([]);
  });

  it.each([
    ["a placeholder break-glass role", (files: Files): void => {
        files.prod.ci.breakGlassRoleArn = `arn:aws:iam::${ACCOUNT}:role/placeholder-break-glass`;
      }, [/prod\.json: ci\.breakGlassRoleArn is a placeholder/]],
    [
      "the placeholder GitHub repository (only the bootstrap reads it)",
      (files: Files): void => Object.values(files).forEach((file) => delete file.github),
      [/dev\.json: github\.repository is a placeholder \(placeholder-owner\/audio-pipeline\)/, /prod\.json: github\.repository is a placeholder/],
    ],
  ] as const)("refuses %s", (_name, change, messages) => {
    const configDir = accountFiles(change);
    expect(placeholderRefusals([BOOTSTRAP], configDir)).toEqual(messages.map((message) => expect.stringMatching(message)));
    expect(placeholderRefusals(["audio-pipeline-dev", "audio-pipeline-prod"], configDir).filter((line) => line.includes("github.repository"))).toEqual([]);
  });

  it("checks a bootstrap stack selected by a pattern, and every stack for '*'", () => {
    const configDir = accountFiles(({ dev }) => (dev.network.vpcId = "vpc-00000000"));
    expect(placeholderRefusals(["audio-pipeline-bootstrap-*"], configDir)).toEqual(expect.arrayContaining([expect.stringMatching(/dev\.json: network\.vpcId is a placeholder/)]));
    expect(placeholderRefusals(["*"], configDir).some((line) => line.includes("staging.json"))).toBe(true);
    expect(selects("audio-pipeline-bootstrap-*", BOOTSTRAP)).toBe(true);
    expect(selects("audio-pipeline-dev", "audio-pipeline-dev2")).toBe(false);
    expect(selects("audio-pipeline-?ev", "audio-pipeline-dev")).toBe(true);
  });

  it("refuses the committed files' bootstrap stack (placeholder account 000000000000), listing both files", () => {
    const configDir = path.join(workspace, "config");
    writeConfigFile(configDir, "dev", committedConfigJson("dev"));
    writeConfigFile(configDir, "prod", committedConfigJson("prod"));
    const refusals = placeholderRefusals(["audio-pipeline-bootstrap-000000000000"], configDir);
    expect(refusals.some((line) => /dev\.json: aws\.accountId is a placeholder/.test(line))).toBe(true);
    expect(refusals.some((line) => /prod\.json: aws\.accountId is a placeholder/.test(line))).toBe(true);
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
    expect(lines.slice(1).map((line) => line.split(/\s+/))).toEqual(stacks.map((stack) => [stack, path.join(outdir, "stacks", stack)]).sort(([a], [b]) => a.localeCompare(b)));
  });
});
