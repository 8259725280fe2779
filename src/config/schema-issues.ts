import { z } from "zod";
import type { ConfigIssue } from "./config-issue";

type AnySchema = z.core.$ZodType;

const WRAPPERS = new Set(["optional", "default", "prefault", "nullable", "readonly", "catch"]);

/** The description of `schema` or of the first schema it wraps that has one. */
function descriptionOf(schema: AnySchema): string | undefined {
  let node: AnySchema | undefined = schema;
  while (node) {
    const description = z.globalRegistry.get(node)?.description;
    if (description) return description;
    const def = node._zod.def as { type: string; innerType?: AnySchema };
    node = WRAPPERS.has(def.type) ? def.innerType : undefined;
  }
  return undefined;
}

function unwrap(schema: AnySchema): AnySchema {
  let node = schema;
  for (;;) {
    const def = node._zod.def as { type: string; innerType?: AnySchema };
    if (!WRAPPERS.has(def.type) || !def.innerType) return node;
    node = def.innerType;
  }
}

/** The sub-schema that validates the field at `path`, if the path leads anywhere. */
function schemaAt(schema: AnySchema, path: readonly PropertyKey[]): AnySchema | undefined {
  let node: AnySchema | undefined = schema;
  for (const key of path) {
    if (!node) return undefined;
    const def = unwrap(node)._zod.def as {
      type: string;
      shape?: Record<string, AnySchema>;
      element?: AnySchema;
      valueType?: AnySchema;
    };
    if (def.type === "object") node = def.shape?.[String(key)];
    else if (def.type === "array") node = def.element;
    else if (def.type === "record") node = def.valueType;
    else return undefined;
  }
  return node;
}

function fieldNames(schema: AnySchema | undefined): string[] {
  if (!schema) return [];
  const def = unwrap(schema)._zod.def as { type: string; shape?: Record<string, AnySchema> };
  return def.type === "object" ? Object.keys(def.shape ?? {}) : [];
}

function whatWentWrong(issue: z.core.$ZodIssue): string {
  if (issue.input === undefined && issue.code !== "custom") return "this required field is missing";
  switch (issue.code) {
    case "invalid_type":
      if (issue.expected === "int") return "expected a whole number";
      return `expected ${issue.expected}, not ${issue.input === null ? "null" : typeof issue.input}`;
    case "invalid_value":
    case "invalid_union":
      return "not one of the allowed values";
    case "too_small":
      return issue.origin === "array" ? `needs at least ${issue.minimum} item(s)` : `below the minimum ${issue.minimum}`;
    case "too_big":
      return issue.origin === "array" ? `allows at most ${issue.maximum} item(s)` : `above the maximum ${issue.maximum}`;
    default:
      return issue.message;
  }
}

/**
 * Validates `input` against `schema` and turns every zod issue into a ConfigIssue that names
 * the field, the value found and what is allowed there (the field's description).
 */
export function validateAgainstSchema<T extends AnySchema>(
  schema: T,
  input: unknown,
): { readonly data?: z.core.output<T>; readonly issues: ConfigIssue[] } {
  const result = z.safeParse(schema, input, { reportInput: true });
  if (result.success) return { data: result.data, issues: [] };
  const issues = result.error.issues.flatMap((issue): ConfigIssue[] => {
    if (issue.code === "unrecognized_keys") {
      const allowedFields = fieldNames(schemaAt(schema, issue.path)).join(", ");
      return issue.keys.map((key) => ({
        path: [...issue.path, key],
        value: (issue.input as Record<string, unknown> | undefined)?.[key],
        message: `unknown field (a typo?); allowed fields here: ${allowedFields}`,
      }));
    }
    const description = descriptionOf(schemaAt(schema, issue.path) ?? schema);
    return [
      {
        path: issue.path,
        value: issue.input,
        message: description ? `${whatWentWrong(issue)}; allowed: ${description}` : whatWentWrong(issue),
      },
    ];
  });
  return { issues };
}
