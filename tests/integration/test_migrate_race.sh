#!/usr/bin/env bash
# Two member instances started together on an empty database apply each migration once:
# schema_migrations records each services/member/schema/*.sql (and libagora's migrations)
# once, none twice, both instances become ready and stop cleanly, and the members table
# exists. Runs under CTest's stack fixture (the test stack is up).
set -euo pipefail

: "${AGORA_SOURCE_DIR:?set by CTest}" "${AGORA_BIN_DIR:?set by CTest}"
STACK_ENV_FILE=$AGORA_SOURCE_DIR/var/test/stack.env
[ -r "$STACK_ENV_FILE" ] || {
    echo "FAIL: $STACK_ENV_FILE is missing; is the test stack up?" >&2
    exit 1
}
# shellcheck source=/dev/null
. "$STACK_ENV_FILE"

DB=member_race_$$
MEMBER=$AGORA_BIN_DIR/member
READY_TIMEOUT_S=10
TMP=$(mktemp -d)
pids=()
ports=()
db_created=0

psql_admin() {
    psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$AGORA_PG_PORT" -U agora -d agora_test "$@"
}

# psql_race SQL: the rows of SQL run in the race database, unaligned, '|' between columns.
psql_race() {
    psql -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$AGORA_PG_PORT" -U agora -d "$DB" -c "$1"
}

alive() {
    kill -0 "$1" 2>/dev/null && [ "$(ps -o stat= -p "$1" 2>/dev/null | cut -c1)" != Z ]
}

show_logs() {
    local i
    for i in "${!ports[@]}"; do
        [ -f "$TMP/member$i.log" ] || continue
        echo "--- member #$((i + 1)) (port ${ports[i]}) log:" >&2
        tail -n 40 "$TMP/member$i.log" >&2 || true
    done
}

fail() {
    echo "FAIL: $*" >&2
    show_logs
    exit 1
}

# stop_members: TERM both, wait for them (KILL after 10 s); fails when one exits non-zero
# (a crash, or a sanitizer report at exit).
stop_members() {
    local i pid rc bad=0 n
    for pid in "${pids[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for i in "${!pids[@]}"; do
        pid=${pids[i]}
        for ((n = 0; n < 100; n++)); do
            alive "$pid" || break
            sleep 0.1
        done
        if alive "$pid"; then
            echo "member #$((i + 1)) (pid $pid) ignored TERM for 10s; killing it" >&2
            kill -KILL "$pid" 2>/dev/null || true
            bad=1
        fi
        rc=0
        wait "$pid" 2>/dev/null || rc=$?
        if [ "$rc" -ne 0 ] && [ "$rc" -ne 143 ]; then
            echo "member #$((i + 1)) exited with status $rc after TERM" >&2
            bad=1
        fi
    done
    pids=()
    return "$bad"
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [ ${#pids[@]} -gt 0 ]; then
        stop_members || true
    fi
    if [ "$db_created" -eq 1 ]; then
        psql_admin -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null ||
            echo "warning: could not drop database $DB" >&2
    fi
    rm -rf "$TMP"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port_busy() {
    (: <>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Two free ports from 25901 up.
port=25901
while [ ${#ports[@]} -lt 2 ]; do
    [ "$port" -lt 25999 ] || fail "no free port in 25901..25999"
    if ! port_busy "$port"; then
        ports+=("$port")
    fi
    port=$((port + 1))
done

[ -x "$MEMBER" ] || fail "'$MEMBER' is missing"
shopt -s nullglob
schema_files=("$AGORA_SOURCE_DIR"/services/member/schema/*.sql)
shopt -u nullglob
[ ${#schema_files[@]} -gt 0 ] || fail "no migrations in $AGORA_SOURCE_DIR/services/member/schema"

psql_admin -c "CREATE DATABASE $DB" >/dev/null || fail "cannot create database $DB"
db_created=1

# Both start at once: the second is forked a millisecond after the first, well inside the
# time either takes to connect and reach its migrations.
for i in 0 1; do
    AGORA_MEMBER_PORT=${ports[i]} \
        AGORA_MEMBER_BIND=127.0.0.1 \
        AGORA_MEMBER_DATABASE_URL="postgresql://agora@127.0.0.1:$AGORA_PG_PORT/$DB" \
        AGORA_REDIS_URL="$AGORA_REDIS_URL" \
        AGORA_JWT_PUBLIC_KEY_FILE="$AGORA_JWT_PUBLIC_KEY_FILE" \
        AGORA_INTERNAL_TOKEN="$AGORA_INTERNAL_TOKEN" \
        "$MEMBER" >"$TMP/member$i.log" 2>&1 </dev/null &
    pids+=("$!")
done

deadline=$((SECONDS + READY_TIMEOUT_S))
for i in 0 1; do
    until curl -fsS -o /dev/null --max-time 1 "http://127.0.0.1:${ports[i]}/readyz" 2>/dev/null; do
        alive "${pids[i]}" || fail "member #$((i + 1)) exited before it was ready"
        [ "$SECONDS" -lt "$deadline" ] ||
            fail "member #$((i + 1)) was not ready on port ${ports[i]} after ${READY_TIMEOUT_S}s"
        sleep 0.1
    done
done

errors=()
dups=$(psql_race "SELECT version, count(*) FROM schema_migrations GROUP BY version
                  HAVING count(*) > 1") || fail "cannot read schema_migrations in $DB"
if [ -n "$dups" ]; then
    errors+=("migrations applied more than once (version|count): $(echo "$dups" | tr '\n' ' ')")
fi
# Every services/member/schema/*.sql is recorded under its file name (once: no duplicates
# above). The service also applies libagora's own migrations (000-idempotency-keys.sql),
# which have no file there; they are listed, not counted against the files.
versions=$(psql_race "SELECT version FROM schema_migrations ORDER BY version") ||
    fail "cannot read schema_migrations in $DB"
missing=()
for f in "${schema_files[@]}"; do
    grep -qxF "${f##*/}" <<<"$versions" || missing+=("${f##*/}")
done
if [ ${#missing[@]} -gt 0 ]; then
    errors+=("not recorded in schema_migrations: ${missing[*]}")
fi
extra=$(grep -vxF -f <(printf '%s\n' "${schema_files[@]##*/}") <<<"$versions" || true)
rows=$(grep -c . <<<"$versions" || true)
members=$(psql_race "SELECT to_regclass('public.members') IS NOT NULL") ||
    fail "cannot look for table members"
if [ "$members" != t ]; then
    errors+=("table members does not exist")
fi

stop_members || errors+=("a member instance did not stop cleanly on TERM")

if [ ${#errors[@]} -gt 0 ]; then
    for e in "${errors[@]}"; do
        echo "FAIL: $e" >&2
    done
    show_logs
    exit 1
fi
lib_list=$(tr '\n' ' ' <<<"$extra")
lib_list=${lib_list% }
echo "ok: two members started together on $DB; each of $rows migration(s) applied once" \
    "(${#schema_files[@]} from services/member/schema; from libagora: ${lib_list:-none})"
