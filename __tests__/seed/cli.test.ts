import { execFile } from "node:child_process";
import { createServer } from "node:net";
import { promisify } from "node:util";
import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import { MongoClient, MongoServerError } from "mongodb";
import { CALL_STATUSES, DECLARED_SHAPE } from "../../src/seed/declared-shape";
import { EXIT } from "../../src/seed/exit-codes";
import { STACK_SECRET_IDS } from "../../src/seed/secret-names";
import { npmScript } from "../support/run-typescript";
import { closedPort } from "./support/closed-port";
import { FakeMongoServer } from "./support/fake-mongo";
import { readWritePrivileges, seederPrivileges } from "./support/privileges";
import { runSeed } from "./support/run-seed";

const secretsManager = mockClient(SecretsManagerClient);
// Test files share modules (vitest isolate: false): give the real client back afterwards.
afterAll(() => secretsManager.restore());
beforeEach(() => secretsManager.reset());

const run = runSeed;

const realClient = (uri: string, options: object) => new MongoClient(uri, options);
const stackTraceLine = /^\s+at /;

describe("seed spec", () => {
  it("prints the declared shape as JSON and exits 0 without AWS or MongoDB", async () => {
    const result = await run(["spec"]);
    expect(result.code).toBe(EXIT.ok);
    expect(JSON.parse(result.stdout.join("\n"))).toEqual(JSON.parse(JSON.stringify(DECLARED_SHAPE)));
    expect(result.stderr).toEqual([]);
  });
});

describe("seed command-line usage", () => {
  it("prints the usage and exits 0 on --help", async () => {
    const result = await run(["--help"]);
    expect(result.code).toBe(EXIT.ok);
    expect(result.stdout[0]).toBe("Usage: npm run seed -- <spec|plan|apply> [options]");
  });

  it("documents --index-build-timeout-ms with its default in minutes, apart from --timeout-ms (server selection), and exit 4", async () => {
    const help = (await run(["--help"])).stdout.join("\n");
    expect(help).toMatch(/--index-build-timeout-ms <ms> .*\(default: 1800000, 30 min\)/);
    expect(help).toMatch(/--timeout-ms <ms> +how long to look for a reachable server/);
    expect(help).toContain("4 index build in progress");
  });

  it("says in the help that the default secret is the application's and that pipelines pass the seeder's", async () => {
    const help = (await run(["--help"])).stdout.join("\n");
    expect(help).toContain(`(default: ${STACK_SECRET_IDS.app.prod}, the application's)`);
    expect(help).toContain(`Pipelines pass the seeder's, ${STACK_SECRET_IDS.seeder.prod} (dev: ${STACK_SECRET_IDS.seeder.dev})`);
  });

  it.each([
    [[], "error: expected one command (spec, plan, apply), got 0"],
    [["destroy"], 'error: unknown command "destroy"; expected spec, plan, apply'],
    [["plan", "--timeout-ms", "soon"], 'error: --timeout-ms must be a positive whole number of milliseconds, got "soon"'],
    [["plan", "--uri", ""], "error: --uri must not be empty"],
    [["apply", "--index-build-timeout-ms", "0"], 'error: --index-build-timeout-ms must be a positive whole number of milliseconds, got "0"'],
  ])("refuses %j with a usage error and exit 1", async (argv, message) => {
    const result = await run(argv);
    expect(result.code).toBe(EXIT.failure);
    expect(result.stderr[0]).toBe(message);
    expect(result.stderr).toContain("Usage: npm run seed -- <spec|plan|apply> [options]");
  });

  // Node's parseArgs never repeats the value of an unknown option (--url=mongodb://...), so these
  // use the paths whose usage error really quotes the argument: the command and --timeout-ms.
  it.each([
    ["given as the command", ["mongodb://app:Hunter22@host/"], /^error: unknown command "mongodb:\/\/\S*@host\/"/],
    ["given as --timeout-ms", ["plan", "--timeout-ms", "mongodb://app:Hunter22@host/"], /^error: --timeout-ms must be .* got "mongodb:\/\/\S*@host\/"$/],
  ])("quotes a URI %s in the usage error without its password", async (_where, argv, quoted) => {
    const result = await run(argv);
    expect(result.code).toBe(EXIT.failure);
    expect(result.stderr[0]).toMatch(quoted);
    expect(result.printed).not.toContain("Hunter22");
  });
});

