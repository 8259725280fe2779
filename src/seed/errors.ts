import {
  MongoAPIError,
  MongoAWSError,
  MongoError,
  MongoNetworkError,
  MongoParseError,
  MongoServerError,
  MongoServerSelectionError,
} from "mongodb";
import { sameRole, type CallerIdentity } from "./aws-identity";
import type { DatabaseAuthentication as Authentication } from "../modules/database/variables";
import { APP_SECRET, SEEDER_SECRET } from "./secret-names";
import { COMMAND_TIME_LIMIT_MS, describeDuration } from "./time-limits";

/*
 * Every failure becomes one line of cause and one hint, so a deploy log says what went wrong and
 * what to do without a stack trace. describeFailure is a pure function of the error object, which
 * is how authentication failures are tested without a server.
 */

export interface FailureDescription {
  /** What went wrong, in one line. */
  readonly cause: string;
  /** What to do about it, in one line. */
  readonly hint: string;
}

export interface FailureContext {
  /** The server selection timeout in effect, quoted when a host cannot be reached. */
  readonly timeoutMs: number;
  /** What is known about the credentials, for authentication failures; absent before the connection is resolved. */
  readonly credentials?: CredentialsContext;
}

export interface CredentialsContext {
  readonly authentication: Authentication;
  /** The secret's roleArn: the role the database user is named after (aws-iam). */
  readonly secretRoleArn?: string;
  /** When the secret's current version was written. */
  readonly secretCreatedAt?: Date;
  /** The role the driver signed in as (aws-iam; from STS GetCallerIdentity). */
  readonly caller?: CallerIdentity;
  readonly now: Date;
}

/**
 * Atlas applies a new or changed database user to the cluster a little after the deploy that
 * wrote it (usually well under this); an authentication failure this soon after the secret's
 * version was written is most likely that.
 */
export const USER_ROLLOUT_WINDOW_MS = 10 * 60_000;

/** A failure the seeder detected itself, already explained. */
export class SeedError extends Error {
  constructor(
    readonly summary: string,
    readonly hint: string,
  ) {
    super(summary);
    this.name = "SeedError";
  }
}

/**
 * The driver refused the connection string. Carries no `cause` on purpose: the driver's own
 * message may quote a fragment of a malformed password, so only a credential-free detail is kept.
 */
export class MalformedConnectionStringError extends Error {
  constructor(
    readonly detail: string,
    /** True when the rest of the URI is fine and only its user:password part is malformed. */
    readonly inCredentials: boolean,
  ) {
    super(`malformed connection string: ${detail}`);
    this.name = "MalformedConnectionStringError";
  }
}

/** Reading the connection secret failed; the SDK's error is the cause. */
export class SecretReadError extends Error {
  constructor(
    readonly secretId: string,
    readonly region: string | undefined,
    cause: unknown,
  ) {
    super(`cannot read secret ${secretId}`, { cause });
    this.name = "SecretReadError";
  }
}

/** Apply failed part-way; `completed` operations were made and stay (creations, and any validator replaced by collMod). */
export class ApplyInterruptedError extends Error {
  constructor(
    readonly completed: number,
    readonly total: number,
    cause: unknown,
  ) {
    super(`apply stopped after ${completed} of ${total} operations`, { cause });
    this.name = "ApplyInterruptedError";
  }
}

/**
 * createIndexes ran into `--index-build-timeout-ms`. On a primary the server then aborts the
 * build, unless it had already started to commit it.
 */
export class IndexBuildTimeoutError extends Error {
  constructor(
    readonly collection: string,
    readonly indexes: readonly string[],
    readonly timeLimitMs: number,
    cause: unknown,
  ) {
    super(`building ${indexes.map((name) => `${collection}.${name}`).join(", ")} did not finish within the index build time limit (${describeDuration(timeLimitMs)})`, { cause });
    this.name = "IndexBuildTimeoutError";
  }
}

/** Server error codes the seeder explains. @see https://www.mongodb.com/docs/manual/reference/error-codes/ */
const SERVER_CODE = {
  unauthorized: 13,
  authenticationFailed: 18,
  namespaceExists: 48,
  indexOptionsConflict: 85,
  indexKeySpecsConflict: 86,
  duplicateKey: 11000,
  maxTimeMSExpired: 50,
  exceededTimeLimit: 262,
  /** Atlas answers a bad password with its own code and "bad auth : authentication failed". */
  atlasError: 8000,
} as const;

