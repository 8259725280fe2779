/*
 * The shape of the code: no import runs back up a layer (src/config must not reach for
 * src/stacks, src/ never for .github/), and no two files import each other. Read with
 * TypeScript's own import scanner, type-only imports included: a circle of types is still a
 * circle a reader has to untangle.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import ts from "typescript";

/** The layers, lowest first: a file may import its own layer and those below it, never one above. */
const LAYERS: readonly (readonly string[])[] = [
  ["src/atlas", "src/network", "src/terraform", "src/atlas-api"],
  ["src/policy"],
  ["src/modules"],
  ["src/config"],
  ["src/environment"],
  ["src/seed", "src/hcl", "src/bootstrap", "src/github"],
  ["src/stacks", "src/drill"],
  ["src/app.ts", "src/doctor"],
  [".github/scripts", "main.ts"],
];

const ROOTS = ["src", ".github/scripts", "main.ts"];

function sourceFiles(entry: string): string[] {
  if (!fs.statSync(entry).isDirectory()) return entry.endsWith(".ts") ? [entry] : [];
  return fs
    .readdirSync(entry, { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".ts"))
    .map((file) => path.join(entry, file).split(path.sep).join("/"));
}

/** The project files `file` imports (relative specifiers only; packages are not layers). */
function importsOf(file: string, text = fs.readFileSync(file, "utf8")): string[] {
  return ts
    .preProcessFile(text, true, true)
    .importedFiles.map(({ fileName }) => fileName)
    .filter((specifier) => specifier.startsWith("."))
    .map((specifier) => {
      const base = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
      return [`${base}.ts`, `${base}/index.ts`, base].find((candidate) => fs.existsSync(candidate) && fs.statSync(candidate).isFile()) ?? `${base}.ts`;
    });
}

function layerOf(file: string): number {
  const index = LAYERS.findIndex((layer) => layer.some((prefix) => file === prefix || file.startsWith(`${prefix}/`)));
  if (index < 0) throw new Error(`${file} is in no layer: add its folder to LAYERS`);
  return index;
}

/** `importer -> imported` for every import that runs up a layer. */
function upwardImports(graph: ReadonlyMap<string, readonly string[]>): string[] {
  return [...graph].flatMap(([file, imported]) => imported.filter((target) => graph.has(target) && layerOf(target) > layerOf(file)).map((target) => `${file} -> ${target}`));
}

/** `a <-> b` for every two files that import each other. */
function twoFileCircles(graph: ReadonlyMap<string, readonly string[]>): string[] {
  return [...graph].flatMap(([file, imported]) => imported.filter((target) => target > file && (graph.get(target) ?? []).includes(file)).map((target) => `${file} <-> ${target}`));
}

const graph = new Map(ROOTS.flatMap(sourceFiles).map((file) => [file, importsOf(file)] as const));

describe("import structure of src/ and .github/scripts", () => {
  it("reads every file of both", () => {
    expect([...graph.keys()].filter((file) => file.startsWith("src/environment/")).length).toBeGreaterThan(0);
    expect([...graph.keys()].filter((file) => file.startsWith(".github/scripts/workflows/")).length).toBeGreaterThan(0);
  });

  it("has no import that runs up a layer (src/config -> src/stacks, src/ -> .github/, ...)", () => {
    expect(upwardImports(graph)).toEqual([]);
  });

  it("has no two files that import each other", () => {
    expect(twoFileCircles(graph)).toEqual([]);
  });

  it("finds an upward import and a two-file circle when there is one", () => {
    const broken = new Map(graph);
    broken.set("src/config/fields.ts", [...(graph.get("src/config/fields.ts") ?? []), "src/environment/names.ts"]);
    broken.set("src/environment/names.ts", [...(graph.get("src/environment/names.ts") ?? []), "src/config/fields.ts"]);
    expect(upwardImports(broken)).toContain("src/config/fields.ts -> src/environment/names.ts");
    expect(twoFileCircles(broken)).toContain("src/config/fields.ts <-> src/environment/names.ts");
    expect(importsOf("src/config/x.ts", 'import type { A } from "../stacks/database-stack";\nexport { B } from "./fields";')).toEqual([
      "src/stacks/database-stack.ts",
      "src/config/fields.ts",
    ]);
  });
});
