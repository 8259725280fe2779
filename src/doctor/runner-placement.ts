import { DescribeInstancesCommand, type EC2Client } from "@aws-sdk/client-ec2";
import { fail, ok, warn, type Check } from "./check";

/*
 * Runner placement, where the doctor can see it: a self-hosted runner registered under its EC2
 * hostname (`ip-10-0-1-23...`, the runner's default name) maps to the instance with that private
 * address in the environment's VPC; its security groups must include one of
 * network.clientSecurityGroups, the only sources the endpoint admits. A runner named otherwise
 * cannot be mapped and gets a warning. DescribeInstances only (a read).
 */

export interface RunnerPlacementInput {
  readonly ec2: EC2Client;
  /** Names of the online runners with the environment's label (from GitHub). */
  readonly runners: readonly string[];
  readonly vpcId: string;
  /** network.clientSecurityGroups, by client name. */
  readonly clientSecurityGroups: Readonly<Record<string, string>>;
}

const EC2_HOSTNAME = /^ip-(\d{1,3})-(\d{1,3})-(\d{1,3})-(\d{1,3})(?:\.|$)/;

export async function runnerPlacementChecks(input: RunnerPlacementInput): Promise<Check[]> {
  const allowed = new Set(Object.values(input.clientSecurityGroups));
  const checks: Check[] = [];
  for (const runner of input.runners) {
    const what = `runner ${runner}: security group`;
    const match = EC2_HOSTNAME.exec(runner);
    if (!match) {
      checks.push(warn("aws", what, "its name is not an EC2 hostname, so its instance cannot be found", "check by hand that its security group is one of network.clientSecurityGroups (docs/day-0-github-atlas.md#runner-placement)"));
      continue;
    }
    const address = match.slice(1, 5).join(".");
    const answer = await input.ec2.send(
      new DescribeInstancesCommand({ Filters: [{ Name: "private-ip-address", Values: [address] }, { Name: "vpc-id", Values: [input.vpcId] }] }),
    );
    const instances = (answer.Reservations ?? []).flatMap((reservation) => reservation.Instances ?? []);
    if (instances.length === 0) {
      checks.push(fail("aws", what, `no instance with address ${address} in ${input.vpcId}: the runner is outside the environment's VPC, so the seeder cannot reach the endpoint`, "run the runner in the environment's VPC (docs/day-0-github-atlas.md#runner-placement)"));
      continue;
    }
    const groups = instances.flatMap((instance) => (instance.SecurityGroups ?? []).map((group) => group.GroupId ?? ""));
    const admitted = groups.filter((group) => allowed.has(group));
    checks.push(
      admitted.length > 0
        ? ok("aws", what, `${admitted.join(", ")} is one of network.clientSecurityGroups: the endpoint admits it`)
        : fail("aws", what, `${groups.join(", ") || "none"}, none of network.clientSecurityGroups: the endpoint refuses it and the seeder times out`, `add the runner's security group to network.clientSecurityGroups (e.g. "ci-runner": "${groups[0] ?? "sg-…"}") and deploy`),
    );
  }
  return checks;
}
