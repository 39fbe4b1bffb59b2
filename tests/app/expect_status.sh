#!/bin/sh
# Runs a command and checks its exit status and what it printed (stdout and stderr):
#   expect_status.sh STATUS PATTERN COMMAND [ARG...]
# PATTERN is an extended regular expression the output must match; "" matches anything.
expected=$1
pattern=$2
shift 2
output=$("$@" 2>&1)
status=$?
printf '%s\n' "$output"
if [ "$status" -ne "$expected" ]; then
  echo "expect_status: '$*' exited with $status, expected $expected" >&2
  exit 1
fi
if ! printf '%s\n' "$output" | grep -Eq -- "$pattern"; then
  echo "expect_status: the output of '$*' does not match '$pattern'" >&2
  exit 1
fi
