import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/*
 * `npm run bench [-- --reps N] [--skip-synth] [--skip-baseline] [--skip-test] [--skip-files] [--files <part of a path>]`:
 * how fast and lean synth and the tests are, measured.
 *
 * 1. The main command against its floor, both launched the same way, alternating: `npm run synth`
 *    (every stack, output to a temp dir through CDKTF_OUTDIR) and `npm run bench:floor`, an npm
 *    script that only loads cdktf. Target: synth at most 2x the floor.
 * 2. The app against a baseline written the way `cdktf init` writes apps: the same code with every
 *    deep import rewritten to the provider package's root (barrel), run as the template runs it,
 *    `npx ts-node main.ts` (type checking on). Generated from the real source at bench time, in a
 *    temp dir; it must write byte-identical cdk.tf.json, or nothing is compared.
 * 3. `npm test` once: wall and CPU seconds (user + system, GNU time), against 45 s and 90 CPU-s,
 *    and each file's wall time in that run (vitest's JSON report).
 * 4. The cost of each test file: vitest on that file alone, less vitest's own start, most
 *    expensive first (`--files <part of a path>` measures only matching files).
 * Prints each run as it finishes, then medians of wall time and peak RSS (GNU time), ratios and
 * targets. Cold: nothing is cached between runs (synth bundles afresh each time). Measures only:
 * no test asserts a timing.
 */

const ROOT = path.resolve(__dirname, "..");
const TIME = "/usr/bin/time";

/** Targets from the delivery issue. */
const TARGET_SPEEDUP = 5;
const TARGET_MEMORY_FRACTION = 1 / 3;
const TARGET_TEST_SECONDS = 45;
const TARGET_FLOOR_RATIO = 2;

// ---------------------------------------------------------------------------------------------
// The baseline: deep provider imports rewritten to barrel imports.

/** Namespace names a provider package's root exports, by lib/ file: "vpc-endpoint" -> "vpcEndpoint". */
export function barrelNamespaces(indexDts: string): Map<string, string> {
  const names = new Map<string, string>();
  for (const [, name, file] of indexDts.matchAll(/export \* as (\w+) from '\.\/([\w-]+)';/g)) names.set(file, name);
  return names;
}

const DEEP_IMPORT = /import\s+(type\s+)?\{([^}]*)\}\s+from\s+"(@cdktf\/provider-([\w-]+))\/lib\/([\w-]+)";/g;

/**
 * Rewrites `import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";` into
 * `import { vpcEndpoint as aws_vpcEndpoint } from "@cdktf/provider-aws";` plus
 * `import VpcEndpoint = aws_vpcEndpoint.VpcEndpoint;`: the root (barrel) import of the cdktf init
 * template, with every name the code uses bound as before (value and type), so nothing else in the
 * file changes. The namespace is prefixed with the package so two packages' `provider` cannot clash.
 */
export function rewriteToBarrelImports(source: string, namespacesOf: (packageName: string) => Map<string, string>): string {
  return source.replace(DEEP_IMPORT, (_whole, _typeOnly: string | undefined, specifiers: string, packageName: string, short: string, file: string) => {
    const namespace = namespacesOf(packageName).get(file);
    if (!namespace) throw new Error(`${packageName}'s root exports nothing from lib/${file}`);
    const local = `${short.replace(/-/g, "_")}_${namespace}`;
    const bindings = specifiers
      .split(",")
      .map((specifier) => specifier.trim())
      .filter(Boolean)
      .map((specifier) => {
        const [, name, alias] = /^(?:type\s+)?(\w+)(?:\s+as\s+(\w+))?$/.exec(specifier) ?? [];
        if (!name) throw new Error(`cannot rewrite import specifier "${specifier}"`);
        return `import ${alias ?? name} = ${local}.${name};`;
      });
    return [`import { ${namespace} as ${local} } from "${packageName}";`, ...bindings].join("\n");
  });
}

function typescriptFiles(directory: string): string[] {
  return (fs.readdirSync(directory, { recursive: true }) as string[]).filter((file) => file.endsWith(".ts")).map((file) => path.join(directory, file));
}

