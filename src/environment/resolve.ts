import * as fs from "node:fs";
import * as path from "node:path";
import { ConfigError, type ConfigIssue } from "../config/config-issue";
import { agreeWithinAccounts } from "../config/account-wide";
import { uniqueAcrossEnvironments } from "../config/cross-environment";
import {
  defaultPermissionsBoundaryArn,
  effectiveEncryptionAtRest,
  effectiveTier,
  PLACEHOLDER_ACCOUNT_ID,
  PLACEHOLDER_REPOSITORY,
  type EnvironmentConfig,
} from "../config/environment-config";
import { environmentSchema, type ParsedEnvironment } from "../config/environment-schema";
import { checkEnvironmentText, displayPath, environmentFiles } from "../config/load-environment";
import { LEGACY_NAMES } from "./legacy-names";
import { derivedNames, githubEnvironments, stackName, type DerivedNames, type GitHubEnvironments } from "./names";
import { environmentRoles, placeholderRoleArn, type EnvironmentRoles, type PlaceholderRolePurpose } from "./roles";

/*
 * One environment, resolved once: its file validated with every default applied (once, here),
 * every name it goes by and every role it uses. The stacks, the workflow generator and its
 * scripts, the trust policies and the CLIs read these values and derive none of their own.
 */

/** Every name of one environment. */
export interface EnvironmentNames extends Omit<DerivedNames, "stateKey"> {
  /** config/<environment>.json's `environment`. */
  readonly environment: string;
  /** The stack (cdktf.out/stacks/<stack>), also the prefix of the environment's AWS resource names. */
  readonly stack: string;
  /** The S3 key of the Terraform state; undefined with a local state file. */
  readonly stateKey?: string;
  /** The GitHub environment of each CI purpose. */
  readonly github: GitHubEnvironments;
}

/** One environment file, resolved. */
export interface ResolvedEnvironment {
  /** The file as the user would name it, relative to the working directory. */
  readonly file: string;
  /** The validated file with every default applied, the derived ones included. */
  readonly config: EnvironmentConfig;
  readonly names: EnvironmentNames;
  readonly roles: EnvironmentRoles;
}

/** The names of `environment`: as its file gives them, else its legacy names, else derived from it. */
function namesOf(parsed: ParsedEnvironment): DerivedNames {
  const fallback = { ...derivedNames(parsed.environment), ...LEGACY_NAMES[parsed.environment] };
  return {
    atlasProject: parsed.atlas.projectName ?? fallback.atlasProject,
    atlasCluster: parsed.atlas.clusterName ?? fallback.atlasCluster,
    appSecret: parsed.connectionSecret.name ?? fallback.appSecret,
    seederSecret: parsed.connectionSecret.seederName ?? fallback.seederSecret,
    stateKey: parsed.state?.key ?? fallback.stateKey,
  };
}

/**
 * Fills in every default that depends on the environment's name or on another field; what cannot
 * be derived (an AWS account, role ARNs) becomes a flagged placeholder (src/config/placeholders.ts).
 */
function withDerivedDefaults(parsed: ParsedEnvironment): EnvironmentConfig {
  const names = namesOf(parsed);
  const accountId = parsed.aws.accountId ?? PLACEHOLDER_ACCOUNT_ID;
  const role = (purpose: PlaceholderRolePurpose) => placeholderRoleArn(accountId, parsed.environment, purpose);
  return {
    ...parsed,
    aws: { ...parsed.aws, accountId, permissionsBoundaryArn: parsed.aws.permissionsBoundaryArn ?? defaultPermissionsBoundaryArn(accountId, parsed.environment) },
    github: { repository: parsed.github.repository ?? PLACEHOLDER_REPOSITORY },
    atlas: {
      ...parsed.atlas,
      projectName: names.atlasProject,
      clusterName: names.atlasCluster,
      // With compute auto-scaling the floor is where the cluster starts (a rule refuses any other tier).
      tier: effectiveTier(parsed.atlas),
      encryptionAtRest: effectiveEncryptionAtRest(parsed.atlas, parsed.production),
    },
    database: {
      ...parsed.database,
      appRoleArn: parsed.database.appRoleArn ?? role("app"),
      seederRoleArn: parsed.database.seederRoleArn ?? role("seeder"),
    },
    connectionSecret: { ...parsed.connectionSecret, name: names.appSecret, seederName: names.seederSecret },
    ci: {
      ...parsed.ci,
      planRoleArn: parsed.ci.planRoleArn ?? role("plan"),
      deployRoleArn: parsed.ci.deployRoleArn ?? role("deploy"),
    },
    state: parsed.state && { ...parsed.state, key: names.stateKey },
  };
}

