/* The HTTP status registry (IANA, as of RFC 9110 and its updates). */
#include "apierr/status.h"

/*
 * Columns: code, reason phrase, default category, default action. The
 * category and action are what the seeds agree on: 401 refresh then retry
 * (000, 001), 429 wait Retry-After (000, 001, 002), 5xx back off (000, 001,
 * 003), 400/404/409/422 fix the request (000, 001), 403 do not retry without
 * re-authorizing (001). Profiles override single rows (gestix's 403).
 */
#define APIERR_STATUS_MAP(X)                                                      \
    X(100, "Continue", OK, NONE)                                                  \
    X(101, "Switching Protocols", OK, NONE)                                       \
    X(102, "Processing", OK, NONE)                                                \
    X(103, "Early Hints", OK, NONE)                                               \
    X(200, "OK", OK, NONE)                                                        \
    X(201, "Created", OK, NONE)                                                   \
    X(202, "Accepted", OK, NONE)                                                  \
    X(203, "Non-Authoritative Information", OK, NONE)                             \
    X(204, "No Content", OK, NONE)                                                \
    X(205, "Reset Content", OK, NONE)                                             \
    X(206, "Partial Content", OK, NONE)                                           \
    X(207, "Multi-Status", OK, NONE)                                              \
    X(208, "Already Reported", OK, NONE)                                          \
    X(226, "IM Used", OK, NONE)                                                   \
    X(300, "Multiple Choices", OK, NONE)                                          \
    X(301, "Moved Permanently", OK, NONE)                                         \
    X(302, "Found", OK, NONE)                                                     \
    X(303, "See Other", OK, NONE)                                                 \
    X(304, "Not Modified", OK, NONE)                                              \
    X(305, "Use Proxy", OK, NONE)                                                 \
    X(307, "Temporary Redirect", OK, NONE)                                        \
    X(308, "Permanent Redirect", OK, NONE)                                        \
    X(400, "Bad Request", INVALID_REQUEST, FIX_REQUEST)                           \
    X(401, "Unauthorized", UNAUTHENTICATED, REFRESH_CREDENTIALS)                  \
    X(402, "Payment Required", FORBIDDEN, GIVE_UP)                                \
    X(403, "Forbidden", FORBIDDEN, GIVE_UP)                                       \
    X(404, "Not Found", NOT_FOUND, FIX_REQUEST)                                   \
    X(405, "Method Not Allowed", INVALID_REQUEST, FIX_REQUEST)                    \
    X(406, "Not Acceptable", INVALID_REQUEST, FIX_REQUEST)                        \
    X(407, "Proxy Authentication Required", UNAUTHENTICATED, REFRESH_CREDENTIALS) \
    X(408, "Request Timeout", TIMEOUT, RETRY)                                     \
    X(409, "Conflict", CONFLICT, FIX_REQUEST)                                     \
    X(410, "Gone", NOT_FOUND, GIVE_UP)                                            \
    X(411, "Length Required", INVALID_REQUEST, FIX_REQUEST)                       \
    X(412, "Precondition Failed", CONFLICT, FIX_REQUEST)                          \
    X(413, "Content Too Large", INVALID_REQUEST, FIX_REQUEST)                     \
    X(414, "URI Too Long", INVALID_REQUEST, FIX_REQUEST)                          \
    X(415, "Unsupported Media Type", INVALID_REQUEST, FIX_REQUEST)                \
    X(416, "Range Not Satisfiable", INVALID_REQUEST, FIX_REQUEST)                 \
    X(417, "Expectation Failed", INVALID_REQUEST, FIX_REQUEST)                    \
    X(421, "Misdirected Request", NETWORK, RETRY)                                 \
    X(422, "Unprocessable Content", UNPROCESSABLE, FIX_REQUEST)                   \
    X(423, "Locked", CONFLICT, RETRY)                                             \
    X(424, "Failed Dependency", CONFLICT, FIX_REQUEST)                            \
    X(425, "Too Early", SERVER, RETRY)                                            \
    X(426, "Upgrade Required", INVALID_REQUEST, FIX_REQUEST)                      \
    X(428, "Precondition Required", CONFLICT, FIX_REQUEST)                        \
    X(429, "Too Many Requests", RATE_LIMITED, RETRY)                              \
    X(431, "Request Header Fields Too Large", INVALID_REQUEST, FIX_REQUEST)       \
    X(451, "Unavailable For Legal Reasons", FORBIDDEN, GIVE_UP)                   \
    X(500, "Internal Server Error", SERVER, RETRY)                                \
    X(501, "Not Implemented", SERVER, GIVE_UP)                                    \
    X(502, "Bad Gateway", SERVER, RETRY)                                          \
    X(503, "Service Unavailable", SERVER, RETRY)                                  \
    X(504, "Gateway Timeout", SERVER, RETRY)                                      \
    X(505, "HTTP Version Not Supported", SERVER, GIVE_UP)                         \
    X(506, "Variant Also Negotiates", SERVER, GIVE_UP)                            \
    X(507, "Insufficient Storage", SERVER, RETRY)                                 \
    X(508, "Loop Detected", SERVER, GIVE_UP)                                      \
    X(510, "Not Extended", SERVER, GIVE_UP)                                       \
    X(511, "Network Authentication Required", UNAUTHENTICATED, REFRESH_CREDENTIALS)

