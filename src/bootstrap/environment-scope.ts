import { AWS_PARTITION } from "../atlas/regions";
import type { EnvironmentConfig } from "../config/environment-config";
import { stackName } from "../environment/names";

/** The parts of a synthesized stack (cdk.tf.json) the permission table reads. */
export interface StackJson {
  readonly resource?: Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, unknown>>>>>>;
  readonly data?: Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, unknown>>>>>>;
}

/** The tag every resource of an environment carries (the aws provider's default_tags in DatabaseStack). */
export const ENVIRONMENT_TAG = "Environment";

/** An IAM condition block: operator -> key -> value(s). */
export type Condition = Readonly<Record<string, Readonly<Record<string, string | boolean | readonly string[]>>>>;

/**
 * One environment as its CI roles see it: where it lives, and what its synthesized stack manages
 * (resource types and the names it gives them). Everything a permission is scoped to comes from
 * here, so that a policy names exactly the environment's own resources.
 */
export class EnvironmentScope {
  readonly environment: string;
  readonly stack: string;
  readonly partition = AWS_PARTITION;
  readonly accountId: string;
  readonly region: string;

  constructor(
    readonly config: EnvironmentConfig,
    readonly json: StackJson,
  ) {
    this.environment = config.environment;
    this.stack = stackName(config.environment);
    this.accountId = config.aws.accountId;
    this.region = config.region;
  }

  /** Managed resource types (`aws_*`) and data source types (`data.aws_*`) the stack holds. */
  awsTypes(): string[] {
    const managed = Object.keys(this.json.resource ?? {}).filter((type) => type.startsWith("aws_"));
    const data = Object.keys(this.json.data ?? {})
      .filter((type) => type.startsWith("aws_"))
      .map((type) => `data.${type}`);
    return [...managed, ...data].sort();
  }

  /** Every resource of `type`, by its Terraform name. */
  resources(type: string): ReadonlyArray<Readonly<Record<string, unknown>>> {
    return Object.values(this.json.resource?.[type] ?? {});
  }

  /** The literal string values of `attribute` over every resource of `type` (references are skipped: they name nothing yet). */
  names(type: string, attribute: string): string[] {
    return this.resources(type)
      .map((body) => body[attribute])
      .filter((value): value is string => typeof value === "string" && !value.includes("${"));
  }

  /** `arn:<partition>:<service>:<region>:<account>:<resource>`; `region: false` for global services. */
  arn(service: string, resource: string, options: { readonly region?: boolean; readonly account?: string } = {}): string {
    const region = options.region === false ? "" : this.region;
    return `arn:${this.partition}:${service}:${region}:${options.account ?? this.accountId}:${resource}`;
  }

  /** Only resources tagged with this environment. */
  tagged(): Condition {
    return { StringEquals: { [`aws:ResourceTag/${ENVIRONMENT_TAG}`]: this.environment } };
  }

  /** Only requests that tag the new resource with this environment. */
  requestTagged(): Condition {
    return { StringEquals: { [`aws:RequestTag/${ENVIRONMENT_TAG}`]: this.environment } };
  }

  /** The state object and its S3-native lock file (`use_lockfile`), when the state is remote. */
  stateObject(): { readonly bucket: string; readonly key: string } | undefined {
    return this.config.state && { bucket: this.config.state.bucket, key: this.config.state.key };
  }

  /**
   * Resources the stack uses but does not own (the VPC and subnets it attaches to, the state
   * bucket): environments may share them, so sharing them is no cross-environment reach.
   */
  existingResources(): string[] {
    const state = this.stateObject();
    return [
      this.arn("ec2", `vpc/${this.config.network.vpcId}`),
      ...this.config.network.privateSubnetIds.map((id) => this.arn("ec2", `subnet/${id}`)),
      ...(state ? [`arn:${this.partition}:s3:::${state.bucket}`] : []),
    ];
  }

  /** Secrets Manager secret ARN for a name: the service appends a hyphen and six random characters. */
  secretArn(name: string): string {
    return this.arn("secretsmanager", `secret:${name}-??????`);
  }
}
