#!/usr/bin/env bash
# A private Redis for cluster membership on this machine: installed from apt when missing, run on 127.0.0.1 with
# its own port, pid file and directory under .data/redis (never the system service), no persistence (membership
# is soft state that members re-register within a heartbeat).
#   deploy/local/redis.sh install|start|stop|status      port: REDIS_PORT (default 6479, clear of a system redis on 6379)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
port="${REDIS_PORT:-6479}"
dir="$root/.data/redis"
pidfile="$dir/redis-$port.pid"
logfile="$dir/redis-$port.log"

install() {
  command -v redis-server >/dev/null && return
  local sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q --no-install-recommends redis-server
}

running() {
  [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

start() {
  install
  mkdir -p "$dir"
  if running; then echo "redis already running on 127.0.0.1:$port (pid $(cat "$pidfile"))"; return; fi
  redis-server --bind 127.0.0.1 --port "$port" --dir "$dir" --pidfile "$pidfile" --logfile "$logfile" \
    --daemonize yes --save '' --appendonly no --protected-mode yes
  for _ in $(seq 1 50); do
    if redis-cli -p "$port" ping 2>/dev/null | grep -q PONG; then
      echo "redis running on 127.0.0.1:$port (pid $(cat "$pidfile"))"
      return
    fi
    sleep 0.1
  done
  echo "redis did not start; see $logfile" >&2
  exit 1
}

stop() {
  if ! running; then echo "redis not running on port $port"; return; fi
  local pid
  pid="$(cat "$pidfile")"
  kill "$pid"
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  rm -f "$pidfile"
  echo "redis stopped"
}

status() {
  if running; then echo "redis running on 127.0.0.1:$port (pid $(cat "$pidfile"))"; else echo "redis not running on port $port"; exit 3; fi
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 install|start|stop|status" >&2; exit 2 ;;
esac
