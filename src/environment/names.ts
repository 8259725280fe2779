/*
 * The naming rules of an environment, in one place: its stack, and every name it derives from the
 * stack's (`audio-pipeline-<environment>`), so that a new environment file gets names of its own,
 * never prod's. Free of cdktf and of config parsing: the CI scripts and the seeder read it too.
 */

/** The product's name: the first part of every stack, project, cluster, secret and state key. */
export const PRODUCT_NAME = "audio-pipeline";

/** The stack of one environment, `audio-pipeline-<environment>`, and the prefix of its AWS resource names. */
export function stackName(environment: string): string {
  return `${PRODUCT_NAME}-${environment}`;
}

/** The names an environment derives from its stack's, when neither its file nor a legacy override gives one. */
export interface DerivedNames {
  /** Atlas project (unique within the organization). */
  readonly atlasProject: string;
  readonly atlasCluster: string;
  /** Secrets Manager secret the application reads. */
  readonly appSecret: string;
  /** Secrets Manager secret the post-apply seeder (and CI's seed jobs) read. */
  readonly seederSecret: string;
  /** S3 object key of the Terraform state, when the state is remote. */
  readonly stateKey: string;
}

export function derivedNames(environment: string): DerivedNames {
  const prefix = stackName(environment);
  return {
    atlasProject: prefix,
    atlasCluster: prefix,
    appSecret: `${prefix}/mongodb-uri`,
    seederSecret: `${prefix}/mongodb-seed-uri`,
    stateKey: `${prefix}/terraform.tfstate`,
  };
}

/**
 * The GitHub environments of one environment, one per purpose, each named `<environment>-<suffix>`.
 * Every CI role trusts exactly one of them (docs/ci-cd.md); a new purpose (a restore drill, say)
 * is one more line here, and every workflow, trust policy and settings check picks it up.
 */
export const GITHUB_ENVIRONMENT_SUFFIXES = {
  /** Plans, read-only; open to every branch (pull requests plan non-production environments). */
  plan: "plan",
  /** Applies; in production its required reviewers are the approval of the plan. */
  deploy: "deploy",
  /** Plans and applies the seed with the seeder's role. */
  seed: "seed",
  /** Holds no role and no secret: its required reviewers approve a production seed plan. */
  seedApproval: "seed-approval",
  /**
   * The restore drill (drill.yml): holds only the drill's Atlas API key (ATLAS_DRILL_PUBLIC_API_KEY,
   * ATLAS_DRILL_PRIVATE_API_KEY), no AWS role; main only, no reviewer (docs/operations.md).
   */
  drill: "drill",
} as const;

export type GitHubEnvironmentPurpose = keyof typeof GITHUB_ENVIRONMENT_SUFFIXES;

/** `<environment>-<suffix>`; `environment` may be a workflow expression such as `${{ inputs.environment }}`. */
export function githubEnvironmentName(environment: string, purpose: GitHubEnvironmentPurpose): string {
  return `${environment}-${GITHUB_ENVIRONMENT_SUFFIXES[purpose]}`;
}

/** The GitHub environments of one environment, by purpose. */
export type GitHubEnvironments = { readonly [P in GitHubEnvironmentPurpose]: string };

export function githubEnvironments(environment: string): GitHubEnvironments {
  const entries = (Object.keys(GITHUB_ENVIRONMENT_SUFFIXES) as GitHubEnvironmentPurpose[]).map((purpose) => [purpose, githubEnvironmentName(environment, purpose)]);
  return Object.fromEntries(entries) as GitHubEnvironments;
}

/** What every bootstrap stack's name starts with. */
export const BOOTSTRAP_STACK_PREFIX = `${PRODUCT_NAME}-bootstrap-`;

/** The day-0 stack of one AWS account: `audio-pipeline-bootstrap-<account id>`. */
export function bootstrapStackName(accountId: string): string {
  return `${BOOTSTRAP_STACK_PREFIX}${accountId}`;
}
