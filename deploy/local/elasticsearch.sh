#!/usr/bin/env bash
# A single local Elasticsearch node for tests and start-dev: install | start | stop | status.
#
# There is no Debian package, so the build comes from Maven Central: Elastic publishes the "integ-test-zip"
# distribution there. It bundles no JDK;
# Elasticsearch 8.x runs on Java 17+, which is taken from ES_JAVA_HOME, JAVA_HOME or the machine's default java.
# Cached under .deps/elasticsearch (gitignored); data and logs under .data/elasticsearch.
set -euo pipefail

ES_VERSION="${ES_VERSION:-8.19.21}"
ES_PORT="${ES_PORT:-9200}"
ES_HEAP="${ES_HEAP:--Xms256m -Xmx512m}"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
DEPS_DIR="$ROOT/.deps/elasticsearch"
HOME_DIR="$DEPS_DIR/elasticsearch-$ES_VERSION"
DATA_DIR="$ROOT/.data/elasticsearch"
PID_FILE="$DATA_DIR/es.pid"
URL="http://127.0.0.1:$ES_PORT"
ARTIFACT="https://repo1.maven.org/maven2/org/elasticsearch/distribution/integ-test-zip/elasticsearch/$ES_VERSION/elasticsearch-$ES_VERSION.zip"

log() { printf '[elasticsearch] %s\n' "$*" >&2; }

java_home() {
  if [ -n "${ES_JAVA_HOME:-}" ]; then echo "$ES_JAVA_HOME"; return; fi
  if [ -n "${JAVA_HOME:-}" ]; then echo "$JAVA_HOME"; return; fi
  local java; java="$(command -v java || true)"
  if [ -z "$java" ]; then log "no java on PATH; install a JDK 17+ (apt-get install openjdk-17-jre-headless)"; exit 1; fi
  dirname "$(dirname "$(readlink -f "$java")")"
}

install() {
  if [ -x "$HOME_DIR/bin/elasticsearch" ]; then log "cached: $HOME_DIR"; return; fi
  mkdir -p "$DEPS_DIR"
  local zip="$DEPS_DIR/elasticsearch-$ES_VERSION.zip"
  log "downloading $ARTIFACT"
  curl -fsSL --retry 3 -o "$zip.part" "$ARTIFACT"
  curl -fsSL --retry 3 -o "$zip.sha1" "$ARTIFACT.sha1"
  echo "$(cat "$zip.sha1")  $zip.part" | sha1sum -c --quiet -
  mv "$zip.part" "$zip"
  rm -rf "$HOME_DIR" && (cd "$DEPS_DIR" && unzip -q "$zip")
  rm -f "$zip" "$zip.sha1"
  log "installed $HOME_DIR"
}

# Elasticsearch refuses to run as root; as root (CI containers) the node runs as a dedicated system user.
ES_USER="${ES_USER:-tempora-es}"
as_node_user() {
  if [ "$(id -u)" -ne 0 ]; then "$@"; return; fi
  id "$ES_USER" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$ES_USER"
  chown -R "$ES_USER" "$HOME_DIR" "$DATA_DIR"
  # That user must be able to pass through every directory above the checkout (mktemp -d makes them 0700).
  local dir="$ROOT"
  while [ "$dir" != / ]; do
    if [ -z "$(find "$dir" -maxdepth 0 -perm -o+x)" ]; then log "letting $ES_USER pass through $dir (chmod o+x)"; chmod o+x "$dir"; fi
    dir="$(dirname "$dir")"
  done
  runuser -u "$ES_USER" -- "$@"
}

is_running() { [ -f "$PID_FILE" ] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null; }

wait_healthy() {
  local deadline=$((SECONDS + ${ES_START_TIMEOUT:-180}))
  while ((SECONDS < deadline)); do
    if curl -fs "$URL/_cluster/health?wait_for_status=yellow&timeout=1s" >/dev/null 2>&1; then return 0; fi
    if ! is_running; then log "node exited; see $DATA_DIR/logs"; tail -n 40 "$DATA_DIR/logs/"*.log >&2 2>/dev/null || true; return 1; fi
    sleep 1
  done
  log "not healthy after ${ES_START_TIMEOUT:-180}s"; return 1
}

start() {
  install
  if is_running; then log "already running (pid $(cat "$PID_FILE")) on $URL"; return; fi
  mkdir -p "$DATA_DIR/data" "$DATA_DIR/logs" "$DATA_DIR/tmp"
  log "starting on $URL"
  local java_dir; java_dir="$(java_home)"
  # Builds that ship x-pack turn security (TLS + passwords) on by default: off for a loopback test node.
  local xpack=()
  if [ -d "$HOME_DIR/modules/x-pack-security" ]; then xpack+=(-E xpack.security.enabled=false); fi
  if [ -d "$HOME_DIR/modules/x-pack-ml" ]; then xpack+=(-E xpack.ml.enabled=false); fi
  if ! as_node_user env ES_JAVA_HOME="$java_dir" ES_JAVA_OPTS="$ES_HEAP" ES_TMPDIR="$DATA_DIR/tmp" \
    "$HOME_DIR/bin/elasticsearch" -d -p "$PID_FILE" \
    -E "cluster.name=tempora-local" -E "node.name=tempora-local" \
    -E "discovery.type=single-node" -E "network.host=127.0.0.1" -E "http.port=$ES_PORT" \
    -E "path.data=$DATA_DIR/data" -E "path.logs=$DATA_DIR/logs" \
    -E "cluster.routing.allocation.disk.threshold_enabled=false" -E "action.destructive_requires_name=false" "${xpack[@]}" \
    >"$DATA_DIR/logs/stdout.log" 2>&1; then
    log "failed to start:"; tail -n 40 "$DATA_DIR/logs/stdout.log" >&2; return 1
  fi
  wait_healthy
  log "ready (pid $(cat "$PID_FILE"))"
}

stop() {
  if ! is_running; then log "not running"; rm -f "$PID_FILE"; return; fi
  local pid; pid="$(cat "$PID_FILE")"
  kill "$pid"
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
  if kill -0 "$pid" 2>/dev/null; then log "still running after 60s; killing"; kill -9 "$pid"; fi
  rm -f "$PID_FILE"
  log "stopped"
}

status() {
  if is_running; then
    log "running (pid $(cat "$PID_FILE"))"
    curl -fs "$URL/_cluster/health?pretty" || true
  else
    log "not running"; return 1
  fi
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 install|start|stop|status" >&2; exit 2 ;;
esac
