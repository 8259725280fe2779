#!/usr/bin/env bash
# Runs in a stack's directory (cdktf.out/stacks/<stack>) after `terraform apply` failed and left
# errored.tfstate: Terraform applied changes but could not save the state (typically an expired
# session). The job has just assumed the deploy role again, so this pushes the state back before
# the runner, and the only record of what was created, is thrown away.
#
# The failed apply usually could not release its state lock either. The lock is released here only
# when it is this job's own: an apply lock taken by this runner (Terraform's "Who" is user@host, and
# a hosted runner's host name is unique to the job). Any other lock is left alone: see
# docs/runbook-state-lock.md.
set -uo pipefail

if [ ! -f errored.tfstate ]; then
  echo "no errored.tfstate here: nothing to push"
  exit 0
fi

push() {
  terraform state push -no-color errored.tfstate >push.log 2>&1
}

if push; then
  echo "pushed errored.tfstate: the remote state now records what the failed apply did"
  rm -f errored.tfstate push.log
  exit 0
fi
cat push.log

# Terraform's lock report:   ID: <id> / Operation: OperationTypeApply / Who: <user>@<host>
lock_id="$(sed -n 's/^[[:space:]]*ID:[[:space:]]*//p' push.log | head -n 1)"
lock_who="$(sed -n 's/^[[:space:]]*Who:[[:space:]]*//p' push.log | head -n 1)"
lock_operation="$(sed -n 's/^[[:space:]]*Operation:[[:space:]]*//p' push.log | head -n 1)"
# Some backends (http) report the holder only as "already locked:" + "ID=<id>" and put this push's own
# request under "Lock Info": then whose lock it is cannot be told, and it is left alone.
holder_id="$(sed -n 's/.*ID=\([^[:space:]]*\).*/\1/p' push.log | head -n 1)"
if [ -n "$holder_id" ] && [ "$holder_id" != "$lock_id" ]; then
  lock_id="$holder_id"
  lock_who="someone the backend does not name"
  lock_operation="unknown"
fi
user="$(id -un)"
host="$(hostname)"
me="$user@$host"

if [ -n "$lock_id" ] && [ "$lock_who" = "$me" ] && [ "$lock_operation" = "OperationTypeApply" ]; then
  echo "the state lock $lock_id is this job's own failed apply ($lock_who): releasing it"
  if terraform force-unlock -force -no-color "$lock_id" && push; then
    echo "pushed errored.tfstate after releasing this job's own lock"
    rm -f errored.tfstate push.log
    exit 0
  fi
  cat push.log
fi

echo "::error title=State not saved::Terraform could not save the state after the apply, and errored.tfstate could not be pushed back (lock: ${lock_id:-none}, held by ${lock_who:-nobody}; this runner is $me). Do not re-run before following docs/runbook-state-lock.md."
exit 1
