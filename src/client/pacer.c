/*
 * Pacing arithmetic (see pacer.h). The smooth mirror works in microseconds:
 * the interval W/Q of a policy like 7 per second is not a whole number of
 * milliseconds, and rounding it down would drift ahead of the server.
 */
#include "pacer.h"

/* A bound on every product of a count and an interval: 30 years in us. Junk
 * headers then saturate instead of overflowing. */
#define FOREVER_US 1000000000000000LL

/* A release waits this much past the mirror's time: the server reads its
 * own clock in whole milliseconds (up to 1 ms off the client's), and the
 * mirror was set from a reading of the client's clock (up to 1 ms more).
 * It delays each release, not the rate, when the bucket holds more than one
 * request: the mirror counts on from the bucket, not from the send time. */
#define MARGIN_MS 2

static long long times(long long n, long long interval_us)
{
    if (n <= 0) return 0;
    return n > FOREVER_US / interval_us ? FOREVER_US : n * interval_us;
}

static long long max_ll(long long a, long long b)
{
    return a > b ? a : b;
}

static long long min_ll(long long a, long long b)
{
    return a < b ? a : b;
}

/* Microseconds to the first whole millisecond at or after them. */
static long long ceil_ms(long long us)
{
    return us >= 0 ? (us + 999) / 1000 : -(-us / 1000);
}

long long apierr__pacer_next(const apierr__pacer *p, long long now_ms)
{
    switch (p->mode) {
    case APIERR__PACE_UNKNOWN:
        return p->inflight > 0 ? APIERR__PACE_WAIT_ANSWER : now_ms;
    case APIERR__PACE_SMOOTH:
        /* The bucket holds one token again one interval after it is empty. */
        return ceil_ms(p->empty_us + p->interval_us) + MARGIN_MS;
    case APIERR__PACE_WINDOW:
        if (p->remaining > 0) return now_ms;
        if (p->inflight > 0) return APIERR__PACE_WAIT_ANSWER;
        return now_ms < p->reset_ms ? p->reset_ms : now_ms;
    case APIERR__PACE_FREE:
    default:
        return now_ms;
    }
}

void apierr__pacer_sent(apierr__pacer *p, long long now_ms)
{
    p->inflight++;
    if (p->mode == APIERR__PACE_SMOOTH) {
        /* Takes its token now: the server counts it when it arrives, later.
         * A bucket left alone holds at most burst tokens. */
        long long full = now_ms * 1000 - times(p->burst, p->interval_us);
        p->empty_us = max_ll(p->empty_us, full) + p->interval_us;
    } else if (p->mode == APIERR__PACE_WINDOW) {
        if (p->remaining > 0)
            p->remaining--;
        else
            p->mode = APIERR__PACE_UNKNOWN; /* the probe of a new window */
    }
}

/* The smooth mirror after an answer of a request sent at sent_ms that
 * left r requests. The server counted it at some a in [sent_ms, now_ms],
 * with between r and r + 1 tokens left: its bucket was empty at
 * a - (r + f) * interval, f in [0, 1). Attempts still in flight may come on
 * top. The mirror is kept while it lies inside what the answer allows (it
 * knows the attempts sent since, the answer does not); when it lies before
 * it, someone else spent the quota (or the mirror was never set), and it
 * moves to the latest the server can be: every token up to now_ms, every
 * attempt in flight not yet counted. */
static void smooth_answer(apierr__pacer *p, long long sent_ms, int status, long long r,
                          long long interval_us, long long retry_after_ms, long long now_ms)
{
    long long now_us = now_ms * 1000;
    long long safe = now_us - times(r, interval_us) + times(p->inflight, interval_us);
    if (p->mode != APIERR__PACE_SMOOTH || p->interval_us != interval_us) {
        p->mode = APIERR__PACE_SMOOTH;
        p->interval_us = interval_us;
        p->burst = r + 1;
        p->empty_us = safe;
        return;
    }
    if (r + 1 > p->burst) p->burst = r + 1;
    long long earliest = sent_ms * 1000 - times(r + 1, interval_us);
    if (status == 429 || p->empty_us <= earliest) p->empty_us = max_ll(p->empty_us, safe);
    /* A 429 says the server does not work the way the mirror does: its word
     * on when to come back is the one to follow. */
    if (status == 429 && retry_after_ms > 0)
        p->empty_us = max_ll(
            p->empty_us, now_us + min_ll(retry_after_ms, FOREVER_US / 1000) * 1000 - interval_us);
}

/* The window count after an answer: answers overtake each other, so the
 * smallest count of the window is the newest; less what is still in flight
 * (some of it may be counted already: conservative until nothing is in
 * flight, then exact). */
static void window_answer(apierr__pacer *p, int status, const apierr_ratelimit *rl,
                          long long retry_after_ms, long long now_ms)
{
    long long r = status == 429 ? 0 : min_ll(rl->remaining, FOREVER_US);
    if (p->mode != APIERR__PACE_WINDOW || now_ms >= p->reset_ms || r < p->min_r) p->min_r = r;
    p->mode = APIERR__PACE_WINDOW;
    p->remaining = max_ll(p->min_r - p->inflight, 0);
    long long reset = rl->reset_ms >= 0 ? rl->reset_ms : rl->window_ms > 0 ? rl->window_ms : 1000;
    if (status == 429 && retry_after_ms > reset) reset = retry_after_ms;
    p->reset_ms = now_ms + min_ll(reset, FOREVER_US / 1000);
}

void apierr__pacer_answer(apierr__pacer *p, long long sent_ms, int status,
                          const apierr_ratelimit *rl, long long retry_after_ms, long long now_ms)
{
    if (p->inflight > 0) p->inflight--;
    if (status <= 0) return; /* no answer: nothing learnt */
    if (!rl || rl->remaining < 0) {
        if (p->mode == APIERR__PACE_UNKNOWN) p->mode = APIERR__PACE_FREE;
        return;
    }
    long long r = min_ll(rl->remaining, FOREVER_US);
    if (rl->limit > 0 && rl->window_ms > 0) {
        /* Rounded up: a mirror slower than the server never runs ahead. */
        long long interval = rl->window_ms >= FOREVER_US / 1000
                                 ? FOREVER_US
                                 : (rl->window_ms * 1000 + rl->limit - 1) / rl->limit;
        smooth_answer(p, sent_ms, status, r, max_ll(interval, 1), retry_after_ms, now_ms);
    } else {
        window_answer(p, status, rl, retry_after_ms, now_ms);
    }
}
