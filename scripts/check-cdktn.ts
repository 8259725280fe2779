/*
 * `npm run check:cdktn`: exit A from deprecated CDK for Terraform, proven. In a temporary copy of
 * the project, cdktf and cdktf-cli are swapped for CDK Terrain (cdktn, cdktn-cli), the copy's own
 * `cdktn synth` writes every stack, and each stack's cdk.tf.json is compared with the one this
 * checkout's cdktf writes: byte-identical, or every difference listed with its reason. An
 * unexplained difference fails. Nothing in this checkout changes. What it took: docs/leaving-cdktf.md.
 *
 * The swap, as the packages allow it:
 * - the project's imports are rewritten from "cdktf" to "cdktn";
 * - constructs goes down to 10.7.x (cdktn 0.24.0 declares the peer `>=10.6.0 <10.8.0`);
 * - the @cdktf/provider-* bindings are reused (the @cdktn ones bind other provider versions, and
 *   there is no @cdktn mongodbatlas binding). They `require("cdktf")`: a two-line local package
 *   named cdktf re-exports cdktn, so they and the app share ONE copy of the library (two copies
 *   would each keep their own token map);
 * - cdktn-cli 0.24.0 needs Node >= 22.19: the Node 22 binary comes from the npm registry as a
 *   package (node-<platform>-<arch>), so no system install is needed.
 *
 * Exit 0 proven, 1 failed, 2 skipped (the npm registry is unreachable: the reason is printed).
 * The last line is always `check:cdktn: passed|failed|skipped ...`; .ci/run reports it.
 * Options: --keep (leave the temporary copy for inspection).
 */
import { execFileSync, spawnSync, type SpawnSyncReturns } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..");

/** What replaces what. Pinned exactly, like every other dependency of this project. */
export const CDKTN = {
  library: { name: "cdktn", version: "0.24.0" },
  cli: { name: "cdktn-cli", version: "0.24.0" },
  /** The newest constructs inside cdktn 0.24.0's declared peer range `>=10.6.0 <10.8.0`. */
  constructs: "10.7.2",
  /** A Node.js >= 22.19 binary, published on npm as node-<platform>-<arch>. */
  node: "22.23.3",
} as const;

/** The tests that build stacks with the library (not the CLI wrappers, not real Terraform): they must pass under cdktn too. */
const CONSTRUCT_TESTS = ["__tests__/stack", "__tests__/policy", "__tests__/hcl", "__tests__/app/synthesize-app.test.ts"];

/** A difference between the cdktf and the cdktn output at one JSON path. */
export interface Difference {
  readonly stack: string;
  readonly path: string;
  readonly cdktf: unknown;
  readonly cdktn: unknown;
  /** Why it differs, when the difference is understood; undefined fails the check. */
  readonly reason?: string;
}

/** Differences that are expected, each with the reason it is harmless. */
const EXPLAINED: readonly { readonly path: RegExp; readonly reason: string }[] = [
  {
    path: /^\/\/\.metadata\.version$/,
    reason: "the library's own version, recorded as metadata in the \"//\" comment block (Terraform ignores it)",
  },
];

