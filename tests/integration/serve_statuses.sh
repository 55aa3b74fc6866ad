#!/usr/bin/env bash
# `apierr serve`: every status of the seeds, in every profile, each error
# body decoded back by `apierr explain --json` and compared (status, code,
# request id, Retry-After, field paths). Also OAuth (grants, rotation, client
# authentication), idempotency keys, Accept: application/problem+json.
source "$(dirname "$0")/lib/serve_common.sh"

CLIENTS=(--client demo:s3cret:acme:invoices:read,invoices:write
    --client ro:r3ad:acme:invoices:read --client beta:b3ta:beta:invoices:read,invoices:write)
INV='{"documentNumber":"%s","currency":"EUR","customer":{"name":"Ann","email":"ann@example.com"},"lines":[{"description":"x","quantity":2,"unitPrice":10.5}]}'
J=(-H 'Content-Type: application/json')

# token URL ID SECRET: a credential header for the profile: a Gestix session
# (GET /helo) or an OAuth access token.
token() {
    if [ "$PROFILE" = gestix ]; then
        req GET "$1/helo" -H "X-API-Token: $3"
        expect_status 200 "$PROFILE: /helo" || return
        echo "xa-token: $(json_get 'j["xa-token"]')"
    else
        req POST "$1/oauth/token" -u "$2:$3" -d grant_type=client_credentials
        expect_status 200 "$PROFILE: token" || return
        echo "Authorization: Bearer $(json_get 'j["access_token"]')"
    fi
}

