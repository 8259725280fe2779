import { parseArgs } from "node:util";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { STSClient } from "@aws-sdk/client-sts";
import { MongoClient } from "mongodb";
import { applyOperations } from "./apply";
import { callerIdentity } from "./aws-identity";
import { clientOptions, createClient, type MongoClientFactory } from "./client";
import { SeedCommands } from "./commands";
import { DEFAULT_DATABASE, DEFAULT_SECRET_ID, resolveConnection, type ResolvedConnection } from "./connection";
import { DECLARED_SHAPE } from "./declared-shape";
import { EXIT } from "./exit-codes";
import { describeFailure, isAuthenticationError, SeedError, type CredentialsContext } from "./errors";
import { waitForIndexBuilds, type BuildOutcome, type WaitClock } from "./index-build-wait";
import { observeDatabase } from "./observe";
import { isEmptyPlan, planChanges, type Plan } from "./planner";
import { missingPrivileges, type ConnectionStatusReply } from "./privileges";
import { Redactor } from "./redact";
import { SEEDER_SECRET, SEEDER_SECRETS_HELP } from "./secret-names";
import { describeOperation, renderPlan } from "./render";
import { DEFAULT_INDEX_BUILD_TIMEOUT_MS, describeDuration, INDEX_BUILD_POLL_INTERVAL_MS } from "./time-limits";

/*
 * `npm run seed -- <spec|plan|apply>`: the command line around the planner. Everything it needs
 * from the outside (output, environment, clock, AWS and MongoDB clients) comes in through
 * SeedDeps, so tests run it in-process without network, AWS or a server.
 */

export const DEFAULT_TIMEOUT_MS = 10_000;

export interface SeedDeps {
  /** Writes one line of normal output (the plan, progress, spec JSON). */
  readonly stdout: (line: string) => void;
  /** Writes one line of diagnostics (failures, hints, usage errors). */
  readonly stderr: (line: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Region is passed only when AWS_REGION is set; otherwise the SDK's own resolution applies. */
  readonly secretsManager: (region: string | undefined) => SecretsManagerClient;
  /** Asked only after a MONGODB-AWS authentication failure, to name the role the driver signed in as. */
  readonly sts: (region: string | undefined) => STSClient;
  readonly mongoClient: MongoClientFactory;
  /** Time, for the wait on index builds and the age of the secret's version. */
  readonly clock: WaitClock;
}

export function defaultDeps(): SeedDeps {
  return {
    stdout: (line) => process.stdout.write(`${line}\n`),
    stderr: (line) => process.stderr.write(`${line}\n`),
    env: process.env,
    secretsManager: (region) => new SecretsManagerClient(region === undefined ? {} : { region }),
    sts: (region) => new STSClient(region === undefined ? {} : { region }),
    mongoClient: (uri, options) => new MongoClient(uri, options),
    clock: { now: () => Date.now(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) },
  };
}

const USAGE = [
  "Usage: npm run seed -- <spec|plan|apply> [options]",
  "",
  "Brings the database to the shape declared in src/seed/declared-shape.ts. Never drops or deletes anything, and never writes a document.",
  "",
  "Commands:",
  "  spec    print the declared shape as JSON (offline)",
  "  plan    show what apply would do; exit 0 no changes, 2 changes pending, 3 conflict, 4 index build in progress, 1 failure",
  "  apply   wait for index builds in progress, make the pending changes, then plan again; exit 0 done, 3 conflict (nothing changed), 1 failure",
  "",
  "Options:",
  "  --uri <uri>          connection string (default: $MONGODB_URI, else the secret below)",
  `  --secret-id <id>     Secrets Manager secret written by the stack; region from AWS_REGION (default: ${DEFAULT_SECRET_ID}, the application's).`,
  `                       Pipelines pass the seeder's, ${SEEDER_SECRETS_HELP}: replacing a validator needs its dbAdmin role`,
  `  --database <name>    database (default: the secret's "database" field, else ${DEFAULT_DATABASE})`,
  `  --timeout-ms <ms>    how long to look for a reachable server (default: ${DEFAULT_TIMEOUT_MS})`,
  `  --index-build-timeout-ms <ms>  time limit of each createIndexes, and the longest apply waits for a build in progress (default: ${DEFAULT_INDEX_BUILD_TIMEOUT_MS}, ${describeDuration(DEFAULT_INDEX_BUILD_TIMEOUT_MS)})`,
  "  --verbose            add stack traces to failures (credentials stay redacted)",
  "  -h, --help           show this help",
];

const COMMANDS = ["spec", "plan", "apply"] as const;
type Command = (typeof COMMANDS)[number];

interface Invocation {
  readonly command: Command;
  readonly uri?: string;
  readonly secretId: string;
  readonly database?: string;
  readonly timeoutMs: number;
  readonly indexBuildTimeoutMs: number;
  readonly verbose: boolean;
}

/** A command-line mistake: answered with the usage, not a hint. */
class UsageError extends Error {}

/** Runs one seeder command and returns its exit code; never throws, never prints a credential. */
export async function main(argv: readonly string[], deps: SeedDeps = defaultDeps()): Promise<number> {
  const redactor = new Redactor();
  // Before parsing: a usage error quotes a misplaced argument (`unknown command "mongodb://user:pass@..."`).
  for (const value of [...argv, deps.env.MONGODB_URI ?? ""]) if (value.includes("://")) redactor.addConnectionString(value);
  const out = (line: string) => deps.stdout(redactor.redact(line));
  const err = (line: string) => deps.stderr(redactor.redact(line));

  let invocation: Invocation | "help";
  try {
    invocation = parseInvocation(argv);
  } catch (error) {
    err(`error: ${error instanceof Error ? error.message : String(error)}`);
    USAGE.forEach(err);
    return EXIT.failure;
  }
  if (invocation === "help") {
    USAGE.forEach(out);
    return EXIT.ok;
  }

  let connection: ResolvedConnection | undefined;
  try {
    if (invocation.command === "spec") {
      out(JSON.stringify(DECLARED_SHAPE, null, 2));
      return EXIT.ok;
    }
    return await runAgainstServer(invocation, deps, redactor, out, (resolved) => {
      connection = resolved;
    });
  } catch (error) {
    const credentials = connection === undefined ? undefined : await credentialsContext(error, connection, deps);
    const failure = describeFailure(error, { timeoutMs: invocation.timeoutMs, ...(credentials === undefined ? {} : { credentials }) });
    err(`error: ${failure.cause}`);
    err(`hint: ${failure.hint}`);
    if (invocation.verbose) stackLines(error).forEach(err);
    return EXIT.failure;
  }
}

function parseInvocation(argv: readonly string[]): Invocation | "help" {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      uri: { type: "string" },
      "secret-id": { type: "string", default: DEFAULT_SECRET_ID },
      database: { type: "string" },
      "timeout-ms": { type: "string", default: String(DEFAULT_TIMEOUT_MS) },
      "index-build-timeout-ms": { type: "string", default: String(DEFAULT_INDEX_BUILD_TIMEOUT_MS) },
      verbose: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) return "help";
  if (positionals.length !== 1) throw new UsageError(`expected one command (${COMMANDS.join(", ")}), got ${positionals.length}`);
  const [command] = positionals;
  if (!isCommand(command)) throw new UsageError(`unknown command "${command}"; expected ${COMMANDS.join(", ")}`);
  const timeoutMs = milliseconds("timeout-ms", values["timeout-ms"]);
  const indexBuildTimeoutMs = milliseconds("index-build-timeout-ms", values["index-build-timeout-ms"]);
  for (const option of ["uri", "secret-id", "database"] as const) {
    if (values[option] === "") throw new UsageError(`--${option} must not be empty`);
  }
  return {
    command,
    uri: values.uri,
    secretId: values["secret-id"],
    database: values.database,
    timeoutMs,
    indexBuildTimeoutMs,
    verbose: values.verbose,
  };
}

