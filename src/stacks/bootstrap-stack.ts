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
  readonly trust: PolicyDocument;
  readonly policies: readonly PolicyDocument[];
  readonly maxSessionSeconds: number;
}

/** Terraform addresses are identifiers: audio-pipeline-dev -> audio_pipeline_dev. */
const address = (text: string) => text.replace(/[^A-Za-z0-9_]/g, "_");

/** The CI roles of one environment, with their trust and permission documents. */
export function bootstrapRoles(scope: EnvironmentScope, providerArn: string): BootstrapRole[] {
  const { config } = scope;
  const roles: Array<[CiPurpose, string, RolePermissions, readonly string[]]> = [
    ["plan", config.ci.planRoleArn, planPermissions(scope), []],
    ["deploy", config.ci.deployRoleArn, deployPermissions(scope), []],
    ["seed", config.database.seederRoleArn, seedPermissions(scope), config.database.seederTrustedRoleArns],
  ];
  return roles.map(([purpose, arn, permissions, trustedRoleArns]) => ({
    environment: config.environment,
    purpose,
    arn,
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
      for (const role of bootstrapRoles(environment, oidc.arn)) {
        if (role.policies.length > MANAGED_POLICIES_PER_ROLE) {
          throw new Error(`${role.arn} needs ${role.policies.length} managed policies; IAM attaches at most ${MANAGED_POLICIES_PER_ROLE}`);
        }
        roles.push(role);
        const id = `${env}_${role.purpose}_role`;
        const trust = oidc.adopted ? role.trust : JSON.parse(JSON.stringify(role.trust).split(oidc.arn).join(providerArn));
        const iamRole = new IamRole(this, id, {
          name: roleNameOf(role.arn),
          path: rolePathOf(role.arn),
          description: `CI ${role.purpose} role of ${environment.stack}: trusted by the GitHub environment ${githubEnvironmentName(config.environment, role.purpose)} only${role.purpose === "seed" && config.database.seederTrustedRoleArns.length > 0 ? " and database.seederTrustedRoleArns" : ""}`,
          assumeRolePolicy: JSON.stringify(trust),
          maxSessionDuration: role.maxSessionSeconds,
        });
        role.policies.forEach((document, index) => {
          const policy = new IamPolicy(this, `${id}_policy_${index + 1}`, {
            name: `${roleNameOf(role.arn)}-${index + 1}`,
            description: `Generated from the resources ${environment.stack} manages (src/bootstrap/permission-table.ts)`,
            policy: JSON.stringify(document),
          });
          new IamRolePolicyAttachment(this, `${id}_policy_${index + 1}_attachment`, { role: iamRole.name, policyArn: policy.arn });
        });
      }
    }
    this.roles = roles;

    new TerraformOutput(this, "github_oidc_provider_arn", { value: providerArn, description: "The GitHub Actions OIDC provider every CI role of this account trusts" });
  }
}
