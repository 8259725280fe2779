import type { DatabaseUser as AtlasDatabaseUser } from "@cdktf/provider-mongodbatlas/lib/database-user";
import { Project } from "@cdktf/provider-mongodbatlas/lib/project";
import { TerraformLocal, Token } from "cdktf";
import { Construct } from "constructs";
import { atlasRegionName } from "../../atlas/regions";
import { privateCidrProblem } from "../../network/private-cidr";
import { AccessList } from "./access-list";
import { BackupSchedule } from "./backup";
import { DatabaseCluster } from "./cluster";
import type { ConnectionSecret } from "./connection-secret";
import type { ConnectionSecretKey } from "./connection-secret-key";
import { ConnectionSecrets } from "./connection-secrets";
import type { DatabaseUser } from "./database-user";
import { DatabaseUsers } from "./database-users";
import { CustomerKeyEncryption } from "./encryption-at-rest";
import { DatabaseMonitoring } from "./monitoring";
import { preventDestroy } from "./prevent-destroy";
import { PrivateLink } from "./private-link";
import { withDefaults, type DatabaseModuleProps, type ModuleSettings } from "./variables";

/**
 * The database of the audio pipeline: an Atlas project with a dedicated replica set reached
 * only over AWS PrivateLink, an application user, continuous backups, and the connection
 * secret the application reads. The CDKTF counterpart of terraform/modules/database/main.tf.
 */
export class DatabaseModule extends Construct {
  readonly project: Project;
  readonly cluster: DatabaseCluster;
  readonly privateLink: PrivateLink;
  /** The application's user, the one its secret names: readWrite on the database. */
  readonly appUser: AtlasDatabaseUser;
  /** The seeder's user, the one its secret names: readWrite and dbAdmin on the database. */
  readonly seederUser: AtlasDatabaseUser;
  /** The password users: in password mode, and in aws-iam mode while `retainPasswordUsers` is on. */
  readonly passwordUsers?: { readonly app: DatabaseUser; readonly seeder: DatabaseUser };
  /** Both users and their credentials, in either mode. */
  readonly users: DatabaseUsers;
  /** The Atlas project's encryption at rest with the stack's own key, when on. */
  readonly customerKeyEncryption?: CustomerKeyEncryption;
  readonly accessList: AccessList;
  readonly backup: BackupSchedule;
  readonly connectionSecretKey: ConnectionSecretKey;
  /** The secret the application reads. */
  readonly connectionSecret: ConnectionSecret;
  /** The secret the post-apply seeder reads. */
  readonly seederSecret: ConnectionSecret;
  readonly monitoring: DatabaseMonitoring;
  /** Private-endpoint SRV strings Atlas published for this stack's VPC endpoint (a list expression). */
  readonly privateSrvConnectionStrings: TerraformLocal;
  readonly databaseName: string;
  readonly collectionNames: readonly string[];

