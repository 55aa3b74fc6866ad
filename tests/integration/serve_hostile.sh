#!/usr/bin/env bash
# `apierr serve` under hostile input: malformed JSON, wrong types, invalid
# UTF-8, a 10 MB body, 10,000 nested arrays, a header flood, a client that
# sends one byte a second. Each gets a 4xx problem or a clean close, and the
# server keeps serving. Then kill -9 during a write load and a restart on the
# same database: every invoice acknowledged with 201 is there.
source "$(dirname "$0")/lib/serve_common.sh"

CL=(--client demo:s3cret:acme:invoices:read,invoices:write)
J=(-H 'Content-Type: application/json')
start_server h "${CL[@]}" --timeout 3
req POST "$URL/oauth/token" -u demo:s3cret -d grant_type=client_credentials
A="Authorization: Bearer $(json_get 'j["access_token"]')"
col="$URL/v1/tenants/acme/invoices"

alive() { # the server still answers
    req GET "$col?limit=1" -H "$A"
    expect_status 200 "still serving after $1"
}

req POST "$col" -H "$A" "${J[@]}" -d '{"documentNumber": [1,'
expect_problem 400 invalid_json "malformed JSON"
req POST "$col" -H "$A" "${J[@]}" -d '[1, 2, 3]'
expect_problem 422 validation_failed "an array body"
req POST "$col" -H "$A" "${J[@]}" -d '{"documentNumber":{},"currency":5,"customer":[],"lines":[1,"a",{"quantity":"2","unitPrice":null}]}'
expect_problem 422 validation_failed "wrong types" documentNumber currency customer lines.0 \
    lines.2.quantity lines.2.unitPrice
printf '{"documentNumber":"\xff\xfe","currency":"EUR"}' >"$TMP/utf8"
req POST "$col" -H "$A" "${J[@]}" --data-binary @"$TMP/utf8"
expect_problem 400 invalid_json "invalid UTF-8"
alive "bad bodies"

head -c 10485760 /dev/zero | tr '\0' '[' >"$TMP/10m"
req POST "$col" -H "$A" "${J[@]}" --data-binary @"$TMP/10m"
[ "$ST" = 413 ] || [ "$ST" = 000 ] || fail "10 MB body: status $ST"
[ "$ST" = 413 ] && expect_problem 413 payload_too_large "10 MB body"
req POST "$col" -H "$A" "${J[@]}" -H 'Transfer-Encoding: chunked' --data-binary @"$TMP/10m"
[ "$ST" = 413 ] || [ "$ST" = 000 ] || fail "10 MB chunked body: status $ST"
alive "10 MB bodies"

"$PY" -S -c 'print("[" * 10000 + "]" * 10000)' >"$TMP/nest"
req POST "$col" -H "$A" "${J[@]}" --data-binary @"$TMP/nest"
expect_problem 400 invalid_json "10,000 nested arrays"
alive "deep nesting"

flood=()
for i in $(seq 1 400); do flood+=(-H "X-Flood-$i: $(printf '%060d' "$i")"); done
req GET "$col" -H "$A" "${flood[@]}"
case "$ST" in 4??) ;; 000) ;; *) fail "header flood: status $ST" ;; esac
alive "a header flood"

# One byte a second for 5 s, while others are served; the idle timeout (3 s)
# is not reached, and the server answers meanwhile.
"$PY" -S - "$URL" <<'PYEOF' &
import socket, sys, time
host, port = sys.argv[1][7:].split(":")
s = socket.create_connection((host, int(port)))
for b in b"GET /":
    s.send(bytes([b]))
    time.sleep(1)
s.close()
PYEOF
slow=$!
sleep 2
alive "a slow client (while it sends)"
wait $slow 2>/dev/null
alive "a slow client"

# kill -9 during a write load, restart on the same database.
stop_servers
db="$TMP/crash.db"
start_server k "${CL[@]}" --db "$db"
req POST "$URL/oauth/token" -u demo:s3cret -d grant_type=client_credentials
A="Authorization: Bearer $(json_get 'j["access_token"]')"
kpid=$PID
: >"$TMP/acked"
writer() { # N: posts invoices W<N>-<i>, records those acknowledged with 201
    local i st
    for i in $(seq 1 1000); do
        st=$(curl -s -m 10 -o /dev/null -w '%{http_code}' -X POST "$URL/v1/tenants/acme/invoices" \
            -H "$A" "${J[@]}" -d "{\"documentNumber\":\"W$1-$i\",\"currency\":\"EUR\",\"customer\":{\"name\":\"n\",\"email\":\"a@b.co\"},\"lines\":[{\"quantity\":1,\"unitPrice\":1}]}")
        [ "$st" = 201 ] && echo "W$1-$i" >>"$TMP/acked"
        [ "$st" = 000 ] && break
    done
}
writer 1 &
w1=$!
writer 2 &
w2=$!
sleep 1
kill -9 "$kpid"
wait "$w1" "$w2"
wait "$kpid" 2>/dev/null
SERVER_PIDS=()
acked=$(wc -l <"$TMP/acked")
[ "$acked" -gt 0 ] || fail "no write was acknowledged before kill -9"
start_server k2 "${CL[@]}" --db "$db"
req POST "$URL/oauth/token" -u demo:s3cret -d grant_type=client_credentials
A="Authorization: Bearer $(json_get 'j["access_token"]')"
: >"$TMP/stored"
cursor=0
while :; do
    req GET "$URL/v1/tenants/acme/invoices?limit=100&cursor=$cursor" -H "$A"
    expect_status 200 "list after restart" || break
    "$PY" -S -c 'import json,sys; j=json.load(open(sys.argv[1])); [print(d["documentNumber"]) for d in j["data"]]; print(j["nextCursor"] or "", file=open(sys.argv[2], "w"))' "$TMP/b" "$TMP/next" >>"$TMP/stored"
    cursor=$(cat "$TMP/next")
    [ -n "$cursor" ] || break
done
missing=$(sort "$TMP/acked" | comm -23 - <(sort "$TMP/stored") | wc -l)
[ "$missing" -eq 0 ] || fail "$missing of $acked acknowledged invoices lost after kill -9"
echo "kill -9: $acked acknowledged, $(wc -l <"$TMP/stored") stored, $missing lost"
