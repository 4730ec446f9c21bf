# Makefile - the README's two commands and a few conveniences around CMake.
#   make demo    install deps, build, create the demo project and serve it
#   make check   install deps, build, run all tests, then again under ASan+UBSan
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
BUILD ?= build
ASAN_BUILD ?= build-asan
CMAKE_FLAGS ?=

.PHONY: all deps build build-asan check test test-asan demo demo-imagenet bench clean

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
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-asan: build-asan
	cd $(ASAN_BUILD) && ctest --output-on-failure -j $(JOBS) -LE no-asan

check: test test-asan

demo: build
	MLFY=$(abspath $(BUILD))/mlfy scripts/demo

demo-imagenet: build
	MLFY=$(abspath $(BUILD))/mlfy scripts/demo --imagenet

bench: build
	@for b in bench/*/run; do echo "== $$b"; $$b $(BUILD) || exit 1; done

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
