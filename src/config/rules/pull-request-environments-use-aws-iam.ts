import { z } from "zod";
import { DATABASE_DEFAULTS } from "../../modules/database/variables";
import type { ConfigIssue } from "../config-issue";
import { pullRequestPlans } from "../pull-request-plans";
import { defineRule } from "./config-rule";

/**
 * Pull requests plan an environment (ci.pullRequestPlan, default: production false) with its
 * `<env>-plan` credentials, and a pull request controls the workflow it runs, so it can use those
 * credentials for anything they allow. Refreshing the connection secrets calls GetSecretValue, so
 * the plan role reads them. In password mode they hold the database passwords; in aws-iam mode
 * they hold a URI without any credential (access needs the app or seeder IAM role, which no pull
 * request can assume). So an environment that pull requests plan must use aws-iam. A deployed
 * environment switches in two steps (docs/connecting.md); step 1 (aws-iam with
 * retainPasswordUsers) is allowed as the documented way out of password mode. A production
 * environment is never planned by pull requests.
 */
export const pullRequestEnvironmentsUseAwsIam = defineRule({
  id: "pull-request-environments-use-aws-iam",
  reads: z.looseObject({
    production: z.boolean(),
    ci: z.looseObject({ pullRequestPlan: z.boolean().optional() }).prefault({}),
    database: z.looseObject({ authentication: z.string().default(DATABASE_DEFAULTS.database.authentication) }).prefault({}),
  }),
  check(file) {
    const issues: ConfigIssue[] = [];
    if (file.production && file.ci.pullRequestPlan === true) {
      issues.push({
        path: ["ci", "pullRequestPlan"],
        value: true,
        message: "is refused for a production environment: its plan credentials would be open to every branch; allowed: false or remove it (production is planned on main only)",
      });
    }
    if (pullRequestPlans(file) && file.database.authentication === "password") {
      issues.push({
        path: ["database", "authentication"],
        value: file.database.authentication,
        message:
          'is refused for an environment that pull requests plan (ci.pullRequestPlan, default for production: false): refreshing its connection secrets (GetSecretValue) with the <env>-plan role, which any branch can use, would hand a pull request the database passwords; allowed: "aws-iam" (a deployed environment switches in two steps, docs/connecting.md), or ci.pullRequestPlan: false (then only main plans it)',
      });
    }
    return issues;
  },
});
