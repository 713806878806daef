#!/usr/bin/env bash
# Builds gpu-bundle/ (git-ignored, under 64 MiB): everything `npm run bench -- gpu` needs on a GPU
# machine that has no Node and no network. On that machine, `bash gpu-bundle/run.sh [options]`
# runs the suite and writes its output under $OUT (see scripts/gpu-bundle-run.sh).
#   scripts/gpu-bundle.sh [DEST]        (default DEST: gpu-bundle/ in the project folder)
# Holds: node.xz (this machine's Node, xz'd), node_modules/webgpu/ (Dawn's linux-x64 binding),
# bench.js (bench/gpu.ts bundled by esbuild, with tfjs's wasm files beside it), package.json (a
# stub, so the bundle is its own project folder), libvulkan1_*.deb (Debian's Vulkan loader),
# cvae_torch.py (the PyTorch reference, when ../shared/peer/ has it) and run.sh.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DEST=${1:-$ROOT/gpu-bundle}
LIMIT=$((64 * 1024 * 1024))
fail() {
  echo "gpu-bundle: $*" >&2
  exit 1
}
cd "$ROOT"
WEBGPU=node_modules/webgpu
[ -f "$WEBGPU/dist/linux-x64/dawn.node" ] || fail "$WEBGPU/dist/linux-x64/dawn.node is missing: run npm ci (webgpu is optional)"
[ -x node_modules/.bin/esbuild ] || fail "node_modules/.bin/esbuild is missing: run npm ci"
command -v xz >/dev/null || fail "xz is needed (apt-get install xz-utils)"
[ "$(node -p 'process.platform + "-" + process.arch')" = linux-x64 ] || fail "build the bundle on linux-x64 (the GPU machine's platform)"

rm -rf "$DEST"
mkdir -p "$DEST/node_modules/webgpu/dist"
echo "gpu-bundle: building $DEST"

# Node itself, compressed (~100 MB -> ~25 MB).
xz -T2 -6 -c "$(command -v node)" >"$DEST/node.xz"

# Dawn: device.ts finds dawn.node through require.resolve("webgpu/package.json").
cp "$WEBGPU/index.js" "$WEBGPU/package.json" "$DEST/node_modules/webgpu/"
cp -r "$WEBGPU/dist/linux-x64" "$DEST/node_modules/webgpu/dist/"

# The suite in one file. Native and optional packages stay outside: webgpu is loaded from the
# bundle's node_modules, the others are absent there and the code falls back (tfjs on wasm or cpu).
node_modules/.bin/esbuild bench/gpu-bundle-entry.ts --bundle --platform=node --format=cjs --target=node20 \
  --outfile="$DEST/bench.js" --log-level=warning \
  --external:webgpu --external:cvae-lens-blas --external:tfjs-node-native \
  --external:@tensorflow/tfjs-node --external:@tensorflow/tfjs-node-gpu
# tfjs-backend-wasm looks for its .wasm files beside the script that loaded it.
cp node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm "$DEST/"
# The bundle is its own project folder (run.sh sets CVAE_ROOT to it): projectRoot() needs our package.json's name.
node -e 'const p = require("./package.json"); console.log(JSON.stringify({ name: p.name, version: p.version, private: true }))' \
  >"$DEST/package.json"

# The PyTorch reference, a developer tool next to the checkout: carried when it is there.
if [ -f ../shared/peer/cvae_torch.py ]; then
  cp ../shared/peer/cvae_torch.py "$DEST/"
else
  echo "gpu-bundle: ../shared/peer/cvae_torch.py not found: the bundle times cvae-lens only"
fi

# Debian's Vulkan loader: the GPU machine has NVIDIA's Vulkan driver but no libvulkan.so.1.
deb=$(ls /var/cache/apt/archives/libvulkan1_*_amd64.deb 2>/dev/null | head -n 1 || true)
if [ -n "$deb" ]; then
  cp "$deb" "$DEST/"
else
  (cd "$DEST" && apt-get download libvulkan1 2>&1 | grep -v '^W: Download is performed unsandboxed' || true)
fi
ls "$DEST"/libvulkan1_*.deb >/dev/null 2>&1 || fail "could not get libvulkan1's .deb (apt-get download libvulkan1)"

cp scripts/gpu-bundle-run.sh "$DEST/run.sh"
chmod +x "$DEST/run.sh"

bytes=$(du -sb "$DEST" | cut -f1)
du -ah "$DEST" | sort -h | tail -n 12
echo "gpu-bundle: $DEST is $((bytes / 1024 / 1024)) MiB ($bytes bytes; limit 64 MiB)"
[ "$bytes" -lt "$LIMIT" ] || fail "the bundle is over 64 MiB"
