import * as fs from "node:fs";
import ts from "typescript";
import { DATABASE_DEFAULTS } from "../../src/modules/database/variables";
import { environmentJsonSchema, generatedBlocks, githubJsonSchema, withBlock } from "../../scripts/generated-docs";

describe("generated documentation", () => {
  it.each(generatedBlocks().map((block) => [`${block.file} (${block.marker})`, block] as const))(
    "%s is up to date (run `npm run docs` after changing the code)",
    (_name, block) => {
      const committed = fs.readFileSync(block.file, "utf8");
      expect(withBlock(committed, block.marker, block.content)).toBe(committed);
    },
  );

  it("config/github.schema.json is up to date", () => {
    expect(fs.readFileSync("config/github.schema.json", "utf8")).toBe(githubJsonSchema());
  });

  it("config/environment.schema.json is up to date", () => {
    expect(fs.readFileSync("config/environment.schema.json", "utf8")).toBe(environmentJsonSchema());
  });
});

describe("module defaults", () => {
  // Each @default literal in variables.ts must be the value DATABASE_DEFAULTS applies.
  const source = ts.createSourceFile(
    "variables.ts",
    fs.readFileSync("src/modules/database/variables.ts", "utf8"),
    ts.ScriptTarget.Latest,
    true,
  );
  const documented: [string, string, unknown][] = [];
  source.forEachChild((node) => {
    if (!ts.isInterfaceDeclaration(node)) return;
    for (const member of node.members.filter(ts.isPropertySignature)) {
      const tag = ts.getJSDocTags(member).find((candidate) => candidate.tagName.text === "default");
      const text = tag ? ts.getTextOfJSDocComment(tag.comment) ?? "" : "";
      if (text && !text.startsWith("-")) documented.push([node.name.text, member.name.getText(source), JSON.parse(text)]);
    }
  });
  // Each interface of variables.ts and the section of DATABASE_DEFAULTS that holds its defaults.
  const sections: Record<string, Record<string, unknown>> = {
    DatabaseModuleProps: DATABASE_DEFAULTS,
    AtlasProps: DATABASE_DEFAULTS.atlas,
    AutoScalingProps: DATABASE_DEFAULTS.atlas.autoScaling,
    ComputeAutoScaling: DATABASE_DEFAULTS.atlas.autoScaling.compute,
    DatabaseProps: DATABASE_DEFAULTS.database,
    ConnectionSecretNames: DATABASE_DEFAULTS.connectionSecret,
    BackupPolicy: DATABASE_DEFAULTS.backup,
    MonitoringProps: DATABASE_DEFAULTS.monitoring,
  };
  const applied = (owner: string, name: string): unknown => sections[owner]?.[name];

  it("are documented for at least every scalar default", () => {
    expect(documented.length).toBeGreaterThanOrEqual(20);
  });

  it.each(documented)("%s.%s documents the default that is applied (%j)", (owner, name, value) => {
    expect(applied(owner, name)).toEqual(value);
  });
});
