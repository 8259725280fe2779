import * as fs from "node:fs";
import * as path from "node:path";
import { Testing } from "cdktf";
import { parse } from "yaml";
import { environmentList } from "../../.github/scripts/environments";
import { synthesizeApp } from "../../src/app";
import { ConfigError } from "../../src/config/config-issue";
import { resolveEnvironments, type ResolvedEnvironment } from "../../src/environment/resolve";
import { ENVIRONMENT_PURPOSES, githubEnvironmentName, githubEnvironmentNameProblem } from "../../src/github/environment-purposes";
import { GITHUB_STACK, crossFileIssues, loadGithubSettings, type LoadedGithubSettings } from "../../src/github/load-github-settings";
import { GITHUB_ACTIONS_APP_ID, VPC_WORKFLOWS } from "../../src/github/repository-rules";
import { githubSettingsSchema } from "../../src/github/settings-schema";
import { GithubStack } from "../../src/stacks/github-stack";
import { committedConfigJson, expectedStacks, synthesizedFiles, writeConfigFile } from "../support/config-files";
import { temporaryDirectory } from "../support/temporary-directory";

type Json = Record<string, any>;

const environments = resolveEnvironments("config");
const committed = loadGithubSettings("config", environments) as LoadedGithubSettings;

function synthesize(loaded: LoadedGithubSettings): Json {
  return JSON.parse(Testing.synth(new GithubStack(Testing.app(), loaded)));
}
const json = synthesize(committed);
const resources = (type: string): Json[] => Object.values(json.resource[type] ?? {});
const environmentNamed = (name: string) => resources("github_repository_environment").find((resource) => resource.environment === name);
const branchPatterns = (name: string) => resources("github_repository_environment_deployment_policy").filter((policy) => policy.environment === name).map((policy) => policy.branch_pattern);
const githubJson = () => JSON.parse(fs.readFileSync("config/github.json", "utf8"));

describe("github stack (config/github.json and every config/<env>.json)", () => {
  it("pins integrations/github 6.9.0", () => {
    expect(json.terraform.required_providers.github).toEqual({ source: "integrations/github", version: "6.9.0" });
  });

  it("declares the four GitHub environments of every environment, with the branch rule of its purpose", () => {
    expect(environments.length).toBeGreaterThan(0);
    for (const { config } of environments) {
      for (const suffix of ["plan", "deploy", "seed", "seed-approval"]) {
        const name = `${config.environment}-${suffix}`;
        const environment = environmentNamed(name);
        expect(environment, name).toBeDefined();
        // Open to all branches only where pull requests plan: a plan environment of ci.pullRequestPlan (default: non-production).
        const open = suffix === "plan" && (config.ci.pullRequestPlan ?? !config.production);
        if (open) {
          expect(environment?.deployment_branch_policy, name).toBeUndefined();
          expect(branchPatterns(name), name).toEqual([]);
        } else {
          expect(environment?.deployment_branch_policy, name).toEqual({ protected_branches: false, custom_branch_policies: true });
          expect(branchPatterns(name), name).toEqual(["main"]);
        }
        expect(environment?.prevent_self_review, name).toBe(true);
        expect(environment?.can_admins_bypass, name).toBe(!config.production);
      }
    }
  });

  it("puts the reviewers of config/github.json, by numeric id, on <env>-deploy and <env>-seed-approval of every production environment", () => {
    const production = environments.filter(({ config }) => config.production);
    expect(production.length).toBeGreaterThan(0);
    for (const { config } of production) {
      for (const [suffix, key] of [["deploy", "deploy"], ["seed-approval", "seedApproval"]] as const) {
        const listed: Json[] = githubJson().reviewers[config.environment][key];
        expect(listed.length).toBeGreaterThan(0);
        const [reviewers] = environmentNamed(`${config.environment}-${suffix}`)?.reviewers ?? [];
        expect([...reviewers.users].sort()).toEqual(listed.filter((entry) => entry.user).map((entry) => entry.id).sort());
        expect([...reviewers.teams].sort()).toEqual(listed.filter((entry) => entry.team).map((entry) => entry.id).sort());
      }
    }
  });

  it("names the same GitHub environments as the workflows and the trust policies (src/environment/names.ts), every purpose of them", () => {
    for (const environment of environments) {
      const declared = resources("github_repository_environment").map((resource) => resource.environment).filter((name: string) => name.startsWith(`${environment.config.environment}-`));
      expect(declared.sort()).toEqual(Object.values(environment.names.github).sort());
    }
    expect(ENVIRONMENT_PURPOSES.map((purpose) => githubEnvironmentName("x", purpose)).sort()).toEqual(Object.values(environments[0].names.github).map((name) => name.replace(`${environments[0].config.environment}-`, "x-")).sort());
  });

  it("keeps every environment secret out of Terraform", () => {
    expect(Object.keys(json.resource).filter((type) => /secret|variable/.test(type))).toEqual([]);
  });

  it("protects main: a pull request, the pull-request workflow's test job (from GitHub Actions only), no force push, no deletion, no bypass", () => {
    const [ruleset] = resources("github_repository_ruleset");
    expect(ruleset.target).toBe("branch");
    expect(ruleset.enforcement).toBe("active");
    expect(ruleset.conditions.ref_name.include).toEqual(["refs/heads/main"]);
    expect(ruleset.bypass_actors).toBeUndefined();
    expect(ruleset.rules.deletion).toBe(true);
    expect(ruleset.rules.non_fast_forward).toBe(true);
    expect(ruleset.rules.pull_request.required_approving_review_count).toBe(githubJson().main.requiredApprovals);
    const pullRequest = parse(fs.readFileSync(".github/workflows/pull-request.yml", "utf8"));
    const testJob = Object.values(pullRequest.jobs as Record<string, Json>).find((job) => (job.steps as Json[]).some((step) => step.run === "npm test"));
    expect(ruleset.rules.required_status_checks.required_check).toEqual([{ context: testJob?.name, integration_id: GITHUB_ACTIONS_APP_ID }]);
  });

  it("restricts the VPC runner group to this repository and to every workflow on main with a self-hosted job", () => {
    const [group] = resources("github_actions_runner_group");
    expect(group.visibility).toBe("selected");
    expect(group.allows_public_repositories).toBe(false);
    expect(group.restricted_to_workflows).toBe(true);
    expect(group.selected_repository_ids).toEqual(["${data.github_repository.repository.repo_id}"]);
    expect(json.data.github_repository.repository.full_name).toBe(committed.repository);
    const selfHosted = fs
      .readdirSync(".github/workflows")
      .filter((file) => Object.values(parse(fs.readFileSync(path.join(".github/workflows", file), "utf8")).jobs as Record<string, Json>).some((job) => JSON.stringify(job["runs-on"] ?? "").includes("self-hosted")));
    expect(selfHosted.length).toBeGreaterThan(0);
    expect([...VPC_WORKFLOWS].sort()).toEqual(selfHosted.sort());
    expect(group.selected_workflows).toEqual(VPC_WORKFLOWS.map((file) => `${committed.repository}/.github/workflows/${file}@refs/heads/main`));
  });

  it("has no runner group when config/github.json names none (the doctor warns instead)", () => {
    const { runnerGroup: _omitted, ...settings } = committed.settings;
    expect(synthesize({ ...committed, settings: { ...settings } }).resource.github_actions_runner_group).toBeUndefined();
  });
});

