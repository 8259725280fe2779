import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/secretsmanager-secret-version";
import { AdvancedCluster } from "@cdktf/provider-mongodbatlas/lib/advanced-cluster";
import { CloudBackupSchedule } from "@cdktf/provider-mongodbatlas/lib/cloud-backup-schedule";
import { PrivatelinkEndpoint } from "@cdktf/provider-mongodbatlas/lib/privatelink-endpoint";
import { PrivatelinkEndpointService } from "@cdktf/provider-mongodbatlas/lib/privatelink-endpoint-service";
import { Project } from "@cdktf/provider-mongodbatlas/lib/project";
import { ProjectIpAccessList } from "@cdktf/provider-mongodbatlas/lib/project-ip-access-list";
import { MongodbatlasProvider } from "@cdktf/provider-mongodbatlas/lib/provider";
import { tierRefusal } from "../../src/atlas/cluster-tiers";
import { COLLECTION_NAMES } from "../../src/seed/declared-shape";
import { committedEnvironment, onlyResource, resourceNamed, synthesizeEnvironment } from "../support/stacks";

// GIVEN the committed production environment file
const prod = committedEnvironment("prod");
const { config } = prod;
// WHEN it is synthesized
const { synth, json } = synthesizeEnvironment(prod);

describe("prod stack: 1. Atlas project", () => {
  it("is named audio-pipeline and tagged with Project, Environment and ManagedBy", () => {
    expect(synth).toHaveResourceWithProperties(Project, {
      name: "audio-pipeline",
      tags: { Project: "audio-pipeline", Environment: "prod", ManagedBy: "cdktf" },
    });
  });

  it("takes the org id from a Terraform variable, never from a committed value", () => {
    expect(onlyResource(json, "mongodbatlas_project").org_id).toBe("${var.atlas_org_id}");
    expect(json.variable.atlas_org_id).toMatchObject({ type: "string", nullable: false });
    expect(json.variable.atlas_org_id).not.toHaveProperty("default");
  });
});

describe("prod stack: 2. cluster", () => {
  it("is a replica set of 3 or more nodes on AWS US_EAST_1 running MongoDB 7.0, at the configured dedicated tier", () => {
    expect(synth).toHaveResourceWithProperties(AdvancedCluster, {
      cluster_type: "REPLICASET",
      mongo_db_major_version: "7.0",
      replication_specs: [
        {
          region_configs: [
            expect.objectContaining({
              provider_name: "AWS",
              region_name: "US_EAST_1",
              electable_specs: { instance_size: config.atlas.tier, node_count: config.atlas.electableNodes },
            }),
          ],
        },
      ],
    });
    expect(config.atlas.electableNodes).toBeGreaterThanOrEqual(3);
    // The story's M2 cannot do PrivateLink, 7.0 or point-in-time restore: the tier must be one that can.
    expect(tierRefusal(config.atlas.tier, ["privateLink", "pointInTimeRestore", "cloudBackupSchedule", "pinnedVersion"])).toBeUndefined();
  });

  it("has backup, point-in-time restore and termination protection on, TLS 1.2 and no server-side JavaScript", () => {
    expect(synth).toHaveResourceWithProperties(AdvancedCluster, {
      backup_enabled: true,
      pit_enabled: true,
      termination_protection_enabled: true,
      advanced_configuration: { minimum_enabled_tls_protocol: "TLS1_2", javascript_enabled: false },
    });
  });

  it("auto-scales compute within the configured bounds and lets Atlas own the instance size", () => {
    const cluster = onlyResource(json, "mongodbatlas_advanced_cluster");
    const compute = config.atlas.autoScaling.compute;
    expect(compute).toBeDefined();
    expect(synth).toHaveResourceWithProperties(AdvancedCluster, {
      replication_specs: [
        {
          region_configs: [
            expect.objectContaining({
              auto_scaling: {
                compute_enabled: true,
                compute_min_instance_size: compute?.minTier,
                compute_max_instance_size: compute?.maxTier,
                compute_scale_down_enabled: true,
                disk_gb_enabled: true,
              },
            }),
          ],
        },
      ],
    });
    expect(cluster.lifecycle).toEqual({
      ignore_changes: ["replication_specs[0].region_configs[0].electable_specs[0].instance_size"],
      prevent_destroy: true,
    });
  });
});

