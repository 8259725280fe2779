import { PLACEHOLDER_MARK } from "../config/environment-config";
import type { LoadedGithubSettings } from "./load-github-settings";

/*
 * What the github stack reads that is still an example: the repository (the environment files'
 * github.repository) with the owner example-org or a placeholder, reviewers named
 * placeholder-*, a state bucket with "placeholder" in its name. `npm run diff` and `deploy` of the
 * github stack refuse them, as they refuse an environment file's placeholders.
 */
const PLACEHOLDER_OWNER = /^example-(org|com)\//;
const PLACEHOLDER_NAME = /^placeholder-/;

export function githubPlaceholderReport({ file, settings, repository }: LoadedGithubSettings): string[] {
  const lines: string[] = [];
  const placeholder = (field: string, value: string) => lines.push(`${file}: ${field} is a placeholder (${value}); set the real value before planning or applying`);
  if (PLACEHOLDER_OWNER.test(repository) || repository.includes(PLACEHOLDER_MARK)) {
    lines.push(`config/<env>.json: github.repository is a placeholder (${repository}); set the real value before planning or applying`);
  }
  for (const [environment, byPurpose] of Object.entries(settings.reviewers)) {
    for (const [purpose, reviewers] of Object.entries(byPurpose)) {
      (reviewers ?? []).forEach((reviewer, index) => {
        const name = reviewer.user ?? reviewer.team ?? "";
        if (PLACEHOLDER_NAME.test(name)) placeholder(`reviewers.${environment}.${purpose}[${index}]`, `${name}, id ${reviewer.id}`);
      });
    }
  }
  if (settings.state?.bucket.includes("placeholder")) placeholder("state.bucket", settings.state.bucket);
  return lines;
}
