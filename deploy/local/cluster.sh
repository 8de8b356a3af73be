#!/usr/bin/env bash
# A local cluster, each service its own process: 1 frontend (7233), 2 history (7234, 7244), 2 matching (7235, 7245),
# 1 worker (7239), sharing one SQLite file and the private Redis (deploy/local/redis.sh). Logs and pids are under
# .data/cluster. Build first (pnpm install).
#   deploy/local/cluster.sh start|stop|status
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
dir="$root/.data/cluster"
config="$root/deploy/local/cluster.yaml"
cli="$root/packages/cli/dist/tempora.js"
# name service port
members=(
  "frontend-1 frontend 7233"
  "history-1 history 7234"
  "history-2 history 7244"
  "matching-1 matching 7235"
  "matching-2 matching 7245"
  "worker-1 worker 7239"
)

running() {
  [ -f "$dir/$1.pid" ] && kill -0 "$(cat "$dir/$1.pid")" 2>/dev/null
}

start() {
  [ -f "$cli" ] || { echo "build first: pnpm install" >&2; exit 1; }
  mkdir -p "$dir"
  deploy/local/redis.sh start
  for member in "${members[@]}"; do
    read -r name service port <<<"$member"
    if running "$name"; then echo "$name already running (pid $(cat "$dir/$name.pid"))"; continue; fi
    : >"$dir/$name.log"
    nohup node "$cli" start --config "$config" --services "$service" --grpc-port "$port" >>"$dir/$name.log" 2>&1 &
    echo $! >"$dir/$name.pid"
    for _ in $(seq 1 300); do
      grep -q 'Tempora started' "$dir/$name.log" && break
      if ! running "$name"; then echo "$name failed to start:" >&2; tail -20 "$dir/$name.log" >&2; exit 1; fi
      sleep 0.1
    done
    grep -q 'Tempora started' "$dir/$name.log" || { echo "$name did not start in 30 s; see $dir/$name.log" >&2; exit 1; }
    echo "$name ($service) on 127.0.0.1:$port, pid $(cat "$dir/$name.pid")"
  done
  echo "cluster ready: frontend at 127.0.0.1:7233 (tempora admin membership)"
}

stop() {
  # SIGTERM drains each process (leaves the ring, hands its shards and queues over) before it exits.
  for ((i = ${#members[@]} - 1; i >= 0; i--)); do
    read -r name _ _ <<<"${members[$i]}"
    running "$name" || continue
    local pid
    pid="$(cat "$dir/$name.pid")"
    kill -TERM "$pid"
    for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid"; fi
    rm -f "$dir/$name.pid"
    echo "$name stopped"
  done
  deploy/local/redis.sh stop
}

status() {
  local down=0
  for member in "${members[@]}"; do
    read -r name service port <<<"$member"
    if running "$name"; then echo "$name ($service) running on 127.0.0.1:$port, pid $(cat "$dir/$name.pid")"
    else echo "$name ($service) not running"; down=1; fi
  done
  deploy/local/redis.sh status || down=1
  return $down
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
