import { GetPolicyCommand, GetPolicyVersionCommand, GetRoleCommand, IAMClient, ListAttachedRolePoliciesCommand, ListRolePoliciesCommand } from "@aws-sdk/client-iam";
import { GetBucketEncryptionCommand, GetBucketVersioningCommand, GetPublicAccessBlockCommand, S3Client } from "@aws-sdk/client-s3";
import { EC2Client } from "@aws-sdk/client-ec2";
import { fail, ok, ServiceStop, warn, type Check } from "./check";

/*
 * AWS, read with the caller's credentials (the SDK's default chain): each CI role of the
 * environment exists, trusts exactly what the bootstrap stack generates, allows sessions as long
 * as the workflows ask for, and carries exactly the generated permission policies (compared
 * statement by statement, whatever their order or packing); the state bucket is
 * versioned, encrypted and closed to the public. Only Get/List commands (a test checks).
 * Endpoints follow AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_IAM / AWS_ENDPOINT_URL_S3 (SDK-native).
 */

export interface ExpectedRole {
  /** What the role is for, as the lines name it: "plan", "next seed", ... */
  readonly purpose: string;
  readonly roleArn: string;
  /** The trust policy the role must have (the bootstrap stack's). */
  readonly trustPolicy: unknown;
  /** The permission policies the bootstrap stack attaches to it. */
  readonly policies: readonly unknown[];
  readonly maxSessionSeconds: number;
  /** The command that puts the generated documents back: `npm run deploy -- audio-pipeline-bootstrap-<account>`. */
  readonly fix: string;
}

export interface AwsCheckInput {
  readonly iam: IAMClient;
  readonly s3: S3Client;
  readonly roles: readonly ExpectedRole[];
  /** state.bucket and its region; undefined for local state. */
  readonly stateBucket?: { readonly bucket: string; readonly region: string };
  readonly production: boolean;
}

// AWS-managed policies that make least privilege meaningless on a CI role.
const BROAD_POLICIES = /^arn:aws[a-z-]*:iam::aws:policy\/(AdministratorAccess|PowerUserAccess|IAMFullAccess)$/;

/** JSON with object keys sorted, so equal documents compare equal whatever their key order. */
export function canonicalJson(value: unknown): string {
  const sort = (node: unknown): unknown =>
    Array.isArray(node) ? node.map(sort) : node && typeof node === "object" ? Object.fromEntries(Object.entries(node as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)).map(([key, inner]) => [key, sort(inner)])) : node;
  return JSON.stringify(sort(value));
}

type Statement = Record<string, unknown>;

/** A policy value as IAM treats it: a string and a one-element array are the same, order does not matter, true is "true". */
function normalizeValues(value: unknown): unknown {
  if (Array.isArray(value) || typeof value !== "object" || value === null) return [...new Set((Array.isArray(value) ? value : [value]).map(String))].sort();
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([key, inner]) => [key, normalizeValues(inner)]));
}

/** The statements of a policy document, each normalized and as canonical JSON, sorted. */
export function normalizedStatements(document: unknown): string[] {
  const raw = (document as { Statement?: unknown } | undefined)?.Statement;
  const statements = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]) as Statement[];
  return statements
    .map((statement) =>
      canonicalJson(
        Object.fromEntries(Object.entries(statement).map(([key, value]) => [key, key === "Effect" || key === "Sid" ? value : normalizeValues(value)])),
      ),
    )
    .sort();
}

/** The first difference between the live and the generated statements, or undefined when they are equal as multisets. */
export function firstDifference(live: readonly string[], generated: readonly string[]): string | undefined {
  const remaining = [...live];
  for (const statement of generated) {
    const index = remaining.indexOf(statement);
    if (index < 0) return `missing ${statement.slice(0, 300)}`;
    remaining.splice(index, 1);
  }
  return remaining.length > 0 ? `not generated ${remaining[0].slice(0, 300)}` : undefined;
}

/** Reads a URL-encoded policy document; undefined when it is not JSON. */
function decodeDocument(text: string | undefined): unknown {
  try {
    return JSON.parse(decodeURIComponent(text ?? ""));
  } catch {
    return undefined;
  }
}

