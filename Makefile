# Two commands for a fresh machine: `make demo` and `make test`. Both install the Debian packages
# the project needs when they are missing (OpenBLAS for matrix work, zlib for NPZ/IDX/PNG).

DEBIAN_PACKAGES := libopenblas-dev zlib1g-dev
# The report's real-browser test renders it in headless Chromium.
TEST_PACKAGES := $(DEBIAN_PACKAGES) chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
SWIFT ?= swift

.PHONY: deps test-deps python-deps install build demo test bench fashion-mnist clean

deps:
	@$(MAKE) --no-print-directory install PACKAGES="$(DEBIAN_PACKAGES)"

test-deps:
	@$(MAKE) --no-print-directory install PACKAGES="$(TEST_PACKAGES)"

# The project-local Python environment of the tests that read model files with numpy + safetensors
# (Tests/IMDADCLITests/ModelFormatPythonTests.swift): created when missing, its requirements installed.
PYTHON_REQUIREMENTS := Tests/IMDADCLITests/Python/requirements.txt

python-deps:
	@command -v python3 >/dev/null && python3 -c 'import venv, ensurepip' 2>/dev/null || \
	  $(MAKE) --no-print-directory install PACKAGES="python3 python3-venv"
	@[ -x .venv/bin/python ] || python3 -m venv .venv
	@.venv/bin/python -m pip install -q --disable-pip-version-check -r $(PYTHON_REQUIREMENTS)

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

test: test-deps python-deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

fashion-mnist:
	@$(MAKE) --no-print-directory install PACKAGES="dataset-fashion-mnist"

bench: build
	.build/release/imdad bench engine

clean:
	rm -rf .build
