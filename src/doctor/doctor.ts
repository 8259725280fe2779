import * as os from "node:os";
import * as path from "node:path";
import type { EC2Client } from "@aws-sdk/client-ec2";
import type { IAMClient } from "@aws-sdk/client-iam";
import type { S3Client } from "@aws-sdk/client-s3";
import { App } from "cdktf";
import { DEFAULT_ATLAS_BASE_URL } from "../atlas-api/client";
import { leastPlanRole } from "../atlas/api-key-roles";
import { ConfigError } from "../config/config-issue";
import { pullRequestPlans } from "../config/pull-request-plans";
import { githubSettingsPath, loadGithubSettings, type LoadedGithubSettings } from "../github/load-github-settings";
import { DEFAULT_GITHUB_API_URL } from "../github/repository-rules";
import { DatabaseStack } from "../stacks/database-stack";
import { EnvironmentScope, type StackJson } from "../bootstrap/environment-scope";
import { generatedCiRoles, type BootstrapRole } from "../stacks/bootstrap-stack";
import { bootstrapStackName, stackName } from "../environment/names";
import { resolveEnvironments, type ResolvedEnvironment } from "../environment/resolve";
import { atlasChecks } from "./atlas-checks";
import { awsChecks, awsClients } from "./aws-checks";
import { fail, formatCheck, ServiceStop, type Check, type Service } from "./check";
import { githubChecks } from "./github-checks";
import { runnerPlacementChecks } from "./runner-placement";

/*
 * `npm run doctor -- <env>`: read-only checks of a live set-up with the caller's credentials, one
 * line per check. Exit 1 when any check fails. Base URLs: GITHUB_API_URL, MONGODB_ATLAS_BASE_URL,
 * AWS_ENDPOINT_URL(_IAM|_S3).
 */

export interface DoctorOptions {
  readonly environment: string;
  readonly configDir: string;
  readonly env: NodeJS.ProcessEnv;
  /** AWS clients (tests pass mocked ones); default: clients for the environment's regions. */
  readonly aws?: { readonly iam: IAMClient; readonly s3: S3Client; readonly ec2: EC2Client };
}

export interface DoctorResult {
  readonly checks: readonly Check[];
  readonly lines: readonly string[];
  readonly exitCode: number;
}

const stackJsons = new Map<string, StackJson>();

/** An environment's stack, synthesized in memory (nothing written; once per configuration). */
function stackJson({ file, config }: ResolvedEnvironment): StackJson {
  const key = JSON.stringify(config);
  const known = stackJsons.get(key);
  if (known) return known;
  const stack = new DatabaseStack(new App({ outdir: path.join(os.tmpdir(), "doctor-unused"), stackTraces: false }), { config, configFile: file });
  const json = stack.toTerraform() as StackJson;
  stackJsons.set(key, json);
  return json;
}

/** The Atlas resource types of an environment's stack. */
function atlasResourceTypes(environment: ResolvedEnvironment): string[] {
  return Object.keys(stackJson(environment).resource ?? {}).filter((type) => type.startsWith("mongodbatlas_"));
}

/**
 * The CI roles of `environment` as its account's bootstrap stack generates them (one function:
 * src/stacks/bootstrap-stack.ts generatedCiRoles), trust and permission documents included.
 */
export function expectedCiRoles(environment: ResolvedEnvironment, environments: readonly ResolvedEnvironment[]): BootstrapRole[] {
  const accountId = environment.config.aws.accountId;
  // The other environments of the account only decide which OIDC provider is trusted: their configuration is enough.
  const accountScopes = environments.filter(({ config }) => config.aws.accountId === accountId).map(({ config }) => new EnvironmentScope(config, {}));
  return generatedCiRoles(new EnvironmentScope(environment.config, stackJson(environment)), accountScopes);
}

async function guarded(service: Service, run: () => Promise<Check[]>): Promise<Check[]> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof ServiceStop) return [error.check];
    return [fail(service, "doctor", `stopped: ${(error as Error).message.split("\n")[0]}`, "report this; the other services' lines stand")];
  }
}

