#!/usr/bin/env bash
# Builds and runs the libFuzzer targets under Fuzz/ (what each covers: Fuzz/README.md).
#
#   scripts/fuzz.sh [TARGET|all] [SECONDS]   one target, or each in turn (default: all, 60 s each)
#   scripts/fuzz.sh list                     the target names
#
# The build approach that works with Swift 6.3 on Linux:
#
#   CONTRASTIVE_FUZZ=1 swift build -c release --build-path .build-fuzz \
#       -Xswiftc -sanitize=fuzzer,address --product Fuzz<TARGET>
#
# - Package.swift declares the Fuzz<TARGET> executables only when CONTRASTIVE_FUZZ is set, so
#   `swift build` and `swift test` never build them; .build-fuzz keeps the instrumented objects
#   apart from the normal build.
# - -Xswiftc instruments every module, so the library code under test gets coverage counters
#   and address-sanitizer checks, not only the small fuzz target.
# - SwiftPM links each executable with its own `main` (`--defsym main=<Module>_main`), so a target
#   compiled with -parse-as-library that only defines LLVMFuzzerTestOneInput does not link
#   (undefined <Module>_main). Each target's top-level code instead starts libFuzzer through
#   LLVMFuzzerRunDriver (Fuzz/Support/Driver.swift, declared in Fuzz/CLibFuzzer).
# - ld.gold stops with an internal error on these links; the targets link with lld
#   (linkerSettings in Package.swift).
#
# Runs use Fuzz/<TARGET>/corpus (tracked seed-* files; what libFuzzer adds is git-ignored) and
# leave crashing inputs in Fuzz/<TARGET>/crashes. Replay one with
#   .build-fuzz/release/Fuzz<TARGET> Fuzz/<TARGET>/crashes/crash-...
# Leak detection is off: Foundation's Data(contentsOf:) leaks a buffer on reading an empty file
# (outside this package), which would stop every run at once. Swift's backtracer is off: on a
# fatalError it took over the crash and hung instead of letting libFuzzer save the input.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
targets=(SafeTensors VocabTxt TokenizerJSON Tokenize Datasets Paraphrases BertConfig Images Captions)
target=${1:-all}
seconds=${2:-60}

if [[ $target == list ]]; then
    printf '%s\n' "${targets[@]}"
    exit 0
fi
if [[ $target != all ]]; then
    [[ " ${targets[*]} " == *" $target "* ]] || { echo "unknown target '$target' (scripts/fuzz.sh list)" >&2; exit 2; }
    targets=("$target")
fi

status=0
for name in "${targets[@]}"; do
    mkdir -p "Fuzz/$name/crashes"  # before building: Package.swift excludes it from the target
    CONTRASTIVE_FUZZ=1 swift build -c release --build-path .build-fuzz \
        -Xswiftc -sanitize=fuzzer,address --product "Fuzz$name"
    echo "== Fuzz$name for $seconds s"
    # -timeout: an input taking 10 s is a hang worth keeping as a crash.
    ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0} SWIFT_BACKTRACE=enable=no ".build-fuzz/release/Fuzz$name" "Fuzz/$name/corpus" -max_total_time="$seconds" -timeout=10 \
        -artifact_prefix="Fuzz/$name/crashes/" -detect_leaks=0 -print_final_stats=1 || status=1
done
exit $status