describe("prod stack: 3. database users (aws-iam, as config/prod.json says)", () => {
  const iamUser = (name: string) => resourceNamed(json, "mongodbatlas_database_user", name);

  it("has no generated password at all", () => {
    expect(config.database.authentication).toBe("aws-iam");
    expect(json.resource.random_password).toBeUndefined();
    for (const user of Object.values(json.resource.mongodbatlas_database_user)) expect(user).not.toHaveProperty("password");
  });

  it("makes the application's IAM role a ROLE user in $external with readWrite on audio_pipeline only, scoped to the cluster", () => {
    expect(iamUser("app_iam_user")).toMatchObject({ username: config.database.appRoleArn, aws_iam_type: "ROLE", auth_database_name: "$external" });
    expect(iamUser("app_iam_user").roles).toEqual([{ role_name: "readWrite", database_name: "audio_pipeline" }]);
    expect(iamUser("app_iam_user").scopes).toEqual([{ name: "${mongodbatlas_advanced_cluster.cluster.name}", type: "CLUSTER" }]);
  });

  it("makes the seeder's IAM role a separate ROLE user who may also replace validators, on audio_pipeline only", () => {
    expect(iamUser("seeder_iam_user")).toMatchObject({ username: config.database.seederRoleArn, aws_iam_type: "ROLE", auth_database_name: "$external" });
    expect(iamUser("seeder_iam_user").roles).toEqual([
      { role_name: "readWrite", database_name: "audio_pipeline" },
      { role_name: "dbAdmin", database_name: "audio_pipeline" },
    ]);
    expect(iamUser("seeder_iam_user").scopes).toEqual([{ name: "${mongodbatlas_advanced_cluster.cluster.name}", type: "CLUSTER" }]);
    expect(Object.keys(json.resource.mongodbatlas_database_user).sort()).toEqual(["app_iam_user", "seeder_iam_user"]);
  });
});

