import { ProjectIpAccessList } from "@cdktf/provider-mongodbatlas/lib/project-ip-access-list";
import { Token } from "cdktf";
import { Construct } from "constructs";

/** Atlas refuses longer access-list comments at apply (Admin API: comment maxLength 80). */
const ACCESS_LIST_COMMENT_MAX_LENGTH = 80;

/** Inputs of {@link AccessList}. */
export interface AccessListProps {
  readonly projectId: string;
  /** Private CIDR blocks; each becomes one entry. */
  readonly cidrs: readonly string[];
  /** Shown in the Atlas UI next to each entry. */
  readonly comment: string;
}

/**
 * The Atlas IP access list. PrivateLink traffic does not need it (Atlas admits private endpoints
 * on its own); these entries admit traffic routed through VPC peering from the listed ranges.
 */
export class AccessList extends Construct {
  readonly entries: ProjectIpAccessList[];

  constructor(scope: Construct, id: string, props: AccessListProps) {
    super(scope, id);
    this.node.addValidation({
      validate: () =>
        !Token.isUnresolved(props.comment) && props.comment.length > ACCESS_LIST_COMMENT_MAX_LENGTH
          ? [`access-list comment is ${props.comment.length} characters, Atlas allows ${ACCESS_LIST_COMMENT_MAX_LENGTH}: "${props.comment}"`]
          : [],
    });
    // One address per CIDR (not per position), so reordering the list never replaces an entry.
    this.entries = props.cidrs.map(
      (cidr) =>
        new ProjectIpAccessList(this, `access_list_${cidr.replace(/[./]/g, "_")}`, {
          projectId: props.projectId,
          cidrBlock: cidr,
          comment: props.comment,
        }),
    );
  }
}
