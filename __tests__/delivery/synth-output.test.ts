/*
 * What reviewers and CI read: the synthesized output is a pure function of the code and config.
 * Two synths of the same input are byte-identical (so a diff of cdktf.out shows only real changes),
 * no file holds a path of the machine that wrote it, and `hcl: true` (`npm run synth:hcl`) adds the
 * reviewer HCL in its own folder, hcl/<stack>/cdk.tf, leaving the JSON and the manifest as they are.
 *
 * The HCL is formatted by the terraform CLI: where it cannot run, the tests that need HCL output
 * are skipped with the reason printed; the refusal without terraform is tested everywhere.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { synthesizeApp } from "../../src/app";
import { expectedStacks, synthesizeLocalStateDev } from "../support/config-files";
import { temporaryDirectory } from "../support/temporary-directory";
import { terraformAvailability } from "../support/terraform-runner";

const terraform = terraformAvailability();
if (!terraform.available) console.warn(`[terraform] skipping the reviewer-HCL output tests: ${terraform.reason}`);

const STACKS = expectedStacks("config");

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
  if (terraform.available) for (const outdir of out.hcl) synthesizeApp({ configDir: "config", outdir, hcl: true });
});
afterAll(() => fs.rmSync(workspace, { recursive: true, force: true }));

describe("synthesized output is stable", () => {
  it("two synths of the same input are byte-identical, file by file", () => {
    expect(filesBelow(out.json[0]).length).toBeGreaterThan(STACKS.length);
    expect(differingFiles(out.json[0], out.json[1])).toEqual([]);
  });

  it.skipIf(!terraform.available)("two synths with hcl: true are byte-identical, file by file, the HCL included", () => {
    expect(filesBelow(out.hcl[0])).toEqual(expect.arrayContaining(STACKS.map((stack) => path.join("hcl", stack, "cdk.tf"))));
    expect(differingFiles(out.hcl[0], out.hcl[1])).toEqual([]);
  });

  it.skipIf(!terraform.available)("hcl: true adds hcl/<stack>/cdk.tf and leaves every other file (JSON, manifest) as a JSON-only synth writes it", () => {
    const added = filesBelow(out.hcl[0]).filter((file) => !filesBelow(out.json[0]).includes(file));
    expect(added).toEqual(STACKS.map((stack) => path.join("hcl", stack, "cdk.tf")).sort());
    expect(differingFiles(out.json[0], out.hcl[0]).filter((file) => !added.includes(file))).toEqual([]);
  });
});

describe("no machine path in the output", () => {
  it("no file under the output directory names a directory of this machine", () => {
    const outdirs = [...out.json, ...(terraform.available ? out.hcl : [])];
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

type Conditions = { readonly precondition?: unknown[]; readonly postcondition?: unknown[] };

/** Lifecycle and output conditions in a stack's JSON. */
function conditionCount(json: { resource?: Record<string, Record<string, { lifecycle?: Conditions }>>; output?: Record<string, Conditions> }): number {
  const lifecycles = Object.values(json.resource ?? {}).flatMap((byName) => Object.values(byName).map((body) => body.lifecycle));
  const outputs = Object.values(json.output ?? {});
  return [...lifecycles, ...outputs].reduce((sum, body) => sum + (body?.precondition?.length ?? 0) + (body?.postcondition?.length ?? 0), 0);
}

