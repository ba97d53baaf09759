# The portal's build and test entry points. `make test` installs what the
# tests need when it is missing, then runs every test.

GO            ?= go
TOOLS         := $(CURDIR)/.tools
MINIO_VERSION := v0.0.0-20260212201848-7aac2a2c5b7c
MINIO_BIN     := $(TOOLS)/minio
APT_PACKAGES  := chromium ffmpeg docker-compose

export MINIO_BIN

.PHONY: all build run demo test test-deps bench bench-go bench-search bench-upload load fuzz vet compose-check clean screenshots

all: build

build:
	$(GO) build -o bin/portal ./cmd/portal

run:
	$(GO) run ./cmd/portal

demo:
	$(GO) run ./cmd/portal --demo

# Tables that passing tests would otherwise keep to themselves (axe
# results, page weights) are written as Markdown to $(TEST_REPORTS_DIR)
# and printed after the run, also when it failed.
TEST_REPORTS_DIR ?= $(CURDIR)/test-reports

test: test-deps
	$(GO) vet ./...
	@rm -rf $(TEST_REPORTS_DIR) && mkdir -p $(TEST_REPORTS_DIR)
	@status=0; CI=$${CI:-true} TEST_REPORTS_DIR=$(TEST_REPORTS_DIR) $(GO) test -race -count=1 -timeout 40m ./... || status=$$?; \
	for f in $(TEST_REPORTS_DIR)/*.md; do [ -f "$$f" ] && { echo; cat "$$f"; }; done; \
	exit $$status
	$(MAKE) compose-check

# Debian packages (headless Chromium for browser tests, ffmpeg for media
# fixtures, docker-compose to validate docker-compose.yml) and the pinned
# MinIO server, built once into .tools/.
test-deps: $(MINIO_BIN)
	@missing=""; \
	for cmd in chromium ffmpeg docker-compose; do command -v $$cmd >/dev/null 2>&1 || missing="$$missing $$cmd"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:$$missing"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(APT_PACKAGES) >/dev/null; \
	fi

$(MINIO_BIN):
	@echo "building MinIO server $(MINIO_VERSION) into $(TOOLS) (once, a few minutes)"
	mkdir -p $(TOOLS)
	GOBIN=$(TOOLS) $(GO) install github.com/minio/minio@$(MINIO_VERSION)

compose-check:
	docker-compose -f docker-compose.yml config -q

vet:
	$(GO) vet ./...

# The media benchmark (cmd/bench): streaming, seeks, uploads, peak memory
# and concurrent viewers through the portal, each against minio-go straight
# on the same S3 server, for the embedded versitygw and a MinIO process.
# Takes several minutes; the table is also written to bench-results.md.
# Exit status 1: a target missed; 2: something could not be measured.
# BENCH_FLAGS="-size-stream 64MiB -size-upload 128MiB -viewers-duration 5s"
# for a quick run.
BENCH_FLAGS ?=
bench: $(MINIO_BIN)
	$(GO) build -o bin/bench ./cmd/bench
	bin/bench $(BENCH_FLAGS)

# Search index on a synthetic archive: 1,000 webinars with one-hour Swedish
# transcripts; build time, size and query latency (search-bench-results.md).
bench-search:
	$(GO) build -o bin/searchbench ./cmd/searchbench
	bin/searchbench $(SEARCH_BENCH_FLAGS)

bench-go:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# Upload a generated 1 GiB recording through the API into a fresh embedded
# portal, check it byte for byte (whole and three ranges) and report the
# portal's peak RSS. UPLOAD_SIZE=2GiB to change the size.
UPLOAD_SIZE ?= 1GiB
bench-upload:
	$(GO) build -o bin/portal ./cmd/portal
	$(GO) build -o bin/uploadcheck ./cmd/uploadcheck
	@set -e; dir=$$(mktemp -d); port=18480; pid=; \
	trap 'test -n "$$pid" && kill $$pid 2>/dev/null; rm -rf $$dir' EXIT; \
	printf '%s\n' 'bench-password-123' | DATA_DIR=$$dir bin/portal user add --email bench@smakom.se --role staff --password-stdin; \
	token=$$(DATA_DIR=$$dir bin/portal token create --email bench@smakom.se --name bench 2>/dev/null); \
	DATA_DIR=$$dir PORT=$$port LOG_LEVEL=warn bin/portal serve >$$dir/serve.log 2>&1 & pid=$$!; \
	for i in $$(seq 50); do curl -fs http://localhost:$$port/readyz >/dev/null && break; sleep 0.2; done; \
	bin/uploadcheck -url http://localhost:$$port -token $$token -size $(UPLOAD_SIZE) -pid $$pid

# The load test (cmd/load): a fresh embedded portal seeded with 1,000
# webinars through the API, a mixed workload at 200 connections with
# uploads running, and the catalogue against a bare Fiber baseline. The
# table is also written to load-results.md. Exit status 1: a target
# missed; 2: something could not be measured. For a quick trial:
# LOAD_FLAGS="-duration 10s -concurrency 50 -webinars 200 -videos 10".
LOAD_FLAGS ?=
load:
	$(GO) build -o bin/load ./cmd/load
	bin/load $(LOAD_FLAGS)

# PNGs of every page type (cmd/screenshots, internal/pagetour) at 390 and
# 1280 px wide, light and dark, into screenshots/ (git-ignored), from a
# fresh demo portal with a member and a staff account. Fails when a page
# is wider than the screen. Mail is "on" towards a closed port, so the
# forgot-password pages exist (the mails themselves fail, in serve.log).
# SCREENSHOT_ONLY='account|set-password' photographs only matching stops.
SCREENSHOT_WIDTHS ?= 390,1280
SCREENSHOT_ONLY ?=
screenshots: test-deps
	$(GO) build -o bin/portal ./cmd/portal
	$(GO) build -o bin/screenshots ./cmd/screenshots
	@set -e; dir=$$(mktemp -d); port=18490; pid=; \
	trap 'test -n "$$pid" && kill $$pid 2>/dev/null; sleep 1; rm -rf $$dir' EXIT; \
	printf '%s\n' 'medlem-losenord-123' | DATA_DIR=$$dir LOG_LEVEL=error bin/portal user add --email medlem@example.se --role member --password-stdin; \
	printf '%s\n' 'redaktor-losenord-123' | DATA_DIR=$$dir LOG_LEVEL=error bin/portal user add --email redaktor@example.se --role staff --password-stdin; \
	DATA_DIR=$$dir PORT=$$port LOG_LEVEL=warn WISHES_PER_HOUR=1000 SMTP_HOST=127.0.0.1 SMTP_PORT=9 SMTP_FROM=arkiv@example.se \
		PUBLIC_URL=http://localhost:$$port bin/portal serve --demo >$$dir/serve.log 2>&1 & pid=$$!; \
	for i in $$(seq 100); do curl -fs http://localhost:$$port/readyz >/dev/null && break; sleep 0.2; done; \
	bin/screenshots -url http://localhost:$$port -out screenshots -widths $(SCREENSHOT_WIDTHS) -only "$(SCREENSHOT_ONLY)" \
		-member medlem@example.se:medlem-losenord-123 -staff redaktor@example.se:redaktor-losenord-123

fuzz:
	$(GO) test -run '^$$' -fuzz FuzzParse -fuzztime 30s ./internal/httprange/
	$(GO) test -run '^$$' -fuzz FuzzImport -fuzztime 30s ./internal/subtitle/
	$(GO) test -run '^$$' -fuzz FuzzProbe -fuzztime 30s ./internal/probe/

clean:
	rm -rf bin
