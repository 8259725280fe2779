import * as fs from "node:fs";
import * as path from "node:path";
import type { ConfigIssue } from "./config-issue";
import { environmentSchema, type ParsedEnvironment } from "./environment-schema";
import { CONFIG_RULES } from "./rules";
import { validateAgainstSchema } from "./schema-issues";

/*
 * Reading and checking environment files: JSON, the schema, the cross-field rules and the file
 * name. What the checked file means (names, roles, defaults that depend on the environment) is
 * src/environment/'s: resolveEnvironment and resolveEnvironments.
 */

/** Parses JSON text; a syntax error becomes an issue that gives the line and column. */
function parseJson(text: string): { readonly value?: unknown; readonly issue?: ConfigIssue } {
  try {
    return { value: JSON.parse(text) };
  } catch (error) {
    const reason = (error as Error).message;
    const position = Number(/position (\d+)/.exec(reason)?.[1] ?? text.length);
    const before = text.slice(0, position).split("\n");
    const line = before.length;
    const column = before[before.length - 1].length + 1;
    const cause = reason.replace(/\s*\(line \d+ column \d+\)/, "").replace(/ in JSON at position \d+/, "");
    return { issue: { path: [], value: undefined, message: `line ${line}, column ${column}: not valid JSON: ${cause}` } };
  }
}

/**
 * Validates one environment file's text: the schema, every cross-field rule whose fields are
 * valid, and that the `environment` field matches the file name. Returns every issue found.
 */
export function checkEnvironmentText(
  text: string,
  expectedEnvironment: string,
): { readonly parsed?: ParsedEnvironment; readonly issues: readonly ConfigIssue[] } {
  const parsed = parseJson(text);
  if (parsed.issue) return { issues: [parsed.issue] };
  const { data, issues } = validateAgainstSchema(environmentSchema, parsed.value);
  const ruleIssues = CONFIG_RULES.flatMap((rule) => {
    const input = rule.reads.safeParse(parsed.value);
    return input.success ? rule.check(input.data) : [];
  });
  const environment = (parsed.value as { environment?: unknown } | null)?.environment;
  const nameIssues: ConfigIssue[] =
    typeof environment === "string" && environment !== expectedEnvironment
      ? [
          {
            path: ["environment"],
            value: environment,
            message: `does not match the file name; allowed: "${expectedEnvironment}" (rename the file or fix the field)`,
          },
        ]
      : [];
  const all = [...issues, ...ruleIssues, ...nameIssues];
  return all.length === 0 && data ? { parsed: data, issues: [] } : { issues: all };
}

/** The environment files of a config directory: every *.json except the schemas and github.json (the repository's GitHub settings). */
export function environmentFiles(configDir: string): string[] {
  return fs
    .readdirSync(configDir)
    .filter((name) => name.endsWith(".json") && !name.endsWith(".schema.json") && name !== "github.json")
    .sort()
    .map((name) => path.join(configDir, name));
}

/** The file as the user would name it: relative to the working directory when inside it. */
export function displayPath(absolute: string): string {
  const relative = path.relative(process.cwd(), absolute);
  return relative.startsWith("..") || path.isAbsolute(relative) ? absolute : relative;
}
