# qualsig — the two commands of the README, and their parts.
#   make run    install dependencies, build (release), init ./qualsig-data once, serve
#   make test   install dependencies, build with ASan+UBSan, run every test, then each libFuzzer
#               target of fuzz/ for FUZZ_SECONDS (clang build in build/fuzz)
JOBS ?= $(shell nproc)
DATA ?= qualsig-data

FUZZ_SECONDS ?= 10

.PHONY: deps build run test bench fuzz clean

deps:
	@scripts/install-deps

build: deps
	cmake --preset release >/dev/null
	cmake --build --preset release -j$(JOBS)

run: build
	@scripts/run "$(DATA)"

test: deps
	cmake --preset asan >/dev/null
	cmake --build --preset asan -j$(JOBS)
	ctest --preset asan -j$(JOBS)
	@scripts/fuzz $(FUZZ_SECONDS)

fuzz: deps
	@scripts/fuzz $(FUZZ_SECONDS)

bench: build
	@scripts/bench

clean:
	rm -rf build
