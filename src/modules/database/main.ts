import { Project } from "@cdktf/provider-mongodbatlas/lib/project";
import { TerraformLocal, Token } from "cdktf";
import { Construct } from "constructs";
import { atlasRegionName } from "../../atlas/regions";
import { privateCidrProblem } from "../../network/private-cidr";
import { suppressPolicy } from "../../policy/suppressions";
import { AccessList } from "./access-list";
import { BackupSchedule } from "./backup";
import { DatabaseCluster } from "./cluster";
import { ConnectionSecret } from "./connection-secret";
import { ConnectionSecretKey } from "./connection-secret-key";
import { DatabaseUser } from "./database-user";
import { DatabaseMonitoring } from "./monitoring";
import { PrivateLink } from "./private-link";
import { DATABASE_DEFAULTS, type DatabaseModuleProps } from "./variables";

/**
 * The database of the audio pipeline: an Atlas project with a dedicated replica set reached
 * only over AWS PrivateLink, an application user, continuous backups, and the connection
 * secret the application reads. The CDKTF counterpart of terraform/modules/database/main.tf.
 */
export class DatabaseModule extends Construct {
  readonly project: Project;
  readonly cluster: DatabaseCluster;
  readonly privateLink: PrivateLink;
  /** The application's user: readWrite on the database. */
  readonly user: DatabaseUser;
  /** The seeder's user: readWrite and dbAdmin on the database. */
  readonly seederUser: DatabaseUser;
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
    const region = props.region ?? DATABASE_DEFAULTS.region;
    const projectName = props.projectName ?? DATABASE_DEFAULTS.projectName;
    const backupPolicy = { ...DATABASE_DEFAULTS.backup, ...props.backup };
    this.databaseName = props.databaseName ?? DATABASE_DEFAULTS.databaseName;
    this.collectionNames = props.collectionNames;
    const username = props.databaseUsername ?? DATABASE_DEFAULTS.databaseUsername;
    const namePrefix = props.resourceNamePrefix ?? `${projectName}-${props.environment}`.toLowerCase().replace(/[^a-z0-9-]+/g, "-");
    const terminationProtection = props.terminationProtection ?? DATABASE_DEFAULTS.terminationProtection;
    const tags = { Project: projectName, Environment: props.environment, ManagedBy: "cdktf" };
    const accessListCidrs = props.accessListCidrs ?? [props.vpcCidr];
    this.node.addValidation({ validate: () => networkProblems(props, accessListCidrs) });

    this.project = new Project(this, "project", {
      name: projectName,
      orgId: props.atlasOrgId,
      tags,
      // The module defines its own alert set (monitoring); Atlas's defaults would page twice.
      withDefaultAlertsSettings: false,
    });
    const projectId = this.project.id;

    this.privateLink = new PrivateLink(this, "private_link", {
      projectId,
      region,
      namePrefix,
      vpcId: props.vpcId,
      subnetIds: props.privateSubnetIds,
      clientSecurityGroups: props.clientSecurityGroups,
    });

    this.cluster = new DatabaseCluster(this, "cluster", {
      projectId,
      name: props.clusterName,
      atlasRegion: atlasRegionName(region),
      tier: props.clusterTier ?? DATABASE_DEFAULTS.clusterTier,
      mongoDbMajorVersion: props.mongoDbMajorVersion ?? DATABASE_DEFAULTS.mongoDbMajorVersion,
      electableNodes: props.electableNodes ?? DATABASE_DEFAULTS.electableNodes,
      terminationProtection,
      pinFeatureCompatibilityUntil: props.pinFeatureCompatibilityUntil,
      pointInTimeRestore: backupPolicy.pointInTimeRestore,
      retainBackupsAfterClusterDeletion: backupPolicy.retainBackupsAfterClusterDeletion,
      diskAutoScaling: props.diskAutoScaling ?? DATABASE_DEFAULTS.diskAutoScaling,
      computeAutoScaling: props.computeAutoScaling && {
        ...props.computeAutoScaling,
        scaleDown: props.computeAutoScaling.scaleDown ?? DATABASE_DEFAULTS.computeScaleDown,
      },
      tags,
      dependsOn: [this.privateLink.endpointService],
    });
    const clusterName = this.cluster.cluster.name;

    this.backup = new BackupSchedule(this, "backup", { projectId, clusterName, policy: backupPolicy });

    this.accessList = new AccessList(this, "access_list", {
      projectId,
      cidrs: accessListCidrs,
      comment: `${props.environment}: private range of ${props.vpcId}`,
    });

