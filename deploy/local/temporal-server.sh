#!/usr/bin/env bash
# The upstream Temporal server (Go, go.temporal.io/server) on the local Cassandra, as the benchmark's baseline:
# all four services in one process, 4 history shards, a fresh keyspace per start, visibility in in-memory SQLite
# (Cassandra cannot be a visibility store in 1.32), everything bound to 127.0.0.1.
# Built from the Go module proxy; the Go toolchain it asks for, the module and build caches and the binaries are
# cached under .deps/ (gitignored); the running instance's config, pid, keyspace name and log under .data/.
#
#   deploy/local/temporal-server.sh install   build bin/server and the schema tool once (several minutes on 2 cores)
#   deploy/local/temporal-server.sh start     install if needed, create a fresh keyspace with the schema tool, write
#                                             the config from temporal-server.yaml, start, wait until the frontend
#                                             answers, register namespace "default"; prints the frontend address
#   deploy/local/temporal-server.sh stop      stop the server started by `start` and drop its keyspace
#   deploy/local/temporal-server.sh status    print running/stopped (exit 0 when running)
#
# Environment: TEMPORAL_SERVER_VERSION (1.32.2), TEMPORAL_SERVER_TOOLCHAIN (go1.26.10, the Go that version asks
# for), TEMPORAL_SERVER_PORT (frontend gRPC, 29233; 0 = a free port), TEMPORAL_SERVER_METRICS_PORT (Prometheus
# /metrics, 29290; 0 = a free port), TEMPORAL_SERVER_DATA (state directory, .data/temporal-server),
# TEMPORAL_SERVER_KEYSPACE (temporal_upstream_<time>), CASSANDRA_HOST (127.0.0.1), CASSANDRA_PORT (9042),
# TEMPORAL_SERVER_WAIT_SECONDS (120). The other ports (membership, HTTP, internal gRPC) are always free ports.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
here="$root/deploy/local"
version="${TEMPORAL_SERVER_VERSION:-1.32.2}"
toolchain="${TEMPORAL_SERVER_TOOLCHAIN:-go1.26.10}"
home="$root/.deps/temporal-server/$version"
go_cache="$root/.deps/go"
data="${TEMPORAL_SERVER_DATA:-$root/.data/temporal-server}"
cassandra_host="${CASSANDRA_HOST:-127.0.0.1}"
cassandra_port="${CASSANDRA_PORT:-9042}"
wait_seconds="${TEMPORAL_SERVER_WAIT_SECONDS:-120}"
pid_file="$data/server.pid"
log_file="$data/server.log"

log() { printf 'temporal-server: %s\n' "$*" >&2; }

install() {
  if [ -f "$home/.installed" ]; then return; fi
  command -v go >/dev/null || { log "needs a Go toolchain on PATH (any version: it fetches $toolchain itself)"; exit 1; }
  mkdir -p "$home/bin"
  log "building go.temporal.io/server v$version with $toolchain (module proxy: $(go env GOPROXY))"
  # -modcacherw keeps the module cache deletable; GOTOOLCHAIN fetches the Go release this server version requires.
  (
    export GOTOOLCHAIN="$toolchain" GOMODCACHE="$go_cache/mod" GOCACHE="$go_cache/build" GOFLAGS=-modcacherw \
      GOBIN="$home/bin"
    go install "go.temporal.io/server/cmd/server@v$version"
    go install "go.temporal.io/server/cmd/tools/cassandra@v$version"
    rm -rf "$home/schema"
    cp -r "$GOMODCACHE/go.temporal.io/server@v$version/schema/cassandra/temporal" "$home/schema"
    chmod -R u+w "$home/schema"
  )
  touch "$home/.installed"
  log "installed $home/bin/server and $home/bin/cassandra"
}

