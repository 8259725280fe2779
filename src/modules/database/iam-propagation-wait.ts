import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { TerraformData } from "./terraform-data";

/** Inputs of {@link IamPropagationWait}. */
export interface IamPropagationWaitProps {
  /** Values whose change means IAM changed again and the wait must run again (the role ARN, its policy). */
  readonly triggers: Readonly<Record<string, string>>;
  /** What must exist before the wait starts: the role and its policies. */
  readonly after: readonly ITerraformDependable[];
}

/**
 * Seconds to wait for a new IAM role and its policy to be visible to Atlas. IAM is eventually
 * consistent; MongoDB's own Atlas-on-AWS Terraform module waits 30 s at the same place.
 */
export const IAM_PROPAGATION_SECONDS = 30;

/**
 * A pause between creating an IAM role Atlas will assume and asking Atlas to authorize it, so
 * that the first apply succeeds instead of failing on a role Atlas cannot assume yet.
 *
 * A `terraform_data` resource with a local-exec `sleep`: built into Terraform, so it needs no
 * provider (hashicorp/time is not in the offline mirror, would be a fourth provider to pin and
 * a binding to generate). It needs a POSIX shell with `sleep` on the machine that applies.
 * It runs on create and whenever a trigger changes, never on a plan.
 */
export class IamPropagationWait extends Construct {
  readonly wait: TerraformData;

  constructor(scope: Construct, id: string, props: IamPropagationWaitProps) {
    super(scope, id);
    this.wait = new TerraformData(this, id, {
      triggersReplace: { ...props.triggers },
      dependsOn: [...props.after],
      provisioners: [{ type: "local-exec", command: `sleep ${IAM_PROPAGATION_SECONDS}` }],
    });
  }
}
