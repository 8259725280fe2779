/*
 * The four changes the README's "Common changes" section describes, each made the way the README
 * writes it, from the README's own text (the new environment's JSON block, the resize bounds, the
 * index line, the alert address), in a temporary copy of the project. The copy is synthesized,
 * then every test file that reads config/ or the declared shape runs there, unchanged. None of
 * them may need a test edit: the tests check rules, not today's data. A change that breaks a
 * rule fails here, and so does a README example that no longer works.
 *
 * All four changes go into ONE copy, synthesized once and tested in one vitest process, whose
 * single worker shares each synthesized stack between its files (isolate: false).
 */
import { execFile, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as esbuild from "esbuild";
import { temporaryDirectory } from "../support/temporary-directory";

const README = fs.readFileSync("README.md", "utf8");

/** The text of one README change: from its bold title to the next one (or the next heading). */
function readmeChange(title: string): string {
  const start = README.indexOf(`**${title}**`);
  if (start < 0) throw new Error(`README.md has no "**${title}**" change any more; the change test reads it`);
  const rest = README.slice(start + title.length + 4);
  const end = rest.search(/\n\*\*[A-Z][^*]+\.\*\*|\n#/);
  return end < 0 ? rest : rest.slice(0, end);
}

/** The fenced code blocks of a README change, in order, with their language. */
function codeBlocks(text: string): { language: string; code: string }[] {
  return [...text.matchAll(/```(\w*)\n([\s\S]*?)```/g)].map((match) => ({ language: match[1], code: match[2] }));
}

/** The one block of a language in a README change; fails loudly if there is not exactly one. */
function onlyBlock(title: string, language: string): string {
  const blocks = codeBlocks(readmeChange(title)).filter((block) => block.language === language);
  if (blocks.length !== 1) throw new Error(`README.md, "${title}": expected one \`\`\`${language} block, found ${blocks.length}`);
  return blocks[0].code;
}

/** A README JSON fragment (`"key": value`, as one writes it inside an object) as an object. */
function jsonFragment(code: string): Record<string, any> {
  const text = code.trim();
  return JSON.parse(text.startsWith("{") ? text : `{${text}}`);
}

/** Well-formed ids for the README's `vpc-…` placeholders, as a user would write them. */
const WELL_FORMED: Readonly<Record<string, string>> = { vpc: "vpc-0123456789abcdef0", subnet: "subnet-0123456789abcdef0", sg: "sg-0123456789abcdef0" };

const CHANGES = {
  environment: (() => {
    const text = readmeChange("A new environment.");
    const file = /Add `(config\/[a-z0-9-]+\.json)`/.exec(text)?.[1];
    if (!file) throw new Error('README.md, "A new environment.": no "Add `config/<env>.json`"');
    const json = onlyBlock("A new environment.", "json").replace(/"(vpc|subnet|sg)-…"/g, (_match, kind: string) => `"${WELL_FORMED[kind]}"`);
    return { file, content: json, config: JSON.parse(json) as Record<string, any> };
  })(),
  resize: jsonFragment(onlyBlock("Resize.", "json")).compute as Record<string, unknown>,
  index: onlyBlock("Add an index.", "ts").trim(),
  alertEmails: jsonFragment(onlyBlock("Add an alert recipient.", "json")).alertEmails as string[],
};

/** Every test file that could read config/ or the declared shape (this folder excluded: no recursion). */
function candidateTests(root: string): string[] {
  return (fs.readdirSync(path.join(root, "__tests__"), { recursive: true }) as string[])
    .map((file) => path.join("__tests__", file))
    .filter((file) => file.endsWith(".test.ts") && !file.startsWith(path.join("__tests__", "changes")))
    .sort();
}

/** Source that names the environment files' folder or reads it (the committed-config helpers). */
const READS_CONFIG = /["'`]config["'`/]|CONFIG_DIR|committedEnvironment|committedConfig|deployableConfig|loadEnvironments\(|resolveEnvironments?\(|synthesizeStacks\(|synthesizeEveryStack\(/;

/**
 * The candidate test files whose own code, or any project module they import (followed by one
 * esbuild run over all of them), imports the declared shape or reads config/. A file that does
 * neither cannot see the changes, so it is left out of the copy's run; a new test file is judged
 * the same way.
 */
async function affectedTests(root: string): Promise<string[]> {
  const files = candidateTests(root);
  const { metafile } = await esbuild.build({
    entryPoints: files.map((file) => path.join(root, file)),
    absWorkingDir: root,
    bundle: true,
    write: false,
    metafile: true,
    outdir: path.join(root, ".affected-tests"),
    outbase: root,
    platform: "node",
    format: "esm",
    packages: "external",
    logLevel: "silent",
  });
  const reads = new Map<string, boolean>();
  const readsConfig = (input: string) => {
    if (!reads.has(input)) reads.set(input, input === "src/seed/declared-shape.ts" || READS_CONFIG.test(fs.readFileSync(path.join(root, input), "utf8")));
    return reads.get(input)!;
  };
  const affected = Object.values(metafile.outputs)
    .filter((output) => output.entryPoint !== undefined && Object.keys(output.inputs).some((input) => !input.includes("node_modules") && readsConfig(input)))
    .map((output) => output.entryPoint!);
  return affected.sort();
}

let copy: string;
let synth: { status: number | null; output: string };
let affected: string[];
let candidates: string[];

/**
 * Runs a child process without blocking this worker's event loop (a blocked worker misses
 * vitest's own messages on a busy machine), collecting its output.
 */
function runChild(args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: options.cwd, env: options.env ?? process.env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const status = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      resolve({ status, output: `${stdout}${stderr}${error && typeof error.code !== "number" ? `\n${error.message}` : ""}` });
    });
  });
}

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

