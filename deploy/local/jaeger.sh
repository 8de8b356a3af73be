#!/usr/bin/env bash
# A private Jaeger (v2 all-in-one, in-memory storage) for the tracing tests and for looking at a local Tempora's
# traces: built once from the Go module proxy into .deps/jaeger (a long build: more than 50 minutes on the
# shared 2-core machine, then cached), run on 127.0.0.1 only
# with a generated config and its log and pid under .data/jaeger.
#   deploy/local/jaeger.sh install|start|stop|status|path
#     ports: JAEGER_OTLP_GRPC_PORT (4317), JAEGER_OTLP_HTTP_PORT (4318), JAEGER_QUERY_PORT (16686, UI and HTTP API)
# Point Tempora at it with OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 (docs/operations.md, "Traces").
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
version="v1.76.0"
grpc_port="${JAEGER_OTLP_GRPC_PORT:-4317}"
http_port="${JAEGER_OTLP_HTTP_PORT:-4318}"
query_port="${JAEGER_QUERY_PORT:-16686}"
deps="$root/.deps/jaeger"
dir="$root/.data/jaeger"
pidfile="$dir/jaeger-$query_port.pid"
logfile="$dir/jaeger-$query_port.log"

binary() {
  if [ -x "$deps/jaeger" ]; then echo "$deps/jaeger"; return; fi
  command -v jaeger 2>/dev/null || true
}

install() {
  [ -n "$(binary)" ] && return
  command -v go >/dev/null || { echo "go is needed to build jaeger" >&2; exit 1; }
  # cmd/jaeger's module has a replace directive, so `go install pkg@version` refuses it: build it as a tool of a
  # throwaway module instead (the replace only pins a Kafka client the memory storage does not use).
  local mod="$deps/mod"
  mkdir -p "$mod"
  if [ ! -f "$mod/go.mod" ]; then (cd "$mod" && go mod init tempora-jaeger-tool >/dev/null 2>&1); fi
  local start=$SECONDS
  (cd "$mod" && GOFLAGS=-mod=mod go get -tool "github.com/jaegertracing/jaeger/cmd/jaeger@$version" &&
    GOFLAGS=-mod=mod GOBIN="$deps" go install tool)
  echo "jaeger $version built in $((SECONDS - start)) s"
}

running() {
  [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

config() {
  cat <<YAML
service:
  extensions: [jaeger_storage, jaeger_query]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [jaeger_storage_exporter]
  telemetry:
    logs: { level: warn }
    metrics: { level: none }
extensions:
  jaeger_query:
    storage: { traces: memstore }
    http: { endpoint: 127.0.0.1:$query_port }
    grpc: { endpoint: 127.0.0.1:$((query_port - 1)) }
  jaeger_storage:
    backends:
      memstore:
        memory: { max_traces: 100000 }
receivers:
  otlp:
    protocols:
      grpc: { endpoint: 127.0.0.1:$grpc_port }
      http: { endpoint: 127.0.0.1:$http_port }
processors:
  batch: { timeout: 200ms }
exporters:
  jaeger_storage_exporter:
    trace_storage: memstore
YAML
}

start() {
  install
  mkdir -p "$dir"
  if running; then echo "jaeger already running, query on 127.0.0.1:$query_port (pid $(cat "$pidfile"))"; return; fi
  config >"$dir/jaeger-$query_port.yaml"
  nohup "$(binary)" --config "$dir/jaeger-$query_port.yaml" >"$logfile" 2>&1 &
  echo $! >"$pidfile"
  for _ in $(seq 1 100); do
    if curl -sf "http://127.0.0.1:$query_port/api/services" >/dev/null 2>&1; then
      echo "jaeger running: OTLP grpc 127.0.0.1:$grpc_port, http 127.0.0.1:$http_port, query http://127.0.0.1:$query_port (pid $(cat "$pidfile"))"
      return
    fi
    if ! running; then break; fi
    sleep 0.2
  done
  echo "jaeger did not start; see $logfile" >&2
  exit 1
}

stop() {
  if ! running; then echo "jaeger not running on port $query_port"; return; fi
  local pid
  pid="$(cat "$pidfile")"
  kill "$pid"
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  rm -f "$pidfile"
  echo "jaeger stopped"
}

status() {
  if running; then echo "jaeger running, query on 127.0.0.1:$query_port (pid $(cat "$pidfile"))"; else echo "jaeger not running on port $query_port"; exit 3; fi
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  status) status ;;
  path) binary ;;
  *) echo "usage: $0 install|start|stop|status|path" >&2; exit 2 ;;
esac
