/** One statement of an IAM-style policy document, as far as the rules read it. */
export interface PolicyDocumentStatement {
  readonly Sid?: string;
  readonly Effect?: string;
  readonly Principal?: unknown;
  readonly Action?: string | string[];
  readonly Condition?: Record<string, unknown>;
}

/**
 * The statements of a policy written as a literal JSON string; undefined when it is a Terraform
 * expression (or not JSON), which a synth-time rule cannot evaluate.
 */
export function literalPolicyStatements(policy: unknown): PolicyDocumentStatement[] | undefined {
  if (typeof policy !== "string" || policy.includes("${")) return undefined;
  try {
    const document = JSON.parse(policy) as { Statement?: PolicyDocumentStatement | PolicyDocumentStatement[] };
    return ([] as PolicyDocumentStatement[]).concat(document.Statement ?? []);
  } catch {
    return undefined;
  }
}

/** The actions of a statement, always as a list. */
export function statementActions(statement: PolicyDocumentStatement): string[] {
  return ([] as string[]).concat(statement.Action ?? []);
}

/** Whether an action as written in a policy (wildcards `*` and `?`, any case) covers `action`. */
export function actionCovers(written: string, action: string): boolean {
  const escaped = written.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${escaped}$`, "i").test(action);
}

/**
 * The principals a condition names under `aws:PrincipalArn` with one of `operators` (e.g.
 * ArnEquals, or ArnNotEquals for a deny to all but them); none when it names none, or names a
 * wildcard (which names no one in particular).
 */
export function namedPrincipalArns(condition: Record<string, unknown> | undefined, operators: readonly string[]): string[] {
  const named = operators.flatMap((operator) => {
    const keys = (condition?.[operator] ?? {}) as Record<string, unknown>;
    const entry = Object.entries(keys).find(([key]) => key.toLowerCase() === "aws:principalarn");
    return entry ? ([] as unknown[]).concat(entry[1]).map(String) : [];
  });
  return named.some((arn) => /[*?]/.test(arn)) ? [] : named;
}
