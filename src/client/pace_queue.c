/*
 * The pacing queues (pace_queue.h): where the calls a host's pacer holds
 * back wait, and which of them goes next. When an attempt may leave is the
 * pacer's arithmetic (pacer.c); this file only asks it and keeps the order.
 */
#include "alloc.h"
#include "engine.h"

#include <string.h>

size_t apierr__pace_host_of(apierr__pace *p, const char *url)
{
    const char *s = strstr(url, "://");
    size_t len = s ? (size_t)(s + 3 - url) + strcspn(s + 3, "/?#") : strcspn(url, "/?#");
    for (size_t i = 0; i < p->nhosts; i++)
        if (strlen(p->hosts[i].key) == len && !strncmp(p->hosts[i].key, url, len)) return i;
    apierr__pace_host *v = apierr__realloc(p->hosts, (p->nhosts + 1) * sizeof *v);
    if (!v) return APIERR__NO_HOST;
    p->hosts = v;
    char *key = apierr__strndup(url, len);
    if (!key) return APIERR__NO_HOST;
    v[p->nhosts] = (apierr__pace_host){.key = key,
                                       .breaker = APIERR_BREAKER_INIT,
                                       .hedge = APIERR_HEDGE_HOST_INIT,
                                       .pacer = APIERR__PACER_INIT,
                                       .herd = APIERR__HERD_INIT};
    apierr_throttle_init(&v[p->nhosts].throttle);
    return p->nhosts++;
}

void apierr__pace_free(apierr__pace *p)
{
    for (size_t i = 0; i < p->nhosts; i++) apierr__free(p->hosts[i].key);
    apierr__free(p->hosts);
}

/* Holds k in its host's queue: at the head when it was first in line. */
static void pace_queue(apierr__pace_host *h, apierr__call *k, int first)
{
    if (first || !h->head) {
        k->next = h->head;
        h->head = k;
        if (!h->tail) h->tail = k;
    } else {
        k->next = NULL;
        h->tail->next = k;
        h->tail = k;
    }
}

/* Sends the first held call of the host back to the ready queue, to ask
 * the pacer again. */
static void pace_wake(apierr__pace_host *h)
{
    apierr__call *k = h->head;
    if (!k) return;
    h->head = k->next;
    if (!h->head) h->tail = NULL;
    k->pace_woken = 1;
    apierr__call_ready(k);
}

/*
 * Behind the calls already held, else until its release time (timer heap)
 * or an answer of the attempts in flight. A call released wakes the next
 * one, so a burst the quota allows leaves at once.
 */
int apierr__pace_hold(apierr__call *k)
{
    apierr_client *c = k->c;
    if (k->host == APIERR__NO_HOST) return 0;
    apierr__pace_host *h = &c->pace.hosts[k->host];
    long long now = apierr__mono_ms();
    long long herd = apierr__herd_next(&h->herd, &c->pace.herd_rules, now);
    if (!c->pace.on && herd <= now && !h->head && !h->timed && !k->pace_woken) return 0;
    int first = k->pace_woken || h->timed == k;
    k->pace_woken = 0;
    if (h->timed == k) h->timed = NULL;
    if (!first && (h->head || h->timed)) {
        pace_queue(h, k, 0);
        apierr__call_move(k, APIERR__MSTATE_PACED);
        return 1;
    }
    long long at = c->pace.on ? apierr__pacer_next(&h->pacer, now) : now;
    if (at != APIERR__PACE_WAIT_ANSWER && herd > at) at = herd;
    if (at == APIERR__PACE_WAIT_ANSWER || at > now) {
        if (at == APIERR__PACE_WAIT_ANSWER || h->timed)
            pace_queue(h, k, 1);
        else if (apierr__heap_push(&c->timers, at, k) == 0)
            h->timed = k;
        else
            return 0; /* out of memory: sent unpaced rather than lost */
        apierr__call_move(k, APIERR__MSTATE_PACED);
        return 1;
    }
    if (c->pace.on) {
        apierr__pacer_sent(&h->pacer, now);
        k->paced = 1;
        k->pace_sent_ms = now;
    }
    apierr__herd_sent(&h->herd, now, h->head != NULL);
    pace_wake(h);
    return 0;
}

/* Gives the pacer the end of k's attempt and lets the first held call ask
 * again, unless one waits for its release time. */
void apierr__pace_answer(apierr__call *k, int status, const apierr_header *hd, size_t nh,
                         long long retry_after_ms)
{
    if (status >= 400 && retry_after_ms >= 0 && k->host != APIERR__NO_HOST)
        apierr__herd_told(&k->c->pace.hosts[k->host].herd, &k->c->pace.herd_rules,
                          apierr__mono_ms(), retry_after_ms);
    if (!k->paced) return;
    k->paced = 0;
    apierr__pace_host *h = &k->c->pace.hosts[k->host];
    apierr_ratelimit rl = APIERR_RATELIMIT_INIT;
    int found = nh && apierr_ratelimit_parse(&rl, hd, nh, apierr__unix_ms()) == APIERR_OK;
    apierr__pacer_answer(&h->pacer, k->pace_sent_ms, status, found ? &rl : NULL, retry_after_ms,
                         apierr__mono_ms());
    if (!h->timed) pace_wake(h);
}

/* An attempt in flight ends without an answer, and when the call was first
 * in line (it can fail while it waits for credentials), the next one takes
 * its place. */
void apierr__pace_forget(apierr__call *k)
{
    apierr_client *c = k->c;
    apierr__pace_answer(k, 0, NULL, 0, -1);
    if (k->host == APIERR__NO_HOST || !c->pace.hosts) return;
    apierr__pace_host *h = &c->pace.hosts[k->host];
    int first = k->pace_woken || h->timed == k;
    if (h->timed == k) h->timed = NULL;
    k->pace_woken = 0;
    if (first && !h->timed) pace_wake(h);
}
