import { AWS_PARTITION } from "../atlas/regions";
import { arnAccountId, GITHUB_OIDC_HOST } from "../config/fields";
import { githubEnvironmentName } from "./names";
import type { EnvironmentRoles } from "./roles";

/*
 * The roles CI assumes, and how: job timeouts and AWS session lengths, and the IAM trust policy
 * of each role, which trusts GitHub's OIDC provider for exactly one GitHub environment of one
 * repository (subject `repo:<owner>/<repo>:environment:<env>-<purpose>`, matched exactly, no
 * wildcard). The workflow generator, docs/ci-cd.md and the stacks that create the roles all read
 * these, so a role's trust and its session limit cannot drift from the jobs that use it.
 */

/**
 * Minutes of the apply job: set-up (checkout, install, synth, init), the fresh plan under the state
 * lock (waiting for the lock up to `lockTimeout`), the apply of the saved plan, and what is left for
 * Terraform to stop cleanly and for the errored-state push when the apply is interrupted at its
 * limit (.github/scripts/terraform-interruptible.sh). A first apply waits for the cluster and the
 * endpoint service (each can take tens of minutes).
 */
export const APPLY_MINUTES = { setup: 10, freshPlan: 30, apply: 105, stop: 15, lockTimeout: 15 } as const;

/** Job timeouts (minutes) and AWS session lengths (seconds): every session outlives its job. */
export const CI_LIMITS = {
  plan: { timeoutMinutes: 30, sessionSeconds: 3600 },
  apply: { timeoutMinutes: APPLY_MINUTES.setup + APPLY_MINUTES.freshPlan + APPLY_MINUTES.apply + APPLY_MINUTES.stop, sessionSeconds: 10800 },
  seedPlan: { timeoutMinutes: 30, sessionSeconds: 3600 },
  // Index builds on large collections.
  seedApply: { timeoutMinutes: 90, sessionSeconds: 7200 },
} as const;

/** The CI roles of an environment, by purpose: each is the role of the GitHub environment of that purpose. */
export const CI_ROLE_PURPOSES = ["plan", "deploy", "seed"] as const satisfies ReadonlyArray<keyof EnvironmentRoles>;
export type CiRolePurpose = (typeof CI_ROLE_PURPOSES)[number];

/** The longest session the workflows request with a role of each purpose (its MaxSessionDuration must allow it). */
export const CI_ROLE_SESSION_SECONDS: { readonly [P in CiRolePurpose]: number } = {
  plan: CI_LIMITS.plan.sessionSeconds,
  deploy: CI_LIMITS.apply.sessionSeconds,
  seed: Math.max(CI_LIMITS.seedPlan.sessionSeconds, CI_LIMITS.seedApply.sessionSeconds),
};

/** One CI role of one environment. */
export interface CiRole {
  readonly purpose: CiRolePurpose;
  readonly roleArn: string;
  /** The one GitHub environment the role trusts. */
  readonly githubEnvironment: string;
  /** The longest session the workflows request with this role (seconds). */
  readonly maxSessionSeconds: number;
}

/** The CI roles of `environment`, in purpose order. */
export function ciRolesOf(environment: string, roles: Pick<EnvironmentRoles, CiRolePurpose>): CiRole[] {
  return CI_ROLE_PURPOSES.map((purpose) => ({
    purpose,
    roleArn: roles[purpose],
    githubEnvironment: githubEnvironmentName(environment, purpose),
    maxSessionSeconds: CI_ROLE_SESSION_SECONDS[purpose],
  }));
}

/** The host of GitHub Actions' OIDC tokens (one definition: the config field of an adopted provider checks it too). */
export const OIDC_HOST = GITHUB_OIDC_HOST;

/** What a trust policy may add to the GitHub environment it trusts. */
export interface TrustOptions {
  /**
   * The OIDC provider to trust.
   * @default - GitHub's provider in the role's account
   */
  readonly providerArn?: string;
  /**
   * Roles that may also assume the role (the seeder's bastion: `database.seederTrustedRoleArns`).
   * @default - none
   */
  readonly trustedRoleArns?: readonly string[];
}

/** The trust policy of a CI role: GitHub's OIDC provider of the role's account, for its one GitHub environment. */
export function trustPolicy(role: Pick<CiRole, "roleArn" | "githubEnvironment">, repository: string, options: TrustOptions = {}): Record<string, unknown> {
  const trusted = options.trustedRoleArns ?? [];
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Federated: options.providerArn ?? `arn:${AWS_PARTITION}:iam::${arnAccountId(role.roleArn) ?? "<account-id>"}:oidc-provider/${OIDC_HOST}` },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: {
            [`${OIDC_HOST}:aud`]: "sts.amazonaws.com",
            [`${OIDC_HOST}:sub`]: `repo:${repository}:environment:${role.githubEnvironment}`,
          },
        },
      },
      ...(trusted.length > 0 ? [{ Effect: "Allow", Principal: { AWS: trusted.length === 1 ? trusted[0] : [...trusted] }, Action: "sts:AssumeRole" }] : []),
    ],
  };
}
