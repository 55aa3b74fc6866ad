/*
 * Internal: the Redis URL the server side's backends are given, read into
 * what a connection needs. The convention is redis-py's (Redis.from_url),
 * which the IANA provisional registration of redis:// sketches:
 *
 *   redis://[[USER]:PASSWORD@]HOST[:PORT][/DB][?QUERY]   (port 6379)
 *   unix://[[USER]:PASSWORD@]/PATH[?QUERY]
 *
 * QUERY is db=N and/or password=PW, joined by '&'. USER and PASSWORD (in
 * either place) may be percent-encoded, for a password holding '@', ':',
 * '/', '?' or '&'. A database or a password named twice, an unknown query
 * key, an empty host or a relative socket path is malformed. With no
 * password in the URL, $REDIS_PASSWORD (when set and not empty) is the
 * password; USER without a password authenticates as that ACL user with
 * it. The database is 0 unless named.
 */
#ifndef APIERR_SERVER_REDIS_URL_H
#define APIERR_SERVER_REDIS_URL_H

typedef struct apierr__redis_url {
    char *host;     /* or the socket's path */
    int port;       /* 0: a Unix socket */
    char *user;     /* NULL: AUTH with the password alone (the default user) */
    char *password; /* NULL: no AUTH */
    int db;
} apierr__redis_url;

/* Reads url into *out (cleared first). APIERR_OK, APIERR_EINVAL (NULL or
 * malformed; *out is then cleared) or APIERR_ENOMEM. */
int apierr__redis_url_parse(apierr__redis_url *out, const char *url);

/* Frees what a parse allocated; *u is then empty. Accepts an empty one. */
void apierr__redis_url_clear(apierr__redis_url *u);

#endif
