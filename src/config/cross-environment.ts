import type { ConfigIssue } from "./config-issue";
import type { EnvironmentConfig } from "./environment-config";

/*
 * What must differ between environment files. Each environment owns its Atlas project, cluster,
 * secrets, state object and IAM roles; two files that name the same one would make two stacks
 * fight over it, and the clash would only show at apply (or worse, not at all: one environment
 * would read the other's state). Checked over every config/*.json at once.
 */

/** One value of one file that must be unique, with the field it came from. */
interface Claim {
  readonly file: string;
  readonly field: string;
  readonly value: string;
}

/** A kind of name that must be unique across files; fields of one kind may not share a value either. */
interface UniqueName {
  readonly what: string;
  readonly claims: (config: EnvironmentConfig) => ReadonlyArray<{ readonly field: string; readonly value: string | undefined }>;
}

const UNIQUE_NAMES: readonly UniqueName[] = [
  { what: "Atlas project name", claims: (config) => [{ field: "atlas.projectName", value: config.atlas.projectName }] },
  { what: "Atlas cluster name", claims: (config) => [{ field: "atlas.clusterName", value: config.atlas.clusterName }] },
  {
    what: "Secrets Manager secret name",
    claims: (config) => [
      { field: "connectionSecret.name", value: config.connectionSecret.name },
      { field: "connectionSecret.seederName", value: config.connectionSecret.seederName },
    ],
  },
  {
    what: "Terraform state object",
    claims: (config) => [{ field: "state", value: config.state && `s3://${config.state.bucket}/${config.state.key}` }],
  },
  {
    what: "IAM role",
    claims: (config) => [
      { field: "database.appRoleArn", value: config.database.appRoleArn },
      { field: "database.seederRoleArn", value: config.database.seederRoleArn },
      { field: "ci.planRoleArn", value: config.ci.planRoleArn },
      { field: "ci.deployRoleArn", value: config.ci.deployRoleArn },
      // A role about to replace one of these is owned the same way. The break-glass role is not
      // listed: one administrator for every environment of an account is the usual set-up.
      { field: "database.nextAppRoleArn", value: config.database.nextAppRoleArn },
      { field: "database.nextSeederRoleArn", value: config.database.nextSeederRoleArn },
      { field: "ci.nextPlanRoleArn", value: config.ci.nextPlanRoleArn },
      { field: "ci.nextDeployRoleArn", value: config.ci.nextDeployRoleArn },
    ],
  },
];

/** Every clash between the files (and within one file, for fields of one kind), reported once per later claim. */
export function uniqueAcrossEnvironments(
  environments: ReadonlyArray<{ readonly file: string; readonly config: EnvironmentConfig }>,
): Array<{ file: string; issue: ConfigIssue }> {
  const problems: Array<{ file: string; issue: ConfigIssue }> = [];
  for (const name of UNIQUE_NAMES) {
    const seen = new Map<string, Claim>();
    for (const { file, config } of environments) {
      for (const { field, value } of name.claims(config)) {
        if (value === undefined) continue;
        const first = seen.get(value);
        if (first === undefined) {
          seen.set(value, { file, field, value });
          continue;
        }
        const where = first.file === file ? `${first.field} of the same file` : `${first.field} of ${first.file}`;
        problems.push({
          file,
          issue: {
            path: field.split("."),
            value,
            message: `the same ${name.what} as ${where}; allowed: a value no other environment uses (each environment owns its own)`,
          },
        });
      }
    }
  }
  return problems;
}
