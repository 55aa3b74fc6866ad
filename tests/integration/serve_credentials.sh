#!/usr/bin/env bash
# `apierr serve` handles credentials like a bank would: failed logins are
# limited per client id and per address (429 with Retry-After, in the OAuth
# dialect at the token endpoint); secrets come from a file only its owner
# can read or from the environment, never only argv; the database is 0600;
# a used refresh token that comes back revokes its whole family (RFC 9700);
# the token endpoint's errors keep the OAuth shape whatever Accept says.
source "$(dirname "$0")/lib/serve_common.sh"

db="$TMP/cred.db"
start_server c --db "$db" --client demo:s3cret:acme:invoices:read --client other:pw:acme:invoices:read \
    --auth-limit 5/60
tok="$URL/oauth/token"

# Wrong secrets: 5 x 401, then 429 for that client id, even with the right
# secret, with Retry-After, in the OAuth dialect.
n401=0
for i in $(seq 1 8); do
    req POST "$tok" -u "demo:wrong$i" -d grant_type=client_credentials
    [ "$ST" = 401 ] && n401=$((n401 + 1))
done
[ "$n401" = 5 ] || fail "8 wrong secrets gave $n401 x 401, want 5 then 429"
EXPLAIN_ARGS=(--dialect oauth)
expect_problem 429 too_many_requests "the 6th wrong secret"
[ -n "$(header Retry-After)" ] || fail "429 of failed logins without Retry-After"
json_get 'j["error"]' >/dev/null 2>&1 || fail "429 of the token endpoint not in the OAuth shape: $(cat "$TMP/b")"
req POST "$tok" -u demo:s3cret -d grant_type=client_credentials
expect_status 429 "the right secret of a client over its failed logins"
EXPLAIN_ARGS=()
stop_servers

# Per address: wrong secrets spread over client ids still count.
start_server a --client demo:s3cret:acme:invoices:read --auth-limit 5/60
for i in $(seq 1 6); do req POST "$URL/oauth/token" -u "nobody$i:x" -d grant_type=client_credentials; done
expect_status 429 "the 6th failed login from one address, each with another client id"
stop_servers

# /helo (gestix) too.
start_server g --profile gestix --client demo:s3cret:acme:invoices:read --auth-limit 5/60
for i in $(seq 1 6); do req GET "$URL/helo" -H "X-API-Token: wrong$i"; done
EXPLAIN_ARGS=(--profile gestix)
expect_problem 429 TOO_MANY_REQUESTS "the 6th wrong API token at /helo"
EXPLAIN_ARGS=()
stop_servers

# The database is the owner's only.
mode=$(stat -c %a "$db")
[ "$mode" = 600 ] || fail "database mode $mode, want 600"

# --clients-file: refused when others can read it; used when 0600.
printf '# clients\ndemo:s3cret:acme:invoices:read\n\n' >"$TMP/clients"
chmod 644 "$TMP/clients"
if "$APIERR" serve --listen 127.0.0.1:0 --clients-file "$TMP/clients" >"$TMP/cf.out" 2>"$TMP/cf.err" </dev/null; then
    fail "a clients file of mode 644 was accepted"
fi
grep -q "600" "$TMP/cf.err" || fail "the refusal does not say what to do: $(cat "$TMP/cf.err")"
grep -q s3cret "$TMP/cf.err" && fail "the refusal shows the secret"
chmod 600 "$TMP/clients"
start_server f --clients-file "$TMP/clients"
req POST "$URL/oauth/token" -u demo:s3cret -d grant_type=client_credentials
expect_status 200 "a client of a 0600 clients file"
stop_servers
APIERR_SERVE_CLIENTS="demo:s3cret:acme:invoices:read other:pw:beta:invoices:read" start_server e
req POST "$URL/oauth/token" -u other:pw -d grant_type=client_credentials
expect_status 200 "a client of APIERR_SERVE_CLIENTS"

# A used refresh token that comes back revokes the whole family.
req POST "$URL/oauth/token" -u demo:s3cret -d grant_type=client_credentials
r1=$(json_get 'j["refresh_token"]')
req POST "$URL/oauth/token" -u demo:s3cret -d grant_type=refresh_token -d "refresh_token=$r1"
expect_status 200 "a refresh"
a2=$(json_get 'j["access_token"]')
r2=$(json_get 'j["refresh_token"]')
req GET "$URL/status" -H "Authorization: Bearer $a2"
expect_status 200 "the new access token"
req POST "$URL/oauth/token" -u demo:s3cret -d grant_type=refresh_token -d "refresh_token=$r1"
EXPLAIN_ARGS=(--dialect oauth)
expect_problem 400 invalid_grant "the used refresh token again"
EXPLAIN_ARGS=()
req POST "$URL/oauth/token" -u demo:s3cret -d grant_type=refresh_token -d "refresh_token=$r2"
expect_status 400 "the new refresh token after its predecessor came back"
req GET "$URL/status" -H "Authorization: Bearer $a2"
expect_status 401 "the new access token after its family was revoked"

# Accept: application/problem+json leaves RFC 6749 errors in their shape.
req POST "$URL/oauth/token" -u demo:nope -d grant_type=client_credentials -H 'Accept: application/problem+json'
expect_status 401 "a wrong secret asking for problem+json"
[ "$(json_get 'j.get("error")')" = invalid_client ] ||
    fail "the token endpoint answered problem+json: $(cat "$TMP/b")"
case "$(header Content-Type)" in application/json*) ;; *) fail "Content-Type $(header Content-Type)" ;; esac