static const apierr_status_info registry[] = {
#define APIERR__STATUS_ROW(code, reason, cat, act) \
    {code, reason, (apierr_status_class)(code / 100), APIERR_CAT_##cat, APIERR_ACTION_##act, 1},
    APIERR_STATUS_MAP(APIERR__STATUS_ROW)
#undef APIERR__STATUS_ROW
};

#define NREG (sizeof registry / sizeof registry[0])

/* Defaults for a code that is not registered, by class. */
static const apierr_status_info class_defaults[] = {
    {0, "Unknown Status", APIERR_CLASS_UNKNOWN, APIERR_CAT_SERVER, APIERR_ACTION_GIVE_UP, 0},
    {0, "Unknown Status", APIERR_CLASS_INFORMATIONAL, APIERR_CAT_OK, APIERR_ACTION_NONE, 0},
    {0, "Unknown Status", APIERR_CLASS_SUCCESS, APIERR_CAT_OK, APIERR_ACTION_NONE, 0},
    {0, "Unknown Status", APIERR_CLASS_REDIRECTION, APIERR_CAT_OK, APIERR_ACTION_NONE, 0},
    {0, "Unknown Status", APIERR_CLASS_CLIENT_ERROR, APIERR_CAT_INVALID_REQUEST,
     APIERR_ACTION_FIX_REQUEST, 0},
    {0, "Unknown Status", APIERR_CLASS_SERVER_ERROR, APIERR_CAT_SERVER, APIERR_ACTION_RETRY, 0},
};

static const apierr_status_info *find(int code)
{
    size_t lo = 0, hi = NREG;
    while (lo < hi) { /* the table is sorted by code */
        size_t mid = (lo + hi) / 2;
        if (registry[mid].code == code) return &registry[mid];
        if (registry[mid].code < code)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

int apierr_status_lookup(apierr_status_info *out, int code)
{
    if (code < 100 || code > 599) return APIERR_ERANGE;
    const apierr_status_info *e = find(code);
    *out = e ? *e : class_defaults[code / 100];
    out->code = code;
    return APIERR_OK;
}

const char *apierr_status_reason(int code)
{
    const apierr_status_info *e = find(code);
    return e ? e->reason : "Unknown Status";
}

apierr_status_class apierr_status_class_of(int code)
{
    return code >= 100 && code <= 599 ? (apierr_status_class)(code / 100) : APIERR_CLASS_UNKNOWN;
}

const apierr_status_info *apierr_status_at(size_t i)
{
    return i < NREG ? &registry[i] : NULL;
}