describe("prod stack: 4. connection secret", () => {
  it("is named audio-pipeline/mongodb-uri and encrypted with a rotating customer-managed key", () => {
    expect(synth).toHaveResourceWithProperties(SecretsmanagerSecret, {
      name: "audio-pipeline/mongodb-uri",
      kms_key_id: "${aws_kms_key.connection_secret_key.arn}",
    });
    expect(synth).toHaveResourceWithProperties(KmsKey, { enable_key_rotation: true });
  });

  it("can be recovered for at least 7 days after deletion", () => {
    for (const secret of Object.values(json.resource.aws_secretsmanager_secret)) {
      expect(secret.recovery_window_in_days).toBe(config.connectionSecret.recoveryWindowDays);
      expect(secret.recovery_window_in_days).toBeGreaterThanOrEqual(7);
    }
  });

  it("gives the seeder its own secret, naming its own user, under the same key", () => {
    expect(resourceNamed(json, "aws_secretsmanager_secret", "seeder_connection_secret")).toMatchObject({
      name: config.connectionSecret.seederName,
      kms_key_id: "${aws_kms_key.connection_secret_key.arn}",
    });
    const value = String(resourceNamed(json, "aws_secretsmanager_secret_version", "seeder_connection_secret_value").secret_string);
    expect(value).toContain('"roleArn" = mongodbatlas_database_user.seeder_iam_user.username');
    expect(value).not.toContain("app_iam_user");
  });

  it("holds the private SRV URI with MONGODB-AWS and the pool options, no credential, plus authentication, roleArn, database, environment and cluster", () => {
    const secretString = String(resourceNamed(json, "aws_secretsmanager_secret_version", "connection_secret_value").secret_string);
    expect(secretString).toMatch(/^\$\{jsonencode\(\{/);
    expect(secretString).toContain(
      '"uri" = "mongodb+srv://${replace((length(local.private_srv_connection_strings) == 1) ? element(local.private_srv_connection_strings, 0) : "", "mongodb+srv://", "")}/audio_pipeline?authMechanism=MONGODB-AWS&authSource=%24external&',
    );
    for (const option of ["minPoolSize=10", "maxPoolSize=50", "retryWrites=true", "w=majority"]) {
      expect(secretString).toContain(option);
    }
    expect(secretString).toContain('"authentication" = "aws-iam"');
    expect(secretString).toContain('"roleArn" = mongodbatlas_database_user.app_iam_user.username');
    expect(secretString).toContain('"database" = "audio_pipeline"');
    expect(secretString).toContain('"environment" = "prod"');
    expect(secretString).toContain('"cluster" = mongodbatlas_advanced_cluster.cluster.name');
    expect(secretString).not.toMatch(/password|"username"/);
  });

  it("builds the URI from the private endpoint of this stack's VPC endpoint and refuses to write it otherwise", () => {
    expect(json.locals?.private_srv_connection_strings).toContain("private_endpoint");
    expect(json.locals?.private_srv_connection_strings).toContain("aws_vpc_endpoint.atlas_vpc_endpoint.id");
    expect(synth).toHaveResourceWithProperties(SecretsmanagerSecretVersion, {
      secret_id: "${aws_secretsmanager_secret.connection_secret.id}",
      lifecycle: {
        precondition: [expect.objectContaining({ condition: "${(length(local.private_srv_connection_strings) == 1)}" })],
      },
    });
  });
});

describe("prod stack: 5. IP access list", () => {
  it("has one entry per configured CIDR, by default only the VPC CIDR 10.0.0.0/16", () => {
    const entries = Object.values(json.resource.mongodbatlas_project_ip_access_list);
    expect(entries.map((entry) => entry.cidr_block)).toEqual(config.network.accessListCidrs ?? [config.network.vpcCidr]);
    expect(synth).toHaveResourceWithProperties(ProjectIpAccessList, { cidr_block: "10.0.0.0/16" });
    for (const entry of entries) {
      expect(entry).not.toHaveProperty("ip_address");
      expect(entry).not.toHaveProperty("aws_security_group");
    }
  });
});

describe("prod stack: 6. PrivateLink", () => {
  it("creates the Atlas endpoint for AWS in us-east-1", () => {
    expect(synth).toHaveResourceWithProperties(PrivatelinkEndpoint, { provider_name: "AWS", region: "us-east-1" });
  });

  it("guards the endpoint with a security group in the VPC that has no inline rules", () => {
    expect(synth).toHaveResourceWithProperties(SecurityGroup, { vpc_id: config.network.vpcId });
    const group = onlyResource(json, "aws_security_group");
    expect(group).not.toHaveProperty("ingress");
    expect(group).not.toHaveProperty("egress");
  });

  it("opens TCP 1024-65535 only from the API and worker security groups", () => {
    const rules = Object.values(json.resource.aws_vpc_security_group_ingress_rule);
    expect(rules.map((rule) => rule.referenced_security_group_id).sort()).toEqual(
      Object.values(config.network.clientSecurityGroups).sort(),
    );
    for (const rule of rules) {
      expect(rule).toMatchObject({
        security_group_id: "${aws_security_group.private_endpoint_security_group.id}",
        ip_protocol: "tcp",
        from_port: 1024,
        to_port: 65535,
      });
      expect(rule).not.toHaveProperty("cidr_ipv4");
      expect(rule).not.toHaveProperty("cidr_ipv6");
    }
    expect(synth).toHaveResourceWithProperties(VpcSecurityGroupIngressRule, { from_port: 1024, to_port: 65535 });
  });

  it("places an Interface VPC endpoint for the Atlas service in the private subnets with that group", () => {
    expect(synth).toHaveResourceWithProperties(VpcEndpoint, {
      vpc_endpoint_type: "Interface",
      vpc_id: config.network.vpcId,
      subnet_ids: config.network.privateSubnetIds,
      security_group_ids: ["${aws_security_group.private_endpoint_security_group.id}"],
      service_name: "${mongodbatlas_privatelink_endpoint.atlas_private_endpoint.endpoint_service_name}",
    });
  });

  it("links the Atlas endpoint and the VPC endpoint", () => {
    expect(synth).toHaveResourceWithProperties(PrivatelinkEndpointService, {
      provider_name: "AWS",
      private_link_id: "${mongodbatlas_privatelink_endpoint.atlas_private_endpoint.private_link_id}",
      endpoint_service_id: "${aws_vpc_endpoint.atlas_vpc_endpoint.id}",
    });
  });

  it("creates the cluster only after the endpoint service, so its private connection string exists", () => {
    expect(onlyResource(json, "mongodbatlas_advanced_cluster").depends_on).toContain(
      "mongodbatlas_privatelink_endpoint_service.atlas_private_endpoint_service",
    );
  });
});

describe("prod stack: 7. backups", () => {
  it("keeps a 7-day point-in-time window and daily 7 days, weekly 4 weeks, monthly 3 months", () => {
    expect(synth).toHaveResourceWithProperties(CloudBackupSchedule, {
      cluster_name: "${mongodbatlas_advanced_cluster.cluster.name}",
      restore_window_days: 7,
      policy_item_daily: expect.objectContaining({ retention_unit: "days", retention_value: 7 }),
      policy_item_weekly: [expect.objectContaining({ retention_unit: "weeks", retention_value: 4 })],
      policy_item_monthly: [expect.objectContaining({ retention_unit: "months", retention_value: 3 })],
    });
  });

  it("keeps hourly snapshots at least as long as the restore window", () => {
    const schedule = onlyResource(json, "mongodbatlas_cloud_backup_schedule");
    const hourly = schedule.policy_item_hourly as { retention_unit: string; retention_value: number };
    expect(hourly.retention_unit).toBe("days");
    expect(hourly.retention_value).toBeGreaterThanOrEqual(schedule.restore_window_days as number);
  });
});

describe("prod stack: 7b. snapshot copies in a second region", () => {
  const schedule = onlyResource(json, "mongodbatlas_cloud_backup_schedule");
  const copies = (schedule.copy_settings ?? []) as Record<string, unknown>[];
  const ownRegion = (onlyResource(json, "mongodbatlas_advanced_cluster").replication_specs as any)[0].region_configs[0].region_name;

  it("copies snapshots to at least one region other than the cluster's", () => {
    expect(copies.length).toBeGreaterThan(0);
    for (const copy of copies) expect(copy.region_name).not.toBe(ownRegion);
    expect(copies.map((copy) => copy.region_name)).toEqual(config.backup.copyToRegions);
  });

  it("names the cluster's zone (zone_id), not the deprecated replication_spec_id", () => {
    for (const copy of copies) {
      expect(copy.zone_id).toBe("${mongodbatlas_advanced_cluster.cluster.replication_specs[0].zone_id}");
      expect(copy).not.toHaveProperty("replication_spec_id");
      expect(copy.cloud_provider).toBe("AWS");
    }
  });

  it("copies the oplog exactly when point-in-time restore is on, and only snapshot kinds the policy takes", () => {
    const policyKinds = ["hourly", "daily", "weekly", "monthly"].filter((kind) => schedule[`policy_item_${kind}`] !== undefined).map((kind) => kind.toUpperCase());
    for (const copy of copies) {
      expect(copy.should_copy_oplogs).toBe(config.backup.pointInTimeRestore);
      expect(policyKinds).toEqual(expect.arrayContaining(copy.frequencies as string[]));
    }
  });
});

describe("prod stack: 8. outputs", () => {
  const expected = [
    "atlas_project_id",
    "atlas_cluster_name",
    "private_srv_host",
    "atlas_private_link_id",
    "aws_vpc_endpoint_id",
    "connection_secret_arn",
    "connection_secret_name",
    "seeder_secret_arn",
    "seeder_secret_name",
    "private_endpoint_security_group_id",
    "database_name",
    "collection_names",
  ];

  it("exports the ids, names and host a client or operator needs, each with a description", () => {
    for (const name of expected) {
      expect(json.output[name], name).toBeDefined();
      expect(json.output[name].description, name).toMatch(/\w{3,}/);
    }
  });

  it("names the database and the four collections the seeder creates", () => {
    expect(json.output.database_name.value).toBe("audio_pipeline");
    expect(json.output.collection_names.value).toEqual([...COLLECTION_NAMES]);
  });

  it("gives the private SRV host without credentials", () => {
    expect(json.output.private_srv_host.value).toBe(
      '${try(replace(one(local.private_srv_connection_strings), "mongodb+srv://", ""), null)}',
    );
  });

  it("never carries the password, the secret value or a URI with credentials", () => {
    for (const [name, output] of Object.entries(json.output)) {
      const value = JSON.stringify(output.value);
      expect(value, name).not.toContain("random_password");
      expect(value, name).not.toContain("secret_string");
      expect(value, name).not.toContain("mongodbatlas_database_user");
      expect(output.sensitive, name).toBeUndefined();
    }
  });
});

describe("prod stack: 9. providers and state", () => {
  it("tags every AWS resource through default_tags", () => {
    expect(synth).toHaveProviderWithProperties(AwsProvider, {
      region: "us-east-1",
      default_tags: [{ tags: { Project: "audio-pipeline", Environment: "prod", ManagedBy: "cdktf", Module: "database" } }],
    });
  });

  it("configures no Atlas credentials in code: the provider reads them from its environment variables", () => {
    expect(synth).toHaveProvider(MongodbatlasProvider);
    expect(json.provider.mongodbatlas).toEqual([{}]);
  });

  it("keeps state in the configured S3 bucket, encrypted and with S3 locking", () => {
    expect(json.terraform.backend).toEqual({
      s3: {
        bucket: config.state?.bucket,
        key: "audio-pipeline-prod/terraform.tfstate",
        region: "us-east-1",
        encrypt: true,
        use_lockfile: true,
      },
    });
  });
});
