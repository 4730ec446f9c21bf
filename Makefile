# Makefile - the README's two commands and a few conveniences around CMake.
#   make demo    install deps, build, create the demo project and serve it
#   make check   install deps, build, run every test once: under ASan+UBSan,
#                except the browser and kill -9 tests (release build; see
#                cmake/test-split.cmake and docs/analysis.md)
#   make test    every test on the release build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
BUILD ?= build
ASAN_BUILD ?= build-asan
CMAKE_FLAGS ?=

# ctest processes: one more than the cores, since many tests wait on
# servers, sleeps and fsync part of the time (docs/analysis.md, "CI time")
TEST_JOBS ?= $(shell echo $$(( $(JOBS) + 1 )))
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_JOBS ?= 2

.PHONY: all deps build build-asan check test test-asan test-release demo demo-imagenet bench clean \
	fuzz-build fuzz fuzz-ci lint valgrind crash-test

all: build

deps:
	@scripts/install-deps --quiet

$(BUILD)/Makefile:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS)

build: deps $(BUILD)/Makefile
	cmake --build $(BUILD) -j $(JOBS)

$(ASAN_BUILD)/Makefile:
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DMLFY_SANITIZE=ON $(CMAKE_FLAGS)

build-asan: deps $(ASAN_BUILD)/Makefile
	cmake --build $(ASAN_BUILD) -j $(JOBS)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(TEST_JOBS)

test-asan: build-asan
	cd $(ASAN_BUILD) && ctest --output-on-failure -j $(TEST_JOBS) -LE 'no-asan|browser'

# the release build's share of make check: browser and kill -9 tests, and
# the memory/speed assertions that ASan voids (cmake/test-split.cmake)
test-release: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -L 'no-asan|browser|release'

check: test-release test-asan

demo: build
	MLFY=$(abspath $(BUILD))/mlfy scripts/demo

demo-imagenet: build
	MLFY=$(abspath $(BUILD))/mlfy scripts/demo --imagenet

bench: build
	@for b in bench/*/run; do echo "== $$b"; $$b $(BUILD) || exit 1; done

# Static analysis (cppcheck + clang-tidy, .clang-tidy) and valgrind memcheck
# over the CLI tests (docs/analysis.md).
lint: build
	scripts/lint --build $(BUILD) --jobs $(JOBS)

valgrind: build
	scripts/valgrind-tests --build $(BUILD) --jobs $(JOBS)

# Crash consistency (docs/crash-consistency.md): the kill -9 tests with 100
# cycles each (CI runs them with 10 through ctest).
CRASH_CYCLES ?= 100
crash-test: build
	@for t in tests/crash/*.sh; do \
		[ "$$(basename $$t)" = lib.sh ] && continue; \
		echo "== $$t ($(CRASH_CYCLES) cycles)"; \
		MLFY="$$(pwd)/$(BUILD)/mlfy" MLFY_SOURCE_DIR="$$(pwd)" MLFY_NO_PROGRESS=1 \
		MLFY_CRASH_CYCLES=$(CRASH_CYCLES) bash $$t; rc=$$?; \
		[ $$rc = 0 ] || [ $$rc = 77 ] || exit 1; \
	done

# Fuzzing (docs/fuzzing.md): clang + libFuzzer + ASan/UBSan in a build of its own.
$(FUZZ_BUILD)/Makefile:
	CC=clang cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMLFY_FUZZ=ON $(CMAKE_FLAGS)

fuzz-build: deps $(FUZZ_BUILD)/Makefile
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzz-targets

# make fuzz FUZZ_SECONDS=600: each target for that long, FUZZ_JOBS at a time
fuzz: fuzz-build
	scripts/fuzz-run --build $(FUZZ_BUILD) --seconds $(FUZZ_SECONDS) --jobs $(FUZZ_JOBS)

# CI: every target for 40 s, two at a time (docs/fuzzing.md); .ci/run runs
# it with FUZZ_CI_JOBS=1 beside the release share of make check
FUZZ_CI_SECONDS ?= 40
FUZZ_CI_JOBS ?= 2
fuzz-ci: fuzz-build
	scripts/fuzz-run --build $(FUZZ_BUILD) --seconds $(FUZZ_CI_SECONDS) --jobs $(FUZZ_CI_JOBS)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
