import { TerraformElement, TerraformStack } from "cdktf";
import type { Construct, Node } from "constructs";
import { REQUIRED_TERRAFORM_VERSION } from "../terraform/terraform-version";

/**
 * A stack whose Terraform addresses are the construct ids themselves
 * (`aws_kms_key.connection_secret_key`) instead of cdktf's default of the construct path plus
 * a hash. Addresses then read well and stay put when the construct tree is refactored; a
 * changed address makes Terraform destroy and re-create the resource, which for a database
 * cluster means losing it. Construct ids must therefore be unique per stack and per kind.
 */
export class StableAddressStack extends TerraformStack {
  private readonly addressOwners = new Map<string, string>();
  private terraformJson?: { readonly nodes: number; readonly json: any };

  constructor(scope: Construct, id: string) {
    super(scope, id);
    // Every stack of the app pins the Terraform it is tested with (cdktf 0.21 has no typed option
    // for it); an older CLI then stops at init instead of misreading the state or the lockfile.
    this.addOverride("terraform.required_version", REQUIRED_TERRAFORM_VERSION);
  }

  /**
   * The stack as Terraform JSON. The policy Aspect reads it during synthesis and the synthesizer
   * writes it right after; resolving a stack is the costliest step of `npm run synth`, so the
   * second ask reuses the first answer while the construct tree is unchanged.
   */
  public toTerraform(): any {
    const nodes = this.node.findAll().length;
    if (this.terraformJson?.nodes !== nodes) this.terraformJson = { nodes, json: super.toTerraform() };
    return this.terraformJson.json;
  }

  protected allocateLogicalId(element: TerraformElement | Node): string {
    const node = element instanceof TerraformElement ? element.node : element;
    const kind = element instanceof TerraformElement ? element.constructor.name : "node";
    const key = `${kind}:${node.id}`;
    const owner = this.addressOwners.get(key);
    if (owner !== undefined && owner !== node.path) {
      throw new Error(`Terraform address "${node.id}" is used by both ${owner} and ${node.path}; construct ids must be unique per stack`);
    }
    this.addressOwners.set(key, node.path);
    return node.id;
  }
}
