/*
 * The three changes a DevOps engineer makes every week, each made the way the README says (one
 * file), in a temporary copy of the project, then synthesized and put through the tests that read
 * config/ and the declared shape. None of them may need a test edited: the tests check rules, not
 * today's data. A change that breaks a rule would fail here, and that is the point.
 *
 * All three changes go into ONE copy, synthesized once and tested once, to keep `npm test` fast.
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as esbuild from "esbuild";
import { temporaryDirectory } from "../support/temporary-directory";

/**
 * Where the tests that read config/*.json or src/seed/declared-shape.ts are (this folder excluded:
 * no recursion). Of the folders, only the files that do read them run (see affectedTests).
 */
const CANDIDATE_TESTS = [
  "__tests__/app/synthesize-app.test.ts",
  "__tests__/config",
  "__tests__/stack",
  "__tests__/policy/policy-checks.test.ts",
  "__tests__/seed",
  "__tests__/delivery",
];

/** Source that names the environment files' folder or reads it (the committed-config helpers). */
const READS_CONFIG = /["'`]config["'`/]|CONFIG_DIR|committedEnvironment|committedConfig|resolveEnvironments\(/;

/**
 * The candidate test files whose own code, or any project module they import (followed by
 * esbuild), imports the declared shape or reads config/. A file that does neither cannot see the
 * three changes, so it is left out of the copy's run; a new test file is judged the same way.
 */
async function affectedTests(root: string): Promise<string[]> {
  const files = CANDIDATE_TESTS.flatMap((entry) =>
    entry.endsWith(".test.ts")
      ? [entry]
      : (fs.readdirSync(path.join(root, entry), { recursive: true }) as string[]).filter((file) => file.endsWith(".test.ts")).map((file) => path.join(entry, file)),
  );
  const affected: string[] = [];
  for (const file of files) {
    const { metafile } = await esbuild.build({
      entryPoints: [path.join(root, file)],
      absWorkingDir: root,
      bundle: true,
      write: false,
      metafile: true,
      platform: "node",
      format: "esm",
      packages: "external",
      logLevel: "silent",
    });
    const own = Object.keys(metafile.inputs).filter((input) => !input.includes("node_modules"));
    if (own.some((input) => input === "src/seed/declared-shape.ts" || READS_CONFIG.test(fs.readFileSync(path.join(root, input), "utf8")))) affected.push(file);
  }
  console.info(`[changes] ${affected.length} of ${files.length} candidate test files read config/ or the declared shape; left out: ${files.filter((file) => !affected.includes(file)).join(", ")}`);
  return affected.sort();
}

const NEW_INDEX = `{ name: "metadata.agent_id_1", key: { "metadata.agent_id": 1 } }, // calls handled by one agent`;

let copy: string;
let synth: { status: number | null; output: string };
let affected: string[];

/** Copies every file git knows (tracked or new, not ignored); node_modules is linked, not copied. */
function copyProject(target: string): void {
  const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z"], { encoding: "utf8" })
    .split("\0")
    .filter((file) => file !== "" && fs.existsSync(file));
  for (const file of files) {
    fs.mkdirSync(path.join(target, path.dirname(file)), { recursive: true });
    fs.copyFileSync(file, path.join(target, file));
  }
  fs.symlinkSync(path.resolve("node_modules"), path.join(target, "node_modules"), "dir");
}

/** Replaces `anchor` once in a file of the copy; fails loudly if the anchor moved. */
function editOnce(file: string, anchor: RegExp, replacement: (match: string) => string): void {
  const text = fs.readFileSync(path.join(copy, file), "utf8");
  if (!anchor.test(text)) throw new Error(`${file}: the change test's anchor ${anchor} is not there any more; update it`);
  fs.writeFileSync(path.join(copy, file), text.replace(anchor, replacement));
}

beforeAll(async () => {
  copy = temporaryDirectory("everyday-changes");
  copyProject(copy);

  // (a) A new environment: one minimal file, nothing else required.
  const dev = JSON.parse(fs.readFileSync("config/dev.json", "utf8"));
  fs.writeFileSync(
    path.join(copy, "config", "staging.json"),
    `${JSON.stringify({ environment: "staging", production: false, network: dev.network }, null, 2)}\n`,
  );

  // (b) Resize prod: raise the compute auto-scaling bounds (and the tier with them, if the file pins one).
  const prodFile = path.join(copy, "config", "prod.json");
  const prod = JSON.parse(fs.readFileSync(prodFile, "utf8"));
  prod.atlas.autoScaling.compute = { ...prod.atlas.autoScaling.compute, minTier: "M30", maxTier: "M50" };
  if (prod.atlas.tier !== undefined) prod.atlas.tier = "M30";
  fs.writeFileSync(prodFile, `${JSON.stringify(prod, null, 2)}\n`);

  // (c) A new index and a new field on calls: one edit each in the declared shape.
  editOnce("src/seed/declared-shape.ts", /\n(\s*)\{ name: "call_id_1"/, (match) => `\n${/\n(\s*)/.exec(match)![1]}${NEW_INDEX}${match}`);
  editOnce("src/seed/declared-shape.ts", /\n(\s*)participants: stringList,/, (match) => `${match}\n${/\n(\s*)/.exec(match)![1]}agent_id: identifier,`);

  const run = spawnSync(process.execPath, ["scripts/synth.cjs"], { cwd: copy, encoding: "utf8" });
  synth = { status: run.status, output: `${run.stdout}${run.stderr}` };
  affected = await affectedTests(copy);
}, 60_000);

afterAll(() => fs.rmSync(copy, { recursive: true, force: true }));

function stackJson(stack: string): any {
  return JSON.parse(fs.readFileSync(path.join(copy, "cdktf.out", "stacks", stack, "cdk.tf.json"), "utf8"));
}

describe("everyday changes, each one file, need no test edit", () => {
  it("synthesize: the new environment gets its own stack and names; prod's bounds move; the new collection shape loads", () => {
    expect(synth.status, synth.output).toBe(0);
    const staging = stackJson("audio-pipeline-staging");
    expect(Object.values(staging.resource.mongodbatlas_project).map((project: any) => project.name)).toEqual(["audio-pipeline-staging"]);
    const cluster: any = Object.values(stackJson("audio-pipeline-prod").resource.mongodbatlas_advanced_cluster)[0];
    const region = cluster.replication_specs[0].region_configs[0];
    expect([region.auto_scaling.compute_min_instance_size, region.auto_scaling.compute_max_instance_size]).toEqual(["M30", "M50"]);
    expect(region.electable_specs.instance_size).toBe("M30");
  });

  it("pass the tests that read config/ and the declared shape, unchanged", async () => {
    // The selection itself: the tests of each change's rules are in it.
    expect(affected).toEqual(
      expect.arrayContaining(["__tests__/app/synthesize-app.test.ts", "__tests__/seed/declared-shape.test.ts", "__tests__/stack/prod-stack.test.ts", "__tests__/config/bad-input-catalogue.test.ts"]),
    );
    // Asynchronous: the child run takes over a minute, and a worker blocked that long in spawnSync
    // misses vitest's own RPC deadline (60 s), which fails the whole run with "Timeout calling onTaskUpdate".
    const run = await spawnAsync(process.execPath, ["node_modules/vitest/vitest.mjs", "run", "--maxWorkers=1", ...affected], {
      cwd: copy,
      // The copy's real-Terraform and MongoDB tests are not what this checks: no mirror, no server.
      env: { ...process.env, TF_PLUGIN_MIRROR: path.join(copy, "no-mirror"), MONGODB_TEST_URI: "", CI: "true", NO_COLOR: "1", FORCE_COLOR: "0" },
    });
    const summary = `${run.stdout}${run.stderr}`.split("\n").filter((line) => /Tests |FAIL|×/.test(line)).join("\n");
    expect(run.status, summary).toBe(0);
    expect(summary).toMatch(/Tests\s+\d+ passed/);
  }, 120_000);
});

/** spawnSync's result, without blocking the worker while the child runs. */
function spawnAsync(command: string, args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}
