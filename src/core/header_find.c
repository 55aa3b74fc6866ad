/* Finding headers by name, and the request-id headers APIs use. */
#include "apierr/headers.h"

#include <strings.h>

const char *apierr_header_find(const apierr_header *headers, size_t n, const char *name)
{
    for (size_t i = 0; headers && i < n; i++)
        if (headers[i].name && headers[i].value && strcasecmp(headers[i].name, name) == 0)
            return headers[i].value;
    return NULL;
}

/* In order of preference: the generic names first, then vendors'. */
static const char *const request_id_headers[] = {
    "X-Request-Id",     "Request-Id",         "X-Amzn-RequestId", "X-Amz-Request-Id",
    "X-Correlation-Id", "X-GitHub-Request-Id", "X-Ms-Request-Id",  "X-Trace-Id",
    "Apigw-Requestid",  "X-Cloud-Trace-Context", "Cf-Ray",         NULL,
};

const char *apierr_request_id_find(const apierr_header *headers, size_t n)
{
    for (const char *const *h = request_id_headers; *h; h++) {
        const char *v = apierr_header_find(headers, n, *h);
        if (v && *v) return v;
    }
    return NULL;
}