const UNREACHABLE_HINT =
  "run from inside the VPC (CI runner or bastion): PrivateLink hosts resolve to the interface endpoint's private addresses, reachable only there; otherwise check that the cluster is running and the stack output private_endpoint_connection_status is AVAILABLE";

const DNS_SYSCALLS = new Set(["querySrv", "queryTxt", "getaddrinfo"]);

export function describeFailure(error: unknown, context: FailureContext): FailureDescription {
  if (error instanceof SeedError) return { cause: error.summary, hint: error.hint };
  if (error instanceof ApplyInterruptedError) {
    const inner = describeFailure(error.cause, context);
    return {
      cause: `${error.message}: ${inner.cause}`,
      hint: `${inner.hint}; the operations already made stay, as the seeder undoes nothing (created collections and indexes remain, a replaced validator stays replaced): run plan, then apply again`,
    };
  }
  if (error instanceof IndexBuildTimeoutError) {
    return {
      cause: `${error.message}; the server aborted the build, unless it was already committing, in which case plan shows it as building or done`,
      hint: "a re-run of apply starts an aborted build again; for a collection that needs longer, raise --index-build-timeout-ms",
    };
  }
  if (error instanceof SecretReadError) return describeSecretFailure(error);
  if (error instanceof MalformedConnectionStringError) {
    return {
      cause: error.message,
      hint: error.inCredentials
        ? "percent-encode special characters (: / ? # [ ] @ %) in the username and password"
        : "expected mongodb://user:password@host/... or mongodb+srv://user:password@host/... with valid options",
    };
  }
  const authentication = findInCauses(error, isAuthenticationFailure);
  if (authentication !== undefined) return describeAuthenticationFailure(authentication, context.credentials);
  const awsCredentials = findInCauses(error, (candidate): candidate is MongoAWSError => candidate instanceof MongoAWSError);
  if (awsCredentials !== undefined) {
    return {
      cause: `no AWS credentials for MONGODB-AWS authentication: ${awsCredentials.message}`,
      hint: "run where the seeder's IAM role is available (the CI seed job assumes database.seederRoleArn; locally, AWS_PROFILE), or pass a password-mode URI in MONGODB_URI",
    };
  }
  const tls = findInCauses(error, isTlsCertificateFailure);
  if (tls !== undefined) {
    return {
      cause: `the server's TLS certificate was refused: ${tls.message} (${String((tls as NodeJS.ErrnoException).code)})`,
      hint: "Atlas certificates chain to a public CA that Node trusts: check the machine's clock and any TLS-inspecting proxy; a private CA goes in NODE_EXTRA_CA_CERTS or the tlsCAFile URI option (never tlsAllowInvalidCertificates)",
    };
  }
  const refused = findInCauses(error, isLoopbackRefusal);
  if (refused !== undefined) {
    const { address, port } = refused as NodeJS.ErrnoException & { address?: string; port?: number };
    return {
      cause: `nothing listening on ${address ?? "this machine"}${port === undefined ? "" : `:${port}`} (connection refused)`,
      hint: "no MongoDB server runs on this machine at that port: start it (a replica set for index builds with commitQuorum), or fix the host and port in the URI",
    };
  }
  if (error instanceof MongoServerSelectionError) {
    return { cause: `cannot reach MongoDB within ${context.timeoutMs} ms: ${error.message}`, hint: `${UNREACHABLE_HINT}; --timeout-ms changes the wait` };
  }
  const dnsFailure = findInCauses(error, isDnsFailure);
  if (dnsFailure !== undefined) {
    const { code, hostname } = dnsFailure as NodeJS.ErrnoException & { hostname?: string };
    return { cause: `cannot resolve ${hostname ?? "the MongoDB host"} (${code ?? dnsFailure.message})`, hint: UNREACHABLE_HINT };
  }
  if (error instanceof MongoNetworkError) return { cause: `network failure talking to MongoDB: ${error.message}`, hint: UNREACHABLE_HINT };
  if (error instanceof MongoParseError || error instanceof MongoAPIError) {
    return {
      cause: `invalid connection string or option: ${error.message}`,
      hint: "check the URI and its options against https://www.mongodb.com/docs/manual/reference/connection-string/",
    };
  }
  if (error instanceof MongoServerError) return describeServerError(error);
  if (error instanceof MongoError) return { cause: `MongoDB driver failure: ${error.message}`, hint: "rerun with --verbose for the stack trace" };
  return { cause: `unexpected failure: ${messageOf(error)}`, hint: "rerun with --verbose for the stack trace" };
}

