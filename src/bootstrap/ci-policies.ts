import { CI_ROLE_SESSION_SECONDS, type CiRolePurpose as CiPurpose } from "../environment/ci-roles";
import type { Condition, EnvironmentScope } from "./environment-scope";
import { EC2_TAGGING, PERMISSION_TABLE, type Grant } from "./permission-table";

/*
 * The IAM documents of one environment's CI roles, generated from what its synthesized stack
 * manages (PERMISSION_TABLE), never written by hand:
 * - plan: reads its state object and refreshes every resource; no write action, except
 *   kms:Decrypt through Secrets Manager, which refreshing a secret version needs;
 * - deploy: the plan role's reads, every create/update/delete, its state object and lock file;
 *   IAM only on the stack's own roles, only with the environment's permissions boundary;
 * - seed: GetSecretValue on the seeder's secret and Decrypt of that secret through Secrets
 *   Manager, nothing more.
 */

export interface Statement {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Action: string | readonly string[];
  /** Absent in trust policies only. */
  readonly Resource?: string | readonly string[];
  readonly Principal?: Readonly<Record<string, string | readonly string[]>>;
  readonly Condition?: Condition;
}

export interface PolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: readonly Statement[];
}

/** A role's identity permissions, before they are packed into managed policies. */
export interface RolePermissions {
  readonly purpose: CiPurpose;
  readonly statements: readonly Statement[];
}

/** Every aws_* type of the stack that the table lacks; the bootstrap refuses to guess their permissions. */
export function typesWithoutPermissions(scope: EnvironmentScope): string[] {
  return scope.awsTypes().filter((type) => PERMISSION_TABLE[type] === undefined);
}

/** The grants of every type the stack manages (throws for a type without a table entry). */
function grantsOf(scope: EnvironmentScope): Grant[] {
  const missing = typesWithoutPermissions(scope);
  if (missing.length > 0) {
    throw new Error(`${scope.stack} manages ${missing.join(", ")}, which src/bootstrap/permission-table.ts has no entry for; add each with the IAM actions its provider source calls`);
  }
  const grants = scope.awsTypes().flatMap((type) => PERMISSION_TABLE[type].grants);
  const usesEc2Tags = grants.some((grant) => grant.actions.some((action) => /^ec2:(Create(SecurityGroup|VpcEndpoint)|AuthorizeSecurityGroupIngress)$/.test(action)));
  return usesEc2Tags ? [...grants, ...EC2_TAGGING] : grants;
}

