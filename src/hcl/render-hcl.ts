/*
 * Terraform JSON (cdk.tf.json) written as HCL native syntax, meaning the same configuration.
 *
 * Values keep their meaning position by position: most strings are templates (templateExpression),
 * a variable's default and descriptions are literal text, and reference lists (depends_on,
 * ignore_changes, replace_triggered_by, provider) are bare expressions. Nested blocks are told
 * from object-valued attributes by the block schema. `lifecycle` conditions are blocks, as
 * Terraform requires (`precondition { ... }`, never `precondition = [...]`).
 *
 * Layout is left to `terraform fmt`; the output here is valid, not pretty. Anything this renderer
 * does not know (a dynamic block, a module call, ...) is an error naming it, never
 * a silent guess.
 */
import type { BlockSchema } from "./block-schema";
import { ReviewerHclError } from "./reviewer-hcl-error";
import { bareExpression, literalString, objectKey, templateExpression } from "./template-strings";

export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

/** The top-level keys in the order they are written; cdktf's "//" metadata is left out. */
const TOP_LEVEL_ORDER = ["terraform", "provider", "variable", "locals", "data", "resource", "moved", "output"] as const;

class Unsupported extends ReviewerHclError {
  constructor(where: string, what: string) {
    super(`reviewer HCL: ${where}: ${what} is not supported by src/hcl/render-hcl.ts; extend it there (nothing was written)`);
  }
}

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A block's bodies: an object is one block, an array is one block per item, null is none. */
function bodies(value: Json, where: string): JsonObject[] {
  const items = value === null ? [] : Array.isArray(value) ? value : [value];
  return items.map((item) => {
    if (!isObject(item)) throw new Unsupported(where, `a block written as ${JSON.stringify(item)}`);
    return item;
  });
}

const indent = (depth: number) => "  ".repeat(depth);

/** A JSON value as an expression, with `leaf` writing the strings (template, literal or bare). */
function valueExpression(value: Json, depth: number, leaf: (text: string) => string): string {
  if (typeof value === "string") return leaf(value);
  if (typeof value === "number" || typeof value === "boolean" || value === null) return JSON.stringify(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    const items = value.map((item) => valueExpression(item, depth + 1, leaf));
    const oneLine = `[${items.join(", ")}]`;
    if (oneLine.length <= 100 && !oneLine.includes("\n")) return oneLine;
    return `[\n${items.map((item) => `${indent(depth + 1)}${item},\n`).join("")}${indent(depth)}]`;
  }
  const entries = Object.entries(value);
  if (entries.length === 0) return "{}";
  const keyOf = leaf === literalString ? (key: string) => literalString(key) : objectKey;
  return `{\n${entries.map(([key, item]) => `${indent(depth + 1)}${keyOf(key)} = ${valueExpression(item, depth + 1, leaf)}\n`).join("")}${indent(depth)}}`;
}

const template = (value: Json, depth: number) => valueExpression(value, depth, templateExpression);
const literal = (value: Json, depth: number) => valueExpression(value, depth, literalString);
const bare = (value: Json, depth: number) => valueExpression(value, depth, bareExpression);

/** Writes one block: header, then its content lines (already indented one deeper). */
function block(header: string, content: string[], depth: number): string[] {
  return [`${indent(depth)}${header} {`, ...content, `${indent(depth)}}`];
}

function attribute(name: string, expression: string, depth: number): string {
  return `${indent(depth)}${name} = ${expression}`;
}

/** How the keys of one kind of body are written. */
interface BodyRules {
  /** Where the body is, for error messages. */
  readonly where: string;
  /** How an attribute's strings are written. */
  readonly attribute: (name: string, value: Json, depth: number) => string;
  /** The body's nested blocks (by dotted path from the body), and how to write each. */
  readonly block?: (path: string) => boolean;
  /** Keys with their own handling (meta-arguments); return lines, or undefined for the default. */
  readonly special?: (key: string, value: Json, depth: number) => string[] | undefined;
}

