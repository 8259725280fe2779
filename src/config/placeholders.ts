import type { EnvironmentConfig } from "./environment-schema";

// An id of only zeros and one hex digit is the committed example, not a real resource.
const PLACEHOLDER_ID = /^(vpc|subnet|sg)-0+[0-9a-f]?$/;
const PLACEHOLDER_EMAIL = /@example\.(com|org|net)$/;

/**
 * What in an environment file is still a committed example: synth warns about each, and the CI
 * preflight refuses to deploy while any remains.
 */
export function placeholderWarnings(config: EnvironmentConfig): string[] {
  const { network } = config;
  const ids = [network.vpcId, ...network.privateSubnetIds, ...Object.values(network.clientSecurityGroups)].filter((id) =>
    PLACEHOLDER_ID.test(id),
  );
  const emails = (config.monitoring.alertEmails ?? []).filter((email) => PLACEHOLDER_EMAIL.test(email));
  const warnings: string[] = [];
  if (ids.length > 0) {
    warnings.push(`network ids ${ids.join(", ")} are committed placeholders; replace them with the networking module's outputs before deploying.`);
  }
  if (config.state?.bucket.includes("placeholder")) {
    warnings.push(`state.bucket ${config.state.bucket} is a committed placeholder; name your Terraform state bucket before deploying.`);
  }
  if (emails.length > 0) {
    warnings.push(`alert e-mail addresses ${emails.join(", ")} are committed placeholders; nobody will receive these alarms.`);
  }
  return warnings;
}
