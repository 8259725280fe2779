/*
 * .github/scripts/required-secrets.ts: a plan or apply job whose Atlas secrets arrived empty stops
 * before Terraform runs, naming each empty secret and the GitHub environment that must hold it.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { ALL_SECRETS, main, requiredSecrets } from "../../.github/scripts/required-secrets";
import { temporaryDirectory } from "../support/temporary-directory";
import { TYPESCRIPT_RUNNER } from "../support/run-typescript";
import { filledInEnvironment } from "./support/environment-files";

const VALUES = { ATLAS_PUBLIC_API_KEY: "pub-value-1", ATLAS_PRIVATE_API_KEY: "priv-value-2", ATLAS_ORG_ID: "org-value-3", ATLAS_ALERT_WEBHOOK_SECRET: "hook-value-4" };

/** The command line in this process (quicker); `run` starts it as the step does. */
function runInProcess(args: string[], secrets: Record<string, string>) {
  let stdout = "";
  const status = main(args, secrets, (text) => (stdout += text));
  return { status, stdout };
}

function run(args: string[], secrets: Record<string, string>) {
  const env = { ...process.env };
  for (const name of ALL_SECRETS) delete env[name];
  return spawnSync(process.execPath, [...TYPESCRIPT_RUNNER, ".github/scripts/required-secrets.ts", ...args], { encoding: "utf8", env: { ...env, ...secrets } });
}

describe("required-secrets.ts: empty secrets stop the job, named", () => {
  it("names each empty secret and the GitHub environment to set it in; prints no value", () => {
    const { ATLAS_PRIVATE_API_KEY: _private, ...rest } = VALUES;
    const result = run(["dev", "--github-environment", "dev-plan"], { ...rest, ATLAS_ORG_ID: "  " });
    expect(result.status).toBe(1);
    expect(result.stdout.trim().split("\n")).toEqual([
      "::error title=Secret ATLAS_PRIVATE_API_KEY is empty::ATLAS_PRIVATE_API_KEY reached this job empty: set it as a secret of the GitHub environment dev-plan (Settings > Environments > dev-plan; never as a repository secret). Nothing was planned or applied.",
      "::error title=Secret ATLAS_ORG_ID is empty::ATLAS_ORG_ID reached this job empty: set it as a secret of the GitHub environment dev-plan (Settings > Environments > dev-plan; never as a repository secret). Nothing was planned or applied.",
    ]);
    expect(result.stdout).not.toContain("pub-value-1");
  });

  it("passes when every required secret is set, and asks for the webhook secret only where the file sets a webhook", () => {
    const ok = runInProcess(["dev", "--github-environment", "dev-deploy"], { ATLAS_PUBLIC_API_KEY: "a", ATLAS_PRIVATE_API_KEY: "b", ATLAS_ORG_ID: "c" });
    expect(ok.status, ok.stdout).toBe(0);
    expect(ok.stdout).toBe("dev-deploy: ATLAS_PUBLIC_API_KEY, ATLAS_PRIVATE_API_KEY, ATLAS_ORG_ID set\n");
    const directory = temporaryDirectory("secrets-config");
    try {
      for (const file of fs.readdirSync("config")) fs.copyFileSync(path.join("config", file), path.join(directory, file));
      const staging = filledInEnvironment("staging");
      fs.writeFileSync(path.join(directory, "staging.json"), JSON.stringify({ ...staging, monitoring: { ...(staging.monitoring ?? {}), atlasWebhookUrl: "https://hooks.example.com/atlas" } }));
      expect(requiredSecrets("staging", directory)).toContain("ATLAS_ALERT_WEBHOOK_SECRET");
      expect(requiredSecrets("dev", directory)).not.toContain("ATLAS_ALERT_WEBHOOK_SECRET");
      const missing = runInProcess(["staging", "--github-environment", "staging-plan", "--config-dir", directory], { ATLAS_PUBLIC_API_KEY: "a", ATLAS_PRIVATE_API_KEY: "b", ATLAS_ORG_ID: "c" });
      expect(missing.status).toBe(1);
      expect(missing.stdout).toContain("::error title=Secret ATLAS_ALERT_WEBHOOK_SECRET is empty::");
    } finally {
      fs.rmSync(directory, { recursive: true, force: true });
    }
  });
});
