# The two commands of README: `make run` and `make test`. Both install what is missing
# (Debian packages; npm packages for the browser tests only), build, then run.
SHELL := /bin/bash
.DEFAULT_GOAL := build

# Debian 12 packages the build, the tests and the benchmarks need.
APT_BUILD := build-essential cmake pkg-config g++ libboost1.81-dev libboost-json1.81-dev libedit-dev \
             libboost-url1.81-dev libsqlite3-dev libssl-dev libcli11-dev libspdlog-dev libfmt-dev \
             libhiredis-dev libicu-dev zlib1g-dev libqrencode-dev libavahi-client-dev libsystemd-dev prometheus-cpp-dev \
             help2man dpkg-dev file libedit-dev libmagic-dev libvips-dev
APT_TEST  := libgtest-dev clang-format chromium fonts-noto-color-emoji clang libclang-rt-14-dev redis-server sqlite3 util-linux \
             zbar-tools librsvg2-bin avahi-daemon avahi-utils dbus-daemon systemd tmux python3-websockets
APT_BENCH := golang-go golang-github-gorilla-websocket-dev linux-perf valgrind
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Installs only the packages that are missing; apt-get update runs only if something is.
define apt_install
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi; \
	command -v node >/dev/null || { DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq nodejs npm >/dev/null; }
endef

.PHONY: deps deps-test deps-bench build run package test test-release test-web test-unit test-browser test-asan test-tsan fuzz bench clean format format-check tidy

deps:
	$(call apt_install,$(APT_BUILD))

deps-test: deps
	$(call apt_install,$(APT_TEST))
	@command -v npm >/dev/null || { DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq npm >/dev/null; }
	@cd tests/browser && { [ -d node_modules/playwright-core ] && [ -d node_modules/axe-core ] && [ -d node_modules/eslint ] || npm ci --no-audit --no-fund --loglevel=error; }

build: deps
	cmake --preset release >/dev/null
	cmake --build --preset release

# Builds only the server (not the tests or the load generator), so the first start is quick.
run: deps
	cmake --preset release >/dev/null
	cmake --build --preset release --target message
	./build/message

# build/message_<version>_<arch>.deb: the server, its man page, the systemd unit and
# /etc/default/message (cmake/packaging.cmake). Builds only what the package holds.
package: deps
	cmake --preset release >/dev/null
	cmake --build --preset release --target message message_man
	cd build && cpack -G DEB

# The page's JavaScript (test-web: ESLint, the node unit tests), the C++ layout (format-check)
# and clang-tidy with no findings (tidy) beside the unit and integration tests (ctest), then the .deb built and inspected (tests/package/check_deb.sh: files, modes, control
# fields, scripts, systemd-analyze), the browser tests, the fuzz smoke run, the load generator
# smoke run, and the unit and integration suites again under ASan+UBSan and TSan.
test: deps-test build
	$(MAKE) --no-print-directory test-web
	$(MAKE) --no-print-directory format-check
	$(MAKE) --no-print-directory -j2 --output-sync=target tidy test-release
	$(MAKE) --no-print-directory package
	tests/package/check_deb.sh build
	$(MAKE) --no-print-directory test-browser
	$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=20
	@if [ -x bench/smoke.sh ]; then bench/smoke.sh; fi
	$(MAKE) --no-print-directory test-asan
	$(MAKE) --no-print-directory test-tsan

# The release tree's unit and integration tests. `make test` runs them beside clang-tidy
# (make -j2, each one's output printed whole when it ends): the integration tests mostly wait for
# a server's answer, and tidy fills the cores meanwhile. Tidy runs at the lowest priority (nice
# 19): at the same priority it starves the servers under test, and tests that wait for a
# reconnect or a liveness cut miss their bounds.
test-release:
	ctest --preset release

# The page's JavaScript without a browser (a few seconds): ESLint over web/ and the JavaScript
# tests with no findings, then the pure modules' unit tests (tests/web/, node's own runner).
test-web: deps-test
	tests/browser/node_modules/.bin/eslint web tests eslint.config.mjs
	node --test tests/web/

test-browser:
	cd tests/browser && MESSAGE_BIN=$(CURDIR)/build/message node --test --test-concurrency=2 .

# The sanitizer builds (clang: it compiles Beast under the sanitizers in about half g++'s time,
# docs/architecture.md) hold the server and the unit tests. The unit tests run in-process; the
# integration tests are the release tree's client, driving the sanitized server binary
# (MESSAGE_BIN), so a report in the server fails the test that caused it (tests/integration/
# harness.cpp). ASan's quarantine is capped at 32 MiB so memory-bound tests measure the server,
# not ASan's delayed frees.
test-asan: deps-test build
	cmake --preset asan >/dev/null
	cmake --build --preset asan
	ctest --preset asan
	ctest --preset asan-integration

test-tsan: deps-test build
	cmake --preset tsan >/dev/null
	cmake --build --preset tsan
	ctest --preset tsan
	ctest --preset tsan-integration

FUZZ_SECONDS ?= 60
fuzz: deps-test
	@if [ -f fuzz/CMakeLists.txt ]; then \
	  cmake --preset fuzz >/dev/null && cmake --build --preset fuzz && fuzz/run.sh build-fuzz $(FUZZ_SECONDS); \
	fi

bench: build
	$(call apt_install,$(APT_BENCH))
	bench/run.sh

# clang-tidy over src/ (.clang-tidy) with no findings. Its own tree, configured and never built:
# it needs only compile_commands.json and CMake's unity sources, which configure writes.
tidy: deps-test
	cmake --preset asan -B build-tidy -DMESSAGE_PRECOMPILED_HEADERS=OFF >/dev/null
	nice -n 19 tools/run_clang_tidy.sh build-tidy

format:
	clang-format -i $$(git ls-files '*.cpp' '*.hpp')

# The C++ sources as .clang-format lays them out; `make format` fixes what this reports.
format-check:
	clang-format --dry-run --Werror $$(git ls-files '*.cpp' '*.hpp')

clean:
	rm -rf build build-debug build-asan build-tsan build-fuzz build-tidy
