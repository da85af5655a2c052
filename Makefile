# semadjust — build, run, test and benchmark.
#
#   make run    install what is missing, build release, serve on :8080
#   make test   install what is missing, build and run every test
#   make bench  benchmarks with ratios against peers measured in the same run

SHELL := /bin/bash
SWIFT ?= swift
HOST ?= 127.0.0.1
PORT ?= 8080
JOBS ?= $(shell nproc)

# Debian packages the build needs (headers + pkg-config) and those tests and benchmarks use.
BUILD_PACKAGES := libjpeg-dev libpng-dev libdeflate-dev libopenblas-dev libwebp-dev libheif-dev libtiff-dev liblcms2-dev libavif-dev pkg-config
BENCH_PACKAGES := wrk

.PHONY: all deps deps-bench build build-debug run test test-tsan test-asan bench bench-http bench-imaging bench-summary clean

all: build

# Installs only what is missing; needs root (or sudo) for apt-get.
define install_missing
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi
endef

deps:
	$(call install_missing,$(BUILD_PACKAGES))

deps-bench: deps
	$(call install_missing,$(BENCH_PACKAGES))

build: deps
	$(SWIFT) build -c release --product semadjust -j $(JOBS)

build-debug: deps
	$(SWIFT) build -j $(JOBS)

run: build
	./.build/release/semadjust serve --host $(HOST) --port $(PORT)

test: deps
	$(SWIFT) build --build-tests -j $(JOBS)
	$(SWIFT) test --skip-build

# The suite under ThreadSanitizer / AddressSanitizer, each in its own build folder.
test-tsan: deps
	$(SWIFT) build --build-tests --sanitize=thread --scratch-path .build-tsan -j $(JOBS)
	$(SWIFT) test --skip-build --sanitize=thread --scratch-path .build-tsan --no-parallel

test-asan: deps
	$(SWIFT) build --build-tests --sanitize=address --scratch-path .build-asan -j $(JOBS)
	LSAN_OPTIONS=suppressions=$(CURDIR)/Tests/lsan-suppressions.txt $(SWIFT) test --skip-build --sanitize=address --scratch-path .build-asan

bench: bench-http bench-imaging bench-inference bench-e2e
	python3 bench/summary.py

# bench/results/latest.json from the result files above (headline ratios, goals, machine).
bench-summary:
	python3 bench/summary.py

# HTTPCore against Hummingbird 2 and FlyingFox with wrk (bench/http, a separate package).
bench-http: deps-bench
	bench/http/run.sh

clean:
	rm -rf .build .build-tsan .build-asan bench/http/.build

# Imaging: decode + encode of a 12 MP JPEG against Pillow (needs pillow and numpy from pip).
bench-imaging: deps
	python3 -c "import PIL, numpy" 2>/dev/null || python3 -m pip install -q pillow numpy
	python3 bench/imaging/bench.py

# schemathesis against openapi.yaml and a live server on the tiny parity model, then the clients
# generated from openapi.yaml against it (tests-api/run.sh, tests-api/clients). It builds in its own
# scratch folder (.build-api) and installs schemathesis into .venv-api, the pinned generators and
# Deno into .venv-clients; openapi-generator runs on Debian's Java 17.
.PHONY: test-api openapi-embed
test-api: deps
	$(call install_missing,prometheus openjdk-17-jre-headless)
	tests-api/run.sh

# Regenerates Sources/Server/OpenAPIDocument.swift, the copy of openapi.yaml built into the binary.
openapi-embed:
	python3 tests-api/embed_openapi.py

# Inference engine against PyTorch eager, ONNX Runtime and the FLOP limit on the same weights and
# 512x512 input, plus the colour pass at 2 and 12 MP (bench/inference; writes bench/results/inference.json).
.PHONY: bench-inference
BENCH_INFERENCE_SCRATCH ?= .build
bench-inference: deps
	$(SWIFT) build -c release --scratch-path $(BENCH_INFERENCE_SCRATCH) --product InferenceBench -j $(JOBS)
	python3 -c "import torch, safetensors" 2>/dev/null || python3 -m pip install -q -r training/requirements.txt
	python3 -c "import onnxruntime, onnx" 2>/dev/null || python3 -m pip install -q onnxruntime onnx
	python3 -c "import matplotlib" 2>/dev/null || python3 -m pip install -q matplotlib
	python3 bench/inference/bench.py --binary $(BENCH_INFERENCE_SCRATCH)/release/InferenceBench

# Regenerates Sources/Server/Web/WebAssets.swift, the copy of web/ (the page at GET /) built into
# the binary. WebAssetsTests fails when the two differ.
.PHONY: web-assets
web-assets:
	python3 tests-web/embed_web_assets.py

