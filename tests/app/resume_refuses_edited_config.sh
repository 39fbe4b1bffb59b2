#!/bin/sh
# A run stopped after a checkpoint, whose config.yaml is then edited, is refused by
# `sslflow run --resume` with an error naming config.yaml; the unedited copy resumes.
# config.yaml starts with the command line that started the run.
#   resume_refuses_edited_config.sh SSLFLOW PIPELINE WORK_DIR [OVERRIDE...]
set -u
. "$(dirname "$0")/stop_after_checkpoint.sh"
sslflow=$1
pipeline=$2
work=$3
shift 3
rm -rf "$work"
mkdir -p "$work"

stop_after_checkpoint "$work/run" "$work/run.log" "$sslflow" run "$pipeline" "$@" --threads 2 --out "$work/run"
[ "$?" -eq 3 ] || { echo "the run did not stop with status 3:"; cat "$work/run.log"; exit 1; }

head -n 1 "$work/run/config.yaml" | grep -q "^# command: .*sslflow run .* --out $work/run\$" ||
  { echo "config.yaml does not start with the command line:"; head -n 3 "$work/run/config.yaml"; exit 1; }

cp -r "$work/run" "$work/edited"
sed -i 's/^seed: .*/seed: 12345/' "$work/edited/config.yaml"
grep -q '^seed: 12345' "$work/edited/config.yaml" || { echo "config.yaml has no top-level seed to edit"; exit 1; }
output=$("$sslflow" run --resume "$work/edited" 2>&1)
status=$?
printf '%s\n' "$output"
[ "$status" -eq 1 ] || { echo "resuming the edited run exited with $status, expected 1"; exit 1; }
printf '%s\n' "$output" | grep -q "edited/config.yaml: differs from the configuration" ||
  { echo "the error does not name config.yaml"; exit 1; }
"$sslflow" run --resume "$work/run" >"$work/resume.log" 2>&1 ||
  { echo "resuming the unedited run failed:"; cat "$work/resume.log"; exit 1; }
