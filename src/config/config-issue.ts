/** One problem found in one environment file. */
export interface ConfigIssue {
  /** Path of the offending field, e.g. ["network", "privateSubnetIds", 0]. Empty for the whole file. */
  readonly path: readonly PropertyKey[];
  /** The value found there; undefined when the field is missing. */
  readonly value: unknown;
  /** What is wrong and what is allowed. */
  readonly message: string;
}

/** Renders a field path the way a reader of the JSON file would write it: network.privateSubnetIds[0]. */
function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, index) => (typeof part === "number" ? `[${part}]` : index === 0 ? String(part) : `.${String(part)}`))
    .join("");
}

/** Renders a value for a message: JSON for data, "nothing" for a missing field. */
function formatValue(value: unknown): string {
  if (value === undefined) return "nothing (the field is missing)";
  const json = JSON.stringify(value);
  return json.length > 80 ? `${json.slice(0, 77)}...` : json;
}

/** One line: file, field path, value found, and what is allowed. A file-level issue has no field. */
export function formatIssue(file: string, issue: ConfigIssue): string {
  if (issue.path.length === 0) return `${file}: ${issue.message}`;
  return `${file}: ${formatPath(issue.path)}: got ${formatValue(issue.value)}; ${issue.message}`;
}

/** Every problem found in a set of environment files, reported together. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly { readonly file: string; readonly issue: ConfigIssue }[]) {
    super(
      [
        `${problems.length} problem(s) in the environment configuration; nothing was synthesized:`,
        ...problems.map(({ file, issue }) => `  ${formatIssue(file, issue)}`),
      ].join("\n"),
    );
    this.name = "ConfigError";
  }
}
