# Sourced by the tests that put nginx in front of a client: start_nginx DIR
# 'HTTP DIRECTIVES' writes DIR/nginx.conf (one worker, no access log, its
# files under DIR, the directives given inside http { }, server blocks
# included) and runs nginx in the foreground; NGINX_PID is its process,
# for the caller to stop.
start_nginx() {
    local dir=$1 http=$2
    mkdir -p "$dir/logs"
    cat >"$dir/nginx.conf" <<CONF
daemon off;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/logs/error.log error;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $dir/body;
    proxy_temp_path $dir/proxy;
    fastcgi_temp_path $dir/fcgi;
    uwsgi_temp_path $dir/uwsgi;
    scgi_temp_path $dir/scgi;
$http
}
CONF
    nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/logs/error.log" &
    NGINX_PID=$!
}
