import * as fs from "node:fs";
import * as path from "node:path";
import { ConfigError, type ConfigIssue } from "./config-issue";
import { uniqueAcrossEnvironments } from "./cross-environment";
import { withDerivedDefaults, type EnvironmentConfig } from "./derived-defaults";
import { environmentSchema } from "./environment-schema";
import { CONFIG_RULES } from "./rules";
import { validateAgainstSchema } from "./schema-issues";

/** One validated environment file. */
export interface LoadedEnvironment {
  /** The file as the user would name it, relative to the working directory. */
  readonly file: string;
  readonly config: EnvironmentConfig;
}

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
export function validateEnvironmentText(
  text: string,
  expectedEnvironment: string,
): { readonly config?: EnvironmentConfig; readonly issues: readonly ConfigIssue[] } {
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
  return all.length === 0 && data ? { config: withDerivedDefaults(data), issues: [] } : { issues: all };
}

/** The environment files of a config directory: every *.json except the schemas and github.json (the repository's GitHub settings). */
export function environmentFiles(configDir: string): string[] {
  return fs
    .readdirSync(configDir)
    .filter((name) => name.endsWith(".json") && !name.endsWith(".schema.json") && name !== "github.json")
    .sort()
    .map((name) => path.join(configDir, name));
}

/**
 * Loads and validates every environment file in `configDir`. Throws one ConfigError listing
 * the problems of all files together, so nothing is synthesized from a partly valid set.
 */
export function loadEnvironments(configDir: string): LoadedEnvironment[] {
  const files = environmentFiles(configDir);
  const problems: { file: string; issue: ConfigIssue }[] = [];
  const loaded: LoadedEnvironment[] = [];
  if (files.length === 0) {
    problems.push({ file: configDir, issue: { path: [], value: undefined, message: "holds no environment file (<name>.json)" } });
  }
  for (const absolute of files) {
    const relative = path.relative(process.cwd(), absolute);
    const file = relative.startsWith("..") || path.isAbsolute(relative) ? absolute : relative;
    const result = validateEnvironmentText(fs.readFileSync(absolute, "utf8"), path.basename(absolute, ".json"));
    problems.push(...result.issues.map((issue) => ({ file, issue })));
    if (result.config) loaded.push({ file, config: result.config });
  }
  problems.push(...uniqueAcrossEnvironments(loaded));
  if (problems.length > 0) throw new ConfigError(problems);
  return loaded;
}
