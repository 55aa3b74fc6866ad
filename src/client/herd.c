/*
 * A host's herds and their release (herd.h): which of the client's calls
 * were told to come back at about one instant, and the pace of the
 * attempts once it comes. Times are the engine's real milliseconds; the
 * pace is kept in microseconds, a gap being a fraction of a millisecond
 * under a time scale or for a large herd.
 */
#include "herd.h"

static long long max_ll(long long a, long long b)
{
    return a > b ? a : b;
}

static long long min_ll(long long a, long long b)
{
    return a < b ? a : b;
}

static long long real_ms(const apierr__herd_rules *r, long long ms)
{
    return (long long)((double)ms * r->scale);
}

apierr__herd_rules apierr__herd_rules_of(long long spread_ms, double scale)
{
    apierr__herd_rules r = {0, scale > 0 ? scale : 1.0};
    r.spread_ms = spread_ms > 0 ? max_ll(real_ms(&r, spread_ms), 1) : 0;
    return r;
}

void apierr__herd_told(apierr__herd *h, const apierr__herd_rules *r, long long now_ms,
                       long long wait_ms)
{
    if (r->spread_ms <= 0 || wait_ms < 0) return;
    long long due = now_ms + real_ms(r, wait_ms);
    /* Not scaled: how far apart a batch's refusals arrive is real time. */
    long long near = APIERR__HERD_NEAR_MS;
    int free_slot = -1;
    for (int i = 0; i < APIERR__HERD_GROUPS; i++) {
        if (!h->groups[i].count) {
            if (free_slot < 0) free_slot = i;
            continue;
        }
        long long d = h->groups[i].due_ms - due;
        if (d > -near && d < near) {
            h->groups[i].count++;
            h->groups[i].due_ms = min_ll(h->groups[i].due_ms, due);
            return;
        }
    }
    if (free_slot < 0) return; /* as many instants as slots: this call comes back as told */
    h->groups[free_slot].due_ms = due;
    h->groups[free_slot].wait_ms = wait_ms;
    h->groups[free_slot].count = 1;
    h->ngroups++;
}

/* A herd's instant came: its K attempts leave one per gap from then, the
 * gap cut so that the last leaves within the spread the policy allows (at
 * most a quarter of its wait). A release under way takes it on at the
 * smaller gap. */
static void release(apierr__herd *h, const apierr__herd_rules *r, long long due_ms,
                    long long wait_ms, long long k)
{
    long long window_us = min_ll(r->spread_ms, real_ms(r, wait_ms) / 4) * 1000;
    long long gap_us = (long long)((double)APIERR__HERD_GAP_MS * 1000 * r->scale);
    if (gap_us * k > window_us) gap_us = window_us / k;
    h->gap_us = h->paced ? min_ll(h->gap_us, gap_us) : gap_us;
    h->next_us = h->paced ? h->next_us : due_ms * 1000;
    h->left += k;
    h->paced = 1;
}

long long apierr__herd_next(apierr__herd *h, const apierr__herd_rules *r, long long now_ms)
{
    if (!h->ngroups && !h->paced) return now_ms;
    for (int i = 0; i < APIERR__HERD_GROUPS; i++) {
        if (!h->groups[i].count || h->groups[i].due_ms > now_ms) continue;
        if (h->groups[i].count >= APIERR__HERD_MIN)
            release(h, r, h->groups[i].due_ms, h->groups[i].wait_ms, h->groups[i].count);
        h->groups[i].count = 0; /* past: a herd released, or a few calls back as told */
        h->ngroups--;
    }
    if (!h->paced) return now_ms;
    return (h->next_us + 999) / 1000;
}

void apierr__herd_sent(apierr__herd *h, long long now_ms, int others_waiting)
{
    if (!h->paced) return;
    /* Sent in the ms of its release: the schedule holds (several may be due
     * in one ms). Later: the pace counts on from now. */
    if (now_ms * 1000 >= h->next_us + 1000) h->next_us = now_ms * 1000;
    h->next_us += h->gap_us;
    if (h->left > 0) h->left--;
    /* Reopened: the herd has left, and nothing waits behind it. */
    if (!h->left && !others_waiting) h->paced = 0;
}