function describeServerError(error: MongoServerError): FailureDescription {
  const what = `${error.codeName ?? `code ${String(error.code)}`}: ${error.message}`;
  switch (error.code) {
    case SERVER_CODE.unauthorized:
      return {
        cause: `not authorized: ${error.message}`,
        hint: `reading and creating need readWrite on the database; replacing a validator (collMod) also needs dbAdmin there, which the application user does not have: pass --secret-id with ${SEEDER_SECRET}`,
      };
    case SERVER_CODE.duplicateKey:
      return {
        cause: `existing documents break a unique index: ${error.message}`,
        hint: "the seeder never deletes or rewrites documents: merge or remove the duplicates by hand",
      };
    case SERVER_CODE.maxTimeMSExpired:
    case SERVER_CODE.exceededTimeLimit:
      return {
        cause: `MongoDB stopped a command at its time limit (${what})`,
        hint: `every command carries one (${describeDuration(COMMAND_TIME_LIMIT_MS)} for reads and collection changes): the cluster may be overloaded or electing a primary; retry, and check its health in Atlas`,
      };
    case SERVER_CODE.namespaceExists:
    case SERVER_CODE.indexOptionsConflict:
    case SERVER_CODE.indexKeySpecsConflict:
      return { cause: `the database changed since it was read (${what})`, hint: "someone else is changing it: run plan again" };
    default:
      return { cause: `MongoDB refused the command (${what})`, hint: "rerun with --verbose for the stack trace" };
  }
}

function describeSecretFailure(error: SecretReadError): FailureDescription {
  const secret = `secret "${error.secretId}"`;
  const where = error.region === undefined ? "" : ` in ${error.region}`;
  const cause = error.cause;
  const name = cause instanceof Error ? cause.name : "";
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  if (name === "ResourceNotFoundException") {
    return {
      cause: `${secret} was not found${where}`,
      hint: `check --secret-id and AWS_REGION: each stack writes ${SEEDER_SECRET}, which pipelines pass, and ${APP_SECRET}, the default; a secret exists once cdktf deploy has run`,
    };
  }
  if (name === "AccessDeniedException") {
    return {
      cause: `not allowed to read ${secret}${where}`,
      hint: "grant secretsmanager:GetSecretValue on it (stack output seeder_secret_arn for the seeder's secret, connection_secret_arn for the application's) and kms:Decrypt on its key (connection_secret_kms_key_arn)",
    };
  }
  if (name === "DecryptionFailure") {
    return { cause: `cannot decrypt ${secret}`, hint: "grant kms:Decrypt on the key in the stack output connection_secret_kms_key_arn" };
  }
  if (name === "CredentialsProviderError") {
    return {
      cause: `no AWS credentials to read ${secret}`,
      hint: "run where an IAM role is attached (CI runner, bastion) or set AWS_PROFILE; or pass the URI in MONGODB_URI",
    };
  }
  if (/region is missing/i.test(messageOf(cause))) {
    return { cause: `no AWS region set to read ${secret}`, hint: "set AWS_REGION to the stack's region (us-east-1 by default)" };
  }
  if (name === "TimeoutError" || ["ENOTFOUND", "ECONNREFUSED", "ETIMEDOUT", "EAI_AGAIN"].includes(code ?? "")) {
    return {
      cause: `cannot reach Secrets Manager${where} (${code ?? name})`,
      hint: "the runner needs a route to Secrets Manager (internet or a VPC interface endpoint)",
    };
  }
  return { cause: `cannot read ${secret}${where}: ${name || "error"}: ${messageOf(cause)}`, hint: "rerun with --verbose for the stack trace" };
}

/**
 * The server cannot say why it refused a login, so the message gives the likely causes. Right
 * after the secret's version was written (a deploy), the user is most likely still being rolled
 * out; otherwise both causes are named. With MONGODB-AWS, the role the driver signed in as is named.
 */
