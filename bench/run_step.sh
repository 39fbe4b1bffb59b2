#!/usr/bin/env bash
# A full training step (augmentation included) of sslflow against PyTorch on three recipes,
# with each one's peak resident memory. Per recipe, `sslflow run PIPELINE` (evaluation off,
# a metrics row every step) and torch_step.py alternate, ROUNDS times each, which goes
# first alternating too; prints a markdown table of the medians over the rounds. Builds
# nothing: build the sslflow command and its plugins first.
# Usage: bench/run_step.sh BUILD_DIR [ROUNDS] [STEPS]
# Each run takes $STEP_WARMUP (default 5) warm-up steps, then STEPS (default 40) timed ones;
# the step time is the median of the timed ones. Both run on 2 threads. $TORCH_PYTHON names
# a Python with torch (default /usr/bin/python3). On a shared machine each round first
# waits, up to $QUIET_WAIT seconds (default 300), for the CPUs to be at most $QUIET_BUSY
# percent busy (default 25) over two seconds. $RECIPES picks some of the recipes (default the
# three Fashion-MNIST ones: "simsiam_mlp simsiam_convnet data2vec_vit"; also byol_convnet and
# vicreg_convnet, the method zoo's on the ConvNet; simclr_resnet18, SimCLR
# with the CIFAR ResNet-18 on 32 x 32 RGB images, takes seconds a step: try STEP_WARMUP=2 and
# STEPS 5).
set -euo pipefail

build=${1:?usage: bench/run_step.sh BUILD_DIR [ROUNDS] [STEPS]}
rounds=${2:-3}
steps=${3:-40}
warmup=${STEP_WARMUP:-5}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
sslflow="$build/bin/sslflow"
python=${TORCH_PYTHON:-/usr/bin/python3}
quiet_wait=${QUIET_WAIT:-300}
quiet_busy=${QUIET_BUSY:-25}
batch=256  # train.batch_size of the pipelines, and torch_step.py's BATCH

read -ra recipes <<< "${RECIPES:-simsiam_mlp simsiam_convnet data2vec_vit}"
declare -A pipeline=(
  [simsiam_mlp]=simsiam_mlp_fmnist.yaml
  [simsiam_convnet]=simsiam_fmnist.yaml
  [data2vec_vit]=data2vec_fmnist.yaml
  [byol_convnet]=byol_fmnist.yaml
  [vicreg_convnet]=vicreg_fmnist.yaml
  [simclr_resnet18]=simclr_image_folder.yaml
)
# Overrides of a recipe's pipeline: the RGB recipe trains on the synthetic dataset, with as
# many training images as torch_step.py's random ones.
declare -A data=(
  [simclr_resnet18]='data={plugin: synthetic, channels: 3, image_size: 32, train_size: 2560, test_size: 256}'
)
for recipe in "${recipes[@]}"; do
  if [[ -z ${pipeline[$recipe]+set} ]]; then
    echo "run_step.sh: unknown recipe '$recipe' in \$RECIPES; known: ${!pipeline[*]}" >&2
    exit 2
  fi
done

if [[ ! -x $sslflow ]]; then
  echo "run_step.sh: $sslflow not found; build it with: cmake --build $build" >&2
  exit 1
fi

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
runs=$(mktemp -d)
trap 'rm -rf "$runs"' EXIT

# json_field FILE KEY: the value of KEY in torch_step.py's one-line JSON output.
json_field() { sed -n "s/.*\"$2\": \([^,}]*\).*/\1/p" "$1"; }

# Appends the run's median step (ms) and peak memory (MiB) to $runs/sslflow.RECIPE.{ms,mib}.
run_sslflow() {
  local recipe=$1 dir="$runs/$1.$2"
  local overrides=()
  [[ -n ${data[$recipe]+set} ]] && overrides+=("${data[$recipe]}")
  if ! "$sslflow" run "$here/../pipelines/${pipeline[$recipe]}" "${overrides[@]}" "++train.max_steps=$((warmup + steps))" \
      '~eval' ++train.log_every_steps=1 --threads 2 --out "$dir" > "$dir.log" 2>&1; then
    cat "$dir.log" >&2
    exit 1
  fi
  median_step "$dir" "$warmup" >> "$runs/sslflow.$recipe.ms"
  peak_memory "$dir" >> "$runs/sslflow.$recipe.mib"
}

# The same for PyTorch; the model's state is compared with the first sslflow run's weights.
run_pytorch() {
  local recipe=$1 out="$runs/pytorch.$1.$2.json"
  "$python" "$here/torch_step.py" --recipe "$recipe" --steps "$steps" --warmup "$warmup" --threads 2 \
    --sslflow-weights "$runs/$recipe.1/model.safetensors" > "$out"
  json_field "$out" step_ms >> "$runs/pytorch.$recipe.ms"
  json_field "$out" peak_mib >> "$runs/pytorch.$recipe.mib"
}

# Alternate which goes first, so slow drift in the machine's load favours neither; the
# first round runs sslflow first, whose weights the PyTorch runs compare with.
busy_log=()
for ((round = 1; round <= rounds; ++round)); do
  busy_log+=("$(wait_for_quiet "$quiet_wait" "$quiet_busy")%")
  for recipe in "${recipes[@]}"; do
    if ((round % 2)); then
      run_sslflow "$recipe" "$round"
      run_pytorch "$recipe" "$round"
    else
      run_pytorch "$recipe" "$round"
      run_sslflow "$recipe" "$round"
    fi
  done
  echo "run_step.sh: round $round/$rounds done" >&2
done

cpu=$(lscpu | sed -n 's/^Model name:[[:space:]]*//p')
echo "$(date -u +%F), $cpu, $(nproc) cores, $rounds rounds of $warmup + $steps steps;" \
  "load average (1, 5, 15 min) $load_before before, $(cut -d' ' -f1-3 /proc/loadavg) after;" \
  "CPUs busy before each round: ${busy_log[*]}"
echo
echo "| recipe | sslflow img/s | PyTorch img/s | ratio | sslflow peak MiB | PyTorch peak MiB |"
echo "|---|---:|---:|---:|---:|---:|"
for recipe in "${recipes[@]}"; do
  ours=$(median < "$runs/sslflow.$recipe.ms")
  theirs=$(median < "$runs/pytorch.$recipe.ms")
  awk -v r="$recipe" -v b="$batch" -v o="$ours" -v t="$theirs" \
    -v om="$(median < "$runs/sslflow.$recipe.mib")" -v tm="$(median < "$runs/pytorch.$recipe.mib")" \
    'BEGIN { printf "| %s | %.0f | %.0f | %.2f | %.0f | %.0f |\n", r, 1000 * b / o, 1000 * b / t, t / o, om, tm }'
done
echo
echo "Models (PyTorch's state dict against sslflow's model.safetensors, by name and shape):"
for recipe in "${recipes[@]}"; do
  out="$runs/pytorch.$recipe.1.json"
  echo "- $recipe: $(json_field "$out" parameters) trainable parameters in PyTorch;" \
    "state $(json_field "$out" state_tensors) tensors, $(json_field "$out" state_values) values in PyTorch," \
    "$(json_field "$out" sslflow_state_tensors) tensors, $(json_field "$out" sslflow_state_values) values in sslflow;" \
    "names and shapes match: $(json_field "$out" state_match)"
done
