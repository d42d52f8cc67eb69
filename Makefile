# Thin front of CMake. `make run` and `make test` are all the set-up needed.
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
PORT ?= 8080
DB ?= docket.db

.PHONY: all build run test test-tsan bench fuzz format clean deps

all: build

deps:
	@scripts/deps.sh build

build: deps
	@cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
	@cmake --build build -j$(JOBS)

run: build
	./build/docket serve --listen 127.0.0.1:$(PORT) --db $(DB)

test:
	@scripts/deps.sh test
	@cmake -S . -B build/test -DCMAKE_BUILD_TYPE=Debug \
	  -DSANITIZE=address,undefined >/dev/null
	@cmake --build build/test -j$(JOBS)
	cd build/test && ctest --output-on-failure -j$(JOBS)

# ThreadSanitizer over the integration tests (the server runs MHD's thread
# pool and the notification worker). A race aborts the server
# (halt_on_error), so the test talking to it fails; reports also go to
# build/tsan/tsan.<pid>. Suppressions: tests/tsan.supp.
TSAN_OPTIONS_RUN = halt_on_error=1 second_deadlock_stack=1 \
  suppressions=$(CURDIR)/tests/tsan.supp log_path=$(CURDIR)/build/tsan/tsan
test-tsan:
	@scripts/deps.sh test
	@cmake -S . -B build/tsan -DCMAKE_BUILD_TYPE=Debug -DSANITIZE=thread >/dev/null
	@cmake --build build/tsan -j$(JOBS)
	rm -f build/tsan/tsan.*
	cd build/tsan && TSAN_OPTIONS="$(TSAN_OPTIONS_RUN)" \
	  ctest --output-on-failure -L integration -j$(JOBS)
	@if ls build/tsan/tsan.* >/dev/null 2>&1; then \
	  echo "ThreadSanitizer reports:"; cat build/tsan/tsan.*; exit 1; fi

bench:
	@scripts/deps.sh bench
	@cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
	@cmake --build build -j$(JOBS)
	bash tests/bench/run.sh $(BENCH_ARGS)

fuzz:
	@scripts/deps.sh test
	bash tests/fuzz/run.sh --seconds $(or $(SECONDS_EACH),60)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build
