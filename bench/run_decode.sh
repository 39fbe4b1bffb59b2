#!/usr/bin/env bash
# Runs bench_decode (sslflow's image_folder) and pil_decode.py (PIL, as torchvision's
# ImageFolder loads images) alternately on the same files, ROUNDS times each, and prints a
# markdown table of the medians (images/s) and their ratio. Builds nothing: build
# bench_decode first with
#   cmake --build BUILD_DIR --target bench_decode
# Usage: bench/run_decode.sh BUILD_DIR [ROUNDS] [COUNT]
# Needs python3-pil and python3-numpy (apt-get install python3-pil python3-numpy). The
# images go to $DECODE_WORK (default a temporary directory). Each round first waits, up to
# $QUIET_WAIT seconds (300), for the CPUs to be at most $QUIET_BUSY percent busy (25).
set -euo pipefail

build=${1:?usage: bench/run_decode.sh BUILD_DIR [ROUNDS] [COUNT]}
rounds=${2:-3}
count=${3:-400}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
bench="$build/bench/bench_decode"
if [[ ! -x $bench ]]; then
  echo "run_decode.sh: $bench not found; build it with: cmake --build $build --target bench_decode" >&2
  exit 1
fi
runs=$(mktemp -d)
trap 'rm -rf "$runs"' EXIT
work=${DECODE_WORK:-$runs/images}

for ((round = 1; round <= rounds; ++round)); do
  busy=$(wait_for_quiet "${QUIET_WAIT:-300}" "${QUIET_BUSY:-25}")
  echo "round $round: CPUs ${busy}% busy before it" >&2
  if ((round % 2)); then
    "$bench" "$work" "$count" > "$runs/sslflow.$round.jsonl"
    /usr/bin/python3 "$here/pil_decode.py" "$work" > "$runs/pil.$round.jsonl"
  else
    /usr/bin/python3 "$here/pil_decode.py" "$work" > "$runs/pil.$round.jsonl"
    "$bench" "$work" "$count" > "$runs/sslflow.$round.jsonl"
  fi
done

/usr/bin/python3 - "$runs" <<'PY'
import glob, json, statistics, sys
runs = sys.argv[1]
def medians(who):
    rates = {}
    for path in glob.glob(f"{runs}/{who}.*.jsonl"):
        for line in open(path):
            r = json.loads(line)
            rates.setdefault((r["codec"], r["size"], r["threads"]), []).append(r["images_per_s"])
    return {k: statistics.median(v) for k, v in rates.items()}
ours, pil = medians("sslflow"), medians("pil")
print("| codec | size | threads (PIL: processes) | sslflow images/s | PIL images/s | ratio |")
print("|---|---|---:|---:|---:|---:|")
for key in sorted(ours):
    codec, size, threads = key
    if key in pil:
        print(f"| {codec} | {size or 'as stored'} | {threads} | {ours[key]:.0f} | {pil[key]:.0f} | {ours[key] / pil[key]:.2f}x |")
PY