describe("config/github.json: bad input gets a named error", () => {
  const issuesOf = (settings: Json) => {
    const parsed = githubSettingsSchema.safeParse(settings);
    if (!parsed.success) return parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    return crossFileIssues(parsed.data, environments).map((issue) => `${issue.path.join(".")}: ${issue.message}`);
  };
  const withProdDeploy = (deploy: unknown) => ({ ...githubJson(), reviewers: { prod: { ...githubJson().reviewers.prod, deploy } } });

  it.each([
    ["a user login with a leading hyphen", [{ user: "-octocat", id: 5 }], /reviewers\.prod\.deploy\.0\.user: must be a GitHub login/],
    ["a team slug with a slash", [{ team: "example-org/approvers", id: 5 }], /reviewers\.prod\.deploy\.0\.team: must be a team slug/],
    ["a reviewer that is both user and team", [{ user: "octocat", team: "approvers", id: 5 }], /exactly one of "user".*or "team"/],
    ["a name instead of a numeric id", [{ user: "octocat", id: "583231" }], /reviewers\.prod\.deploy\.0\.id: must be a number: the numeric id/],
    ["a negative id", [{ team: "approvers", id: -3 }], /id: must be a positive whole number/],
    ["seven reviewers", Array.from({ length: 7 }, (_, index) => ({ user: `user${index}`, id: index + 1 })), /at most 6/],
    ["an empty list in production", [], /reviewers\.prod\.deploy: a production environment needs at least one reviewer on prod-deploy/],
  ])("%s", (_what, deploy, expected) => {
    expect(issuesOf(withProdDeploy(deploy)).join("\n")).toMatch(expected);
  });

  it("a production environment with no reviewers entry at all", () => {
    const issues = issuesOf({ ...githubJson(), reviewers: {} });
    expect(issues.join("\n")).toMatch(/^reviewers\.prod\.deploy: a production environment needs at least one reviewer on prod-deploy/m);
    expect(issues.join("\n")).toMatch(/reviewers\.prod\.seedApproval: a production environment needs at least one reviewer on prod-seed-approval/);
  });

  it("reviewers for an environment with no file; a repository in config/github.json (it is the environment files' github.repository)", () => {
    expect(issuesOf({ ...githubJson(), reviewers: { ...githubJson().reviewers, nosuchenv: { deploy: [{ user: "octocat", id: 1 }] } } }).join("\n")).toMatch(/reviewers\.nosuchenv: names no environment file in config\/; allowed: .*"prod"/);
    expect(issuesOf({ ...githubJson(), repository: "o/r" }).join("\n")).toMatch(/unrecognized key.*"repository"/i);
  });

  it("takes the repository from the environment files' github.repository, the one the CI roles trust (one fact)", () => {
    expect(githubJson().repository).toBeUndefined();
    expect(committed.repository).toBe(environments[0].config.github.repository);
    const trusting = environments.map((environment) => ({ ...environment, config: { ...environment.config, github: { repository: "audio-team/audio-pipeline-database" } } }) as ResolvedEnvironment);
    const loaded = loadGithubSettings("config", trusting) as LoadedGithubSettings;
    expect(loaded.repository).toBe("audio-team/audio-pipeline-database");
    const other = synthesize(loaded);
    expect(other.data.github_repository.repository.full_name).toBe("audio-team/audio-pipeline-database");
    expect(Object.values(other.resource.github_repository_ruleset ?? {}).length + Object.values(other.resource.github_repository_environment).length).toBeGreaterThan(0);
  });

  it("an environment name GitHub would refuse: too long, a control character, or the same name in another case", () => {
    expect(githubEnvironmentNameProblem("x".repeat(256))).toMatch(/256 characters long; GitHub allows at most 255/);
    expect(githubEnvironmentNameProblem("prod\u0007-deploy")).toMatch(/control character/);
    expect(githubEnvironmentNameProblem(" prod")).toMatch(/space/);
    expect(githubEnvironmentNameProblem("prod-deploy")).toBeUndefined();
    // The schema of config/<env>.json cannot produce these names; the check still guards the GitHub side.
    const crafted = (name: string) => ({ ...environments[0], file: `config/${name}.json`, config: { ...environments[0].config, environment: name, production: false } }) as ResolvedEnvironment;
    const long = crossFileIssues(githubSettingsSchema.parse({}), [crafted("e".repeat(250))]);
    expect(long.map((issue) => issue.message).join("\n")).toMatch(/the GitHub environment name "e{250}-deploy" \(of environment "e{250}"\) is 257 characters long; GitHub allows at most 255/);
    const twins = crossFileIssues(githubSettingsSchema.parse({}), [crafted("qa"), crafted("QA")]);
    expect(twins.map((issue) => issue.message).join("\n")).toMatch(/"QA-plan" of "QA" is the same name as one of "qa" \(GitHub names are not case sensitive\)/);
  });

  it("refuses the whole synth, writing no stack, when config/github.json is bad", () => {
    const workspace = temporaryDirectory("github-settings");
    const configDir = path.join(workspace, "config");
    for (const name of ["dev", "prod"]) writeConfigFile(configDir, name, committedConfigJson(name));
    writeConfigFile(configDir, "github", { ...githubJson(), $schema: undefined, reviewers: {} });
    const outdir = path.join(workspace, "out");
    expect(() => synthesizeApp({ configDir, outdir })).toThrow(ConfigError);
    expect(() => synthesizeApp({ configDir, outdir })).toThrow(/github\.json: reviewers\.prod\.deploy: got nothing \(the field is missing\); a production environment needs at least one reviewer/);
    expect(synthesizedFiles(outdir)).toEqual([]);
    writeConfigFile(configDir, "github", { ...githubJson(), $schema: undefined });
    const result = synthesizeApp({ configDir, outdir });
    expect([...result.stacks, result.githubStack]).toEqual([...expectedStacks(configDir), GITHUB_STACK]);
    expect(synthesizedFiles(outdir).sort()).toEqual([...expectedStacks(configDir), GITHUB_STACK].map((stack) => `stacks/${stack}/cdk.tf.json`).sort());
  });
});

