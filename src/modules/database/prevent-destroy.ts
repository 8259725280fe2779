import { TerraformResource } from "cdktf";
import type { Construct } from "constructs";
import { holdsDataOrCredentials } from "../../policy/data-resources";

/**
 * Makes Terraform refuse to destroy, within `scope`, every resource that holds data or the
 * credentials to it (src/policy/data-resources.ts, the list the production-prevent-destroy rule
 * checks), and the `guards` without which that data cannot be read (the keys that encrypt it,
 * the role through which Atlas uses the cluster's key). Termination protection alone stops only
 * the cluster's own delete; without this a destroy would first remove the users, secrets and
 * backup schedule that depend on it.
 *
 * Applied when the module is built rather than by an Aspect: the policy Aspect reads the stack's
 * JSON when it visits the stack, before an Aspect of the module would have run.
 */
export function preventDestroy(scope: Construct, guards: readonly TerraformResource[]): void {
  const guarded = new Set(guards);
  for (const node of scope.node.findAll()) {
    if (node instanceof TerraformResource && (holdsDataOrCredentials(node.terraformResourceType) || guarded.has(node))) {
      node.addOverride("lifecycle.prevent_destroy", true);
    }
  }
}