profile_statuses() {
    PROFILE=$1
    EXPLAIN_ARGS=(--profile "$PROFILE")
    local g=0 auth_status=401 val_status=422 key_hdr=() key_q=""
    if [ "$PROFILE" = gestix ]; then g=1; auth_status=403; val_status=400; fi
    start_server "m$PROFILE" --profile "$PROFILE" "${CLIENTS[@]}"
    local M=$URL
    start_server "e$PROFILE" --profile "$PROFILE" "${CLIENTS[@]}" --token-ttl 1
    local E=$URL
    start_server "f$PROFILE" --profile "$PROFILE" "${CLIENTS[@]}" --rate 2/60 \
        --faults 500:0.2,502:0.2,503:0.2:2,504:0.2 --seed 7
    local F=$URL
    local A RO B EXP
    A=$(token "$M" demo s3cret)
    RO=$(token "$M" ro r3ad)
    B=$(token "$M" beta b3ta)
    EXP=$(token "$E" demo s3cret)
    local exp_at=$(($(date +%s%N) / 1000000 + 1100))
    local col="$M/v1/tenants/acme/invoices"

    # 201, 200, 204
    # shellcheck disable=SC2059
    req POST "$col" -H "$A" "${J[@]}" -d "$(printf "$INV" A-1)"
    expect_status 201 "$PROFILE: create" || return
    local id loc
    id=$(json_get 'j["id"]')
    loc=$(header Location)
    [ "$loc" = "/v1/tenants/acme/invoices/$id" ] || fail "$PROFILE: Location '$loc'"
    req GET "$col/$id" -H "$A"
    expect_status 200 "$PROFILE: get"
    [ "$(header ETag)" = '"1"' ] || fail "$PROFILE: ETag $(header ETag)"
    req GET "$col?limit=1" -H "$A"
    expect_status 200 "$PROFILE: list"
    # Percent-escapes in the path and the query are decoded as before
    # (http.c's unescape leaves any string with a '%' to libmicrohttpd):
    # the id's digits escaped read the same invoice, limit=%31 lists as
    # limit=1 did.
    cp "$TMP/b" "$TMP/list1"
    req GET "$col?limit=%31" -H "$A"
    expect_status 200 "$PROFILE: list, escaped limit"
    cmp -s "$TMP/b" "$TMP/list1" || fail "$PROFILE: limit=%31 listed $(head -c 300 "$TMP/b")"
    local esc=""
    for ((k = 0; k < ${#id}; k++)); do esc="$esc%3${id:k:1}"; done
    req GET "$col/$esc" -H "$A"
    expect_status 200 "$PROFILE: get by an escaped id"
    [ "$(header ETag)" = '"1"' ] || fail "$PROFILE: escaped id: ETag $(header ETag)"
    # shellcheck disable=SC2059
    req PUT "$col/$id" -H "$A" -H 'If-Match: "1"' "${J[@]}" -d "$(printf "$INV" A-1b)"
    expect_status 200 "$PROFILE: replace"
    [ "$(json_get 'j["version"]')" = 2 ] || fail "$PROFILE: version after PUT"

    # 400 malformed JSON; 415; 413
    req POST "$col" -H "$A" "${J[@]}" -d '{"documentNumber": '
    expect_problem 400 invalid_json "$PROFILE: malformed JSON"
    req POST "$col" -H "$A" -H 'Content-Type: text/plain' -d 'hello'
    expect_problem 415 unsupported_media_type "$PROFILE: 415"
    head -c 1100000 /dev/zero | tr '\0' ' ' >"$TMP/big"
    req POST "$col" -H "$A" "${J[@]}" --data-binary @"$TMP/big"
    expect_problem 413 payload_too_large "$PROFILE: 413"

    # 401 / 403: missing, invalid, expired credentials; missing scope
    if [ $g -eq 1 ]; then
        req GET "$M/helo"
        expect_problem 401 AUTH_FAILED "gestix: /helo without API token"
        req GET "$M/helo" -H 'X-API-Token: nope'
        expect_problem 401 AUTH_FAILED "gestix: /helo with a wrong API token"
        req GET "$col"
        expect_problem 403 SESSION_REQUIRED "gestix: no session"
        req GET "$col" -H 'xa-token: bogus'
        expect_problem 403 SESSION_INVALID "gestix: invalid session"
    else
        req GET "$col"
        expect_problem 401 unauthorized "$PROFILE: missing Authorization"
        case "$(header WWW-Authenticate)" in Bearer*) ;; *) fail "$PROFILE: WWW-Authenticate" ;; esac
        req GET "$col" -H 'Authorization: Bearer bogus'
        expect_problem 401 invalid_token "$PROFILE: invalid token"
        grep -q 'invalid or has been revoked' "$TMP/b" || fail "$PROFILE: invalid token message"
    fi
    while [ $(($(date +%s%N) / 1000000)) -lt $exp_at ]; do sleep 0.05; done
    req GET "$E/v1/tenants/acme/invoices" -H "$EXP"
    if [ $g -eq 1 ]; then
        expect_problem 403 SESSION_EXPIRED "gestix: expired session"
    else
        expect_problem 401 invalid_token "$PROFILE: expired token"
        grep -q 'has expired' "$TMP/b" || fail "$PROFILE: expired token message"
    fi
    req GET "$E/status" -H "$EXP"
    expect_status 200 "$PROFILE: /status with an expired token"
    [ "$(json_get 'j["session"]["healthy"]')" = False ] || fail "$PROFILE: session health"
    # shellcheck disable=SC2059
    req POST "$col" -H "$RO" "${J[@]}" -d "$(printf "$INV" RO-1)"
    expect_problem 403 forbidden "$PROFILE: missing scope"

    # 404: unknown id, another tenant's id, another tenant, unknown path
    req GET "$col/999999" -H "$A"
    expect_problem 404 not_found "$PROFILE: unknown id"
    # shellcheck disable=SC2059
    req POST "$M/v1/tenants/beta/invoices" -H "$B" "${J[@]}" -d "$(printf "$INV" B-1)"
    expect_status 201 "$PROFILE: beta create"
    local bid
    bid=$(json_get 'j["id"]')
    req GET "$col/$bid" -H "$A"
    expect_problem 404 not_found "$PROFILE: another tenant's id"
    req GET "$M/v1/tenants/beta/invoices" -H "$A"
    expect_problem 404 not_found "$PROFILE: another tenant"
    req GET "$M/nowhere" -H "$A"
    expect_problem 404 not_found "$PROFILE: unknown path"

    # 405 with Allow
    req PATCH "$col" -H "$A"
    expect_problem 405 method_not_allowed "$PROFILE: 405"
    [ "$(header Allow)" = "GET, POST, HEAD, OPTIONS" ] || fail "$PROFILE: Allow '$(header Allow)'"

    # 409: duplicate, and a stale If-Match
    # shellcheck disable=SC2059
    req POST "$col" -H "$A" "${J[@]}" -d "$(printf "$INV" A-1b)"
    expect_problem 409 DUPLICATE_ENTRY "$PROFILE: duplicate" documentNumber
    # shellcheck disable=SC2059
    req PUT "$col/$id" -H "$A" -H 'If-Match: "1"' "${J[@]}" -d "$(printf "$INV" A-1c)"
    # 412 (RFC 9110 13.1.1); GipoNext's seed says 409 (re-read and retry).
    # GoTab's names 409 for duplicates only, which its clients take as final.
    case $PROFILE in
    giponext) expect_problem 409 conflict "$PROFILE: stale If-Match" ;;
    *) expect_problem 412 precondition_failed "$PROFILE: stale If-Match" ;;
    esac

    # 422 (400 for Gestix): every field with its path
    req POST "$col" -H "$A" "${J[@]}" \
        -d '{"currency":"EUX","customer":{"name":"A","email":"nope"},"lines":[{"quantity":1,"unitPrice":1},{"quantity":0,"unitPrice":-2}]}'
    local vcode=validation_failed
    [ $g -eq 1 ] && vcode=INVALID_ARGUMENT
    expect_problem $val_status $vcode "$PROFILE: validation" documentNumber currency \
        customer.email lines.1.quantity lines.1.unitPrice
    req POST "$col" -H "$A" "${J[@]}" -d '{"documentNumber":7,"currency":"EUR","customer":"x","lines":{}}'
    expect_problem $val_status $vcode "$PROFILE: wrong types" documentNumber customer lines

    # Idempotency: the profile's key (header, or Gestix's ?nonce=)
    local kurl="$col" kh=(-H "Idempotency-Key: k-$PROFILE")
    if [ $g -eq 1 ]; then kurl="$col?nonce=n-$PROFILE"; kh=(); fi
    # shellcheck disable=SC2059
    req POST "$kurl" -H "$A" "${kh[@]}" "${J[@]}" -d "$(printf "$INV" K-1)"
    expect_status 201 "$PROFILE: idempotent create"
    local first
    first=$(cat "$TMP/b")
    # shellcheck disable=SC2059
    req POST "$kurl" -H "$A" "${kh[@]}" "${J[@]}" -d "$(printf "$INV" K-1)"
    expect_status 201 "$PROFILE: idempotent replay"
    [ "$(cat "$TMP/b")" = "$first" ] || fail "$PROFILE: replay differs"
    # shellcheck disable=SC2059
    req POST "$kurl" -H "$A" "${kh[@]}" "${J[@]}" -d "$(printf "$INV" K-2)"
    expect_problem $val_status IDEMPOTENCY_KEY_MISMATCH "$PROFILE: key reused with another body"

    # 204
    req DELETE "$col/$id" -H "$A" -H 'If-Match: "2"'
    expect_status 204 "$PROFILE: delete"
    req GET "$col/$id" -H "$A"
    expect_problem 404 not_found "$PROFILE: deleted"

    # 429 on the limited server (GET /status: no faults there)
    local FA
    FA=$(token "$F" demo s3cret)
    local n seen=""
    for n in 1 2 3; do req GET "$F/status" -H "$FA"; done
    # GoTab words its 429 itself (seed 001); the other profiles get the
    # limiter's default code and a message that names the delay.
    if [ "$PROFILE" = gotab ]; then
        expect_problem 429 rate_limit_exceeded "$PROFILE: 429"
        [ "$(json_get 'j["message"]')" = "Too many requests." ] ||
            fail "$PROFILE: 429 message: $(cat "$TMP/b")"
    else
        expect_problem 429 RATE_LIMITED "$PROFILE: 429"
        "$PY" -S -c 'import json,sys; sys.exit(0 if "Retry after" in open(sys.argv[1]).read() else 1)' \
            "$TMP/e.json" || fail "$PROFILE: 429 message: $(cat "$TMP/b")"
    fi
    [ -n "$(header RateLimit)" ] || fail "$PROFILE: no RateLimit header"
    [ -n "$(header RateLimit-Policy)" ] || fail "$PROFILE: no RateLimit-Policy header"
    # 500 502 503 504 from faults, each decoded
    FA=$(token "$F" ro r3ad)
    for n in $(seq 1 60); do
        req GET "$F/v1/tenants/acme/invoices" -H "$FA"
        case "$ST" in
        500 | 502 | 503 | 504)
            case " $seen " in *" $ST "*) continue ;; esac
            seen="$seen $ST"
            local c=-
            [ "$ST" = 503 ] && c=service_unavailable
            [ "$ST" = 504 ] && c=gateway_timeout
            expect_problem "$ST" "$c" "$PROFILE: fault $ST"
            [ "$ST" = 503 ] && [ "$(header Retry-After)" != 2 ] && fail "$PROFILE: 503 Retry-After"
            ;;
        esac
        [ "$(echo "$seen" | wc -w)" -eq 4 ] && break
    done
    [ "$(echo "$seen" | wc -w)" -eq 4 ] || fail "$PROFILE: faults seen:$seen"

    # GET /status lists the recent errors with their request ids
    req GET "$M/status" -H "$A"
    expect_status 200 "$PROFILE: status"
    [ "$(json_get 'len(j["recent_errors"])')" -ge 10 ] || fail "$PROFILE: recent errors"
    stop_servers
}

