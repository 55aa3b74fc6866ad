/* `apierr call`: curl's flags that are each one libcurl setting of every
 * transfer, one table (call_curlopts.c applies it through the client's
 * easy_setup). */
#ifndef APIERR_CLI_CALL_CURLOPTS_H
#define APIERR_CLI_CALL_CURLOPTS_H

#include "call.h"

#include <curl/curl.h>

/* How a row's value is read and set. */
enum call_curl_kind {
    CALL_CURL_FIXED,  /* no argument: the row's value */
    CALL_CURL_COUNT,  /* an integer >= 0, as a long */
    CALL_CURL_MS,     /* seconds (fractions allowed), as milliseconds */
    CALL_CURL_STRING, /* the argument as it is */
    CALL_CURL_SIZE,   /* bytes, K, M or G after them (1024s), as a curl_off_t */
    CALL_CURL_BIT,    /* no argument: the row's value ORed into the option's */
    CALL_CURL_PORTS,  /* PORT or FIRST-LAST (curl's --local-port) */
    CALL_CURL_LIST,   /* repeatable: the arguments in a curl_slist */
    CALL_CURL_PROTO,  /* curl's protocol set ([+-=]NAME,...: from all) of http and https */
};

/*
 * The rows: id, flag, metavar (NULL: no argument), libcurl option, kind,
 * the value of a FIXED or BIT row, a second option set to a fixed value
 * whenever the row is given (0: none) and that value, help. Second options
 * are set before every row's own, so that a row of its own (--speed-time)
 * wins over one set as a second (by --speed-limit).
 */
