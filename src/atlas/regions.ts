/**
 * AWS regions where Atlas runs dedicated clusters, in AWS spelling.
 * Atlas spells the same region in upper snake case (us-east-1 -> US_EAST_1).
 *
 * Source: mongodb.com/docs/atlas/reference/amazon-aws (supported regions), checked 2026.
 */
export const ATLAS_AWS_REGIONS = [
  "us-east-1", "us-east-2", "us-west-1", "us-west-2",
  "ca-central-1", "ca-west-1", "sa-east-1",
  "eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1", "eu-central-2",
  "eu-north-1", "eu-south-1", "eu-south-2",
  "ap-east-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
  "ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3",
  "ap-southeast-4",
  "me-south-1", "me-central-1", "il-central-1", "af-south-1",
] as const;

export type AwsRegion = (typeof ATLAS_AWS_REGIONS)[number];

/** us-east-1 -> US_EAST_1, the spelling `replication_specs.region_configs.region_name` expects. */
export function atlasRegionName(region: AwsRegion): string {
  return region.toUpperCase().replace(/-/g, "_");
}

/** Every region Atlas runs in (ATLAS_AWS_REGIONS) is in the commercial partition. */
export const AWS_PARTITION = "aws";

/** Every Atlas spelling of ATLAS_AWS_REGIONS (US_EAST_1, ...): the names Atlas accepts for AWS. */
export const ATLAS_AWS_REGION_NAMES: readonly string[] = ATLAS_AWS_REGIONS.map(atlasRegionName);
