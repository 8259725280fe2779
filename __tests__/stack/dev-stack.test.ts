import { AdvancedCluster } from "@cdktf/provider-mongodbatlas/lib/advanced-cluster";
import { CloudBackupSchedule } from "@cdktf/provider-mongodbatlas/lib/cloud-backup-schedule";
import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { parseEnvironment } from "../../src/environment/resolve";
import { committedConfigJson } from "../support/config-files";
import { committedEnvironment, onlyResource, resourceNamed, synthesizeEnvironment } from "../support/stacks";

// GIVEN the committed dev environment file, which leaves most settings at their defaults
const dev = committedEnvironment("dev");
const { config } = dev;
// WHEN it is synthesized
const { synth, json } = synthesizeEnvironment(dev);

describe("dev stack: cheaper settings from config/dev.json", () => {
  it("can be deleted: no termination protection, snapshots not kept after deletion", () => {
    expect(synth).toHaveResourceWithProperties(AdvancedCluster, {
      termination_protection_enabled: false,
      retain_backups_enabled: false,
    });
  });

  it("lets Terraform destroy it: no prevent_destroy anywhere", () => {
    expect(synth).not.toContain("prevent_destroy");
  });

  it("keeps a fixed tier: no compute auto-scaling and no ignore_changes on the instance size", () => {
    const cluster = onlyResource(json, "mongodbatlas_advanced_cluster");
    expect(JSON.stringify(cluster.replication_specs)).toContain('"compute_enabled":false');
    expect(cluster).not.toHaveProperty("lifecycle");
  });

  it("names its Atlas project, cluster and secret apart from prod, so both fit in one organization and account", () => {
    expect(onlyResource(json, "mongodbatlas_project").name).toBe("audio-pipeline-dev");
    expect(onlyResource(json, "mongodbatlas_advanced_cluster").name).toBe("audio-pipeline-dev");
    expect(Object.values(json.resource.aws_secretsmanager_secret).map((secret) => secret.name)).toEqual([
      "audio-pipeline-dev/mongodb-uri",
      "audio-pipeline-dev/mongodb-seed-uri",
    ]);
  });

  it("keeps its state in its own S3 key, encrypted and locked, like prod", () => {
    expect(json.terraform.backend).toEqual({
      s3: { bucket: config.state?.bucket, key: "audio-pipeline-dev/terraform.tfstate", region: "us-east-1", encrypt: true, use_lockfile: true },
    });
  });
});

describe("an environment without a state bucket", () => {
  it("keeps a local state file at a relative path in the project root", () => {
    const withoutState = committedConfigJson("dev");
    delete withoutState.state;
    const { json: local } = synthesizeEnvironment({ file: "config/dev.json", config: parseEnvironment(withoutState) });
    expect(local.terraform.backend).toEqual({ local: { path: "../../../terraform.audio-pipeline-dev.tfstate" } });
  });
});

describe("dev stack: every rule that is not prod-only still holds", () => {
  it("runs a 3-node replica set of MongoDB 7.0 with backup, point-in-time restore, TLS 1.2 and no JavaScript", () => {
    expect(synth).toHaveResourceWithProperties(AdvancedCluster, {
      cluster_type: "REPLICASET",
      mongo_db_major_version: "7.0",
      backup_enabled: true,
      pit_enabled: true,
      advanced_configuration: { minimum_enabled_tls_protocol: "TLS1_2", javascript_enabled: false },
    });
  });

  it("keeps the default 7-day point-in-time window with hourly snapshots retained as long", () => {
    expect(synth).toHaveResourceWithProperties(CloudBackupSchedule, {
      restore_window_days: 7,
      policy_item_hourly: expect.objectContaining({ retention_unit: "days", retention_value: 7 }),
    });
  });

  it("reaches the cluster only through an Interface endpoint in its private subnets", () => {
    expect(synth).toHaveResourceWithProperties(VpcEndpoint, {
      vpc_endpoint_type: "Interface",
      subnet_ids: config.network.privateSubnetIds,
    });
    const rules = Object.values(json.resource.aws_vpc_security_group_ingress_rule);
    expect(rules).toHaveLength(Object.keys(config.network.clientSecurityGroups).length);
    for (const rule of rules) expect(rule).toMatchObject({ from_port: 1024, to_port: 65535, ip_protocol: "tcp" });
  });

  it("encrypts the secret with a rotating key and keeps it recoverable for 7 days", () => {
    expect(synth).toHaveResourceWithProperties(KmsKey, { enable_key_rotation: true });
    for (const secret of Object.values(json.resource.aws_secretsmanager_secret)) {
      expect(secret.recovery_window_in_days).toBeGreaterThanOrEqual(7);
    }
  });

  it("gives the user readWrite on audio_pipeline only and allows only the VPC CIDR", () => {
    const appUser = dev.config.database.authentication === "password" ? "app_user" : "app_iam_user";
    expect(resourceNamed(json, "mongodbatlas_database_user", appUser).roles).toEqual([
      { role_name: "readWrite", database_name: "audio_pipeline" },
    ]);
    expect(Object.values(json.resource.mongodbatlas_project_ip_access_list).map((entry) => entry.cidr_block)).toEqual([
      "10.0.0.0/16",
    ]);
  });

  it("tags AWS resources with Environment=dev", () => {
    expect(synth).toHaveProviderWithProperties(AwsProvider, {
      default_tags: [{ tags: expect.objectContaining({ Environment: "dev", ManagedBy: "cdktf", Module: "database" }) }],
    });
  });
});
