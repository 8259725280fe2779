import { PLACEHOLDER_ACCOUNT_ID, PLACEHOLDER_MARK, type EnvironmentConfig } from "./environment-config";

/*
 * What in an environment file is still an example rather than a real value: the committed
 * network ids, state bucket and alert address, and every default this project cannot derive
 * (the AWS account, IAM role ARNs, the CI runner). Synth only mentions them (one line for the
 * whole run); `npm run diff`, `npm run deploy` and CI refuse to plan or apply while any remains.
 */

// An id of only zeros and one hex digit is the committed example, not a real resource.
const PLACEHOLDER_ID = /^(vpc|subnet|sg)-0+[0-9a-f]?$/;
const PLACEHOLDER_EMAIL = /@example\.(com|org|net)$/;

/** One field that still holds an example value. */
export interface PlaceholderField {
  /** Path in the environment file, e.g. network.privateSubnetIds[0]. */
  readonly field: string;
  /** What it holds now; "not set" for a required-to-deploy field that is missing. */
  readonly value: string;
}

const isPlaceholderText = (value: string) => value.includes(PLACEHOLDER_MARK) || value.includes(`::${PLACEHOLDER_ACCOUNT_ID}:`);

export function placeholderFields(config: EnvironmentConfig): PlaceholderField[] {
  const { network } = config;
  const candidates: ReadonlyArray<readonly [field: string, value: string | undefined, isPlaceholder: (value: string) => boolean]> = [
    ["aws.accountId", config.aws.accountId, (value) => value === PLACEHOLDER_ACCOUNT_ID],
    ["network.vpcId", network.vpcId, (value) => PLACEHOLDER_ID.test(value)],
    ...network.privateSubnetIds.map((id, index) => [`network.privateSubnetIds[${index}]`, id, (value: string) => PLACEHOLDER_ID.test(value)] as const),
    ...Object.entries(network.clientSecurityGroups).map(
      ([name, id]) => [`network.clientSecurityGroups.${name}`, id, (value: string) => PLACEHOLDER_ID.test(value)] as const,
    ),
    ...(config.monitoring.alertEmails ?? []).map(
      (email, index) => [`monitoring.alertEmails[${index}]`, email, (value: string) => PLACEHOLDER_EMAIL.test(value)] as const,
    ),
    ["state.bucket", config.state?.bucket, isPlaceholderText],
    // Both modes use them: the secrets' resource policies name the app and seeder roles as readers,
    // and the CI seed job assumes the seeder role.
    ["database.appRoleArn", config.database.appRoleArn, isPlaceholderText],
    ["database.seederRoleArn", config.database.seederRoleArn, isPlaceholderText],
    ["ci.planRoleArn", config.ci.planRoleArn, isPlaceholderText],
    ["ci.deployRoleArn", config.ci.deployRoleArn, isPlaceholderText],
    // Optional, but when written they enter the key and secret policies, which KMS and Secrets Manager check.
    ["ci.breakGlassRoleArn", config.ci.breakGlassRoleArn, isPlaceholderText],
    ["ci.nextPlanRoleArn", config.ci.nextPlanRoleArn, isPlaceholderText],
    ["ci.nextDeployRoleArn", config.ci.nextDeployRoleArn, isPlaceholderText],
    ["database.nextAppRoleArn", config.database.nextAppRoleArn, isPlaceholderText],
    ["database.nextSeederRoleArn", config.database.nextSeederRoleArn, isPlaceholderText],
  ];
  const found: PlaceholderField[] = candidates
    .filter(([, value, isPlaceholder]) => value !== undefined && isPlaceholder(value))
    .map(([field, value]) => ({ field, value: value as string }));
  if (config.ci.runnerLabel === undefined) found.push({ field: "ci.runnerLabel", value: "not set" });
  return found;
}

/**
 * What a bootstrap stack reads beyond the environment stack's fields: the GitHub repository its
 * roles trust. Every other field (account, role ARNs, state bucket, ...) is in placeholderFields.
 */
export function bootstrapPlaceholderFields(config: EnvironmentConfig): PlaceholderField[] {
  const repository = config.github.repository;
  return [...placeholderFields(config), ...(isPlaceholderText(repository) ? [{ field: "github.repository", value: repository }] : [])];
}

/** One line per placeholder field that stops a bootstrap stack fed by this file. */
export function bootstrapPlaceholderReport(file: string, config: EnvironmentConfig): string[] {
  return bootstrapPlaceholderFields(config).map(({ field, value }) => `${file}: ${field} is a placeholder (${value}); set the real value before planning or applying the bootstrap stack`);
}

/** The one line synth prints when any file still holds placeholders; undefined when none does. */
export function placeholderNotice(environments: ReadonlyArray<{ readonly file: string; readonly config: EnvironmentConfig }>): string | undefined {
  const files = environments.filter(({ config }) => placeholderFields(config).length > 0).map(({ file }) => file);
  if (files.length === 0) return undefined;
  return `Placeholders remain in ${files.join(", ")}: fine for synth; \`npm run diff\`, \`npm run deploy\` and CI refuse them and list each field.`;
}

/** One line per placeholder field, for the refusal of diff, deploy and CI. */
export function placeholderReport(file: string, config: EnvironmentConfig): string[] {
  return placeholderFields(config).map(({ field, value }) => `${file}: ${field} is a placeholder (${value}); set the real value before planning or applying`);
}
