# Aurora Channels — every set-up step lives here, so a fresh machine needs only `make run` / `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Tools we install are found before anything on the machine (Debian's wasm-opt breaks hydration).
export PATH := $(CURDIR)/tools/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)

CARGO_LEPTOS_VERSION := 0.3.10
WASM_BINDGEN_VERSION := $(shell sed -n 's/^wasm-bindgen = "=\(.*\)"/\1/p' Cargo.toml)
TARGET_DIR := $(or $(CARGO_TARGET_DIR),target)
SERVER_BIN := $(TARGET_DIR)/release/aurora
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
TEST_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/postgres
# Server-side tests share the release build's compiled dependencies (same profile and features).
# leptos_config reads LEPTOS_OUTPUT_NAME at compile time and cargo-leptos sets it: without the same
# value here, leptos and everything above it would be rebuilt on every switch between the two.
CARGO_TEST := LEPTOS_OUTPUT_NAME=aurora cargo test --release --no-default-features --features ssr

.PHONY: help tools e2e-deps build run demo check test test-rust test-postgres test-e2e test-release fmt wasm-size abuse bench-web

help:
	@echo "make run    build and serve http://127.0.0.1:3000 with demo data (installs what is missing)"
	@echo "make demo   the same with the WhatsApp simulator (no phone needed)"
	@echo "make check  the fast loop: rustfmt, clippy (warnings are errors), the Rust tests on SQLite"
	@echo "make test   Rust tests on SQLite and PostgreSQL, the Playwright suite, a rebuilt release"
	@echo "make build  release build of the server and the browser bundle"
	@echo "make wasm-size  the browser bundle's release size (raw and gzip), without the server build"
	@echo "make bench-web  first load (bytes, slow 4G) and page cost (wrk) against the release build"

tools:
	@rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
	@cargo leptos --version 2>/dev/null | grep -q " $(CARGO_LEPTOS_VERSION)" \
		|| cargo install cargo-leptos@$(CARGO_LEPTOS_VERSION) --locked
	@wasm-bindgen --version 2>/dev/null | grep -q " $(WASM_BINDGEN_VERSION)" \
		|| cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION)
	@test -x tools/node_modules/.bin/wasm-opt || (cd tools && npm ci --no-audit --no-fund)

e2e-deps:
	@test -d end2end/node_modules/@playwright/test -a -d end2end/node_modules/@axe-core/playwright || (cd end2end && npm ci --no-audit --no-fund)
	@test -x /usr/bin/chromium || ($(SUDO) apt-get update && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y chromium)

# cargo-leptos's gzip copies are about 18 % larger than `gzip -9`'s: those are rewritten, for
# browsers that take gzip and not brotli.
build: tools
	cargo leptos build --release --precompress --split
	@for copy in target/site/pkg/*.gz; do gzip -9 -n -c "$${copy%.gz}" > "$$copy.tmp" && mv "$$copy.tmp" "$$copy"; done

run: build
	AURORA_DEMO=$${AURORA_DEMO:-1} $(SERVER_BIN)

demo: build
	AURORA_DEMO=$${AURORA_DEMO:-1} AURORA_WHATSAPP=simulator $(SERVER_BIN)

test: tools e2e-deps
	$(MAKE) build
	$(MAKE) test-rust
	$(MAKE) test-postgres
	$(MAKE) test-e2e
	$(MAKE) test-release

# The SQLite run: tests that need PostgreSQL (the cluster) say they are skipped; the
# PostgreSQL run has everything, the multi-process tests in tests/ included.
test-rust:
	@echo "== Rust tests on SQLite"
	env -u TEST_POSTGRES_URL $(CARGO_TEST) --lib --bins --test shutdown --test metrics --test webhooks

# The fast loop while working: formatting, lints (warnings are errors) on the server and the
# browser code, and the Rust tests on SQLite (which share the release build's crates).
check:
	cargo fmt --all -- --check
	LEPTOS_OUTPUT_NAME=aurora cargo clippy --no-default-features --features ssr --lib --bins --tests -- -D warnings
	cargo clippy --lib --no-default-features --features hydrate --target wasm32-unknown-unknown --target-dir $(TARGET_DIR)/front -- -D warnings
	$(MAKE) test-rust

test-postgres:
	@if command -v pg_isready >/dev/null && pg_isready -q -d "$(TEST_POSTGRES_URL)"; then \
		echo "== Rust tests on PostgreSQL ($(TEST_POSTGRES_URL))"; \
		TEST_POSTGRES_URL="$(TEST_POSTGRES_URL)" $(CARGO_TEST) --lib --bins && \
		echo "== Several servers as processes (tests/cluster/; prints what it measures)" && \
		TEST_POSTGRES_URL="$(TEST_POSTGRES_URL)" $(CARGO_TEST) --test cluster -- --nocapture; \
	elif [ "$$CI" = true ]; then \
		echo "PostgreSQL at $(TEST_POSTGRES_URL) is not reachable, and CI requires it." >&2; exit 1; \
	else \
		echo; echo "!!!!!! SKIPPED: PostgreSQL at $(TEST_POSTGRES_URL) is not reachable; only SQLite was tested. !!!!!!"; echo; \
	fi

test-e2e: e2e-deps
	cd end2end && npx playwright test

# A release with changed styles, built for real on top of `make build`: a browser that kept
# the first build loads the new stylesheet (new hash), and the unchanged WASM from its cache.
test-release: e2e-deps
	@echo "== A new release reaches a browser that cached the last one"
	cd end2end && node release/new-release.mjs

fmt:
	cargo fmt --all

# The browser bundle as `make build` ships it: the part every page loads first (the main WASM)
# and the parts fetched when a lazy page or dialog is first needed, raw, gzip and brotli.
wasm-size: build
	@cd $(TARGET_DIR)/site/pkg && for wasm in *.wasm; do \
	  printf '%-48s %9s bytes, %7s gzip, %7s br\n' "$$wasm" "$$(stat -c %s $$wasm)" \
	    "$$(stat -c %s $$wasm.gz)" "$$(stat -c %s $$wasm.br)"; done

# The first-load issue's budgets, one line each: bytes and time to a working Channels page in
# Chromium (CDP), the bundle's compressed size, and wrk against the Channels page (50 numbers),
# the inbox (100 000 conversations) and /login in the same run.
bench-web: build e2e-deps
	@command -v wrk >/dev/null || ($(SUDO) apt-get install -y wrk)
	CARGO_TARGET_DIR=$(TARGET_DIR) end2end/bench/web.sh

# What a stranger can try, against the release server with the demo data on a free loopback
# port and a fresh database; prints one line per result (see `aurora abuse`).
abuse: build
	@dir=$$(mktemp -d); port=$$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'); \
	AURORA_DEMO=1 AURORA_WHATSAPP=simulator DATABASE_URL=sqlite://$$dir/aurora.db AURORA_MEDIA_DIR=$$dir/media \
	  LEPTOS_SITE_ADDR=127.0.0.1:$$port RUST_LOG=warn $(SERVER_BIN) & server=$$!; \
	for i in $$(seq 100); do curl -sf -o /dev/null http://127.0.0.1:$$port/login && break; sleep 0.2; done; \
	$(SERVER_BIN) abuse --url http://127.0.0.1:$$port; status=$$?; kill $$server; wait $$server; rm -rf $$dir; exit $$status
