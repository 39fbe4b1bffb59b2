#!/bin/sh
# How the engine uses a second core, on the shipped SimSiam pipeline (two augmented views
# through one ConvNet, the projector/predictor heads), evaluation off:
#   1. the median training step with --threads 1 and --threads 2 (the two views, their
#      encoder applications and the prefetch of the next batch run concurrently);
#   2. two pipelines in one process with --jobs 2 against the same two one after another
#      (--jobs 1), wall time.
# Rounds alternate the order of the variants; the table gives medians over the rounds.
#   bench/engine_scaling.sh BUILD_DIR [ROUNDS] [STEPS]
set -eu
build=$1
rounds=${2:-3}
steps=${3:-40}
sslflow="$build/bin/sslflow"
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
pipeline="$here/../pipelines/simsiam_fmnist.yaml"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

seconds() { start=$(date +%s.%N); "$@" >/dev/null 2>&1; end=$(date +%s.%N); awk -v s="$start" -v e="$end" 'BEGIN { print e - s }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

run() {  # run NAME ARGS...
  name=$1
  shift
  rm -rf "$work/$name"
  "$sslflow" run "$pipeline" "+train.max_steps=$steps" "~eval" "$@" --out "$work/$name" >/dev/null 2>&1
}

for round in $(seq "$rounds"); do
  if [ $((round % 2)) -eq 1 ]; then order="1 2"; else order="2 1"; fi
  for t in $order; do
    run "threads$t" --threads "$t"
    median_step "$work/threads$t" $((steps / 4)) >> "$work/step$t"
  done
  for j in $order; do
    seconds "$sslflow" run "$pipeline" "+train.max_steps=$steps" "~eval" "+sweep={seed: [0, 1]}" --jobs "$j" \
      --out "$work/jobs$j.$round" >> "$work/jobs$j"
  done
done

s1=$(median < "$work/step1")
s2=$(median < "$work/step2")
j1=$(median < "$work/jobs1")
j2=$(median < "$work/jobs2")
echo "$(date -u +%Y-%m-%d) $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $rounds rounds of $steps steps"
echo
echo "| measure | 1 | 2 | ratio |"
echo "|---|---|---|---|"
printf '| median step, --threads N (ms) | %.1f | %.1f | %sx |\n' "$s1" "$s2" "$(ratio "$s1" "$s2")"
printf '| two pipelines, --jobs N (s) | %.1f | %.1f | %sx |\n' "$j1" "$j2" "$(ratio "$j1" "$j2")"