describe.skipIf(!terraform.available)("reviewer HCL (hcl: true)", () => {
  const hclOf = (stack: string) => fs.readFileSync(path.join(out.hcl[0], "hcl", stack, "cdk.tf"), "utf8");
  const jsonOf = (stack: string) => JSON.parse(fs.readFileSync(path.join(out.hcl[0], "stacks", stack, "cdk.tf.json"), "utf8"));

  it("sits in its own folder: no directory holds both .tf and .tf.json files (Terraform would load both)", () => {
    const byDirectory = new Map<string, string[]>();
    for (const file of filesBelow(out.hcl[0])) byDirectory.set(path.dirname(file), [...(byDirectory.get(path.dirname(file)) ?? []), file]);
    const mixed = [...byDirectory].filter(([, files]) => files.some((file) => file.endsWith(".tf")) && files.some((file) => file.endsWith(".tf.json")));
    expect(mixed.map(([directory]) => directory)).toEqual([]);
    // The same depth as stacks/<stack>, so a relative state path means the same in both.
    for (const stack of STACKS) expect(path.relative(path.join(out.hcl[0], "hcl", stack), out.hcl[0])).toBe(path.relative(path.join(out.hcl[0], "stacks", stack), out.hcl[0]));
  });

  it("leaves the manifest pointing at each stack's cdk.tf.json, for cdktf diff and deploy", () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(out.hcl[0], "manifest.json"), "utf8"));
    for (const stack of STACKS) {
      expect(manifest.stacks[stack].synthesizedStackPath).toBe(`stacks/${stack}/cdk.tf.json`);
      expect(fs.existsSync(path.join(out.hcl[0], manifest.stacks[stack].synthesizedStackPath))).toBe(true);
    }
  });

  it("passes terraform fmt -check", () => {
    const check = spawnSync(terraform.available ? terraform.terraform : "terraform", ["fmt", "-check", "-recursive", "-no-color", path.join(out.hcl[0], "hcl")], {
      encoding: "utf8",
      env: { PATH: process.env.PATH ?? "", CHECKPOINT_DISABLE: "1", TF_CLI_CONFIG_FILE: os.devNull, HOME: os.tmpdir() },
    });
    expect({ status: check.status, unformatted: check.stdout.trim(), stderr: check.stderr.trim() }).toEqual({ status: 0, unformatted: "", stderr: "" });
  });

  it("writes every lifecycle and output condition as a block, one per condition in the JSON, never as an argument", () => {
    for (const stack of STACKS) {
      const hcl = hclOf(stack);
      expect(hcl, stack).not.toMatch(/^\s*(precondition|postcondition)\s*=/m);
      expect(hcl.match(/^\s*(precondition|postcondition) \{$/gm)?.length ?? 0, stack).toBe(conditionCount(jsonOf(stack)));
    }
    expect(conditionCount(jsonOf(STACKS[0]))).toBeGreaterThan(0);
  });

  it("has one block for every resource, variable and output of the JSON", () => {
    for (const stack of STACKS) {
      const json = jsonOf(stack);
      const hcl = hclOf(stack);
      const expected = [
        ...Object.entries(json.resource as Record<string, object>).flatMap(([type, byName]) => Object.keys(byName).map((name) => `resource "${type}" "${name}"`)),
        ...Object.keys(json.variable ?? {}).map((name) => `variable "${name}"`),
        ...Object.keys(json.output ?? {}).map((name) => `output "${name}"`),
      ].sort();
      const found = [...hcl.matchAll(/^((?:resource|variable|output) "[^"]+"(?: "[^"]+")?) \{$/gm)].map((match) => match[1]).sort();
      expect(found, stack).toEqual(expected);
    }
  });

  it("a later synth without hcl removes it, so no earlier run's HCL looks current", () => {
    const outdir = path.join(workspace, "stale-hcl");
    fs.cpSync(out.hcl[0], outdir, { recursive: true });
    synthesizeApp({ configDir: "config", outdir });
    expect(filesBelow(outdir).filter((file) => file.startsWith(`hcl${path.sep}`))).toEqual([]);
  });
});

describe("synth with hcl: true where terraform cannot run", () => {
  it("fails with one message naming the CLI and what to do, and leaves no output behind", () => {
    const outdir = path.join(workspace, "no-terraform");
    fs.cpSync(out.json[0], outdir, { recursive: true });
    const previous = process.env.TERRAFORM_BIN;
    process.env.TERRAFORM_BIN = path.join(workspace, "no-such-terraform");
    try {
      expect(() => synthesizeApp({ configDir: "config", outdir, hcl: true })).toThrow(/Terraform CLI, and ".*no-such-terraform" was not found\. Install Terraform .* or set TERRAFORM_BIN/);
    } finally {
      if (previous === undefined) delete process.env.TERRAFORM_BIN;
      else process.env.TERRAFORM_BIN = previous;
    }
    expect(filesBelow(outdir)).toEqual([]);
  });
});
