import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { CloudProviderAccessAuthorization } from "@cdktf/provider-mongodbatlas/lib/cloud-provider-access-authorization";
import { CloudProviderAccessSetup } from "@cdktf/provider-mongodbatlas/lib/cloud-provider-access-setup";
import { Fn, type ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { IamPropagationWait } from "./iam-propagation-wait";

/** Terraform names of the resources of one {@link AtlasAccessRole}; fixed, because addresses must not move. */
export interface AtlasAccessRoleNames {
  readonly setup: string;
  readonly role: string;
  readonly propagation: string;
  readonly authorization: string;
  /** @default - the role gets no inline policy */
  readonly policy?: string;
}

/** Inputs of {@link AtlasAccessRole}. */
export interface AtlasAccessRoleProps {
  readonly projectId: string;
  readonly roleName: string;
  readonly description: string;
  readonly names: AtlasAccessRoleNames;
  /**
   * The role's inline IAM policy, as a policy document (JSON or a jsonencode expression).
   * @default - none: a resource policy (e.g. a key policy) grants the role what it needs
   */
  readonly policy?: { readonly name: string; readonly document: string };
}

/**
 * An IAM role MongoDB Atlas assumes for one purpose of this project (Atlas "cloud provider
 * access"): the role trusts only Atlas's AWS account with this project's external id.
 * `authorize` registers it with Atlas once what the role may do exists and has propagated.
 */
export class AtlasAccessRole extends Construct {
  readonly setup: CloudProviderAccessSetup;
  readonly role: IamRole;
  readonly rolePolicy?: IamRolePolicy;
  private readonly props: AtlasAccessRoleProps;

  constructor(scope: Construct, id: string, props: AtlasAccessRoleProps) {
    super(scope, id);
    this.props = props;
    this.setup = new CloudProviderAccessSetup(this, props.names.setup, { projectId: props.projectId, providerName: "AWS" });
    const atlasAws = this.setup.awsConfig.get(0);
    this.role = new IamRole(this, props.names.role, {
      name: props.roleName,
      description: props.description,
      assumeRolePolicy: Fn.jsonencode({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { AWS: atlasAws.atlasAwsAccountArn },
            Action: "sts:AssumeRole",
            Condition: { StringEquals: { "sts:ExternalId": atlasAws.atlasAssumedRoleExternalId } },
          },
        ],
      }),
    });
    if (props.policy && props.names.policy) {
      this.rolePolicy = new IamRolePolicy(this, props.names.policy, {
        name: props.policy.name,
        role: this.role.id,
        policy: props.policy.document,
      });
    }
  }

  /**
   * Authorizes the role in Atlas after `grants` (what lets the role act, besides its inline
   * policy) exist and IAM has had time to propagate. `triggers` re-run the wait when they change.
   */
  authorize(grants: readonly ITerraformDependable[] = [], triggers: Readonly<Record<string, string>> = {}): CloudProviderAccessAuthorization {
    const propagation = new IamPropagationWait(this, this.props.names.propagation, {
      triggers: { role: this.role.arn, ...(this.rolePolicy ? { role_policy: this.rolePolicy.policy } : {}), ...triggers },
      after: [this.role, ...(this.rolePolicy ? [this.rolePolicy] : []), ...grants],
    });
    return new CloudProviderAccessAuthorization(this, this.props.names.authorization, {
      projectId: this.props.projectId,
      roleId: this.setup.roleId,
      aws: { iamAssumedRoleArn: this.role.arn },
      dependsOn: [propagation.wait],
    });
  }
}
