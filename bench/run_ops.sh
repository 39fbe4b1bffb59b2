#!/usr/bin/env bash
# Runs bench_ops (sslflow) and torch_ops.py (PyTorch) alternately, ROUNDS times each, and
# prints a markdown table of the medians. Builds nothing: build bench_ops first with
#   cmake --build BUILD_DIR --target bench_ops
# Usage: bench/run_ops.sh BUILD_DIR [ROUNDS]
# Further options for both (--threads, --warmup, --min-repeats, --min-time, --only) come
# from $BENCH_OPS_ARGS. $TORCH_PYTHON names a Python with torch (default /usr/bin/python3).
# On a shared machine each round first waits, up to $QUIET_WAIT seconds (default 300), for
# the CPUs to be at most $QUIET_BUSY percent busy (default 25) over two seconds.
set -euo pipefail

build=${1:?usage: bench/run_ops.sh BUILD_DIR [ROUNDS]}
rounds=${2:-5}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
bench_ops="$build/bench/bench_ops"
python=${TORCH_PYTHON:-/usr/bin/python3}
read -r -a extra <<< "${BENCH_OPS_ARGS:-}"
quiet_wait=${QUIET_WAIT:-300}
quiet_busy=${QUIET_BUSY:-25}

if [[ ! -x $bench_ops ]]; then
  echo "run_ops.sh: $bench_ops not found; build it with: cmake --build $build --target bench_ops" >&2
  exit 1
fi

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
runs=$(mktemp -d)
trap 'rm -rf "$runs"' EXIT

run_sslflow() { "$bench_ops" "${extra[@]}" > "$runs/sslflow.$1.jsonl"; }
run_pytorch() { "$python" "$here/torch_ops.py" "${extra[@]}" > "$runs/pytorch.$1.jsonl"; }

# Alternate which goes first, so slow drift in the machine's load favours neither.
busy_log=()
for ((round = 1; round <= rounds; ++round)); do
  busy_log+=("$(wait_for_quiet "$quiet_wait" "$quiet_busy")%")
  if ((round % 2)); then
    run_sslflow "$round"
    run_pytorch "$round"
  else
    run_pytorch "$round"
    run_sslflow "$round"
  fi
  echo "run_ops.sh: round $round/$rounds done" >&2
done

cpu=$(lscpu | sed -n 's/^Model name:[[:space:]]*//p')
echo "$(date -u +%F), $cpu, $(nproc) cores, $rounds rounds of each;" \
  "load average (1, 5, 15 min) $load_before before, $(cut -d' ' -f1-3 /proc/loadavg) after;" \
  "CPUs busy before each round: ${busy_log[*]}"
echo
"$python" "$here/ops_table.py" "$runs"/*.jsonl