is_running() { [ -f "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null; }

free_port() {
  node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

port_or_free() { if [ "$1" = 0 ]; then free_port; else echo "$1"; fi; }

# The schema tool logs every statement; that goes to a file, shown only when the tool fails.
schema_tool() {
  if ! "$home/bin/cassandra" --ep "$cassandra_host" -p "$cassandra_port" "$@" >>"$data/schema.log" 2>&1; then
    log "schema tool failed: $*; last lines of $data/schema.log:"; tail -n 20 "$data/schema.log" >&2; return 1
  fi
}

drop_keyspace() {
  [ -f "$data/keyspace" ] || return 0
  local keyspace; keyspace="$(cat "$data/keyspace")"
  schema_tool drop-keyspace -f -k "$keyspace" && log "dropped keyspace $keyspace"
  rm -f "$data/keyspace"
}

start() {
  if is_running; then log "already running (pid $(cat "$pid_file"))"; cat "$data/frontend"; return; fi
  install
  mkdir -p "$data"
  drop_keyspace # a keyspace left by a server that died without `stop`
  local keyspace="${TEMPORAL_SERVER_KEYSPACE:-temporal_upstream_$(date +%s)_$$}"
  log "creating keyspace $keyspace on $cassandra_host:$cassandra_port"
  echo "$keyspace" >"$data/keyspace"
  schema_tool create-keyspace -k "$keyspace" --rf 1
  schema_tool -k "$keyspace" setup-schema -v 0.0
  schema_tool -k "$keyspace" update-schema -d "$home/schema/versioned"

  local frontend metrics
  frontend="$(port_or_free "${TEMPORAL_SERVER_PORT:-29233}")"
  metrics="$(port_or_free "${TEMPORAL_SERVER_METRICS_PORT:-29290}")"
  local -A ports=()
  for name in FRONTEND_HTTP FRONTEND_MEMBERSHIP HISTORY_GRPC HISTORY_MEMBERSHIP MATCHING_GRPC MATCHING_MEMBERSHIP \
    WORKER_GRPC WORKER_MEMBERSHIP; do
    ports[$name]="$(free_port)"
  done
  sed -e "s|__FRONTEND_HTTP__|${ports[FRONTEND_HTTP]}|g" "$here/temporal-server-dynamicconfig.yaml" \
    >"$data/dynamicconfig.yaml"
  sed -e "s|__KEYSPACE__|$keyspace|" -e "s|__CASSANDRA_HOST__|$cassandra_host|" \
    -e "s|__CASSANDRA_PORT__|$cassandra_port|" -e "s|__DYNAMIC_CONFIG__|$data/dynamicconfig.yaml|" \
    -e "s|__FRONTEND_GRPC__|$frontend|g" -e "s|__METRICS__|$metrics|" \
    -e "s|__FRONTEND_HTTP__|${ports[FRONTEND_HTTP]}|g" -e "s|__FRONTEND_MEMBERSHIP__|${ports[FRONTEND_MEMBERSHIP]}|" \
    -e "s|__HISTORY_GRPC__|${ports[HISTORY_GRPC]}|" -e "s|__HISTORY_MEMBERSHIP__|${ports[HISTORY_MEMBERSHIP]}|" \
    -e "s|__MATCHING_GRPC__|${ports[MATCHING_GRPC]}|" -e "s|__MATCHING_MEMBERSHIP__|${ports[MATCHING_MEMBERSHIP]}|" \
    -e "s|__WORKER_GRPC__|${ports[WORKER_GRPC]}|" -e "s|__WORKER_MEMBERSHIP__|${ports[WORKER_MEMBERSHIP]}|" \
    "$here/temporal-server.yaml" >"$data/config.yaml"
  echo "127.0.0.1:$frontend" >"$data/frontend"
  echo "127.0.0.1:$metrics" >"$data/metrics"

  log "starting Temporal server v$version (frontend 127.0.0.1:$frontend, metrics 127.0.0.1:$metrics, log $log_file)"
  nohup "$home/bin/server" --config-file "$data/config.yaml" --allow-no-auth start >"$log_file" 2>&1 </dev/null &
  echo $! >"$pid_file"

  # The frontend accepts the namespace only once all four services have joined the ring.
  local deadline=$((SECONDS + wait_seconds))
  until temporal operator namespace create -n default --address "127.0.0.1:$frontend" >/dev/null 2>&1 ||
    temporal operator namespace describe -n default --address "127.0.0.1:$frontend" >/dev/null 2>&1; do
    if ! is_running; then log "the server exited; last log lines:"; tail -n 40 "$log_file" >&2 || true; exit 1; fi
    if ((SECONDS >= deadline)); then log "the frontend did not answer within ${wait_seconds}s"; exit 1; fi
    sleep 1
  done
  log "ready; namespace default registered"
  echo "127.0.0.1:$frontend"
}

stop() {
  if is_running; then
    local pid; pid="$(cat "$pid_file")"
    kill "$pid"
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$pid" 2>/dev/null; then log "still running after 20s; killing"; kill -9 "$pid"; fi
    log "stopped"
  else
    log "not running"
  fi
  rm -f "$pid_file"
  drop_keyspace
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  status) if is_running; then echo "running (pid $(cat "$pid_file"), $(cat "$data/frontend"))"; else echo "stopped"; exit 1; fi ;;
  *) echo "usage: $0 install|start|stop|status" >&2; exit 2 ;;
esac
