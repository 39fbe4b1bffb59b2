#!/bin/sh
# The run command takes SIGINT, SIGTERM and SIGHUP on one thread of its own:
# - while a run trains, every other thread of the process has the three blocked (the
#   waiting thread alone has them unblocked, inside sigwait), so no signal lands in a
#   computation;
# - one signal ends the run with status 3 and a checkpoint, and --resume then finishes;
# - a second signal ends the process at once, by that signal (status 128 + its number).
#   stop_on_signal.sh SSLFLOW PIPELINE WORK_DIR SIGNAL [OVERRIDE...]
set -u
sslflow=$1
pipeline=$2
work=$3
signal=$4
shift 4
rm -rf "$work"
mkdir -p "$work"

started() {  # starts a run in $work/$1 and waits for its first checkpoint
  "$sslflow" run "$pipeline" "$@" --threads 2 --out "$work/$run" >/dev/null 2>"$work/$run.log" &
  pid=$!
  tries=0
  until ls "$work/$run"/checkpoints/step-*/COMPLETE >/dev/null 2>&1; do
    tries=$((tries + 1))
    if [ "$tries" -gt 600 ]; then echo "no checkpoint appeared"; kill -KILL "$pid"; exit 1; fi
    sleep 0.05
  done
}

run=once
started "$@"
# SigBlk is a hexadecimal mask; bit n-1 stands for signal n: SIGHUP 1, SIGINT 2, SIGTERM 15.
threads=0
unblocked=0
for status in /proc/"$pid"/task/*/status; do
  mask=$(awk '/^SigBlk:/ { print $2 }' "$status") || continue
  [ -n "$mask" ] || continue
  threads=$((threads + 1))
  [ $((0x$mask & 0x4003)) -eq $((0x4003)) ] || unblocked=$((unblocked + 1))
done
if [ "$unblocked" -gt 1 ]; then
  echo "$unblocked of $threads threads take termination signals, expected only the waiting one"; exit 1
fi
kill -"$signal" "$pid"
wait "$pid"
status=$?
if [ "$status" -ne 3 ]; then echo "one SIG$signal: exit status $status, expected 3"; cat "$work/$run.log"; exit 1; fi
grep -q "stopping at the next step" "$work/$run.log" || { echo "no message about the stop:"; cat "$work/$run.log"; exit 1; }
"$sslflow" run --resume "$work/$run" --threads 2 >/dev/null 2>"$work/resumed.log" ||
  { echo "--resume after SIG$signal failed:"; cat "$work/resumed.log"; exit 1; }
[ -f "$work/$run/model.safetensors" ] || { echo "the resumed run wrote no model"; exit 1; }

# Steps of a second or so, so that the second signal arrives while the first one's step runs.
run=twice
started "$@" train.batch_size=512 nodes.backbone.hidden=[4096,4096]
kill -"$signal" "$pid"
tries=0
until grep -q "stopping at the next step" "$work/$run.log"; do
  tries=$((tries + 1))
  if [ "$tries" -gt 3000 ]; then echo "no message about the stop"; kill -KILL "$pid"; exit 1; fi
  sleep 0.01
done
kill -"$signal" "$pid"
wait "$pid"
status=$?
case $signal in HUP) number=1 ;; INT) number=2 ;; TERM) number=15 ;; esac
expected=$((128 + number))
if [ "$status" -ne "$expected" ]; then
  echo "two SIG$signal: exit status $status, expected $expected"; cat "$work/$run.log"; exit 1
fi
echo "SIG$signal: $threads threads, one taking signals; one signal: status 3 and resumed; two: status $expected"
