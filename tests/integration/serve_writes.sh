#!/usr/bin/env bash
# `apierr serve`: writes and preconditions (RFC 9110 13.1), and the headers
# around them. A 415 is not stored under its idempotency key; If-Match uses
# the strong comparison, lists and "*", 412 by default, 428 when required;
# If-None-Match gives 304; OPTIONS 204 with Allow; HEAD where GET; no
# Content-Type on 204; Vary: Accept on errors; a 429's Retry-After and
# RateLimit t agree; /status lists 429s; Gestix 429 bodies carry path.
source "$(dirname "$0")/lib/serve_common.sh"

CL=(--client demo:s3cret:acme:invoices:read,invoices:write)
INV='{"documentNumber":"%s","currency":"EUR","customer":{"name":"Ann","email":"ann@example.com"},"lines":[{"description":"x","quantity":2,"unitPrice":10.5}]}'
J=(-H 'Content-Type: application/json')
start_server w "${CL[@]}" --require-if-match
req POST "$URL/oauth/token" -u demo:s3cret -d grant_type=client_credentials
A="Authorization: Bearer $(json_get 'j["access_token"]')"
col="$URL/v1/tenants/acme/invoices"

# A 415 rejected before the operation is not replayed once the header is fixed.
# shellcheck disable=SC2059
body=$(printf "$INV" W-1)
req POST "$col" -H "$A" -H 'Idempotency-Key: k-415' -H 'Content-Type: text/plain' -d "$body"
expect_problem 415 unsupported_media_type "wrong Content-Type"
req POST "$col" -H "$A" -H 'Idempotency-Key: k-415' "${J[@]}" -d "$body"
expect_status 201 "the same key with the Content-Type fixed"
id=$(json_get 'j["id"]')
[ "$(header Vary)" = "" ] || true

# If-Match: required (428), strong comparison, lists, "*".
# shellcheck disable=SC2059
req PUT "$col/$id" -H "$A" "${J[@]}" -d "$(printf "$INV" W-1b)"
expect_problem 428 precondition_required "PUT without If-Match where it is required"
# shellcheck disable=SC2059
req PUT "$col/$id" -H "$A" -H 'If-Match: W/"1"' "${J[@]}" -d "$(printf "$INV" W-1b)"
expect_problem 412 precondition_failed "a weak tag (never matches strongly)"
# shellcheck disable=SC2059
req PUT "$col/$id" -H "$A" -H 'If-Match: "7", "1"' "${J[@]}" -d "$(printf "$INV" W-1b)"
expect_status 200 "a list with the current tag"
[ "$(header ETag)" = '"2"' ] || fail "ETag after the PUT: $(header ETag)"
# shellcheck disable=SC2059
req PUT "$col/$id" -H "$A" -H 'If-Match: *' "${J[@]}" -d "$(printf "$INV" W-1c)"
expect_status 200 "If-Match: *"
# shellcheck disable=SC2059
req PUT "$col/$id" -H "$A" -H 'If-Match: "2"' "${J[@]}" -d "$(printf "$INV" W-1d)"
expect_problem 412 precondition_failed "a stale tag"
[ "$(header Vary)" = Accept ] || fail "an error without Vary: Accept: '$(header Vary)'"

# If-None-Match on GET: 304, no body, no Content-Type.
rm -f "$TMP/b"
req GET "$col/$id" -H "$A" -H 'If-None-Match: W/"3"'
expect_status 304 "If-None-Match with the current tag"
[ -s "$TMP/b" ] && fail "a 304 with a body: $(head -c 200 "$TMP/b")"
[ -z "$(header Content-Type)" ] || fail "a 304 with Content-Type $(header Content-Type)"
req GET "$col/$id" -H "$A" -H 'If-None-Match: "1"'
expect_status 200 "If-None-Match with an old tag"

# A malformed body says what is wrong with it, not only where.
req POST "$col" -H "$A" -H 'Content-Type: application/json' -d '{"documentNumber":"D","documentNumber":"E"}'
expect_status 400 "a duplicate key"
grep -q 'duplicate object key' "$TMP/b" || fail "a duplicate key: $(head -c 300 "$TMP/b")"
req POST "$col" -H "$A" -H 'Content-Type: application/json' -d '{"documentNumber":"\u0000"}'
expect_status 400 "a NUL in a string"
grep -q 'u0000 is not accepted' "$TMP/b" || fail "a NUL in a string: $(head -c 300 "$TMP/b")"
# An id that is not a number: 404 that quotes it, not "No invoice 0".
for bad in abc 99999999999999999999; do
    req GET "$col/$bad" -H "$A"
    expect_status 404 "GET $bad"
    grep -q "No invoice '$bad'" "$TMP/b" || fail "GET $bad: $(head -c 300 "$TMP/b")"
done

# OPTIONS, HEAD, and 204 without Content-Type.
req OPTIONS "$col"
expect_status 204 "OPTIONS"
case "$(header Allow)" in *GET*POST*OPTIONS*) ;; *) fail "OPTIONS Allow '$(header Allow)'" ;; esac
[ -z "$(header Content-Type)" ] || fail "a 204 with Content-Type $(header Content-Type)"
# (libmicrohttpd leaves the body of a HEAD out.)
ST=$(curl -s -m 10 -o /dev/null -D "$TMP/h" -w '%{http_code}' -I "$col?limit=1" -H "$A")
expect_status 200 "HEAD on the collection"
[ -n "$(header Content-Length)" ] || fail "HEAD without the GET's Content-Length"
req DELETE "$col/$id" -H "$A" -H 'If-Match: "3"'
expect_status 204 "DELETE"
[ -z "$(header Content-Type)" ] || fail "a 204 with Content-Type $(header Content-Type)"
stop_servers

# 429: Retry-After and RateLimit's t agree; /status lists the 429s.
start_server r "${CL[@]}" --rate 60/60:3
req POST "$URL/oauth/token" -u demo:s3cret -d grant_type=client_credentials
A="Authorization: Bearer $(json_get 'j["access_token"]')"
for _ in 1 2 3 4; do req GET "$URL/v1/tenants/acme/invoices?limit=1" -H "$A"; done
expect_status 429 "over the rate"
ra=$(header Retry-After)
t=$(header RateLimit | sed -n 's/.*;t=\([0-9]*\).*/\1/p')
[ -n "$ra" ] && [ "$ra" = "$t" ] || fail "Retry-After '$ra' next to RateLimit '$(header RateLimit)'"
sleep "$ra"
req GET "$URL/status" -H "$A"
expect_status 200 "/status after a 429"
[ "$(json_get 'sum(e["status"] == 429 for e in j["recent_errors"])')" -ge 1 ] ||
    fail "/status does not list the 429: $(cat "$TMP/b")"
stop_servers

# Gestix 429 bodies carry path, like every other Gestix error.
start_server g "${CL[@]}" --profile gestix --rate 60/60:2
req GET "$URL/helo" -H "X-API-Token: s3cret"
X="xa-token: $(json_get 'j["xa-token"]')"
for _ in 1 2 3; do req GET "$URL/v1/tenants/acme/invoices" -H "$X"; done
EXPLAIN_ARGS=(--profile gestix)
expect_problem 429 RATE_LIMITED "gestix 429"
[ "$(json_get 'j.get("path")')" = /v1/tenants/acme/invoices ] || fail "gestix 429 without path: $(cat "$TMP/b")"