describe("ci.pullRequestPlan: an environment no pull request plans", () => {
  it("leaves the pull-request matrix, keeps <env>-plan on main, and may then use password mode", () => {
    const workspace = temporaryDirectory("pull-request-plan");
    const configDir = path.join(workspace, "config");
    const dev = committedConfigJson("dev");
    dev.ci = { ...dev.ci, pullRequestPlan: false };
    dev.database = { ...dev.database, authentication: "password" };
    writeConfigFile(configDir, "dev", dev);
    writeConfigFile(configDir, "prod", committedConfigJson("prod"));
    writeConfigFile(configDir, "github", { ...githubJson(), $schema: undefined });
    const resolved = resolveEnvironments(configDir);
    expect(environmentList("pull-request", configDir).map((entry) => entry.environment)).toEqual([]);
    expect(environmentList("deploy", configDir).map((entry) => entry.environment)).toEqual(["dev", "prod"]);
    const stack = synthesize(loadGithubSettings(configDir, resolved) as LoadedGithubSettings);
    const devPlan = Object.values(stack.resource.github_repository_environment as Record<string, Json>).find((resource) => resource.environment === "dev-plan");
    expect(devPlan?.deployment_branch_policy).toEqual({ protected_branches: false, custom_branch_policies: true });
    fs.rmSync(workspace, { recursive: true, force: true });
  });
});
