import { deployableConfigJson } from "../../support/config-files";

/**
 * A placeholder-free environment file for a new environment `name`, derived from the committed dev
 * file: its own role ARNs (the seed role too, which the CI seed jobs assume in either
 * authentication mode), its own runner label and state bucket. `ci` entries given here are merged
 * over those.
 */
export function filledInEnvironment(name: string, ci: Record<string, unknown> = {}): Record<string, any> {
  const file = deployableConfigJson("dev");
  const role = (purpose: string) => `arn:aws:iam::123456789012:role/audio-pipeline-${name}-${purpose}`;
  delete file.connectionSecret;
  return {
    ...file,
    environment: name,
    database: { ...file.database, appRoleArn: role("app"), seederRoleArn: role("seeder") },
    ci: { ...file.ci, planRoleArn: role("plan"), deployRoleArn: role("deploy"), runnerLabel: `audio-vpc-${name}`, ...ci },
    state: { bucket: `audio-pipeline-${name}-terraform-state`, region: "us-east-1" },
  };
}
