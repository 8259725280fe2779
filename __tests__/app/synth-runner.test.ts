/*
 * `npm run synth` runs scripts/synth.cjs: the app compiled to JavaScript, without the cdktf CLI.
 * It must behave as the CLI did (same cdktf.out layout, exit 1 on a config error or an error
 * annotation, nothing half-written), print little, and never run stale JavaScript.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { GITHUB_STACK, githubSettingsPath } from "../../src/github/load-github-settings";
import { expectedStacks, synthesizedFiles } from "../support/config-files";
import { temporaryDirectory } from "../support/temporary-directory";

let copy: string;

/** The files the app needs, copied; node_modules linked. */
beforeAll(() => {
  copy = temporaryDirectory("synth-runner");
  for (const entry of ["main.ts", "src", "config", "scripts/synth.cjs", "package.json", "tsconfig.json"]) {
    fs.cpSync(entry, path.join(copy, entry), { recursive: true });
  }
  fs.symlinkSync(path.resolve("node_modules"), path.join(copy, "node_modules"), "dir");
});
afterAll(() => fs.rmSync(copy, { recursive: true, force: true }));

function synth(extraEnv: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string } {
  const env = { ...process.env, ...extraEnv };
  delete env.CDKTF_OUTDIR;
  const result = spawnSync(process.execPath, ["scripts/synth.cjs"], { cwd: copy, encoding: "utf8", env });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function editFile(file: string, edit: (text: string) => string): () => void {
  const full = path.join(copy, file);
  const before = fs.readFileSync(full, "utf8");
  fs.writeFileSync(full, edit(before));
  return () => fs.writeFileSync(full, before);
}

describe("npm run synth (scripts/synth.cjs)", () => {
  it("writes one cdk.tf.json per environment file and the manifest, and prints the result and at most the placeholder line, with nothing installed by hand (no terraform or any other program on the PATH)", () => {
    // A PATH holding only node (process.execPath may live in /usr/bin, beside everything else).
    const nodeOnly = path.join(copy, "node-only-bin");
    fs.mkdirSync(nodeOnly, { recursive: true });
    fs.symlinkSync(process.execPath, path.join(nodeOnly, "node"));
    const { status, stdout, stderr } = synth({ PATH: nodeOnly });
    expect(status, stderr).toBe(0);
    const stacks = [...expectedStacks("config"), ...(fs.existsSync(githubSettingsPath("config")) ? [GITHUB_STACK] : [])];
    expect(synthesizedFiles(path.join(copy, "cdktf.out")).sort()).toEqual(stacks.map((stack) => path.join("stacks", stack, "cdk.tf.json")).sort());
    expect(fs.existsSync(path.join(copy, "cdktf.out", "manifest.json"))).toBe(true);
    expect(stderr).toBe("");
    const lines = stdout.trim().split("\n");
    expect(lines.at(-1)).toBe(`Synthesized ${stacks.join(", ")} into cdktf.out/stacks/`);
    expect(lines.slice(0, -1).every((line) => line.startsWith("Placeholders remain in "))).toBe(true);
    expect(lines.length).toBeLessThanOrEqual(2);
  });

  it("never runs stale JavaScript: an edited source file is compiled again", () => {
    const restore = editFile("src/modules/database/outputs.ts", (text) => text.replace('"Id of the Atlas project."', '"Id of the Atlas project (edited)."'));
    try {
      expect(synth().status).toBe(0);
      const stack = fs.readFileSync(path.join(copy, "cdktf.out", "stacks", "audio-pipeline-dev", "cdk.tf.json"), "utf8");
      expect(stack).toContain("Id of the Atlas project (edited).");
    } finally {
      restore();
    }
  });

  it("exits 1 on a config error, prints it once, and leaves no stack behind", () => {
    const restore = editFile("config/dev.json", (text) => text.replace('"region": "us-east-1"', '"region": "mars-1"'));
    try {
      const { status, stdout, stderr } = synth();
      expect(status).toBe(1);
      expect(stderr.match(/config\/dev\.json: region: got "mars-1"/g)).toHaveLength(1);
      expect(stdout).toBe("");
      expect(synthesizedFiles(path.join(copy, "cdktf.out"))).toEqual([]);
    } finally {
      restore();
    }
  });

  it("exits 1 on an error annotation (a policy violation), listing it, and leaves no stack behind", () => {
    const restore = editFile("config/prod.json", (text) => text.replace('"terminationProtection": true', '"terminationProtection": false'));
    try {
      const { status, stderr } = synth();
      expect(status).toBe(1);
      expect(stderr).toMatch(/error\(s\); nothing was synthesized:[\s\S]*\[production-cluster-protection\]/);
      expect(synthesizedFiles(path.join(copy, "cdktf.out"))).toEqual([]);
    } finally {
      restore();
    }
  });
});
