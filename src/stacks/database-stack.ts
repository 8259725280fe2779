import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { MongodbatlasProvider } from "@cdktf/provider-mongodbatlas/lib/provider";
import { RandomProvider } from "@cdktf/provider-random/lib/provider";
import { Aspects, LocalBackend, S3Backend, TerraformVariable } from "cdktf";
import type { Construct } from "constructs";
import { asDedicatedTier } from "../atlas/cluster-tiers";
import type { EnvironmentConfig } from "../config/environment-config";
import { environmentNames } from "../environment/resolve";
import { environmentRoles } from "../environment/roles";
import { DatabaseModule } from "../modules/database/main";
import { DatabaseOutputs } from "../modules/database/outputs";
import { PolicyChecks } from "../policy/policy-checks";
import { COLLECTION_NAMES } from "../seed/declared-shape";
import { applyPermissionsBoundary } from "./permissions-boundary";
import { StableAddressStack } from "./stable-addresses";

/** Inputs of {@link DatabaseStack}. */
export interface DatabaseStackProps {
  readonly config: EnvironmentConfig;
  /** The environment file the config came from, for messages. */
  readonly configFile: string;
}

/**
 * Providers, state backend and the database module for one environment. Atlas credentials
 * come only from the provider's environment variables (MONGODB_ATLAS_PUBLIC_API_KEY,
 * MONGODB_ATLAS_PRIVATE_API_KEY); AWS credentials from the standard AWS chain.
 */
export class DatabaseStack extends StableAddressStack {
  readonly database: DatabaseModule;

  constructor(scope: Construct, props: DatabaseStackProps) {
    const { config } = props;
    const names = environmentNames(config);
    const roles = environmentRoles(config);
    const name = names.stack;
    super(scope, name);

    new AwsProvider(this, "aws", {
      region: config.region,
      defaultTags: [
        {
          tags: { Project: config.atlas.projectName, Environment: config.environment, ManagedBy: "cdktf", Module: "database" },
        },
      ],
    });
    new MongodbatlasProvider(this, "mongodbatlas", {});
    new RandomProvider(this, "random", {});

    if (config.state) {
      const backend = new S3Backend(this, {
        bucket: config.state.bucket,
        key: config.state.key,
        region: config.state.region ?? config.region,
        encrypt: true,
      });
      // S3-native locking (Terraform 1.10+); cdktf 0.21 has no typed option for it.
      backend.addOverride("use_lockfile", true);
    } else {
      // Relative to cdktf.out/stacks/<stack>: the state file sits in the project root, and no
      // machine path ends up in the synthesized JSON.
      new LocalBackend(this, { path: `../../../terraform.${name}.tfstate` });
    }

    const atlasOrgId = new TerraformVariable(this, "atlas_org_id", {
      type: "string",
      nullable: false,
      description: "Atlas organization id (24 hex digits). Set TF_VAR_atlas_org_id at plan time; never commit it.",
      validation: [
        {
          condition: '${can(regex("^[0-9a-f]{24}$", var.atlas_org_id))}',
          errorMessage: "atlas_org_id must be the 24 hex digits of an Atlas organization id.",
        },
      ],
    });

    // Atlas signs webhook calls with this secret; it enters only as a sensitive variable.
    const webhookSecret = config.monitoring.atlasWebhookUrl
      ? new TerraformVariable(this, "atlas_alert_webhook_secret", {
          type: "string",
          sensitive: true,
          nullable: false,
          description: "Secret Atlas signs alert webhook calls with. Set TF_VAR_atlas_alert_webhook_secret at plan time.",
        }).stringValue
      : undefined;

    // The resolved sections as they are: the module's inputs have the environment file's shape.
    this.database = new DatabaseModule(this, "database", {
      environment: config.environment,
      resourceNamePrefix: name,
      atlasOrgId: atlasOrgId.stringValue,
      region: config.region,
      atlas: { ...config.atlas, tier: asDedicatedTier(config.atlas.tier) },
      database: config.database,
      network: config.network,
      backup: config.backup,
      connectionSecret: config.connectionSecret,
      monitoring: { ...config.monitoring, atlasWebhookSecret: webhookSecret },
      terraformRoles: {
        accountId: config.aws.accountId,
        planRoleArn: roles.plan,
        deployRoleArn: roles.deploy,
        nextPlanRoleArn: config.ci.nextPlanRoleArn,
        nextDeployRoleArn: config.ci.nextDeployRoleArn,
        breakGlassRoleArn: roles.breakGlass,
      },
      collectionNames: COLLECTION_NAMES,
    });
    new DatabaseOutputs(this, "outputs", this.database);
    applyPermissionsBoundary(this, config.aws.permissionsBoundaryArn);

    Aspects.of(this).add(new PolicyChecks({ production: config.production }));
  }
}
