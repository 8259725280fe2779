import { ResourceNotFoundException, SecretsManagerServiceException } from "@aws-sdk/client-secrets-manager";
import { MongoAPIError, MongoAWSError, MongoNetworkTimeoutError, MongoParseError, MongoServerError, MongoServerSelectionError } from "mongodb";
import {
  ApplyInterruptedError,
  describeFailure,
  MalformedConnectionStringError,
  SecretReadError,
  SeedError,
} from "../../src/seed/errors";
import { STACK_SECRET_IDS } from "../../src/seed/secret-names";

const context = { timeoutMs: 10_000 };

/** A MongoServerError as the driver builds it from a server reply. */
function serverError(reply: { code: number; codeName: string; errmsg: string }): MongoServerError {
  return new MongoServerError({ ok: 0, message: reply.errmsg, ...reply });
}

function dnsError(syscall: string, code: string, hostname: string): Error {
  return Object.assign(new Error(`${syscall} ${code} ${hostname}`), { syscall, code, hostname, errno: undefined });
}

describe("describeFailure for authentication", () => {
  it("explains code 18 AuthenticationFailed", () => {
    const failure = describeFailure(serverError({ code: 18, codeName: "AuthenticationFailed", errmsg: "Authentication failed." }), context);
    expect(failure.cause).toBe("authentication failed: Authentication failed.");
    expect(failure.hint).toContain("rotated");
  });

  it("explains Atlas's own bad-auth reply (code 8000 AtlasError)", () => {
    const failure = describeFailure(serverError({ code: 8000, codeName: "AtlasError", errmsg: "bad auth : authentication failed" }), context);
    expect(failure.cause).toBe("authentication failed: bad auth : authentication failed");
  });

  it("finds an authentication failure wrapped as the cause of another error", () => {
    const wrapped = new Error("handshake failed", { cause: serverError({ code: 18, codeName: "AuthenticationFailed", errmsg: "Authentication failed." }) });
    expect(describeFailure(wrapped, context).cause).toMatch(/^authentication failed/);
  });

  it("does not mistake another Atlas error for an authentication failure", () => {
    const failure = describeFailure(serverError({ code: 8000, codeName: "AtlasError", errmsg: "cluster is paused" }), context);
    expect(failure.cause).not.toMatch(/authentication/);
  });
});

describe("describeFailure for MONGODB-AWS without AWS credentials", () => {
  it("says the seeder's role is not available here, not that the login was refused", () => {
    const failure = describeFailure(new MongoAWSError("Could not load credentials from any providers"), context);
    expect(failure.cause).toBe("no AWS credentials for MONGODB-AWS authentication: Could not load credentials from any providers");
    expect(failure.hint).toContain("database.seederRoleArn");
  });
});

describe("describeFailure for an unreachable host", () => {
  it("explains a server selection timeout with the timeout and the PrivateLink hint", () => {
    const error = new MongoServerSelectionError("Server selection timed out after 10000 ms", { servers: new Map() } as never);
    const failure = describeFailure(error, context);
    expect(failure.cause).toBe("cannot reach MongoDB within 10000 ms: Server selection timed out after 10000 ms");
    expect(failure.hint).toMatch(/inside the VPC .*PrivateLink hosts .*reachable only there/);
  });

  it("explains an SRV name that does not resolve (outside the VPC) with the PrivateLink hint", () => {
    const failure = describeFailure(dnsError("querySrv", "ENOTFOUND", "_mongodb._tcp.cluster0-pl-0.abcde.mongodb.net"), context);
    expect(failure.cause).toBe("cannot resolve _mongodb._tcp.cluster0-pl-0.abcde.mongodb.net (ENOTFOUND)");
    expect(failure.hint).toContain("inside the VPC");
  });

  it("explains a network timeout", () => {
    expect(describeFailure(new MongoNetworkTimeoutError("connection timed out"), context).hint).toContain("inside the VPC");
  });
});

describe("describeFailure for a bad URI", () => {
  it("explains a MongoParseError", () => {
    const failure = describeFailure(new MongoParseError("option badoption is not supported"), context);
    expect(failure.cause).toBe("invalid connection string or option: option badoption is not supported");
  });

  it("explains a MongoAPIError", () => {
    expect(describeFailure(new MongoAPIError('URI option "x" cannot be specified with no value'), context).cause).toMatch(/^invalid connection string/);
  });

  it("asks to percent-encode when only the credentials are malformed", () => {
    const failure = describeFailure(new MalformedConnectionStringError("the username or password is not valid in a URI", true), context);
    expect(failure.cause).toBe("malformed connection string: the username or password is not valid in a URI");
    expect(failure.hint).toContain("percent-encode");
  });

  it("shows the expected form when the rest of the URI is malformed", () => {
    expect(describeFailure(new MalformedConnectionStringError("Invalid scheme", false), context).hint).toContain("mongodb+srv://");
  });
});

