/* shard.c - the calling thread's shard (shard.h). */
#include "shard.h"

#include <stdatomic.h>

unsigned refapi_shard(void)
{
    static atomic_uint next;
    static _Thread_local int mine = -1;
    if (mine < 0) mine = (int)(atomic_fetch_add(&next, 1) % REFAPI_SHARDS);
    return (unsigned)mine;
}
