/*
 * The benchmark's baseline is generated from the real source by a mechanical rewrite of the deep
 * provider imports to root (barrel) imports. These tests keep that rewrite correct; the timings
 * themselves are measured by `npm run bench`, never asserted.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { barrelNamespaces, median, rewriteToBarrelImports } from "../../scripts/bench";

const namespaces = new Map<string, Map<string, string>>();
function namespacesOf(packageName: string): Map<string, string> {
  if (!namespaces.has(packageName)) {
    namespaces.set(packageName, barrelNamespaces(fs.readFileSync(path.join("node_modules", packageName, "lib", "index.d.ts"), "utf8")));
  }
  return namespaces.get(packageName)!;
}

describe("rewriteToBarrelImports", () => {
  it("turns a deep import into the package-root import, binding the same names", () => {
    expect(rewriteToBarrelImports('import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";', namespacesOf)).toBe(
      ['import { vpcEndpoint as aws_vpcEndpoint } from "@cdktf/provider-aws";', "import VpcEndpoint = aws_vpcEndpoint.VpcEndpoint;"].join("\n"),
    );
  });

  it("keeps `as` aliases and type-only names, over several lines", () => {
    const source = [
      "import {",
      "  DatabaseUser as AtlasDatabaseUser,",
      "  type DatabaseUserConfig,",
      '} from "@cdktf/provider-mongodbatlas/lib/database-user";',
    ].join("\n");
    expect(rewriteToBarrelImports(source, namespacesOf)).toBe(
      [
        'import { databaseUser as mongodbatlas_databaseUser } from "@cdktf/provider-mongodbatlas";',
        "import AtlasDatabaseUser = mongodbatlas_databaseUser.DatabaseUser;",
        "import DatabaseUserConfig = mongodbatlas_databaseUser.DatabaseUserConfig;",
      ].join("\n"),
    );
  });

  it("keeps two packages' `provider` namespaces apart", () => {
    const source = ['import { AwsProvider } from "@cdktf/provider-aws/lib/provider";', 'import { RandomProvider } from "@cdktf/provider-random/lib/provider";'].join("\n");
    const rewritten = rewriteToBarrelImports(source, namespacesOf);
    expect(rewritten).toContain('import { provider as aws_provider } from "@cdktf/provider-aws";');
    expect(rewritten).toContain('import { provider as random_provider } from "@cdktf/provider-random";');
  });

  it("leaves other imports alone", () => {
    const source = 'import { App } from "cdktf";\nimport { Construct } from "constructs";';
    expect(rewriteToBarrelImports(source, namespacesOf)).toBe(source);
  });

  it("refuses a lib/ file the package root does not export", () => {
    expect(() => rewriteToBarrelImports('import { X } from "@cdktf/provider-aws/lib/no-such-thing";', namespacesOf)).toThrow(
      "@cdktf/provider-aws's root exports nothing from lib/no-such-thing",
    );
  });

  it("rewrites every deep import of the real source", () => {
    const files = ["main.ts", ...(fs.readdirSync("src", { recursive: true }) as string[]).filter((f) => f.endsWith(".ts")).map((f) => path.join("src", f))];
    const deep = files.filter((file) => /@cdktf\/provider-[\w-]+\/lib\//.test(fs.readFileSync(file, "utf8")));
    expect(deep.length).toBeGreaterThan(0);
    for (const file of deep) {
      expect(rewriteToBarrelImports(fs.readFileSync(file, "utf8"), namespacesOf), file).not.toMatch(/@cdktf\/provider-[\w-]+\/lib\//);
    }
  });
});

describe("median", () => {
  it("is the middle value, or the mean of the two middle values", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});
