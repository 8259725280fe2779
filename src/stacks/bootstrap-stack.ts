import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { LocalBackend, S3Backend, TerraformOutput } from "cdktf";
import type { Construct } from "constructs";
import { AWS_PARTITION } from "../atlas/regions";
import { trustPolicy, type CiRolePurpose as CiPurpose } from "../environment/ci-roles";
import { defaultPermissionsBoundaryArn } from "../config/environment-config";
import { GITHUB_OIDC_HOST, roleNameOf, rolePathOf } from "../config/fields";
import {
  boundaryDocument,
  deployPermissions,
  MANAGED_POLICIES_PER_ROLE,
  maxSessionSeconds,
  packStatements,
  planPermissions,
  seedPermissions,
  type PolicyDocument,
  type RolePermissions,
} from "../bootstrap/ci-policies";
import type { EnvironmentScope } from "../bootstrap/environment-scope";
import { StateBucket } from "../bootstrap/state-bucket";
import { StableAddressStack } from "./stable-addresses";
import { bootstrapStackName, githubEnvironmentName } from "../environment/names";

/** Inputs of {@link BootstrapStack}. */
export interface BootstrapStackProps {
  readonly accountId: string;
  /** Every environment of the account, each with what its synthesized stack manages. */
  readonly environments: readonly EnvironmentScope[];
}

/** One CI role as the bootstrap creates it. */
export interface BootstrapRole {
  readonly environment: string;
  readonly purpose: CiPurpose;
  readonly arn: string;
  /** Whether it is the `next` role of a rotation (step 1 of docs/runbook-rotation.md: ci.nextPlanRoleArn, ...), beside the role of its purpose. */
  readonly next: boolean;
  readonly trust: PolicyDocument;
  readonly policies: readonly PolicyDocument[];
  readonly maxSessionSeconds: number;
}

/** Terraform addresses are identifiers: audio-pipeline-dev -> audio_pipeline_dev. */
const address = (text: string) => text.replace(/[^A-Za-z0-9_]/g, "_");

/**
 * The Terraform address (construct id) of a CI role: its role name, so that a role keeps its
 * address through a rotation (step 1 adds the next role's resources, step 2 removes only the old
 * one's; a purpose-keyed address would rename the role in step 2, which IAM does by replacement).
 */
export const ciRoleAddress = (roleArn: string): string => `ci_role_${address(roleNameOf(roleArn))}`;

/** The address a CI role had before addresses were keyed by role name (`<env>_<purpose>_role`); moved blocks carry it over. */
export const legacyCiRoleAddress = (environment: string, purpose: CiPurpose): string => `${address(environment)}_${purpose}_role`;

/** The CI roles of one environment (with the `next` role of a rotation in progress), with their trust and permission documents. */
export function bootstrapRoles(scope: EnvironmentScope, providerArn: string): BootstrapRole[] {
  const { config } = scope;
  const purposes: Array<{ purpose: CiPurpose; arns: [string, string | undefined]; permissions: RolePermissions; trustedRoleArns: readonly string[] }> = [
    { purpose: "plan", arns: [config.ci.planRoleArn, config.ci.nextPlanRoleArn], permissions: planPermissions(scope), trustedRoleArns: [] },
    { purpose: "deploy", arns: [config.ci.deployRoleArn, config.ci.nextDeployRoleArn], permissions: deployPermissions(scope), trustedRoleArns: [] },
    {
      purpose: "seed",
      arns: [config.database.seederRoleArn, config.database.nextSeederRoleArn],
      permissions: seedPermissions(scope),
      trustedRoleArns: config.database.seederTrustedRoleArns,
    },
  ];
  // The next role of a rotation is the same role under another name: same trust, policies, session and boundary rules.
  return purposes.flatMap(({ purpose, arns, permissions, trustedRoleArns }) =>
    arns.flatMap((arn, index) => (arn === undefined ? [] : [{ purpose, arn, next: index > 0, permissions, trustedRoleArns }])),
  ).map(({ purpose, arn, next, permissions, trustedRoleArns }) => ({
    environment: config.environment,
    purpose,
    arn,
    next,
    trust: trustPolicy({ roleArn: arn, githubEnvironment: githubEnvironmentName(config.environment, purpose) }, config.github.repository, { providerArn, trustedRoleArns }) as unknown as PolicyDocument,
    policies: packStatements(permissions.statements),
    maxSessionSeconds: maxSessionSeconds(purpose),
  }));
}

