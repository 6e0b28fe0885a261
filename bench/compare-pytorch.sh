#!/usr/bin/env bash
# Side-by-side throughput of swift-contrastive and PyTorch on the same workloads (see
# bench/pytorch_bench.py for their definition): encode and one unsupervised SimCSE training step,
# by default all-MiniLM-L6-v2's shape, batch 64 x 32 tokens, 2 threads. Not part of CI.
#
#   bench/compare-pytorch.sh [--shape S] [--batch-size N] [--max-length N] [--workload encode|train|both]
#                            [--precision fp32|bf16|both] [--rounds N] [--repeats N] [--threads N] [--max-load L] [--json]
#
# --shape takes the shapes of `contrast bench encode --shape` (default minilm), or simclr or align:
# the training step of `train simclr` or `train align` with its default model and batch (256 and
# 128 images; `contrast bench image-train`). CLIP's towers are timed encoding only, simclr and
# align training only; --max-length does not apply to clip-b32-image, simclr and align.
# --workload defaults to both for text encoders. --repeats sets both sides' timed batches or
# steps (default: each side's own, 20 encode and 10 train). --threads sets both sides' threads
# (default 2; 1 measures arithmetic alone where other jobs share the cores, since every parallel
# region then waits for a descheduled worker). --max-load L waits before each run (up to 30 minutes)
# until the 1-minute load average is below L: on a shared machine, other jobs slow both sides down
# by far more than the difference measured.
#
# Each workload runs N rounds (default 3), the two sides alternating; each side's fastest round
# counts (noise on a shared machine only ever slows a run down) and its largest peak RSS.
# PyTorch is installed into a throw-away virtual environment (deleted afterwards) unless
# PYTORCH_VENV names one to create or reuse. TORCH_SPEC picks the wheel (default: the CPU build).
# Run it on an otherwise idle machine: both sides use --threads threads.
set -euo pipefail
cd "$(dirname "$0")/.."

usage="usage: bench/compare-pytorch.sh [--shape S] [--batch-size N] [--max-length N] [--workload encode|train|both] [--precision fp32|bf16|both] [--rounds N] [--repeats N] [--threads N] [--max-load L] [--json]"
precision=fp32 json=0 rounds=3 shape=minilm batch_size="" max_length=32 workload="" repeats="" threads=2 max_load=""
while [ $# -gt 0 ]; do
    case "$1" in
        --precision) precision="$2"; shift 2 ;;
        --json) json=1; shift ;;
        --rounds) rounds="$2"; shift 2 ;;
        --shape) shape="$2"; shift 2 ;;
        --batch-size) batch_size="$2"; shift 2 ;;
        --max-length) max_length="$2"; shift 2 ;;
        --workload) workload="$2"; shift 2 ;;
        --repeats) repeats="$2"; shift 2 ;;
        --threads) threads="$2"; shift 2 ;;
        --max-load) max_load="$2"; shift 2 ;;
        *) echo "$usage" >&2; exit 2 ;;
    esac
done
case "$precision" in fp32) precisions=(fp32) ;; bf16) precisions=(bf16) ;; both) precisions=(fp32 bf16) ;;
    *) echo "--precision must be fp32, bf16 or both" >&2; exit 2 ;; esac
for value in "$rounds" ${batch_size:+"$batch_size"} "$max_length" ${repeats:+"$repeats"} "$threads"; do
    case "$value" in ''|*[!0-9]*|0) echo "--rounds, --batch-size, --max-length, --repeats and --threads take positive integers" >&2; exit 2 ;; esac
done
case "$shape" in clip-*) kind=image-encoder ;; simclr|align) kind=image-method ;; *) kind=text-encoder ;; esac
case "${workload:-default}" in
    default) case "$kind" in text-encoder) workloads=(encode train) ;; image-encoder) workloads=(encode) ;; image-method) workloads=(train) ;; esac ;;
    encode)
        if [ "$kind" = image-method ]; then echo "--workload encode: $shape is timed training only" >&2; exit 2; fi
        workloads=(encode) ;;
    train|both)
        if [ "$kind" = image-encoder ]; then echo "--workload $workload: $shape is timed encoding only" >&2; exit 2; fi
        if [ "$kind" = image-method ] && [ "$workload" = both ]; then echo "--workload both: $shape is timed training only" >&2; exit 2; fi
        if [ "$workload" = train ]; then workloads=(train); else workloads=(encode train); fi ;;
    *) echo "--workload must be encode, train or both" >&2; exit 2 ;;
esac
if [ -n "$max_load" ] && ! python3 -c "import sys; sys.exit(not float(sys.argv[1]) > 0)" "$max_load" 2>/dev/null; then
    echo "--max-load takes a positive number" >&2; exit 2
fi
# The 1-minute load average, after waiting (up to 30 minutes) for it to fall below --max-load.
load_now() {
    local waited=0 load
    load=$(cut -d' ' -f1 /proc/loadavg)
    while [ -n "$max_load" ] && python3 -c "import sys; sys.exit(not float(sys.argv[1]) >= float(sys.argv[2]))" "$load" "$max_load"; do
        if [ "$waited" -ge 1800 ]; then echo "load $load still at or above $max_load after 30 minutes; measuring anyway" >&2; break; fi
        sleep 30; waited=$((waited + 30))
        load=$(cut -d' ' -f1 /proc/loadavg)
    done
    echo "$load"
}
# The same flags for both sides (the image methods' default batch is each side's own, the same).
if [ "$kind" = image-method ]; then
    shared=(--shape "$shape" ${batch_size:+--batch-size "$batch_size"} ${repeats:+--repeats "$repeats"})
else
    shared=(--shape "$shape" --batch-size "${batch_size:-64}" --max-length "$max_length" ${repeats:+--repeats "$repeats"})
fi

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
    for workload in "${workloads[@]}"; do
        for ((round = 1; round <= rounds; round++)); do
            # One process per measurement: peak RSS is per process, and the two sides alternate.
            load=$(load_now)
            echo "$workload $shape $p round $round: load average $load" >&2
            if [ "$kind" = image-method ]; then
                ours=$(OMP_NUM_THREADS="$threads" "$contrast" bench image-train "${shared[@]}" --precision "$p" --json | tail -n 1)
            else
                ours=$(OMP_NUM_THREADS="$threads" "$contrast" bench "$workload" "${shared[@]}" --precision "$p" --json | tail -n 1)
            fi
            load_theirs=$(load_now)
            theirs=$(OMP_NUM_THREADS="$threads" "$venv/bin/python" bench/pytorch_bench.py "$workload" "${shared[@]}" --threads "$threads" \
                --precision "$p" | tail -n 1)
            results+=("{\"workload\": \"$workload\", \"shape\": \"$shape\", \"precision\": \"$p\", \"load\": [$load, $load_theirs], \"ours\": $ours, \"pytorch\": $theirs}")
        done
    done
done

summary=$(printf '%s\n' "${results[@]}" | python3 bench/compare_table.py)
if [ "$json" = 1 ]; then echo "$summary"; fi
