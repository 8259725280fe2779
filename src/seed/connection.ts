import { GetSecretValueCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { readableConnectionSecret, type ReadableConnectionSecret } from "../modules/database/connection-secret-value";
import { AUTHENTICATION_MODES, DATABASE_DEFAULTS, type DatabaseAuthentication } from "../modules/database/variables";
import { SecretReadError, SeedError } from "./errors";
import { DEFAULT_SECRET_ID } from "./secret-names";

/*
 * Where the connection string comes from, in order: --uri, then MONGODB_URI, then the Secrets
 * Manager secret the stack writes (see src/modules/database/connection-secret.ts). The database
 * name comes from --database, then the secret's `database` field, then the stack's default.
 */

/** The application's secret: the default, so a bare `plan` works with the application's read access. */
export { DEFAULT_SECRET_ID };
export const DEFAULT_DATABASE = DATABASE_DEFAULTS.database.name;

export interface ConnectionRequest {
  readonly uri?: string;
  readonly secretId: string;
  readonly database?: string;
}

/** How the URI authenticates: MONGODB-AWS (the role the process runs as) or a user and password in the URI. */
export type Authentication = DatabaseAuthentication;

export interface ResolvedConnection {
  readonly uri: string;
  readonly database: string;
  /** Where the URI came from, for the log: never the URI itself. */
  readonly source: string;
  /** Read from the URI itself (authMechanism=MONGODB-AWS), so --uri and MONGODB_URI behave like the secret. */
  readonly authentication: Authentication;
  /** The secret's `roleArn`: the IAM role the database user is named after (aws-iam mode). */
  readonly roleArn?: string;
  /** When the secret's current version was written (GetSecretValue's CreatedDate): right after a deploy, Atlas may still be rolling out the user. */
  readonly secretCreatedAt?: Date;
}

export interface ConnectionSources {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Made only when the secret is needed, so --uri and MONGODB_URI work without AWS. */
  readonly secretsManager: () => SecretsManagerClient;
  /** Called with each URI as soon as it is known, before anything could print it. */
  readonly onUri: (uri: string) => void;
}

const AWS_MECHANISM = /[?&]authMechanism=MONGODB-AWS(?:&|$)/i;

/** aws-iam when the URI asks for MONGODB-AWS, the mechanism that signs in with the process's AWS role. */
export function authenticationOf(uri: string): Authentication {
  return AWS_MECHANISM.test(uri) ? "aws-iam" : "password";
}

export async function resolveConnection(request: ConnectionRequest, sources: ConnectionSources): Promise<ResolvedConnection> {
  const fromEnv = sources.env.MONGODB_URI;
  if (request.uri !== undefined) {
    sources.onUri(request.uri);
    return { uri: request.uri, database: request.database ?? DEFAULT_DATABASE, source: "--uri", authentication: authenticationOf(request.uri) };
  }
  // An empty variable is how CI templates say "unset".
  if (fromEnv !== undefined && fromEnv !== "") {
    sources.onUri(fromEnv);
    return { uri: fromEnv, database: request.database ?? DEFAULT_DATABASE, source: "MONGODB_URI", authentication: authenticationOf(fromEnv) };
  }
  const { secret, createdAt } = await readConnectionSecret(request.secretId, sources);
  return {
    uri: secret.uri,
    database: request.database ?? secret.database ?? DEFAULT_DATABASE,
    source: `secret ${request.secretId}`,
    authentication: authenticationOf(secret.uri),
    ...(secret.roleArn === undefined ? {} : { roleArn: secret.roleArn }),
    ...(createdAt === undefined ? {} : { secretCreatedAt: createdAt }),
  };
}

async function readConnectionSecret(
  secretId: string,
  sources: ConnectionSources,
): Promise<{ secret: ReadableConnectionSecret; createdAt: Date | undefined }> {
  const region = sources.env.AWS_REGION;
  let secretString: string | undefined;
  let createdAt: Date | undefined;
  const client = sources.secretsManager();
  try {
    const response = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    secretString = response.SecretString;
    createdAt = response.CreatedDate;
  } catch (error) {
    throw new SecretReadError(secretId, region, error);
  } finally {
    client.destroy();
  }
  const expected = `the stack writes JSON with "uri", "database" and "authentication" (src/modules/database/connection-secret.ts); check the secret's value or pass --uri`;
  if (secretString === undefined) throw new SeedError(`secret "${secretId}" has no text value (binary secrets are not supported)`, expected);

  let json: unknown;
  try {
    json = JSON.parse(secretString);
  } catch {
    // JSON.parse's message quotes the text it choked on, which here is a credential.
    throw new SeedError(`secret "${secretId}" does not hold JSON`, expected);
  }
  // Seen before validation, so a URI that fails the checks below is still redacted if echoed.
  const candidateUri = (json as { uri?: unknown } | null)?.uri;
  if (typeof candidateUri === "string") sources.onUri(candidateUri);

  const parsed = readableConnectionSecret.safeParse(json);
  if (!parsed.success) {
    const field = parsed.error.issues[0]?.path[0];
    const problem =
      field === "uri" && candidateUri === undefined
        ? `has no "uri" field`
        : field === "authentication"
          ? // Safe to quote: a mode name, never a credential.
            `has an invalid "authentication" field (${JSON.stringify((json as Record<string, unknown>).authentication)}; expected ${AUTHENTICATION_MODES.map((mode) => `"${mode}"`).join(" or ")})`
          : typeof field === "string"
            ? `has an invalid "${field}" field (expected a non-empty string)`
            : "does not hold a JSON object";
    throw new SeedError(`secret "${secretId}" ${problem}`, expected);
  }
  const declared = parsed.data.authentication;
  if (declared !== undefined && declared !== authenticationOf(parsed.data.uri)) {
    const mechanism = declared === "aws-iam" ? "does not ask for authMechanism=MONGODB-AWS" : "asks for authMechanism=MONGODB-AWS";
    throw new SeedError(`secret "${secretId}" says "authentication": "${declared}" but its uri ${mechanism}`, expected);
  }
  return { secret: parsed.data, createdAt };
}
