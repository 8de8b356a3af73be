#!/usr/bin/env bash
# Apache Cassandra for local development and CI, without Docker or a Debian package: the server jars come from
# Maven Central (org.apache.cassandra:cassandra-all and its dependencies), cached under .deps/cassandra; one node
# listens on 127.0.0.1 with a small heap and keeps its data under .data/cassandra.
#
#   deploy/local/cassandra.sh install   fetch the jars once (needs mvn; installs it with apt when missing)
#   deploy/local/cassandra.sh start     install if needed, start in the background, wait until CQL answers
#   deploy/local/cassandra.sh wait      wait until CQL answers on the native port
#   deploy/local/cassandra.sh stop      stop the node started by `start`
#   deploy/local/cassandra.sh status    print running/stopped (exit 0 when running)
#
# Environment: CASSANDRA_VERSION (5.0.9), CASSANDRA_PORT (CQL, 9042), CASSANDRA_STORAGE_PORT (7000),
# CASSANDRA_HEAP (768m), CASSANDRA_WAIT_SECONDS (180).
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
version="${CASSANDRA_VERSION:-5.0.9}"
cql_port="${CASSANDRA_PORT:-9042}"
storage_port="${CASSANDRA_STORAGE_PORT:-7000}"
heap="${CASSANDRA_HEAP:-768m}"
wait_seconds="${CASSANDRA_WAIT_SECONDS:-180}"
home="$root/.deps/cassandra/$version"
data="$root/.data/cassandra"
pid_file="$data/cassandra.pid"
log_file="$data/cassandra.log"

log() { printf 'cassandra: %s\n' "$*" >&2; }

apt_install() {
  log "installing $* with apt"
  local sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q "$@"
}