function milliseconds(option: string, value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) throw new UsageError(`--${option} must be a positive whole number of milliseconds, got "${value}"`);
  return parsed;
}

function isCommand(value: string): value is Command {
  return (COMMANDS as readonly string[]).includes(value);
}

async function runAgainstServer(
  invocation: Invocation,
  deps: SeedDeps,
  redactor: Redactor,
  out: (line: string) => void,
  onResolved: (connection: ResolvedConnection) => void,
): Promise<number> {
  const connection = await resolveConnection(invocation, {
    env: deps.env,
    secretsManager: () => deps.secretsManager(deps.env.AWS_REGION),
    onUri: (uri) => redactor.addConnectionString(uri),
  });
  onResolved(connection);
  const client = createClient(connection.uri, clientOptions(invocation.timeoutMs, invocation.indexBuildTimeoutMs), deps.mongoClient);
  try {
    // No progress line first: the first line printed is the plan or the error.
    await client.connect();
    const commands = new SeedCommands(client.db(connection.database), invocation.indexBuildTimeoutMs);
    const plan = await readPlan(commands);
    renderPlan(plan, connection.database).forEach(out);
    if (invocation.command === "plan") return planExitCode(plan);
    return await apply(commands, plan, connection.database, { timeLimitMs: invocation.indexBuildTimeoutMs, clock: deps.clock }, out);
  } finally {
    await client.close().catch(() => undefined);
  }
}

async function readPlan(commands: SeedCommands): Promise<Plan> {
  return planChanges(DECLARED_SHAPE, await observeDatabase(commands, DECLARED_SHAPE));
}

/** Precedence: a conflict (3) over a build in progress (4) over pending changes (2). */
export function planExitCode(plan: Plan): number {
  if (plan.conflicts.length > 0) return EXIT.conflict;
  if (plan.building.length > 0) return EXIT.buildInProgress;
  return plan.operations.length > 0 ? EXIT.changesPending : EXIT.ok;
}

