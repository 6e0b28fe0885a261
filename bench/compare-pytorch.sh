#!/usr/bin/env bash
# Side-by-side throughput of swift-contrastive and PyTorch on the same workloads (see
# bench/pytorch_bench.py for their definition): encode and one unsupervised SimCSE training step,
# all-MiniLM-L6-v2's shape, batch 64 x 32 tokens, 2 threads. Not part of CI.
#
#   bench/compare-pytorch.sh [--precision fp32|bf16|both] [--rounds N] [--json]
#
# Each workload runs N rounds (default 3), the two sides alternating; each side's fastest round
# counts (noise on a shared machine only ever slows a run down) and its largest peak RSS.
# PyTorch is installed into a throw-away virtual environment (deleted afterwards) unless
# PYTORCH_VENV names one to create or reuse. TORCH_SPEC picks the wheel (default: the CPU build).
# Run it on an otherwise idle machine: both sides use both cores.
set -euo pipefail
cd "$(dirname "$0")/.."

precision=fp32 json=0 rounds=3
while [ $# -gt 0 ]; do
    case "$1" in
        --precision) precision="$2"; shift 2 ;;
        --json) json=1; shift ;;
        --rounds) rounds="$2"; shift 2 ;;
        *) echo "usage: bench/compare-pytorch.sh [--precision fp32|bf16|both] [--rounds N] [--json]" >&2; exit 2 ;;
    esac
done
case "$precision" in fp32) precisions=(fp32) ;; bf16) precisions=(bf16) ;; both) precisions=(fp32 bf16) ;;
    *) echo "--precision must be fp32, bf16 or both" >&2; exit 2 ;; esac
case "$rounds" in ''|*[!0-9]*|0) echo "--rounds must be a positive integer" >&2; exit 2 ;; esac

venv="${PYTORCH_VENV:-}"
if [ -z "$venv" ]; then
    scratch="$(mktemp -d)"
    trap 'rm -rf "$scratch"' EXIT
    venv="$scratch/venv"
fi
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import torch, transformers" 2>/dev/null; then
    echo "installing PyTorch into $venv ..." >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q "${TORCH_SPEC:-torch==2.13.0+cpu}" transformers >&2
fi

scripts/install-deps.sh >&2
swift build -c release --product contrast >&2
contrast=.build/release/contrast

results=()
for p in "${precisions[@]}"; do
    for workload in encode train; do
        for ((round = 1; round <= rounds; round++)); do
            # One process per measurement: peak RSS is per process, and the two sides alternate.
            ours=$("$contrast" bench "$workload" --precision "$p" --json | tail -n 1)
            theirs=$(OMP_NUM_THREADS=2 "$venv/bin/python" bench/pytorch_bench.py "$workload" --precision "$p" | tail -n 1)
            results+=("{\"workload\": \"$workload\", \"precision\": \"$p\", \"ours\": $ours, \"pytorch\": $theirs}")
        done
    done
done

summary=$(printf '%s\n' "${results[@]}" | python3 bench/compare_table.py)
if [ "$json" = 1 ]; then echo "$summary"; fi