/** Meta-arguments written before a body's arguments, and those written after its blocks (Terraform's style guide). */
const LEADING = new Set(["count", "for_each", "provider", "alias"]);
const TRAILING = new Set(["depends_on", "lifecycle"]);

/** A body's content: leading meta-arguments, attributes, nested blocks, trailing meta-arguments; each group in the JSON's order. */
function bodyLines(body: JsonObject, rules: BodyRules, depth: number, path = ""): string[] {
  const groups = { leading: [] as string[], attributes: [] as string[], blocks: [] as string[], trailing: [] as string[] };
  for (const [key, value] of Object.entries(body)) {
    if (key === "//") continue;
    const special = path === "" ? rules.special?.(key, value, depth) : undefined;
    if (special) {
      const group = LEADING.has(key) ? groups.leading : TRAILING.has(key) ? groups.trailing : special[0].trimEnd().endsWith("{") ? groups.blocks : groups.attributes;
      group.push(...special);
      continue;
    }
    const keyPath = path ? `${path}.${key}` : key;
    if (rules.block?.(keyPath)) {
      for (const nested of bodies(value, `${rules.where}.${keyPath}`)) {
        groups.blocks.push(...block(key, bodyLines(nested, rules, depth + 1, keyPath), depth));
      }
    } else {
      groups.attributes.push(attribute(key, rules.attribute(key, value, depth), depth));
    }
  }
  return [...groups.leading, ...groups.attributes, ...groups.blocks, ...groups.trailing];
}

/** `precondition` / `postcondition` blocks. */
function conditionBlocks(name: string, value: Json, where: string, depth: number): string[] {
  return bodies(value, where).flatMap((condition) =>
    block(name, bodyLines(condition, { where, attribute: (_key, item, at) => template(item, at) }, depth + 1), depth),
  );
}

function lifecycleBlock(value: Json, where: string, depth: number): string[] {
  return bodies(value, where).flatMap((lifecycle) => {
    const lines: string[] = [];
    for (const [key, item] of Object.entries(lifecycle)) {
      if (key === "precondition" || key === "postcondition") lines.push(...conditionBlocks(key, item, `${where}.${key}`, depth + 1));
      else if (key === "ignore_changes" && item === "all") lines.push(attribute(key, "all", depth + 1));
      else if (key === "ignore_changes" || key === "replace_triggered_by") lines.push(attribute(key, bare(item, depth + 1), depth + 1));
      else if (key === "create_before_destroy" || key === "prevent_destroy") lines.push(attribute(key, template(item, depth + 1), depth + 1));
      else throw new Unsupported(`${where}.${key}`, "this lifecycle argument");
    }
    return block("lifecycle", lines, depth);
  });
}

/** `connection` blocks (of a resource or a provisioner): arguments are templates. */
function connectionBlocks(value: Json, where: string, depth: number): string[] {
  return bodies(value, where).flatMap((body) => block("connection", bodyLines(body, { where, attribute: (_key, item, at) => template(item, at) }, depth + 1), depth));
}

/** `provisioner "<type>"` blocks: JSON writes each as `{ "<type>": { ... } }`; `when` and `on_failure` take keywords. */
function provisionerBlocks(value: Json, where: string, depth: number): string[] {
  return bodies(value, where).flatMap((byType) =>
    Object.entries(byType).flatMap(([type, configuration]) =>
      bodies(configuration, `${where}.${type}`).flatMap((body) => {
        const rules: BodyRules = {
          where: `${where}.${type}`,
          attribute: (key, item, at) => (key === "when" || key === "on_failure" ? bare(item, at) : template(item, at)),
          special: (key, item, at) => (key === "connection" ? connectionBlocks(item, `${where}.${type}.connection`, at) : undefined),
        };
        return block(`provisioner ${literalString(type)}`, bodyLines(body, rules, depth + 1), depth);
      }),
    ),
  );
}