/** Every leaf path where two JSON values differ. */
export function jsonDifferences(stack: string, before: unknown, after: unknown, at = ""): Difference[] {
  const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === "object";
  if (isObject(before) && isObject(after) && Array.isArray(before) === Array.isArray(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((key) => jsonDifferences(stack, before[key], after[key], at === "" ? key : `${at}.${key}`));
  }
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  const reason = EXPLAINED.find((explained) => explained.path.test(at))?.reason;
  return [{ stack, path: at, cdktf: before, cdktn: after, ...(reason ? { reason } : {}) }];
}

/** Rewrites the cdktf imports of one TypeScript or JavaScript source to cdktn. */
export function rewriteImports(source: string): string {
  // `from "cdktf"`, `require("cdktf")`, `import("cdktf")`, and createRequire(...)("cdktf/lib/...").
  return source.replace(/(\bfrom\s+|\brequire\(\s*|\bimport\(\s*|\)\(\s*)(["'])cdktf(\/[^"']*)?\2/g, (_match, lead: string, quote: string, rest = "") => `${lead}${quote}cdktn${rest}${quote}`);
}

/** The copy's package.json: cdktn instead of cdktf, its CLI, its constructs range, Node 22. */
export function swappedPackageJson(original: Record<string, any>, nodePackage: string): Record<string, any> {
  const pkg = structuredClone(original);
  delete pkg.dependencies.cdktf;
  delete pkg.devDependencies["cdktf-cli"];
  pkg.dependencies[CDKTN.library.name] = CDKTN.library.version;
  pkg.dependencies.constructs = CDKTN.constructs;
  // The reused @cdktf/provider-* bindings require("cdktf"): this local package hands them cdktn.
  pkg.dependencies.cdktf = "file:./.cdktn-shim/cdktf";
  pkg.devDependencies[CDKTN.cli.name] = CDKTN.cli.version;
  pkg.devDependencies[nodePackage] = CDKTN.node;
  return pkg;
}

function run(command: string, args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd: options.cwd, env: options.env ?? process.env, encoding: "utf8", timeout: options.timeoutMs ?? 600_000, maxBuffer: 64 * 1024 * 1024 });
}

function output(result: SpawnSyncReturns<string>): string {
  return `${result.error ? `${result.error.message}\n` : ""}${result.stdout ?? ""}${result.stderr ?? ""}`.trim();
}

class Skip extends Error {}

/** Stack name -> cdk.tf.json text, for every stack below `<outdir>/stacks`. */
function stackFiles(outdir: string): Map<string, string> {
  const stacks = path.join(outdir, "stacks");
  const files = new Map<string, string>();
  for (const stack of fs.existsSync(stacks) ? fs.readdirSync(stacks).sort() : []) {
    const file = path.join(stacks, stack, "cdk.tf.json");
    if (fs.existsSync(file)) files.set(stack, fs.readFileSync(file, "utf8"));
  }
  return files;
}

/** Copies every file git knows (tracked or new, not ignored), and nothing else. */
function copyProject(target: string): void {
  const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z"], { cwd: ROOT, encoding: "utf8" })
    .split("\0")
    .filter((file) => file !== "" && fs.existsSync(path.join(ROOT, file)));
  for (const file of files) {
    fs.mkdirSync(path.join(target, path.dirname(file)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, file), path.join(target, file));
  }
}

function log(line: string): void {
  console.log(`[check:cdktn] ${line}`);
}

/** Runs `command` without a network where this machine allows it (only loopback exists there). */
function offline(command: string, args: readonly string[]): [string, string[]] {
  const probe = spawnSync("unshare", ["-rn", "true"], { stdio: "ignore" });
  return probe.status === 0 ? ["unshare", ["-rn", command, ...args]] : [command, [...args]];
}

function check(keep: boolean): { differences: Difference[]; stacks: string[]; workspace: string } {
  const registry = run("npm", ["view", `${CDKTN.library.name}@${CDKTN.library.version}`, "version", "--loglevel=error"], { cwd: ROOT, timeoutMs: 60_000 });
  // Only an unreachable registry skips; any other answer (a missing version, say) fails.
  if (registry.status !== 0 && !/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|ECONNRESET|network|timed out/i.test(output(registry))) {
    throw new Error(`npm view ${CDKTN.library.name}@${CDKTN.library.version} failed:\n${output(registry)}`);
  }
  if (registry.status !== 0) throw new Skip(`the npm registry is not reachable: npm view ${CDKTN.library.name}@${CDKTN.library.version} said: ${output(registry).split("\n").slice(0, 3).join(" | ")}`);

  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), "check-cdktn-"));
  const copy = path.join(workspace, "project");
  try {
    // 1. What cdktf writes, from this checkout as it is.
    const reference = path.join(workspace, "cdktf.out");
    const synth = run(process.execPath, ["scripts/synth.cjs"], { cwd: ROOT, env: { ...process.env, CDKTF_OUTDIR: reference } });
    if (synth.status !== 0) throw new Error(`npm run synth failed in this checkout:\n${output(synth)}`);

    // 2. The copy, swapped to cdktn.
    copyProject(copy);
    let rewritten = 0;
    for (const file of execFileSync("git", ["ls-files", "-z", "*.ts", "*.cjs", "*.js", "*.mjs"], { cwd: ROOT, encoding: "utf8" }).split("\0").filter(Boolean)) {
      const target = path.join(copy, file);
      if (!fs.existsSync(target)) continue;
      const before = fs.readFileSync(target, "utf8");
      const after = rewriteImports(before);
      if (after !== before) {
        fs.writeFileSync(target, after);
        rewritten += 1;
      }
    }
    const shim = path.join(copy, ".cdktn-shim", "cdktf");
    fs.mkdirSync(shim, { recursive: true });
    fs.writeFileSync(
      path.join(shim, "package.json"),
      `${JSON.stringify({ name: "cdktf", version: "0.21.0", description: "cdktn under the name the @cdktf/provider-* bindings require", main: "index.js", types: "index.d.ts", peerDependencies: { cdktn: CDKTN.library.version } }, null, 2)}\n`,
    );
    fs.writeFileSync(path.join(shim, "index.js"), 'module.exports = require("cdktn");\n');
    // The bindings' types extend cdktf's classes: the same types, from cdktn.
    fs.writeFileSync(path.join(shim, "index.d.ts"), 'export * from "cdktn";\n');
    const nodePackage = `node-${process.platform}-${process.arch}`;
    const pkg = swappedPackageJson(JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")), nodePackage);
    fs.writeFileSync(path.join(copy, "package.json"), `${JSON.stringify(pkg, null, 2)}\n`);
    log(`copy in ${copy}: ${rewritten} files' imports rewritten to cdktn; installing ${CDKTN.library.name}@${CDKTN.library.version}, ${CDKTN.cli.name}@${CDKTN.cli.version}, constructs@${CDKTN.constructs}, ${nodePackage}@${CDKTN.node}`);
    const started = Date.now();
    const install = run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"], { cwd: copy, env: { ...process.env, CHECKPOINT_DISABLE: "1" } });
    if (install.status !== 0) throw new Error(`npm install in the copy failed:\n${output(install)}`);
    log(`npm install: ${((Date.now() - started) / 1000).toFixed(1)} s`);

    const installed = (name: string) => JSON.parse(fs.readFileSync(path.join(copy, "node_modules", name, "package.json"), "utf8")).version as string;
    if (fs.realpathSync(path.join(copy, "node_modules", "cdktf")) !== fs.realpathSync(shim)) throw new Error("node_modules/cdktf in the copy is not the cdktn shim");
    const nodeBin = path.join(copy, "node_modules", nodePackage, "bin", "node");
    if (!fs.existsSync(nodeBin)) throw new Error(`${nodePackage}@${CDKTN.node} has no bin/node`);
    const nodeVersion = execFileSync(nodeBin, ["--version"], { encoding: "utf8" }).trim();
    log(`installed: cdktn ${installed("cdktn")}, cdktn-cli ${installed("cdktn-cli")}, constructs ${installed("constructs")}, Node ${nodeVersion}; cdktf resolves to the shim over cdktn`);

    // 3. cdktn-cli synthesizes the copy (the app command of cdktf.json), under Node 22, offline.
    const out = path.join(workspace, "cdktn.out");
    const cli = path.join(copy, "node_modules", CDKTN.cli.name, "bundle", "bin", "cdktn.js");
    const [command, args] = offline(nodeBin, [cli, "synth", "--output", out]);
    const env = { ...process.env, PATH: `${path.dirname(nodeBin)}${path.delimiter}${process.env.PATH ?? ""}`, CHECKPOINT_DISABLE: "1", CI: "true", FORCE_COLOR: "0", NO_COLOR: "1" };
    const cdktnSynth = run(command, args, { cwd: copy, env });
    if (cdktnSynth.status !== 0) throw new Error(`cdktn synth failed in the copy (${[command, ...args].join(" ")}):\n${output(cdktnSynth)}`);
    log(`cdktn synth (${command === "unshare" ? "no network: unshare -rn" : "network available"}): ${output(cdktnSynth).split("\n").filter((line) => /Synthesized|stack/i.test(line)).slice(-2).join(" ") || "ok"}`);

    // 4. The whole project type-checks against cdktn's types (the bindings' through the shim).
    const typeCheck = run(nodeBin, ["node_modules/typescript-native/bin/tsc", "--noEmit"], { cwd: copy, env });
    if (typeCheck.status !== 0) throw new Error(`the copy does not type-check against cdktn:\n${output(typeCheck)}`);
    log("type check (tsc --noEmit, src, tests and scripts) against cdktn: no errors");

    // 5. The construct-level tests (stacks, policy rules, reviewer HCL, the app), under Node 22 and cdktn.
    const [testCommand, testArgs] = offline(nodeBin, ["node_modules/vitest/vitest.mjs", "run", "--reporter=dot", ...CONSTRUCT_TESTS]);
    const tests = run(testCommand, testArgs, { cwd: copy, env });
    const summary = output(tests).split("\n").filter((line) => /^\s*(Test Files|Tests)\s/.test(line)).map((line) => line.trim()).join("; ");
    if (tests.status !== 0) throw new Error(`the construct-level tests fail under cdktn (${CONSTRUCT_TESTS.join(" ")}):\n${output(tests)}`);
    log(`construct-level tests under cdktn and Node ${nodeVersion} (${CONSTRUCT_TESTS.join(" ")}): ${summary}`);

    // 6. Compare every stack.
    const before = stackFiles(reference);
    const after = stackFiles(out);
    const stacks = [...new Set([...before.keys(), ...after.keys()])].sort();
    if (stacks.length === 0) throw new Error("no stack was synthesized");
    const differences: Difference[] = [];
    for (const stack of stacks) {
      const a = before.get(stack);
      const b = after.get(stack);
      if (a === undefined || b === undefined) {
        differences.push({ stack, path: "(the whole stack)", cdktf: a === undefined ? "missing" : "present", cdktn: b === undefined ? "missing" : "present" });
        continue;
      }
      if (a === b) {
        log(`${stack}: cdk.tf.json byte-identical (${a.length} bytes)`);
        continue;
      }
      const found = jsonDifferences(stack, JSON.parse(a), JSON.parse(b));
      if (found.length === 0) found.push({ stack, path: "(formatting)", cdktf: `${a.length} bytes`, cdktn: `${b.length} bytes` });
      for (const difference of found) {
        log(`${stack}: ${difference.path}: cdktf ${JSON.stringify(difference.cdktf)}, cdktn ${JSON.stringify(difference.cdktn)}: ${difference.reason ?? "UNEXPLAINED"}`);
      }
      differences.push(...found);
    }
    return { differences, stacks, workspace };
  } finally {
    if (!keep) fs.rmSync(workspace, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const keep = process.argv.includes("--keep");
  try {
    const { differences, stacks } = check(keep);
    const unexplained = differences.filter((difference) => difference.reason === undefined);
    const explained = differences.length - unexplained.length;
    if (unexplained.length > 0) {
      console.log(`check:cdktn: failed: ${unexplained.length} unexplained difference(s) between cdktf and cdktn output in ${[...new Set(unexplained.map((d) => d.stack))].join(", ")}`);
      process.exit(1);
    }
    const identical = stacks.length - new Set(differences.map((difference) => difference.stack)).size;
    const reasons = [...new Set(differences.map((difference) => `${difference.path} (${difference.reason})`))];
    console.log(
      `check:cdktn: passed: ${stacks.length} stack(s) under cdktn ${CDKTN.library.version}: ${identical} byte-identical, ${stacks.length - identical} identical but for ${explained} explained difference(s)${reasons.length ? `: ${reasons.join("; ")}` : ""}`,
    );
  } catch (error) {
    if (error instanceof Skip) {
      console.log(`check:cdktn: skipped: ${error.message}`);
      process.exit(2);
    }
    console.log(error instanceof Error ? error.message : String(error));
    console.log("check:cdktn: failed: see above");
    process.exit(1);
  }
}
