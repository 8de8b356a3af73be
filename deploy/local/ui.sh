#!/usr/bin/env bash
# The official Temporal Web UI for a local Tempora: the UI server github.com/temporalio/ui-server/v2 (a Go module
# that embeds the built UI) at a pinned version, built from the Go module proxy and cached under .deps/ui-server,
# run on 127.0.0.1 against a Tempora frontend.
#   deploy/local/ui.sh install   build the binary once (.deps/ui-server/bin/ui-server)
#   deploy/local/ui.sh start     install if needed, run in the background, wait until it answers
#   deploy/local/ui.sh stop      stop the server started by `start`
#   deploy/local/ui.sh status    print running/stopped (exit 0 when running)
#   deploy/local/ui.sh path      install if needed, print the binary's path (`tempora start-dev --ui-port` finds it
#                                there by itself; TEMPORA_UI_SERVER overrides)
# Environment: UI_SERVER_VERSION (v2.58.1), GO_TOOLCHAIN_VERSION (1.26.10, the module's go directive), UI_PORT (8233), UI_IP (127.0.0.1), TEMPORAL_ADDRESS (the frontend,
# 127.0.0.1:7233), UI_NAMESPACE (default namespace, default).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
version="${UI_SERVER_VERSION:-v2.58.1}"
toolchain_version="${GO_TOOLCHAIN_VERSION:-1.26.10}"
port="${UI_PORT:-8233}"
ip="${UI_IP:-127.0.0.1}"
frontend="${TEMPORAL_ADDRESS:-127.0.0.1:7233}"
deps="$root/.deps/ui-server"
binary="$deps/bin/ui-server"
dir="$root/.data/ui-server"
pidfile="$dir/ui-server-$port.pid"
logfile="$dir/ui-server-$port.log"
module=github.com/temporalio/ui-server/v2

log() { printf 'ui: %s\n' "$*" >&2; }

installed() {
  [ -x "$binary" ] && [ "$(cat "$deps/bin/VERSION" 2>/dev/null)" = "$version" ]
}

# "1.26.8" -> 1026 (major*1000 + minor); enough to compare against the module's go directive.
minor_of() { local IFS=.; set -- $1; echo $(($1 * 1000 + $2)); }

# The go command to build with: the local one when its minor release is the module's, else the official toolchain
# of the module's version, which the Go module proxy serves as module golang.org/toolchain (Debian's golang-go,
# 1.19 on bookworm and 1.24 on trixie, is too old for the UI server).
go_command() {
  local wanted="$toolchain_version" local_version=""
  command -v go >/dev/null && local_version="$(go env GOVERSION | sed 's/^go//')"
  if [ -n "$local_version" ] && (($(minor_of "$local_version") >= $(minor_of "$wanted"))); then
    echo go
    return
  fi
  local arch
  case "$(uname -m)" in x86_64) arch=amd64 ;; aarch64 | arm64) arch=arm64 ;; *) arch="$(uname -m)" ;; esac
  local toolchain="$deps/go$wanted"
  if [ ! -x "$toolchain/bin/go" ]; then
    local proxy="${GOPROXY:-https://proxy.golang.org}"
    proxy="${proxy%%[,|]*}"
    log "fetching the Go $wanted toolchain from $proxy"
    local tmp
    tmp="$(mktemp -d)"
    curl -fsSL -o "$tmp/go.zip" "$proxy/golang.org/toolchain/@v/v0.0.1-go$wanted.linux-$arch.zip"
    (cd "$tmp" && unzip -q go.zip)
    rm -rf "$toolchain"
    mkdir -p "$deps"
    mv "$tmp/golang.org/toolchain@v0.0.1-go$wanted.linux-$arch" "$toolchain"
    chmod -R u+w "$toolchain"
    rm -rf "$tmp"
  fi
  echo "$toolchain/bin/go"
}

install() {
  installed && return
  command -v unzip >/dev/null || { log "unzip is needed"; exit 1; }
  local go_cmd
  go_cmd="$(go_command)"
  log "downloading $module@$version from the Go module proxy"
  # The download is verified against the checksum database and cached; the command then refuses the module's go
  # directive when the local Go is older, which does not matter here: only the zip is used.
  local zip
  zip="$(GOTOOLCHAIN=local GOFLAGS=-mod=mod "$go_cmd" mod download -json "$module@$version" |
    sed -n 's/^[[:space:]]*"Zip": "\(.*\)",$/\1/p')" || true
  [ -f "$zip" ] || { log "the module proxy did not deliver $module@$version"; exit 1; }
  local build="$deps/build"
  rm -rf "$build"
  mkdir -p "$build" "$deps/bin"
  (cd "$build" && unzip -q "$zip" && chmod -R u+w .)
  local src="$build/$module@$version"
  (
    cd "$src"
    export GOTOOLCHAIN=local GOFLAGS=-mod=mod
    # The module asks for a patch release newer than a same-minor local Go; the code builds with either.
    "$go_cmd" mod edit -go="$("$go_cmd" env GOVERSION | sed 's/^go//')"
    # The proxy no longer serves two of the versions the module pins (retracted); the next patch releases build.
    "$go_cmd" get go.temporal.io/api@v1.64.3 github.com/labstack/echo/v4@v4.16.4
    log "building the UI server (a minute or two)"
    "$go_cmd" build -o "$binary" ./cmd/server
  )
  mkdir -p "$deps/config"
  # The module's own docker.yaml (every setting from an environment variable), bound to UI_IP instead of all
  # interfaces.
  sed 's/^port: /host: {{ env "TEMPORAL_UI_IP" | default "127.0.0.1" }}\nport: /' "$src/config/docker.yaml" \
    >"$deps/config/docker.yaml"
  echo "$version" >"$deps/bin/VERSION"
  rm -rf "$build"
  log "installed $binary ($version)"
}

running() {
  [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

start() {
  install
  mkdir -p "$dir"
  if running; then echo "ui server already running on http://$ip:$port (pid $(cat "$pidfile"))"; return; fi
  TEMPORAL_ADDRESS="$frontend" TEMPORAL_UI_IP="$ip" TEMPORAL_UI_PORT="$port" \
    TEMPORAL_DEFAULT_NAMESPACE="${UI_NAMESPACE:-default}" TEMPORAL_CORS_ORIGINS="http://$ip:$port" \
    TEMPORAL_CSRF_COOKIE_INSECURE=true TEMPORAL_DISABLE_NEWS_FETCH=true \
    nohup "$binary" --root "$deps" --config config --env docker start >"$logfile" 2>&1 &
  echo $! >"$pidfile"
  for _ in $(seq 1 100); do
    if curl -sf -o /dev/null "http://$ip:$port/"; then
      echo "ui server running on http://$ip:$port against $frontend (pid $(cat "$pidfile"))"
      return
    fi
    running || break
    sleep 0.1
  done
  echo "ui server did not start; see $logfile" >&2
  exit 1
}

stop() {
  if ! running; then echo "ui server not running on port $port"; return; fi
  local pid
  pid="$(cat "$pidfile")"
  kill "$pid"
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  rm -f "$pidfile"
  echo "ui server stopped"
}

status() {
  if running; then echo "ui server running on http://$ip:$port (pid $(cat "$pidfile"))"; else echo "ui server not running on port $port"; exit 3; fi
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  status) status ;;
  path) install >/dev/null && echo "$binary" ;;
  *) echo "usage: $0 install|start|stop|status|path" >&2; exit 2 ;;
esac
