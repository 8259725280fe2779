/*
 * The environments the workflows plan and deploy, and their order, read from the validated
 * environment files in config/ (defaults applied): everything a generated job needs to know about
 * its environment comes from here, so the workflows never repeat a value a file owns.
 *
 * Order: an environment deploys after `ci.deployAfter` when it is set. Without it, a production
 * environment deploys after every non-production one, and a non-production one first. The
 * pipeline is one chain in that order (ties: non-production first, then by name), so a failure or
 * a refusal in one environment stops it and every environment after it.
 */
import { ConfigError, type ConfigIssue } from "../../src/config/config-issue";
import { pullRequestPlans } from "../../src/config/pull-request-plans";
import { resolveEnvironments, type ResolvedEnvironment } from "../../src/environment/resolve";

/** One environment as the pipeline orders it: a flat view of the resolved environment (src/environment/), nothing derived here. */
export interface PipelineEnvironment {
  /** config/<name>.json's `environment`. */
  readonly name: string;
  /** The environment file, e.g. config/dev.json. */
  readonly file: string;
  /** The synthesized stack (cdktf.out/stacks/<stack>). */
  readonly stack: string;
  readonly production: boolean;
  /** ci.pullRequestPlan (default: not production): pull requests plan it. */
  readonly pullRequestPlan: boolean;
  /** Where STS and Secrets Manager are called. */
  readonly region: string;
  /** ci.planRoleArn: read-only, trusted by the `<name>-plan` GitHub environment only. */
  readonly planRoleArn: string;
  /** ci.deployRoleArn: trusted by `<name>-deploy` only. */
  readonly deployRoleArn: string;
  /** database.seederRoleArn: trusted by `<name>-seed` only. */
  readonly seedRoleArn: string;
  /** ci.runnerLabel: the self-hosted runner inside this environment's VPC; undefined when not set. */
  readonly runnerLabel?: string;
  /** connectionSecret.seederName: what the seed jobs connect with. */
  readonly seedSecretId: string;
  /** ci.deployAfter as written; undefined for the default order. */
  readonly deployAfter?: string;
}

export function pipelineEnvironment({ file, config, names, roles }: ResolvedEnvironment): PipelineEnvironment {
  return {
    name: names.environment,
    file,
    stack: names.stack,
    production: config.production,
    pullRequestPlan: pullRequestPlans(config),
    region: config.region,
    planRoleArn: roles.plan,
    deployRoleArn: roles.deploy,
    seedRoleArn: roles.seed,
    ...(config.ci.runnerLabel ? { runnerLabel: config.ci.runnerLabel } : {}),
    seedSecretId: names.seederSecret,
    ...(config.ci.deployAfter ? { deployAfter: config.ci.deployAfter } : {}),
  };
}

/** The environments one must wait for: ci.deployAfter, else (production) every non-production one. */
export function predecessors(environment: PipelineEnvironment, all: readonly PipelineEnvironment[]): string[] {
  if (environment.deployAfter !== undefined) return [environment.deployAfter];
  return environment.production ? all.filter((other) => !other.production).map((other) => other.name) : [];
}

/**
 * The environments in deploy order. Throws one ConfigError naming the file, `ci.deployAfter`, the
 * value and the allowed names when an environment follows an unknown one, itself, or a cycle.
 */
export function deployOrder(environments: readonly PipelineEnvironment[]): PipelineEnvironment[] {
  const names = environments.map((environment) => environment.name);
  const problems: { file: string; issue: ConfigIssue }[] = [];
  for (const environment of environments) {
    const after = environment.deployAfter;
    if (after === undefined) continue;
    const others = names.filter((name) => name !== environment.name);
    if (after === environment.name || !names.includes(after)) {
      const why = after === environment.name ? "an environment cannot deploy after itself" : "names no environment in config/";
      problems.push({
        file: environment.file,
        issue: { path: ["ci", "deployAfter"], value: after, message: `${why}; allowed: ${others.map((name) => `"${name}"`).join(", ") || "nothing (the only environment)"}` },
      });
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const ordered: PipelineEnvironment[] = [];
  const placed = new Set<string>();
  const rank = (environment: PipelineEnvironment) => `${environment.production ? 1 : 0}:${environment.name}`;
  const remaining = [...environments].sort((a, b) => (rank(a) < rank(b) ? -1 : 1));
  while (remaining.length > 0) {
    const index = remaining.findIndex((environment) => predecessors(environment, environments).every((name) => placed.has(name)));
    if (index < 0) {
      const cycle = remaining.map((environment) => `${environment.name} after ${predecessors(environment, environments).join(" and ")}`).join(", ");
      throw new ConfigError(
        remaining.map((environment) => ({
          file: environment.file,
          issue: { path: ["ci", "deployAfter"], value: environment.deployAfter, message: `forms a cycle (${cycle}); make one environment deploy first` },
        })),
      );
    }
    const [next] = remaining.splice(index, 1);
    ordered.push(next);
    placed.add(next.name);
  }
  return ordered;
}

/** Every environment of `configDir`, validated, in deploy order. */
export function pipelineEnvironments(configDir = "config"): PipelineEnvironment[] {
  return deployOrder(resolveEnvironments(configDir).map(pipelineEnvironment));
}
