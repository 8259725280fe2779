import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { PrivatelinkEndpoint } from "@cdktf/provider-mongodbatlas/lib/privatelink-endpoint";
import { PrivatelinkEndpointService } from "@cdktf/provider-mongodbatlas/lib/privatelink-endpoint-service";
import { Construct } from "constructs";
import type { AwsRegion } from "../../atlas/regions";

/** Inputs of {@link PrivateLink}. */
export interface PrivateLinkProps {
  readonly projectId: string;
  readonly region: AwsRegion;
  readonly namePrefix: string;
  readonly vpcId: string;
  readonly subnetIds: readonly string[];
  /** Client security groups by name; each may open connections to the endpoint. */
  readonly clientSecurityGroups: Readonly<Record<string, string>>;
}

/**
 * Atlas may use any port from 1024 to 65535 behind a private endpoint, and the ports can
 * change: "MongoDB also strongly recommends allow-listing the entire port range"
 * (mongodb.com/docs/atlas/security-private-endpoint, "Port Ranges Used for Private Endpoints").
 * Opening only 27017 breaks PrivateLink.
 */
export const PRIVATE_ENDPOINT_PORTS = { from: 1024, to: 65535 } as const;

/**
 * AWS PrivateLink to Atlas: the Atlas endpoint service, an Interface VPC endpoint in the
 * private subnets guarded by its own security group, and the link between the two.
 */
export class PrivateLink extends Construct {
  readonly atlasEndpoint: PrivatelinkEndpoint;
  readonly securityGroup: SecurityGroup;
  readonly vpcEndpoint: VpcEndpoint;
  readonly endpointService: PrivatelinkEndpointService;

  constructor(scope: Construct, id: string, props: PrivateLinkProps) {
    super(scope, id);
    // Region is written in AWS spelling here and must stay so: changing it replaces the endpoint.
    this.atlasEndpoint = new PrivatelinkEndpoint(this, "atlas_private_endpoint", {
      projectId: props.projectId,
      providerName: "AWS",
      region: props.region,
    });

    this.securityGroup = new SecurityGroup(this, "private_endpoint_security_group", {
      name: `${props.namePrefix}-atlas-private-endpoint`,
      description: "MongoDB Atlas PrivateLink endpoint: TCP 1024-65535 from the application security groups only",
      vpcId: props.vpcId,
      tags: { Name: `${props.namePrefix}-atlas-private-endpoint` },
    });
    for (const [client, securityGroupId] of Object.entries(props.clientSecurityGroups)) {
      new VpcSecurityGroupIngressRule(this, `private_endpoint_ingress_from_${client.replace(/-/g, "_")}`, {
        securityGroupId: this.securityGroup.id,
        referencedSecurityGroupId: securityGroupId,
        ipProtocol: "tcp",
        fromPort: PRIVATE_ENDPOINT_PORTS.from,
        toPort: PRIVATE_ENDPOINT_PORTS.to,
        description: `MongoDB Atlas over PrivateLink from the ${client} security group`,
      });
    }

    this.vpcEndpoint = new VpcEndpoint(this, "atlas_vpc_endpoint", {
      vpcId: props.vpcId,
      serviceName: this.atlasEndpoint.endpointServiceName,
      vpcEndpointType: "Interface",
      subnetIds: [...props.subnetIds],
      securityGroupIds: [this.securityGroup.id],
      // Atlas publishes its own DNS names for private endpoints; AWS private DNS is not used.
      privateDnsEnabled: false,
      tags: { Name: `${props.namePrefix}-atlas` },
    });

    this.endpointService = new PrivatelinkEndpointService(this, "atlas_private_endpoint_service", {
      projectId: props.projectId,
      providerName: "AWS",
      privateLinkId: this.atlasEndpoint.privateLinkId,
      endpointServiceId: this.vpcEndpoint.id,
    });
  }
}
