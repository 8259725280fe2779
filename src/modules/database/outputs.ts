import { TerraformOutput } from "cdktf";
import { Construct } from "constructs";
import type { DatabaseModule } from "./main";

/**
 * The outputs of the database module, the CDKTF counterpart of outputs.tf. None carries a
 * password or a URI with credentials: clients read the connection secret instead.
 */
export class DatabaseOutputs extends Construct {
  constructor(scope: Construct, id: string, database: DatabaseModule) {
    super(scope, id);
    const privateLink = database.privateLink;
    const outputs: Record<string, { readonly value: unknown; readonly description: string }> = {
      atlas_project_id: { value: database.project.id, description: "Id of the Atlas project." },
      atlas_cluster_name: { value: database.cluster.cluster.name, description: "Name of the Atlas cluster." },
      private_srv_host: {
        // null, not an error, until Atlas publishes the string: an error here would block every plan.
        value: `\${try(replace(one(${database.privateSrvConnectionStrings.fqn}), "mongodb+srv://", ""), null)}`,
        description: "Private-endpoint SRV host of the cluster, without credentials; resolves only inside the VPC.",
      },
      atlas_private_link_id: {
        value: privateLink.atlasEndpoint.privateLinkId,
        description: "Id of the Atlas PrivateLink endpoint service.",
      },
      aws_vpc_endpoint_id: { value: privateLink.vpcEndpoint.id, description: "Id of the AWS interface VPC endpoint." },
      private_endpoint_connection_status: {
        value: privateLink.endpointService.awsConnectionStatus,
        description: "Atlas view of the PrivateLink connection: AVAILABLE when clients can connect.",
      },
      private_endpoint_error_message: {
        value: privateLink.endpointService.errorMessage,
        description: "Atlas error for the PrivateLink connection, empty when healthy.",
      },
      private_endpoint_security_group_id: {
        value: privateLink.securityGroup.id,
        description: "Security group of the interface endpoint (TCP 1024-65535 from the client groups).",
      },
      connection_secret_arn: {
        value: database.connectionSecret.secret.arn,
        description: "ARN of the secret holding the connection URI; grant GetSecretValue on it to the application role (its resource policy denies everyone else).",
      },
      connection_secret_name: { value: database.connectionSecret.secret.name, description: "Name of that secret." },
      seeder_secret_arn: {
        value: database.seederSecret.secret.arn,
        description: "ARN of the secret the post-apply seeder reads (its user may also replace validators); grant it to the seeding job only.",
      },
      seeder_secret_name: { value: database.seederSecret.secret.name, description: "Name of that secret: the seeding job runs `npm run seed -- apply --secret-id <this name>`." },
      connection_secret_kms_key_arn: {
        value: database.connectionSecretKey.key.arn,
        description: "KMS key that encrypts both secrets; its key policy already lets each secret's reader decrypt it, through Secrets Manager only.",
      },
      database_name: { value: database.databaseName, description: "Database the application user may read and write." },
      alarm_topic_arn: {
        value: database.monitoring.alarmTopic.topic.arn,
        description: "SNS topic of the database's CloudWatch alarms; subscribe more destinations here.",
      },
      endpoint_dashboard_name: {
        value: database.monitoring.endpointAlarms.dashboard.dashboardName,
        description: "CloudWatch dashboard of the PrivateLink endpoint.",
      },
      ...(database.monitoring.logExport && {
        log_bucket_name: {
          value: database.monitoring.logExport.bucket.bucket,
          description: "S3 bucket that receives the Atlas logs (below atlas-logs/).",
        },
      }),
      collection_names: {
        value: database.collectionNames,
        description: "Collections the seeder creates in that database.",
      },
    };
    for (const [name, output] of Object.entries(outputs)) {
      new TerraformOutput(this, name, output);
    }
  }
}
