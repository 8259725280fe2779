/*
 * `npm run synth`: the app (main.ts) without the cdktf CLI and without a TypeScript loader.
 *
 * The app is compiled to one JavaScript bundle by esbuild when `npm ci` runs (the `prepare`
 * script: `node scripts/synth.cjs --build-only`) and again whenever any of its inputs changed since
 * (each input's size and modification time are recorded beside the bundle), so the JavaScript that
 * runs is never stale. The bundle runs in this process with the project root as its directory.
 * The CLI's behaviour is kept: the same cdktf.out layout and manifest (the app writes them), exit
 * code 1 on a config error or an error annotation. `npx cdktf synth`, `diff` and `deploy` run this
 * file too (cdktf.json).
 *
 * Plain CommonJS on purpose: this file must start without a compile step.
 */
const fs = require("node:fs");
const path = require("node:path");
const Module = require("node:module");

const root = path.resolve(__dirname, "..");
// One bundle per checkout: a copy of the project that shares node_modules (a test's temporary
// copy) keeps its own.
const checkout = require("node:crypto").createHash("sha256").update(root).digest("hex").slice(0, 12);
const cacheDir = path.join(root, "node_modules", ".cache", "audio-pipeline-synth", checkout);
const bundleFile = path.join(cacheDir, "main.js");
const inputsFile = path.join(cacheDir, "inputs.json");

/** Size and modification time of a project file: what says it changed. */
function stamp(file) {
  const stat = fs.statSync(path.join(root, file));
  return { file, size: stat.size, mtimeMs: stat.mtimeMs };
}

function isFresh() {
  try {
    const inputs = JSON.parse(fs.readFileSync(inputsFile, "utf8"));
    return (
      fs.existsSync(bundleFile) &&
      inputs.every((input) => {
        const now = stamp(input.file);
        return now.size === input.size && now.mtimeMs === input.mtimeMs;
      })
    );
  } catch {
    return false;
  }
}

/** Removes the bundles of checkouts that no longer exist (temporary copies made by tests). */
function pruneOtherCheckouts() {
  const parent = path.dirname(cacheDir);
  for (const entry of fs.existsSync(parent) ? fs.readdirSync(parent) : []) {
    const rootFile = path.join(parent, entry, "root");
    const owner = fs.existsSync(rootFile) ? fs.readFileSync(rootFile, "utf8") : undefined;
    if (owner === undefined || !fs.existsSync(owner)) fs.rmSync(path.join(parent, entry), { recursive: true, force: true });
  }
}

function build() {
  // Loaded only when a build is needed: esbuild starts a helper process.
  const esbuild = require("esbuild");
  const result = esbuild.buildSync({
    absWorkingDir: root,
    entryPoints: ["main.ts"],
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    // Dependencies load from node_modules as usual; only the project's own TypeScript is bundled.
    packages: "external",
    write: false,
    metafile: true,
    outfile: bundleFile,
    logLevel: "error",
  });
  fs.mkdirSync(cacheDir, { recursive: true });
  // Written under temporary names and renamed, so a concurrent run never reads half a bundle.
  const suffix = `.${process.pid}.tmp`;
  fs.writeFileSync(bundleFile + suffix, result.outputFiles[0].text);
  // This file is an input too: a change of the build options must rebuild.
  const inputs = [...Object.keys(result.metafile.inputs), path.relative(root, __filename)];
  fs.writeFileSync(inputsFile + suffix, JSON.stringify(inputs.map(stamp)));
  fs.writeFileSync(path.join(cacheDir, "root"), root);
  fs.renameSync(bundleFile + suffix, bundleFile);
  fs.renameSync(inputsFile + suffix, inputsFile);
}

if (!isFresh()) {
  build();
  pruneOtherCheckouts();
}
if (!process.argv.includes("--build-only")) {
  const filename = path.join(root, "main.js");
  const app = new Module(filename, module);
  app.filename = filename;
  app.paths = Module._nodeModulePaths(root);
  app._compile(fs.readFileSync(bundleFile, "utf8"), filename);
}