install() {
  command -v java >/dev/null || apt_install openjdk-17-jre-headless
  if [ -f "$home/.installed" ]; then return; fi
  command -v mvn >/dev/null || apt_install maven
  mkdir -p "$home/lib"
  cat >"$home/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>tempora.local</groupId>
  <artifactId>cassandra-runtime</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.cassandra</groupId>
      <artifactId>cassandra-all</artifactId>
      <version>$version</version>
    </dependency>
  </dependencies>
</project>
POM
  log "fetching cassandra-all $version and its dependencies from Maven Central"
  (cd "$home" && mvn -q -B -Dmaven.repo.local="$root/.deps/maven-repository" \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$home/lib")
  touch "$home/.installed"
}

is_running() {
  [ -f "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null
}

cql_answers() {
  # A CQL OPTIONS frame (protocol v4); the node answers with a SUPPORTED frame (opcode 0x06).
  node -e '
    const s = require("net").connect(+process.argv[1], "127.0.0.1");
    const done = (ok) => { s.destroy(); process.exit(ok ? 0 : 1); };
    s.setTimeout(2000, () => done(false));
    s.on("error", () => done(false));
    s.on("connect", () => s.write(Buffer.from([4, 0, 0, 1, 5, 0, 0, 0, 0])));
    s.on("data", (b) => done(b.length >= 5 && b[4] === 6));
  ' "$cql_port"
}

wait_for_cql() {
  local deadline=$((SECONDS + wait_seconds))
  until cql_answers; do
    if ! is_running; then log "the node exited; last log lines:"; tail -n 40 "$log_file" >&2 || true; exit 1; fi
    if ((SECONDS >= deadline)); then log "CQL did not answer on $cql_port within ${wait_seconds}s"; exit 1; fi
    sleep 1
  done
  log "CQL answers on 127.0.0.1:$cql_port"
}

write_config() {
  mkdir -p "$data/conf"
  cat >"$data/conf/cassandra.yaml" <<YAML
cluster_name: tempora-local
num_tokens: 1
initial_token: 0
auto_bootstrap: false
partitioner: org.apache.cassandra.dht.Murmur3Partitioner
endpoint_snitch: SimpleSnitch
seed_provider:
  - class_name: org.apache.cassandra.locator.SimpleSeedProvider
    parameters:
      - seeds: "127.0.0.1:$storage_port"
listen_address: 127.0.0.1
rpc_address: 127.0.0.1
storage_port: $storage_port
native_transport_port: $cql_port
start_native_transport: true
data_file_directories: [$data/data]
commitlog_directory: $data/commitlog
saved_caches_directory: $data/saved_caches
hints_directory: $data/hints
cdc_raw_directory: $data/cdc_raw
commitlog_sync: periodic
commitlog_sync_period: 10000ms
commitlog_segment_size: 32MiB
memtable_allocation_type: heap_buffers
concurrent_compactors: 1
key_cache_size: 16MiB
authenticator: AllowAllAuthenticator
authorizer: AllowAllAuthorizer
disk_failure_policy: stop
commit_failure_policy: stop
# Paxos v2: fewer round trips per lightweight transaction, and better behaviour under contention.
paxos_variant: v2
YAML
  cat >"$data/conf/logback.xml" <<XML
<configuration>
  <appender name="STDOUT" class="ch.qos.logback.core.ConsoleAppender">
    <encoder><pattern>%-5level %date{ISO8601} %logger{0}: %msg%n</pattern></encoder>
  </appender>
  <root level="WARN"><appender-ref ref="STDOUT"/></root>
  <logger name="org.apache.cassandra.service.CassandraDaemon" level="INFO"/>
  <logger name="org.apache.cassandra.transport.Server" level="INFO"/>
</configuration>
XML
}

start() {
  if is_running; then log "already running (pid $(cat "$pid_file"))"; wait_for_cql; return; fi
  # Another checkout's node on the same port serves just as well (tests use keyspaces of their own).
  if cql_answers; then log "a Cassandra not started here already answers on $cql_port; using it"; return; fi
  install
  write_config
  local jvm_opens=()
  for module in java.lang.module jdk.internal.loader jdk.internal.ref jdk.internal.reflect jdk.internal.math \
    jdk.internal.module jdk.internal.util.jar sun.nio.ch java.io java.nio java.util.concurrent java.util \
    java.util.concurrent.atomic java.lang java.math java.lang.reflect java.net; do
    jvm_opens+=(--add-opens "java.base/$module=ALL-UNNAMED")
  done
  jvm_opens+=(--add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED)
  for export in java.base/jdk.internal.misc java.base/jdk.internal.ref java.base/sun.nio.ch java.base/java.lang.ref \
    java.rmi/sun.rmi.registry java.rmi/sun.rmi.server java.sql/java.sql jdk.unsupported/sun.misc \
    java.management.rmi/com.sun.jmx.remote.internal.rmi; do
    jvm_opens+=(--add-exports "$export=ALL-UNNAMED")
  done
  local agent=()
  local jamm; jamm="$(ls "$home"/lib/jamm-*.jar 2>/dev/null | head -n 1 || true)"
  [ -n "$jamm" ] && agent=("-javaagent:$jamm")
  log "starting Cassandra $version on 127.0.0.1:$cql_port (heap $heap, data $data)"
  # Single node, nothing to gossip with: skip the ring and gossip settle waits that make a normal start slow.
  nohup java -Xms256m "-Xmx$heap" -Xss512k -XX:+UseG1GC -XX:+ExitOnOutOfMemoryError \
    -XX:TieredStopAtLevel=1 -Djdk.attach.allowAttachSelf=true "${agent[@]}" "${jvm_opens[@]}" \
    -Dcassandra.config="file://$data/conf/cassandra.yaml" -Dlogback.configurationFile="$data/conf/logback.xml" \
    -Dcassandra.storagedir="$data" -Dcassandra.skip_wait_for_gossip_to_settle=0 -Dcassandra.ring_delay_ms=0 \
    -Dcassandra.superuser_setup_delay_ms=0 -Dcassandra.load_ring_state=false -Dcassandra.initial_token=0 \
    -Dcassandra-foreground=yes -cp "$home/lib/*" org.apache.cassandra.service.CassandraDaemon \
    >"$log_file" 2>&1 </dev/null &
  echo $! >"$pid_file"
  wait_for_cql
}

stop() {
  if ! is_running; then log "not running"; rm -f "$pid_file"; return; fi
  local pid; pid="$(cat "$pid_file")"
  kill "$pid"
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then log "still running after 30s; killing"; kill -9 "$pid"; fi
  rm -f "$pid_file"
  log "stopped"
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  wait) wait_for_cql ;;
  stop) stop ;;
  status) if is_running; then echo "running (pid $(cat "$pid_file"))"; else echo "stopped"; exit 1; fi ;;
  *) echo "usage: $0 install|start|wait|stop|status" >&2; exit 2 ;;
esac
