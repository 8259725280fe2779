import { resolveEnvironments } from "../../src/environment/resolve";
import { synthesizeEnvironment } from "../support/stacks";

describe.each(resolveEnvironments("config").map((environment) => [environment.file, environment] as const))("%s: nothing secret or public in the synthesized JSON", (_file, environment) => {
  const { synth, json } = synthesizeEnvironment(environment);

  it("contains no 0.0.0.0/0 or ::/0 anywhere", () => {
    expect(synth).not.toContain("0.0.0.0/0");
    expect(synth).not.toContain("::/0");
  });

  it("contains no mongodb URI with literal credentials", () => {
    // A literal user:password@ pair; Terraform references (${...}) are allowed.
    expect(synth).not.toMatch(/mongodb(\+srv)?:\/\/[^$"@/]+:[^$"@/]+@/);
  });

  it("sets the password and the secret value only through Terraform expressions", () => {
    for (const user of Object.values(json.resource.mongodbatlas_database_user)) {
      // aws-iam users have no password at all; password users only a reference to random_password.
      if (user.aws_iam_type === "ROLE") expect(user).not.toHaveProperty("password");
      else expect(user.password).toMatch(/^\$\{random_password\.\w+\.result\}$/);
    }
    for (const version of Object.values(json.resource.aws_secretsmanager_secret_version)) {
      expect(version.secret_string).toMatch(/^\$\{jsonencode\(/);
    }
  });

  it("has no Atlas API keys, AWS keys or org id in the provider configuration", () => {
    expect(JSON.stringify(json.provider)).not.toMatch(/private_key|public_key|access_key|secret_key|org_id/);
    expect(synth).not.toMatch(/AKIA[0-9A-Z]{16}/);
  });

  it("contains no absolute machine path", () => {
    expect(synth).not.toMatch(/"\/(root|home|tmp|var|srv|mnt|work|Users)\//);
  });
});
