/*
 * Internal: a client's credentials and their single-flight refresh. Calls
 * that need a token while none is fresh park here as waiters; one refresh
 * (an OAuth token request, a session login, or the caller's callback) runs
 * for all of them, and its end wakes or fails them together.
 */
#ifndef APIERR_CLIENT_CREDS_H
#define APIERR_CLIENT_CREDS_H

#include "apierr/client/client.h"
#include "buf.h"

#include <curl/curl.h>

typedef struct apierr__call apierr__call;

/* Where tokens come from. The order matters: from OAUTH on, a token can be
 * (re)fetched, so a call waits for one rather than going without. */
typedef enum apierr__cred_kind {
    APIERR__CRED_NONE,
    APIERR__CRED_STATIC,   /* a token given, nothing to refresh it with */
    APIERR__CRED_OAUTH,    /* client credentials grant, refresh token when given one */
    APIERR__CRED_CALLBACK, /* apierr_credentials_fn */
    APIERR__CRED_SESSION   /* session login with an API token (Gestix) */
} apierr__cred_kind;

typedef enum apierr__cred_state {
    APIERR__CRED_EMPTY,     /* no usable token */
    APIERR__CRED_VALID,     /* token holds a token (until token_expires_ms) */
    APIERR__CRED_REFRESHING /* the one refresh is under way */
} apierr__cred_state;

typedef struct apierr__creds {
    apierr__cred_kind kind;
    apierr__cred_state state;
    unsigned gen; /* bumped by every new token: a call knows which one it carried */
    char *token;
    long long expires_ms; /* monotonic; 0: does not expire */
    long long margin_ms;  /* refresh this long before expiry */
    char *auth_header; /* carries the token on calls: "Authorization" (Bearer) or e.g. xa-token */
    /* OAuth */
    char *token_url, *client_id, *client_secret, *refresh_token;
    /* callback */
    apierr_credentials_fn fn;
    void *fn_payload;
    /* session login */
    char *login_url, *api_token, *api_token_header;
    char *login_url_shown; /* login_url with the API token replaced, for -v */
    char *sess_member, *sess_from_header, *sess_expiry_member;
    /* the token or login request in flight */
    CURL *easy;
    apierr__buf body, head;
    char *post;
    struct curl_slist *slist;
    int used_refresh; /* it used the refresh token grant */
    apierr__call *waiters;
    /* The token requests (or logins) of one refresh follow the client's
     * policy as any call does: a failure to answer (transport, 5xx, 429)
     * is retried after the policy's wait; a refusal is final. */
    apierr_call_state pstate;
    int pstate_live;          /* pstate belongs to the refresh under way */
    long long retry_due_ms;   /* monotonic: when the next one leaves; 0: none waits */
    long long skew_ms;        /* waits the time scale skipped */
    apierr_category fail_cat; /* of the policy's last refusal to retry; OK: none */
    char fail_reason[APIERR_REASON_MAX];
} apierr__creds;

/* APIERR_EINVAL when opts name more than one refresh source or one without
 * what it needs (OAuth without a client id, a login without an API token). */
int apierr__creds_check(const apierr_client_opts *opts);

/* Copies the credential options into c->creds (c->base_url already set).
 * APIERR_OK or APIERR_ENOMEM (apierr__creds_free() still frees the rest). */
int apierr__creds_init(apierr_client *c, const apierr_client_opts *opts);

/* Frees c->creds, the request in flight included (the multi handle is still
 * alive). */
void apierr__creds_free(apierr_client *c);

/* 1 when k cannot start without a fresh token: then it is parked and the
 * refresh started. 0: go ahead. */
int apierr__creds_park(apierr__call *k);

/* The header that carries the current token and its value into *value, or
 * NULL when calls carry none. */
const char *apierr__creds_header(const apierr__creds *cr, apierr__buf *value);

/* After the policy's refresh decision for k's attempt: retry at once when a
 * newer token than k carried is there, else wait for the one refresh; fails
 * k when there is nothing to refresh with. */
void apierr__creds_refused(apierr__call *k);

/* The end of the token or login request (the engine saw its easy handle
 * finish with rc). */
void apierr__creds_answer(apierr_client *c, CURLcode rc);

/* When nothing else can move (no attempt, refresh, ready call or timer) but
 * calls are parked: starts over with a new refresh for them. 1 when it did. */
int apierr__creds_restart(apierr_client *c);

/* Sends the token request (or login) that waited for its retry when its
 * time has come. Returns the ms until it is due, or -1 when none waits. */
long long apierr__creds_fire(apierr_client *c, long long now_ms);

/* 1 when a refusal can be met with a refresh (OAuth, a callback, a session
 * login); 0 for a static token or no credentials. */
int apierr__creds_can_refresh(const apierr_client *c);

/* 1 when the credentials are a static token. */
int apierr__creds_static(const apierr_client *c);

/* 1 when a header's value must not be shown: the well-known secret headers
 * (and names), the caller's extra secret names,
 * and the ones this client was configured to carry credentials in (a
 * session header of any name, the API token's header). */
int apierr__creds_secret_header(const apierr_client *c, const char *name);

#endif
