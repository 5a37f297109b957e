# Two commands for a fresh machine: `make demo` and `make test`. Both install the Debian packages
# the project needs when they are missing (OpenBLAS for matrix work, zlib for NPZ/IDX/PNG, oneDNN
# for convolutions: loaded at run time like OpenBLAS, so builds and tests also work without it).

DEBIAN_PACKAGES := libopenblas-dev zlib1g-dev libdnnl-dev
# The report's real-browser test renders it in headless Chromium.
TEST_PACKAGES := $(DEBIAN_PACKAGES) chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
SWIFT ?= swift

# ONNX: the equality test runs ONNX Runtime from a project-local virtual environment (.venv),
# created from PyPI when missing; the Spark example adds pyspark and Java 17.
PYTHON ?= python3
VENV := .venv
VENV_PYTHON := $(VENV)/bin/python
ONNX_REQUIREMENTS := Tests/IMDADONNXTests/Python/requirements.txt
SPARK_REQUIREMENTS := examples/spark/requirements.txt

.PHONY: deps test-deps install build demo test bench fashion-mnist clean venv spark-example onnx-bench onnx-proto

deps:
	@$(MAKE) --no-print-directory install PACKAGES="$(DEBIAN_PACKAGES)"

test-deps:
	@$(MAKE) --no-print-directory install PACKAGES="$(TEST_PACKAGES)"

# The project-local Python environment of the tests that read model files with numpy + safetensors
# (Tests/IMDADCLITests/ModelFormatPythonTests.swift): created when missing, its requirements installed.
PYTHON_REQUIREMENTS := Tests/IMDADCLITests/Python/requirements.txt

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

test: test-deps venv
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

fashion-mnist:
	@$(MAKE) --no-print-directory install PACKAGES="dataset-fashion-mnist"

bench: build
	.build/release/imdad bench engine

clean:
	rm -rf .build

# The test's Python packages: ONNX Runtime for the ONNX equality test, numpy + safetensors for the
# model-format test (Python recomputes scores from a model file).
venv: $(VENV)/.test-installed

$(VENV)/.test-installed: $(ONNX_REQUIREMENTS) $(PYTHON_REQUIREMENTS)
	@command -v $(PYTHON) >/dev/null && $(PYTHON) -c 'import venv, ensurepip' 2>/dev/null || \
	  $(MAKE) --no-print-directory install PACKAGES="python3 python3-venv"
	@[ -x $(VENV_PYTHON) ] || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(VENV_PYTHON) -m pip install -q --disable-pip-version-check -r $(ONNX_REQUIREMENTS) -r $(PYTHON_REQUIREMENTS)
	@touch $@

$(VENV)/.spark-installed: $(VENV)/.test-installed $(SPARK_REQUIREMENTS)
	$(VENV_PYTHON) -m pip install -q --disable-pip-version-check -r $(SPARK_REQUIREMENTS)
	@touch $@

# Scores a 10-million-row table with the exported model in PySpark (local mode), checks 10,000 rows
# against `imdad score`. SPARK_ARGS adds options, e.g. SPARK_ARGS="--rows 1000000".
spark-example: build $(VENV)/.spark-installed
	@command -v java >/dev/null 2>&1 || $(MAKE) --no-print-directory install PACKAGES="openjdk-17-jre-headless"
	$(VENV_PYTHON) examples/spark/run_example.py --imdad .build/release/imdad $(SPARK_ARGS)

# imdad score and its forward pass against ONNX Runtime, 1 and 2 threads (experiments/onnx/README.md).
onnx-bench: build venv
	$(VENV_PYTHON) experiments/onnx/bench.py --imdad .build/release/imdad

# Regenerates Sources/IMDADONNX/Generated/onnx.pb.swift from the onnx wheel's onnx.proto (needs Debian's
# protobuf-compiler and a protoc-gen-swift 1.39 built apart: PROTOC_GEN_SWIFT=path). CI never runs this.
onnx-proto: venv
	@$(MAKE) --no-print-directory install PACKAGES="protobuf-compiler"
	cd $$($(VENV_PYTHON) -c 'import onnx, os; print(os.path.dirname(onnx.__file__))') && \
	  protoc --plugin=protoc-gen-swift=$(PROTOC_GEN_SWIFT) --swift_out=Visibility=Public:$(CURDIR)/Sources/IMDADONNX/Generated onnx.proto
