# Kugutsu — build, run and test.
#
#   make run    install what is missing, then start the app on the embedded default avatar
#   make test   install what is missing, then gofmt check, go vet, staticcheck, go test
#
# System packages come from Debian/Ubuntu's apt-get (as root, or through sudo).

GO ?= $(shell command -v go 2>/dev/null || echo /usr/local/go/bin/go)
BIN := bin/kugutsu
# no_emoji leaves out Fyne's bundled colour-emoji font, which our UI never
# shows: 4 MB less binary and about 15 MB less resident memory. gles draws
# the window with OpenGL ES 2 (go-gl's v3.1/gles2 bindings, through libGL as
# before) instead of desktop OpenGL 2.1: the first, cold build compiles less
# than half the C (126 s of CPU instead of about 290 s, measured on two busy
# cores), and the window tests pass under Xvfb's Mesa. vet, staticcheck and
# the tests use the same tags, so nothing compiles the desktop GL bindings.
GOTAGS := no_emoji,gles

# node's osc package, a second real OSC peer for the VMC receiver tests.
NODE_PEER := protocol/vmc/testdata/nodepeer
# three.js, three-vrm and three-vrm-animation: reference implementations that
# tests run in node as oracles (node constraints, VRM Animation, materials).
THREE_REF := testdata/threevrm

# What building and running needs: cgo, the X11/GL headers fyne's GLFW
# driver builds against (field notes §7), and libjpeg-turbo, which decodes
# JPEG textures (vrm/jpeg_turbo.go; with CGO_ENABLED=0 vrm falls back to
# Go's image/jpeg). libjpeg-dev is libjpeg62-turbo-dev on Debian and
# libjpeg-turbo8-dev on Ubuntu.
RUN_PACKAGES := gcc libc6-dev pkg-config \
	libgl-dev libx11-dev libxcursor-dev libxrandr-dev libxinerama-dev libxi-dev \
	libxxf86vm-dev libwayland-dev libxkbcommon-dev libegl-dev libjpeg-dev
# What only the tests need: a virtual X server, screenshot, window-inspection
# (xwininfo, xprop) and input tools for the window tests, liblo's oscsend and
# node for the real-peer tests, and tshark (Wireshark) to check that
# recordings decode.
TEST_PACKAGES := xvfb xauth x11-utils imagemagick xdotool liblo-tools tshark

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# apt_install installs the Debian packages among $(1) that are missing.
define apt_install
	@missing=$$(for p in $(1); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; \
	done); \
	$(2) \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi
endef

.PHONY: all build run test deps run-deps test-deps check-go fmt-check vet staticcheck gotest bench clean

all: build

# run-deps: what `make run` needs; deps: that and the test tools.
run-deps: check-go
	$(call apt_install,$(RUN_PACKAGES))

test-deps: run-deps
	$(call apt_install,$(TEST_PACKAGES),if ! command -v node >/dev/null 2>&1; then missing="$$missing nodejs"; fi; if ! command -v npm >/dev/null 2>&1; then missing="$$missing npm"; fi;)
	@if [ ! -f $(NODE_PEER)/node_modules/osc/package.json ]; then \
		echo "installing node's osc package (pinned by its package-lock.json) in $(NODE_PEER)"; \
		npm ci --prefer-offline --omit=optional --no-audit --no-fund --loglevel=error --prefix $(NODE_PEER); \
	fi
	@if [ ! -f $(THREE_REF)/node_modules/@pixiv/three-vrm/package.json ]; then \
		echo "installing three.js and three-vrm (pinned by their package-lock.json) in $(THREE_REF)"; \
		npm ci --prefer-offline --omit=optional --no-audit --no-fund --loglevel=error --prefix $(THREE_REF); \
	fi

deps: test-deps

check-go:
	@test -x "$(GO)" || { echo "Go 1.26 or newer is needed: https://go.dev/dl/ (or put it on PATH)"; exit 1; }

build: run-deps
	$(GO) build -tags $(GOTAGS) -o $(BIN) .

run: build
	./$(BIN)

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet -tags $(GOTAGS) ./...

staticcheck:
	$(GO) tool staticcheck -tags $(GOTAGS) ./...

# The protocol, marionette and render packages run under the race detector
# (network, load, render and worker goroutines), then everything else
# without it. KUGUTSU_REQUIRE_TOOLS makes tests that need oscsend, node or
# Xvfb fail rather than skip when a tool is missing. Tests needing ../shared
# skip without it (a fresh clone) unless KUGUTSU_REQUIRE_MODELS=1 (.ci/run
# sets it). The detector slows the code 5–10×: on two busy cores marionette
# took 7.5 min under it (the VRoid-layout engine test 3.3 min of it) and
# render 4.8 min (4.6 min with -short, so it runs in full), hence the longer
# time-out. vrm's TestRig* tests (two Rigs of one Model posed at once) run
# under it too, and so does internal/triple (the buffers between goroutines).
RACE_PKGS := ./protocol/... ./marionette/... ./render/... ./internal/triple
gotest:
	KUGUTSU_REQUIRE_TOOLS=1 $(GO) test -tags $(GOTAGS) -race -timeout 30m $(RACE_PKGS)
	$(GO) test -tags $(GOTAGS) -race -run '^TestRig' ./vrm
	KUGUTSU_REQUIRE_TOOLS=1 $(GO) test -tags $(GOTAGS) $$($(GO) list ./... | grep -v -e '/protocol/' -e '/marionette' -e '/render' -e '/internal/triple')

test: test-deps fmt-check vet staticcheck gotest

bench: run-deps
	GOMAXPROCS=2 $(GO) test -tags $(GOTAGS) -run '^$$' -bench . -benchmem ./...

clean:
	rm -rf bin
