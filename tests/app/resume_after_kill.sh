#!/bin/sh
# A run killed with SIGTERM mid-way exits with status 3 after writing a checkpoint, and
# `sslflow run --resume` then logs the same losses, to the last digit, as a run that was
# never interrupted.
#   resume_after_kill.sh SSLFLOW PIPELINE WORK_DIR [OVERRIDE...]
# The overrides (e.g. more epochs, so the run outlasts the signal) apply to both runs.
set -u
. "$(dirname "$0")/stop_after_checkpoint.sh"
sslflow=$1
pipeline=$2
work=$3
shift 3
rm -rf "$work"
mkdir -p "$work"

"$sslflow" run "$pipeline" "$@" --threads 2 --out "$work/straight" >"$work/straight.log" 2>&1 ||
  { echo "the uninterrupted run failed:"; cat "$work/straight.log"; exit 1; }

stop_after_checkpoint "$work/killed" "$work/killed.log" "$sslflow" run "$pipeline" "$@" --threads 2 --out "$work/killed"
status=$?
if [ "$status" -eq 0 ]; then
  echo "the run finished before the signal arrived; nothing was interrupted"; cat "$work/killed.log"
  exit 1
fi
if [ "$status" -ne 3 ]; then
  echo "a killed run exited with $status, expected 3"; cat "$work/killed.log"; exit 1
fi
"$sslflow" run --resume "$work/killed" --threads 2 >/dev/null 2>"$work/resumed.log" || { cat "$work/resumed.log"; exit 1; }

losses() { grep -o '"step":[0-9.]*,"epoch":[0-9.]*,"lr":[^,]*,"loss":[^,]*' "$1/metrics.jsonl"; }
losses "$work/straight" > "$work/straight.txt"
losses "$work/killed" > "$work/resumed.txt"
if ! cmp -s "$work/straight.txt" "$work/resumed.txt"; then
  echo "the resumed run's losses differ:"; diff "$work/straight.txt" "$work/resumed.txt" | head -20; exit 1
fi
echo "resumed run matches: $(wc -l < "$work/straight.txt") steps"