#define CALL_CURL_FLAGS(X)                                                                         \
    X(tcp_nodelay, "--tcp-nodelay", NULL, CURLOPT_TCP_NODELAY, CALL_CURL_FIXED, 1, 0, 0,           \
      "turn Nagle's algorithm off (libcurl's default: accepted)")                                  \
    X(no_keepalive, "--no-keepalive", NULL, CURLOPT_TCP_KEEPALIVE, CALL_CURL_FIXED, 0, 0, 0,       \
      "send no TCP keepalive probes")                                                              \
    X(keepalive_time, "--keepalive-time", "SECONDS", CURLOPT_TCP_KEEPIDLE, CALL_CURL_COUNT, 0,     \
      CURLOPT_TCP_KEEPALIVE, 1, "TCP keepalive probes after SECONDS idle")                         \
    X(max_filesize, "--max-filesize", "BYTES", CURLOPT_MAXFILESIZE_LARGE, CALL_CURL_SIZE, 0, 0, 0, \
      "refuse a response body larger than BYTES (K, M, G: times 1024)")                            \
    X(speed_limit, "--speed-limit", "BYTES", CURLOPT_LOW_SPEED_LIMIT, CALL_CURL_COUNT, 0,          \
      CURLOPT_LOW_SPEED_TIME, 30,                                                                  \
      "fail an attempt slower than BYTES a second for --speed-time (default 30 s)")                \
    X(speed_time, "--speed-time", "SECONDS", CURLOPT_LOW_SPEED_TIME, CALL_CURL_COUNT, 0, 0, 0,     \
      "with --speed-limit: for how long")                                                          \
    X(tlsv1, "--tlsv1", NULL, CURLOPT_SSLVERSION, CALL_CURL_FIXED, CURL_SSLVERSION_TLSv1, 0, 0,    \
      "TLS 1.0 or later")                                                                          \
    X(tlsv1_0, "--tlsv1.0", NULL, CURLOPT_SSLVERSION, CALL_CURL_FIXED, CURL_SSLVERSION_TLSv1_0, 0, \
      0, "TLS 1.0 or later")                                                                       \
    X(tlsv1_1, "--tlsv1.1", NULL, CURLOPT_SSLVERSION, CALL_CURL_FIXED, CURL_SSLVERSION_TLSv1_1, 0, \
      0, "TLS 1.1 or later")                                                                       \
    X(tlsv1_2, "--tlsv1.2", NULL, CURLOPT_SSLVERSION, CALL_CURL_FIXED, CURL_SSLVERSION_TLSv1_2, 0, \
      0, "TLS 1.2 or later")                                                                       \
    X(tlsv1_3, "--tlsv1.3", NULL, CURLOPT_SSLVERSION, CALL_CURL_FIXED, CURL_SSLVERSION_TLSv1_3, 0, \
      0, "TLS 1.3")                                                                                \
    X(ciphers, "--ciphers", "LIST", CURLOPT_SSL_CIPHER_LIST, CALL_CURL_STRING, 0, 0, 0,            \
      "TLS 1.2 cipher list (OpenSSL's names)")                                                     \
    X(tls13_ciphers, "--tls13-ciphers", "LIST", CURLOPT_TLS13_CIPHERS, CALL_CURL_STRING, 0, 0, 0,  \
      "TLS 1.3 cipher suites")                                                                     \
    X(pinnedpubkey, "--pinnedpubkey", "HASHES", CURLOPT_PINNEDPUBLICKEY, CALL_CURL_STRING, 0, 0,   \
      0, "accept only this server public key (a PEM/DER file or sha256//BASE64;...)")              \
    X(crlfile, "--crlfile", "FILE", CURLOPT_CRLFILE, CALL_CURL_STRING, 0, 0, 0,                    \
      "refuse the certificates this PEM revocation list names")                                    \
    X(cert_type, "--cert-type", "TYPE", CURLOPT_SSLCERTTYPE, CALL_CURL_STRING, 0, 0, 0,            \
      "the type of -E's file: PEM, DER or P12")                                                    \
    X(key_type, "--key-type", "TYPE", CURLOPT_SSLKEYTYPE, CALL_CURL_STRING, 0, 0, 0,               \
      "the type of --key's file: PEM or DER")                                                      \
    X(pass, "--pass", "PHRASE", CURLOPT_KEYPASSWD, CALL_CURL_STRING, 0, 0, 0,                      \
      "the passphrase of --key's private key")                                                     \
    X(no_sessionid, "--no-sessionid", NULL, CURLOPT_SSL_SESSIONID_CACHE, CALL_CURL_FIXED, 0, 0, 0, \
      "do not reuse TLS sessions")                                                                 \
    X(proxy_insecure, "--proxy-insecure", NULL, CURLOPT_PROXY_SSL_VERIFYPEER, CALL_CURL_FIXED, 0,  \
      CURLOPT_PROXY_SSL_VERIFYHOST, 0, "do not verify an HTTPS proxy's certificate")               \
    X(proxy_cacert, "--proxy-cacert", "FILE", CURLOPT_PROXY_CAINFO, CALL_CURL_STRING, 0, 0, 0,     \
      "verify an HTTPS proxy with the CA certificates of FILE")                                    \
    X(post301, "--post301", NULL, CURLOPT_POSTREDIR, CALL_CURL_BIT, CURL_REDIR_POST_301, 0, 0,     \
      "with -L: a POST stays a POST after a 301")                                                  \
    X(post302, "--post302", NULL, CURLOPT_POSTREDIR, CALL_CURL_BIT, CURL_REDIR_POST_302, 0, 0,     \
      "with -L: a POST stays a POST after a 302")                                                  \
    X(post303, "--post303", NULL, CURLOPT_POSTREDIR, CALL_CURL_BIT, CURL_REDIR_POST_303, 0, 0,     \
      "with -L: a POST stays a POST after a 303")                                                  \
    X(location_trusted, "--location-trusted", NULL, CURLOPT_UNRESTRICTED_AUTH, CALL_CURL_FIXED, 1, \
      0, 0, "as -L, and credentials go to every host redirected to")                               \
    X(interface, "--interface", "NAME", CURLOPT_INTERFACE, CALL_CURL_STRING, 0, 0, 0,              \
      "send from this interface, address or host name")                                            \
    X(connect_to, "--connect-to", "HOST:PORT:HOST2:PORT2", CURLOPT_CONNECT_TO, CALL_CURL_LIST, 0,  \
      0, 0, "connect to HOST2:PORT2 for HOST:PORT (repeatable; an empty part: any)")               \
    X(local_port, "--local-port", "PORT[-LAST]", CURLOPT_LOCALPORT, CALL_CURL_PORTS, 0, 0, 0,      \
      "connect from this local port (or one of the range)")                                        \
    X(happy_eyeballs, "--happy-eyeballs-timeout-ms", "MS", CURLOPT_HAPPY_EYEBALLS_TIMEOUT_MS,      \
      CALL_CURL_COUNT, 0, 0, 0, "head start of IPv6 over IPv4 when connecting")                    \
    X(expect100_timeout, "--expect100-timeout", "SECONDS", CURLOPT_EXPECT_100_TIMEOUT_MS,          \
      CALL_CURL_MS, 0, 0, 0, "how long to wait for 100 Continue before sending the body")          \
    X(ignore_content_length, "--ignore-content-length", NULL, CURLOPT_IGNORE_CONTENT_LENGTH,       \
      CALL_CURL_FIXED, 1, 0, 0, "read the body to the end of the connection")                      \
    X(doh_url, "--doh-url", "URL", CURLOPT_DOH_URL, CALL_CURL_STRING, 0, 0, 0,                     \
      "resolve host names over DNS-over-HTTPS at URL")                                             \
    X(dns_servers, "--dns-servers", "ADDRESSES", CURLOPT_DNS_SERVERS, CALL_CURL_STRING, 0, 0, 0,   \
      "resolve with these DNS servers (libcurl built with c-ares only)")                           \
    X(hsts, "--hsts", "FILE", CURLOPT_HSTS, CALL_CURL_STRING, 0, CURLOPT_HSTS_CTRL,                \
      CURLHSTS_ENABLE, "HSTS: read and update the known hosts of FILE")                            \
    X(alt_svc, "--alt-svc", "FILE", CURLOPT_ALTSVC, CALL_CURL_STRING, 0, 0, 0,                     \
      "Alt-Svc: read and update the alternative services of FILE")                                 \
    X(proto, "--proto", "[+-=]PROTOCOL,...", CURLOPT_PROTOCOLS_STR, CALL_CURL_PROTO, 0, 0, 0,      \
      "the schemes a call may use (curl's: =https only https, -http all but http)")                \
    X(proto_redir, "--proto-redir", "[+-=]PROTOCOL,...", CURLOPT_REDIR_PROTOCOLS_STR,              \
      CALL_CURL_PROTO, 0, 0, 0, "with -L: the schemes a redirect may lead to")                     \
    X(proto_default, "--proto-default", "SCHEME", CURLOPT_DEFAULT_PROTOCOL, CALL_CURL_STRING, 0,   \
      0, 0, "the scheme of a URL given without one (default http)")                                \
    X(digest, "--digest", NULL, CURLOPT_HTTPAUTH, CALL_CURL_FIXED, CURLAUTH_DIGEST, 0, 0,          \
      "-u's scheme: HTTP Digest (RFC 7616), answered by libcurl")                                  \
    X(ntlm, "--ntlm", NULL, CURLOPT_HTTPAUTH, CALL_CURL_FIXED, CURLAUTH_NTLM, 0, 0,                \
      "-u's scheme: NTLM")                                                                         \
    X(negotiate, "--negotiate", NULL, CURLOPT_HTTPAUTH, CALL_CURL_FIXED, CURLAUTH_NEGOTIATE, 0, 0, \
      "-u's scheme: SPNEGO (libcurl built with GSS-API only)")                                     \
    X(anyauth, "--anyauth", NULL, CURLOPT_HTTPAUTH, CALL_CURL_FIXED, CURLAUTH_ANY, 0, 0,           \
      "-u's scheme: the safest the server offers")                                                 \
    X(aws_sigv4, "--aws-sigv4", "PROVIDER1[:PROVIDER2[:REGION[:SERVICE]]]", CURLOPT_AWS_SIGV4,     \
      CALL_CURL_STRING, 0, 0, 0, "sign each request with AWS Signature V4, -u KEY:SECRET")

