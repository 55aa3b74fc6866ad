/* Streaming SHA-256 (internal); apierr_sha256() is the one-shot form. */
#ifndef APIERR_SERVER_SHA256_H
#define APIERR_SERVER_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct apierr__sha256 {
    uint32_t h[8];
    uint64_t total; /* bytes hashed so far */
    unsigned char block[64];
    size_t used; /* bytes waiting in block */
} apierr__sha256;

void apierr__sha256_init(apierr__sha256 *c);
void apierr__sha256_update(apierr__sha256 *c, const void *data, size_t len);
/* Writes the 32-byte digest; c must be initialized again before reuse. */
void apierr__sha256_final(apierr__sha256 *c, unsigned char out[32]);

#endif
