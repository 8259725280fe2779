/*
 * Every statement of README.md and docs/ that names something of this repository names something
 * that exists, so no doc line goes stale silently: the npm scripts it runs, the repository paths it
 * points at, the environment-file fields it tells readers to set, the GitHub environments it says
 * reviewers approve in, the workflow jobs and steps it describes, and the pinned Terraform version.
 * Placeholders (`<env>`, `<stack>`, `$ENV`) match any value.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { githubEnvironments } from "../../src/environment/names";
import { resolveEnvironments } from "../../src/environment/resolve";
import { TERRAFORM_VERSION } from "../../src/terraform/terraform-version";

const DOCUMENTS = ["README.md", "src/modules/database/README.md", ...fs.readdirSync("docs").filter((file) => file.endsWith(".md")).map((file) => `docs/${file}`)].map((file) => ({
  file,
  text: fs.readFileSync(file, "utf8"),
}));

const SCRIPTS = new Set(Object.keys(JSON.parse(fs.readFileSync("package.json", "utf8")).scripts as Record<string, string>));

/** What git knows (tracked or new), and every folder on the way: the paths a doc may name. */
const REPOSITORY_PATHS = (() => {
  // A copy of the project without git (the change test's) has only the files git knows.
  const files = fs.existsSync(".git")
    ? execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z"], { encoding: "utf8" }).split("\0").filter(Boolean)
    : (fs.readdirSync(".", { recursive: true }) as string[]).filter((file) => !/^(node_modules|cdktf\.out|\.tmp)(\/|$)/.test(file)).map((file) => file.split(path.sep).join("/"));
  const all = new Set<string>();
  for (const file of files) {
    all.add(file);
    for (let folder = path.posix.dirname(file); folder !== "."; folder = path.posix.dirname(folder)) all.add(folder);
  }
  return [...all];
})();

/** Where a repository path starts: anything else in backticks (an S3 key, a secret name) is not one. */
const REPOSITORY_ROOTS = /^(?:\.\/)?(src|__tests__|\.github|config|docs|scripts|\.ci|\.gen)(\/|$)|^(?:\.\/)?(main\.ts|package\.json|package-lock\.json|cdktf\.json|tsconfig\.json|vitest\.config\.ts|help)$/;

