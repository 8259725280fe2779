import type { Statement } from "../../../src/bootstrap/ci-policies";

/*
 * A small evaluator of identity-policy statements, for the properties the generated documents
 * must have. It covers exactly the grammar the generator writes (the operators below; anything
 * else throws, so it can never silently allow): explicit Deny wins, then any matching Allow.
 * Not a general IAM engine: no resource policies, no SCPs, no NotAction. Why not
 * @cloud-copilot/iam-simulate: docs/day-0.md, "How the CI permissions are checked".
 */

/** One request: the action, the resource ARN and the request's context keys. */
export interface Request {
  readonly action: string;
  readonly resource: string;
  readonly context?: Readonly<Record<string, string | readonly string[] | boolean>>;
}

const glob = (pattern: string, value: string, caseless = false) =>
  new RegExp(`^${pattern.split("").map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\/]/g, "\\$&"))).join("")}$`, caseless ? "i" : "").test(value);

function conditionHolds(operator: string, key: string, expected: string | boolean | readonly string[], context: Request["context"] = {}): boolean {
  const wanted = [expected].flat().map(String);
  const actual = context[key];
  const values = actual === undefined ? [] : [actual].flat().map(String);
  switch (operator) {
    case "StringEquals":
    case "ArnEquals":
      return values.length > 0 && values.every((value) => wanted.includes(value));
    case "StringNotEquals":
      // A negated operator matches when the key is absent (IAM User Guide, "Condition operators").
      return values.every((value) => !wanted.includes(value));
    case "Null":
      // "true": the key is absent; "false": it is present.
      return (values.length === 0) === (wanted[0] === "true");
    case "StringEqualsIfExists":
      return values.length === 0 || values.every((value) => wanted.includes(value));
    case "StringLike":
      return values.length > 0 && values.every((value) => wanted.some((pattern) => glob(pattern, value)));
    case "ForAllValues:StringNotEquals":
      return values.every((value) => !wanted.includes(value));
    case "Bool":
      return values.length > 0 && values.every((value) => wanted.includes(value));
    default:
      throw new Error(`the evaluator does not know the operator ${operator}`);
  }
}

function matches(statement: Statement, request: Request): boolean {
  if (![statement.Action].flat().some((action) => glob(action, request.action, true))) return false;
  if (![statement.Resource ?? []].flat().some((resource) => glob(resource, request.resource))) return false;
  return Object.entries(statement.Condition ?? {}).every(([operator, block]) =>
    Object.entries(block).every(([key, expected]) => conditionHolds(operator, key, expected, request.context)),
  );
}

/** Whether the statements allow the request (an explicit Deny wins over any Allow). */
export function allows(statements: readonly Statement[], request: Request): boolean {
  if (statements.some((statement) => statement.Effect === "Deny" && matches(statement, request))) return false;
  return statements.some((statement) => statement.Effect === "Allow" && matches(statement, request));
}