describe("seed plan failures", () => {
  it("reports a malformed URI in one line of cause and a hint, quoting no part of the password", async () => {
    const result = await run(["plan", "--uri", "mongodb://app:Qz9@Kx/Vb7?Lm8@host/"], { mongoClient: realClient });
    expect(result.code).toBe(EXIT.failure);
    expect(result.stderr).toEqual([
      "error: malformed connection string: the username or password is not valid in a URI",
      "hint: percent-encode special characters (: / ? # [ ] @ %) in the username and password",
    ]);
    expect(result.printed).not.toMatch(/Qz9|Kx|Vb7|Lm8/);
  });

  it("relays the driver's reason when the URI is malformed elsewhere", async () => {
    const result = await run(["plan", "--uri", "mongodb://app:Secret123@host:notaport/"], { mongoClient: realClient });
    expect(result.code).toBe(EXIT.failure);
    expect(result.stderr[0]).toMatch(/^error: malformed connection string: .*notaport/);
    expect(result.printed).not.toContain("Secret123");
  });

  it("gives up on a host that never answers within the timeout, with the PrivateLink hint, the error as first line and no credentials", async () => {
    // Accepts TCP and then stays silent, like a route into a VPC from outside it.
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const started = performance.now();
      const result = await run(["plan", "--timeout-ms", "300"], {
        env: { MONGODB_URI: `mongodb://app:Secret123@127.0.0.1:${port}/?directConnection=true` },
        mongoClient: realClient,
      });
      const elapsed = performance.now() - started;
      expect(result.code).toBe(EXIT.failure);
      expect(result.lines).toHaveLength(2);
      expect(result.lines[0]).toMatch(/^error: cannot reach MongoDB within 300 ms: /);
      expect(result.lines[1]).toMatch(/inside the VPC .*PrivateLink hosts .*reachable only there/);
      expect(result.printed).not.toContain("Secret123");
      expect(elapsed).toBeLessThan(5_000);
    } finally {
      silent.close();
    }
  });

  it("says nothing is listening when a connection on this machine is refused, not the VPC hint", async () => {
    const port = await closedPort();
    const result = await run(["plan", "--timeout-ms", "300"], {
      env: { MONGODB_URI: `mongodb://app:Secret123@127.0.0.1:${port}/?directConnection=true` },
      mongoClient: realClient,
    });
    expect(result.code).toBe(EXIT.failure);
    expect(result.lines).toEqual([
      `error: nothing listening on 127.0.0.1:${port} (connection refused)`,
      expect.stringMatching(/^hint: no MongoDB server runs on this machine at that port: start it/),
    ]);
    expect(result.printed).not.toMatch(/VPC|Secret123/);
  });

  it("adds a stack trace only with --verbose, still without credentials", async () => {
    const port = await closedPort();
    const uri = `mongodb://app:Secret123@127.0.0.1:${port}/?directConnection=true`;
    const quiet = await run(["plan", "--timeout-ms", "200", "--uri", uri], { mongoClient: realClient });
    const verbose = await run(["plan", "--timeout-ms", "200", "--uri", uri, "--verbose"], { mongoClient: realClient });
    expect(quiet.stderr.some((line) => stackTraceLine.test(line))).toBe(false);
    expect(verbose.stderr.some((line) => stackTraceLine.test(line))).toBe(true);
    expect(verbose.printed).not.toContain("Secret123");
  });

  it("reports an authentication failure", async () => {
    const refused = new MongoServerError({ ok: 0, message: "Authentication failed.", code: 18, codeName: "AuthenticationFailed" });
    const refusingClient = () =>
      ({
        connect: async () => {
          throw refused;
        },
        close: async () => undefined,
      }) as unknown as MongoClient;
    const result = await run(["plan", "--uri", "mongodb://app:WrongPass1@host/"], { mongoClient: refusingClient });
    expect(result.code).toBe(EXIT.failure);
    expect(result.stderr[0]).toBe("error: authentication failed: Authentication failed.");
    expect(result.stderr[1]).toMatch(/^hint: /);
    expect(result.printed).not.toContain("WrongPass1");
  });

  it("reports a missing secret by name and region", async () => {
    secretsManager.on(GetSecretValueCommand).rejects(new ResourceNotFoundException({ message: "Secrets Manager can't find the specified secret.", $metadata: {} }));
    const result = await run(["plan"], {
      env: { AWS_REGION: "us-east-1" },
      secretsManager: (region) => new SecretsManagerClient({ region }),
    });
    expect(result.code).toBe(EXIT.failure);
    expect(result.stderr[0]).toBe('error: secret "audio-pipeline/mongodb-uri" was not found in us-east-1');
    expect(result.stderr[1]).toMatch(/^hint: check --secret-id/);
  });

  it("reports a secret without a uri field", async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ username: "audio-pipeline-app", database: "audio_pipeline" }) });
    const result = await run(["plan", "--secret-id", "audio-pipeline-dev/mongodb-seed-uri"], {
      env: { AWS_REGION: "us-east-1" },
      secretsManager: (region) => new SecretsManagerClient({ region }),
    });
    expect(result.code).toBe(EXIT.failure);
    expect(result.stderr[0]).toBe('error: secret "audio-pipeline-dev/mongodb-seed-uri" has no "uri" field');
  });

  it("connects with the secret's URI and database, and never prints its password", async () => {
    const uri = "mongodb://audio-pipeline-app:FromSecret9@127.0.0.1:27017/audio_pipeline?directConnection=true";
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ uri, database: "audio_pipeline_dev", authentication: "password" }) });
    const server = new FakeMongoServer();
    const used: string[] = [];
    const result = await run(["plan"], {
      env: { AWS_REGION: "us-east-1" },
      secretsManager: (region) => new SecretsManagerClient({ region }),
      mongoClient: (connectTo) => {
        used.push(connectTo);
        return server.client();
      },
    });
    expect(used).toEqual([uri]);
    expect(result.code).toBe(EXIT.changesPending);
    expect(result.lines[0]).toBe('Database "audio_pipeline_dev":');
    expect(result.printed).not.toContain("FromSecret9");
  });
});

