import * as fs from "node:fs";
import * as path from "node:path";
import { temporaryDirectory } from "./temporary-directory";
import type { Json } from "./aws-part";
import { TerraformWorkspace } from "./terraform-runner";

/**
 * A Terraform workspace for configurations of Terraform's built-in provider only (terraform_data):
 * initialised against an empty provider mirror, so nothing can be installed from anywhere. Call
 * `dispose()` when done.
 */
export async function builtinWorkspace(name: string, terraform: string, files: Readonly<Record<string, Json>>): Promise<{ workspace: TerraformWorkspace; dispose: () => void }> {
  const scratch = temporaryDirectory(name);
  fs.mkdirSync(path.join(scratch, "empty-mirror"));
  const workspace = TerraformWorkspace.create({ name, terraform, installation: { kind: "mirror", mirror: path.join(scratch, "empty-mirror") }, files });
  const dispose = () => {
    workspace.dispose();
    fs.rmSync(scratch, { recursive: true, force: true });
  };
  try {
    await workspace.init();
  } catch (error) {
    dispose();
    throw error;
  }
  return { workspace, dispose };
}
