#!/usr/bin/env bash
# Local services for GlobalCart 360: PostgreSQL, the Tansu Kafka-compatible broker, Prometheus.
#
#   deploy/scripts/services.sh postgres      start PostgreSQL on 127.0.0.1:5432, create the database
#   deploy/scripts/services.sh tansu         make sure the `tansu` binary is installed
#   deploy/scripts/services.sh broker-demo   Tansu on 127.0.0.1:9092, sqlite storage in data/tansu/
#   deploy/scripts/services.sh broker-test   Tansu on 127.0.0.1:9192, in-memory storage
#   deploy/scripts/services.sh prometheus    make sure `prometheus` and `promtool` are installed (not started)
#   deploy/scripts/services.sh stop          stop the brokers this script started
#   deploy/scripts/services.sh status        show what is running
#
# Idempotent and non-interactive: every subcommand is a no-op when the service is already up.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/globalcart}"
TANSU_VERSION="${TANSU_VERSION:-0.6.0}"
TANSU_FEATURES="dynostore,libsql"
PG_HOST=127.0.0.1
PG_PORT=5432

export DEBIAN_FRONTEND=noninteractive
# cargo and cargo-installed binaries (tansu) live in ~/.cargo/bin
if [[ -f "$HOME/.cargo/env" ]]; then
  # shellcheck disable=SC1091
  source "$HOME/.cargo/env"
fi
case ":$PATH:" in *":$HOME/.cargo/bin:"*) ;; *) PATH="$HOME/.cargo/bin:$PATH" ;; esac

log() { printf '[services] %s\n' "$*"; }
die() { printf '[services] ERROR: %s\n' "$*" >&2; exit 1; }

# Run a command as root (directly when we are root, else through sudo -n).
as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo -n "$@"; fi
}

# True when something accepts TCP connections on host:port.
port_open() {
  timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" </dev/null >/dev/null 2>&1
}

# ---------------------------------------------------------------- PostgreSQL

pg_version() {
  # newest installed cluster version, e.g. 15
  ls /etc/postgresql 2>/dev/null | sort -V | tail -1
}

pg_psql() {
  psql -X -q -v ON_ERROR_STOP=1 -h "$PG_HOST" -p "$PG_PORT" -U postgres "$@" </dev/null
}

ensure_pg_trust() {
  if pg_psql -d postgres -tAc 'select 1' >/dev/null 2>&1; then
    return 0
  fi
  local ver hba
  ver="$(pg_version)"
  [[ -n "$ver" ]] || die "cannot connect as postgres@$PG_HOST:$PG_PORT and no /etc/postgresql cluster to configure"
  hba="/etc/postgresql/$ver/main/pg_hba.conf"
  log "psql -h $PG_HOST -U postgres failed; enabling trust auth for local TCP in $hba"
  if ! as_root grep -q '^host all all 127.0.0.1/32 trust # globalcart' "$hba"; then
    as_root sed -i '1i host all all 127.0.0.1/32 trust # globalcart\nhost all all ::1/128 trust # globalcart' "$hba"
  fi
  as_root pg_ctlcluster --skip-systemctl-redirect "$ver" main reload
  sleep 1
  pg_psql -d postgres -tAc 'select 1' >/dev/null 2>&1 \
    || die "still cannot connect as postgres@$PG_HOST:$PG_PORT after enabling trust auth"
}

