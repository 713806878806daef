#!/usr/bin/env bash
# run.sh of gpu-bundle/ (built by scripts/gpu-bundle.sh): runs `bench gpu` on a GPU machine that
# has no Node and no network, and writes gpu-bench.txt and gpu-bench.json under $OUT.
#   bash gpu-bundle/run.sh [bench gpu options]      e.g. --quick, --no-torch, --epoch-cap 60
# Capped to finish in about 6 minutes on one H200 (data generation ~45 s, steps ~1 min, each
# epoch at most ~2 min), so a rerun fits a 15-minute session.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-$HERE/out}
mkdir -p "$OUT"
LOG="$OUT/gpu-bench.txt"
: >"$LOG"
say() { echo "run.sh: $*" | tee -a "$LOG"; }

# The Vulkan loader, from Debian's .deb unless the machine has one.
if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1 '; then
  if [ -w / ]; then
    dpkg -x "$HERE"/libvulkan1_*.deb /
    ldconfig
  else
    dpkg -x "$HERE"/libvulkan1_*.deb /tmp/vulkan-root
    export LD_LIBRARY_PATH="/tmp/vulkan-root/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  fi
  say "installed libvulkan1 from $(basename "$HERE"/libvulkan1_*.deb)"
fi
NVIDIA_ICD=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -f "$NVIDIA_ICD" ]; then
  export VK_DRIVER_FILES="$NVIDIA_ICD"
  say "VK_DRIVER_FILES=$NVIDIA_ICD"
fi
command -v nvidia-smi >/dev/null && nvidia-smi >"$OUT/nvidia-smi.txt" 2>&1

xz -dc "$HERE/node.xz" >/tmp/node && chmod +x /tmp/node || {
  say "could not unpack node.xz"
  exit 1
}
say "node $(/tmp/node --version)"

export CVAE_ROOT="$HERE"
export CVAE_DATA_DIR="${CVAE_DATA_DIR:-/tmp/cvae-data}"
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp}"
[ -f "$HERE/cvae_torch.py" ] && export CVAE_TORCH_REFERENCE="$HERE/cvae_torch.py"
export CVAE_BENCH_PYTHON="${CVAE_BENCH_PYTHON:-$(command -v python3 || echo /usr/bin/python3)}"

cd "$HERE"
start=$(date +%s)
timeout "${GPU_BENCH_TIMEOUT:-350}" /tmp/node "$HERE/bench.js" gpu --json "$OUT/gpu-bench.json" "$@" 2>&1 | tee -a "$LOG"
rc=${PIPESTATUS[0]}
say "exit $rc after $(($(date +%s) - start)) s$([ "$rc" = 124 ] && echo ' (stopped by the timeout: the last phase did not finish)')"
exit "$rc"
