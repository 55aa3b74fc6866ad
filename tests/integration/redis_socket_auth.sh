#!/usr/bin/env bash
# apierr serve --redis against a redis-server that wants a password, reached
# on its Unix socket and on TCP: the limit and the idempotency keys live in
# the database the URL names (and only there), with the password from the
# URL (percent-encoded, or ?password=) or from REDIS_PASSWORD, as the
# default user or an ACL user; a wrong or missing password, or a database
# Redis does not have, stops the server at startup with Redis's reason and
# exit status 1, never a crash; a Redis that is not there yet does not.
. "$(dirname "$0")/call_lib.bash"
. "$(dirname "$0")/lib/engines.sh"
trap 'cleanup; engines_stop' EXIT
set +e
need_serve
PW='pa ss@word'
start_redis_locked "$PW"
# rcli DB ARGS...: redis-cli on the socket, logged in, on database DB.
rcli() {
    local db=$1
    shift
    REDISCLI_AUTH=$PW redis-cli -s "$REDIS_SOCKET" -n "$db" "$@"
}
token() {
    curl -s -u "$CLIENT_ID:$CLIENT_SECRET" -d grant_type=client_credentials "$BASE/oauth/token" |
        json_get 'd["access_token"]'
}
col=/v1/tenants/$TENANT/invoices

# --- the socket, the password in the URL, database 5 -------------------------
start_server --redis "unix://:pa%20ss%40word@$REDIS_SOCKET?db=5" --rate 2/60
t=$(token) || fail "no token over a Unix socket"
codes=""
for _ in 1 2 3; do
    codes="$codes $(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $t" "$BASE$col")"
done
[ "$codes" = " 200 200 429" ] || fail "a limit of 2/min in Redis on a socket answered:$codes"
[ -n "$(rcli 5 --scan --pattern 'apierr:rl:*')" ] || fail "no limit key in database 5"
[ -n "$(rcli 5 --scan --pattern 'apierr:tok:*')" ] || fail "no token in database 5"
[ -z "$(rcli 0 --scan --pattern 'apierr:*')" ] || fail "keys written to database 0, not 5"
kill "${SERVERS[-1]}"
wait "${SERVERS[-1]}"

# --- REDIS_PASSWORD, database 6: a keyed write runs once -----------------------
REDIS_PASSWORD=$PW start_server --redis "unix://$REDIS_SOCKET?db=6"
t=$(token) || fail "no token with the password from REDIS_PASSWORD"
post() {
    curl -s -o "$TMP/post.$1" -w '%{http_code}' -H "Authorization: Bearer $t" \
        -H 'Idempotency-Key: k-socket-1' -H 'Content-Type: application/json' -d "$INVOICE" \
        "$BASE$col"
}
first=$(post 1) second=$(post 2)
[ "$first" = 201 ] && [ "$second" = 201 ] || fail "keyed POST twice answered $first, $second"
cmp -s "$TMP/post.1" "$TMP/post.2" || fail "the retry's answer is not the stored one"
[ -n "$(rcli 6 --scan --pattern 'apierr:idem:*')" ] || fail "no idempotency key in database 6"
n=$(curl -s -H "Authorization: Bearer $t" "$BASE$col" | json_get 'len(d["data"])')
[ "$n" = 1 ] || fail "a keyed POST sent twice made $n invoices"
kill "${SERVERS[-1]}"
wait "${SERVERS[-1]}"

# --- TCP, ?password=, database 2 ----------------------------------------------
start_server --redis "redis://127.0.0.1:$REDIS_PORT/2?password=pa%20ss%40word" --rate 1/60
t=$(token) || fail "no token over TCP with ?password="
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $t" "$BASE$col")
[ "$code" = 200 ] || fail "TCP with ?password= answered $code"
[ -n "$(rcli 2 --scan --pattern 'apierr:rl:*')" ] || fail "no limit key in database 2"
kill "${SERVERS[-1]}"
wait "${SERVERS[-1]}"

# --- an ACL user (AUTH USER PASSWORD), database 3 -------------------------------
rcli 0 acl setuser app on '>app-pw' '~*' '&*' '+@all' >/dev/null || fail "no ACL user"
start_server --redis "redis://app:app-pw@127.0.0.1:$REDIS_PORT/3" --rate 1/60
t=$(token) || fail "no token as ACL user app"
[ -n "$(rcli 3 --scan --pattern 'apierr:tok:*')" ] || fail "no token in database 3"
kill "${SERVERS[-1]}"
wait "${SERVERS[-1]}"

# --- refused settings: exit 1 at startup, Redis's reason on stderr -----------
# refused WORDS URL [ENV...]: apierr serve stops at once, saying WORDS (one
# that served would be stopped by timeout, and fail the test).
refused() {
    local words=$1 url=$2
    shift 2
    timeout 20 env "$@" "$APIERR" serve --listen 127.0.0.1:0 --client "$CLIENT_SPEC" --redis "$url" \
        >"$TMP/refused.out" 2>"$TMP/refused.err"
    local rc=$?
    [ "$rc" = 1 ] || fail "--redis $url: exit status $rc, not 1 ($(cat "$TMP/refused.err"))"
    grep -q "$words" "$TMP/refused.err" || fail "--redis $url said: $(cat "$TMP/refused.err")"
    [ ! -s "$TMP/refused.out" ] || fail "--redis $url: served anyway"
}
refused WRONGPASS "unix://:wrong@$REDIS_SOCKET"
refused WRONGPASS "unix://$REDIS_SOCKET" REDIS_PASSWORD=wrong
refused NOAUTH "redis://127.0.0.1:$REDIS_PORT"
refused WRONGPASS "redis://app:$(printf %s "$PW" | sed 's/ /%20/; s/@/%40/')@127.0.0.1:$REDIS_PORT"
refused 'DB index is out of range' "redis://:pa%20ss%40word@127.0.0.1:$REDIS_PORT/99"

# --- Redis not there yet: the server starts, and says so ---------------------
start_server --redis "unix://$ENGINES_DIR/absent.sock"
grep -q 'cannot be reached yet' "$TMP/serve.$((${#SERVERS[@]} - 1)).err" ||
    fail "no word about an unreachable Redis"
echo "ok"
