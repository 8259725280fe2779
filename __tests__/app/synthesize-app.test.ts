import * as fs from "node:fs";
import * as path from "node:path";
import { synthesizeApp } from "../../src/app";
import { ConfigError } from "../../src/config/config-issue";
import { committedConfigJson, synthesizedFiles, writeConfigFile } from "../support/config-files";
import { temporaryDirectory } from "../support/stacks";

let workspace: string;
beforeEach(() => {
  workspace = temporaryDirectory("synth-app");
});
afterEach(() => fs.rmSync(workspace, { recursive: true, force: true }));

describe("synthesizeApp, the code path `cdktf synth` runs", () => {
  it("writes one stack named audio-pipeline-<env> per environment file, and a manifest", () => {
    const outdir = path.join(workspace, "out");
    const result = synthesizeApp({ configDir: "config", outdir });
    expect(result.stacks).toEqual(["audio-pipeline-dev", "audio-pipeline-prod"]);
    expect(synthesizedFiles(outdir).sort()).toEqual([
      path.join("stacks", "audio-pipeline-dev", "cdk.tf.json"),
      path.join("stacks", "audio-pipeline-prod", "cdk.tf.json"),
    ]);
    const manifest = JSON.parse(fs.readFileSync(path.join(outdir, "manifest.json"), "utf8"));
    expect(Object.keys(manifest.stacks)).toEqual(["audio-pipeline-dev", "audio-pipeline-prod"]);
  });

  it("warns, without failing, while committed placeholder network ids remain", () => {
    const outdir = path.join(workspace, "out");
    synthesizeApp({ configDir: "config", outdir });
    const manifest = JSON.parse(fs.readFileSync(path.join(outdir, "manifest.json"), "utf8"));
    const warnings = manifest.stacks["audio-pipeline-prod"].annotations.filter((a: { level: string }) => a.level === "@cdktf/warn");
    expect(warnings.map((warning: { message: string }) => warning.message)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^config\/prod\.json: network ids vpc-0+, .* are committed placeholders/),
        expect.stringMatching(/^config\/prod\.json: alert e-mail addresses database-oncall@example\.com are committed placeholders/),
      ]),
    );
  });

  it("synthesizes a new environment from one new file", () => {
    const configDir = path.join(workspace, "config");
    const staging = committedConfigJson("dev");
    staging.environment = "staging";
    staging.atlas = { ...staging.atlas, projectName: "audio-pipeline-staging", clusterName: "audio-pipeline-staging" };
    writeConfigFile(configDir, "staging", staging);
    const result = synthesizeApp({ configDir, outdir: path.join(workspace, "out") });
    expect(result.stacks).toEqual(["audio-pipeline-staging"]);
  });

  it("writes nothing at all when one of several files is invalid, and removes an earlier run's output", () => {
    const configDir = path.join(workspace, "config");
    const outdir = path.join(workspace, "out");
    writeConfigFile(configDir, "dev", committedConfigJson("dev"));
    synthesizeApp({ configDir, outdir });
    expect(synthesizedFiles(outdir)).toHaveLength(1);

    writeConfigFile(configDir, "prod", { ...committedConfigJson("prod"), region: "mars-1" });
    expect(() => synthesizeApp({ configDir, outdir })).toThrow(ConfigError);
    expect(synthesizedFiles(outdir)).toEqual([]);
    expect(fs.existsSync(path.join(outdir, "manifest.json"))).toBe(false);
    expect(fs.readdirSync(workspace).filter((name) => name.includes("staging"))).toEqual([]);
  });

  it("reports every problem of every file in one error", () => {
    const configDir = path.join(workspace, "config");
    writeConfigFile(configDir, "dev", { ...committedConfigJson("dev"), region: "mars-1" });
    const prod = committedConfigJson("prod");
    prod.atlas.tier = "M2";
    prod.network.privateSubnetIds = [];
    writeConfigFile(configDir, "prod", prod);
    let error: unknown;
    try {
      synthesizeApp({ configDir, outdir: path.join(workspace, "out") });
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.map(({ file, issue }) => `${path.basename(file)} ${issue.path.join(".")}`);
    expect(problems.sort()).toEqual(["dev.json region", "prod.json atlas.tier", "prod.json network.privateSubnetIds"]);
    expect((error as Error).message).toMatch(/^3 problem\(s\) in the environment configuration; nothing was synthesized:/);
  });

  it("refuses an empty config directory", () => {
    const configDir = path.join(workspace, "empty");
    fs.mkdirSync(configDir);
    expect(() => synthesizeApp({ configDir, outdir: path.join(workspace, "out") })).toThrow(/holds no environment file/);
  });
});
