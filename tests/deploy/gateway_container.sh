#!/usr/bin/env bash
# The gateway image's start, done here: deploy/entrypoint gateway as an unprivileged user (as
# the image runs it, uid 10001; here nobody), from a copy of the files the image holds, with
# the upstreams given by host name (AGORA_<UPSTREAM>_HOST, 'localhost' standing for compose's
# and Kubernetes' service names) and the logs on its output. Against the test stack: a public
# read reaches catalog, a protected route without a token gets the gateway's 401 from auth's
# verdict, and the access log line comes out of the process's output.
set -euo pipefail
: "${AGORA_SOURCE_DIR:?}" "${AGORA_GATEWAY_PORT:?}"
src=$AGORA_SOURCE_DIR
tmp=$(mktemp -d)
pid=
cleanup() {
    local m
    m=$(cat "$tmp/state/nginx/nginx.pid" 2>/dev/null) || m=
    if [ -n "$m" ] && [ "$(ps -o comm= -p "$m" 2>/dev/null)" = nginx ]; then
        kill -QUIT "$m" 2>/dev/null || true
    fi
    if [ -n "$pid" ]; then
        kill -QUIT "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
    echo "gateway_container: $*" >&2
    [ -s "$tmp/out" ] && sed 's/^/    /' "$tmp/out" >&2
    exit 1
}

chmod 755 "$tmp"
mkdir -p "$tmp/share/gateway" "$tmp/state"
cp "$src/gateway/render" "$src/gateway/routes" "$src/gateway/nginx.conf.in" "$src/gateway/gateway.js" \
    "$tmp/share/gateway/"
cp "$src/deploy/entrypoint" "$tmp/entrypoint"
: >"$tmp/out"
as=()
if [ "$(id -u)" -eq 0 ]; then
    chown nobody "$tmp/state" "$tmp/out"
    as=(runuser -u nobody --)
fi

port=$((AGORA_GATEWAY_PORT + 50))
(: <>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && fail "port $port is taken"
env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin SHARE_DIR="$tmp/share" STATE_DIR="$tmp/state" \
    AGORA_GATEWAY_PORT="$port" AGORA_GATEWAY_BIND=127.0.0.1 AGORA_GATEWAY_WORKERS=1 \
    AGORA_AUTH_HOST=localhost AGORA_AUTH_PORT="$AGORA_AUTH_PORT" \
    AGORA_MEMBER_HOST=localhost AGORA_MEMBER_PORT="$AGORA_MEMBER_PORT" \
    AGORA_CATALOG_HOST=localhost AGORA_CATALOG_PORT="$AGORA_CATALOG_PORT" \
    AGORA_ORDER_HOST=localhost AGORA_ORDER_PORT="$AGORA_ORDER_PORT" \
    AGORA_PAYMENT_HOST=localhost AGORA_PAYMENT_PORT="$AGORA_PAYMENT_PORT" \
    "${as[@]}" "$tmp/entrypoint" gateway >>"$tmp/out" 2>&1 &
pid=$!

up=0
for _ in $(seq 1 100); do
    if curl -fsS -o /dev/null --max-time 1 "http://127.0.0.1:$port/healthz" 2>/dev/null; then
        up=1
        break
    fi
    kill -0 "$pid" 2>/dev/null || fail "the gateway role exited"
    sleep 0.1
done
[ "$up" -eq 1 ] || fail "no answer on /healthz of port $port"

grep -q "server localhost:$AGORA_CATALOG_PORT " "$tmp/state/nginx/nginx.conf" ||
    fail "the rendered config does not name the upstream by its host"
[ -L "$tmp/state/log/gateway-access.log" ] || fail "the access log is not linked to the output"
master=$(cat "$tmp/state/nginx/nginx.pid")
[ "$(ps -o comm= -p "$master")" = nginx ] || fail "pid $master of nginx.pid is not nginx"
if [ ${#as[@]} -gt 0 ]; then
    users=$(ps -o user= --ppid "$master" -p "$master" | sort -u | tr '\n' ' ')
    [ "$users" = "nobody " ] || fail "nginx's master and workers run as '$users', want only nobody"
fi

body=$(curl -sS --max-time 5 -w ' %{http_code}' "http://127.0.0.1:$port/api/products?limit=1")
[[ $body == *'"success":true'*' 200' ]] || fail "GET /api/products through it: $body"
code=$(curl -sS -o /dev/null --max-time 5 -w '%{http_code}' "http://127.0.0.1:$port/api/orders")
[ "$code" = 401 ] || fail "GET /api/orders without a token: $code, want 401"
for _ in $(seq 1 30); do
    grep -q '/api/products' "$tmp/out" && break
    sleep 0.1
done
grep -q '/api/products' "$tmp/out" || fail "the access log line did not come out of the process"

kill -QUIT "$master"
wait "$pid" || fail "nginx did not stop cleanly on QUIT"
pid=
echo "gateway_container: the gateway role ran as $([ ${#as[@]} -gt 0 ] && echo nobody || id -un) and served through upstreams named by host"
