/*
 * The seed jobs' steps around `npm run seed -- plan|apply --secret-id <id>`:
 *
 *   seed-plan.ts plan  --environment <env> --secret-id <id> [--attempts 20] [--wait-seconds 30]
 *     plans, writes the plan into the job summary, and the job outputs `changes` (true/false) and
 *     `digest` (SHA-256 of the plan as printed).
 *   seed-plan.ts apply --environment <env> --secret-id <id> --digest <approved> [...]
 *     plans again and applies only when that fresh plan has the approved digest.
 *
 * The seeder's plan exit codes: 0 no changes, 2 changes pending, 3 conflict (nothing may be
 * applied until a human resolves it), 4 an index build is in progress (wait, then plan again: at
 * most --attempts plans, --wait-seconds apart), 1 failure.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import { parseArgs } from "node:util";
import { EXIT } from "../../src/seed/exit-codes";

export interface SeedRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `npm run --silent seed -- <args>` (the seeder's own output only, no npm banner). */
export function runSeeder(args: readonly string[]): SeedRun {
  const result = spawnSync("npm", ["run", "--silent", "seed", "--", ...args], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, stdio: ["ignore", "pipe", "pipe"] });
  if (result.error) throw new Error(`cannot run npm: ${result.error.message}`);
  return { code: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
}

/** The digest of a seed plan as printed (trailing blanks ignored). */
export function seedPlanDigest(planText: string): string {
  const normalized = planText
    .split("\n")
    .map((line) => line.trimEnd())
    .join("\n")
    .trim();
  return createHash("sha256").update(normalized).digest("hex");
}

export interface SeedPlan {
  readonly changes: boolean;
  readonly text: string;
  readonly digest: string;
  readonly attempts: number;
}

export interface SeedPlanOptions {
  readonly secretId: string;
  readonly attempts: number;
  readonly waitSeconds: number;
  readonly log: (line: string) => void;
  readonly seeder?: (args: readonly string[]) => SeedRun;
  readonly sleep?: (seconds: number) => Promise<void>;
}

const defaultSleep = (seconds: number) => new Promise<void>((resolve) => setTimeout(resolve, seconds * 1000));

/** Plans; waits and plans again while an index build is in progress. Throws on 1, 3 or too long a wait. */
export async function seedPlan(options: SeedPlanOptions): Promise<SeedPlan> {
  const seeder = options.seeder ?? runSeeder;
  const sleep = options.sleep ?? defaultSleep;
  for (let attempt = 1; attempt <= options.attempts; attempt += 1) {
    const run = seeder(["plan", "--secret-id", options.secretId]);
    options.log(run.stdout.trimEnd());
    if (run.stderr.trim()) options.log(run.stderr.trimEnd());
    if (run.code === EXIT.ok || run.code === EXIT.changesPending) {
      return { changes: run.code === EXIT.changesPending, text: run.stdout, digest: seedPlanDigest(run.stdout), attempts: attempt };
    }
    if (run.code === EXIT.conflict) {
      throw new Error("the seed plan found a conflict (exit 3): an existing collection or index contradicts the declared shape; nothing was applied. Resolve it by hand (see the plan above).");
    }
    if (run.code !== EXIT.buildInProgress) throw new Error(`the seed plan failed (exit ${run.code}); nothing was applied`);
    if (attempt < options.attempts) {
      options.log(`An index build is in progress (exit 4): planning again in ${options.waitSeconds} s (attempt ${attempt} of ${options.attempts}).`);
      await sleep(options.waitSeconds);
    }
  }
  throw new Error(
    `an index build was still in progress after ${options.attempts} plans ${options.waitSeconds} s apart (exit 4); nothing was applied. Re-run the job once the build has finished.`,
  );
}

export function renderSeedPlan(environment: string, plan: SeedPlan): string {
  const fence = "````";
  return [
    `#### seed plan of \`${environment}\`: ${plan.changes ? "changes pending" : "no changes"}`,
    "",
    fence,
    plan.text.trimEnd() || "(no output)",
    fence,
    "",
    plan.changes ? `Seed plan digest: \`${plan.digest}\`` : "",
    "",
  ].join("\n");
}

export async function runCli(argv: readonly string[], env: NodeJS.ProcessEnv = process.env, seeder?: SeedPlanOptions["seeder"], sleep?: SeedPlanOptions["sleep"]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      environment: { type: "string" },
      "secret-id": { type: "string" },
      digest: { type: "string" },
      attempts: { type: "string", default: "20" },
      "wait-seconds": { type: "string", default: "30" },
    },
  });
  const [command] = positionals;
  const environment = values.environment ?? "";
  const log = (line: string) => {
    if (line) process.stdout.write(`${line}\n`);
  };
  const output = (text: string) => env.GITHUB_OUTPUT && fs.appendFileSync(env.GITHUB_OUTPUT, text);
  const summary = (text: string) => env.GITHUB_STEP_SUMMARY && fs.appendFileSync(env.GITHUB_STEP_SUMMARY, text);
  try {
    if (!environment || !values["secret-id"] || (command !== "plan" && command !== "apply")) {
      throw new Error("usage: seed-plan.ts plan|apply --environment <env> --secret-id <id> [--digest <approved>] [--attempts N] [--wait-seconds S]");
    }
    const attempts = Number(values.attempts);
    const waitSeconds = Number(values["wait-seconds"]);
    if (!Number.isInteger(attempts) || attempts < 1 || !(waitSeconds >= 0)) throw new Error("--attempts must be a whole number >= 1 and --wait-seconds >= 0");
    const plan = await seedPlan({ secretId: values["secret-id"], attempts, waitSeconds, log, seeder, sleep });
    if (command === "plan") {
      summary(renderSeedPlan(environment, plan));
      output(`changes=${plan.changes}\ndigest=${plan.digest}\n`);
      return 0;
    }
    if (!values.digest) throw new Error("apply needs --digest (the seed plan job's output `digest`)");
    if (plan.digest !== values.digest) {
      summary(`#### seed of \`${environment}\`: not applied\n\nThe fresh seed plan differs from the approved one (digest \`${plan.digest}\`, approved \`${values.digest}\`).\n\n${renderSeedPlan(environment, plan)}`);
      log(`::error title=${environment}: seed plan differs from the approved one::The fresh seed plan (digest ${plan.digest}) is not the approved plan (${values.digest}). Nothing was applied. Re-run the workflow to plan again and have the new plan approved.`);
      return 1;
    }
    log(`The fresh seed plan has the approved digest ${plan.digest}: applying it.`);
    const applied = (seeder ?? runSeeder)(["apply", "--secret-id", values["secret-id"]]);
    log(applied.stdout.trimEnd());
    if (applied.stderr.trim()) log(applied.stderr.trimEnd());
    if (applied.code !== 0) log(`::error title=${environment}: seed apply failed::npm run seed -- apply exited ${applied.code} (3: conflict, nothing changed; 1: failure)`);
    summary(`#### seed of \`${environment}\`: ${applied.code === 0 ? "applied" : `apply exited ${applied.code}`}\n`);
    return applied.code;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (environment) summary(`#### seed of \`${environment}\`: stopped\n\n${message}\n`);
    log(`::error title=${environment || "seed"}: seed plan::${message}`);
    return 1;
  }
}

if (require.main === module) {
  void runCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