ensure_database() {
  # database name and server part of DATABASE_URL (postgres://user@host:port/dbname?params)
  local url="${DATABASE_URL%%\?*}" db server
  db="${url##*/}"
  server="${url%/*}"
  [[ -n "$db" && "$db" != "$url" && "$server" == *://* ]] || { log "cannot parse DATABASE_URL ($DATABASE_URL); skipping database creation"; return 0; }
  [[ "$db" =~ ^[A-Za-z0-9_]+$ ]] || { log "database name '$db' is not a plain identifier; skipping creation"; return 0; }
  if [[ "$(psql -X -tA -d "$server/postgres" -c "select 1 from pg_database where datname = '$db'" </dev/null)" == 1 ]]; then
    log "database '$db' exists"
  else
    psql -X -q -v ON_ERROR_STOP=1 -d "$server/postgres" -c "create database \"$db\"" </dev/null
    log "created database '$db'"
  fi
}

cmd_postgres() {
  if ! pg_isready -q -h "$PG_HOST" -p "$PG_PORT" 2>/dev/null; then
    if [[ -z "$(pg_version)" ]] || ! command -v pg_ctlcluster >/dev/null 2>&1; then
      log "PostgreSQL is not installed; installing it with apt-get"
      as_root apt-get update -q </dev/null
      as_root apt-get install -y -q postgresql </dev/null
    fi
    local ver
    ver="$(pg_version)"
    [[ -n "$ver" ]] || die "no PostgreSQL cluster found under /etc/postgresql"
    log "starting PostgreSQL $ver (cluster main)"
    as_root pg_ctlcluster --skip-systemctl-redirect "$ver" main start </dev/null || true
    local i
    for ((i = 0; i < 60; i++)); do
      pg_isready -q -h "$PG_HOST" -p "$PG_PORT" && break
      sleep 1
    done
    pg_isready -q -h "$PG_HOST" -p "$PG_PORT" \
      || die "PostgreSQL did not become ready on $PG_HOST:$PG_PORT within 60 s (see /var/log/postgresql/)"
  fi
  ensure_pg_trust
  ensure_database
  log "PostgreSQL ready at $PG_HOST:$PG_PORT (user postgres, trust auth; DATABASE_URL=$DATABASE_URL)"
}

# ---------------------------------------------------------------- Prometheus

# Installs Debian's `prometheus` package (the server and promtool) when `prometheus` is
# not on PATH. Only the binaries are wanted: the tests start their own server on a free
# loopback port, so the package's service is neither started nor enabled.
cmd_prometheus() {
  if command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1; then
    log "prometheus binary: $(command -v prometheus) ($(prometheus --version 2>&1 | head -1))"
    return 0
  fi
  log "prometheus not found: installing Debian's prometheus package with apt-get"
  # policy-rc.d exit 101 tells invoke-rc.d not to start services during the install
  # (left alone when the system already has one, e.g. in containers).
  local policy=/usr/sbin/policy-rc.d added_policy=0
  if ! as_root test -e "$policy"; then
    printf '#!/bin/sh\nexit 101\n' | as_root tee "$policy" >/dev/null
    as_root chmod 755 "$policy"
    added_policy=1
  fi
  local rc=0
  {
    as_root apt-get update -q </dev/null \
      && as_root apt-get install -y -q --no-install-recommends prometheus </dev/null
  } || rc=$?
  if ((added_policy)); then
    as_root rm -f "$policy"
  fi
  ((rc == 0)) || die "apt-get install prometheus failed (exit $rc)"
  # Keep the Debian service from starting at boot (it would listen on 0.0.0.0:9090).
  if [[ -d /run/systemd/system ]] && command -v systemctl >/dev/null 2>&1; then
    as_root systemctl disable --now prometheus.service </dev/null >/dev/null 2>&1 || true
  fi
  command -v prometheus >/dev/null 2>&1 || die "apt-get installed prometheus but it is not on PATH"
  command -v promtool >/dev/null 2>&1 || die "apt-get installed prometheus but promtool is not on PATH"
  log "prometheus binary: $(command -v prometheus) ($(prometheus --version 2>&1 | head -1))"
}

# ---------------------------------------------------------------- Tansu

tansu_bin() { command -v tansu 2>/dev/null || true; }

cmd_tansu() {
  local bin
  bin="$(tansu_bin)"
  if [[ -n "$bin" ]]; then
    log "tansu binary: $bin"
    return 0
  fi
  command -v cargo >/dev/null 2>&1 || die "cargo not found (install Rust from https://rustup.rs) - needed to install tansu"
  log "tansu not found: installing tansu $TANSU_VERSION with cargo (features $TANSU_FEATURES)."
  log "This compiles the broker from source and takes about 25 minutes, once."
  cargo install tansu --version "$TANSU_VERSION" --locked --features "$TANSU_FEATURES" </dev/null
  bin="$(tansu_bin)"
  [[ -n "$bin" ]] || die "cargo install finished but tansu is not on PATH ($HOME/.cargo/bin)"
  log "tansu binary: $bin"
}

# start_broker NAME PORT STORAGE_ENGINE CLUSTER_ID
start_broker() {
  local name="$1" port="$2" storage="$3" cluster="$4"
  local dir="$REPO/data/$name" url="tcp://127.0.0.1:$port"
  local pidfile="$dir/broker.pid" logfile="$dir/broker.log"

  if port_open 127.0.0.1 "$port"; then
    if [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
      log "broker already running at 127.0.0.1:$port (pid $(cat "$pidfile"), log $logfile)"
    else
      log "127.0.0.1:$port already accepts connections (not started by this script); using it"
    fi
    return 0
  fi

  local bin
  bin="$(tansu_bin)"
  [[ -n "$bin" ]] || die "tansu is not installed; run: $0 tansu"
  mkdir -p "$dir"
  rm -f "$pidfile"
  log "starting tansu broker on 127.0.0.1:$port (storage $storage)"
  # New session (setsid) + nohup so the broker outlives make/the calling shell.
  # The sqlite engine resolves its path relative to the working directory, so run from /.
  (
    cd /
    export LISTENER_URL="$url" ADVERTISED_LISTENER_URL="$url" STORAGE_ENGINE="$storage" CLUSTER_ID="$cluster"
    export RUST_LOG="${TANSU_LOG:-warn}"
    # shellcheck disable=SC2016
    exec setsid nohup bash -c 'echo $$ > "$0"; exec "$1" broker' "$pidfile" "$bin" \
      </dev/null >>"$logfile" 2>&1
  ) &
  local i
  for ((i = 0; i < 60; i++)); do
    port_open 127.0.0.1 "$port" && break
    if ((i > 1)) && [[ -f "$pidfile" ]] && ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
      break # broker exited
    fi
    sleep 1
  done
  if ! port_open 127.0.0.1 "$port"; then
    log "broker did not accept connections on 127.0.0.1:$port; last lines of $logfile:"
    tail -n 30 "$logfile" >&2 || true
    die "tansu broker ($name) failed to start"
  fi
  log "broker ready at 127.0.0.1:$port (pid $(cat "$pidfile" 2>/dev/null || echo '?'), log $logfile)"
}

cmd_broker_demo() {
  start_broker tansu 9092 "sqlite://$REPO/data/tansu/tansu.db" globalcart
}

cmd_broker_test() {
  start_broker tansu-test 9192 "memory://tansu/" globalcart-test
}

stop_broker() {
  local name="$1" pidfile="$REPO/data/$1/broker.pid" pid
  if [[ ! -f "$pidfile" ]]; then
    log "$name: no pid file, nothing to stop"
    return 0
  fi
  pid="$(cat "$pidfile")"
  if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null \
    && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'tansu'; then
    kill "$pid"
    local i
    for ((i = 0; i < 20; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.5
    done
    if kill -0 "$pid" 2>/dev/null; then
      log "$name: pid $pid did not exit after SIGTERM; sending SIGKILL"
      kill -9 "$pid" 2>/dev/null || true
    fi
    log "$name: stopped broker (pid $pid)"
  else
    log "$name: broker (pid $pid) is not running"
  fi
  rm -f "$pidfile"
}

cmd_stop() {
  stop_broker tansu
  stop_broker tansu-test
}

cmd_status() {
  if pg_isready -q -h "$PG_HOST" -p "$PG_PORT" 2>/dev/null; then log "postgres      up   $PG_HOST:$PG_PORT"; else log "postgres      down $PG_HOST:$PG_PORT"; fi
  if [[ -n "$(tansu_bin)" ]]; then log "tansu         $(tansu_bin)"; else log "tansu         not installed"; fi
  if port_open 127.0.0.1 9092; then log "broker-demo   up   127.0.0.1:9092"; else log "broker-demo   down 127.0.0.1:9092"; fi
  if port_open 127.0.0.1 9192; then log "broker-test   up   127.0.0.1:9192"; else log "broker-test   down 127.0.0.1:9192"; fi
  if command -v prometheus >/dev/null 2>&1; then log "prometheus    $(command -v prometheus)"; else log "prometheus    not installed"; fi
}

usage() {
  sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

[[ $# -ge 1 ]] || { usage; exit 2; }
for cmd in "$@"; do
  case "$cmd" in
    postgres) cmd_postgres ;;
    tansu) cmd_tansu ;;
    broker-demo) cmd_broker_demo ;;
    broker-test) cmd_broker_test ;;
    prometheus) cmd_prometheus ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    -h | --help | help) usage ;;
    *) usage; die "unknown subcommand: $cmd" ;;
  esac
done
