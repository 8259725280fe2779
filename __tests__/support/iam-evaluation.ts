/*
 * A small evaluator of AWS's same-account authorization logic, for the properties of the key,
 * secret and topic policies this stack writes ("who can administer, delete, publish, read").
 *
 * Why our own and not @cloud-copilot/iam-simulate: that package is AGPL-3.0, its public API drops
 * kms:EncryptionContext:* condition keys and crashes with resource policies (platform facts,
 * section 9). What this evaluator covers is exactly what our policies use, and its own tests
 * (iam-evaluation.test.ts) pin each rule to AWS's documentation:
 * - an explicit Deny in any policy wins;
 * - a KMS key policy must allow the request, either naming the principal itself, or naming the
 *   account root, which delegates to IAM: then the principal's identity policy must allow too
 *   ("Allowing access to the AWS account and enabling IAM policies", KMS developer guide);
 * - any other resource of the same account (secret, topic): the identity policy or the resource
 *   policy allows (a resource policy naming the account root delegates to IAM as for KMS);
 * - a principal written as a role ARN is stored by KMS, Secrets Manager and SNS as the role's
 *   unique id: a role deleted and recreated under the same name no longer matches it
 *   (`recreated`), while an `aws:PrincipalArn` condition, compared as text, still does;
 * - conditions: the operators our policies use, multi-valued keys as OR, a missing key
 *   satisfies only the negated operators (…NotEquals/…NotLike) and Null: true.
 */
import { actionCovers } from "../../src/policy/policy-documents";

export interface Statement {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Principal?: "*" | { readonly AWS?: string | readonly string[]; readonly Service?: string | readonly string[] };
  readonly Action?: string | readonly string[];
  readonly NotAction?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[] | boolean>>>>;
}

export interface PolicyDocument {
  readonly Statement: readonly Statement[];
}

/** Who asks: an IAM role of the account (its identity policy given), or an AWS service. */
export type Caller =
  | {
      readonly role: string;
      /** The role's identity policy statements. */
      readonly identity: readonly Statement[];
      /** Deleted and recreated under the same name since the resource policy was written. */
      readonly recreated?: boolean;
    }
  | { readonly service: string };

export interface Request {
  readonly caller: Caller;
  readonly action: string;
  /** ARN of the resource acted on. */
  readonly resource: string;
  /** Request context keys besides aws:PrincipalArn (kms:ViaService, kms:EncryptionContext:…, aws:SourceArn). */
  readonly context?: Readonly<Record<string, string>>;
}

/** Which kind of resource policy: KMS key policies are required, the others are optional grants. */
export type ResourceKind = "kms-key" | "other";

const list = <T>(value: T | readonly T[] | undefined): T[] => (value === undefined ? [] : ([] as T[]).concat(value as T | T[]));

/** The account id of a role ARN. */
export const accountOf = (arn: string): string => arn.split(":")[4];
const rootOf = (arn: string) => `arn:${arn.split(":")[1]}:iam::${accountOf(arn)}:root`;

