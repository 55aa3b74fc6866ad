/*
 * shard.h - which of REFAPI_SHARDS copies of a counter or a ring the
 * calling thread writes: the workers each write their own (taken round
 * robin on a thread's first use), and a reader sums or merges them. On the
 * 429 path every shared write was a cache line taken from the other core,
 * several times a request (metrics, the error rings).
 */
#ifndef APIERR_REFAPI_SHARD_H
#define APIERR_REFAPI_SHARD_H

#define REFAPI_SHARDS 4

/* The calling thread's shard, 0 .. REFAPI_SHARDS - 1. */
unsigned refapi_shard(void);

#endif