function describeAuthenticationFailure(error: MongoServerError, credentials: CredentialsContext | undefined): FailureDescription {
  const age = credentials?.secretCreatedAt === undefined ? undefined : credentials.now.getTime() - credentials.secretCreatedAt.getTime();
  const recent = age !== undefined && age >= 0 && age < USER_ROLLOUT_WINDOW_MS;
  const rollingOut = recent
    ? `the secret's version was written ${Math.max(1, Math.round(age / 60_000))} min ago, so Atlas may still be rolling out the database user: retry in a few minutes`
    : "Atlas may still be rolling out the database user after a deploy: retry in a few minutes";
  if (credentials?.authentication !== "aws-iam") {
    const password = "the password no longer matches (rotated, or the user removed: re-read the secret written by cdktf deploy and check the user in Atlas)";
    return {
      cause: `authentication failed: ${error.message}`,
      hint: recent ? `${rollingOut}; if it persists, ${password}` : `either ${password}, or ${rollingOut}`,
    };
  }
  const caller = credentials.caller;
  const as = caller === undefined || "unknownBecause" in caller ? `the AWS role of this process (${caller?.unknownBecause ?? "not looked up"})` : caller.arn;
  const expected = credentials.secretRoleArn;
  const notAUser =
    expected !== undefined && caller !== undefined && "arn" in caller && !sameRole(caller.arn, expected)
      ? `the database user is ${expected} (the secret's roleArn), not ${caller.arn}: run as that role (the CI seed job assumes database.seederRoleArn)`
      : `${caller !== undefined && "arn" in caller ? caller.arn : "this role"} is not a database user in Atlas ($external, named by its role ARN: database.seederRoleArn)`;
  return {
    cause: `MONGODB-AWS authentication failed as ${as}: ${error.message}`,
    hint: recent ? `${rollingOut}; or ${notAUser}` : `either ${notAUser}, or ${rollingOut}`,
  };
}

/** Node's codes for a certificate the TLS handshake refused. */
const CERTIFICATE_CODES = /^(?:ERR_TLS_CERT_|CERT_|UNABLE_TO_(?:GET_ISSUER_CERT|VERIFY_LEAF_SIGNATURE|DECRYPT_CERT)|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|HOSTNAME_MISMATCH|INVALID_CA)/;

function isTlsCertificateFailure(error: unknown): error is Error {
  return error instanceof Error && CERTIFICATE_CODES.test(String((error as NodeJS.ErrnoException).code ?? ""));
}

const LOOPBACK = /^(?:127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;

function isLoopbackRefusal(error: unknown): error is Error {
  if (!(error instanceof Error)) return false;
  const { code, address } = error as NodeJS.ErrnoException & { address?: string };
  return code === "ECONNREFUSED" && LOOPBACK.test(address ?? "");
}

/** Whether the server stopped a command at its time limit (maxTimeMS). */
export function isTimeLimitExceeded(error: unknown): boolean {
  return error instanceof MongoServerError && (error.code === SERVER_CODE.maxTimeMSExpired || error.code === SERVER_CODE.exceededTimeLimit);
}

/** Whether the server refused the login (the error or one of its causes). */
export function isAuthenticationError(error: unknown): boolean {
  return findInCauses(error, isAuthenticationFailure) !== undefined;
}

function isAuthenticationFailure(error: unknown): error is MongoServerError {
  if (!(error instanceof MongoServerError)) return false;
  if (error.code === SERVER_CODE.authenticationFailed || error.codeName === "AuthenticationFailed") return true;
  return error.code === SERVER_CODE.atlasError && /auth/i.test(error.message);
}

function isDnsFailure(error: unknown): error is Error {
  return error instanceof Error && DNS_SYSCALLS.has(String((error as NodeJS.ErrnoException).syscall));
}

/** The error or one of its causes that satisfies the test; the driver wraps handshake failures. */
function findInCauses<T extends Error>(error: unknown, test: (candidate: unknown) => candidate is T): T | undefined {
  const seen = new Set<unknown>();
  for (let current = error; current !== undefined && current !== null && !seen.has(current); current = (current as Error).cause) {
    seen.add(current);
    if (test(current)) return current;
  }
  return undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
