/*
 * Reads the runbooks (docs/runbook-*.md, docs/leaving-cdktf.md) the way a test needs them: the
 * Terraform addresses, config fields, seeder options and stack outputs they name, the terraform
 * state/import commands in their shell blocks (in document order), and the plans they predict.
 *
 * A predicted plan is a fenced block with the info string `plan <scenario>`, one line per
 * resource, worded exactly as Terraform prints it:
 *
 *     ```plan restore-cutover
 *     # aws_secretsmanager_secret_version.connection_secret_value must be replaced
 *     ```
 */
import * as fs from "node:fs";
import * as path from "node:path";

export interface Runbook {
  /** Path relative to the repository root, e.g. docs/runbook-restore.md. */
  readonly file: string;
  readonly text: string;
}

export interface PredictedPlan {
  readonly file: string;
  readonly scenario: string;
  /** `# <address> <phrase>` lines. */
  readonly lines: readonly string[];
}

/** One `terraform` command of a shell block, with `-chdir=...` removed. */
export interface TerraformCommand {
  readonly file: string;
  readonly line: string;
  /** Arguments after `terraform` (and after -chdir), shell quotes removed, variables left as written. */
  readonly args: readonly string[];
}

const RESOURCE_PREFIXES = ["aws", "mongodbatlas", "random"];
const ADDRESS = new RegExp(`(?<![\\w.$/-])((?:${RESOURCE_PREFIXES.join("|")})_[a-z0-9_]+)\\.([a-z][a-z0-9_]*)\\b(?!\\.(?:go|md|ts)\\b)`, "g");
const CONFIG_SECTIONS = ["atlas", "database", "backup", "network", "connectionSecret", "monitoring", "state", "ci", "aws"];
const CONFIG_FIELD = new RegExp(`^(?:${CONFIG_SECTIONS.join("|")})(?:\\.[A-Za-z][A-Za-z0-9]*)+$`);

export function readRunbooks(repoRoot: string): Runbook[] {
  const docs = path.join(repoRoot, "docs");
  return fs
    .readdirSync(docs)
    .filter((name) => /^runbook-.*\.md$/.test(name) || name === "leaving-cdktf.md")
    .sort()
    .map((name) => ({ file: `docs/${name}`, text: fs.readFileSync(path.join(docs, name), "utf8") }));
}

/** Fenced blocks: info string and body. */
function fencedBlocks(text: string): { info: string; body: string }[] {
  const blocks: { info: string; body: string }[] = [];
  const fence = /^( *)```([^\n]*)\n([\s\S]*?)^\1```[ \t]*$/gm;
  for (const match of text.matchAll(fence)) blocks.push({ info: match[2].trim(), body: match[3] });
  return blocks;
}

/** Every resource address named anywhere in the text (prose, tables, code). */
export function addressesIn(text: string): string[] {
  return [...new Set([...text.matchAll(ADDRESS)].map((match) => `${match[1]}.${match[2]}`))].sort();
}

/** Config fields named in inline code, e.g. `atlas.pinFcvUntil`. */
export function configFieldsIn(text: string): string[] {
  const spans = [...text.matchAll(/`([^`\n]+)`/g)].map((match) => match[1]);
  return [...new Set(spans.filter((span) => CONFIG_FIELD.test(span)))].sort();
}

/** Lines of shell blocks (sh, bash, shell), continuation lines joined. */
function shellLines(text: string): string[] {
  return fencedBlocks(text)
    .filter((block) => ["sh", "bash", "shell"].includes(block.info))
    .flatMap((block) => block.body.replace(/\\\n\s*/g, " ").split("\n"))
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !line.startsWith("#"));
}

/** Splits a command line into words: quotes removed, stops at `#`, `;`, `&&`, `|` or `>`. */
function words(command: string): string[] {
  const result: string[] = [];
  const pattern = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (const match of command.matchAll(pattern)) {
    const bare = match[3];
    if (bare !== undefined && (bare.startsWith("#") || [";", "&&", "||", "|", ">", ">>"].includes(bare) || /^[;|>]/.test(bare))) break;
    result.push(match[1] ?? match[2] ?? bare!.replace(/;$/, ""));
    if (bare?.endsWith(";")) break;
  }
  return result;
}

/** `npm run seed -- <args>` invocations in shell blocks and inline code. */
export function seedInvocations(text: string): string[][] {
  const sources = [...shellLines(text), ...[...text.matchAll(/`([^`\n]*npm run seed --[^`\n]*)`/g)].map((match) => match[1])];
  const invocations: string[][] = [];
  for (const source of sources) {
    for (const match of source.matchAll(/npm run seed -- ([^;&|`]*)/g)) invocations.push(words(match[1]));
  }
  return invocations;
}

/** Names read with `terraform ... output -raw <name>`. */
export function outputsRead(text: string): string[] {
  return [...new Set([...text.matchAll(/output -raw ([a-z_][a-z0-9_]*)/g)].map((match) => match[1]))].sort();
}

/** `terraform` commands of shell blocks, in document order. */
export function terraformCommands(runbook: Runbook): TerraformCommand[] {
  const commands: TerraformCommand[] = [];
  for (const line of shellLines(runbook.text)) {
    for (const segment of line.split(/&&|;|\|\|/)) {
      const all = words(segment.trim());
      if (all[0] !== "terraform") continue;
      commands.push({ file: runbook.file, line: segment.trim(), args: all.slice(1).filter((word) => !word.startsWith("-chdir=")) });
    }
  }
  return commands;
}

/** The plans a runbook predicts. */
export function predictedPlans(runbook: Runbook): PredictedPlan[] {
  return fencedBlocks(runbook.text)
    .filter((block) => /^plan\s+\S+$/.test(block.info))
    .map((block) => ({
      file: runbook.file,
      scenario: block.info.split(/\s+/)[1],
      lines: block.body
        .split("\n")
        .map((line) => line.trim())
        .filter((line) => line.length > 0),
    }));
}

/** The address of a `# <address> <phrase>` line. */
export function planLineAddress(line: string): string {
  return line.split(/\s+/)[1] ?? "";
}

/** The phrases Terraform 1.11 prints after the address. */
export const PLAN_PHRASES = [
  "will be created",
  "will be updated in-place",
  "must be replaced",
  "will be destroyed",
  "will be read during apply",
];
