/*
 * bench_client: throughput of libapierr-client's async engine against a raw
 * libcurl multi loop (the peer), same concurrency, same `apierr serve`
 * endpoint, one run each; and the memory per call in flight.
 *
 * usage: bench_client [BASE_URL]  (default: starts ../apierr serve next to
 * this binary on 127.0.0.1 port 0). Environment: BENCH_N (requests, default
 * 20000), BENCH_C (concurrency, default 64).
 */
#include "apierr-client.h"

#include <curl/curl.h>
#include <jansson.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds of this process (user + system): the client's own cost, which
 * a loaded machine does not stretch as it stretches wall time (the server
 * is a child process, not counted). */
static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long maxrss_kib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static size_t sink(char *p, size_t s, size_t n, void *u)
{
    (void)p, (void)u;
    return s * n;
}

static size_t keep(char *p, size_t s, size_t n, void *u)
{
    strncat(u, p, s * n < 1023 - strlen(u) ? s * n : 1023 - strlen(u));
    return s * n;
}

/* A token for the bench client (acme-bench, registered by the spawned server). */
static int get_token(const char *base, char *token, size_t cap)
{
    char url[512], body[1024] = "";
    snprintf(url, sizeof url, "%s/oauth/token", base);
    CURL *e = curl_easy_init();
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS,
                     "grant_type=client_credentials&client_id=bench&client_secret=bench-secret");
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, keep);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, (void *)body);
    CURLcode rc = curl_easy_perform(e);
    curl_easy_cleanup(e);
    json_t *doc = rc == CURLE_OK ? json_loads(body, 0, NULL) : NULL;
    const char *t = json_string_value(json_object_get(doc, "access_token"));
    if (t) snprintf(token, cap, "%s", t);
    json_decref(doc);
    return t ? 0 : -1;
}

/* The peer: a plain multi loop, handles reused, no policy, no decoding. */
static double raw_loop(const char *url, const char *auth, int n, int conc)
{
    CURLM *m = curl_multi_init();
    curl_multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS, (long)conc);
    struct curl_slist *h = curl_slist_append(NULL, auth);
    int started = 0, done = 0, ok = 0;
    double t0 = now_s();
    for (int i = 0; i < conc && started < n; i++, started++) {
        CURL *e = curl_easy_init();
        curl_easy_setopt(e, CURLOPT_URL, url);
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, sink);
        curl_multi_add_handle(m, e);
    }
    while (done < n) {
        int running;
        curl_multi_perform(m, &running);
        CURLMsg *msg;
        int left;
        while ((msg = curl_multi_info_read(m, &left))) {
            CURL *e = msg->easy_handle;
            long status = 0;
            curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
            ok += msg->data.result == CURLE_OK && status == 200;
            done++;
            curl_multi_remove_handle(m, e);
            if (started < n) {
                started++;
                curl_multi_add_handle(m, e);
            } else {
                curl_easy_cleanup(e);
            }
        }
        if (done < n) curl_multi_poll(m, NULL, 0, 100, NULL);
    }
    double t = now_s() - t0;
    curl_slist_free_all(h);
    curl_multi_cleanup(m);
    if (ok != n) fprintf(stderr, "raw loop: %d of %d ok\n", ok, n);
    return t;
}

static void count_ok(void *payload, apierr_result *r)
{
    *(int *)payload += r->ok;
}

static double engine(const char *url, const char *token, int n, int conc, int *ok)
{
    apierr_client_opts o = APIERR_CLIENT_OPTS_INIT;
    o.token = token;
    o.max_in_flight = conc;
    o.max_host_connections = conc;
    apierr_client *c;
    if (apierr_client_new(&c, &o) != APIERR_OK) return -1;
    apierr_request req = APIERR_REQUEST_INIT;
    req.url = url;
    *ok = 0;
    double t0 = now_s();
    for (int i = 0; i < n; i++) apierr_client_submit(c, &req, count_ok, ok);
    apierr_client_run(c);
    double t = now_s() - t0;
    apierr_client_free(c);
    return t;
}

int main(int argc, char **argv)
{
    int n = getenv("BENCH_N") ? atoi(getenv("BENCH_N")) : 20000;
    int conc = getenv("BENCH_C") ? atoi(getenv("BENCH_C")) : 64;
    char base[256] = "";
    FILE *server = NULL;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    pid_t pid = 0;
    if (argc > 1) {
        snprintf(base, sizeof base, "%s", argv[1]);
    } else {
        char self[1024], path[1100];
        snprintf(self, sizeof self, "%s", argv[0]);
        snprintf(path, sizeof path, "%s/../apierr", dirname(self));
        int fds[2];
        if (pipe(fds) == 0 && (pid = fork()) == 0) {
            dup2(fds[1], 1);
            close(fds[0]);
            execl(path, "apierr", "serve", "--listen", "127.0.0.1:0", "--threads", "2", "--client",
                  "bench:bench-secret:acme:invoices:read", (char *)NULL);
            _exit(127);
        }
        close(fds[1]);
        server = fdopen(fds[0], "r");
        if (pid <= 0 || !server || !fgets(base, sizeof base, server)) {
            printf("bench_client: skipped (cannot start %s serve)\n", path);
            return 0;
        }
        base[strcspn(base, "\r\n")] = '\0';
    }
    char token[256], auth[300], url[512];
    if (get_token(base, token, sizeof token)) {
        printf("bench_client: skipped (no token from %s)\n", base);
        return 0;
    }
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    snprintf(url, sizeof url, "%s/v1/tenants/acme/invoices?limit=1", base);
    raw_loop(url, auth, n / 10, conc); /* warm up */
    double c0 = cpu_s();
    double raw = raw_loop(url, auth, n, conc);
    double raw_cpu = cpu_s() - c0;
    int ok;
    long before = maxrss_kib();
    c0 = cpu_s();
    double eng = engine(url, token, n, conc, &ok); /* all n calls submitted at once */
    double eng_cpu = cpu_s() - c0;
    long after = maxrss_kib();
    printf("bench_client: %d GET, concurrency %d, against apierr serve (%s)\n", n, conc, base);
    printf("  %-28s %10.0f req/s\n", "raw libcurl multi loop", n / raw);
    printf("  %-28s %10.0f req/s  (%d ok)\n", "libapierr-client engine", n / eng, ok);
    printf("  ratio engine/raw            %10.2f  (target >= 0.95)\n", raw / eng);
    printf("  client CPU per request      %10.1f us raw, %.1f us engine (ratio raw/engine %.2f)\n",
           raw_cpu / n * 1e6, eng_cpu / n * 1e6, raw_cpu / eng_cpu);
    printf("  memory per call in flight   %10.0f bytes (max RSS +%ld KiB for %d calls)\n",
           (double)(after - before) * 1024 / n, after - before, n);
    if (pid > 0) {
        kill(pid, SIGTERM);
        waitpid(pid, NULL, 0);
        fclose(server);
    }
    curl_global_cleanup();
    return 0;
}
