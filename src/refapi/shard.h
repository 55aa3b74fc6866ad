/*
 * shard.h - which of REFAPI_SHARDS copies of a counter or a ring the
 * calling thread writes: the workers each write their own (taken round
 * robin on a thread's first use), and a reader sums or merges them. On the
 * 429 path every shared write was a cache line taken from the other core,
 * several times a request (metrics, the error rings).
 *
 * The first REFAPI_SHARDS - 1 threads to ask have a shard each, alone;
 * every later thread shares the last one. A counter of a shard held alone
 * has one writer, so it is added to by a plain load and store
 * (refapi_shard_add): the locked adds of a 429's counts were a tenth of
 * the time the server spent in our code (perf record: the counting of
 * the metrics 0.45% of the server's samples, then 0.10%).
 */
#ifndef APIERR_REFAPI_SHARD_H
#define APIERR_REFAPI_SHARD_H

#include <stdatomic.h>

#define REFAPI_SHARDS 5

/* The calling thread's shard, 0 .. REFAPI_SHARDS - 1. */
unsigned refapi_shard(void);

/* 1 when the calling thread is the only one to write its shard. */
int refapi_shard_alone(void);

/* Adds n to *c, a counter of the calling thread's shard; readers may load
 * it at any time (they see the count before or after the add). */
static inline void refapi_shard_add(atomic_ullong *c, unsigned long long n)
{
    if (refapi_shard_alone())
        atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + n,
                              memory_order_relaxed);
    else
        atomic_fetch_add_explicit(c, n, memory_order_relaxed);
}

#endif