describe("seed plan and apply (in-memory server)", () => {
  const database = "audio_pipeline";
  const uri = "mongodb://app:Secret123@fake-host/";
  let server: FakeMongoServer;
  const against = () => ({ mongoClient: () => server.client() });
  const declaredIndexCount = DECLARED_SHAPE.collections.reduce((sum, collection) => sum + collection.indexes.length, 0);

  beforeEach(() => {
    server = new FakeMongoServer();
  });

  it("plan on an empty database lists every creation and exits 2", async () => {
    const result = await run(["plan", "--uri", uri], against());
    expect(result.code).toBe(EXIT.changesPending);
    expect(result.stdout.filter((line) => line.startsWith("  + create collection"))).toHaveLength(DECLARED_SHAPE.collections.length);
    expect(result.stdout.filter((line) => line.startsWith("  + create index"))).toHaveLength(declaredIndexCount);
    expect(server.writes).toEqual([]);
  });

  it("apply makes every change, re-plans to no changes and exits 0; plan then exits 0", async () => {
    const applied = await run(["apply", "--uri", uri], against());
    expect(applied.code).toBe(EXIT.ok);
    expect(applied.stdout.at(-1)).toBe(`Apply complete: ${DECLARED_SHAPE.collections.length + declaredIndexCount} operation(s). Re-plan: no changes.`);
    expect(server.writes).toEqual([
      ...DECLARED_SHAPE.collections.map((collection) => `create ${collection.name}`),
      ...DECLARED_SHAPE.collections.map((collection) => `createIndexes ${collection.name}`),
    ]);
    const planned = await run(["plan", "--uri", uri], against());
    expect(planned.code).toBe(EXIT.ok);
    expect(planned.stdout.at(-1)).toBe(`No changes. Database "${database}" matches the declared shape.`);
  });

  it("a second apply sends no write at all", async () => {
    await run(["apply", "--uri", uri], against());
    const writesAfterFirstApply = server.writes.length;
    const second = await run(["apply", "--uri", uri], against());
    expect(second.code).toBe(EXIT.ok);
    expect(server.writes).toHaveLength(writesAfterFirstApply);
  });

  it("plan shows a changed validator before and after, and apply fixes it with one collMod", async () => {
    await run(["apply", "--uri", uri], against());
    const outdated = ["uploaded", "complete"];
    const calls = DECLARED_SHAPE.collections[0];
    server.seedCollection(database, "calls", {
      options: {
        validator: { $jsonSchema: { ...calls.validator.$jsonSchema, properties: { ...calls.validator.$jsonSchema.properties, status: { bsonType: "string", enum: outdated } } } },
        validationLevel: "strict",
        validationAction: "warn",
      },
      indexes: [{ v: 2, key: { _id: 1 }, name: "_id_" }, ...calls.indexes.map((index) => ({ v: 2, ...index }))],
    });
    const writesBefore = server.writes.length;

    const planned = await run(["plan", "--uri", uri], against());
    expect(planned.code).toBe(EXIT.changesPending);
    expect(planned.stdout).toContain("  ~ update validator of calls (collMod)");
    expect(planned.stdout).toContain(`      validator.$jsonSchema.properties.status.enum: ${JSON.stringify(outdated)} -> ${JSON.stringify(CALL_STATUSES)}`);
    expect(planned.stdout).toContain('      validationAction: "warn" -> "error"');
    expect(planned.stdout).toContain("      existing documents violating the new validator: 0");
    expect(server.counts).toEqual([{ collection: "calls", filter: { $nor: [calls.validator] } }]);

    const applied = await run(["apply", "--uri", uri], against());
    expect(applied.code).toBe(EXIT.ok);
    expect(server.writes.slice(writesBefore)).toEqual(["collMod calls"]);
  });

  it("plan and apply refuse a validator change that existing documents violate; apply changes nothing, not even the other pending changes", async () => {
    const calls = DECLARED_SHAPE.collections[0];
    const { status: _status, ...otherProperties } = calls.validator.$jsonSchema.properties ?? {};
    const anyStatus = { $jsonSchema: { ...calls.validator.$jsonSchema, properties: { ...otherProperties, status: { bsonType: "string" } } } };
    // calls exists with an older, looser validator; its indexes and every other collection are missing.
    server.seedCollection(database, "calls", { options: { validator: anyStatus, validationLevel: "strict", validationAction: "error" }, violatingDocuments: 3 });

    const planned = await run(["plan", "--uri", uri], against());
    expect(planned.code).toBe(EXIT.conflict);
    const conflictLine = planned.stdout.find((line) => line.startsWith("  ! conflict on validator of calls: "));
    expect(conflictLine).toMatch(/: 3 existing documents violate the new validator\b/);
    expect(conflictLine).toContain("the seeder never rewrites documents");
    expect(conflictLine).toContain("migrate the data first");
    expect(planned.stdout).toContain(`      validator.$jsonSchema.properties.status.enum: (absent) -> ${JSON.stringify(CALL_STATUSES)}`);

    const applied = await run(["apply", "--uri", uri], against());
    expect(applied.code).toBe(EXIT.conflict);
    expect(applied.stdout.filter((line) => line.startsWith("  + create"))).not.toHaveLength(0);
    expect(applied.stdout.at(-1)).toBe("Apply refused: 1 conflict(s) above. Nothing was changed.");
    expect(server.writes).toEqual([]);

    // Once the data is migrated, the same change is an ordinary update.
    server.setViolatingDocuments(database, "calls", 0);
    const replanned = await run(["plan", "--uri", uri], against());
    expect(replanned.code).toBe(EXIT.changesPending);
    expect(replanned.stdout).toContain("  ~ update validator of calls (collMod)");
    expect((await run(["apply", "--uri", uri], against())).code).toBe(EXIT.ok);
    expect(server.writes).toContain("collMod calls");
  });

  it("apply with a conflict and other pending changes exits 3, shows both index definitions and changes nothing", async () => {
    server.seedCollection(database, "calls", { indexes: [{ v: 2, key: { _id: 1 }, name: "_id_" }, { v: 2, key: { call_id: 1 }, name: "call_id_1" }] });
    const planned = await run(["plan", "--uri", uri], against());
    expect(planned.code).toBe(EXIT.conflict);

    const applied = await run(["apply", "--uri", uri], against());
    expect(applied.code).toBe(EXIT.conflict);
    expect(applied.stdout).toContain("  ! conflict on index calls.call_id_1: same name and key, different options");
    expect(applied.stdout).toContain('      declared: {"name":"call_id_1","key":{"call_id":1},"unique":true}');
    expect(applied.stdout).toContain('      found:    {"v":2,"key":{"call_id":1},"name":"call_id_1"}');
    expect(applied.stdout.filter((line) => line.startsWith("  + create"))).not.toHaveLength(0);
    expect(applied.stdout.at(-1)).toBe("Apply refused: 1 conflict(s) above. Nothing was changed.");
    expect(server.writes).toEqual([]);
  });

  it("apply refuses before any write when the user may not run collMod, and says nothing was changed", async () => {
    await run(["apply", "--uri", uri], against());
    server.seedCollection(database, "calls", { options: {}, indexes: [{ v: 2, key: { _id: 1 }, name: "_id_" }] }); // validator and indexes gone
    server.authenticatedUserPrivileges = readWritePrivileges(database);
    const writesBefore = server.writes.length;
    const applied = await run(["apply", "--uri", uri], against());
    expect(applied.code).toBe(EXIT.failure);
    expect(applied.stderr[0]).toBe(`error: the connected user lacks privileges this plan needs (collMod on ${database}.calls); nothing was changed`);
    expect(applied.stderr[1]).toContain("dbAdmin");
    expect(applied.stderr[1]).toContain(`--secret-id set to the seeder's secret (stack output seeder_secret_name: ${STACK_SECRET_IDS.seeder.prod}, dev ${STACK_SECRET_IDS.seeder.dev})`);
    expect(server.writes.slice(writesBefore)).toEqual([]);

    server.authenticatedUserPrivileges = seederPrivileges(database);
    expect((await run(["apply", "--uri", uri], against())).code).toBe(EXIT.ok);
    expect(server.writes.slice(writesBefore)).toEqual(["collMod calls", "createIndexes calls"]);
  });

  it("apply refuses a time-series collection under a declared name and changes nothing", async () => {
    server.seedCollection(database, "processing_metrics", { type: "timeseries", options: { timeseries: { timeField: "timestamp" } }, indexes: [] });
    const applied = await run(["apply", "--uri", uri], against());
    expect(applied.code).toBe(EXIT.conflict);
    expect(server.writes).toEqual([]);
  });

  it("uses --database instead of the default", async () => {
    await run(["apply", "--uri", uri, "--database", "scratch"], against());
    const defaultDatabase = await run(["plan", "--uri", uri], against());
    expect(defaultDatabase.code).toBe(EXIT.changesPending);
    const scratch = await run(["plan", "--uri", uri, "--database", "scratch"], against());
    expect(scratch.code).toBe(EXIT.ok);
  });
});

describe("seed as a process", () => {
  /** The arguments `npm run seed` gives node, so that the test runs what CI runs. */
  const [, ...SEED] = npmScript("seed");
  const execFileAsync = promisify(execFile);
  const env = { ...process.env, MONGODB_URI: "", AWS_REGION: "" };

  it("npm run seed -- spec prints the declared shape and exits 0", async () => {
    const { stdout } = await execFileAsync(process.execPath, [...SEED, "spec"], { env, timeout: 60_000 });
    expect(JSON.parse(stdout)).toEqual(JSON.parse(JSON.stringify(DECLARED_SHAPE)));
  });
});
