# Sourced by the resume tests. stop_after_checkpoint OUT_DIR LOG COMMAND...: starts COMMAND (a
# `sslflow run ... --out OUT_DIR`) in the background, sends it SIGTERM once OUT_DIR holds a
# complete checkpoint, and returns the run's exit status (1 when no checkpoint appears in 30 s).
stop_after_checkpoint() {
  out_dir=$1
  log=$2
  shift 2
  "$@" >/dev/null 2>"$log" &
  pid=$!
  tries=0
  until ls "$out_dir"/checkpoints/step-*/COMPLETE >/dev/null 2>&1; do
    tries=$((tries + 1))
    if [ "$tries" -gt 600 ]; then echo "no checkpoint appeared"; kill "$pid"; return 1; fi
    sleep 0.05
  done
  kill -TERM "$pid"
  wait "$pid"
}
