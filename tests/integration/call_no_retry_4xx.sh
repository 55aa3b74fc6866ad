# 400, 404 and 422 are not retried (every seed): one attempt, exit code 4.
. "$(dirname "$0")/call_lib.bash"

one_attempt() { # WANT_STATUS PROFILE CALL-ARGS...
    local want=$1 profile=$2 rc=0
    shift 2
    "$APIERR" call --profile "$profile" $(oauth_opts) --output-json "$@" \
        >"$TMP/out.json" 2>/dev/null || rc=$?
    [ "$rc" = 4 ] || fail "$profile $want: exit status $rc, want 4"
    local got
    got=$(json_get '[a["status"] for a in d["attempts"]]' <"$TMP/out.json")
    [ "$got" = "[$want]" ] || fail "$profile: attempts $got, want one $want"
}

start_server
# 422: the invoice fails validation (default profile).
one_attempt 422 default --json '{"currency":"EURO"}' "$BASE/v1/tenants/$TENANT/invoices"
json_get 'd["problem"]["details"][0]["field"] is not None' <"$TMP/out.json" | grep -qx True ||
    fail "422 without field details"
# 404: no such invoice; no such tenant.
one_attempt 404 default "$BASE/v1/tenants/$TENANT/invoices/999999"
one_attempt 404 gotab "$BASE/v1/tenants/nobody/invoices"

# 400: Gestix reports validation failures as 400 (seed 004).
start_server --profile gestix
one_attempt 400 gestix --json '{"currency":"EURO"}' "$BASE/v1/tenants/$TENANT/invoices"
echo "ok: 400, 404 and 422 are not retried"
