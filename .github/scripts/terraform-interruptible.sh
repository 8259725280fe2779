#!/usr/bin/env bash
# Runs one Terraform command that holds the state lock (the apply job's plan and apply) so that an
# interruption reaches Terraform itself, once, with time to stop cleanly:
#
#   exec bash .github/scripts/terraform-interruptible.sh <limit> terraform apply ... tfplan
#
# <limit> is a duration as GNU timeout reads it: 105m, 90s.
#
# Why: on a cancel or a job timeout the runner sends SIGINT to the step's shell, SIGTERM 7.5 s
# later, then kills every process of the step. A shell that runs terraform as a child passes
# nothing on, so terraform is killed holding the lock, with what it applied since its last state
# write missing from the state. And a second signal makes terraform exit at once ("Two interrupts
# received. Exiting immediately."). So the step `exec`s this script (the runner's signals reach it),
# and it:
#   - sends terraform SIGINT itself after <limit>, which the workflow keeps shorter than the
#     job's timeout: at its own time limit terraform has the rest of the job to finish (GNU timeout);
#   - passes the runner's first SIGINT or SIGTERM on as one SIGINT, and swallows the rest;
#   - waits for terraform, which persists the state at once, stops its operations, saves the state
#     and releases the lock;
#   - says which of these happened, in the words docs/runbook-state-lock.md tells the operator to
#     look for ("Apply interrupted: time limit", "Apply interrupted: cancelled", "State not saved").
set -uo pipefail

if [ "$#" -lt 2 ] || ! [[ "$1" =~ ^[1-9][0-9]*[smh]$ ]]; then
  echo "usage: terraform-interruptible.sh <limit: 105m, 90s, 2h> terraform <arguments...>" >&2
  exit 2
fi
limit="$1"
shift

runbook="docs/runbook-state-lock.md"
interrupted=""

# GNU timeout: SIGINT at the limit, exit status 124 then. --foreground: to terraform alone, once.
# Without it timeout signals terraform and then its whole process group, terraform included, and
# two SIGINTs in a row make terraform exit at once, without saving the state.
timeout --foreground --signal=INT "$limit" "$@" &
child=$!

# shellcheck disable=SC2317 # called by the traps below
pass_on() {
  if [ -z "$interrupted" ]; then
    interrupted="$1"
    echo "The job is being stopped ($1): sending terraform one SIGINT; it stops its operations, saves the state and releases the lock."
    kill -INT "$child" 2>/dev/null || true
  else
    echo "The runner signalled again ($1): not passed on, terraform is still saving the state."
  fi
}
trap 'pass_on SIGINT' INT
trap 'pass_on SIGTERM' TERM

status=""
while [ -z "$status" ]; do
  if wait "$child"; then
    status=0
  else
    code=$?
    # A trapped signal ends `wait` early; go on waiting while terraform still runs.
    if kill -0 "$child" 2>/dev/null; then continue; fi
    status=$code
  fi
done

what="$*"
if [ -f errored.tfstate ]; then
  echo "::error title=State not saved::\`${what}\` could not save the state (expired credentials, or the backend refused); it wrote errored.tfstate, which the next step pushes with a fresh session. Follow ${runbook} if that step fails too."
fi
if [ "$status" -eq 124 ]; then
  echo "::error title=Apply interrupted: time limit::\`${what}\` ran ${limit}, its limit (shorter than the job's timeout): it was sent SIGINT and stopped. Unless Terraform printed \"Error releasing the state lock\" above, it saved the state and released the lock. Check ${runbook}, section \"An interrupted apply\"."
elif [ -n "$interrupted" ]; then
  echo "::error title=Apply interrupted: cancelled::\`${what}\` was stopped (${interrupted} from the runner: the run was cancelled). Unless Terraform printed \"Error releasing the state lock\" above, it saved the state and released the lock. Check ${runbook}, section \"An interrupted apply\"."
fi
exit "$status"
