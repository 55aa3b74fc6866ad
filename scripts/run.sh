#!/bin/sh
# `make run`: the reference API in the foreground, with its database under
# ./var and a demo client, after printing `apierr call` and curl commands to
# paste (tests/integration/run_demo.sh runs them). LISTEN=IP:PORT moves it.
#   sh scripts/run.sh PATH/TO/apierr [serve options...]   the server (Ctrl-C stops it)
#   sh scripts/run.sh --explain PATH/TO/apierr            explain every seed example body
set -eu

# The explain demo: every example body of the seed documents, one after the
# other, each under a heading.
explain_demo() {
    apierr=$1
    bodies=$(cd "$(dirname "$0")/../examples/seed-bodies" && pwd)
    first=1
    for body in "$bodies"/*.json; do
        name=$(basename "$body" .json)
        status=$(echo "$name" | cut -d- -f3) # SEED-API-STATUS-WHAT.json
        [ "$first" -eq 1 ] || echo
        first=0
        echo "=== $name (seed $(echo "$name" | cut -d- -f1), HTTP $status) ==="
        set -- --status "$status"
        if [ -f "$bodies/$name.headers" ]; then
            while IFS= read -r line || [ -n "$line" ]; do
                [ -n "$line" ] && set -- "$@" --header "$line"
            done <"$bodies/$name.headers"
        fi
        "$apierr" explain "$@" "$body"
    done
}

if [ "${1:-}" = "--explain" ]; then
    explain_demo "${2:?usage: sh scripts/run.sh --explain PATH/TO/apierr}"
    exit 0
fi
apierr=${1:?usage: sh scripts/run.sh PATH/TO/apierr [serve options...]}
shift
listen=${LISTEN:-127.0.0.1:8080} # port 0: a free one; the commands name the real one
mkdir -p var
rm -f var/serve.url
# The server first, so that the commands below carry the URL it listens on.
# A background job of a script ignores SIGINT: Ctrl-C reaches it as SIGTERM.
"$apierr" serve --listen "$listen" --db var/refapi.db \
    --client demo:s3cret:acme:invoices:read,invoices:write "$@" >var/serve.url &
server=$!
trap 'kill -TERM "$server" 2>/dev/null' INT TERM
until [ -s var/serve.url ]; do
    kill -0 "$server" 2>/dev/null || exit 1 # it said why on stderr
    sleep 0.1
done
base=$(head -n 1 var/serve.url)
base=${base%/}
call="$apierr call --oauth $base/oauth/token --client-id demo --client-secret s3cret"
cat <<MSG
apierr reference API on $base (database: var/refapi.db, client demo/s3cret of tenant acme)
Paste in another terminal, with apierr call:

  # list the invoices of tenant acme (an OAuth token first, retries as the policy says)
  $call \\
      $base/v1/tenants/acme/invoices

  # create one: its status line and headers (-i), then the body; the key makes a retry safe
  $call -i \\
      --idempotency-key auto \\
      --json '{"documentNumber":"INV-1","currency":"EUR","customer":{"name":"Ann","email":"ann@example.com"},"lines":[{"quantity":2,"unitPrice":10.5}]}' \\
      $base/v1/tenants/acme/invoices

  # a validation error (422): the problem on stderr, every field, exit status 4
  $call \\
      --json '{"currency":"EUX","customer":{"email":"nope"},"lines":[{"quantity":0,"unitPrice":-1}]}' \\
      $base/v1/tenants/acme/invoices || echo "exit status \$?"

  # a 404, written out as curl's -w does, with apierr's category
  $call -s \\
      -w '%{http_code} %{category} %{request_id}\n' $base/v1/tenants/acme/invoices/999 || true

Or with curl:

  # an access token (OAuth 2.0 client credentials)
  TOKEN=\$(curl -s -u demo:s3cret -d grant_type=client_credentials $base/oauth/token |
          sed 's/.*"access_token":"\([^"]*\)".*/\1/')

  # list the invoices
  curl -s -H "Authorization: Bearer \$TOKEN" $base/v1/tenants/acme/invoices

  # a validation error (422, every field), then explain it
  curl -s -H "Authorization: Bearer \$TOKEN" -H 'Content-Type: application/json' \\
       -d '{"currency":"EUX","customer":{"email":"nope"},"lines":[{"quantity":0,"unitPrice":-1}]}' \\
       $base/v1/tenants/acme/invoices | $apierr explain --status 422

  # a 404, and your session's recent errors
  curl -i -H "Authorization: Bearer \$TOKEN" $base/v1/tenants/acme/invoices/999
  curl -s -H "Authorization: Bearer \$TOKEN" $base/status

Ctrl-C stops the server. (sh scripts/run.sh --explain $apierr: the explain demo.)
MSG
while kill -0 "$server" 2>/dev/null; do wait "$server"; done
