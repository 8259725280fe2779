import { createRequire } from "node:module";
import { MongoClient } from "mongodb";
import { clientOptions, createClient } from "../../src/seed/client";
import { MalformedConnectionStringError } from "../../src/seed/errors";

const makeClient = (uri: string, options: object) => new MongoClient(uri, options);
const options = clientOptions(1_000, 60_000);

function failureOf(uri: string): MalformedConnectionStringError {
  try {
    createClient(uri, options, makeClient);
  } catch (error) {
    if (error instanceof MalformedConnectionStringError) return error;
    throw error;
  }
  throw new Error(`expected ${uri} to be refused`);
}

function driverMessageFor(uri: string): string {
  try {
    new MongoClient(uri);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`the driver accepts ${uri}`);
}

describe("createClient", () => {
  it("returns a client for a valid URI without connecting", async () => {
    const client = createClient("mongodb://127.0.0.1:27017/?directConnection=true", options, makeClient);
    expect(client).toBeInstanceOf(MongoClient);
    await client.close();
  });

  it("passes the timeout to server selection and connection", () => {
    expect(clientOptions(1_234, 60_000)).toMatchObject({ serverSelectionTimeoutMS: 1_234, connectTimeoutMS: 1_234 });
  });

  it("drops a silent socket only after the longest server-side limit could have answered", () => {
    const indexBuildTimeoutMs = 2 * 60 * 60_000;
    expect(clientOptions(1_000, indexBuildTimeoutMs).socketTimeoutMS).toBeGreaterThan(indexBuildTimeoutMs);
  });

  it("finds @aws-sdk/credential-providers where the driver looks for it (MONGODB-AWS), in a version its peer range accepts", () => {
    const fromDriver = createRequire(require.resolve("mongodb"));
    expect(typeof fromDriver("@aws-sdk/credential-providers").fromNodeProviderChain).toBe("function");
    const range = String(fromDriver("mongodb/package.json").peerDependencies["@aws-sdk/credential-providers"]);
    const installed = String(fromDriver("@aws-sdk/credential-providers/package.json").version);
    const [, major, minor] = /^\^(\d+)\.(\d+)\.\d+$/.exec(range) ?? [];
    const [installedMajor, installedMinor] = installed.split(".").map(Number);
    expect(installedMajor).toBe(Number(major));
    expect(installedMinor).toBeGreaterThanOrEqual(Number(minor));
  });

  it("reports the driver's reason when the URI is malformed outside the credentials", () => {
    const failure = failureOf("mongodb://app:Secret123@host:notaport/");
    expect(failure.inCredentials).toBe(false);
    expect(failure.detail).toBe(driverMessageFor("mongodb://user:password@host:notaport/"));
  });

  it("blames the credentials, quoting none of them, when only they are malformed", () => {
    const uri = "mongodb://app:Qz9@Kx/Vb7?Lm8@host/";
    expect(driverMessageFor(uri)).toContain("Lm8"); // what the driver alone would have printed
    const failure = failureOf(uri);
    expect(failure.inCredentials).toBe(true);
    expect(failure.message).not.toMatch(/Qz9|Kx|Vb7|Lm8/);
  });

  it("reports the driver's reason for a URI without credentials", () => {
    expect(failureOf("http://host/").detail).toBe(driverMessageFor("http://host/"));
  });
});
