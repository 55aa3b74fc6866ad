/* splitmix64 (Steele, Lea, Flood 2014): tiny, seedable with any value, and
 * good enough for jitter; the seed is the whole state, so a test can replay. */
#include "apierr/policy.h"

void apierr_rng_seed(apierr_rng *rng, uint64_t seed)
{
    rng->state = seed;
}

uint64_t apierr_rng_next(void *payload)
{
    apierr_rng *rng = payload;
    uint64_t z = (rng->state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}
