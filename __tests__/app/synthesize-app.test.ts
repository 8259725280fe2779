import * as fs from "node:fs";
import * as path from "node:path";
import { GITHUB_STACK, githubSettingsPath } from "../../src/github/load-github-settings";
import { synthesizeApp } from "../../src/app";
import { ConfigError } from "../../src/config/config-issue";
import { environmentFiles } from "../../src/config/load-environment";
import { resolveEnvironments } from "../../src/environment/resolve";
import { placeholderFields } from "../../src/config/placeholders";
import { committedConfigJson, expectedStacks, setField, synthesizedFiles, writeConfigFile } from "../support/config-files";
import { temporaryDirectory } from "../support/temporary-directory";

let workspace: string;
beforeEach(() => {
  workspace = temporaryDirectory("synth-app");
});
afterEach(() => fs.rmSync(workspace, { recursive: true, force: true }));

describe("synthesizeApp, the code path `npm run synth` and `cdktf synth` run", () => {
  it("writes one stack named audio-pipeline-<env> per environment file, one audio-pipeline-bootstrap-<account> per AWS account (and the github stack, with config/github.json), and a manifest", () => {
    const outdir = path.join(workspace, "out");
    const expected = expectedStacks("config");
    const github = fs.existsSync(githubSettingsPath("config")) ? [GITHUB_STACK] : [];
    const result = synthesizeApp({ configDir: "config", outdir });
    expect(result.stacks).toEqual(expected);
    expect(result.githubStack).toBe(github[0]);
    expect(synthesizedFiles(outdir).sort()).toEqual([...expected, ...github].map((stack) => path.join("stacks", stack, "cdk.tf.json")).sort());
    const manifest = JSON.parse(fs.readFileSync(path.join(outdir, "manifest.json"), "utf8"));
    expect(Object.keys(manifest.stacks).sort()).toEqual([...expected, ...github].sort());
  });

  it("has no warning to print for the committed files, and one line naming the files that still hold placeholders", () => {
    const result = synthesizeApp({ configDir: "config", outdir: path.join(workspace, "out") });
    expect(result.warnings).toEqual([]);
    const withPlaceholders = resolveEnvironments("config").filter(({ config }) => placeholderFields(config).length > 0);
    if (withPlaceholders.length === 0) {
      expect(result.placeholderNotice).toBeUndefined();
    } else {
      expect(result.placeholderNotice?.split("\n")).toHaveLength(1);
      for (const { file } of withPlaceholders) expect(result.placeholderNotice).toContain(file);
    }
  });

  it("synthesizes a new environment from one minimal file, with names derived from its own name", () => {
    const configDir = path.join(workspace, "config");
    fs.mkdirSync(configDir, { recursive: true });
    for (const file of environmentFiles("config")) fs.copyFileSync(file, path.join(configDir, path.basename(file)));
    const network = committedConfigJson("dev").network;
    writeConfigFile(configDir, "staging", { environment: "staging", production: false, network });
    const outdir = path.join(workspace, "out");
    const result = synthesizeApp({ configDir, outdir });
    expect(result.stacks).toContain("audio-pipeline-staging");
    const stack = JSON.parse(fs.readFileSync(path.join(outdir, "stacks", "audio-pipeline-staging", "cdk.tf.json"), "utf8"));
    const names = (type: string, attribute: string) => Object.values(stack.resource[type] ?? {}).map((resource: any) => resource[attribute]);
    expect(names("mongodbatlas_project", "name")).toEqual(["audio-pipeline-staging"]);
    expect(names("mongodbatlas_advanced_cluster", "name")).toEqual(["audio-pipeline-staging"]);
    for (const secret of names("aws_secretsmanager_secret", "name")) expect(secret).toMatch(/^audio-pipeline-staging\//);
    expect(result.placeholderNotice).toContain(path.join(configDir, "staging.json").replace(`${process.cwd()}/`, ""));
  });

  it("refuses two files that claim the same project, secret or state object, naming both files and the field", () => {
    const configDir = path.join(workspace, "config");
    const dev = committedConfigJson("dev");
    writeConfigFile(configDir, "dev", dev);
    const staging = committedConfigJson("dev");
    staging.environment = "staging";
    setField(staging, "atlas.projectName", "audio-pipeline-dev");
    setField(staging, "connectionSecret.seederName", "audio-pipeline-dev/mongodb-uri");
    staging.state = { bucket: dev.state?.bucket ?? "audio-pipeline-dev-terraform-state", key: "audio-pipeline-dev/terraform.tfstate" };
    const stagingFile = writeConfigFile(configDir, "staging", staging);
    const devFile = path.join(configDir, "dev.json");
    const error = catchError(() => synthesizeApp({ configDir, outdir: path.join(workspace, "out") }));
    expect(error).toBeInstanceOf(ConfigError);
    const lines = (error as Error).message.split("\n");
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^  ${escape(stagingFile)}: atlas\\.projectName: got "audio-pipeline-dev"; the same Atlas project name as atlas\\.projectName of ${escape(devFile)}`)),
        expect.stringMatching(new RegExp(`^  ${escape(stagingFile)}: connectionSecret\\.seederName: .*the same Secrets Manager secret name as connectionSecret\\.name of ${escape(devFile)}`)),
        expect.stringMatching(new RegExp(`^  ${escape(stagingFile)}: state: .*the same Terraform state object as state of ${escape(devFile)}`)),
      ]),
    );
    expect(synthesizedFiles(path.join(workspace, "out"))).toEqual([]);
  });

  it("writes nothing at all when one of several files is invalid, and removes an earlier run's output", () => {
    const configDir = path.join(workspace, "config");
    const outdir = path.join(workspace, "out");
    writeConfigFile(configDir, "dev", committedConfigJson("dev"));
    synthesizeApp({ configDir, outdir });
    expect(synthesizedFiles(outdir)).toHaveLength(expectedStacks(configDir).length);

    writeConfigFile(configDir, "prod", { ...committedConfigJson("prod"), region: "mars-1" });
    expect(() => synthesizeApp({ configDir, outdir })).toThrow(ConfigError);
    expect(synthesizedFiles(outdir)).toEqual([]);
    expect(fs.existsSync(path.join(outdir, "manifest.json"))).toBe(false);
    expect(fs.readdirSync(workspace).filter((name) => name.includes("staging"))).toEqual([]);
  });

  it("reports every problem of every file in one error", () => {
    const configDir = path.join(workspace, "config");
    const dev = committedConfigJson("dev");
    dev.region = "mars-1";
    setField(dev, "atlas.tier", "M2");
    writeConfigFile(configDir, "dev", dev);
    const prod = committedConfigJson("prod");
    setField(prod, "network.privateSubnetIds", []);
    writeConfigFile(configDir, "prod", prod);
    const error = catchError(() => synthesizeApp({ configDir, outdir: path.join(workspace, "out") }));
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.map(({ file, issue }) => `${path.basename(file)} ${issue.path.join(".")}`);
    expect(problems.sort()).toEqual(["dev.json atlas.tier", "dev.json region", "prod.json network.privateSubnetIds"]);
    expect((error as Error).message).toMatch(/^3 problem\(s\) in the environment configuration; nothing was synthesized:/);
  });

  it("refuses an empty config directory", () => {
    const configDir = path.join(workspace, "empty");
    fs.mkdirSync(configDir);
    expect(() => synthesizeApp({ configDir, outdir: path.join(workspace, "out") })).toThrow(/holds no environment file/);
  });
});

function catchError(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error("expected an error");
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