/** The OIDC provider an account's roles trust: adopted from config, else the one this stack creates. */
export function oidcProviderArnOf(environments: readonly EnvironmentScope[], accountId: string): { readonly arn: string; readonly adopted: boolean } {
  const adopted = environments.find((scope) => scope.config.aws.githubOidcProviderArn)?.config.aws.githubOidcProviderArn;
  return adopted ? { arn: adopted, adopted: true } : { arn: `arn:${AWS_PARTITION}:iam::${accountId}:oidc-provider/${GITHUB_OIDC_HOST}`, adopted: false };
}

/**
 * The CI roles of one environment exactly as its account's bootstrap stack creates them: trust
 * (GitHub's OIDC provider of the account, adopted or created; database.seederTrustedRoleArns for
 * the seed role) and permission documents, `next` rotation roles included. `accountScopes` are the
 * environments of the same account (they decide which OIDC provider is trusted). The doctor
 * compares live roles with these.
 */
export function generatedCiRoles(scope: EnvironmentScope, accountScopes: readonly EnvironmentScope[]): BootstrapRole[] {
  return bootstrapRoles(scope, oidcProviderArnOf(accountScopes, scope.accountId).arn);
}

/**
 * Day 0 of one AWS account, deployed once by an administrator (`npm run deploy -- <stack>`):
 * the Terraform state buckets its environments name, the GitHub OIDC provider (or the adopted
 * one), and per environment its permissions boundary and its plan, deploy and seed roles with
 * permissions generated from what the environment's stack manages (src/bootstrap/).
 *
 * Its own state starts local (nothing exists to hold it yet) and moves into the first state
 * bucket once `aws.bootstrapState` is "s3" in the account's files (docs/day-0.md).
 */
export class BootstrapStack extends StableAddressStack {
  readonly roles: readonly BootstrapRole[];

