import ipaddr from "ipaddr.js";

/** RFC 1918 private IPv4 ranges: the only ranges this product lets reach the database. */
export const PRIVATE_IPV4_RANGES: readonly string[] = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];

const DOTTED_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/**
 * Explains why `cidr` is not an RFC 1918 IPv4 network in canonical form, or returns
 * undefined when it is one.
 */
export function privateCidrProblem(cidr: string): string | undefined {
  if (cidr.includes(":")) return "IPv6 is not supported: the VPC CIDR and the Atlas access list here are IPv4";
  const match = DOTTED_CIDR.exec(cidr);
  if (!match) return "not an IPv4 CIDR block of the form a.b.c.d/n";
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((octet) => octet > 255)) return "an address part is above 255";
  if (prefix > 32) return `prefix /${prefix} is above /32`;
  const address = ipaddr.IPv4.parse(octets.join("."));
  const network = ipaddr.IPv4.networkAddressFromCIDR(cidr).toString();
  if (network !== address.toString()) return `host bits are set; the network is ${network}/${prefix}`;
  const insidePrivateRange = PRIVATE_IPV4_RANGES.some((range) => {
    const [rangeAddress, rangePrefix] = ipaddr.IPv4.parseCIDR(range);
    return prefix >= rangePrefix && address.match(rangeAddress, rangePrefix);
  });
  if (!insidePrivateRange) {
    return `not inside a private range (${PRIVATE_IPV4_RANGES.join(", ")}); public access is never allowed`;
  }
  return undefined;
}