/** IAM/ARN wildcard matching (`*`, `?`), case-sensitive as ARN and string comparisons are. */
function wildcardMatch(pattern: string, value: string): boolean {
  const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${escaped}$`).test(value);
}

const OPERATORS: Record<string, { readonly negated: boolean; readonly test: (pattern: string, value: string) => boolean }> = {
  StringEquals: { negated: false, test: (pattern, value) => pattern === value },
  StringNotEquals: { negated: true, test: (pattern, value) => pattern === value },
  StringLike: { negated: false, test: wildcardMatch },
  StringNotLike: { negated: true, test: wildcardMatch },
  ArnEquals: { negated: false, test: (pattern, value) => pattern === value },
  ArnNotEquals: { negated: true, test: (pattern, value) => pattern === value },
  ArnLike: { negated: false, test: wildcardMatch },
  ArnNotLike: { negated: true, test: wildcardMatch },
};

function conditionHolds(condition: Statement["Condition"], context: Readonly<Record<string, string>>): boolean {
  for (const [operator, keys] of Object.entries(condition ?? {})) {
    for (const [key, written] of Object.entries(keys)) {
      // Condition keys are case-insensitive.
      const found = Object.entries(context).find(([name]) => name.toLowerCase() === key.toLowerCase())?.[1];
      if (operator === "Null") {
        if ((found === undefined) !== (String(written) === "true")) return false;
        continue;
      }
      const rule = OPERATORS[operator];
      if (!rule) throw new Error(`condition operator ${operator} is not modelled by iam-evaluation.ts`);
      const patterns = list(written as string | readonly string[]).map(String);
      if (found === undefined) {
        if (!rule.negated) return false;
        continue;
      }
      const any = patterns.some((pattern) => rule.test(pattern, found));
      if (rule.negated ? any : !any) return false;
    }
  }
  return true;
}

function actionMatches(statement: Statement, action: string): boolean {
  if (statement.NotAction !== undefined) return !list(statement.NotAction).some((written) => actionCovers(written, action));
  return list(statement.Action).some((written) => actionCovers(written, action));
}

function resourceMatches(statement: Statement, resource: string): boolean {
  return statement.Resource === undefined || list(statement.Resource).some((written) => wildcardMatch(written, resource));
}

/** How a resource-policy statement's Principal matches the caller: by name, through the account root, or not. */
function principalMatch(statement: Statement, caller: Caller): "direct" | "account" | "none" {
  if (statement.Principal === "*") return "direct";
  if ("service" in caller) return list(statement.Principal?.Service).includes(caller.service) ? "direct" : "none";
  const named = list(statement.Principal?.AWS);
  if (named.includes("*")) return "direct";
  if (named.includes(caller.role) && !caller.recreated) return "direct";
  if (named.includes(rootOf(caller.role)) || named.includes(accountOf(caller.role))) return "account";
  return "none";
}

function contextOf(request: Request): Record<string, string> {
  return { ...("role" in request.caller ? { "aws:PrincipalArn": request.caller.role } : {}), ...request.context };
}

function applies(statement: Statement, request: Request, context: Record<string, string>): boolean {
  return actionMatches(statement, request.action) && resourceMatches(statement, request.resource) && conditionHolds(statement.Condition, context);
}

/** Whether the request is allowed, given the resource's policy (undefined: none). */
export function isAllowed(request: Request, resourcePolicy: PolicyDocument | undefined, kind: ResourceKind): boolean {
  const context = contextOf(request);
  const identity = "role" in request.caller ? request.caller.identity : [];
  const resourceStatements = resourcePolicy?.Statement ?? [];
  const inResource = resourceStatements.filter((statement) => applies(statement, request, context));
  const inIdentity = identity.filter((statement) => applies(statement, request, context));
  const denied =
    inResource.some((statement) => statement.Effect === "Deny" && principalMatch(statement, request.caller) !== "none") ||
    inIdentity.some((statement) => statement.Effect === "Deny");
  if (denied) return false;
  const identityAllows = inIdentity.some((statement) => statement.Effect === "Allow");
  const resourceAllows = inResource
    .filter((statement) => statement.Effect === "Allow")
    .some((statement) => {
      const match = principalMatch(statement, request.caller);
      return match === "direct" || (match === "account" && identityAllows);
    });
  if (kind === "kms-key") return resourceAllows;
  return resourceAllows || identityAllows;
}

/** Identity policies of the principals the tests ask about. */
export const IDENTITY = {
  /** AdministratorAccess: everything. */
  administrator: [{ Effect: "Allow", Action: "*", Resource: "*" }],
  /** PowerUserAccess as AWS publishes it: everything but IAM, Organizations and account management. */
  powerUser: [
    { Effect: "Allow", NotAction: ["iam:*", "organizations:*", "account:*"], Resource: "*" },
    { Effect: "Allow", Action: ["iam:CreateServiceLinkedRole", "iam:DeleteServiceLinkedRole", "iam:ListRoles", "organizations:DescribeOrganization", "account:ListRegions"], Resource: "*" },
  ],
  /** No identity policy at all: only what resource policies grant by name. */
  none: [],
} as const satisfies Record<string, readonly Statement[]>;
