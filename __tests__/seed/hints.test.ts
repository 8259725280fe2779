import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer } from "node:tls";
import { promisify } from "node:util";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { MongoClient, MongoServerError } from "mongodb";
import { roleArnOf, sameRole } from "../../src/seed/aws-identity";
import { EXIT } from "../../src/seed/exit-codes";
import { USER_ROLLOUT_WINDOW_MS } from "../../src/seed/errors";
import { runSeed, virtualClock, type Run } from "./support/run-seed";

/*
 * The hints a person acts on: each failure is one "error:" line and one "hint:" line, redacted,
 * with no stack trace, and the hint fits the failure.
 */

const secretsManager = mockClient(SecretsManagerClient);
const sts = mockClient(STSClient);
// Test files share modules (vitest isolate: false): give the real clients back afterwards.
afterAll(() => {
  secretsManager.restore();
  sts.restore();
});
beforeEach(() => {
  secretsManager.reset();
  sts.reset();
});

const realClient = (uri: string, options: object) => new MongoClient(uri, options);
const stackTraceLine = /^\s+at /;

function expectTwoCleanLines(result: Run): void {
  expect(result.code).toBe(EXIT.failure);
  expect(result.lines).toHaveLength(2);
  expect(result.lines[0]).toMatch(/^error: /);
  expect(result.lines[1]).toMatch(/^hint: /);
  expect(result.lines.some((line) => stackTraceLine.test(line) || line.includes("\n"))).toBe(false);
}

const execFileAsync = promisify(execFile);
let certificateDir: string | undefined;
let opensslMissing: string | undefined;
beforeAll(async () => {
  certificateDir = mkdtempSync(join(tmpdir(), "seed-tls-"));
  await execFileAsync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", join(certificateDir, "key.pem"), "-out", join(certificateDir, "cert.pem"), "-days", "1", "-subj", "/CN=localhost"]).catch(
    (error: Error) => {
      opensslMissing = `openssl could not make a test certificate (${error.message.split("\n")[0]})`;
    },
  );
});
afterAll(() => {
  if (certificateDir !== undefined) rmSync(certificateDir, { recursive: true, force: true });
});

describe("a TLS certificate failure", () => {
  it("gets the TLS hint, not the VPC hint (a real handshake with a self-signed certificate on 127.0.0.1)", async (context) => {
    if (opensslMissing !== undefined) {
      console.warn(`[seed hints] skipped: ${opensslMissing}`);
      context.skip();
    }
    const server = createServer({ key: readFileSync(join(certificateDir!, "key.pem")), cert: readFileSync(join(certificateDir!, "cert.pem")) }, (socket) => socket.end());
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as { port: number };
      const result = await runSeed(["plan", "--timeout-ms", "500"], {
        env: { MONGODB_URI: `mongodb://app:Secret123@127.0.0.1:${port}/?directConnection=true&tls=true` },
        mongoClient: realClient,
      });
      expectTwoCleanLines(result);
      expect(result.lines[0]).toMatch(/^error: the server's TLS certificate was refused: .*\(DEPTH_ZERO_SELF_SIGNED_CERT\)$/);
      expect(result.lines[1]).toMatch(/check the machine's clock .*NODE_EXTRA_CA_CERTS .*never tlsAllowInvalidCertificates/);
      expect(result.printed).not.toMatch(/VPC|Secret123/);
    } finally {
      server.close();
    }
  });
});

/** A client whose connect fails as Atlas fails a login: AuthenticationFailed, wrapped by the driver's handshake. */
function refusingLogin(): () => MongoClient {
  const refused = new MongoServerError({ ok: 0, errmsg: "Authentication failed.", message: "Authentication failed.", code: 18, codeName: "AuthenticationFailed" });
  return () =>
    ({
      connect: async () => {
        throw refused;
      },
      close: async () => undefined,
    }) as unknown as MongoClient;
}

const now = Date.UTC(2026, 10, 29, 9, 0, 0);
const minutesAgo = (minutes: number) => new Date(now - minutes * 60_000);
const PASSWORD_URI = "mongodb+srv://audio-pipeline-seeder:Rotated99@cluster0-pl-0.abcde.mongodb.net/audio_pipeline";
const IAM_URI = "mongodb+srv://cluster0-pl-0.abcde.mongodb.net/audio_pipeline?authMechanism=MONGODB-AWS&authSource=%24external";
const SEEDER_ROLE = "arn:aws:iam::123456789012:role/audio-pipeline-seeder";

async function loginFailure(secret: Record<string, unknown>, createdAt: Date): Promise<Run> {
  secretsManager.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ database: "audio_pipeline", ...secret }), CreatedDate: createdAt });
  return runSeed(["plan", "--secret-id", "audio-pipeline/mongodb-seed-uri"], {
    env: { AWS_REGION: "us-east-1" },
    secretsManager: (region) => new SecretsManagerClient({ region }),
    sts: (region) => new STSClient({ region }),
    mongoClient: refusingLogin(),
    clock: virtualClock(now),
  });
}

