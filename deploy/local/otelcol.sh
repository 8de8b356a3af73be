#!/usr/bin/env bash
# A private OpenTelemetry Collector for the telemetry tests and for looking at what a local Tempora sends: our own
# minimal build (deploy/local/otelcol: the collector's OTLP receiver and file exporter, pinned in its go.mod) from
# the Go module proxy into .deps/otelcol (about 3 minutes on 2 cores, then cached), run on 127.0.0.1 only. It writes
# every span and metric it receives as OTLP JSON lines under .data/otelcol.
#   deploy/local/otelcol.sh install|start|stop|status|path
#     ports: OTELCOL_GRPC_PORT (4317), OTELCOL_HTTP_PORT (4318)
# Point Tempora at it with OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 (docs/operations.md, "Traces").
# tests/src/tracing.test.ts runs its own collector from this binary (TEMPORA_TEST_OTELCOL=$(otelcol.sh path)).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
src="$root/deploy/local/otelcol"
grpc_port="${OTELCOL_GRPC_PORT:-4317}"
http_port="${OTELCOL_HTTP_PORT:-4318}"
deps="$root/.deps/otelcol"
dir="$root/.data/otelcol"
pidfile="$dir/otelcol-$http_port.pid"
logfile="$dir/otelcol-$http_port.log"

binary() {
  # Rebuilt when its sources change (the stamp is the hash of main.go, go.mod and go.sum).
  local stamp
  stamp="$(cat "$src/main.go" "$src/go.mod" "$src/go.sum" | sha256sum | cut -c1-16)"
  if [ -x "$deps/tempora-otelcol" ] && [ "$(cat "$deps/stamp" 2>/dev/null)" = "$stamp" ]; then
    echo "$deps/tempora-otelcol"
  fi
}

install() {
  [ -n "$(binary)" ] && return
  command -v go >/dev/null || { echo "go is needed to build the collector" >&2; exit 1; }
  mkdir -p "$deps"
  local start=$SECONDS
  (cd "$src" && GOFLAGS=-mod=mod go build -trimpath -o "$deps/tempora-otelcol" .)
  cat "$src/main.go" "$src/go.mod" "$src/go.sum" | sha256sum | cut -c1-16 >"$deps/stamp"
  echo "otelcol built in $((SECONDS - start)) s: $("$deps/tempora-otelcol" --version)"
}

running() {
  [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

start() {
  install
  mkdir -p "$dir"
  if running; then echo "otelcol already running (pid $(cat "$pidfile"))"; return; fi
  cat >"$dir/otelcol-$http_port.yaml" <<YAML
receivers:
  otlp:
    protocols:
      grpc: { endpoint: 127.0.0.1:$grpc_port }
      http: { endpoint: 127.0.0.1:$http_port }
exporters:
  file/traces: { path: $dir/traces.jsonl, flush_interval: 200ms }
  file/metrics: { path: $dir/metrics.jsonl, flush_interval: 200ms }
service:
  pipelines:
    traces: { receivers: [otlp], exporters: [file/traces] }
    metrics: { receivers: [otlp], exporters: [file/metrics] }
YAML
  nohup "$(binary)" --config "$dir/otelcol-$http_port.yaml" >"$logfile" 2>&1 &
  echo $! >"$pidfile"
  for _ in $(seq 1 100); do
    if curl -s -o /dev/null -X POST -H 'content-type: application/json' -d '{}' "http://127.0.0.1:$http_port/v1/traces"; then
      echo "otelcol on 127.0.0.1:$grpc_port (gRPC) and :$http_port (HTTP), writing $dir/{traces,metrics}.jsonl"
      return
    fi
    running || { cat "$logfile" >&2; exit 1; }
    sleep 0.1
  done
  echo "otelcol did not answer; see $logfile" >&2
  exit 1
}

stop() {
  if running; then kill "$(cat "$pidfile")" && rm -f "$pidfile" && echo "otelcol stopped"; else echo "otelcol not running"; fi
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  status) if running; then echo "running (pid $(cat "$pidfile"))"; else echo "not running"; exit 1; fi ;;
  path) install >&2; binary ;;
  *) echo "usage: $0 install|start|stop|status|path" >&2; exit 2 ;;
esac