interface BuildWait {
  readonly timeLimitMs: number;
  readonly clock: WaitClock;
}

async function apply(commands: SeedCommands, initialPlan: Plan, database: string, wait: BuildWait, out: (line: string) => void): Promise<number> {
  let plan = initialPlan;
  if (plan.conflicts.length === 0 && plan.building.length > 0) plan = await afterBuildsEnd(commands, plan, database, wait, out);
  if (plan.conflicts.length > 0) {
    out(`Apply refused: ${plan.conflicts.length} conflict(s) above. Nothing was changed.`);
    return EXIT.conflict;
  }
  if (plan.operations.length === 0) return EXIT.ok;
  const reply = (await commands.connectionStatus()) as ConnectionStatusReply;
  const missing = missingPrivileges(reply, database, plan.operations);
  if (missing.length > 0) {
    const hint = missing.some((privilege) => privilege.startsWith("collMod"))
      ? `replacing a validator (collMod) needs dbAdmin on ${database}, which the application user does not have: run apply with --secret-id set to ${SEEDER_SECRET}, whose user has it`
      : `the user in the connection string needs readWrite on ${database}`;
    throw new SeedError(`the connected user lacks privileges this plan needs (${missing.join(", ")}); nothing was changed`, hint);
  }
  const commitQuorum = plan.operations.some((operation) => operation.kind === "createIndex") ? await commands.commitQuorum() : undefined;

  out("Applying:");
  await applyOperations(commands, plan.operations, commitQuorum, (operation) => {
    out(`  done: ${describeOperation(operation)}`);
  });
  const replan = await readPlan(commands);
  if (!isEmptyPlan(replan)) {
    renderPlan(replan, database).forEach(out);
    throw new SeedError(
      "the database still differs from the declared shape after apply",
      "something else changed it meanwhile: run plan again and investigate before applying",
    );
  }
  out(`Apply complete: ${plan.operations.length} operation(s). Re-plan: no changes.`);
  return EXIT.ok;
}

/**
 * Waits for the builds in progress (never starting a second build of the same index), says how
 * each ended, and returns the plan read afterwards. Builds still running at the time limit stop the apply.
 */
async function afterBuildsEnd(commands: SeedCommands, plan: Plan, database: string, wait: BuildWait, out: (line: string) => void): Promise<Plan> {
  out(`Waiting for ${plan.building.length} index build(s) in progress to end (at most ${describeDuration(wait.timeLimitMs)}); apply never starts a second build of an index:`);
  const outcomes = await waitForIndexBuilds(
    commands,
    plan.building,
    { timeLimitMs: wait.timeLimitMs, pollIntervalMs: INDEX_BUILD_POLL_INTERVAL_MS },
    wait.clock,
    (ended) => out(`  ${describeBuildOutcome(ended)}`),
  );
  const running = outcomes.filter(({ outcome }) => outcome === "running").map(({ build }) => `${build.collection}.${String(build.spec.name)}`);
  if (running.length > 0) {
    throw new SeedError(
      `${running.length} index build(s) still in progress after ${describeDuration(wait.timeLimitMs)} (${running.join(", ")}); nothing was changed`,
      "apply never starts a second build of an index: run plan again later (it exits 4 while a build runs), or raise --index-build-timeout-ms",
    );
  }
  const replan = await readPlan(commands);
  renderPlan(replan, database).forEach(out);
  return replan;
}

function describeBuildOutcome({ build, outcome }: BuildOutcome): string {
  const index = `${build.collection}.${String(build.spec.name)}`;
  if (outcome === "finished") return `build of ${index} finished`;
  const again = build.declared ? "; apply builds it again" : "";
  return `build of ${index} ended without the index (it failed, e.g. on duplicate keys, or was aborted)${again}`;
}

/** What the failure message needs about the credentials; asks STS who we are only after a MONGODB-AWS login failed. */
async function credentialsContext(error: unknown, connection: ResolvedConnection, deps: SeedDeps): Promise<CredentialsContext> {
  const caller =
    connection.authentication === "aws-iam" && isAuthenticationError(error) ? await callerIdentity(deps.sts(deps.env.AWS_REGION)) : undefined;
  return {
    authentication: connection.authentication,
    ...(connection.roleArn === undefined ? {} : { secretRoleArn: connection.roleArn }),
    ...(connection.secretCreatedAt === undefined ? {} : { secretCreatedAt: connection.secretCreatedAt }),
    ...(caller === undefined ? {} : { caller }),
    now: new Date(deps.clock.now()),
  };
}

/** The stack of the error and of its causes, for --verbose. */
function stackLines(error: unknown): string[] {
  const lines: string[] = [];
  const seen = new Set<unknown>();
  for (let current = error; current instanceof Error && !seen.has(current); current = current.cause) {
    seen.add(current);
    lines.push(...(current.stack ?? `${current.name}: ${current.message}`).split("\n").map((line, i) => (i === 0 && lines.length > 0 ? `caused by: ${line}` : line)));
  }
  return lines;
}
