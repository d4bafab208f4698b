#!/usr/bin/env bash
# Runs every test of RoomsPortal on a fresh Debian machine with the .NET SDK:
# installs what the tests need (Debian chromium, PostgreSQL, Redis), starts a private PostgreSQL and Redis on loopback,
# checks formatting, runs every test project (the Core suite on SQLite and on PostgreSQL), stops what it started,
# and ends with "N passed, N failed".
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
results="$root/artifacts/test-results"
work="$(mktemp -d /tmp/roomsportal-test.XXXXXX)"
chmod 755 "$work"
pg_data="$work/pg"
status=0

log() { printf '==> %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "Need root to install packages: run as root or install sudo." >&2; return 1; fi
}

pg_bin() {
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  [ -n "$dir" ] && printf '%s' "$dir"
}

install_missing() {
  local packages=()
  command -v chromium >/dev/null || packages+=(chromium)
  [ -n "$(pg_bin)" ] || packages+=(postgresql)
  command -v redis-server >/dev/null || packages+=(redis-server)
  if [ ${#packages[@]} -gt 0 ]; then
    log "Installing ${packages[*]} (Debian packages)"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null
  fi
}

free_port() {
  local port first="${1:-55432}"
  for port in $(seq "$first" $((first + 100))); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then printf '%s' "$port"; return 0; fi
  done
  return 1
}

run_as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start_postgres() {
  local bin port
  bin="$(pg_bin)"
  port="$(free_port)"
  mkdir -p "$pg_data"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$pg_data"
  log "Starting a private PostgreSQL on 127.0.0.1:$port"
  run_as_postgres "$bin/initdb" -D "$pg_data/db" -U postgres --auth=trust >"$work/initdb.log" 2>&1 || { cat "$work/initdb.log"; return 1; }
  run_as_postgres "$bin/pg_ctl" -D "$pg_data/db" -l "$pg_data/server.log" \
    -o "-p $port -k $pg_data -c listen_addresses=127.0.0.1 -c fsync=off" -w start >/dev/null || { cat "$pg_data/server.log"; return 1; }
  export ROOMSPORTAL_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
}

start_redis() {
  local port
  port="$(free_port 56379)"
  log "Starting a private Redis on 127.0.0.1:$port"
  redis-server --port "$port" --bind 127.0.0.1 --daemonize yes --save "" --appendonly no \
    --pidfile "$work/redis.pid" --logfile "$work/redis.log" --dir "$work" || return 1
  for _ in $(seq 1 50); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      export ROOMSPORTAL_TEST_REDIS="127.0.0.1:$port"
      return 0
    fi
    sleep 0.1
  done
  cat "$work/redis.log"
  return 1
}

stop_services() {
  local bin
  if [ -f "$work/redis.pid" ]; then
    kill "$(cat "$work/redis.pid")" 2>/dev/null
  fi
  bin="$(pg_bin)"
  if [ -f "$pg_data/db/postmaster.pid" ]; then
    run_as_postgres "$bin/pg_ctl" -D "$pg_data/db" -m fast -w stop >/dev/null 2>&1
  fi
  rm -rf "$work"
}
trap stop_services EXIT

install_missing || { echo "Installing test dependencies failed." >&2; exit 1; }
start_postgres || { echo "PostgreSQL did not start; see the log above." >&2; echo "0 passed, 0 failed"; exit 1; }
start_redis || { echo "Redis did not start; see the log above." >&2; echo "0 passed, 0 failed"; exit 1; }

log "Restoring"
dotnet tool restore >/dev/null && dotnet restore RoomsPortal.sln >/dev/null || { echo "dotnet restore failed." >&2; echo "0 passed, 0 failed"; exit 1; }

log "Checking formatting (dotnet format --verify-no-changes)"
if ! dotnet format RoomsPortal.sln --verify-no-changes --no-restore; then
  echo "Formatting differs from .editorconfig: run 'dotnet format RoomsPortal.sln' and commit." >&2
  status=1
fi

log "Building"
rm -rf "$results"
if dotnet build RoomsPortal.sln --no-restore -v quiet -nologo; then
  # The first-day browser test runs the portal as deployed: the published Release build, in its own process.
  log "Publishing the portal for the first-day test (dotnet publish -c Release)"
  if dotnet publish src/RoomsPortal.Web -c Release --no-restore -v quiet -nologo -o "$work/published-portal"; then
    export ROOMSPORTAL_PUBLISHED_PORTAL="$work/published-portal"
  else
    echo "Publishing the portal failed (see above); the first-day test will try to publish it itself." >&2
    status=1
  fi
  # One project at a time, each with its own TRX file, so no result file can overwrite another.
  for project in tests/*/*.Tests.csproj; do
    name="$(basename "$project" .csproj)"
    log "Testing $name"
    dotnet test "$project" --no-build --logger "trx;LogFileName=$name.trx" --results-directory "$results" || status=1
    if [ "$name" = "RoomsPortal.Core.Tests" ]; then
      # The Core suite again on PostgreSQL, configured as production configures it (retrying strategy on).
      log "Testing $name on PostgreSQL"
      ROOMSPORTAL_CORE_PROVIDER=PostgreSql dotnet test "$project" --no-build \
        --logger "trx;LogFileName=$name.PostgreSql.trx" --results-directory "$results" || status=1
    fi
  done
else
  echo "The build failed (see above): fix it before the tests can run." >&2
  status=1
fi

# Sum the counters of every TRX file: these are the real results.
passed=0
failed=0
shopt -s nullglob
trx_files=("$results"/*.trx)
for trx in "${trx_files[@]}"; do
  counters="$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)"
  p="$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")"
  f="$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")"
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
done
if [ ${#trx_files[@]} -eq 0 ]; then
  echo "No test results were written." >&2
  status=1
fi
[ "$failed" -gt 0 ] && status=1

echo "$passed passed, $failed failed"
exit "$status"
