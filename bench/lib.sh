# Shell helpers of the bench scripts, sourced by them: . "$here/lib.sh". Plain sh (dash,
# bash), so that every script can source it whatever its shell.

# Percent of all CPU time spent busy over the next two seconds, from /proc/stat.
cpu_busy() {
  local before after
  before=$(head -1 /proc/stat)
  sleep 2
  after=$(head -1 /proc/stat)
  awk -v a="$before" -v b="$after" 'BEGIN {
    n = split(a, x); split(b, y); total = 0
    for (i = 2; i <= n && i <= 9; ++i) total += y[i] - x[i]  # user .. steal
    idle = (y[5] - x[5]) + (y[6] - x[6])
    printf "%d", (total > 0 ? 100 * (total - idle) / total : 0)
  }'
}

# wait_for_quiet MAX_SECONDS MAX_BUSY: waits, up to MAX_SECONDS, for the CPUs to be at most
# MAX_BUSY percent busy (cpu_busy); prints the last percentage seen.
wait_for_quiet() {
  local waited=0 busy
  while busy=$(cpu_busy) && [ "$busy" -gt "$2" ] && [ "$waited" -lt "$1" ]; do
    sleep 8
    waited=$((waited + 10))
  done
  echo "$busy"
}

# The median of the numbers on stdin, one per line.
median() {
  sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# median_step RUN_DIR SKIP: the median step_ms of a sslflow run directory's metrics.jsonl,
# leaving out the first SKIP steps (warm-up); rows without step_ms (evaluations, the
# closing row) do not count.
median_step() {
  sed -n 's/.*"step":\([0-9.]*\),.*"step_ms":\([0-9.e+-]*\).*/\1 \2/p' "$1/metrics.jsonl" |
    awk -v skip="$2" '$1 > skip { print $2 }' | median
}

# peak_memory RUN_DIR: the peak resident memory (MiB) a sslflow run recorded in the closing
# row of its metrics.jsonl.
peak_memory() {
  sed -n 's/.*"peak_rss_mib":\([0-9.e+-]*\).*/\1/p' "$1/metrics.jsonl" | tail -1
}
