#!/usr/bin/env bash
# Credentials of a fleet: instances that share Redis (--redis) but not a
# database file (each its own --db, as on different hosts) still agree on
# every credential and on what a client met. An access token issued by A
# works on C; a refresh token rotated on A is refused on B, and that reuse
# revokes its whole family (the pair the rotation gave, on C); 12 uses of
# one refresh token at once, over the three, rotate it once; a Gestix
# session from A works on B; GET /status on B lists an error that happened
# on A.
. "$(dirname "$0")/call_lib.bash"
. "$(dirname "$0")/lib/fleet.sh"

urls=()
for i in 1 2 3; do
    start_server --db "$TMP/host$i.db" --redis "$REDIS_URL"
    urls+=("$BASE")
done
A=${urls[0]} B=${urls[1]} C=${urls[2]}
LIST=/v1/tenants/$TENANT/invoices

# code URL [curl args...]: the status of a GET.
code() {
    local url=$1
    shift
    curl -s -o /dev/null -w '%{http_code}' "$@" "$url"
}

pair=$(curl -s -u "$CLIENT_ID:$CLIENT_SECRET" -d grant_type=client_credentials "$A/oauth/token")
access=$(json_get 'd["access_token"]' <<<"$pair") || fail "no token from A: $pair"
refresh=$(json_get 'd["refresh_token"]' <<<"$pair")
got=$(code "$C$LIST" -H "Authorization: Bearer $access")
[ "$got" = 200 ] || fail "instance C answered $got to an access token of instance A"

# Rotation on A; the used refresh token on B is a reuse: refused, and the
# family it belongs to is revoked everywhere.
rotated=$(curl -s -u "$CLIENT_ID:$CLIENT_SECRET" -d grant_type=refresh_token \
    -d "refresh_token=$refresh" "$A/oauth/token")
access2=$(json_get 'd["access_token"]' <<<"$rotated") || fail "A did not rotate: $rotated"
refresh2=$(json_get 'd["refresh_token"]' <<<"$rotated")
got=$(code "$C$LIST" -H "Authorization: Bearer $access2")
[ "$got" = 200 ] || fail "instance C answered $got to the rotated access token"
again=$(curl -s -w ' %{http_code}' -u "$CLIENT_ID:$CLIENT_SECRET" -d grant_type=refresh_token \
    -d "refresh_token=$refresh" "$B/oauth/token")
case $again in *invalid_grant*' 400') ;; *) fail "B accepted a refresh token used on A: $again" ;; esac
got=$(curl -s -o /dev/null -w '%{http_code}' -u "$CLIENT_ID:$CLIENT_SECRET" \
    -d grant_type=refresh_token -d "refresh_token=$refresh2" "$C/oauth/token")
[ "$got" = 400 ] || fail "the family of a reused refresh token was not revoked: C answered $got"
got=$(code "$B$LIST" -H "Authorization: Bearer $access2")
[ "$got" = 401 ] || fail "an access token of a revoked family got $got on B"

# One refresh token sent 12 times at once, spread over the instances: one
# rotation (the others are reuses, refused).
refresh=$(curl -s -u "$CLIENT_ID:$CLIENT_SECRET" -d grant_type=client_credentials "$A/oauth/token" |
    json_get 'd["refresh_token"]')
curls=()
for i in $(seq 12); do
    curl -s -o /dev/null -w '%{http_code}\n' -u "$CLIENT_ID:$CLIENT_SECRET" \
        -d grant_type=refresh_token -d "refresh_token=$refresh" "${urls[i % 3]}/oauth/token" \
        >"$TMP/race.$i" &
    curls+=($!)
done
wait "${curls[@]}"
rotations=$(cat "$TMP"/race.* | grep -c '^200$')
[ "$rotations" = 1 ] || fail "one refresh token sent 12 times at once rotated $rotations times"

# An error met on A, listed by /status on B (a token of a new family: the
# first was revoked).
access=$(curl -s -u "$CLIENT_ID:$CLIENT_SECRET" -d grant_type=client_credentials "$A/oauth/token" |
    json_get 'd["access_token"]')
got=$(code "$A$LIST/999" -H "Authorization: Bearer $access" -H 'X-Request-Id: fleet-err-on-a')
[ "$got" = 404 ] || fail "A answered $got to a missing invoice"
curl -s -H "Authorization: Bearer $access" "$B/status" >"$TMP/status.json"
json_get '[e["request_id"] for e in d["recent_errors"]]' <"$TMP/status.json" |
    grep -q "fleet-err-on-a" || fail "/status on B does not list the error met on A: $(cat "$TMP/status.json")"

# Gestix: a session bought on one instance, used on another.
for pid in "${SERVERS[@]}"; do kill "$pid"; wait "$pid"; done
SERVERS=()
start_server --db "$TMP/g1.db" --redis "$REDIS_URL" --profile gestix
G1=$BASE
start_server --db "$TMP/g2.db" --redis "$REDIS_URL" --profile gestix
G2=$BASE
session=$(curl -s -H "X-API-Token: $CLIENT_SECRET" "$G1/helo" | json_get 'd["xa-token"]') ||
    fail "no session from G1"
got=$(code "$G2$LIST" -H "xa-token: $session")
[ "$got" = 200 ] || fail "a Gestix session of one instance got $got on another"
echo "ok: tokens, refresh rotation and reuse, Gestix sessions and /status errors shared through Redis"