    this.user = new DatabaseUser(this, "user", {
      projectId,
      clusterName,
      username,
      databaseName: this.databaseName,
      roles: ["readWrite"],
      passwordId: "database_password",
      userId: "app_user",
      description: `Application user of ${this.databaseName}`,
    });
    this.seederUser = new DatabaseUser(this, "seeder", {
      projectId,
      clusterName,
      username: props.seederUsername ?? DATABASE_DEFAULTS.seederUsername,
      databaseName: this.databaseName,
      roles: ["readWrite", "dbAdmin"],
      passwordId: "seeder_password",
      userId: "seeder_user",
      description: `Post-apply seeder of ${this.databaseName}: collections, validators, indexes`,
    });
    suppressPolicy(
      this.seederUser.user,
      "atlas-user-least-privilege",
      "The seeder replaces collection validators with collMod, which only dbAdmin grants; the role covers this one database, and the credentials are read only by the post-apply seeding job",
    );

    // Of all private endpoints on the cluster, keep the SRV string of the one this stack created.
    this.privateSrvConnectionStrings = new TerraformLocal(
      this,
      "private_srv_connection_strings",
      `\${[for endpoint in flatten(${this.cluster.cluster.fqn}.connection_strings[*].private_endpoint) : endpoint.srv_connection_string if contains(endpoint.endpoints[*].endpoint_id, ${this.privateLink.vpcEndpoint.id})]}`,
    );

    this.connectionSecretKey = new ConnectionSecretKey(this, "connection_secret_key", { namePrefix });
    const secretBasics = {
      recoveryWindowDays: props.secretRecoveryWindowDays ?? DATABASE_DEFAULTS.secretRecoveryWindowDays,
      kmsKeyArn: this.connectionSecretKey.key.arn,
      environment: props.environment,
      clusterName,
      databaseName: this.databaseName,
      privateSrvConnectionStrings: this.privateSrvConnectionStrings,
    };
    this.connectionSecret = new ConnectionSecret(this, "connection_secret", {
      ...secretBasics,
      secretId: "connection_secret",
      name: props.connectionSecretName ?? DATABASE_DEFAULTS.connectionSecretName,
      purpose: "the application",
      username: this.user.user.username,
      password: this.user.password.result,
    });
    this.seederSecret = new ConnectionSecret(this, "seeder_secret", {
      ...secretBasics,
      secretId: "seeder_connection_secret",
      name: props.seederSecretName ?? DATABASE_DEFAULTS.seederSecretName,
      purpose: "the post-apply seeder",
      username: this.seederUser.user.username,
      password: this.seederUser.password.result,
    });

    this.monitoring = new DatabaseMonitoring(this, "monitoring", {
      settings: props.monitoring ?? {},
      projectId,
      namePrefix,
      region,
      vpcId: props.vpcId,
      vpcEndpointId: this.privateLink.vpcEndpoint.id,
      serviceName: this.privateLink.atlasEndpoint.endpointServiceName,
    });

    if (terminationProtection) {
      // Termination protection stops only the cluster's own delete; without this, a destroy would
      // first remove the users, secrets and backup schedule that depend on it.
      for (const resource of [
        this.project,
        this.cluster.cluster,
        this.backup.schedule,
        this.user.user,
        this.seederUser.user,
        this.connectionSecret.secret,
        this.seederSecret.secret,
        this.connectionSecretKey.key,
      ]) {
        resource.addOverride("lifecycle.prevent_destroy", true);
      }
    }
  }
}

/** Checks the network inputs a caller of the module could get wrong; config files are checked earlier. */
function networkProblems(props: DatabaseModuleProps, accessListCidrs: readonly string[]): string[] {
  const problems: string[] = [];
  if (props.privateSubnetIds.length === 0) problems.push("privateSubnetIds: needs at least one subnet, got none");
  if (Object.keys(props.clientSecurityGroups).length === 0) {
    problems.push("clientSecurityGroups: needs at least one client security group, got none");
  }
  for (const [field, cidrs] of [["vpcCidr", [props.vpcCidr]], ["accessListCidrs", accessListCidrs]] as const) {
    for (const cidr of cidrs.filter((value) => !Token.isUnresolved(value))) {
      const problem = privateCidrProblem(cidr);
      if (problem) problems.push(`${field}: got "${cidr}": ${problem}`);
    }
  }
  return problems;
}