/** Edits an environment file of the copy as JSON (the README's changes are edits of one file). */
function editJson(file: string, edit: (json: Record<string, any>) => void): void {
  const full = path.join(copy, file);
  const json = JSON.parse(fs.readFileSync(full, "utf8"));
  edit(json);
  fs.writeFileSync(full, `${JSON.stringify(json, null, 2)}\n`);
}

beforeAll(async () => {
  copy = temporaryDirectory("everyday-changes");
  copyProject(copy);

  // (a) A new environment: the README's JSON block, as the file it names, ids filled in.
  fs.writeFileSync(path.join(copy, CHANGES.environment.file), CHANGES.environment.content);

  // (b) Resize prod: the README's compute bounds, and no atlas.tier (the README says to leave it out).
  editJson("config/prod.json", (prod) => {
    prod.atlas ??= {};
    prod.atlas.autoScaling ??= {};
    prod.atlas.autoScaling.compute = { ...prod.atlas.autoScaling.compute, ...CHANGES.resize };
    delete prod.atlas.tier;
  });

  // (c) The README's index line, first in the `calls` collection's indexes.
  editOnce("src/seed/declared-shape.ts", /(\n\s*name: "calls",[\s\S]*?\n(\s*)indexes: \[\n)/, (match) => `${match}${/\n(\s*)indexes: \[\n$/.exec(match)![1]}  ${CHANGES.index}\n`);

  // (d) The README's alert addresses in prod.
  editJson("config/prod.json", (prod) => {
    prod.monitoring = { ...prod.monitoring, alertEmails: CHANGES.alertEmails };
  });

  synth = await runChild(["scripts/synth.cjs"], { cwd: copy });
  candidates = candidateTests(copy);
  affected = await affectedTests(copy);
}, 180_000);

afterAll(() => fs.rmSync(copy, { recursive: true, force: true }));

function stackJson(stack: string): any {
  return JSON.parse(fs.readFileSync(path.join(copy, "cdktf.out", "stacks", stack, "cdk.tf.json"), "utf8"));
}

describe("the README's four everyday changes, each one file, need no test edit", () => {
  it("are read from the README: a minimal environment file, bounds, an index line, addresses", () => {
    expect(CHANGES.environment.file).toMatch(/^config\/[a-z0-9-]+\.json$/);
    // The README's example is the minimal file: nothing beyond what is required.
    expect(Object.keys(CHANGES.environment.config).sort()).toEqual(["environment", "network", "production"]);
    expect(CHANGES.environment.content).not.toContain("…");
    expect(Object.keys(CHANGES.resize)).toEqual(expect.arrayContaining(["minTier", "maxTier"]));
    expect(CHANGES.index).toMatch(/^\{ name: "[^"]+", key: \{/);
    expect(CHANGES.alertEmails.length).toBeGreaterThan(0);
  });

  it("synthesize: the new environment gets its own stack and names; prod's bounds move; the alert addresses are subscribed", () => {
    expect(synth.status, synth.output).toBe(0);
    const environment = CHANGES.environment.config.environment as string;
    const created = stackJson(`audio-pipeline-${environment}`);
    expect(Object.values(created.resource.mongodbatlas_project).map((project: any) => project.name)).toEqual([`audio-pipeline-${environment}`]);
    const prod = stackJson("audio-pipeline-prod");
    const cluster: any = Object.values(prod.resource.mongodbatlas_advanced_cluster)[0];
    const region = cluster.replication_specs[0].region_configs[0];
    expect([region.auto_scaling.compute_min_instance_size, region.auto_scaling.compute_max_instance_size]).toEqual([CHANGES.resize.minTier, CHANGES.resize.maxTier]);
    expect(region.electable_specs.instance_size).toBe(CHANGES.resize.minTier);
    const subscribed = Object.values(prod.resource.aws_sns_topic_subscription ?? {})
      .filter((subscription: any) => subscription.protocol === "email")
      .map((subscription: any) => subscription.endpoint);
    expect(subscribed.sort()).toEqual([...CHANGES.alertEmails].sort());
    const atlasEmails = JSON.stringify(prod.resource.mongodbatlas_alert_configuration ?? {});
    for (const address of CHANGES.alertEmails) expect(atlasEmails).toContain(address);
  });

  it("the declared shape in the copy holds the README's index", () => {
    const shape = fs.readFileSync(path.join(copy, "src/seed/declared-shape.ts"), "utf8");
    expect(shape).toContain(CHANGES.index);
  });

  it("pass every test file that reads config/ or the declared shape, unchanged", async () => {
    // The selection itself: the tests of each change's rules are in it, the runbooks' included.
    expect(affected).toEqual(
      expect.arrayContaining([
        "__tests__/app/synthesize-app.test.ts",
        "__tests__/seed/declared-shape.test.ts",
        "__tests__/stack/prod-stack.test.ts",
        "__tests__/stack/monitoring.test.ts",
        "__tests__/config/bad-input-catalogue.test.ts",
        "__tests__/runbooks/runbooks.test.ts",
      ]),
    );
    const run = await runChild(["node_modules/vitest/vitest.mjs", "run", "--maxWorkers=1", process.env.CHANGES_REPORTER ?? "--reporter=dot", ...affected], {
      cwd: copy,
      // The copy's real-Terraform and MongoDB tests are not what this checks: no mirror, no server.
      env: { ...process.env, TF_PLUGIN_MIRROR: path.join(copy, "no-mirror"), MONGODB_TEST_URI: "", CI: "true", NO_COLOR: "1", FORCE_COLOR: "0" },
    });
    const output = run.output;
    if (process.env.CHANGES_DEBUG) fs.writeFileSync(process.env.CHANGES_DEBUG, output);
    // On failure, the copy's whole output: which test, which assertion, and what it printed.
    expect(run.status, `${affected.length} of ${candidates.length} test files ran in the copy:\n${output}`).toBe(0);
    expect(output).toMatch(/Tests\s+\d+ passed/);
  }, 300_000);
});