describe("an authentication failure in password mode", () => {
  it(`within ${USER_ROLLOUT_WINDOW_MS / 60_000} minutes of the secret's version says the user may still be rolling out, and to retry`, async () => {
    const result = await loginFailure({ uri: PASSWORD_URI, authentication: "password" }, minutesAgo(3));
    expectTwoCleanLines(result);
    expect(result.lines[0]).toBe("error: authentication failed: Authentication failed.");
    expect(result.lines[1]).toMatch(/^hint: the secret's version was written 3 min ago, so Atlas may still be rolling out the database user: retry in a few minutes/);
    expect(result.printed).not.toContain("Rotated99");
  });

  it("later, names both causes", async () => {
    const result = await loginFailure({ uri: PASSWORD_URI, authentication: "password" }, minutesAgo(11));
    expectTwoCleanLines(result);
    expect(result.lines[1]).toMatch(/^hint: either the password no longer matches \(rotated, or the user removed.*\), or Atlas may still be rolling out the database user after a deploy: retry/);
    expect(sts.commandCalls(GetCallerIdentityCommand)).toHaveLength(0);
  });
});

describe("an authentication failure in aws-iam mode", () => {
  it("names the role the driver signed in as (an assumed role mapped to its role ARN) and both causes", async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Arn: "arn:aws:sts::123456789012:assumed-role/audio-pipeline-seeder/GitHubActions", Account: "123456789012" });
    const result = await loginFailure({ uri: IAM_URI, authentication: "aws-iam", roleArn: SEEDER_ROLE }, minutesAgo(45));
    expectTwoCleanLines(result);
    expect(result.lines[0]).toBe(`error: MONGODB-AWS authentication failed as ${SEEDER_ROLE}: Authentication failed.`);
    expect(result.lines[1]).toMatch(/^hint: either .*audio-pipeline-seeder is not a database user in Atlas .*, or Atlas may still be rolling out the database user/);
  });

  it("says which role the user is named after when the seeder runs as another role", async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Arn: "arn:aws:sts::123456789012:assumed-role/developer/alice" });
    const result = await loginFailure({ uri: IAM_URI, authentication: "aws-iam", roleArn: SEEDER_ROLE }, minutesAgo(45));
    expectTwoCleanLines(result);
    expect(result.lines[0]).toBe("error: MONGODB-AWS authentication failed as arn:aws:iam::123456789012:role/developer: Authentication failed.");
    expect(result.lines[1]).toContain(`the database user is ${SEEDER_ROLE} (the secret's roleArn), not arn:aws:iam::123456789012:role/developer: run as that role`);
    expect(result.lines[1]).toMatch(/or Atlas may still be rolling out/);
  });

  it("puts the roll-out first right after the secret's version was written", async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Arn: "arn:aws:sts::123456789012:assumed-role/audio-pipeline-seeder/GitHubActions" });
    const result = await loginFailure({ uri: IAM_URI, authentication: "aws-iam", roleArn: SEEDER_ROLE }, minutesAgo(2));
    expect(result.lines[1]).toMatch(/^hint: the secret's version was written 2 min ago, so Atlas may still be rolling out the database user: retry in a few minutes; or /);
  });

  it("still gives both causes when STS cannot say who the caller is, without a stack trace", async () => {
    sts.on(GetCallerIdentityCommand).rejects(Object.assign(new Error("Could not load credentials from any providers"), { name: "CredentialsProviderError" }));
    const result = await loginFailure({ uri: IAM_URI, authentication: "aws-iam" }, minutesAgo(45));
    expectTwoCleanLines(result);
    expect(result.lines[0]).toBe("error: MONGODB-AWS authentication failed as the AWS role of this process (GetCallerIdentity failed: CredentialsProviderError): Authentication failed.");
    expect(result.lines[1]).toMatch(/is not a database user in Atlas.*rolling out/);
  });
});

describe("roleArnOf and sameRole", () => {
  it.each([
    ["arn:aws:sts::123456789012:assumed-role/seeder/session-1", "arn:aws:iam::123456789012:role/seeder"],
    ["arn:aws-us-gov:sts::123456789012:assumed-role/seeder/s", "arn:aws-us-gov:iam::123456789012:role/seeder"],
    ["arn:aws:iam::123456789012:user/alice", "arn:aws:iam::123456789012:user/alice"],
  ])("maps %s to %s", (caller, role) => {
    expect(roleArnOf(caller)).toBe(role);
  });

  it("compares partition, account and role name, ignoring an IAM path the assumed-role ARN cannot carry", () => {
    expect(sameRole("arn:aws:sts::123456789012:assumed-role/seeder/s", "arn:aws:iam::123456789012:role/ci/seeder")).toBe(true);
    expect(sameRole("arn:aws:sts::123456789012:assumed-role/seeder/s", "arn:aws:iam::210987654321:role/seeder")).toBe(false);
    expect(sameRole("arn:aws:iam::123456789012:role/app", "arn:aws:iam::123456789012:role/seeder")).toBe(false);
  });
});
