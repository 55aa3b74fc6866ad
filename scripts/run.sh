#!/bin/sh
# `make run`: the reference API in the foreground, with its database under
# ./var and a demo client, after printing curl calls to paste.
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
listen=${LISTEN:-127.0.0.1:8080}
base="http://$listen"
mkdir -p var
cat <<MSG
apierr reference API on $base (database: var/refapi.db, client demo/s3cret of tenant acme)
Paste in another terminal:

  # an access token (OAuth 2.0 client credentials)
  TOKEN=\$(curl -s -u demo:s3cret -d grant_type=client_credentials $base/oauth/token |
          sed 's/.*"access_token":"\([^"]*\)".*/\1/')

  # create an invoice (201 + Location)
  curl -i -H "Authorization: Bearer \$TOKEN" -H 'Content-Type: application/json' \\
       -d '{"documentNumber":"INV-1","currency":"EUR","customer":{"name":"Ann","email":"ann@example.com"},"lines":[{"quantity":2,"unitPrice":10.5}]}' \\
       $base/v1/tenants/acme/invoices

  # list them
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
exec "$apierr" serve --listen "$listen" --db var/refapi.db \
    --client demo:s3cret:acme:invoices:read,invoices:write "$@"