  constructor(scope: Construct, props: BootstrapStackProps) {
    const name = bootstrapStackName(props.accountId);
    super(scope, name);
    const environments = [...props.environments].sort((a, b) => a.environment.localeCompare(b.environment));
    const home = environments[0].config;
    new AwsProvider(this, "aws", {
      region: home.region,
      allowedAccountIds: [props.accountId],
      defaultTags: [{ tags: { Project: "audio-pipeline", ManagedBy: "cdktf", Module: "bootstrap" } }],
    });

    // State buckets, one per distinct state.bucket (account-wide.ts makes sharing files agree).
    const buckets = new Map<string, { region: string; days: number }>();
    for (const { config } of environments) {
      if (config.state) buckets.set(config.state.bucket, { region: config.state.region ?? config.region, days: config.state.noncurrentVersionRetentionDays });
    }
    const regionalProviders = new Map<string, AwsProvider>();
    for (const [bucket, { region, days }] of [...buckets].sort(([a], [b]) => a.localeCompare(b))) {
      let provider: AwsProvider | undefined;
      if (region !== home.region) {
        provider = regionalProviders.get(region);
        if (!provider) {
          provider = new AwsProvider(this, `aws_${address(region)}`, { alias: address(region), region, allowedAccountIds: [props.accountId] });
          regionalProviders.set(region, provider);
        }
      }
      new StateBucket(this, `state_${address(bucket)}`, { bucket, noncurrentVersionRetentionDays: days, address: `state_bucket_${address(bucket)}`, provider });
    }

    const firstBucket = [...buckets.keys()].sort()[0];
    if (home.aws.bootstrapState === "s3" && firstBucket) {
      const backend = new S3Backend(this, { bucket: firstBucket, key: `${name}/terraform.tfstate`, region: buckets.get(firstBucket)!.region, encrypt: true });
      backend.addOverride("use_lockfile", true);
    } else {
      new LocalBackend(this, { path: `../../../terraform.${name}.tfstate` });
    }

    const oidc = oidcProviderArnOf(environments, props.accountId);
    let providerArn = oidc.arn;
    if (!oidc.adopted) {
      providerArn = new IamOpenidConnectProvider(this, "github_oidc_provider", {
        url: `https://${GITHUB_OIDC_HOST}`,
        clientIdList: ["sts.amazonaws.com"],
      }).arn;
    }

    const roles: BootstrapRole[] = [];
    // Written as plain moved blocks: cdktf's moveFromId would make every synth run `terraform version`.
    const moved: Array<{ from: string; to: string }> = [];
    for (const environment of environments) {
      const { config } = environment;
      const env = address(config.environment);
      // The boundary of the roles the environment's stack creates, unless the file names its own.
      if (config.aws.permissionsBoundaryArn === defaultPermissionsBoundaryArn(config.aws.accountId, config.environment)) {
        new IamPolicy(this, `${env}_permissions_boundary`, {
          name: config.aws.permissionsBoundaryArn.slice(config.aws.permissionsBoundaryArn.lastIndexOf("/") + 1),
          description: `Permissions boundary of the roles the ${environment.stack} stack creates; its deploy role cannot create a role without it or change it`,
          policy: JSON.stringify(boundaryDocument(environment)),
        });
      }
      for (const role of generatedCiRoles(environment, environments)) {
        if (role.policies.length > MANAGED_POLICIES_PER_ROLE) {
          throw new Error(`${role.arn} needs ${role.policies.length} managed policies; IAM attaches at most ${MANAGED_POLICIES_PER_ROLE}`);
        }
        roles.push(role);
        const id = ciRoleAddress(role.arn);
        const trust = oidc.adopted ? role.trust : JSON.parse(JSON.stringify(role.trust).split(oidc.arn).join(providerArn));
        const iamRole = new IamRole(this, id, {
          name: roleNameOf(role.arn),
          path: rolePathOf(role.arn),
          description: `CI ${role.purpose} role of ${environment.stack}: trusted by the GitHub environment ${githubEnvironmentName(config.environment, role.purpose)} only${role.purpose === "seed" && config.database.seederTrustedRoleArns.length > 0 ? " and database.seederTrustedRoleArns" : ""}`,
          assumeRolePolicy: JSON.stringify(trust),
          maxSessionDuration: role.maxSessionSeconds,
        });
        // State written before addresses were keyed by role name: the role of each purpose moves, nothing is replaced.
        const legacy = legacyCiRoleAddress(config.environment, role.purpose);
        if (!role.next) moved.push({ from: `aws_iam_role.${legacy}`, to: `aws_iam_role.${iamRole.friendlyUniqueId}` });
        role.policies.forEach((document, index) => {
          const policy = new IamPolicy(this, `${id}_policy_${index + 1}`, {
            name: `${roleNameOf(role.arn)}-${index + 1}`,
            description: `Generated from the resources ${environment.stack} manages (src/bootstrap/permission-table.ts)`,
            policy: JSON.stringify(document),
          });
          const attachment = new IamRolePolicyAttachment(this, `${id}_policy_${index + 1}_attachment`, { role: iamRole.name, policyArn: policy.arn });
          if (!role.next) {
            moved.push({ from: `aws_iam_policy.${legacy}_policy_${index + 1}`, to: `aws_iam_policy.${policy.friendlyUniqueId}` });
            moved.push({ from: `aws_iam_role_policy_attachment.${legacy}_policy_${index + 1}_attachment`, to: `aws_iam_role_policy_attachment.${attachment.friendlyUniqueId}` });
          }
        });
      }
    }
    this.roles = roles;
    if (moved.length > 0) this.addOverride("moved", moved);

    new TerraformOutput(this, "github_oidc_provider_arn", { value: providerArn, description: "The GitHub Actions OIDC provider every CI role of this account trusts" });
  }
}
