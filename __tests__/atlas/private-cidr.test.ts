import { privateCidrProblem } from "../../src/network/private-cidr";

describe("privateCidrProblem", () => {
  it.each(["10.0.0.0/16", "10.0.0.0/8", "172.16.0.0/12", "172.31.255.0/24", "192.168.1.0/24", "10.1.2.3/32"])(
    "accepts the private network %s",
    (cidr) => expect(privateCidrProblem(cidr)).toBeUndefined(),
  );

  it.each([
    ["0.0.0.0/0", /public access is never allowed/],
    ["8.8.8.0/24", /not inside a private range/],
    ["10.0.0.0/7", /not inside a private range/],
    ["172.32.0.0/16", /not inside a private range/],
    ["100.64.0.0/10", /not inside a private range/],
    ["10.0.0.0/33", /prefix \/33 is above \/32/],
    ["10.0.0.256/32", /above 255/],
    ["10.0.0.0", /not an IPv4 CIDR block/],
    ["10.0.1.0/16", /host bits are set; the network is 10\.0\.0\.0\/16/],
    ["::/0", /IPv6 is not supported/],
  ])("refuses %s", (cidr, problem) => expect(privateCidrProblem(cidr)).toMatch(problem));
});
