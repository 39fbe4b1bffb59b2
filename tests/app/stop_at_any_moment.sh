#!/bin/sh
# A signal at any moment ends a run cleanly: SIGNALS runs each get one SIGTERM, at moments
# spread evenly over an uninterrupted run's duration (loading, baselines, steps,
# evaluations, checkpoint writes, the final write). Each ends within 10 seconds: with
# status 3, having said that it stops; with 0 when it finished first; or, when the signal
# came before the run had written anything (loading plugins, validating), by the signal
# (143) with no run directory. Each stopped run is continued with `sslflow run --resume`
# and must end with a model.safetensors identical, byte for byte, to the uninterrupted
# run's.
#   stop_at_any_moment.sh SSLFLOW PIPELINE WORK_DIR SIGNALS [OVERRIDE...]
set -u
sslflow=$1
pipeline=$2
work=$3
signals=$4
shift 4
rm -rf "$work"
mkdir -p "$work"
now_ms() { echo $(($(date +%s%N) / 1000000)); }

begin=$(now_ms)
"$sslflow" run "$pipeline" "$@" --threads 2 --out "$work/straight" >"$work/straight.log" 2>&1 ||
  { echo "the uninterrupted run failed:"; cat "$work/straight.log"; exit 1; }
duration=$(($(now_ms) - begin))

stopped=0
finished=0
before=0
i=0
while [ "$i" -lt "$signals" ]; do
  run="$work/run$i"
  delay=$((duration * i / signals))
  "$sslflow" run "$pipeline" "$@" --threads 2 --out "$run" >/dev/null 2>"$run.log" &
  pid=$!
  sleep "$((delay / 1000)).$(printf %03d $((delay % 1000)))"
  kill -TERM "$pid" 2>/dev/null
  signalled=$(now_ms)
  (sleep 10 && kill -KILL "$pid") >/dev/null 2>&1 &
  watchdog=$!
  wait "$pid"
  status=$?
  ended=$(($(now_ms) - signalled))
  kill "$watchdog" 2>/dev/null
  if [ "$status" -eq 137 ]; then echo "SIGTERM after $delay ms: the run had not ended 10 s later"; cat "$run.log"; exit 1; fi
  case $status in
    0) finished=$((finished + 1)) ;;
    143)
      [ -e "$run" ] && { echo "SIGTERM at $delay ms ended the process by the signal after it created $run"; exit 1; }
      before=$((before + 1))
      ;;
    3)
      stopped=$((stopped + 1))
      grep -q "stopping at the next step" "$run.log" || { echo "no message about the stop:"; cat "$run.log"; exit 1; }
      "$sslflow" run --resume "$run" --threads 2 >/dev/null 2>>"$run.log" ||
        { echo "--resume after SIGTERM at $delay ms failed:"; cat "$run.log"; exit 1; }
      cmp -s "$work/straight/model.safetensors" "$run/model.safetensors" ||
        { echo "SIGTERM at $delay ms: the resumed run's weights differ"; cat "$run.log"; exit 1; }
      ;;
    *) echo "SIGTERM at $delay ms (of $duration): exit status $status"; cat "$run.log"; exit 1 ;;
  esac
  echo "SIGTERM at $delay ms: status $status, ended $ended ms later"
  i=$((i + 1))
done
echo "$stopped of $signals runs stopped and resumed to identical weights, $before ended before starting, $finished finished first; a run takes $duration ms"
[ "$stopped" -gt 0 ] || { echo "no signal arrived while a run was going"; exit 1; }
