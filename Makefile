# The portal's build and test entry points. `make test` installs what the
# tests need when it is missing, then runs every test.

GO            ?= go
TOOLS         := $(CURDIR)/.tools
MINIO_VERSION := v0.0.0-20260212201848-7aac2a2c5b7c
MINIO_BIN     := $(TOOLS)/minio
APT_PACKAGES  := chromium ffmpeg docker-compose

export MINIO_BIN

.PHONY: all build run demo test test-deps bench fuzz vet compose-check clean

all: build

build:
	$(GO) build -o bin/portal ./cmd/portal

run:
	$(GO) run ./cmd/portal

demo:
	$(GO) run ./cmd/portal --demo

test: test-deps
	$(GO) vet ./...
	CI=$${CI:-true} $(GO) test -race -count=1 -timeout 40m ./...
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

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

fuzz:
	$(GO) test -run '^$$' -fuzz FuzzParse -fuzztime 30s ./internal/httprange/
	$(GO) test -run '^$$' -fuzz FuzzImport -fuzztime 30s ./internal/subtitle/

clean:
	rm -rf bin
