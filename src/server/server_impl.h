/* Shared internals of libapierr-server. */
#ifndef APIERR_SERVER_IMPL_H
#define APIERR_SERVER_IMPL_H

#include "apierr/server_reply.h"

/* Fills *out with status, copies of the headers a[0..na) then b[0..nb) (one
 * allocation for the array and every string) and takes ownership of body
 * (allocated with apierr__malloc or the core's encoder; NULL when len is 0).
 * On failure body is freed too and *out is empty. APIERR_OK, APIERR_ENOMEM,
 * or APIERR_EINVAL for a name or value HTTP forbids. */
int apierr__reply_pack(apierr_reply *out, int status, const apierr_header *a, size_t na,
                       const apierr_header *b, size_t nb, char *body, size_t len);

/* Formats delay_ms as the seconds of a Retry-After value, rounded up. buf
 * holds at least 24 bytes. */
void apierr__retry_after_format(char *buf, long long delay_ms);

#endif
