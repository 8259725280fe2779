/*
 * The two ends of "applied = approved", as the workflows run them on a saved plan file:
 *
 *   plan job:  plan-review.ts publish --stack <stack> --dir <stack dir> --plan tfplan [--summary-file <md>]
 *     reads `terraform show -json tfplan` (in memory: no plan JSON is ever written to disk), appends
 *     the summary and the digest to $GITHUB_STEP_SUMMARY, and writes the job outputs `salt` (new,
 *     random), `digest`, `addresses` and `changes` (true/false) to $GITHUB_OUTPUT.
 *
 *   apply job: plan-review.ts check --stack <stack> --dir <stack dir> --plan tfplan --salt <salt>
 *                                  --digest <digest> --addresses <json>
 *     computes the digest of its own fresh plan with the same salt; exits 1 with the addresses that
 *     differ (nothing applied) unless it equals the approved digest. The workflow then runs
 *     `terraform apply tfplan`, which applies exactly that plan or refuses it as stale.
 *
 *   failed:    plan-review.ts failed --stack <stack> [--summary-file <md>]   (the plan step failed)
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import {
  compareDigests,
  describeDigestDifference,
  hasChanges,
  newSalt,
  parseAddresses,
  parsePlanJson,
  planDigest,
  type PlanDigest,
  type ShownPlan,
} from "./plan-digest";
import { renderSummary, summarizePlan } from "./plan-summary";

/** `terraform show -json <plan>` in `dir`, parsed; the JSON stays in this process's memory. */
export function showPlan(dir: string, planFile: string, terraform = process.env.TERRAFORM_BIN || "terraform"): ShownPlan {
  const shown = spawnSync(terraform, ["show", "-json", "-no-color", planFile], {
    cwd: dir,
    encoding: "utf8",
    maxBuffer: 512 * 1024 * 1024,
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (shown.error) throw new Error(`cannot run ${terraform}: ${shown.error.message}`);
  if (shown.status !== 0) throw new Error(`terraform show -json ${planFile} exited ${shown.status}: ${shown.stderr.trim()}`);
  return parsePlanJson(shown.stdout);
}

/** Where a step's results go: GitHub's files, or anything a test passes. */
export interface StepFiles {
  readonly output?: string;
  readonly summary?: string;
}

export function stepFiles(env: NodeJS.ProcessEnv = process.env): StepFiles {
  return { output: env.GITHUB_OUTPUT, summary: env.GITHUB_STEP_SUMMARY };
}

function append(file: string | undefined, text: string): void {
  if (file) fs.appendFileSync(file, text.endsWith("\n") ? text : `${text}\n`);
}

export interface PublishResult {
  readonly salt: string;
  readonly digest: PlanDigest;
  readonly markdown: string;
}

/** The plan job's step: summary and digest for the approvers, outputs for the apply job. */
export function publish(stack: string, plan: ShownPlan, files: StepFiles, summaryFile?: string, salt = newSalt()): PublishResult {
  const digest = planDigest(plan, salt);
  const markdown = renderSummary(summarizePlan(plan), { stack, digest });
  append(files.summary, markdown);
  if (summaryFile) {
    fs.mkdirSync(path.dirname(summaryFile), { recursive: true });
    fs.writeFileSync(summaryFile, `${markdown}\n`);
  }
  append(
    files.output,
    [`salt=${salt}`, `digest=${digest.digest}`, `addresses=${JSON.stringify(digest.addresses)}`, `changes=${hasChanges(digest)}`].join("\n"),
  );
  return { salt, digest, markdown };
}

/** The apply job's step: undefined when the fresh plan is the approved one, else the refusal. */
export function check(plan: ShownPlan, approved: PlanDigest, salt: string): string | undefined {
  const difference = compareDigests(approved, planDigest(plan, salt));
  return difference === undefined ? undefined : describeDigestDifference(difference);
}

export interface CliResult {
  readonly code: number;
  readonly lines: readonly string[];
}

export function runCli(argv: readonly string[], files: StepFiles = stepFiles(), show = showPlan): CliResult {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      stack: { type: "string" },
      dir: { type: "string" },
      plan: { type: "string", default: "tfplan" },
      salt: { type: "string" },
      digest: { type: "string" },
      addresses: { type: "string" },
      "summary-file": { type: "string" },
    },
  });
  const [command] = positionals;
  const stack = values.stack;
  try {
    if (!stack) throw new Error("--stack is required");
    if (command === "failed") {
      const markdown = `#### \`${stack}\`: plan failed\n\nNothing can be approved or applied; the job log has Terraform's errors.\n`;
      append(files.summary, markdown);
      if (values["summary-file"]) {
        fs.mkdirSync(path.dirname(values["summary-file"]), { recursive: true });
        fs.writeFileSync(values["summary-file"], markdown);
      }
      return { code: 0, lines: [] };
    }
    if (!values.dir) throw new Error("--dir is required (the stack's directory under cdktf.out/stacks)");
    const plan = show(values.dir, values.plan);
    if (command === "publish") {
      const result = publish(stack, plan, files, values["summary-file"]);
      return { code: 0, lines: [`${stack}: plan digest ${result.digest.digest} (${Object.keys(result.digest.addresses).length} change(s))`] };
    }
    if (command === "check") {
      if (!values.salt || !values.digest || values.addresses === undefined) throw new Error("check needs --salt, --digest and --addresses (the plan job's outputs)");
      const approved: PlanDigest = { digest: values.digest, addresses: parseAddresses(values.addresses) };
      const refusal = check(plan, approved, values.salt);
      if (refusal !== undefined) {
        append(files.summary, `#### \`${stack}\`: not applied\n\n${refusal}\n`);
        return { code: 1, lines: [`::error title=${stack}: plan differs from the approved plan::${refusal}`] };
      }
      append(files.summary, `#### \`${stack}\`: applying the approved plan (digest \`${approved.digest}\`)\n`);
      return { code: 0, lines: [`${stack}: the fresh plan has the approved digest ${approved.digest}: applying it`] };
    }
    throw new Error(`unknown command ${command ?? "(none)"}: expected publish, check or failed`);
  } catch (error) {
    return { code: 1, lines: [`::error title=${stack ?? "plan"}: plan review failed::${error instanceof Error ? error.message : String(error)}`] };
  }
}

if (require.main === module) {
  const result = runCli(process.argv.slice(2));
  for (const line of result.lines) process.stdout.write(`${line}\n`);
  process.exitCode = result.code;
}
