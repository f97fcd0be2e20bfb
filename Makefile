# Agora's entry points; 'make' alone lists them. Run as root on Debian 12 (scripts/bootstrap
# installs what is missing). The build itself is CMake's; this file only sequences it.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

NPROC := $(shell nproc 2>/dev/null || echo 2)
IMAGE_TAG ?= latest
FUZZ_SECONDS ?= 30

# The test stack's environment, as CTest's stack fixture gets it (tests/CMakeLists.txt).
TEST_STACK_ENV = AGORA_STACK_ENV=test $$(grep -E '^AGORA_[A-Z0-9_]+=' scripts/test-ports.env)

.PHONY: help build run stop catalog-reset images test lint lint-format lint-tidy lint-cppcheck lint-alloc bench fuzz \
        clean distclean

help:
	@echo "Agora make targets:"
	@echo "  make run        install missing packages, build, start PostgreSQL, Redis and the"
	@echo "                  services on loopback (data in var/); Ctrl-C stops all of it"
	@echo "  make stop       stop what 'make run' started (e.g. from another terminal)"
	@echo "  make build      Release build in build/"
	@echo "  make test       sanitizer build in build-test/, private stack on the test ports"
	@echo "                  (var/test/), every CTest suite, CTest's summary"
	@echo "  make lint       clang-format, clang-tidy, cppcheck, and no bare malloc/free"
	@echo "  make catalog-reset  put the demo catalogue back (products, stock, reservations) in"
	@echo "                  the running 'make run' stack"
	@echo "  make bench      Release build, then bench/run"
	@echo "  make images     the container images agora/agora and agora/gateway (needs Docker;"
	@echo "                  IMAGE_TAG=$(IMAGE_TAG)); see README \"Deploy\""
	@echo "  make fuzz       libFuzzer build in build-fuzz/, each target FUZZ_SECONDS=$(FUZZ_SECONDS)s"
	@echo "  make clean      stop the stacks, remove build folders (keeps var/, your data)"
	@echo "  make distclean  clean, and remove var/ too"

build:
	scripts/build build Release

run:
	scripts/bootstrap
	$(MAKE) --no-print-directory build
	scripts/run

stop:
	AGORA_STACK_ENV=run scripts/stack down

# The demo catalogue into the database of the stack that 'make run' started (var/stack.env).
catalog-reset:
	@[ -f var/stack.env ] || { echo "catalog-reset: no var/stack.env; start the shop with 'make run' first"; exit 1; }
	set -a && . var/stack.env && set +a && \
	build/bin/catalog seed --reset services/catalog/demo/catalog.json

# The images of deploy/Dockerfile (docker compose -f deploy/docker-compose.yml up --build makes
# them too).
images:
	@command -v docker >/dev/null || { echo "images: docker is not installed"; exit 1; }
	docker build -f deploy/Dockerfile --target agora -t agora/agora:$(IMAGE_TAG) .
	docker build -f deploy/Dockerfile --target gateway -t agora/gateway:$(IMAGE_TAG) .

# AGORA_* variables of your shell (say a AGORA_MEMBER_DATABASE_URL for your own database)
# would win over the test stack's, so the suites run without them.
test:
	scripts/bootstrap
	scripts/build build-test Debug -DAGORA_SANITIZE=ON
	unset $$(compgen -e | grep '^AGORA_' || true); \
	env $(TEST_STACK_ENV) AGORA_STACK_CHECK_LOGS=0 scripts/stack down; \
	cd build-test && \
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	ctest --output-on-failure --timeout 300

LINT_SOURCES = $(wildcard lib/src/*.c services/*/*.c web/*.c)
# The build folder whose compile_commands.json clang-tidy reads; empty: build-test, else build.
TIDY_BUILD ?=

# Every check runs (make -k) and lint fails if any did.
lint:
	@$(MAKE) --no-print-directory -k lint-format lint-tidy lint-cppcheck lint-alloc

lint-format:
	@echo "lint: clang-format"
	git ls-files -z '*.c' '*.h' | xargs -0 -r clang-format --dry-run --Werror

lint-tidy:
	@echo "lint: clang-tidy (.clang-tidy)"
	@db=$(TIDY_BUILD); \
	if [ -z "$$db" ]; then \
		if [ -f build-test/compile_commands.json ]; then db=build-test; \
		elif [ -f build/compile_commands.json ]; then db=build; \
		else cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null && db=build; fi; \
	fi; \
	echo "clang-tidy -p $$db --quiet lib/src/*.c services/*/*.c web/*.c"; \
	clang-tidy -p "$$db" --quiet $(LINT_SOURCES)

lint-cppcheck:
	@echo "lint: cppcheck"
	cppcheck -q --enable=warning,performance,portability --error-exitcode=1 --inline-suppr \
		-I lib/include lib/src services web

lint-alloc:
	@echo "lint: no bare malloc/calloc/realloc/free outside lib/src/mem.c"
	@if grep -rnE --include='*.c' --include='*.h' \
		'(^|[^A-Za-z0-9_])(malloc|free|calloc|realloc)[[:space:]]*\(' lib/src services web \
		| grep -v '^lib/src/mem\.c:'; then \
		echo "lint: use ag_xmalloc, ag_free and kin (agora/mem.h); bare allocation lives in lib/src/mem.c"; \
		exit 1; \
	fi

bench: build
	bench/run

# Each target fuzzes a copy of its seed corpus, so what it finds stays out of the repository;
# crashes land in build-fuzz/artifacts/<name>/.
fuzz:
	cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DAGORA_FUZZ=ON -DCMAKE_BUILD_TYPE=Debug
	cmake --build build-fuzz -j$(NPROC)
	@failed=(); found=0; \
	for bin in build-fuzz/bin/fuzz_*; do \
		[ -x "$$bin" ] || continue; \
		found=1; name=$$(basename "$$bin"); \
		mkdir -p "build-fuzz/corpus/$$name" "build-fuzz/artifacts/$$name"; \
		if [ -d "tests/fuzz/corpus/$$name" ]; then \
			cp -R "tests/fuzz/corpus/$$name/." "build-fuzz/corpus/$$name/"; \
		fi; \
		echo "fuzz: $$name for $(FUZZ_SECONDS)s"; \
		"$$bin" -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			-artifact_prefix="build-fuzz/artifacts/$$name/" "build-fuzz/corpus/$$name" \
			|| failed+=("$$name"); \
	done; \
	if [ $$found -eq 0 ]; then echo "fuzz: no fuzz targets in build-fuzz/bin"; fi; \
	if [ $${#failed[@]} -gt 0 ]; then \
		echo "fuzz: failed: $${failed[*]} (inputs in build-fuzz/artifacts/)"; exit 1; \
	fi

clean:
	AGORA_STACK_ENV=run scripts/stack down
	env $(TEST_STACK_ENV) AGORA_STACK_CHECK_LOGS=0 scripts/stack down
	if [ -f scripts/bench-ports.env ]; then AGORA_STACK_ENV=bench scripts/stack down; fi
	rm -rf build build-test build-fuzz

distclean: clean
	rm -rf var
