import { AdvancedCluster } from "@cdktf/provider-mongodbatlas/lib/advanced-cluster";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { MongodbatlasProvider } from "@cdktf/provider-mongodbatlas/lib/provider";
import { RandomProvider } from "@cdktf/provider-random/lib/provider";
import { Testing } from "cdktf";
import { DatabaseModule } from "../../src/modules/database/main";
import type { DatabaseModuleProps } from "../../src/modules/database/variables";
import { StableAddressStack } from "../../src/stacks/stable-addresses";

const REQUIRED: DatabaseModuleProps = {
  environment: "test",
  atlasOrgId: "0123456789abcdef01234567",
  atlas: { clusterName: "test-cluster" },
  database: {
    appRoleArn: "arn:aws:iam::111122223333:role/test-app",
    seederRoleArn: "arn:aws:iam::111122223333:role/test-seeder",
  },
  network: {
    vpcId: "vpc-0123456789abcdef0",
    vpcCidr: "10.20.0.0/16",
    privateSubnetIds: ["subnet-0123456789abcdef0"],
    clientSecurityGroups: { api: "sg-0123456789abcdef0" },
  },
  collectionNames: ["calls"],
  terraformRoles: {
    accountId: "111122223333",
    planRoleArn: "arn:aws:iam::111122223333:role/test-plan",
    deployRoleArn: "arn:aws:iam::111122223333:role/test-deploy",
  },
};

function moduleStack(props: DatabaseModuleProps): StableAddressStack {
  const stack = new StableAddressStack(Testing.app(), "module-test");
  new AwsProvider(stack, "aws", { region: "us-east-1" });
  new MongodbatlasProvider(stack, "mongodbatlas", {});
  new RandomProvider(stack, "random", {});
  new DatabaseModule(stack, "database", props);
  return stack;
}

describe("DatabaseModule used directly", () => {
  it("applies the documented defaults when only the required inputs are given", () => {
    const json = JSON.parse(Testing.synth(moduleStack(REQUIRED), true));
    expect(Testing.synth(moduleStack(REQUIRED))).toHaveResourceWithProperties(AdvancedCluster, {
      mongo_db_major_version: "7.0",
      termination_protection_enabled: true,
      pit_enabled: true,
    });
    expect(Object.values(json.resource.mongodbatlas_project)[0]).toMatchObject({ name: "audio-pipeline" });
    expect(Object.values(json.resource.aws_secretsmanager_secret)[0]).toMatchObject({
      name: "audio-pipeline/mongodb-uri",
      recovery_window_in_days: 7,
    });
    expect(Object.values(json.resource.mongodbatlas_project_ip_access_list).map((e: any) => e.cidr_block)).toEqual(["10.20.0.0/16"]);
  });

  it("errors when a public CIDR is passed to the access list", () => {
    const stack = moduleStack({ ...REQUIRED, network: { ...REQUIRED.network, accessListCidrs: ["10.20.0.0/16", "0.0.0.0/0"] } });
    expect(() => Testing.synth(stack, true)).toThrow(/accessListCidrs: got "0\.0\.0\.0\/0": not inside a private range/);
  });

  it("writes access-list comments Atlas accepts (80 characters at most) for the longest names the config allows", () => {
    const stack = moduleStack({ ...REQUIRED, environment: "e".repeat(16), network: { ...REQUIRED.network, vpcId: "vpc-0123456789abcdef0" } });
    const json = JSON.parse(Testing.synth(stack, true));
    for (const entry of Object.values(json.resource.mongodbatlas_project_ip_access_list) as { comment: string }[]) {
      expect(entry.comment.length).toBeLessThanOrEqual(80);
      expect(entry.comment).toContain("vpc-0123456789abcdef0");
    }
  });

  it("pins the feature compatibility version only when asked to", () => {
    const pinned = JSON.parse(Testing.synth(moduleStack({ ...REQUIRED, atlas: { ...REQUIRED.atlas, pinFcvUntil: "2027-01-31T00:00:00Z" } })));
    expect(pinned.resource.mongodbatlas_advanced_cluster.cluster.pinned_fcv).toEqual({ expiration_date: "2027-01-31T00:00:00Z" });
    const unpinned = JSON.parse(Testing.synth(moduleStack(REQUIRED)));
    expect(unpinned.resource.mongodbatlas_advanced_cluster.cluster).not.toHaveProperty("pinned_fcv");
  });

  it("lets Terraform destroy nothing of the data and credentials while termination protection is on", () => {
    const json = JSON.parse(Testing.synth(moduleStack(REQUIRED)));
    const protectedAddresses = Object.entries(json.resource as Record<string, Record<string, { lifecycle?: { prevent_destroy?: boolean } }>>)
      .flatMap(([type, byName]) => Object.entries(byName).map(([name, body]) => [`${type}.${name}`, body.lifecycle?.prevent_destroy] as const))
      .filter(([, preventDestroy]) => preventDestroy === true)
      .map(([address]) => address)
      .sort();
    expect(protectedAddresses).toEqual([
      // Losing the encryption key, or Atlas's role for it, makes the cluster's data unreadable.
      "aws_iam_role.atlas_encryption_role",
      "aws_kms_key.atlas_encryption_key",
      "aws_kms_key.connection_secret_key",
      "aws_secretsmanager_secret.connection_secret",
      "aws_secretsmanager_secret.seeder_connection_secret",
      "mongodbatlas_advanced_cluster.cluster",
      "mongodbatlas_cloud_backup_schedule.backup_schedule",
      "mongodbatlas_database_user.app_iam_user",
      "mongodbatlas_database_user.seeder_iam_user",
      "mongodbatlas_encryption_at_rest.encryption_at_rest",
      "mongodbatlas_project.project",
    ]);
    const unprotected = JSON.parse(Testing.synth(moduleStack({ ...REQUIRED, atlas: { ...REQUIRED.atlas, terminationProtection: false } })));
    expect(JSON.stringify(unprotected.resource)).not.toContain("prevent_destroy");
  });

  it("errors when no subnet is given", () => {
    const stack = moduleStack({ ...REQUIRED, network: { ...REQUIRED.network, privateSubnetIds: [] } });
    expect(() => Testing.synth(stack, true)).toThrow(/privateSubnetIds: needs at least one subnet, got none/);
  });
});
