/*
 * The check that a deploy run deploys the current head of main, as a `run:` script: the deploy
 * run's first job runs it, and so does every job that applies anything or records an approval
 * (a re-run of an old run's job skips the first job). It says which of three things stopped it:
 * the run is not for main, main could not be read (curl's own message is printed above ours), or
 * main has moved on. Plain bash and curl, no gh or jq: it also runs first on the self-hosted VPC
 * runners. GitHub's answer is matched with a bash regex, not a pipeline whose failure
 * `$( )` would hide (shellcheck SC2312).
 */
export const CURRENT_HEAD_SCRIPT = [
  'if [ "$GITHUB_REF" != "refs/heads/main" ]; then',
  '  echo "::error title=Only main is deployed::This run is for $GITHUB_REF. Nothing was deployed."',
  "  exit 1",
  "fi",
  'main_ref="$GITHUB_API_URL/repos/$GITHUB_REPOSITORY/git/ref/heads/main"',
  'if ! answer="$(curl -fsS --retry 3 --max-time 30 -H "Authorization: Bearer $GH_TOKEN" -H "Accept: application/vnd.github+json" "$main_ref")"; then',
  '  echo "::error title=Could not read the head of main::GET $main_ref failed (curl says why, above). Whether $GITHUB_SHA is still the head of main is unknown, so nothing was deployed by this job. Re-run it once GitHub answers."',
  "  exit 1",
  "fi",
  `sha_pattern='"sha": *"([0-9a-f]{40})"'`,
  'if ! [[ "$answer" =~ $sha_pattern ]]; then',
  `  echo "::error title=Could not read the head of main::GitHub's answer to GET $main_ref names no commit. Nothing was deployed by this job."`,
  "  exit 1",
  "fi",
  'head="${BASH_REMATCH[1]}"',
  'if [ "$head" != "$GITHUB_SHA" ]; then',
  '  echo "::error title=Superseded by a newer commit of main::This run deploys $GITHUB_SHA, but main is now at $head, whose run deploys a superset. Nothing was deployed by this job."',
  "  exit 1",
  "fi",
  'echo "This run deploys $GITHUB_SHA, the current head of main."',
  "",
].join("\n");

/** The step that runs it; its token reads the ref (contents: read). */
export const currentHeadStep = {
  name: "Refuse anything but the current head of main",
  env: { GH_TOKEN: "${{ github.token }}" },
  run: CURRENT_HEAD_SCRIPT,
};
