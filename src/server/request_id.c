/* Request ids: 128 random bits as hex, or a well-formed incoming id. */
#include "apierr/server_request_id.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

/* Fills buf with n random bytes. getrandom() may return fewer bytes than
 * asked or be interrupted by a signal; both are retried. */
static int random_bytes(unsigned char *buf, size_t n)
{
    while (n) {
        ssize_t got = getrandom(buf, n, 0);
        if (got < 0) {
            if (errno == EINTR) continue;
            return APIERR_EIO;
        }
        buf += got;
        n -= (size_t)got;
    }
    return APIERR_OK;
}

int apierr_request_id_new(char *buf)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char raw[APIERR_REQUEST_ID_LEN / 2];
    buf[0] = '\0';
    if (random_bytes(raw, sizeof raw)) return APIERR_EIO;
    for (size_t i = 0; i < sizeof raw; i++) {
        buf[2 * i] = hex[raw[i] >> 4];
        buf[2 * i + 1] = hex[raw[i] & 15];
    }
    buf[APIERR_REQUEST_ID_LEN] = '\0';
    return APIERR_OK;
}

static int id_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == ':' || c == '-';
}

int apierr_request_id_valid(const char *s, size_t len)
{
    if (!s || len == 0 || len > APIERR_REQUEST_ID_MAX) return 0;
    for (size_t i = 0; i < len; i++)
        if (!id_char((unsigned char)s[i])) return 0;
    return 1;
}

int apierr_request_id_pick(char *buf, const char *incoming)
{
    if (incoming) {
        size_t len = strnlen(incoming, APIERR_REQUEST_ID_MAX + 1);
        if (apierr_request_id_valid(incoming, len)) {
            memcpy(buf, incoming, len);
            buf[len] = '\0';
            return APIERR_OK;
        }
    }
    return apierr_request_id_new(buf);
}