export async function runDoctor(options: DoctorOptions): Promise<DoctorResult> {
  const { env } = options;
  let environments: ResolvedEnvironment[];
  let github: LoadedGithubSettings | undefined;
  try {
    environments = [...resolveEnvironments(options.configDir)];
    github = loadGithubSettings(options.configDir, environments);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const check = fail("aws", "config/", error.message.split("\n").slice(1).join("; ").trim(), "fix config/ first (npm run synth lists every problem)");
    return { checks: [check], lines: [formatCheck(check)], exitCode: 1 };
  }
  const loaded = environments.find(({ config }) => config.environment === options.environment);
  if (!loaded) {
    const names = environments.map(({ config }) => config.environment).join(", ");
    const line = `FAIL doctor: no environment "${options.environment}" in ${options.configDir}/; allowed: ${names}`;
    return { checks: [], lines: [line], exitCode: 1 };
  }
  const { config } = loaded;
  const stack = stackName(config.environment);
  const specs = github?.environments.filter((spec) => spec.environment === config.environment) ?? [];

  const runners: string[] = [];
  const stateRegion = config.state?.region ?? config.region;
  const clients = options.aws ?? awsClients(config.region, stateRegion);
  const githubPart = guarded("github", async () => {
    if (!github) throw new ServiceStop(fail("github", "settings", `${githubSettingsPath(options.configDir)} does not exist, so nothing on GitHub can be compared`, "create it (docs/day-0.md) and deploy the github stack"));
    return githubChecks({ apiUrl: env.GITHUB_API_URL || DEFAULT_GITHUB_API_URL, token: env.GITHUB_TOKEN || env.GH_TOKEN, settings: github.settings, repository: github.repository, specs,
      runnerLabel: config.ci.runnerLabel,
      onRunners: (names) => runners.push(...names),
      // The workflows pass it to Terraform only when monitoring.atlasWebhookUrl is set.
      extraAtlasSecrets: config.monitoring.atlasWebhookUrl ? ["ATLAS_ALERT_WEBHOOK_SECRET"] : [],
    });
  });

  const atlasPart = guarded("atlas", async () =>
    atlasChecks({
      baseUrl: env.MONGODB_ATLAS_BASE_URL || DEFAULT_ATLAS_BASE_URL,
      publicKey: env.MONGODB_ATLAS_PUBLIC_API_KEY,
      privateKey: env.MONGODB_ATLAS_PRIVATE_API_KEY,
      orgId: env.MONGODB_ATLAS_ORG_ID || env.TF_VAR_atlas_org_id,
      stack,
      projectName: config.atlas.projectName,
      planRole: () => leastPlanRole(atlasResourceTypes(loaded)),
      pullRequestPlans: pullRequestPlans(config),
    }),
  );

  const awsPart = guarded("aws", async () => {
    const fix = `npm run deploy -- ${bootstrapStackName(config.aws.accountId)}`;
    const roles = expectedCiRoles(loaded, environments).map((role) => ({
      purpose: role.next ? `next ${role.purpose}` : role.purpose,
      roleArn: role.arn,
      trustPolicy: role.trust,
      policies: role.policies,
      maxSessionSeconds: role.maxSessionSeconds,
      fix,
    }));
    return awsChecks({ iam: clients.iam, s3: clients.s3, roles, stateBucket: config.state ? { bucket: config.state.bucket, region: stateRegion } : undefined, production: config.production });
  });

  const [aws, githubLines, atlas] = await Promise.all([awsPart, githubPart, atlasPart]);
  // Needs both: the runners GitHub lists, and AWS credentials that worked.
  const awsWorked = aws.length > 1 || aws[0]?.status === "ok";
  const placement = awsWorked && runners.length > 0 ? await guarded("aws", () => runnerPlacementChecks({ ec2: clients.ec2, runners, vpcId: config.network.vpcId, clientSecurityGroups: config.network.clientSecurityGroups })) : [];
  const checks = [...aws, ...placement, ...githubLines, ...atlas];
  return { checks, lines: checks.map(formatCheck), exitCode: checks.some((check) => check.status === "FAIL") ? 1 : 0 };
}
