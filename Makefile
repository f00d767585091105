# The two commands of README.md, and a few for developers.
#   make run   — set up, create var/tianbao.db with the demo if missing, serve
#   make test  — set up, build, run every test suite
SHELL := /bin/bash
DB ?= var/tianbao.db
LISTEN ?= 127.0.0.1:8080
TIANBAO := build/tianbao

.PHONY: run test setup unit api asan fuzz format clean

setup:
	@bash scripts/setup

run: setup
	@bash scripts/run "$(DB)" "$(LISTEN)"

test: setup
	@bash scripts/test

unit: setup
	@ctest --test-dir build --output-on-failure -j2

api: setup
	@node --test tests/api/

# Unit and API tests again under AddressSanitizer + UndefinedBehaviorSanitizer.
asan: setup
	@cmake --preset asan >/dev/null && cmake --build build-asan -j2
	@ctest --test-dir build-asan --output-on-failure -j2
	@TIANBAO_BIN=build-asan/tianbao node --test tests/api/

# libFuzzer over every parser (clang; not part of test): FUZZ_SECONDS=60 per target.
fuzz:
	@bash scripts/fuzz

format:
	@clang-format -i $$(git ls-files 'src/*.cc' 'src/*.h' 'tests/*.cc' 'bench/*.cc')

clean:
	rm -rf build build-asan build-fuzz
