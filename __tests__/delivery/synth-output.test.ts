/*
 * What reviewers and CI read: the synthesized output is a pure function of the code and config.
 * Two synths of the same input are byte-identical (so a diff of cdktf.out shows only real changes),
 * no file holds a path of the machine that wrote it, and `--hcl` adds cdk.tf next to cdk.tf.json.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { synthesizeApp } from "../../src/app";
import { synthesizeLocalStateDev } from "../support/config-files";
import { temporaryDirectory } from "../support/stacks";

const STACKS = ["audio-pipeline-dev", "audio-pipeline-prod"];

/** Every file below a directory, relative to it, sorted. */
function filesBelow(directory: string): string[] {
  return (fs.readdirSync(directory, { recursive: true }) as string[])
    .filter((file) => fs.statSync(path.join(directory, file)).isFile())
    .sort();
}

/** The files that differ between two output directories (missing on one side counts). */
function differingFiles(left: string, right: string): string[] {
  const names = [...new Set([...filesBelow(left), ...filesBelow(right)])].sort();
  return names.filter((name) => {
    const a = path.join(left, name);
    const b = path.join(right, name);
    return !fs.existsSync(a) || !fs.existsSync(b) || !fs.readFileSync(a).equals(fs.readFileSync(b));
  });
}

/**
 * Absolute paths of this machine in a text: the given directories (output dir, cwd, temp dir,
 * home, with symlinks resolved too) and anything that starts like a machine path (/tmp/, /root/,
 * /home/, /work/, /Users/, /var/folders/, a drive letter). `../../../x.tfstate` and ARNs such as
 * `arn:aws:iam::123456789012:root` are not paths of the machine.
 */
function machinePathsIn(text: string, directories: readonly string[]): string[] {
  const found = new Set<string>();
  for (const directory of directories) if (directory.length > 1 && text.includes(directory)) found.add(directory);
  for (const match of text.matchAll(/(?<![\w.:\/-])(\/(?:tmp|root|home|work|Users|var\/folders|private\/var)(?:\/[^\s"',)}\]]*)?|[A-Za-z]:\\\\?[\w.-]+)/g)) {
    found.add(match[1]);
  }
  return [...found];
}

function machineDirectories(...outdirs: string[]): string[] {
  const candidates = [...outdirs, process.cwd(), os.tmpdir(), os.homedir()];
  return [...new Set(candidates.flatMap((directory) => [directory, fs.realpathSync(directory)]))];
}

let workspace: string;
const out = { json: ["", ""], hcl: ["", ""] };

beforeAll(() => {
  workspace = temporaryDirectory("synth-output");
  // Differently named output directories: a path leaking into the output would make them differ.
  out.json = [path.join(workspace, "json-a"), path.join(workspace, "second", "json-b")];
  out.hcl = [path.join(workspace, "hcl-a"), path.join(workspace, "second", "hcl-b")];
  for (const outdir of out.json) synthesizeApp({ configDir: "config", outdir });
  for (const outdir of out.hcl) synthesizeApp({ configDir: "config", outdir, hcl: true });
});
afterAll(() => fs.rmSync(workspace, { recursive: true, force: true }));

describe("synthesized output is stable", () => {
  it("two synths of the same input are byte-identical, file by file", () => {
    expect(filesBelow(out.json[0]).length).toBeGreaterThan(STACKS.length);
    expect(differingFiles(out.json[0], out.json[1])).toEqual([]);
  });

  it("two synths with hcl: true are byte-identical, file by file, cdk.tf included", () => {
    expect(filesBelow(out.hcl[0])).toEqual(expect.arrayContaining(STACKS.map((stack) => path.join("stacks", stack, "cdk.tf"))));
    expect(differingFiles(out.hcl[0], out.hcl[1])).toEqual([]);
  });

  it("hcl: true leaves cdk.tf.json exactly as a JSON-only synth writes it", () => {
    for (const stack of STACKS) {
      const file = path.join("stacks", stack, "cdk.tf.json");
      expect(fs.readFileSync(path.join(out.hcl[0], file)).equals(fs.readFileSync(path.join(out.json[0], file))), stack).toBe(true);
    }
  });
});

describe("no machine path in the output", () => {
  it("no file under the output directory names a directory of this machine", () => {
    const outdirs = [...out.json, ...out.hcl];
    const directories = machineDirectories(workspace, ...outdirs);
    const leaks = outdirs.flatMap((outdir) =>
      filesBelow(outdir).flatMap((file) =>
        machinePathsIn(fs.readFileSync(path.join(outdir, file), "utf8"), directories).map((leak) => `${path.relative(workspace, path.join(outdir, file))}: ${leak}`),
      ),
    );
    expect(leaks).toEqual([]);
  });

  it("the local state path is relative", () => {
    const outdir = synthesizeLocalStateDev(workspace);
    const synthesized = fs.readFileSync(path.join(outdir, "stacks", "audio-pipeline-dev", "cdk.tf.json"), "utf8");
    const statePath: string = JSON.parse(synthesized).terraform.backend.local.path;
    expect(path.isAbsolute(statePath)).toBe(false);
    expect(statePath).toBe("../../../terraform.audio-pipeline-dev.tfstate");
    expect(machinePathsIn(synthesized, machineDirectories(workspace))).toEqual([]);
  });

  it("the scan finds a path when one is there (so its silence above means something)", () => {
    const directories = machineDirectories(workspace);
    expect(machinePathsIn(`{"path": "${path.join(os.tmpdir(), "x", "terraform.tfstate")}"}`, directories)).not.toEqual([]);
    expect(machinePathsIn(`{"path": "${path.join(process.cwd(), "terraform.tfstate")}"}`, directories)).not.toEqual([]);
    expect(machinePathsIn('{"path": "/home/ci/project/terraform.tfstate"}', [])).toEqual(["/home/ci/project/terraform.tfstate"]);
    expect(machinePathsIn('{"path": "C:\\\\Users\\\\dev\\\\state"}', [])).not.toEqual([]);
    expect(machinePathsIn('{"path": "../../../terraform.audio-pipeline-dev.tfstate", "principal": "arn:aws:iam::123456789012:root"}', directories)).toEqual([]);
  });
});

describe("hcl: true, for Terraform-native reviewers", () => {
  it("writes both cdk.tf and cdk.tf.json for every stack", () => {
    for (const stack of STACKS) {
      const files = fs.readdirSync(path.join(out.hcl[0], "stacks", stack)).sort();
      expect(files).toEqual(expect.arrayContaining(["cdk.tf", "cdk.tf.json"]));
      expect(fs.readFileSync(path.join(out.hcl[0], "stacks", stack, "cdk.tf"), "utf8")).toMatch(/^resource "mongodbatlas_advanced_cluster" "cluster" \{$/m);
    }
  });

  it("points the manifest at cdk.tf, which exists", () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(out.hcl[0], "manifest.json"), "utf8"));
    for (const stack of STACKS) {
      expect(manifest.stacks[stack].synthesizedStackPath).toBe(`stacks/${stack}/cdk.tf`);
      expect(fs.existsSync(path.join(out.hcl[0], manifest.stacks[stack].synthesizedStackPath))).toBe(true);
    }
  });

  it("without hcl, writes no cdk.tf and points the manifest at cdk.tf.json", () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(out.json[0], "manifest.json"), "utf8"));
    for (const stack of STACKS) {
      expect(manifest.stacks[stack].synthesizedStackPath).toBe(`stacks/${stack}/cdk.tf.json`);
      expect(fs.existsSync(path.join(out.json[0], "stacks", stack, "cdk.tf"))).toBe(false);
    }
  });
});