/** Meta-arguments of resources and data sources. */
function resourceMetaArguments(where: string) {
  return (key: string, value: Json, depth: number): string[] | undefined => {
    switch (key) {
      case "depends_on":
        return [attribute(key, bare(value, depth), depth)];
      case "provider":
        return [attribute(key, bareExpression(String(value)), depth)];
      case "lifecycle":
        return lifecycleBlock(value, `${where}.lifecycle`, depth);
      case "provisioner":
        return provisionerBlocks(value, `${where}.provisioner`, depth);
      case "connection":
        return connectionBlocks(value, `${where}.connection`, depth);
      case "dynamic":
        throw new Unsupported(`${where}.${key}`, `a ${key} block`);
      default:
        return undefined;
    }
  };
}

/** A schema body (resource, data source, provider): blocks from the schema, strings as templates. */
function schemaBodyRules(kind: string, schema: BlockSchema, where: string, special?: BodyRules["special"]): BodyRules {
  const blocks = schema.get(kind);
  if (!blocks) throw new Unsupported(where, `${kind}, which has no block schema (no construct of it was found in the app)`);
  return { where, attribute: (_key, value, depth) => template(value, depth), block: (path) => blocks.has(path), special };
}

function terraformBlock(settings: JsonObject): string[] {
  const lines: string[] = [];
  for (const [key, value] of Object.entries(settings)) {
    if (key === "required_version") lines.push(attribute(key, literal(value, 1), 1));
    else if (key === "required_providers" && isObject(value)) {
      const providers = Object.entries(value).map(([name, requirement]) => {
        if (!isObject(requirement)) return attribute(name, literal(requirement, 2), 2);
        const { configuration_aliases: aliases, ...rest } = requirement;
        const entries: JsonObject = { ...rest };
        const lines = [`${indent(2)}${name} = {`, ...Object.entries(entries).map(([field, item]) => attribute(field, literal(item, 3), 3))];
        if (aliases !== undefined) lines.push(attribute("configuration_aliases", bare(aliases, 3), 3));
        return [...lines, `${indent(2)}}`].join("\n");
      });
      lines.push(...block("required_providers", providers, 1));
    } else if (key === "backend" && isObject(value)) {
      for (const [type, configuration] of Object.entries(value)) {
        for (const body of bodies(configuration, `terraform.backend.${type}`)) {
          lines.push(...block(`backend ${literalString(type)}`, bodyLines(body, { where: `terraform.backend.${type}`, attribute: (_k, item, at) => literal(item, at) }, 2), 1));
        }
      }
    } else if (key === "cloud") {
      for (const body of bodies(value, "terraform.cloud")) {
        const rules: BodyRules = { where: "terraform.cloud", attribute: (_k, item, at) => literal(item, at), block: (path) => path === "workspaces" };
        lines.push(...block("cloud", bodyLines(body, rules, 2), 1));
      }
    } else throw new Unsupported(`terraform.${key}`, "this setting");
  }
  return block("terraform", lines, 0);
}

function variableBlock(name: string, body: JsonObject): string[] {
  const where = `variable.${name}`;
  const rules: BodyRules = {
    where,
    attribute: (key, value, depth) => {
      if (key === "type") return bareExpression(String(value));
      if (key === "default" || key === "description") return literal(value, depth);
      return template(value, depth);
    },
    special: (key, value, depth) => (key === "validation" ? conditionBlocks("validation", value, `${where}.validation`, depth) : undefined),
  };
  return block(`variable ${literalString(name)}`, bodyLines(body, rules, 1), 0);
}

function outputBlock(name: string, body: JsonObject): string[] {
  const where = `output.${name}`;
  const rules: BodyRules = {
    where,
    attribute: (key, value, depth) => (key === "description" ? literal(value, depth) : template(value, depth)),
    special: (key, value, depth) => {
      if (key === "depends_on") return [attribute(key, bare(value, depth), depth)];
      if (key === "precondition") return conditionBlocks(key, value, `${where}.${key}`, depth);
      return undefined;
    },
  };
  return block(`output ${literalString(name)}`, bodyLines(body, rules, 1), 0);
}