/** Merges grants with the same effect, resources and condition into one statement each, actions sorted. */
function statementsOf(grants: readonly Grant[], scope: EnvironmentScope): Statement[] {
  const merged = new Map<string, { effect: "Allow" | "Deny"; resources: string[]; condition?: Condition; actions: Set<string> }>();
  for (const grant of grants) {
    const resources = [...new Set(grant.resources(scope))].sort();
    if (resources.length === 0) continue;
    const condition = grant.condition?.(scope);
    const effect = grant.effect ?? "Allow";
    const key = JSON.stringify([effect, resources, condition ?? null]);
    const entry = merged.get(key) ?? { effect, resources, condition, actions: new Set<string>() };
    for (const action of grant.actions) entry.actions.add(action);
    merged.set(key, entry);
  }
  return [...merged.values()]
    .map(({ effect, resources, condition, actions }) => ({
      Effect: effect,
      Action: [...actions].sort(),
      Resource: resources.length === 1 ? resources[0] : resources,
      ...(condition ? { Condition: condition } : {}),
    }))
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

/** Secrets Manager decrypts and encrypts a secret with the caller's permission on its key: only through that service. */
function secretsManagerKeyUse(scope: EnvironmentScope, actions: readonly string[]): Statement {
  return {
    Effect: "Allow",
    Action: [...actions],
    Resource: scope.arn("kms", "key/*"),
    Condition: { StringEquals: { ...scope.tagged().StringEquals, "kms:ViaService": `secretsmanager.${scope.region}.amazonaws.com` } },
  };
}

function stateStatements(scope: EnvironmentScope, write: boolean): Statement[] {
  const state = scope.stateObject();
  if (!state) return [];
  const bucket = `arn:${scope.partition}:s3:::${state.bucket}`;
  const object = `${bucket}/${state.key}`;
  return [
    { Effect: "Allow", Action: ["s3:ListBucket"], Resource: bucket },
    write
      ? { Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: object }
      : { Effect: "Allow", Action: ["s3:GetObject"], Resource: object },
    // S3-native locking (use_lockfile): the lock is <key>.tflock. Plans run with -lock=false.
    ...(write ? [{ Effect: "Allow" as const, Action: ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"], Resource: `${object}.tflock` }] : []),
  ];
}

/** What the deploy role may never do, whatever else it is granted: each is a way out of its boundary. */
function escalationGuards(boundaryArn: string): Statement[] {
  return [
    { Sid: "KeepTheBoundary", Effect: "Deny", Action: ["iam:DeleteRolePermissionsBoundary"], Resource: "*" },
    {
      Sid: "LeaveTheBoundaryAsItIs",
      Effect: "Deny",
      Action: ["iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:TagPolicy", "iam:UntagPolicy"],
      Resource: boundaryArn,
    },
    { Sid: "NoKeyPolicyLockoutBypass", Effect: "Deny", Action: ["kms:CreateKey", "kms:PutKeyPolicy"], Resource: "*", Condition: { Bool: { "kms:BypassPolicyLockoutSafetyCheck": true } } },
    // The table grants no iam:PassRole at all (no resource of the stacks passes a role to a service);
    // the explicit deny keeps a later grant from adding it by accident.
    { Sid: "PassNoRole", Effect: "Deny", Action: ["iam:PassRole"], Resource: "*" },
  ];
}

export function planPermissions(scope: EnvironmentScope): RolePermissions {
  const reads = grantsOf(scope).filter((grant) => grant.access === "read");
  const decrypt = scope.awsTypes().includes("aws_secretsmanager_secret_version") ? [secretsManagerKeyUse(scope, ["kms:Decrypt"])] : [];
  return { purpose: "plan", statements: [...stateStatements(scope, false), ...statementsOf(reads, scope), ...decrypt] };
}

export function deployPermissions(scope: EnvironmentScope): RolePermissions {
  const keyUse = scope.awsTypes().includes("aws_secretsmanager_secret_version") ? [secretsManagerKeyUse(scope, ["kms:Decrypt", "kms:GenerateDataKey"])] : [];
  return { purpose: "deploy", statements: [...stateStatements(scope, true), ...statementsOf(grantsOf(scope), scope), ...keyUse, ...escalationGuards(scope.config.aws.permissionsBoundaryArn)] };
}

export function seedPermissions(scope: EnvironmentScope): RolePermissions {
  const secret = scope.secretArn(scope.config.connectionSecret.seederName);
  return {
    purpose: "seed",
    statements: [
      { Sid: "ReadTheSeederSecret", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: secret },
      {
        Sid: "DecryptItThroughSecretsManager",
        Effect: "Allow",
        Action: ["kms:Decrypt"],
        Resource: scope.arn("kms", "key/*"),
        Condition: {
          StringEquals: { ...scope.tagged().StringEquals, "kms:ViaService": `secretsmanager.${scope.region}.amazonaws.com` },
          StringLike: { "kms:EncryptionContext:SecretARN": secret },
        },
      },
    ],
  };
}

/**
 * The permissions boundary of the roles the environment's stack creates (Atlas's encryption and
 * log-export roles): at most what those roles exist for, on this environment's keys and buckets.
 */
export function boundaryDocument(scope: EnvironmentScope): PolicyDocument {
  const statements: Statement[] = [
    {
      Sid: "UseThisEnvironmentsKeys",
      Effect: "Allow",
      Action: ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"],
      Resource: scope.arn("kms", "key/*"),
      Condition: scope.tagged(),
    },
  ];
  const buckets = [
    ...scope.names("aws_s3_bucket", "bucket").map((name) => `arn:${scope.partition}:s3:::${name}`),
    ...scope.names("aws_s3_bucket", "bucket_prefix").map((prefix) => `arn:${scope.partition}:s3:::${prefix}*`),
  ];
  if (buckets.length > 0) {
    statements.push(
      { Sid: "FindThisEnvironmentsBuckets", Effect: "Allow", Action: ["s3:GetBucketLocation", "s3:ListBucket"], Resource: buckets.length === 1 ? buckets[0] : buckets },
      { Sid: "WriteThisEnvironmentsBuckets", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: buckets.map((bucket) => `${bucket}/*`) },
    );
  }
  return { Version: "2012-10-17", Statement: statements };
}

/** The longest session the workflows request with a role of this purpose: its MaxSessionDuration. */
export function maxSessionSeconds(purpose: CiPurpose): number {
  return CI_ROLE_SESSION_SECONDS[purpose];
}

/** IAM's limit for one managed policy, whitespace not counted. */
export const MANAGED_POLICY_LIMIT = 6144;
/** IAM's default limit of managed policies attached to one role. */
export const MANAGED_POLICIES_PER_ROLE = 10;

/** The size IAM counts: the document without whitespace outside strings. */
export function policySize(document: PolicyDocument): number {
  return JSON.stringify(document).length;
}

/** Packs statements, in order, into as few documents as fit the managed-policy limit. */
export function packStatements(statements: readonly Statement[]): PolicyDocument[] {
  const documents: Statement[][] = [];
  for (const statement of statements) {
    const last = documents[documents.length - 1];
    if (last && policySize({ Version: "2012-10-17", Statement: [...last, statement] }) <= MANAGED_POLICY_LIMIT) last.push(statement);
    else documents.push([statement]);
  }
  return documents.map((Statement) => ({ Version: "2012-10-17", Statement }));
}
