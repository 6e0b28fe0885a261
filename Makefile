# The two commands a newcomer runs: `make demo` and `make test` (see README.md).
SWIFT ?= swift

.PHONY: demo test deps test-deps model build bench clean

## Installs what is missing (packages, the pretrained model), builds in release and runs the demo:
## unsupervised SimCSE from all-MiniLM-L6-v2 on bundled sentences, STS-B dev before and after.
demo: deps model
	$(SWIFT) build -c release --product contrast
	.build/release/contrast demo --overwrite

## Installs what is missing and runs the whole test suite at the CPU's best instruction set, then
## the engine, loss and model-parity suites again with oneDNN capped to AVX2 (the other CPUs
## these machines come with).
test: test-deps model
	$(SWIFT) test
	DNNL_MAX_CPU_ISA=AVX2 $(SWIFT) test --skip-build --filter '^(TensorsTests|NeuralNetworksTests|ObjectivesTests|ModelsTests)\.'

## all-MiniLM-L6-v2 into models/ (git-ignored), fetched once.
model:
	@bash scripts/fetch-model.sh

## Debian packages (oneDNN, ...), installed only when missing.
deps:
	@bash scripts/install-deps.sh

test-deps:
	@bash scripts/install-deps.sh test

build: deps
	$(SWIFT) build -c release --product contrast

## Engine benchmarks in a release build, as JSON lines.
bench: build
	.build/release/contrast bench gemm --json
	.build/release/contrast bench ops --json

clean:
	rm -rf .build