/** Resource or data blocks of one top-level key. */
function resourceBlocks(kind: "resource" | "data", byType: JsonObject, schema: BlockSchema): string[][] {
  return Object.entries(byType).flatMap(([type, byName]) =>
    Object.entries(isObject(byName) ? byName : {}).flatMap(([name, value]) =>
      bodies(value, `${kind}.${type}.${name}`).map((body) => {
        const where = `${kind}.${type}.${name}`;
        const rules = schemaBodyRules(`${kind}.${type}`, schema, where, resourceMetaArguments(where));
        return block(`${kind} ${literalString(type)} ${literalString(name)}`, bodyLines(body, rules, 1), 0);
      }),
    ),
  );
}

function providerBlocks(providers: JsonObject, schema: BlockSchema): string[][] {
  return Object.entries(providers).flatMap(([name, value]) =>
    bodies(value, `provider.${name}`).map((body) => {
      const where = `provider.${name}`;
      const rules = schemaBodyRules(where, schema, where, (key, item, depth) => (key === "alias" ? [attribute(key, literal(item, depth), depth)] : undefined));
      return block(`provider ${literalString(name)}`, bodyLines(body, rules, 1), 0);
    }),
  );
}

/** `moved { from = <address>  to = <address> }`: addresses are references in HCL, not strings. */
function movedBlocks(value: Json): string[][] {
  const address = /^[a-z][a-z0-9_]*\.[A-Za-z_][A-Za-z0-9_-]*$/;
  if (!Array.isArray(value)) throw new Unsupported("moved", `a value of ${JSON.stringify(value)}`);
  return value.map((entry) => {
    if (!isObject(entry) || typeof entry.from !== "string" || typeof entry.to !== "string" || !address.test(entry.from) || !address.test(entry.to) || Object.keys(entry).length !== 2) {
      throw new Unsupported("moved", `an entry ${JSON.stringify(entry)} (only from and to, each a resource address)`);
    }
    return block("moved", [attribute("from", entry.from, 1), attribute("to", entry.to, 1)], 0);
  });
}

/** The configuration as HCL native syntax, one blank line between top-level blocks. */
export function renderHcl(config: JsonObject, schema: BlockSchema): string {
  const unknown = Object.keys(config).filter((key) => key !== "//" && !(TOP_LEVEL_ORDER as readonly string[]).includes(key));
  if (unknown.length > 0) throw new Unsupported("top level", `"${unknown.join('", "')}"`);
  const blocks: string[][] = [];
  for (const key of TOP_LEVEL_ORDER) {
    const value = config[key];
    if (value === undefined) continue;
    if (key === "moved") {
      blocks.push(...movedBlocks(value));
      continue;
    }
    if (!isObject(value)) throw new Unsupported(key, `a value of ${JSON.stringify(value)}`);
    switch (key) {
      case "terraform":
        blocks.push(terraformBlock(value));
        break;
      case "provider":
        blocks.push(...providerBlocks(value, schema));
        break;
      case "variable":
        for (const [name, body] of Object.entries(value)) blocks.push(variableBlock(name, isObject(body) ? body : {}));
        break;
      case "locals":
        blocks.push(block("locals", Object.entries(value).map(([name, expression]) => attribute(name, template(expression, 1), 1)), 0));
        break;
      case "data":
      case "resource":
        blocks.push(...resourceBlocks(key, value, schema));
        break;
      case "output":
        for (const [name, body] of Object.entries(value)) blocks.push(outputBlock(name, isObject(body) ? body : {}));
        break;
    }
  }
  return `${blocks.map((lines) => lines.join("\n")).join("\n\n")}\n`;
}