# The page at GET / in headless Chromium (tests-web/run.sh): Debian's chromium and chromium-driver,
# selenium pinned in tests-web/requirements.txt (into .venv-web); the server is built in SCRATCH
# (default .build-web; CI passes .build to reuse make test's debug build). Screenshots land in
# tests-web/artifacts/; WEB_TEST_ARGS=--readme-screenshot also rewrites docs/web-page.png.
.PHONY: test-web
WEB_TEST_PACKAGES := chromium chromium-driver
test-web: deps
	$(call install_missing,$(WEB_TEST_PACKAGES))
	tests-web/run.sh $(WEB_TEST_ARGS)

# Deployment checks (deploy/README.md says what each proves). The release binary is built the
# way deploy/Dockerfile builds it (--static-swift-stdlib) in DEPLOY_SCRATCH; needs root.
#   test-rootfs   the Dockerfile's runtime stage, in a cached debootstrap root, via chroot
#   test-proxy    deploy/nginx/semadjust.conf in a real nginx in front of the service
#   test-k8s      deploy/k8s/ against the Kubernetes schemas (kubernetes-validate, offline)
#   test-systemd  systemd-analyze verify + offline security rating of the unit
.PHONY: build-deploy test-deploy test-rootfs test-proxy test-k8s test-systemd
DEPLOY_SCRATCH ?= .build-deploy
DEPLOY_BINARY = $(DEPLOY_SCRATCH)/release/semadjust
DEPLOY_PACKAGES := debootstrap nginx-light systemd curl python3-venv

build-deploy: deps
	$(SWIFT) build -c release --static-swift-stdlib --product semadjust --scratch-path $(DEPLOY_SCRATCH) -j $(JOBS)

test-deploy: test-rootfs test-proxy test-k8s test-systemd

test-rootfs: build-deploy
	$(call install_missing,$(DEPLOY_PACKAGES))
	BINARY=$(DEPLOY_BINARY) deploy/tests/test-rootfs.sh

test-proxy: build-deploy
	$(call install_missing,$(DEPLOY_PACKAGES))
	BINARY=$(DEPLOY_BINARY) deploy/tests/test-proxy.sh

test-k8s:
	$(call install_missing,python3-venv)
	deploy/tests/test-k8s.sh

test-systemd: build-deploy
	$(call install_missing,$(DEPLOY_PACKAGES))
	BINARY=$(DEPLOY_BINARY) deploy/tests/test-systemd.sh

# What a new user meets: a clone of the committed tree with no ../shared beside it (and the real
# one hidden from the server) serves every shipped style with no model options, from its root and
# from / (deploy/tests/test-fresh-clone.sh). Needs root.
.PHONY: test-fresh-clone
test-fresh-clone: build-deploy
	$(call install_missing,curl)
	BINARY=$(DEPLOY_BINARY) deploy/tests/test-fresh-clone.sh

# libFuzzer targets (fuzz/, a separate package built with ASan + fuzzer coverage in .build-fuzz):
# request head, chunked decoder, multipart, JPEG, PNG, user map, safetensors. FUZZ_SECONDS each.
.PHONY: fuzz fuzz-ci
FUZZ_SECONDS ?= 60
fuzz: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) fuzz/run.sh

# The short run CI does: 30 s per target.
fuzz-ci: deps
	FUZZ_SECONDS=30 fuzz/run.sh

# Hostile inputs, load and faults against the real binary (debug, .build-rel) over loopback;
# regenerates RELIABILITY.md. SOAK_SECONDS: the soak at saturation (the issue asks for 600 s).
.PHONY: reliability
SOAK_SECONDS ?= 600
reliability: deps
	SOAK_SECONDS=$(SOAK_SECONDS) reliability/run.sh

# The service end to end (bench/e2e/README.md): the release `semadjust serve` on loopback, a 512 px
# and a 12 MP photo at concurrency 1, 2 and 8 (p50/p99, requests/s, non-200), the server's peak RSS,
# re-render vs first request, and 1..24 MP scaling. Writes bench/results/e2e.json and
# bench/results/e2e-scaling.png; BENCH_E2E_ARGS passes options to run.py (e.g. --quick).
.PHONY: bench-e2e
BENCH_E2E_SCRATCH ?= .build
bench-e2e: deps
	$(SWIFT) build -c release --product semadjust --scratch-path $(BENCH_E2E_SCRATCH) -j $(JOBS)
	python3 -c "import PIL" 2>/dev/null || python3 -m pip install -q pillow
	python3 -c "import matplotlib" 2>/dev/null || python3 -m pip install -q matplotlib
	python3 bench/e2e/run.py --binary $(BENCH_E2E_SCRATCH)/release/semadjust $(BENCH_E2E_ARGS)

# A style from a folder of before/after pairs, end to end (training/test_own_style.py): 24 pairs
# edited by ImageMagick, `python3 -m training.own_style`, the exported style served by the release
# binary and answering 200. Needs PyTorch (training/requirements.txt), so it is not part of CI.
.PHONY: test-own-style
test-own-style: build
	$(call install_missing,imagemagick)
	python3 -c "import torch, safetensors, skimage" 2>/dev/null || python3 -m pip install -q -r training/requirements.txt
	python3 -m training.test_own_style --binary .build/release/semadjust