  constructor(scope: Construct, id: string, props: DatabaseModuleProps) {
    super(scope, id);
    const settings = withDefaults(props);
    const { atlas, database, network, namePrefix, region, tags, terraformRoles } = settings;
    this.databaseName = database.name;
    this.collectionNames = settings.collectionNames;
    this.node.addValidation({ validate: () => networkProblems(network) });

    this.project = new Project(this, "project", {
      name: atlas.projectName,
      orgId: settings.atlasOrgId,
      tags,
      // The module defines its own alert set (monitoring); Atlas's defaults would page twice.
      withDefaultAlertsSettings: false,
    });
    const projectId = this.project.id;

    this.privateLink = new PrivateLink(this, "private_link", {
      projectId,
      region,
      namePrefix,
      vpcId: network.vpcId,
      subnetIds: network.privateSubnetIds,
      clientSecurityGroups: network.clientSecurityGroups,
    });

    if (atlas.encryptionAtRest) {
      this.customerKeyEncryption = new CustomerKeyEncryption(this, "customer_key_encryption", {
        projectId,
        namePrefix,
        atlasRegion: atlasRegionName(region),
        terraformRoles,
      });
    }

    this.cluster = new DatabaseCluster(this, "cluster", {
      projectId,
      name: atlas.clusterName,
      atlasRegion: atlasRegionName(region),
      tier: atlas.tier,
      mongoDbMajorVersion: atlas.mongoDbMajorVersion,
      electableNodes: atlas.electableNodes,
      terminationProtection: atlas.terminationProtection,
      pinFeatureCompatibilityUntil: atlas.pinFcvUntil,
      pointInTimeRestore: settings.backup.pointInTimeRestore,
      retainBackupsAfterClusterDeletion: settings.backup.retainBackupsAfterClusterDeletion,
      diskAutoScaling: atlas.autoScaling.diskGb,
      computeAutoScaling: atlas.autoScaling.compute,
      tags,
      encryptionAtRestProvider: this.customerKeyEncryption ? "AWS" : undefined,
      // Atlas needs the project's key configuration before a cluster can use it (provider docs).
      dependsOn: [this.privateLink.endpointService, ...(this.customerKeyEncryption ? [this.customerKeyEncryption.encryptionAtRest] : [])],
    });
    const clusterName = this.cluster.cluster.name;

    this.backup = new BackupSchedule(this, "backup", {
      projectId,
      clusterName,
      policy: settings.backup,
      zoneId: this.cluster.cluster.replicationSpecs.get(0).zoneId,
    });

    this.accessList = new AccessList(this, "access_list", {
      projectId,
      cidrs: network.accessListCidrs,
      comment: `${settings.environment}: private range of ${network.vpcId}`,
    });

    this.users = new DatabaseUsers(this, { ...database, projectId, clusterName, databaseName: database.name });
    this.appUser = this.users.app.user;
    this.seederUser = this.users.seeder.user;
    this.passwordUsers = this.users.passwordUsers;

    // Of all private endpoints on the cluster, keep the SRV string of the one this stack created.
    this.privateSrvConnectionStrings = new TerraformLocal(
      this,
      "private_srv_connection_strings",
      `\${[for endpoint in flatten(${this.cluster.cluster.fqn}.connection_strings[*].private_endpoint) : endpoint.srv_connection_string if contains(endpoint.endpoints[*].endpoint_id, ${this.privateLink.vpcEndpoint.id})]}`,
    );

    // During step 1 of a role rotation, the role about to replace the current one reads too.
    const appReaders = [database.appRoleArn, ...(database.nextAppRoleArn ? [database.nextAppRoleArn] : [])];
    const seederReaders = [database.seederRoleArn, ...(database.nextSeederRoleArn ? [database.nextSeederRoleArn] : [])];
    const secrets = new ConnectionSecrets(this, {
      names: settings.connectionSecret,
      namePrefix,
      region,
      terraformRoles,
      environment: settings.environment,
      clusterName,
      databaseName: this.databaseName,
      privateSrvConnectionStrings: this.privateSrvConnectionStrings,
      app: { roleArns: appReaders, credentials: this.users.app.credentials },
      seeder: { roleArns: seederReaders, credentials: this.users.seeder.credentials },
    });
    this.connectionSecretKey = secrets.key;
    this.connectionSecret = secrets.app;
    this.seederSecret = secrets.seeder;

    this.monitoring = new DatabaseMonitoring(this, "monitoring", {
      settings: settings.monitoring,
      projectId,
      namePrefix,
      region,
      vpcId: network.vpcId,
      vpcEndpointId: this.privateLink.vpcEndpoint.id,
      serviceName: this.privateLink.atlasEndpoint.endpointServiceName,
      terraformRoles,
    });

    if (atlas.terminationProtection) {
      const encryption = this.customerKeyEncryption;
      preventDestroy(this, [this.connectionSecretKey.key, ...(encryption ? [encryption.key, encryption.access.role] : [])]);
    }
  }
}

/** Checks the network inputs a caller of the module could get wrong; config files are checked earlier. */
function networkProblems(network: ModuleSettings["network"]): string[] {
  const problems: string[] = [];
  if (network.privateSubnetIds.length === 0) problems.push("privateSubnetIds: needs at least one subnet, got none");
  if (Object.keys(network.clientSecurityGroups).length === 0) {
    problems.push("clientSecurityGroups: needs at least one client security group, got none");
  }
  for (const [field, cidrs] of [["vpcCidr", [network.vpcCidr]], ["accessListCidrs", network.accessListCidrs]] as const) {
    for (const cidr of cidrs.filter((value) => !Token.isUnresolved(value))) {
      const problem = privateCidrProblem(cidr);
      if (problem) problems.push(`${field}: got "${cidr}": ${problem}`);
    }
  }
  return problems;
}
