#!/bin/sh
# The installed package, end to end: installs the build tree into a temporary prefix,
# builds examples/ as a separate CMake project against that prefix only, then checks that
# the installed sslflow finds its own plugins next to itself and the example's plugins
# through --plugin-path, trains a short pipeline that uses them, runs the example method's
# tests and trains a pipeline with that method.
#
# Usage: check_install.sh CMAKE BUILD_DIR SOURCE_DIR GENERATOR [CXX_FLAGS [EXE_OBJECTS]]
# CXX_FLAGS, when given, compiles and links the examples (a sanitizer build passes its
# -fsanitize flags, so that the example plugins are instrumented as the engine is);
# EXE_OBJECTS are linked into the examples' executables (the sanitizer runtime defaults).
set -eu
cmake=$1
build_dir=$2
source_dir=$3
generator=$4
cxx_flags=${5:-}
exe_objects=${6:-}

work=$(mktemp -d "${TMPDIR:-/tmp}/sslflow-install.XXXXXX")
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix
examples=$work/examples

# Runs a step quietly; on failure shows its output and stops.
step() {
  name=$1
  shift
  if ! "$@" > "$work/$name.log" 2>&1; then
    echo "check_install: $name failed:" >&2
    cat "$work/$name.log" >&2
    exit 1
  fi
}

step install "$cmake" --install "$build_dir" --prefix "$prefix"
for doc in sdk.md pipelines.md examples/align_uniform/align_uniform.cpp; do
  [ -f "$prefix/share/doc/sslflow/$doc" ] || { echo "check_install: share/doc/sslflow/$doc is not installed" >&2; exit 1; }
done
step configure "$cmake" -S "$source_dir/examples" -B "$examples" -G "$generator" \
  -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_CXX_FLAGS="$cxx_flags" -DCMAKE_MODULE_LINKER_FLAGS="$cxx_flags" -DCMAKE_EXE_LINKER_FLAGS="$cxx_flags $exe_objects"
step build "$cmake" --build "$examples" -j 2

listing=$(env -u SSLFLOW_PLUGIN_PATH "$prefix/bin/sslflow" plugins --plugin-path "$examples")
echo "$listing"
expect() {
  if ! printf '%s\n' "$listing" | grep -q -- "$1"; then
    echo "check_install: the listing lacks $1" >&2
    exit 1
  fi
}
expect "cauchy .*$examples/libsslflow_cauchy_loss.so 1.0.0"
expect "step .*$examples/libsslflow_step_ema.so 1.0.0"
expect "align_uniform .*$examples/libsslflow_align_uniform.so 1.0.0"
expect "cosine .*$prefix/lib.*/sslflow/plugins/libsslflow_ema.so"

step run env -u SSLFLOW_PLUGIN_PATH "$prefix/bin/sslflow" run "$source_dir/examples/pipeline.yaml" \
  --plugin-path "$examples" --out "$work/run"
grep -q "example-plugins | ok" "$work/run.log" || { echo "check_install: the example pipeline did not succeed" >&2; cat "$work/run.log" >&2; exit 1; }
echo "the example pipeline trained with the example plugins"

step example_tests "$examples/align_uniform_test"
step run_method env -u SSLFLOW_PLUGIN_PATH "$prefix/bin/sslflow" run "$source_dir/examples/align_uniform/pipeline.yaml" \
  --plugin-path "$examples" --out "$work/run_method"
grep -q "example-align-uniform | ok" "$work/run_method.log" || { echo "check_install: the example method did not train" >&2; cat "$work/run_method.log" >&2; exit 1; }
echo "the example method passed its tests and trained"
