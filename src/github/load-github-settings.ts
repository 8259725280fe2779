import * as fs from "node:fs";
import * as path from "node:path";
import { ConfigError, type ConfigIssue } from "../config/config-issue";
import { PLACEHOLDER_REPOSITORY } from "../config/environment-config";
import { pullRequestPlans } from "../config/pull-request-plans";
import { validateAgainstSchema } from "../config/schema-issues";
import { stackName } from "../environment/names";
import type { ResolvedEnvironment } from "../environment/resolve";
import { ENVIRONMENT_PURPOSES, githubEnvironmentName, githubEnvironmentNameProblem, requiresReviewers, type BranchRule, type EnvironmentPurpose } from "./environment-purposes";
import { githubSettingsSchema, type GithubSettings, type Reviewer } from "./settings-schema";

/** The repository-wide settings file, beside the environment files (which it is not). */
export const GITHUB_SETTINGS_FILE = "github.json";

/** The github stack's name. */
export const GITHUB_STACK = "audio-pipeline-github";

/** One GitHub environment as the github stack declares it and the doctor expects it. */
export interface GithubEnvironmentSpec {
  /** e.g. prod-deploy. */
  readonly name: string;
  /** The config/ environment it belongs to. */
  readonly environment: string;
  readonly production: boolean;
  readonly purpose: EnvironmentPurpose;
  readonly branches: BranchRule;
  readonly reviewers: readonly Reviewer[];
  /** false on every environment of a production environment: admins cannot skip its rules. */
  readonly canAdminsBypass: boolean;
}

export interface LoadedGithubSettings {
  readonly file: string;
  /**
   * The repository whose workflows deploy config/: the environment files' github.repository (one
   * fact, also the one the CI roles trust; the files must agree, src/config/account-wide.ts).
   */
  readonly repository: string;
  readonly settings: GithubSettings;
  readonly environments: readonly GithubEnvironmentSpec[];
}

export function githubSettingsPath(configDir: string): string {
  return path.join(configDir, GITHUB_SETTINGS_FILE);
}

/** Every GitHub environment of `environments`, with its reviewers from `settings`. */
export function githubEnvironments(settings: GithubSettings, environments: readonly ResolvedEnvironment[]): GithubEnvironmentSpec[] {
  return environments.flatMap(({ config }) =>
    ENVIRONMENT_PURPOSES.map((purpose) => ({
      name: githubEnvironmentName(config.environment, purpose),
      environment: config.environment,
      production: config.production,
      purpose,
      branches: purpose.openToPullRequests && pullRequestPlans(config) ? "all" : "main",
      reviewers: purpose.reviewersKey ? (settings.reviewers[config.environment]?.[purpose.reviewersKey] ?? []) : [],
      canAdminsBypass: !config.production,
    })),
  );
}

/** The problems that need the environment files too: reviewers of unknown or production environments, names GitHub refuses. */
export function crossFileIssues(settings: GithubSettings, environments: readonly ResolvedEnvironment[]): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const names = environments.map(({ config }) => config.environment);
  for (const [environment, reviewers] of Object.entries(settings.reviewers)) {
    if (!names.includes(environment)) {
      issues.push({ path: ["reviewers", environment], value: reviewers, message: `names no environment file in config/; allowed: ${names.map((name) => `"${name}"`).join(", ")}` });
    }
  }
  for (const { config } of environments) {
    if (stackName(config.environment) === GITHUB_STACK) {
      issues.push({ path: [], value: undefined, message: `the environment "${config.environment}" would share its stack name with the github stack (${GITHUB_STACK}); rename the environment` });
    }
    for (const purpose of ENVIRONMENT_PURPOSES) {
      if (!requiresReviewers(purpose, config.production) || !purpose.reviewersKey) continue;
      const listed = settings.reviewers[config.environment]?.[purpose.reviewersKey] ?? [];
      if (listed.length === 0) {
        issues.push({
          path: ["reviewers", config.environment, purpose.reviewersKey],
          value: settings.reviewers[config.environment]?.[purpose.reviewersKey],
          message: `a production environment needs at least one reviewer on ${githubEnvironmentName(config.environment, purpose)} (without one, GitHub runs its jobs unapproved); allowed: 1-6 {"user"|"team", "id"} entries`,
        });
      }
    }
  }
  const seen = new Map<string, string>();
  for (const spec of githubEnvironments(settings, environments)) {
    const problem = githubEnvironmentNameProblem(spec.name);
    if (problem) issues.push({ path: [], value: undefined, message: `the GitHub environment name "${spec.name}" (of environment "${spec.environment}") ${problem}` });
    // GitHub environment names are not case sensitive.
    const other = seen.get(spec.name.toLowerCase());
    if (other !== undefined) issues.push({ path: [], value: undefined, message: `the GitHub environment "${spec.name}" of "${spec.environment}" is the same name as one of "${other}" (GitHub names are not case sensitive)` });
    seen.set(spec.name.toLowerCase(), spec.environment);
  }
  return issues;
}

/**
 * Reads and checks config/github.json against the environment files; undefined when the file does
 * not exist (no github stack then). Throws one ConfigError listing every problem.
 */
export function loadGithubSettings(configDir: string, environments: readonly ResolvedEnvironment[]): LoadedGithubSettings | undefined {
  const absolute = githubSettingsPath(configDir);
  if (!fs.existsSync(absolute)) return undefined;
  const relative = path.relative(process.cwd(), absolute);
  const file = relative.startsWith("..") || path.isAbsolute(relative) ? absolute : relative;
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(absolute, "utf8"));
  } catch (error) {
    throw new ConfigError([{ file, issue: { path: [], value: undefined, message: `not valid JSON: ${(error as Error).message}` } }]);
  }
  const { data, issues } = validateAgainstSchema(githubSettingsSchema, raw);
  const all = data ? [...issues, ...crossFileIssues(data, environments)] : issues;
  if (all.length > 0 || !data) throw new ConfigError(all.map((issue) => ({ file, issue })));
  return { file, settings: data, repository: environments[0]?.config.github.repository ?? PLACEHOLDER_REPOSITORY, environments: githubEnvironments(data, environments) };
}