for p in default giponext gotab nested laravel gestix; do
    profile_statuses "$p"
done

# OAuth details, once: JSON bodies, form client auth, errors, rotation.
PROFILE=default
EXPLAIN_ARGS=(--dialect oauth)
start_server oauth "${CLIENTS[@]}"
req POST "$URL/oauth/token" "${J[@]}" -d '{"grant_type":"client_credentials","client_id":"demo","client_secret":"s3cret","scope":"invoices:read"}'
expect_status 200 "oauth: JSON body, form client auth"
[ "$(json_get 'j["scope"]')" = "invoices:read" ] || fail "oauth: scope"
rt=$(json_get 'j["refresh_token"]')
req POST "$URL/oauth/token" -u demo:wrong -d grant_type=client_credentials
expect_problem 401 invalid_client "oauth: wrong secret"
req POST "$URL/oauth/token" -u demo:s3cret -d grant_type=password
expect_problem 400 unsupported_grant_type "oauth: grant type"
req POST "$URL/oauth/token" -u demo:s3cret -d grant_type=client_credentials -d scope=admin
expect_problem 400 invalid_scope "oauth: scope"
req POST "$URL/oauth/token" -u demo:s3cret -d grant_type=refresh_token --data-urlencode "refresh_token=$rt"
expect_status 200 "oauth: refresh"
rt2=$(json_get 'j["refresh_token"]')
[ "$rt2" != "$rt" ] || fail "oauth: refresh token not rotated"
req POST "$URL/oauth/token" -u demo:s3cret -d grant_type=refresh_token --data-urlencode "refresh_token=$rt"
expect_problem 400 invalid_grant "oauth: reused refresh token"
req GET "$URL/oauth/token"
expect_problem 405 method_not_allowed "oauth: GET"
# Accept: application/problem+json wins over the profile's dialect.
stop_servers
start_server accept --profile gotab "${CLIENTS[@]}"
req GET "$URL/v1/tenants/acme/invoices" -H 'Accept: application/problem+json'
EXPLAIN_ARGS=()
expect_problem 401 unauthorized "Accept: problem+json"
case "$(header Content-Type)" in application/problem+json*) ;; *) fail "problem+json content type" ;; esac
