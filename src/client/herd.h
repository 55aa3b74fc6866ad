/*
 * Internal: a herd of one host, and its release. The arithmetic only,
 * without clock, queues or calls, so that every release time can be
 * checked with a fake clock; the engine's hook is the host's pacing
 * (pace_queue.c), which asks it when an attempt may leave.
 *
 * A herd is the client's own calls to one host that the host told, by
 * Retry-After, to come back at about the same instant (their due times
 * within APIERR__HERD_NEAR_MS of each other): an outage's refusals, a
 * quota's reset. Fewer than APIERR__HERD_MIN are no herd: they come back
 * exactly when told, so a lone call (a CLI call, a stray 429) is never
 * delayed.
 *
 * When a herd's instant comes, the host reopens: the attempts to it leave
 * in their order (the herd's in the order they were refused, then what
 * follows them) one every APIERR__HERD_GAP_MS, so a herd of K is back
 * within K x gap, and never later than the spread the policy allows past
 * a Retry-After (retry_after_spread_ms, at most a quarter of the wait):
 * for a larger herd the gap shrinks to fit. The host stays paced until the
 * herd's K attempts have left and an attempt finds no other waiting: the
 * calls the herd's answers set off (a batch's next lines) are paced too,
 * so the host never sees the burst the herd was held back from.
 *
 * This replaced a random spread, uniform in [0, min(spread, RA/4)], drawn
 * on every call's first Retry-After: it delayed lone calls as much as a
 * herd, and a random spread clumps, so breaking a herd took a wider window
 * than an even pace does.
 */
#ifndef APIERR_CLIENT_HERD_H
#define APIERR_CLIENT_HERD_H

/* Fewer calls coming back together are no herd for a server. */
#define APIERR__HERD_MIN 16
/* Due times this close count as one instant: a batch's refusals arrive
 * within a few ms, and a server's Retry-After is in whole seconds. Real
 * ms, not scaled by APIERR_TIME_SCALE (the arrivals are real time). */
#define APIERR__HERD_NEAR_MS 100
/* One attempt every 2 ms: a herd of 50 back within a tenth of a second. */
#define APIERR__HERD_GAP_MS 2
/* The instants followed at once; one more is not tracked (its calls come
 * back as told). */
#define APIERR__HERD_GROUPS 8

/* What the client's policy and time scale make of the rules: in the
 * engine's real milliseconds (APIERR_TIME_SCALE shrinks waits, and so the
 * herd's window and pace with them). */
typedef struct apierr__herd_rules {
    long long spread_ms; /* the most a herd call is held past its instant; 0: off */
    double scale;        /* policy time to real time */
} apierr__herd_rules;

typedef struct apierr__herd {
    struct {
        long long due_ms;  /* the earliest due time of the group */
        long long wait_ms; /* the Retry-After its first call was given */
        long long count;   /* calls told to come back then; 0: a free slot */
    } groups[APIERR__HERD_GROUPS];
    int ngroups; /* slots in use: none, and no release, costs an attempt nothing */
    /* The release under way (left > 0 or paced): */
    long long gap_us;  /* one attempt per gap */
    long long next_us; /* the next may leave then */
    long long left;    /* herd attempts still to leave */
    int paced;         /* 1 while the host is reopening */
} apierr__herd;

#define APIERR__HERD_INIT          \
    {                              \
        {{0, 0, 0}}, 0, 0, 0, 0, 0 \
    }

/* The rules for a policy's retry_after_spread_ms under time scale scale. */
apierr__herd_rules apierr__herd_rules_of(long long spread_ms, double scale);

/* One of the host's calls was told at now_ms to come back wait_ms later
 * (its Retry-After, policy time). */
void apierr__herd_told(apierr__herd *h, const apierr__herd_rules *r, long long now_ms,
                       long long wait_ms);

/* When the next attempt to the host may leave: now_ms or earlier for at
 * once. */
long long apierr__herd_next(apierr__herd *h, const apierr__herd_rules *r, long long now_ms);

/* An attempt to the host left at now_ms; others_waiting 1 when calls are
 * held behind it. */
void apierr__herd_sent(apierr__herd *h, long long now_ms, int others_waiting);

#endif
