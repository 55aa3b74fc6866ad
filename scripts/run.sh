#!/bin/sh
# `make run`: the main job. Until `apierr serve` exists, it explains every
# example body of the five seed documents (examples/seed-bodies/), one after
# the other, each under a heading.
# Usage: sh scripts/run.sh PATH/TO/apierr
set -eu
apierr=${1:?usage: sh scripts/run.sh PATH/TO/apierr}
bodies=$(cd "$(dirname "$0")/../examples/seed-bodies" && pwd)

# A name reads SEED-API-STATUS-WHAT.json; the status is the third field.
status_of() {
    basename "$1" .json | cut -d- -f3
}

first=1
for body in "$bodies"/*.json; do
    name=$(basename "$body" .json)
    status=$(status_of "$body")
    [ "$first" -eq 1 ] || echo
    first=0
    echo "=== $name (seed $(echo "$name" | cut -d- -f1), HTTP $status) ==="
    # Response headers, one per line, become --header arguments.
    set -- --status "$status"
    if [ -f "$bodies/$name.headers" ]; then
        while IFS= read -r line || [ -n "$line" ]; do
            [ -n "$line" ] && set -- "$@" --header "$line"
        done <"$bodies/$name.headers"
    fi
    "$apierr" explain "$@" "$body"
done
