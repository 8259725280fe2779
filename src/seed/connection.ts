import { GetSecretValueCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { z } from "zod";
import { DATABASE_DEFAULTS } from "../modules/database/variables";
import { SecretReadError, SeedError } from "./errors";
import { STACK_SECRET_IDS } from "./secret-names";

/*
 * Where the connection string comes from, in order: --uri, then MONGODB_URI, then the Secrets
 * Manager secret the stack writes (see src/modules/database/connection-secret.ts). The database
 * name comes from --database, then the secret's `database` field, then the stack's default.
 */

/** The application's secret: the default, so a bare `plan` works with the application's read access. */
export const DEFAULT_SECRET_ID = STACK_SECRET_IDS.app.prod;
export const DEFAULT_DATABASE = DATABASE_DEFAULTS.databaseName;

export interface ConnectionRequest {
  readonly uri?: string;
  readonly secretId: string;
  readonly database?: string;
}

export interface ResolvedConnection {
  readonly uri: string;
  readonly database: string;
  /** Where the URI came from, for the log: never the URI itself. */
  readonly source: string;
}

export interface ConnectionSources {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Made only when the secret is needed, so --uri and MONGODB_URI work without AWS. */
  readonly secretsManager: () => SecretsManagerClient;
  /** Called with each URI as soon as it is known, before anything could print it. */
  readonly onUri: (uri: string) => void;
}

/** The fields of the stack's secret the seeder reads; the others (username, cluster, ...) are ignored. */
const connectionSecretSchema = z.object({
  uri: z.string().min(1),
  database: z.string().min(1).optional(),
});

export async function resolveConnection(request: ConnectionRequest, sources: ConnectionSources): Promise<ResolvedConnection> {
  const fromEnv = sources.env.MONGODB_URI;
  if (request.uri !== undefined) {
    sources.onUri(request.uri);
    return { uri: request.uri, database: request.database ?? DEFAULT_DATABASE, source: "--uri" };
  }
  // An empty variable is how CI templates say "unset".
  if (fromEnv !== undefined && fromEnv !== "") {
    sources.onUri(fromEnv);
    return { uri: fromEnv, database: request.database ?? DEFAULT_DATABASE, source: "MONGODB_URI" };
  }
  const secret = await readConnectionSecret(request.secretId, sources);
  return {
    uri: secret.uri,
    database: request.database ?? secret.database ?? DEFAULT_DATABASE,
    source: `secret ${request.secretId}`,
  };
}

async function readConnectionSecret(secretId: string, sources: ConnectionSources): Promise<z.infer<typeof connectionSecretSchema>> {
  const region = sources.env.AWS_REGION;
  let secretString: string | undefined;
  const client = sources.secretsManager();
  try {
    const response = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    secretString = response.SecretString;
  } catch (error) {
    throw new SecretReadError(secretId, region, error);
  } finally {
    client.destroy();
  }
  const expected = `the stack writes JSON with "uri" and "database" (src/modules/database/connection-secret.ts); check the secret's value or pass --uri`;
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

  const parsed = connectionSecretSchema.safeParse(json);
  if (!parsed.success) {
    const field = parsed.error.issues[0]?.path[0];
    const problem =
      field === "uri" && candidateUri === undefined
        ? `has no "uri" field`
        : typeof field === "string"
          ? `has an invalid "${field}" field (expected a non-empty string)`
          : "does not hold a JSON object";
    throw new SeedError(`secret "${secretId}" ${problem}`, expected);
  }
  return parsed.data;
}
