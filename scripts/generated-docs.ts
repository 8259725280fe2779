import * as fs from "node:fs";
import ts from "typescript";
import { Testing } from "cdktf";
import { z } from "zod";
import { environmentSchema } from "../src/config/environment-schema";
import { githubSettingsSchema } from "../src/github/settings-schema";
import { resolveEnvironmentText } from "../src/environment/resolve";
import { DatabaseStack } from "../src/stacks/database-stack";

/*
 * Documentation generated from the code, so it cannot drift: the environment-file schema
 * table and JSON schema (from the zod schema), and the module's inputs (from the JSDoc of
 * variables.ts) and outputs (from a synthesized stack). `npm run docs` rewrites the files;
 * a test fails when a committed copy is stale.
 */

type AnySchema = z.core.$ZodType;

/** One generated block: the file, its marker name, and the content between the markers. */
export interface GeneratedBlock {
  readonly file: string;
  readonly marker: string;
  readonly content: string;
}

const escapeCell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

function describeField(schema: AnySchema): { description: string; defaultValue?: unknown; optional: boolean } {
  let node: AnySchema | undefined = schema;
  let description: string | undefined;
  let defaultValue: unknown;
  let optional = false;
  while (node) {
    description ??= z.globalRegistry.get(node)?.description;
    const def = node._zod.def as { type: string; innerType?: AnySchema; defaultValue?: unknown };
    if (def.type === "default") defaultValue = def.defaultValue;
    if (def.type === "optional" || def.type === "default" || def.type === "prefault") optional = true;
    node = def.innerType;
  }
  return { description: description ?? "", defaultValue, optional };
}

function objectShape(schema: AnySchema): Record<string, AnySchema> | undefined {
  let node: AnySchema | undefined = schema;
  while (node) {
    const def = node._zod.def as { type: string; innerType?: AnySchema; shape?: Record<string, AnySchema> };
    if (def.type === "object") return def.shape;
    node = def.innerType;
  }
  return undefined;
}

/** Markdown table of every field of an environment file. */
export function configSchemaTable(): string {
  const rows: string[] = [];
  const walk = (shape: Record<string, AnySchema>, prefix: string) => {
    for (const [key, schema] of Object.entries(shape)) {
      const fieldPath = `${prefix}${key}`;
      const { description, defaultValue, optional } = describeField(schema);
      const shown = defaultValue === undefined ? (optional ? "optional" : "**required**") : `\`${JSON.stringify(defaultValue)}\``;
      rows.push(`| \`${fieldPath}\` | ${escapeCell(description)} | ${shown} |`);
      const inner = objectShape(schema);
      if (inner) walk(inner, `${fieldPath}.`);
    }
  };
  walk(objectShape(environmentSchema) ?? {}, "");
  return ["| field | allowed | default |", "|---|---|---|", ...rows].join("\n");
}

/** The JSON schema editors use through each file's `$schema`. */
export function environmentJsonSchema(): string {
  return `${JSON.stringify(z.toJSONSchema(environmentSchema, { io: "input" }), null, 2)}\n`;
}

/** Markdown tables of the module's inputs, read from the JSDoc in variables.ts. */
/** The JSON schema of config/github.json (editors validate the file with it). */
export function githubJsonSchema(): string {
  return `${JSON.stringify(z.toJSONSchema(githubSettingsSchema, { io: "input" }), null, 2)}\n`;
}

export function moduleInputsTables(): string {
  const file = "src/modules/database/variables.ts";
  const source = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const tables: string[] = [];
  source.forEachChild((node) => {
    if (!ts.isInterfaceDeclaration(node)) return;
    const rows = node.members.filter(ts.isPropertySignature).map((member) => {
      const docs = ts.getJSDocCommentsAndTags(member).filter(ts.isJSDoc);
      const text = docs.map((doc) => ts.getTextOfJSDocComment(doc.comment) ?? "").join(" ").trim();
      const defaultTag = ts.getJSDocTags(member).find((tag) => tag.tagName.text === "default");
      const defaultText = defaultTag ? ts.getTextOfJSDocComment(defaultTag.comment) ?? "" : "";
      const required = member.questionToken ? (defaultText ? `\`${defaultText}\`` : "optional") : "**required**";
      return `| \`${member.name.getText(source)}\` | \`${escapeCell(member.type?.getText(source) ?? "")}\` | ${required} | ${escapeCell(text)} |`;
    });
    tables.push([`**${node.name.text}**`, "", "| input | type | default | description |", "|---|---|---|---|", ...rows].join("\n"));
  });
  return tables.join("\n\n");
}

/** Markdown table of the module's outputs, read from a synthesized stack. */
export function moduleOutputsTable(): string {
  const text = fs.readFileSync("config/dev.json", "utf8");
  const { config } = resolveEnvironmentText(text, "dev");
  if (!config) throw new Error("config/dev.json must be valid to document the outputs");
  const stack = new DatabaseStack(Testing.app(), { config, configFile: "config/dev.json" });
  const outputs = JSON.parse(Testing.synth(stack)).output as Record<string, { description: string }>;
  const rows = Object.entries(outputs).map(([name, output]) => `| \`${name}\` | ${escapeCell(output.description)} |`);
  return ["| output | description |", "|---|---|", ...rows].join("\n");
}

/** Every generated block of the repository. */
export function generatedBlocks(): GeneratedBlock[] {
  return [
    { file: "docs/configuration.md", marker: "config-schema", content: configSchemaTable() },
    { file: "src/modules/database/README.md", marker: "inputs", content: moduleInputsTables() },
    { file: "src/modules/database/README.md", marker: "outputs", content: moduleOutputsTable() },
  ];
}

/** Replaces the text between `<!-- generated:NAME -->` and `<!-- /generated:NAME -->`. */
export function withBlock(document: string, marker: string, content: string): string {
  const start = `<!-- generated:${marker} -->`;
  const end = `<!-- /generated:${marker} -->`;
  const from = document.indexOf(start);
  const to = document.indexOf(end);
  if (from < 0 || to < from) throw new Error(`markers ${start} ... ${end} not found`);
  return `${document.slice(0, from + start.length)}\n${content}\n${document.slice(to)}`;
}

if (require.main === module) {
  for (const block of generatedBlocks()) {
    fs.writeFileSync(block.file, withBlock(fs.readFileSync(block.file, "utf8"), block.marker, block.content));
  }
  fs.writeFileSync("config/environment.schema.json", environmentJsonSchema());
  fs.writeFileSync("config/github.schema.json", githubJsonSchema());
  console.log("docs regenerated");
}
