/* shard.c - the calling thread's shard (shard.h). */
#include "shard.h"

/* The calling thread's shard, taken on its first use; -1: none yet. */
static _Thread_local int mine = -1;

unsigned refapi_shard(void)
{
    static atomic_uint next;
    if (mine < 0) {
        unsigned n = atomic_fetch_add(&next, 1);
        mine = n < REFAPI_SHARDS - 1 ? (int)n : REFAPI_SHARDS - 1;
    }
    return (unsigned)mine;
}

int refapi_shard_alone(void)
{
    return refapi_shard() < REFAPI_SHARDS - 1;
}
