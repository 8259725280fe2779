import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import { DEFAULT_DATABASE, DEFAULT_SECRET_ID, resolveConnection, type ConnectionSources } from "../../src/seed/connection";
import { SecretReadError, SeedError } from "../../src/seed/errors";
import { STACK_SECRET_IDS } from "../../src/seed/secret-names";
import { resolveEnvironments } from "../../src/environment/resolve";

const secretsManager = mockClient(SecretsManagerClient);
// Test files share modules (vitest isolate: false): give the real client back afterwards.
afterAll(() => secretsManager.restore());
const SECRET_URI = "mongodb+srv://audio-pipeline-app:S3cr3t%2Fpw@cluster0-pl-0.abcde.mongodb.net/audio_pipeline?retryWrites=true&w=majority";

function stackSecret(fields: Record<string, unknown>): string {
  return JSON.stringify({ username: "audio-pipeline-app", environment: "prod", cluster: "audio-pipeline-prod", ...fields });
}

function sources(env: Record<string, string | undefined> = {}): ConnectionSources & { seenUris: string[]; clientsMade: () => number } {
  const seenUris: string[] = [];
  let made = 0;
  return {
    env: { AWS_REGION: "us-east-1", ...env },
    secretsManager: () => {
      made += 1;
      return new SecretsManagerClient({ region: "us-east-1" });
    },
    onUri: (uri) => seenUris.push(uri),
    seenUris,
    clientsMade: () => made,
  };
}

beforeEach(() => secretsManager.reset());

describe("resolveConnection order", () => {
  it("uses --uri first, without touching Secrets Manager", async () => {
    const from = sources({ MONGODB_URI: "mongodb://env-host/" });
    const resolved = await resolveConnection({ uri: "mongodb://flag-host/", secretId: DEFAULT_SECRET_ID }, from);
    expect(resolved).toEqual({ uri: "mongodb://flag-host/", database: DEFAULT_DATABASE, source: "--uri", authentication: "password" });
    expect(from.clientsMade()).toBe(0);
    expect(from.seenUris).toEqual(["mongodb://flag-host/"]);
  });

  it("uses MONGODB_URI when there is no --uri", async () => {
    const from = sources({ MONGODB_URI: "mongodb://env-host/" });
    const resolved = await resolveConnection({ secretId: DEFAULT_SECRET_ID, database: "other" }, from);
    expect(resolved).toEqual({ uri: "mongodb://env-host/", database: "other", source: "MONGODB_URI", authentication: "password" });
    expect(from.clientsMade()).toBe(0);
  });

  it("reads the default secret when neither is set, and an empty MONGODB_URI counts as unset", async () => {
    const createdAt = new Date("2026-11-29T08:00:00Z");
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: stackSecret({ uri: SECRET_URI, database: "audio_pipeline" }), CreatedDate: createdAt });
    const from = sources({ MONGODB_URI: "" });
    const resolved = await resolveConnection({ secretId: DEFAULT_SECRET_ID }, from);
    expect(resolved).toEqual({ uri: SECRET_URI, database: "audio_pipeline", source: `secret ${DEFAULT_SECRET_ID}`, authentication: "password", secretCreatedAt: createdAt });
    expect(secretsManager.commandCalls(GetSecretValueCommand).map((call) => call.args[0].input)).toEqual([{ SecretId: "audio-pipeline/mongodb-uri" }]);
    expect(from.seenUris).toEqual([SECRET_URI]);
  });
});

describe("resolveConnection in aws-iam mode", () => {
  const IAM_URI = "mongodb+srv://cluster0-pl-0.abcde.mongodb.net/audio_pipeline?authMechanism=MONGODB-AWS&authSource=%24external&retryWrites=true&w=majority";
  const ROLE = "arn:aws:iam::123456789012:role/audio-pipeline-seeder";

  it("reads the secret's URI without credentials, its roleArn and its version's creation date", async () => {
    const createdAt = new Date("2026-11-29T09:00:00Z");
    secretsManager.on(GetSecretValueCommand).resolves({
      SecretString: JSON.stringify({ uri: IAM_URI, authentication: "aws-iam", roleArn: ROLE, database: "audio_pipeline", environment: "prod", cluster: "audio-pipeline" }),
      CreatedDate: createdAt,
    });
    const resolved = await resolveConnection({ secretId: STACK_SECRET_IDS.seeder.prod }, sources());
    expect(resolved).toEqual({ uri: IAM_URI, database: "audio_pipeline", source: `secret ${STACK_SECRET_IDS.seeder.prod}`, authentication: "aws-iam", roleArn: ROLE, secretCreatedAt: createdAt });
  });

  it.each([
    ["--uri", { uri: IAM_URI, secretId: DEFAULT_SECRET_ID }, {}],
    ["MONGODB_URI", { secretId: DEFAULT_SECRET_ID }, { MONGODB_URI: IAM_URI }],
  ])("takes aws-iam mode from a MONGODB-AWS URI given with %s, without Secrets Manager", async (_how, request, env) => {
    const from = sources(env);
    expect((await resolveConnection(request, from)).authentication).toBe("aws-iam");
    expect(from.clientsMade()).toBe(0);
  });

  it.each([
    [{ uri: SECRET_URI, authentication: "aws-iam" }, 'says "authentication": "aws-iam" but its uri does not ask for authMechanism=MONGODB-AWS'],
    [{ uri: "mongodb+srv://h/?authMechanism=MONGODB-AWS", authentication: "password" }, 'says "authentication": "password" but its uri asks for authMechanism=MONGODB-AWS'],
    [{ uri: SECRET_URI, authentication: "iam" }, 'has an invalid "authentication" field ("iam"; expected "aws-iam" or "password")'],
  ])("refuses a secret whose authentication field and URI disagree: %j", async (fields, message) => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: stackSecret(fields) });
    const failure = (await resolveConnection({ secretId: "s" }, sources()).catch((error: unknown) => error)) as SeedError;
    expect(failure).toBeInstanceOf(SeedError);
    expect(failure.summary).toBe(`secret "s" ${message}`);
    expect(`${failure.summary} ${failure.hint}`).not.toContain("S3cr3t");
  });
});

