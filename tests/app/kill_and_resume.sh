#!/bin/sh
# Crash consistency: a run killed with SIGKILL at KILLS random moments (in steps, in
# checkpoint writes, in the final write), each time continued with `sslflow run --resume`
# (or started again while it has no checkpoint yet), ends with a model.safetensors
# identical, byte for byte, to that of a run never interrupted.
#   kill_and_resume.sh SSLFLOW PIPELINE WORK_DIR KILLS [OVERRIDE...]
set -u
sslflow=$1
pipeline=$2
work=$3
kills=$4
shift 4
rm -rf "$work"
mkdir -p "$work"
"$sslflow" run "$pipeline" "$@" --threads 2 --out "$work/straight" >"$work/straight.log" 2>&1 ||
  { echo "the uninterrupted run failed:"; cat "$work/straight.log"; exit 1; }

killed=0
started=0
while [ "$killed" -lt "$kills" ]; do
  if ls "$work"/killed/checkpoints/step-*/COMPLETE >/dev/null 2>&1; then
    "$sslflow" run --resume "$work/killed" --threads 2 >/dev/null 2>>"$work/killed.log" &
  else
    rm -rf "$work/killed"
    "$sslflow" run "$pipeline" "$@" --threads 2 --out "$work/killed" >/dev/null 2>>"$work/killed.log" &
  fi
  pid=$!
  started=$((started + 1))
  sleep "0.$(od -An -N2 -tu2 /dev/urandom | tr -d ' ' | cut -c1-2 | sed 's/^0*$/1/')"
  if kill -KILL "$pid" 2>/dev/null; then killed=$((killed + 1)); fi
  wait "$pid"
  status=$?
  if [ "$status" -ne 0 ] && [ "$status" -ne 137 ]; then
    echo "a run exited with $status"; tail -20 "$work/killed.log"; exit 1
  fi
  if [ "$status" -eq 0 ]; then rm -rf "$work/killed"; fi  # finished before the kill: start over
done
if ls "$work"/killed/checkpoints/step-*/COMPLETE >/dev/null 2>&1; then
  "$sslflow" run --resume "$work/killed" --threads 2 >/dev/null 2>>"$work/killed.log"
else
  rm -rf "$work/killed"
  "$sslflow" run "$pipeline" "$@" --threads 2 --out "$work/killed" >/dev/null 2>>"$work/killed.log"
fi || { echo "the last run failed:"; tail -20 "$work/killed.log"; exit 1; }
if ! cmp "$work/straight/model.safetensors" "$work/killed/model.safetensors"; then
  echo "the final weights differ after $killed kills"; exit 1
fi
echo "final weights identical after $killed kills in $started runs; $(grep -c 'is not used' "$work/killed.log") checkpoints passed over"
