# Two commands for a fresh machine: `make demo` and `make test`. Both install the Debian packages
# the project needs when they are missing (OpenBLAS for matrix work, zlib for NPZ/IDX/PNG).

DEBIAN_PACKAGES := libopenblas-dev zlib1g-dev
# The report's real-browser test renders it in headless Chromium.
TEST_PACKAGES := $(DEBIAN_PACKAGES) chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
SWIFT ?= swift

.PHONY: deps test-deps install build demo test bench fashion-mnist clean

deps:
	@$(MAKE) --no-print-directory install PACKAGES="$(DEBIAN_PACKAGES)"

test-deps:
	@$(MAKE) --no-print-directory install PACKAGES="$(TEST_PACKAGES)"

install:
	@missing=""; for p in $(PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build -c release --product imdad

demo: build
	.build/release/imdad demo

test: test-deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

fashion-mnist:
	@$(MAKE) --no-print-directory install PACKAGES="dataset-fashion-mnist"

bench: build
	.build/release/imdad bench engine

clean:
	rm -rf .build
