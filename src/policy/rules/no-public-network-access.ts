import { privateCidrProblem } from "../../network/private-cidr";
import { resourcesOfType, type PolicyFinding, type PolicyRule } from "../policy-rule";

const isReference = (value: unknown) => typeof value === "string" && value.includes("${");

function publicCidrs(values: unknown[]): string[] {
  return values
    .flat()
    .filter((value): value is string => typeof value === "string" && value !== "" && !isReference(value))
    .filter((cidr) => privateCidrProblem(cidr.includes("/") || cidr.includes(":") ? cidr : `${cidr}/32`) !== undefined);
}

/** No public CIDR (0.0.0.0/0, ::/0 or any non-RFC 1918 range) may reach the database or its endpoint. */
export const noPublicNetworkAccess: PolicyRule = {
  id: "no-public-network-access",
  rationale: "The database holds call transcripts and contacts; it must be reachable only from private networks.",
  level: "error",
  check(stack) {
    const findings: PolicyFinding[] = [];
    const report = (address: string, cidrs: string[], where: string) => {
      for (const cidr of cidrs) findings.push({ address, message: `${where} admits ${cidr}, which is not a private range` });
    };
    for (const entry of resourcesOfType(stack, "mongodbatlas_project_ip_access_list")) {
      report(entry.address, publicCidrs([entry.config.cidr_block, entry.config.ip_address]), "Atlas access list entry");
    }
    for (const rule of resourcesOfType(stack, "aws_vpc_security_group_ingress_rule")) {
      report(rule.address, publicCidrs([rule.config.cidr_ipv4, rule.config.cidr_ipv6]), "ingress rule");
    }
    for (const rule of resourcesOfType(stack, "aws_security_group_rule").filter((r) => r.config.type === "ingress")) {
      report(rule.address, publicCidrs([rule.config.cidr_blocks, rule.config.ipv6_cidr_blocks]), "ingress rule");
    }
    for (const group of resourcesOfType(stack, "aws_security_group")) {
      const ingress = (group.config.ingress ?? []) as Record<string, unknown>[];
      report(group.address, publicCidrs(ingress.flatMap((r) => [r.cidr_blocks, r.ipv6_cidr_blocks])), "inline ingress");
    }
    return findings;
  },
};
