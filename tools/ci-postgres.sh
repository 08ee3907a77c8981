#!/usr/bin/env bash
# Debian's PostgreSQL for the backend's database tests: installs it when missing, starts
# the cluster, creates the role and database `vigil_test` (idempotent) and sets
# TEST_DATABASE_URL, which makes every API test suite run on PostgreSQL as well as SQLite.
#
#   source tools/ci-postgres.sh                          # exports TEST_DATABASE_URL
#   export TEST_DATABASE_URL="$(bash tools/ci-postgres.sh)"   # or: prints it on stdout
#
# Progress goes to stderr. Needs root or sudo (apt-get, pg_ctlcluster, the postgres user).

vigil_ci_postgres() {
  local sudo="" db=vigil_test user=vigil_test password=vigil_test
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  if ! command -v pg_lsclusters >/dev/null 2>&1; then
    echo "ci-postgres: installing postgresql (Debian package)" >&2
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 || return 1
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null || return 1
  fi
  local line version cluster port status
  line="$(pg_lsclusters -h | head -n 1)"
  if [ -z "$line" ]; then
    version="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
    echo "ci-postgres: creating cluster $version/main" >&2
    $sudo pg_createcluster "$version" main >&2 || return 1
    line="$(pg_lsclusters -h | head -n 1)"
  fi
  read -r version cluster port status _ <<<"$line"
  if [ "$status" != "online" ]; then
    echo "ci-postgres: starting cluster $version/$cluster on port $port" >&2
    # pg_ctlcluster, not the service wrapper: containers often forbid starting services (policy-rc.d)
    $sudo pg_ctlcluster "$version" "$cluster" start >&2 || return 1
  fi
  local as_postgres=(runuser -u postgres --)
  command -v runuser >/dev/null 2>&1 && [ -z "$sudo" ] || as_postgres=(sudo -u postgres)
  local psql=("${as_postgres[@]}" psql -v ON_ERROR_STOP=1 -q -p "$port" -d postgres)
  if [ "$("${psql[@]}" -tAc "select 1 from pg_roles where rolname = '$user'")" != "1" ]; then
    "${psql[@]}" -c "create role $user login password '$password'" >&2 || return 1
  fi
  if [ "$("${psql[@]}" -tAc "select 1 from pg_database where datname = '$db'")" != "1" ]; then
    "${psql[@]}" -c "create database $db owner $user" >&2 || return 1
  else
    # left over from an earlier run or set up by hand: make sure the tests may create schemas in it
    "${psql[@]}" -c "alter database $db owner to $user" >&2 || return 1
  fi
  echo "postgres://$user:$password@127.0.0.1:$port/$db"
}

if [ "${BASH_SOURCE[0]}" != "$0" ]; then
  # sourced: export into the caller's shell, leave its options alone
  if TEST_DATABASE_URL="$(vigil_ci_postgres)"; then
    export TEST_DATABASE_URL
    echo "ci-postgres: TEST_DATABASE_URL=$TEST_DATABASE_URL" >&2
  else
    echo "ci-postgres: PostgreSQL could not be set up" >&2
    return 1
  fi
else
  set -euo pipefail
  vigil_ci_postgres
fi