/** The names of a resolved config, by what they name (a view of it: the rules ran in withDerivedDefaults). */
export function environmentNames(config: EnvironmentConfig): EnvironmentNames {
  return {
    environment: config.environment,
    stack: stackName(config.environment),
    atlasProject: config.atlas.projectName,
    atlasCluster: config.atlas.clusterName,
    appSecret: config.connectionSecret.name,
    seederSecret: config.connectionSecret.seederName,
    ...(config.state ? { stateKey: config.state.key } : {}),
    github: githubEnvironments(config.environment),
  };
}

/** Resolves a checked file: the config with every default, and its names and roles read from it. */
function resolved(file: string, parsed: ParsedEnvironment): ResolvedEnvironment {
  const config = withDerivedDefaults(parsed);
  return deepFreeze({ file, config, names: environmentNames(config), roles: environmentRoles(config) });
}

/** Shared by every reader of a run: nobody can change a value another has read. */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/**
 * Checks one environment file's text (the schema, every cross-field rule, the file name) and
 * resolves it. Returns every issue found instead when there is any.
 */
export function resolveEnvironmentText(
  text: string,
  expectedEnvironment: string,
  file = `config/${expectedEnvironment}.json`,
): { readonly environment?: ResolvedEnvironment; readonly config?: EnvironmentConfig; readonly issues: readonly ConfigIssue[] } {
  const { parsed, issues } = checkEnvironmentText(text, expectedEnvironment);
  if (!parsed) return { issues };
  const environment = resolved(file, parsed);
  return { environment, config: environment.config, issues: [] };
}

/** One environment file, resolved; throws ConfigError listing every problem. Use resolveEnvironments for a whole directory: it also checks what must differ between files. */
export function resolveEnvironment(file: string): ResolvedEnvironment {
  const shown = displayPath(file);
  const { environment, issues } = resolveEnvironmentText(fs.readFileSync(file, "utf8"), path.basename(file, ".json"), shown);
  if (!environment) throw new ConfigError(issues.map((issue) => ({ file: shown, issue })));
  return environment;
}

/**
 * Parses an environment object (throwing zod's error on bad input) and resolves its config. For
 * tests and tools that build a config in code; files go through resolveEnvironments.
 */
export function parseEnvironment(input: unknown): EnvironmentConfig {
  return withDerivedDefaults(environmentSchema.parse(input));
}

const resolvedRuns = new Map<string, readonly ResolvedEnvironment[]>();

/**
 * Every environment file of `configDir`, resolved: all or nothing. Throws one ConfigError listing
 * the problems of all files together (and the names two files share), so nothing is synthesized or
 * planned from a partly valid set. Computed once per run: a second call with the same files (the
 * same text, read again) returns the same frozen objects.
 */
export function resolveEnvironments(configDir = "config"): readonly ResolvedEnvironment[] {
  const files = environmentFiles(configDir).map((absolute) => ({ absolute, text: fs.readFileSync(absolute, "utf8") }));
  const key = JSON.stringify([process.cwd(), configDir, files]);
  const known = resolvedRuns.get(key);
  if (known) return known;

  const problems: { file: string; issue: ConfigIssue }[] = [];
  const environments: ResolvedEnvironment[] = [];
  if (files.length === 0) {
    problems.push({ file: configDir, issue: { path: [], value: undefined, message: "holds no environment file (<name>.json)" } });
  }
  for (const { absolute, text } of files) {
    const file = displayPath(absolute);
    const { environment, issues } = resolveEnvironmentText(text, path.basename(absolute, ".json"), file);
    problems.push(...issues.map((issue) => ({ file, issue })));
    if (environment) environments.push(environment);
  }
  problems.push(...uniqueAcrossEnvironments(environments), ...agreeWithinAccounts(environments));
  if (problems.length > 0) throw new ConfigError(problems);
  const frozen = Object.freeze(environments);
  resolvedRuns.set(key, frozen);
  return frozen;
}