const roleName = (arn: string) => arn.split("/").pop() ?? arn;
const errorName = (error: unknown) => (error as { name?: string }).name ?? "Error";

export async function awsChecks(input: AwsCheckInput): Promise<Check[]> {
  try {
    await input.iam.config.credentials();
  } catch (error) {
    throw new ServiceStop(fail("aws", "credentials", `none found (${(error as Error).message.split("\n")[0]}), so nothing in AWS was checked`, "aws sso login (or export AWS_PROFILE) with a role that may read IAM roles and the state bucket"));
  }
  const checks: Check[] = [];
  for (const role of input.roles) checks.push(...(await roleChecks(input.iam, role)));
  checks.push(...(await bucketChecks(input)));
  return checks;
}

async function roleChecks(iam: IAMClient, expected: ExpectedRole): Promise<Check[]> {
  const name = roleName(expected.roleArn);
  const what = `${expected.purpose} role ${name}`;
  let role;
  try {
    role = (await iam.send(new GetRoleCommand({ RoleName: name }))).Role;
  } catch (error) {
    if (errorName(error) === "NoSuchEntity" || errorName(error) === "NoSuchEntityException") {
      return [fail("aws", what, "does not exist", `${expected.fix} (docs/day-0.md), or fix the ARN in config/`)];
    }
    const message = (error as Error).message;
    if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ENETUNREACH|socket|connect/i.test(message)) throw new ServiceStop(fail("aws", "IAM", `cannot reach IAM (${message}), so nothing in AWS was checked`, "check the network, or AWS_ENDPOINT_URL"));
    return [fail("aws", what, `could not be read (${errorName(error)}: ${message})`, "use credentials that may call iam:GetRole")];
  }
  const checks: Check[] = [];
  if (role?.Arn !== expected.roleArn) checks.push(fail("aws", what, `its ARN is ${role?.Arn}, config/ names ${expected.roleArn}`, "fix the ARN in config/"));
  const trust = decodeDocument(role?.AssumeRolePolicyDocument);
  const version = (trust as { Version?: unknown } | undefined)?.Version;
  const trustDifference =
    version !== (expected.trustPolicy as { Version?: unknown }).Version
      ? `Version is ${String(version)}`
      : firstDifference(normalizedStatements(trust), normalizedStatements(expected.trustPolicy));
  checks.push(
    trustDifference === undefined
      ? ok("aws", `${what}: trust policy`, "equals the one the bootstrap stack generates")
      : fail("aws", `${what}: trust policy`, `differs from the one the bootstrap stack generates: ${trustDifference}`, expected.fix),
  );
  const duration = role?.MaxSessionDuration ?? 3600;
  checks.push(
    duration >= expected.maxSessionSeconds
      ? ok("aws", `${what}: MaxSessionDuration`, `${duration} s, at least the ${expected.maxSessionSeconds} s the workflows ask for`)
      : fail("aws", `${what}: MaxSessionDuration`, `${duration} s, shorter than the ${expected.maxSessionSeconds} s the workflows ask for: the session could expire before the state is saved`, `aws iam update-role --role-name ${name} --max-session-duration ${expected.maxSessionSeconds}`),
  );
  const attached = (await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: name }))).AttachedPolicies ?? [];
  const inline = (await iam.send(new ListRolePoliciesCommand({ RoleName: name }))).PolicyNames ?? [];
  const broad = attached.filter((policy) => BROAD_POLICIES.test(policy.PolicyArn ?? ""));
  if (broad.length > 0) {
    checks.push(fail("aws", `${what}: permission policies`, `${broad.map((policy) => policy.PolicyName).join(", ")} attached: least privilege is gone`, `detach it; ${expected.fix}`));
  } else if (inline.length > 0) {
    checks.push(fail("aws", `${what}: permission policies`, `inline policies ${inline.join(", ")}, which the bootstrap stack does not generate`, `aws iam delete-role-policy --role-name ${name} --policy-name ${inline[0]}; ${expected.fix}`));
  } else {
    const live: string[] = [];
    for (const policy of attached) {
      const defaultVersion = (await iam.send(new GetPolicyCommand({ PolicyArn: policy.PolicyArn }))).Policy?.DefaultVersionId;
      const document = (await iam.send(new GetPolicyVersionCommand({ PolicyArn: policy.PolicyArn, VersionId: defaultVersion }))).PolicyVersion?.Document;
      live.push(...normalizedStatements(decodeDocument(document)));
    }
    const difference = firstDifference(live.sort(), expected.policies.flatMap(normalizedStatements).sort());
    checks.push(
      difference === undefined
        ? ok("aws", `${what}: permission policies`, `${attached.length} attached, equal statement by statement to the ones the bootstrap stack generates`)
        : fail("aws", `${what}: permission policies`, `differ from the ones the bootstrap stack generates: ${difference}`, expected.fix),
    );
  }
  return checks;
}