/** A doc's path as a pattern: placeholders match one path segment or more, a trailing `/` or `:12` goes. */
function pathPattern(reference: string): RegExp {
  const cleaned = reference.replace(/^\.\//, "").replace(/(:\d+(-\d+)?)$/, "").replace(/\/(\.\.\.)?$/, "").replace(/#.*$/, "");
  const escaped = cleaned
    .split(/(<[^>]+>|\$\{?[A-Z_]+\}?|\*|\.\.\.)/)
    .map((part, index) => (index % 2 === 1 ? (part === "..." ? ".*" : "[^/]+") : part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(`^${escaped}$`);
}

/**
 * Paths that are not in this repository on purpose: files of another repository cited as a
 * source (a provider's `docs/resources/...`), the README's example of a new environment file, and
 * bindings that only exist once generated (`.gen/providers/...`).
 */
function elsewhere(reference: string, before: string): boolean {
  // A citation "(source: provider 1.41.1 `docs/...`, ...)" still open at the reference.
  const cited = Math.max(before.lastIndexOf("source:"), before.search(/provider v?\d[^)]*$/));
  return (cited >= 0 && !before.slice(cited).includes(")")) || /^(\.\/)?\.gen\/providers\//.test(reference) || ENVIRONMENT_NAMES.some((name) => reference === `config/${name}.json`);
}

/** Backticked text, and the targets of Markdown links (relative to the document). */
function referencesIn(file: string, text: string): string[] {
  const inBackticks = [...text.matchAll(/`([^`\s]+)`/g)].filter((match) => !elsewhere(match[1], text.slice(Math.max(0, match.index - 120), match.index))).map((match) => match[1]);
  const linked = [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((match) => match[1])
    .filter((target) => !/^[a-z]+:/i.test(target) && !target.startsWith("#"))
    .map((target) => path.posix.normalize(path.posix.join(path.posix.dirname(file), target.split("#")[0])));
  return [...inBackticks, ...linked];
}

/** The dotted paths of every field of the environment-file schema. */
const SCHEMA_FIELDS = (() => {
  const schema = JSON.parse(fs.readFileSync("config/environment.schema.json", "utf8"));
  const fields: string[] = [];
  const walk = (node: any, prefix: string) => {
    for (const [key, child] of Object.entries<any>(node?.properties ?? {})) {
      const field = prefix ? `${prefix}.${key}` : key;
      fields.push(field);
      walk(child, field);
    }
  };
  walk(schema, "");
  return fields;
})();
const TOP_LEVEL_FIELDS = new Set(SCHEMA_FIELDS.filter((field) => !field.includes(".")));

/** Environment names a doc may use: config/'s, the `<env>` placeholder, and the README's own example. */
/** `github.*` that the docs name but config/ does not own: GitHub's expression context and its host. */
const GITHUB_NOT_CONFIG = /^github\.(com|sha|token|ref|ref_name|run_id|run_attempt|run_number|event|actor|triggering_actor|workflow|job|server_url|api_url)(\.|$)/;

const ENVIRONMENT_NAMES = [...resolveEnvironments("config").map(({ config }) => config.environment), "<env>", "$ENV", "staging"];
const GITHUB_ENVIRONMENTS = new Set(ENVIRONMENT_NAMES.flatMap((name) => Object.values(githubEnvironments(name))));

/** Job ids and step names of the generated workflows, and the events a job can be one of. */
const WORKFLOWS = fs.readdirSync(".github/workflows").map((file) => parse(fs.readFileSync(path.join(".github/workflows", file), "utf8")) as { jobs: Record<string, { steps?: { name?: string }[] }> });
const JOBS = new Set([...WORKFLOWS.flatMap((workflow) => Object.keys(workflow.jobs)), "pull_request", "push", "workflow_call", "workflow_dispatch"]);
const STEPS = new Set([...WORKFLOWS.flatMap((workflow) => Object.values(workflow.jobs).flatMap((job) => (job.steps ?? []).flatMap((step) => (step.name ? [step.name] : [])))), "run:", "uses:"]);

/** Each finding as `file: what`, so a failure names the line to fix. */
function findings(collect: (document: { file: string; text: string }) => string[]): string[] {
  return DOCUMENTS.flatMap((document) => collect(document).map((problem) => `${document.file}: ${problem}`));
}

describe("README.md and docs/ name only what exists", () => {
  it("every `npm run <script>` is a script of package.json", () => {
    let seen = 0;
    const missing = findings(({ text }) =>
      [...text.matchAll(/npm run (?:--?[\w-]+ )*([\w:-]+)/g)].flatMap((match) => {
        seen += 1;
        return SCRIPTS.has(match[1]) ? [] : [`npm run ${match[1]}`];
      }),
    );
    expect(seen).toBeGreaterThan(5);
    expect(missing).toEqual([]);
  });

  it("every repository path exists (placeholders match any name)", () => {
    let seen = 0;
    const missing = findings(({ file, text }) =>
      referencesIn(file, text)
        .filter((reference) => REPOSITORY_ROOTS.test(reference))
        .flatMap((reference) => {
          seen += 1;
          const pattern = pathPattern(reference);
          return REPOSITORY_PATHS.some((candidate) => pattern.test(candidate)) ? [] : [`path ${reference}`];
        }),
    );
    expect(seen).toBeGreaterThan(20);
    expect(missing).toEqual([]);
  });

  it("every environment-file field (`atlas.tier`, `monitoring.alertEmails`, `database.*RoleArn`) is in the schema", () => {
    let seen = 0;
    const missing = findings(({ text }) =>
      [...text.matchAll(/`([a-z][A-Za-z]*(?:\.[A-Za-z*]+)+)`/g)]
        .map((match) => match[1])
        .filter((field) => TOP_LEVEL_FIELDS.has(field.split(".")[0]) && !/\.(ts|js|json|md|tf|yml)$/.test(field) && !GITHUB_NOT_CONFIG.test(field))
        .flatMap((field) => {
          seen += 1;
          const pattern = new RegExp(`^${field.replace(/\./g, "\\.").replace(/\*/g, "[A-Za-z]*")}$`);
          return SCHEMA_FIELDS.some((candidate) => pattern.test(candidate)) ? [] : [`field ${field}`];
        }),
    );
    expect(seen).toBeGreaterThan(20);
    expect(missing).toEqual([]);
  });

  it("every GitHub environment a reviewer approves in, or a job runs in, is one the workflows create", () => {
    const named = (text: string) => [
      ...[...text.matchAll(/`([^`\s]+)` (?:environment )?reviewers?\b/g)].map((match) => match[1]),
      ...[...text.matchAll(/reviewers? of the `([^`\s]+)` environment/g)].map((match) => match[1]),
      ...[...text.matchAll(/`([^`\s]+)` environment\b/g)].map((match) => match[1]),
      // `<environment name>-...`: the names the workflows derive from an environment file.
      ...[...text.matchAll(/`([^`\s]+)`/g)].map((match) => match[1]).filter((token) => ENVIRONMENT_NAMES.some((name) => token.startsWith(`${name}-`)) && !token.includes("/")),
    ];
    let seen = 0;
    const unknown = findings(({ text }) =>
      named(text).flatMap((name) => {
        seen += 1;
        return GITHUB_ENVIRONMENTS.has(name) ? [] : [`GitHub environment ${name}`];
      }),
    );
    expect(seen).toBeGreaterThan(5);
    expect(unknown).toEqual([]);
  });

  it("recognises a GitHub environment that does not exist (the old `production` reviewer)", () => {
    expect(GITHUB_ENVIRONMENTS.has("production")).toBe(false);
    expect(GITHUB_ENVIRONMENTS.has("prod-deploy")).toBe(true);
  });

  it("every workflow job and step a doc describes is in the generated workflows", () => {
    const missing = findings(({ text }) => [
      ...[...text.matchAll(/\b[Tt]he `([^`]+)` job\b|\bjob `([^`]+)`/g)].map((match) => match[1] ?? match[2]).filter((job) => !JOBS.has(job)).map((job) => `job ${job}`),
      ...[...text.matchAll(/\b[Tt]he `([^`]+)` step\b|\bstep `([^`]+)`|\bstep "([^"]+)"/g)].map((match) => match[1] ?? match[2] ?? match[3]).filter((step) => !STEPS.has(step)).map((step) => `step ${step}`),
    ]);
    expect(JOBS.size).toBeGreaterThan(5);
    expect(missing).toEqual([]);
  });

  it("every full Terraform version a doc states is the pinned one", () => {
    const wrong = findings(({ text }) =>
      [...text.matchAll(/Terraform (?:CLI )?\**v?(\d+\.\d+\.\d+)\**/g)].map((match) => match[1]).filter((version) => version !== TERRAFORM_VERSION).map((version) => `Terraform ${version}`),
    );
    expect(wrong).toEqual([]);
  });
});
