import { hashMapper, hashMapperHcl, anyToHclTerraform, anyToTerraform, TerraformResource, type ITerraformDependable, type TerraformResourceLifecycle } from "cdktf";
import type { Construct } from "constructs";

/** Inputs of {@link TerraformData}: the arguments of Terraform's built-in `terraform_data` this project uses. */
export interface TerraformDataProps {
  /** Values whose change replaces the resource (and runs its provisioners again). */
  readonly triggersReplace?: Readonly<Record<string, string>>;
  /** @default - none */
  readonly dependsOn?: readonly ITerraformDependable[];
  /** @default - none */
  readonly provisioners?: ReadonlyArray<{ readonly type: "local-exec"; readonly command: string }>;
  /** @default - none */
  readonly lifecycle?: TerraformResourceLifecycle;
}

/**
 * Terraform's built-in `terraform_data` resource, synthesized exactly as cdktf's `DataResource`,
 * without its synth-time check: DataResource runs `terraform version` while synthesizing (to
 * require Terraform 1.4), which makes `npm run synth` need a Terraform CLI and costs 70 ms. The
 * version is pinned where Terraform runs (CI, the tests: 1.11.4), and Terraform itself refuses
 * `terraform_data` below 1.4.
 */
export class TerraformData extends TerraformResource {
  private readonly triggers?: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: TerraformDataProps) {
    super(scope, id, {
      terraformResourceType: "terraform_data",
      terraformGeneratorMetadata: { providerName: "terraform" },
      dependsOn: props.dependsOn ? [...props.dependsOn] : undefined,
      provisioners: props.provisioners ? props.provisioners.map((provisioner) => ({ ...provisioner })) : undefined,
      lifecycle: props.lifecycle,
    });
    this.triggers = props.triggersReplace;
  }

  get id(): string {
    return this.getStringAttribute("id");
  }

  protected synthesizeAttributes(): Record<string, unknown> {
    return { input: hashMapper(anyToTerraform)(undefined), triggers_replace: hashMapper(anyToTerraform)(this.triggers) };
  }

  protected synthesizeHclAttributes(): Record<string, unknown> {
    return { input: hashMapperHcl(anyToHclTerraform)(undefined), triggers_replace: hashMapperHcl(anyToHclTerraform)(this.triggers) };
  }
}
