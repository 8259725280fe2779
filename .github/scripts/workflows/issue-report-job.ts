/*
 * The last job of the day-2 workflows (drill.yml, drift.yml): it downloads what the environment
 * jobs uploaded (reports without credentials or values) and keeps one issue per environment. It is
 * the only job of those workflows that may write, and only to issues; it holds no cloud credential.
 */
import { ACTIONS, checkout, install, setupNode, type Job } from "./shared";

export interface IssueReportJobSpec {
  readonly name: string;
  readonly needs: readonly string[];
  /** The artifacts to download (a name pattern) and where to. */
  readonly artifacts: string;
  readonly directory: string;
  readonly stepName: string;
  /** The script that syncs the issues, run from the repository root. */
  readonly run: string;
}

export function issueReportJob(spec: IssueReportJobSpec): Job {
  return {
    name: spec.name,
    needs: [...spec.needs],
    if: "${{ !cancelled() && needs.environments.outputs.list != '[]' }}",
    "runs-on": "ubuntu-24.04",
    "timeout-minutes": 10,
    permissions: { contents: "read", issues: "write" },
    steps: [
      checkout,
      setupNode,
      install,
      { uses: ACTIONS.downloadArtifact.ref, with: { pattern: spec.artifacts, path: spec.directory, "merge-multiple": true } },
      { name: spec.stepName, env: { GITHUB_TOKEN: "${{ github.token }}" }, run: spec.run },
    ],
  };
}
