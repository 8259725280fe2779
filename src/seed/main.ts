import { parseArgs } from "node:util";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { MongoClient, type Db } from "mongodb";
import { applyOperations } from "./apply";
import { clientOptions, createClient, type MongoClientFactory } from "./client";
import { DEFAULT_DATABASE, DEFAULT_SECRET_ID, resolveConnection } from "./connection";
import { DECLARED_SHAPE } from "./declared-shape";
import { describeFailure, SeedError } from "./errors";
import { observeDatabase } from "./observe";
import { isEmptyPlan, planChanges, type Plan } from "./planner";
import { missingPrivileges, type ConnectionStatusReply } from "./privileges";
import { Redactor } from "./redact";
import { SEEDER_SECRET, STACK_SECRET_IDS } from "./secret-names";
import { describeOperation, renderPlan } from "./render";

/*
 * `npm run seed -- <spec|plan|apply>`: the command line around the planner. Everything it needs
 * from the outside (output, environment, AWS and MongoDB clients) comes in through SeedDeps, so
 * tests run it in-process without network, AWS or a server.
 */

/** Exit codes; plan follows `terraform plan -detailed-exitcode` (0 nothing to do, 2 changes). */
export const EXIT = {
  ok: 0,
  failure: 1,
  changesPending: 2,
  /** An existing index or collection contradicts the declared shape; nothing was changed. */
  conflict: 3,
} as const;

export const DEFAULT_TIMEOUT_MS = 10_000;

export interface SeedDeps {
  /** Writes one line of normal output (the plan, progress, spec JSON). */
  readonly stdout: (line: string) => void;
  /** Writes one line of diagnostics (failures, hints, usage errors). */
  readonly stderr: (line: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Region is passed only when AWS_REGION is set; otherwise the SDK's own resolution applies. */
  readonly secretsManager: (region: string | undefined) => SecretsManagerClient;
  readonly mongoClient: MongoClientFactory;
}

export function defaultDeps(): SeedDeps {
  return {
    stdout: (line) => process.stdout.write(`${line}\n`),
    stderr: (line) => process.stderr.write(`${line}\n`),
    env: process.env,
    secretsManager: (region) => new SecretsManagerClient(region === undefined ? {} : { region }),
    mongoClient: (uri, options) => new MongoClient(uri, options),
  };
}

const USAGE = [
  "Usage: npm run seed -- <spec|plan|apply> [options]",
  "",
  "Brings the database to the shape declared in src/seed/declared-shape.ts. Never drops or deletes anything, and never writes a document.",
  "",
  "Commands:",
  "  spec    print the declared shape as JSON (offline)",
  "  plan    show what apply would do; exit 0 no changes, 2 changes pending, 3 conflict, 1 failure",
  "  apply   make the pending changes, then plan again; exit 0 done, 3 conflict (nothing changed), 1 failure",
  "",
  "Options:",
  "  --uri <uri>          connection string (default: $MONGODB_URI, else the secret below)",
  `  --secret-id <id>     Secrets Manager secret written by the stack; region from AWS_REGION (default: ${DEFAULT_SECRET_ID}, the application's).`,
  `                       Pipelines pass the seeder's, ${STACK_SECRET_IDS.seeder.prod} (dev: ${STACK_SECRET_IDS.seeder.dev}): replacing a validator needs its dbAdmin role`,
  `  --database <name>    database (default: the secret's "database" field, else ${DEFAULT_DATABASE})`,
  `  --timeout-ms <ms>    how long to look for a reachable server (default: ${DEFAULT_TIMEOUT_MS})`,
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

  try {
    if (invocation.command === "spec") {
      out(JSON.stringify(DECLARED_SHAPE, null, 2));
      return EXIT.ok;
    }
    return await runAgainstServer(invocation, deps, redactor, out);
  } catch (error) {
    const failure = describeFailure(error, { timeoutMs: invocation.timeoutMs });
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
      verbose: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) return "help";
  if (positionals.length !== 1) throw new UsageError(`expected one command (${COMMANDS.join(", ")}), got ${positionals.length}`);
  const [command] = positionals;
  if (!isCommand(command)) throw new UsageError(`unknown command "${command}"; expected ${COMMANDS.join(", ")}`);
  const timeoutMs = Number(values["timeout-ms"]);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
    throw new UsageError(`--timeout-ms must be a positive whole number of milliseconds, got "${values["timeout-ms"]}"`);
  }
  for (const option of ["uri", "secret-id", "database"] as const) {
    if (values[option] === "") throw new UsageError(`--${option} must not be empty`);
  }
  return {
    command,
    uri: values.uri,
    secretId: values["secret-id"],
    database: values.database,
    timeoutMs,
    verbose: values.verbose,
  };
}

function isCommand(value: string): value is Command {
  return (COMMANDS as readonly string[]).includes(value);
}

async function runAgainstServer(invocation: Invocation, deps: SeedDeps, redactor: Redactor, out: (line: string) => void): Promise<number> {
  const connection = await resolveConnection(invocation, {
    env: deps.env,
    secretsManager: () => deps.secretsManager(deps.env.AWS_REGION),
    onUri: (uri) => redactor.addConnectionString(uri),
  });
  const client = createClient(connection.uri, clientOptions(invocation.timeoutMs), deps.mongoClient);
  try {
    out(`Connecting to ${connection.uri} (from ${connection.source}), database "${connection.database}"`);
    await client.connect();
    const db = client.db(connection.database);
    const plan = await readPlan(db);
    renderPlan(plan, connection.database).forEach(out);
    if (invocation.command === "plan") return planExitCode(plan);
    return await apply(db, plan, connection.database, out);
  } finally {
    await client.close().catch(() => undefined);
  }
}

async function readPlan(db: Db): Promise<Plan> {
  return planChanges(DECLARED_SHAPE, await observeDatabase(db, DECLARED_SHAPE));
}

function planExitCode(plan: Plan): number {
  if (plan.conflicts.length > 0) return EXIT.conflict;
  return plan.operations.length > 0 ? EXIT.changesPending : EXIT.ok;
}

async function apply(db: Db, plan: Plan, database: string, out: (line: string) => void): Promise<number> {
  if (plan.conflicts.length > 0) {
    out(`Apply refused: ${plan.conflicts.length} conflict(s) above. Nothing was changed.`);
    return EXIT.conflict;
  }
  if (plan.operations.length === 0) return EXIT.ok;
  const reply: ConnectionStatusReply = await db.command({ connectionStatus: 1, showPrivileges: true });
  const missing = missingPrivileges(reply, database, plan.operations);
  if (missing.length > 0) {
    const hint = missing.some((privilege) => privilege.startsWith("collMod"))
      ? `replacing a validator (collMod) needs dbAdmin on ${database}, which the application user does not have: run apply with --secret-id set to ${SEEDER_SECRET}, whose user has it`
      : `the user in the connection string needs readWrite on ${database}`;
    throw new SeedError(`the connected user lacks privileges this plan needs (${missing.join(", ")}); nothing was changed`, hint);
  }

  out("Applying:");
  await applyOperations(db, plan.operations, (operation) => {
    out(`  done: ${describeOperation(operation)}`);
  });
  const replan = await readPlan(db);
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
