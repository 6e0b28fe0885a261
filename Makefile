# The two commands a newcomer runs: `make demo` and `make test` (see README.md).
SWIFT ?= swift

.PHONY: demo test deps build bench clean

## Installs what is missing, builds in release and runs the demo.
demo: deps
	$(SWIFT) build -c release --product contrast
	.build/release/contrast bench gemm
	.build/release/contrast bench ops

## Installs what is missing and runs the whole test suite.
test: deps
	$(SWIFT) test

## Debian packages (oneDNN, ...), installed only when missing.
deps:
	@bash scripts/install-deps.sh

build: deps
	$(SWIFT) build -c release --product contrast

## Engine benchmarks in a release build, as JSON lines.
bench: build
	.build/release/contrast bench gemm --json
	.build/release/contrast bench ops --json

clean:
	rm -rf .build