/** Copies main.ts, src/, config/, tsconfig.json and package.json into `directory`, with barrel imports. */
export function writeBaseline(directory: string, root: string = ROOT): void {
  fs.mkdirSync(directory, { recursive: true });
  for (const entry of ["main.ts", "src", "config", "tsconfig.json", "package.json"]) {
    fs.cpSync(path.join(root, entry), path.join(directory, entry), { recursive: true });
  }
  fs.symlinkSync(path.join(root, "node_modules"), path.join(directory, "node_modules"), "dir");

  const cache = new Map<string, Map<string, string>>();
  const namespacesOf = (packageName: string) => {
    if (!cache.has(packageName)) {
      cache.set(packageName, barrelNamespaces(fs.readFileSync(path.join(root, "node_modules", packageName, "lib", "index.d.ts"), "utf8")));
    }
    return cache.get(packageName)!;
  };
  for (const file of [path.join(directory, "main.ts"), ...typescriptFiles(path.join(directory, "src"))]) {
    const source = fs.readFileSync(file, "utf8");
    const rewritten = rewriteToBarrelImports(source, namespacesOf);
    if (/@cdktf\/provider-[\w-]+\/lib\//.test(rewritten)) throw new Error(`${file}: a deep provider import was left unrewritten`);
    fs.writeFileSync(file, rewritten);
  }
}

// ---------------------------------------------------------------------------------------------
// Measuring

interface Sample {
  readonly seconds: number;
  /** Peak resident set size in MiB (GNU time's %M), or undefined without GNU time. */
  readonly peakMiB?: number;
}

interface Variant {
  readonly label: string;
  readonly command: readonly string[];
  readonly cwd: string;
  readonly samples: Sample[];
}

const hasGnuTime = fs.existsSync(TIME);

function run(variant: Variant, outdir: string, scratch: string): Sample {
  const timeFile = path.join(scratch, "time.txt");
  const argv = hasGnuTime ? [TIME, "-f", "%M", "-o", timeFile, ...variant.command] : [...variant.command];
  const started = process.hrtime.bigint();
  const result = spawnSync(argv[0], argv.slice(1), {
    cwd: variant.cwd,
    encoding: "utf8",
    env: { ...process.env, CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: "1" },
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) {
    throw new Error(`${variant.label} failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
  }
  const peakKiB = hasGnuTime ? Number(fs.readFileSync(timeFile, "utf8").trim().split("\n").pop()) : NaN;
  return { seconds, peakMiB: Number.isFinite(peakKiB) ? peakKiB / 1024 : undefined };
}

/** Stack names whose cdk.tf.json differs between two output directories (or exists in one only). */
function differingStacks(left: string, right: string): string[] {
  const stacks = (dir: string) => (fs.existsSync(path.join(dir, "stacks")) ? fs.readdirSync(path.join(dir, "stacks")) : []);
  const names = [...new Set([...stacks(left), ...stacks(right)])].sort();
  if (names.length === 0) return ["(no stacks synthesized)"];
  return names.filter((name) => {
    const a = path.join(left, "stacks", name, "cdk.tf.json");
    const b = path.join(right, "stacks", name, "cdk.tf.json");
    return !fs.existsSync(a) || !fs.existsSync(b) || !fs.readFileSync(a).equals(fs.readFileSync(b));
  });
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const seconds = (value: number) => `${value.toFixed(2)} s`;
const mebibytes = (value: number | undefined) => (value === undefined ? "n/a" : `${Math.round(value)} MiB`);
const verdict = (met: boolean) => (met ? "met" : "NOT met");

function machineLine(): string {
  const cpus = os.cpus();
  return [
    `${os.availableParallelism()} CPUs (nproc)${cpus[0] ? `, ${cpus[0].model.trim()}` : ""}`,
    `${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB RAM`,
    `Node ${process.version}`,
    `${os.type()} ${os.release()}`,
  ].join("; ");
}

/** Wall and CPU seconds (user + system, children included) of one command, by GNU time; CPU is NaN without it. */
function timed(command: readonly string[], options: { cwd: string; log: string; env?: NodeJS.ProcessEnv }): { status: number | null; wall: number; cpu: number } {
  const timeFile = `${options.log}.time`;
  const argv = hasGnuTime ? [TIME, "-f", "%e %U %S", "-o", timeFile, ...command] : [...command];
  const started = process.hrtime.bigint();
  const out = fs.openSync(options.log, "w");
  const result = spawnSync(argv[0], argv.slice(1), { cwd: options.cwd, stdio: ["ignore", out, out], env: options.env ?? process.env });
  fs.closeSync(out);
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  let cpu = NaN;
  if (hasGnuTime && fs.existsSync(timeFile)) {
    const [, user, system] = fs.readFileSync(timeFile, "utf8").trim().split("\n").pop()!.split(" ").map(Number);
    cpu = user + system;
    fs.rmSync(timeFile, { force: true });
  }
  return { status: result.status, wall, cpu };
}

const TARGET_TEST_CPU_SECONDS = 90;

/** The vitest JSON report of the last run: counts, and each file's wall time in the shared run. */
function vitestReport(): { counts: string; files: Map<string, number> } {
  const report = path.join(ROOT, ".tmp", "vitest-report.json");
  if (!fs.existsSync(report)) return { counts: "", files: new Map() };
  const r = JSON.parse(fs.readFileSync(report, "utf8")) as {
    numPassedTests: number;
    numFailedTests: number;
    numPendingTests: number;
    numTodoTests: number;
    testResults: { name: string; startTime: number; endTime: number }[];
  };
  const files = new Map(r.testResults.map((file) => [path.relative(ROOT, file.name), (file.endTime - file.startTime) / 1000]));
  return { counts: `; ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`, files };
}

function measureNpmTest(): Map<string, number> {
  const log = path.join(ROOT, ".tmp", "bench-npm-test.log");
  fs.mkdirSync(path.dirname(log), { recursive: true });
  const { status, wall, cpu } = timed(["npm", "test"], { cwd: ROOT, log });
  const { counts, files } = vitestReport();
  console.log(
    `npm test: ${seconds(wall)} wall, ${Number.isNaN(cpu) ? "CPU not measured (no GNU time)" : `${seconds(cpu)} CPU (user + sys)`}, exit ${status}${counts}`,
  );
  console.log(`  targets on a 2-core machine: wall <= ${TARGET_TEST_SECONDS} s: ${verdict(wall <= TARGET_TEST_SECONDS)}; CPU <= ${TARGET_TEST_CPU_SECONDS} s: ${Number.isNaN(cpu) ? "n/a" : verdict(cpu <= TARGET_TEST_CPU_SECONDS)}`);
  console.log(`  (on a machine shared with other work, CPU seconds are the comparable number: wall time grows with the load, CPU time hardly)`);
  if (status !== 0) console.log(`  npm test failed; its output is in ${path.relative(ROOT, log)}`);
  return files;
}

/** Every test file vitest runs (its include pattern: __tests__/**\/*.test.ts). */
function testFiles(filter?: string): string[] {
  return (fs.readdirSync(path.join(ROOT, "__tests__"), { recursive: true }) as string[])
    .filter((file) => file.endsWith(".test.ts"))
    .map((file) => path.join("__tests__", file))
    .filter((file) => !filter || file.includes(filter))
    .sort();
}

/**
 * The cost of each test file: vitest run on that file alone, less vitest's own start (a run with
 * no test file). Alone, a file also pays for loading what the full run loads once per worker
 * (cdktf, the provider bindings), so the sum is more than npm test costs; the order is what tells
 * where the time goes, and a new suite shows its own line.
 */
function measureEachFile(sharedWall: Map<string, number>, filter: string | undefined, scratch: string): void {
  const files = testFiles(filter);
  console.log(`4. The cost of each test file, alone (${files.length} files; vitest's own start subtracted)...`);
  const vitest = ["node", "node_modules/vitest/vitest.mjs", "run", "--reporter=dot", "--outputFile.json=" + path.join(scratch, "report.json")];
  const log = path.join(scratch, "file.log");
  const empty = timed([...vitest, "--passWithNoTests", "__tests__/no-such-file-for-the-bench"], { cwd: ROOT, log });
  console.log(`  vitest's own start (no test file): ${seconds(empty.wall)} wall, ${Number.isNaN(empty.cpu) ? "n/a" : seconds(empty.cpu)} CPU`);
  const rows: { file: string; wall: number; cpu: number; status: number | null; shared?: number }[] = [];
  for (const file of files) {
    const result = timed([...vitest, file], { cwd: ROOT, log });
    rows.push({ file, wall: Math.max(0, result.wall - empty.wall), cpu: Math.max(0, result.cpu - empty.cpu), status: result.status, shared: sharedWall.get(file) });
    console.log(`  ${file}: ${seconds(Math.max(0, result.cpu - empty.cpu))} CPU${result.status === 0 ? "" : " (FAILED)"}`);
  }
  rows.sort((a, b) => (Number.isNaN(a.cpu) ? b.wall - a.wall : b.cpu - a.cpu));
  const width = Math.max(...rows.map((row) => row.file.length));
  console.log(`\n  ${"test file".padEnd(width)}  CPU alone  wall alone  wall in npm test`);
  for (const row of rows) {
    const shared = row.shared === undefined ? "-" : seconds(row.shared);
    console.log(`  ${row.file.padEnd(width)}  ${(Number.isNaN(row.cpu) ? "n/a" : seconds(row.cpu)).padStart(9)}  ${seconds(row.wall).padStart(10)}  ${shared.padStart(16)}`);
  }
  const total = rows.reduce((sum, row) => sum + (Number.isNaN(row.cpu) ? 0 : row.cpu), 0);
  console.log(`  sum of the files alone: ${seconds(total)} CPU (each pays its own module loading; npm test shares it per worker)`);
}

interface Summary {
  readonly variant: Variant;
  readonly wall: number;
  readonly min: number;
  readonly max: number;
  readonly peak?: number;
}

/** Runs each variant `reps` times, alternating (and alternating who goes first), printing each run. */
function measurePairs(variants: readonly [Variant, Variant], reps: number, scratch: string): [Summary, Summary] {
  for (let i = 0; i < reps; i++) {
    // Alternate which goes first, so a drift in machine load does not favour one side.
    const pair = i % 2 === 0 ? variants : [variants[1], variants[0]];
    const line: string[] = [];
    for (const variant of pair) {
      const outdir = path.join(scratch, `out-${i}-${variants.indexOf(variant)}`);
      const sample = run(variant, outdir, scratch);
      variant.samples.push(sample);
      line.push(`${variant.label.split(":")[0].replace("npm run ", "")} ${seconds(sample.seconds)}`);
      fs.rmSync(outdir, { recursive: true, force: true });
    }
    console.log(`  run ${i + 1}/${reps}: ${line.join(", ")}`);
  }
  const summary = variants.map((variant) => {
    const walls = variant.samples.map((sample) => sample.seconds);
    const peaks = variant.samples.map((sample) => sample.peakMiB).filter((value): value is number => value !== undefined);
    return { variant, wall: median(walls), min: Math.min(...walls), max: Math.max(...walls), peak: peaks.length ? median(peaks) : undefined };
  });
  const width = Math.max(...summary.map(({ variant }) => variant.label.length));
  console.log(`  ${"".padEnd(width)}  median wall  (min-max)          median peak RSS`);
  for (const { variant, wall, min, max, peak } of summary) {
    console.log(`  ${variant.label.padEnd(width)}  ${seconds(wall).padStart(9)}  (${seconds(min)}-${seconds(max)})  ${mebibytes(peak).padStart(9)}`);
  }
  return summary as [Summary, Summary];
}

function compareWithFloor(reps: number, scratch: string): void {
  const synth: Variant = { label: "npm run synth: every stack", command: ["npm", "run", "--silent", "synth"], cwd: ROOT, samples: [] };
  const floor: Variant = { label: "npm run bench:floor: only require(\"cdktf\")", command: ["npm", "run", "--silent", "bench:floor"], cwd: ROOT, samples: [] };
  console.log(`1. npm run synth against its floor: ${reps} alternating pairs after one warm-up each...`);
  run(synth, path.join(scratch, "warm-synth"), scratch);
  run(floor, path.join(scratch, "warm-floor"), scratch);
  const [mine, theirs] = measurePairs([synth, floor], reps, scratch);
  const ratio = mine.wall / theirs.wall;
  console.log(`  ratio: synth takes ${ratio.toFixed(2)}x the floor (target <= ${TARGET_FLOOR_RATIO}x: ${verdict(ratio <= TARGET_FLOOR_RATIO)})`);
}

function compareWithCdktfInit(reps: number, scratch: string): boolean {
  const baselineDir = path.join(scratch, "baseline");
  writeBaseline(baselineDir);
  const project: Variant = { label: "this project: node scripts/synth.cjs (deep imports)", command: ["node", "scripts/synth.cjs"], cwd: ROOT, samples: [] };
  const baseline: Variant = { label: "cdktf init style: npx ts-node main.ts (barrel imports)", command: ["npx", "ts-node", "main.ts"], cwd: baselineDir, samples: [] };
  console.log(`2. The app against a cdktf-init-style baseline: ${reps} alternating pairs after one warm-up each...`);
  const warm = [path.join(scratch, "warm-project"), path.join(scratch, "warm-baseline")];
  run(project, warm[0], scratch);
  run(baseline, warm[1], scratch);
  const differing = differingStacks(warm[0], warm[1]);
  if (differing.length > 0) {
    console.error(`The baseline's cdk.tf.json differs from the project's for ${differing.join(", ")}: the comparison would be meaningless.`);
    return false;
  }
  console.log(`  both write byte-identical cdk.tf.json for ${fs.readdirSync(path.join(warm[0], "stacks")).sort().join(", ")}`);
  const [mine, theirs] = measurePairs([project, baseline], reps, scratch);
  const speedup = theirs.wall / mine.wall;
  console.log(`  speed: ${speedup.toFixed(1)}x faster (target >= ${TARGET_SPEEDUP}x: ${verdict(speedup >= TARGET_SPEEDUP)})`);
  if (mine.peak !== undefined && theirs.peak !== undefined) {
    const fraction = mine.peak / theirs.peak;
    console.log(`  memory: ${fraction.toFixed(2)} of the baseline's peak RSS, ${(1 / fraction).toFixed(1)}x less (target <= 1/3: ${verdict(fraction <= TARGET_MEMORY_FRACTION)})`);
  } else {
    console.log("  memory: not measured (no GNU time)");
  }
  return true;
}

function main(argv: readonly string[]): number {
  const repsIndex = argv.indexOf("--reps");
  const reps = repsIndex >= 0 ? Number(argv[repsIndex + 1]) : 5;
  if (!Number.isInteger(reps) || reps < 1) {
    console.error("usage: npm run bench [-- --reps N] [--skip-synth] [--skip-baseline] [--skip-test] [--skip-files] [--files <part of a path>]");
    return 1;
  }
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "audio-pipeline-bench-"));
  try {
    console.log(`Machine: ${machineLine()}`);
    if (!hasGnuTime) console.log(`${TIME} not found: peak RSS is not measured (install GNU time: apt-get install time).`);
    if (!argv.includes("--skip-synth")) compareWithFloor(reps, scratch);
    if (!argv.includes("--skip-synth") && !argv.includes("--skip-baseline") && !compareWithCdktfInit(reps, scratch)) return 1;
    let sharedWall = new Map<string, number>();
    if (!argv.includes("--skip-test")) {
      console.log("3. npm test, once...");
      sharedWall = measureNpmTest();
    }
    if (!argv.includes("--skip-files")) {
      const filterIndex = argv.indexOf("--files");
      measureEachFile(sharedWall, filterIndex >= 0 ? argv[filterIndex + 1] : undefined, scratch);
    }
    return 0;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
