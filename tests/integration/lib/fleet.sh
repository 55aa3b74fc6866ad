# The start of every fleet test (sourced after call_lib.bash, never run by
# itself): the engines, stopped with the servers on exit; a failed command
# does not end the script (each check says what failed); the fleet's
# database (fleet_db.sh); and the Redis the instances share.
. "$(dirname "${BASH_SOURCE[0]}")/engines.sh"
trap 'cleanup; engines_stop' EXIT
set +e
. "$(dirname "${BASH_SOURCE[0]}")/fleet_db.sh"
start_redis
