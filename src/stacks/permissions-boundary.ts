import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import type { IConstruct } from "constructs";

/**
 * Gives every IAM role under `scope` the environment's permissions boundary. The deploy role may
 * create and change roles only with that boundary (src/bootstrap/permission-table.ts), so a role
 * of the stack without it would fail to apply; setting it here, over the whole construct tree,
 * means a role added later cannot forget it. Call once the tree is complete.
 */
export function applyPermissionsBoundary(scope: IConstruct, boundaryArn: string): void {
  for (const node of scope.node.findAll()) {
    if (node instanceof IamRole) node.permissionsBoundary = boundaryArn;
  }
}
