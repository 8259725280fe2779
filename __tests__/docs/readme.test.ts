/*
 * The README stays a few screens long and leads to the rest: every relative link resolves, every
 * document in docs/ is reachable from it, and every command it or `help` shows exists.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { POLICY_RULES } from "../../src/policy/rules";

const README = fs.readFileSync("README.md", "utf8");
/** What `./help` prints: the README sends readers there. */
const HELP = execFileSync("./help", { encoding: "utf8" });
const SCRIPTS = Object.keys(JSON.parse(fs.readFileSync("package.json", "utf8")).scripts as Record<string, string>);
const MAX_LINES = 250;

/** Relative link targets of a Markdown text, without their #anchors. */
function relativeLinks(markdown: string): string[] {
  return [...markdown.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((match) => match[1])
    .filter((target) => !/^[a-z]+:/i.test(target) && !target.startsWith("#"))
    .map((target) => target.split("#")[0]);
}

describe("README.md", () => {
  it(`has at most ${MAX_LINES} lines`, () => {
    expect(README.split("\n").length).toBeLessThanOrEqual(MAX_LINES);
  });

  it("says what this is, how to set it up, what it provisions, the common changes and how to deploy", () => {
    const headings = [...README.matchAll(/^##+ (.+)$/gm)].map((match) => match[1]);
    expect(headings).toEqual(expect.arrayContaining(["Set-up (fresh machine)", "What it provisions", "Common changes", "Deploying"]));
    for (const change of ["A new environment.", "Resize.", "Add an index.", "Add an alert recipient."]) expect(README).toContain(`**${change}**`);
    expect(README.match(/```mermaid/g)).toHaveLength(1);
  });

  it("links only to files that exist", () => {
    const missing = relativeLinks(README).filter((target) => !fs.existsSync(target));
    expect(missing).toEqual([]);
  });

  it("leads to every document in docs/", () => {
    const linked = new Set(relativeLinks(README).map((target) => path.normalize(target)));
    const orphans = fs.readdirSync("docs").map((file) => path.join("docs", file)).filter((file) => !linked.has(file));
    expect(orphans).toEqual([]);
  });

  it.each([
    ["README.md", README],
    ["help", HELP],
  ])("%s shows only npm scripts that exist", (_name, text) => {
    const used = [...text.matchAll(/npm run ([\w:-]+)/g)].map((match) => match[1]);
    expect(used.length).toBeGreaterThan(0);
    expect(used.filter((script) => !SCRIPTS.includes(script))).toEqual([]);
  });

  it("sends readers to ./help, which git records as executable and which prints the commands", () => {
    expect(README).toContain("`./help`");
    expect(README).not.toContain("cat help");
    // Git's record is what a clone gets (a copy of the files, as the change test makes, has none).
    if (fs.existsSync(".git")) expect(execFileSync("git", ["ls-files", "--stage", "help"], { encoding: "utf8" })).toMatch(/^100755 /);
    expect(fs.statSync("help").mode & 0o111).not.toBe(0);
    expect(HELP).toMatch(/^\s*\.\/help\s+Print this message$/m);
    expect(HELP).toMatch(/npm test\s/);
  });

  it("says CDKTF is deprecated since 2025-12-10, what the project does, and links both proven exits", () => {
    const paragraph = README.split("\n\n").find((block) => block.includes("deprecated")) ?? "";
    expect(paragraph).toMatch(/CDK for Terraform is deprecated/);
    expect(paragraph).toContain("2025-12-10");
    expect(paragraph).toContain("npm run check:cdktn");
    expect(SCRIPTS).toContain("check:cdktn");
    expect(relativeLinks(paragraph)).toEqual(expect.arrayContaining(["docs/leaving-cdktf.md", "__tests__/terraform/aws-part-hcl.test.ts"]));
  });

  it("has no bare cdktf command, which would need the CLI on the PATH and telemetry off", () => {
    for (const text of [README, HELP]) expect(text).not.toMatch(/^\s*(cdktf|npx cdktf) (diff|deploy|synth|list|destroy)\b/m);
  });
});

describe("docs/policy.md", () => {
  it("describes every policy rule of the pack", () => {
    const doc = fs.readFileSync("docs/policy.md", "utf8");
    expect(POLICY_RULES.map((rule) => rule.id).filter((id) => !doc.includes(`| \`${id}\` |`))).toEqual([]);
  });
});
