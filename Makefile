# GlobalCart 360 - build, run and test.
# `make demo` runs the app against local services; `make test` runs the test suite.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# cargo (and the cargo-installed tansu broker) live in ~/.cargo/bin
export PATH := $(HOME)/.cargo/bin:$(PATH)

SERVICES := deploy/scripts/services.sh
BIN := ./target/release/globalcart
BENCH_DATABASE_URL := postgres://postgres@127.0.0.1:5432/globalcart_bench

.PHONY: help services test-services web build demo test test-web test-interop lint bench bench-large bench-catalog soak stop status

help: ## list targets
	@echo "GlobalCart 360 - make targets:"
	@grep -E '^[a-z][a-z-]*:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

services: ## Postgres (127.0.0.1:5432) + Tansu demo broker (127.0.0.1:9092, sqlite under data/tansu)
	$(SERVICES) postgres tansu broker-demo

test-services: ## Postgres + Tansu test broker (127.0.0.1:9192, in-memory)
	$(SERVICES) postgres tansu broker-test prometheus

web: ## web assets: npm-installed Bootstrap and Chart.js copied into web/vendor (no CDN)
	bash web/build.sh

build: ## release build of the globalcart binary
	cargo build --release -p globalcart

demo: services web build ## services, web assets, release build, then `globalcart up --scale small --seed 42`: shop http://localhost:8000/shop/, admin /admin/
	DEMO_MODE=$${DEMO_MODE:-true} $(BIN) up --scale small --seed 42

test: test-services ## test-services, the alert rules (promtool), cargo test against the real Postgres and test broker, the Avro interop test, then the browser end-to-end test
	deploy/scripts/alerts-test.sh
	TEST_KAFKA_BROKERS=127.0.0.1:9192 TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres cargo test --workspace --all-targets
	node --test web/tests/*.test.mjs
	GLOBALCART_BIN=./target/debug/globalcart deploy/scripts/interop-test.sh
	GLOBALCART_BIN=./target/debug/globalcart $(MAKE) test-web

test-interop: ## Avro interop: fingerprint fixtures vs fastavro (+ Avro Java), then fastavro decodes a produced tiny preset by fingerprint alone
	deploy/scripts/interop-test.sh

test-web: ## browser end-to-end test (headless Chromium + Playwright) of the shop and admin against a fresh app; screenshots in web/test-artifacts/
	E2E_SKIP_SERVICES=$${E2E_SKIP_SERVICES:-0} GLOBALCART_BIN=$${GLOBALCART_BIN:-$(BIN)} deploy/scripts/web-e2e.sh

lint: ## rustfmt check + clippy with warnings denied
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings

bench: build ## benchmarks (e2e + upsert at scale medium, replay of the small preset, live KPI freshness at 5k events/s), in-memory test broker
	$(SERVICES) postgres tansu broker-test
	DATABASE_URL=$(BENCH_DATABASE_URL) $(SERVICES) postgres
	export DATABASE_URL=$(BENCH_DATABASE_URL) KAFKA_BROKERS=127.0.0.1:9192; \
	TOPIC_PREFIX=bench-$$(date +%s) $(BIN) bench e2e --scale medium; \
	$(BIN) bench upsert --scale medium; \
	TOPIC_PREFIX=replay-$$(date +%s) $(BIN) bench replay --scale small; \
	TOPIC_PREFIX=fresh-$$(date +%s) $(BIN) bench freshness --scale tiny --rate 5000 --seconds 60

bench-large: build ## the large preset (18 M events): produce, load, then time the BI marts, the Excel report, /api/kpis/summary and analytics (about 20 minutes)
	$(SERVICES) postgres tansu broker-test
	DATABASE_URL=$(BENCH_DATABASE_URL) $(SERVICES) postgres
	DATABASE_URL=$(BENCH_DATABASE_URL) KAFKA_BROKERS=127.0.0.1:9192 deploy/scripts/bench-large.sh large

bench-catalog: build ## catalog and product API under wrk load while the pipeline ingests (small preset + 1 000 live events/s)
	$(SERVICES) postgres tansu broker-test
	DATABASE_URL=$(BENCH_DATABASE_URL) $(SERVICES) postgres
	DATABASE_URL=$(BENCH_DATABASE_URL) KAFKA_BROKERS=127.0.0.1:9192 deploy/scripts/bench-catalog.sh 1000 30 32

soak: build ## 10 minutes at 5 000 events/s, producer / loader / API as separate processes: memory of each, lag and rejects each minute
	$(SERVICES) postgres tansu broker-test
	DATABASE_URL=$(BENCH_DATABASE_URL) KAFKA_BROKERS=127.0.0.1:9192 deploy/scripts/soak.sh 10 5000

stop: ## stop the brokers started by `make services` / `make test-services`
	$(SERVICES) stop

status: ## show which services are up
	$(SERVICES) status
