import type { DatabaseUser as AtlasDatabaseUser } from "@cdktf/provider-mongodbatlas/lib/database-user";
import { Project } from "@cdktf/provider-mongodbatlas/lib/project";
import { TerraformLocal, Token, type TerraformResource } from "cdktf";
import { Construct } from "constructs";
import { atlasRegionName } from "../../atlas/regions";
import { privateCidrProblem } from "../../network/private-cidr";
import { suppressPolicy } from "../../policy/suppressions";
import { AccessList } from "./access-list";
import { BackupSchedule } from "./backup";
import { DatabaseCluster } from "./cluster";
import { ConnectionSecret, type SecretCredentials } from "./connection-secret";
import { ConnectionSecretKey } from "./connection-secret-key";
import { DatabaseUser, type DatabaseUserAccess } from "./database-user";
import { CustomerKeyEncryption } from "./encryption-at-rest";
import { IamDatabaseUser } from "./iam-database-user";
import type { TerraformRoles } from "./key-policy";
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
  /** The application's user, the one its secret names: readWrite on the database. */
  readonly appUser: AtlasDatabaseUser;
  /** The seeder's user, the one its secret names: readWrite and dbAdmin on the database. */
  readonly seederUser: AtlasDatabaseUser;
  /** The password users: in password mode, and in aws-iam mode while `retainPasswordUsers` is on. */
  readonly passwordUsers?: { readonly app: DatabaseUser; readonly seeder: DatabaseUser };
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
    const authentication = props.authentication ?? DATABASE_DEFAULTS.authentication;
    const terraformRoles: TerraformRoles = {
      accountId: props.awsAccountId,
      planRoleArn: props.planRoleArn,
      deployRoleArn: props.deployRoleArn,
    };
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

    if (props.encryptionAtRest ?? DATABASE_DEFAULTS.encryptionAtRest) {
      this.customerKeyEncryption = new CustomerKeyEncryption(this, "customer_key_encryption", {
        projectId,
        namePrefix,
        atlasRegion: atlasRegionName(region),
        terraformRoles,
      });
    }

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
      encryptionAtRestProvider: this.customerKeyEncryption ? "AWS" : undefined,
      // Atlas needs the project's key configuration before a cluster can use it (provider docs).
      dependsOn: [this.privateLink.endpointService, ...(this.customerKeyEncryption ? [this.customerKeyEncryption.encryptionAtRest] : [])],
    });
    const clusterName = this.cluster.cluster.name;

    this.backup = new BackupSchedule(this, "backup", {
      projectId,
      clusterName,
      policy: backupPolicy,
      zoneId: this.cluster.cluster.replicationSpecs.get(0).zoneId,
    });

    this.accessList = new AccessList(this, "access_list", {
      projectId,
      cidrs: accessListCidrs,
      comment: `${props.environment}: private range of ${props.vpcId}`,
    });

    const appAccess = {
      projectId,
      clusterName,
      databaseName: this.databaseName,
      roles: ["readWrite"],
      description: `Application user of ${this.databaseName}`,
    } as const satisfies Omit<DatabaseUserAccess, "userId">;
    const seederAccess = {
      ...appAccess,
      roles: ["readWrite", "dbAdmin"],
      description: `Post-apply seeder of ${this.databaseName}: collections, validators, indexes`,
    } as const satisfies Omit<DatabaseUserAccess, "userId">;
    const passwordVersion = props.passwordVersion ?? DATABASE_DEFAULTS.passwordVersion;
    // Step 1 of switching a deployed environment to aws-iam keeps the password users beside the
    // new IAM users (other Terraform addresses), so clients still using a password keep working.
    if (authentication === "password" || (props.retainPasswordUsers ?? DATABASE_DEFAULTS.retainPasswordUsers)) {
      this.passwordUsers = {
        app: new DatabaseUser(this, "user", {
          ...appAccess,
          username,
          passwordId: "database_password",
          userId: "app_user",
          passwordVersion,
        }),
        seeder: new DatabaseUser(this, "seeder", {
          ...seederAccess,
          username: props.seederUsername ?? DATABASE_DEFAULTS.seederUsername,
          passwordId: "seeder_password",
          userId: "seeder_user",
          passwordVersion,
        }),
      };
    }
    let appCredentials: SecretCredentials;
    let seederCredentials: SecretCredentials;
    if (authentication === "aws-iam") {
      const app = new IamDatabaseUser(this, "app_iam", { ...appAccess, userId: "app_iam_user", roleArn: props.appRoleArn });
      const seeder = new IamDatabaseUser(this, "seeder_iam", { ...seederAccess, userId: "seeder_iam_user", roleArn: props.seederRoleArn });
      this.appUser = app.user;
      this.seederUser = seeder.user;
      // The user's name is the role ARN: referring to it makes the secret wait for the user.
      appCredentials = { authentication, roleArn: app.user.username };
      seederCredentials = { authentication, roleArn: seeder.user.username };
    } else {
      const { app, seeder } = this.passwordUsers!;
      this.appUser = app.user;
      this.seederUser = seeder.user;
      appCredentials = { authentication, username: app.user.username, password: app.password.result };
      seederCredentials = { authentication, username: seeder.user.username, password: seeder.password.result };
    }
    const seederUsers = [this.seederUser, ...(this.passwordUsers && this.passwordUsers.seeder.user !== this.seederUser ? [this.passwordUsers.seeder.user] : [])];
    for (const seederUser of seederUsers) {
      suppressPolicy(
        seederUser,
        "atlas-user-least-privilege",
        "The seeder replaces collection validators with collMod, which only dbAdmin grants; the role covers this one database, and the credentials are read only by the post-apply seeding job",
      );
    }

    // Of all private endpoints on the cluster, keep the SRV string of the one this stack created.
    this.privateSrvConnectionStrings = new TerraformLocal(
      this,
      "private_srv_connection_strings",
      `\${[for endpoint in flatten(${this.cluster.cluster.fqn}.connection_strings[*].private_endpoint) : endpoint.srv_connection_string if contains(endpoint.endpoints[*].endpoint_id, ${this.privateLink.vpcEndpoint.id})]}`,
    );

    const connectionSecretName = props.connectionSecretName ?? DATABASE_DEFAULTS.connectionSecretName;
    const seederSecretName = props.seederSecretName ?? DATABASE_DEFAULTS.seederSecretName;
    this.connectionSecretKey = new ConnectionSecretKey(this, "connection_secret_key", {
      namePrefix,
      region,
      terraformRoles,
      secrets: [
        { secretName: connectionSecretName, readerRoleArn: props.appRoleArn, sid: "AppReadsItsSecret" },
        { secretName: seederSecretName, readerRoleArn: props.seederRoleArn, sid: "SeederReadsItsSecret" },
      ],
    });
    const secretBasics = {
      recoveryWindowDays: props.secretRecoveryWindowDays ?? DATABASE_DEFAULTS.secretRecoveryWindowDays,
      kmsKeyArn: this.connectionSecretKey.key.arn,
      environment: props.environment,
      clusterName,
      databaseName: this.databaseName,
      privateSrvConnectionStrings: this.privateSrvConnectionStrings,
    };
    // Terraform reads every secret version back on each refresh: both of its roles read both secrets.
    const terraformReaders = [props.deployRoleArn, props.planRoleArn];
    this.connectionSecret = new ConnectionSecret(this, "connection_secret", {
      ...secretBasics,
      secretId: "connection_secret",
      name: connectionSecretName,
      purpose: "the application",
      credentials: appCredentials,
      readerRoleArns: [props.appRoleArn, ...terraformReaders],
    });
    this.seederSecret = new ConnectionSecret(this, "seeder_secret", {
      ...secretBasics,
      secretId: "seeder_connection_secret",
      name: seederSecretName,
      purpose: "the post-apply seeder",
      credentials: seederCredentials,
      readerRoleArns: [props.seederRoleArn, ...terraformReaders],
    });

    this.monitoring = new DatabaseMonitoring(this, "monitoring", {
      settings: props.monitoring ?? {},
      projectId,
      namePrefix,
      region,
      vpcId: props.vpcId,
      vpcEndpointId: this.privateLink.vpcEndpoint.id,
      serviceName: this.privateLink.atlasEndpoint.endpointServiceName,
      terraformRoles,
    });

    if (terminationProtection) {
      // Termination protection stops only the cluster's own delete; without this, a destroy would
      // first remove the users, secrets and backup schedule that depend on it.
      const encryption = this.customerKeyEncryption;
      const resources: TerraformResource[] = [
        this.project,
        this.cluster.cluster,
        this.backup.schedule,
        this.appUser,
        this.seederUser,
        ...(this.passwordUsers ? [this.passwordUsers.app.user, this.passwordUsers.seeder.user] : []),
        this.connectionSecret.secret,
        this.seederSecret.secret,
        this.connectionSecretKey.key,
        // Without the key, or without Atlas's access to it, the cluster's data cannot be read.
        ...(encryption ? [encryption.key, encryption.access.role, encryption.encryptionAtRest] : []),
      ];
      for (const resource of new Set(resources)) {
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