describe("resolveConnection database name", () => {
  it("takes the secret's database field", async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: stackSecret({ uri: SECRET_URI, database: "audio_pipeline_dev" }) });
    expect((await resolveConnection({ secretId: "audio-pipeline-dev/mongodb-uri" }, sources())).database).toBe("audio_pipeline_dev");
  });

  it("falls back to audio_pipeline when the secret has none", async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: stackSecret({ uri: SECRET_URI }) });
    expect((await resolveConnection({ secretId: DEFAULT_SECRET_ID }, sources())).database).toBe("audio_pipeline");
  });

  it("lets --database win over the secret", async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: stackSecret({ uri: SECRET_URI, database: "audio_pipeline" }) });
    expect((await resolveConnection({ secretId: DEFAULT_SECRET_ID, database: "scratch" }, sources())).database).toBe("scratch");
  });
});

describe("resolveConnection failures", () => {
  it("wraps a missing secret with its id and region", async () => {
    secretsManager.on(GetSecretValueCommand).rejects(new ResourceNotFoundException({ message: "Secrets Manager can't find the specified secret.", $metadata: {} }));
    const failure = await resolveConnection({ secretId: "nope" }, sources()).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SecretReadError);
    expect(failure).toMatchObject({ secretId: "nope", region: "us-east-1" });
  });

  it.each([
    ["without a uri field", stackSecret({ database: "audio_pipeline" }), 'secret "s" has no "uri" field'],
    ["with an empty uri", stackSecret({ uri: "" }), 'secret "s" has an invalid "uri" field (expected a non-empty string)'],
    ["with a non-string database", stackSecret({ uri: SECRET_URI, database: 7 }), 'secret "s" has an invalid "database" field (expected a non-empty string)'],
    ["holding a JSON array", "[]", 'secret "s" does not hold a JSON object'],
  ])("refuses a secret %s", async (_case, secretString, message) => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: secretString });
    const failure = await resolveConnection({ secretId: "s" }, sources()).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SeedError);
    expect((failure as SeedError).summary).toBe(message);
  });

  it("refuses a secret that is not JSON without quoting its text", async () => {
    const secretString = "mongodb://audio-pipeline-app:NotJson123@host/";
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: secretString });
    const failure = (await resolveConnection({ secretId: "s" }, sources()).catch((error: unknown) => error)) as SeedError;
    expect(failure.summary).toBe('secret "s" does not hold JSON');
    expect(`${failure.summary} ${failure.hint}`).not.toContain("NotJson123");
  });

  it("refuses a binary secret", async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretBinary: new Uint8Array([1, 2]) });
    const failure = (await resolveConnection({ secretId: "s" }, sources()).catch((error: unknown) => error)) as SeedError;
    expect(failure.summary).toMatch(/no text value/);
  });

  it("registers the secret's uri for redaction even when another field is invalid", async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: stackSecret({ uri: SECRET_URI, database: 7 }) });
    const from = sources();
    await resolveConnection({ secretId: "s" }, from).catch(() => undefined);
    expect(from.seenUris).toEqual([SECRET_URI]);
  });
});

describe("STACK_SECRET_IDS, the secret names the help text and hints quote", () => {
  it.each(["prod", "dev"] as const)("are the names config/%s.json gives the application's and the seeder's secret", (environment) => {
    const found = resolveEnvironments("config").find(({ config }) => config.environment === environment);
    expect(found?.config.connectionSecret).toMatchObject({ name: STACK_SECRET_IDS.app[environment], seederName: STACK_SECRET_IDS.seeder[environment] });
  });

  it("keeps the application's secret as the default --secret-id", () => {
    expect(DEFAULT_SECRET_ID).toBe(STACK_SECRET_IDS.app.prod);
  });
});