async function bucketChecks(input: AwsCheckInput): Promise<Check[]> {
  if (!input.stateBucket) {
    return [
      (input.production ? fail : warn)("aws", "state bucket", "none: the state is a local file on one machine", 'set state: {"bucket": ...} in config/<env>.json (docs/day-0.md)'),
    ];
  }
  const { bucket } = input.stateBucket;
  const what = `state bucket ${bucket}`;
  const read = async <T>(run: () => Promise<T>): Promise<T | Error> => {
    try {
      return await run();
    } catch (error) {
      return error as Error;
    }
  };
  const versioning = await read(() => input.s3.send(new GetBucketVersioningCommand({ Bucket: bucket })));
  if (versioning instanceof Error && /NoSuchBucket/.test(errorName(versioning))) return [fail("aws", what, "does not exist", "deploy the bootstrap stack (docs/day-0.md)")];
  const encryption = await read(() => input.s3.send(new GetBucketEncryptionCommand({ Bucket: bucket })));
  const block = await read(() => input.s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket })));
  const settings = block instanceof Error ? undefined : block.PublicAccessBlockConfiguration;
  const allBlocked = Boolean(settings?.BlockPublicAcls && settings.IgnorePublicAcls && settings.BlockPublicPolicy && settings.RestrictPublicBuckets);
  const rules = encryption instanceof Error ? [] : (encryption.ServerSideEncryptionConfiguration?.Rules ?? []);
  const algorithms = rules.map((rule) => rule.ApplyServerSideEncryptionByDefault?.SSEAlgorithm).filter(Boolean);
  return [
    !(versioning instanceof Error) && versioning.Status === "Enabled"
      ? ok("aws", `${what}: versioning`, "on: an overwritten or deleted state can be recovered")
      : fail("aws", `${what}: versioning`, versioning instanceof Error ? `could not read it (${errorName(versioning)})` : `${versioning.Status ?? "never enabled"}: a bad state write cannot be undone`, `aws s3api put-bucket-versioning --bucket ${bucket} --versioning-configuration Status=Enabled (or deploy the bootstrap stack)`),
    algorithms.length > 0
      ? ok("aws", `${what}: default encryption`, algorithms.join(", "))
      : fail("aws", `${what}: default encryption`, encryption instanceof Error ? `could not read it (${errorName(encryption)})` : "none", "deploy the bootstrap stack (default encryption)"),
    allBlocked
      ? ok("aws", `${what}: public access block`, "all four settings on")
      : fail("aws", `${what}: public access block`, block instanceof Error ? `none (${errorName(block)})` : `not all four on: ${JSON.stringify(settings)}`, "deploy the bootstrap stack (public access block)"),
  ];
}

/** The SDK clients the doctor uses, with short retries so an unreachable endpoint fails fast. */
export function awsClients(region: string, stateRegion: string): { iam: IAMClient; s3: S3Client; ec2: EC2Client } {
  return { iam: new IAMClient({ region, maxAttempts: 2 }), s3: new S3Client({ region: stateRegion, maxAttempts: 2 }), ec2: new EC2Client({ region, maxAttempts: 2 }) };
}