#define CALL__CURL_ID(id, ...) CALL_CURL_##id,
enum call_curl_id { CALL_CURL_FLAGS(CALL__CURL_ID) CALL_CURL__COUNT };
#undef CALL__CURL_ID

/* Each row's setter, for the options table of call.c. */
#define CALL__CURL_SETTER(id, ...) int call_set_curl_##id(void *ctx, const char *v);
CALL_CURL_FLAGS(CALL__CURL_SETTER)
#undef CALL__CURL_SETTER

/* The options table's rows of CALL_CURL_FLAGS. */
#define CALL_CURL_OPTION(id, flag, metavar, option, kind, value, also, also_value, help) \
    {flag, metavar, call_set_curl_##id, help, 0},

/* 1 when row id was given. */
int call_curl_given(const struct call_args *a, enum call_curl_id id);

/* 1 when a flag gives -u's scheme to libcurl (--digest, --ntlm,
 * --negotiate, --anyauth, --aws-sigv4): -u's user and password then go to
 * libcurl, which answers the server's challenge or signs the request,
 * instead of a Basic header. */
int call_curl_auth(const struct call_args *a);

/* Sets what was given on the libcurl easy handle e: the client option
 * easy_setup of `apierr call` (payload: its call_args). */
void call_curl_setup(const struct call_args *a, CURL *e);

/* Makes the lists of LIST rows, then tries what was given on a handle of
 * its own, before any request: this libcurl may lack a feature
 * (--doh-url, --dns-servers, --hsts...). CLI_EXIT_OK, CLI_EXIT_USAGE after
 * naming the flag, or CLI_EXIT_FAILURE (out of memory). */
int call_curl_check(struct call_args *a);

/* Frees the lists call_curl_check() made. */
void call_curl_free(struct call_args *a);

#endif
