import * as fs from "node:fs";
import * as path from "node:path";

/**
 * An environment file as a team fills it in, derived from the committed dev file: every
 * placeholder replaced by a real-looking value (account 123456789012, aws-iam users, the three CI
 * roles, a runner label, an S3 state bucket). `ci` entries given here are merged over the defaults.
 */
export function filledInEnvironment(name: string, ci: Record<string, unknown> = {}): Record<string, any> {
  const file = JSON.parse(fs.readFileSync(path.join("config", "dev.json"), "utf8")) as Record<string, any>;
  const role = (purpose: string) => `arn:aws:iam::123456789012:role/audio-pipeline-${name}-${purpose}`;
  delete file.connectionSecret;
  return {
    ...file,
    environment: name,
    aws: { accountId: "123456789012" },
    network: {
      ...file.network,
      vpcId: "vpc-0a1b2c3d4e5f60718",
      privateSubnetIds: ["subnet-0a1b2c3d4e5f60718", "subnet-0a1b2c3d4e5f60719"],
      clientSecurityGroups: { api: "sg-0a1b2c3d4e5f60718", worker: "sg-0a1b2c3d4e5f60719" },
    },
    database: { name: "audio_pipeline", authentication: "aws-iam", appRoleArn: role("app"), seederRoleArn: role("seeder") },
    ci: { planRoleArn: role("plan"), deployRoleArn: role("deploy"), runnerLabel: `audio-vpc-${name}`, ...ci },
    state: { bucket: `audio-pipeline-${name}-terraform-state`, region: "us-east-1" },
  };
}
