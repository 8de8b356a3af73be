#!/usr/bin/env bash
# A private Prometheus for the metrics tests and for looking at a local Tempora: Debian's `prometheus` package,
# unpacked (not installed: no system service, nothing listening on 9090) under .deps/prometheus, run on 127.0.0.1
# with a generated config and its data under .data/prometheus.
#   deploy/local/prometheus.sh install|start|stop|status|path
#     start scrapes PROMETHEUS_TARGETS (comma-separated host:port, default 127.0.0.1:9090 = start-dev --metrics-port)
#     on PROMETHEUS_PORT (default 9190)
# tests/src/metrics.test.ts runs its own Prometheus from this binary (TEMPORA_TEST_PROMETHEUS=$(prometheus.sh path)).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
port="${PROMETHEUS_PORT:-9190}"
targets="${PROMETHEUS_TARGETS:-127.0.0.1:9090}"
deps="$root/.deps/prometheus"
dir="$root/.data/prometheus"
pidfile="$dir/prometheus-$port.pid"
logfile="$dir/prometheus-$port.log"

binary() {
  if [ -x "$deps/usr/bin/prometheus" ]; then echo "$deps/usr/bin/prometheus"; return; fi
  command -v prometheus 2>/dev/null || true
}

install() {
  [ -n "$(binary)" ] && return
  local sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  mkdir -p "$deps"
  local tmp
  tmp="$(mktemp -d)"
  if ! (cd "$tmp" && apt-get download prometheus >/dev/null 2>&1); then
    $sudo_cmd apt-get update -q
    (cd "$tmp" && apt-get download prometheus)
  fi
  dpkg-deb -x "$tmp"/prometheus_*.deb "$deps"
  rm -rf "$tmp"
  "$deps/usr/bin/prometheus" --version | head -1
}

running() {
  [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

start() {
  install
  mkdir -p "$dir/data"
  if running; then echo "prometheus already running on 127.0.0.1:$port (pid $(cat "$pidfile"))"; return; fi
  local list
  list="$(echo "$targets" | sed "s/[^,][^,]*/'&'/g")"
  cat >"$dir/prometheus.yml" <<YAML
global: { scrape_interval: 5s, evaluation_interval: 5s }
scrape_configs:
  - job_name: tempora
    static_configs: [{ targets: [$list] }]
YAML
  nohup "$(binary)" --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/data" \
    --web.listen-address="127.0.0.1:$port" >"$logfile" 2>&1 &
  echo $! >"$pidfile"
  for _ in $(seq 1 100); do
    if curl -sf "http://127.0.0.1:$port/-/ready" >/dev/null 2>&1; then
      echo "prometheus running on 127.0.0.1:$port scraping $targets (pid $(cat "$pidfile"))"
      return
    fi
    sleep 0.1
  done
  echo "prometheus did not start; see $logfile" >&2
  exit 1
}

stop() {
  if ! running; then echo "prometheus not running on port $port"; return; fi
  local pid
  pid="$(cat "$pidfile")"
  kill "$pid"
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  rm -f "$pidfile"
  echo "prometheus stopped"
}

status() {
  if running; then echo "prometheus running on 127.0.0.1:$port (pid $(cat "$pidfile"))"; else echo "prometheus not running on port $port"; exit 3; fi
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  status) status ;;
  path) install >/dev/null && binary ;;
  *) echo "usage: $0 install|start|stop|status|path" >&2; exit 2 ;;
esac
