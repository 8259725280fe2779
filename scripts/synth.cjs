/*
 * `npm run synth`: the app (main.ts) without the cdktf CLI and without a TypeScript loader.
 * esbuild bundles main.ts and src/ in memory on every run (about 80 ms, so the result can never be
 * stale), and the bundle runs in this process with the project root as its directory. The CLI's
 * behaviour is kept: the same cdktf.out layout and manifest (the app writes them), exit code 1 on a
 * config error or an error annotation. `npx cdktf synth`, `diff` and `deploy` still work
 * (cdktf.json runs main.ts).
 *
 * Plain CommonJS on purpose: this file must start without a compile step.
 */
const path = require("node:path");
const Module = require("node:module");
const esbuild = require("esbuild");

const root = path.resolve(__dirname, "..");
const filename = path.join(root, "main.js");
const { outputFiles } = esbuild.buildSync({
  entryPoints: [path.join(root, "main.ts")],
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  // Dependencies load from node_modules as usual; only the project's own TypeScript is bundled.
  packages: "external",
  write: false,
  outfile: filename,
  logLevel: "error",
});

const app = new Module(filename, module);
app.filename = filename;
app.paths = Module._nodeModulePaths(root);
app._compile(outputFiles[0].text, filename);
