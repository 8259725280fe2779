/*
 * `terraform fmt` on the reviewer HCL: canonical layout, so the files pass `terraform fmt -check`
 * and a diff between two synths shows changes, not whitespace. It also parses every file, so a
 * syntax error in the rendered HCL stops the synth here.
 */
import { spawnSync } from "node:child_process";
import * as os from "node:os";
import { ReviewerHclError } from "./reviewer-hcl-error";

/** The terraform CLI to use: TERRAFORM_BIN, else `terraform` on PATH. */
export function terraformBinary(env: NodeJS.ProcessEnv = process.env): string {
  return env.TERRAFORM_BIN || "terraform";
}

/** Formats every .tf file below `directory` in place. Throws ReviewerHclError when terraform is missing or refuses a file. */
export function formatHclFiles(directory: string, env: NodeJS.ProcessEnv = process.env): void {
  const terraform = terraformBinary(env);
  const result = spawnSync(terraform, ["fmt", "-recursive", "-list=false", "-no-color", directory], {
    encoding: "utf8",
    timeout: 60_000,
    // fmt reads no provider and no credentials. An empty CLI config: a TF_CLI_CONFIG_FILE naming a
    // missing file (as on some images) would otherwise print a warning on every synth.
    env: { PATH: env.PATH ?? "", HOME: env.HOME ?? os.homedir(), CHECKPOINT_DISABLE: "1", TF_CLI_CONFIG_FILE: os.devNull },
  });
  if (result.error) {
    const missing = (result.error as NodeJS.ErrnoException).code === "ENOENT";
    throw new ReviewerHclError(
      missing
        ? `npm run synth:hcl formats the reviewer HCL with the Terraform CLI, and "${terraform}" was not found. ` +
            "Install Terraform (https://developer.hashicorp.com/terraform/install) or set TERRAFORM_BIN to its path; `npm run synth` (JSON) does not need it."
        : `\`${terraform} fmt\` could not run: ${result.error.message}`,
    );
  }
  if (result.status !== 0) {
    throw new ReviewerHclError(`\`${terraform} fmt\` refused the reviewer HCL (exit ${result.status}):\n${result.stderr.trim()}`);
  }
}