describe("describeFailure for the connection secret", () => {
  it("explains a missing secret with its id and region", () => {
    const missing = new ResourceNotFoundException({ message: "Secrets Manager can't find the specified secret.", $metadata: {} });
    const failure = describeFailure(new SecretReadError("audio-pipeline/mongodb-uri", "us-east-1", missing), context);
    expect(failure.cause).toBe('secret "audio-pipeline/mongodb-uri" was not found in us-east-1');
    expect(failure.hint).toContain("--secret-id");
  });

  it("names both secrets of each stack when one is missing, the seeder's as the one pipelines pass", () => {
    const missing = new ResourceNotFoundException({ message: "Secrets Manager can't find the specified secret.", $metadata: {} });
    const { hint } = describeFailure(new SecretReadError("audio-pipeline-dev/mongodb-seed-url", "us-east-1", missing), context);
    for (const name of [STACK_SECRET_IDS.seeder.prod, STACK_SECRET_IDS.seeder.dev, STACK_SECRET_IDS.app.prod, STACK_SECRET_IDS.app.dev]) {
      expect(hint).toContain(name);
    }
    expect(hint).toMatch(/seeder's secret \([^)]*\), which pipelines pass/);
  });

  it("explains a denied read with the permissions to grant", () => {
    const denied = new SecretsManagerServiceException({ name: "AccessDeniedException", $fault: "client", message: "not authorized", $metadata: {} });
    const failure = describeFailure(new SecretReadError("s", undefined, denied), context);
    expect(failure.cause).toBe('not allowed to read secret "s"');
    expect(failure.hint).toContain("secretsmanager:GetSecretValue");
  });

  it("explains missing AWS credentials and a missing region", () => {
    const noCredentials = Object.assign(new Error("Could not load credentials from any providers"), { name: "CredentialsProviderError" });
    expect(describeFailure(new SecretReadError("s", undefined, noCredentials), context).cause).toBe('no AWS credentials to read secret "s"');
    expect(describeFailure(new SecretReadError("s", undefined, new Error("Region is missing")), context).hint).toContain("AWS_REGION");
  });
});

describe("describeFailure for other failures", () => {
  it("passes the seeder's own explanations through", () => {
    expect(describeFailure(new SeedError("it broke", "fix it"), context)).toEqual({ cause: "it broke", hint: "fix it" });
  });

  it("says how far apply got and why it stopped", () => {
    const duplicate = serverError({ code: 11000, codeName: "DuplicateKey", errmsg: "E11000 duplicate key error" });
    const failure = describeFailure(new ApplyInterruptedError(2, 5, duplicate), context);
    expect(failure.cause).toBe("apply stopped after 2 of 5 operations: existing documents break a unique index: E11000 duplicate key error");
    expect(failure.hint).toContain("never deletes");
  });

  it("says truthfully what stays after an interrupted apply: collMod replaces a validator, it does not add one", () => {
    const refused = serverError({ code: 13, codeName: "Unauthorized", errmsg: "not authorized on audio_pipeline to execute command { collMod: ... }" });
    const { hint } = describeFailure(new ApplyInterruptedError(1, 3, refused), context);
    expect(hint).not.toMatch(/additive/);
    expect(hint).toContain("a replaced validator stays replaced");
    expect(hint).toMatch(/run plan, then apply again$/);
  });

  it("explains a missing role, pointing to the seeder's secret", () => {
    const failure = describeFailure(serverError({ code: 13, codeName: "Unauthorized", errmsg: "not authorized on audio_pipeline" }), context);
    expect(failure.hint).toContain("dbAdmin");
    expect(failure.hint).toContain(`--secret-id with the seeder's secret (stack output seeder_secret_name: ${STACK_SECRET_IDS.seeder.prod}`);
  });

  it("explains a command stopped by its time limit, rather than pointing to --verbose", () => {
    const failure = describeFailure(serverError({ code: 50, codeName: "MaxTimeMSExpired", errmsg: "operation exceeded time limit" }), context);
    expect(failure.cause).toBe("MongoDB stopped a command at its time limit (MaxTimeMSExpired: operation exceeded time limit)");
    expect(failure.hint).toMatch(/^every command carries one \(30 s for reads and collection changes\)/);
  });

  it("reports an unknown error by its message and points to --verbose", () => {
    expect(describeFailure(new TypeError("boom"), context)).toEqual({ cause: "unexpected failure: boom", hint: "rerun with --verbose for the stack trace" });
  });
});
