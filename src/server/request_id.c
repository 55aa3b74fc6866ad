/*
 * Request ids: 128 random bits as hex, or a well-formed incoming id.
 *
 * Fresh ids come from the kernel's CSPRNG (getrandom()), fetched in bulk: each
 * thread keeps a small pool of random bytes and refills it with one syscall
 * every RANDOM_POOL / 16 ids, instead of one syscall per request. The bytes
 * are exactly the kernel's, so the ids are as unpredictable as before; what
 * changes is that up to RANDOM_POOL bytes of future ids sit in this thread's
 * memory. That is acceptable because a request id is a correlation handle,
 * never a secret or a credential (nothing authenticates with it), and a
 * process whose memory can be read has lost far more than its future ids.
 * Each byte is handed out once and wiped when used. A forked child must not
 * repeat its parent's ids: the pool of the thread that forks (the child's only
 * thread) is emptied in the child by a pthread_atfork() handler.
 */
#include "apierr/server/request_id.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/random.h>

#define RANDOM_POOL 512

/* bytes[0..left) are unused; a thread starts with an empty pool. */
typedef struct random_pool {
    unsigned char bytes[RANDOM_POOL];
    size_t left;
} random_pool;

static _Thread_local random_pool pool;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

static void forget_pool_in_child(void)
{
    memset(&pool, 0, sizeof pool);
}

static void register_atfork(void)
{
    pthread_atfork(NULL, NULL, forget_pool_in_child);
}

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

/* Takes n (<= RANDOM_POOL) fresh bytes from this thread's pool into out. */
static int pool_take(unsigned char *out, size_t n)
{
    if (pool.left < n) {
        pthread_once(&atfork_once, register_atfork);
        pool.left = 0;
        if (random_bytes(pool.bytes, RANDOM_POOL)) return APIERR_EIO;
        pool.left = RANDOM_POOL;
    }
    pool.left -= n;
    memcpy(out, pool.bytes + pool.left, n);
    memset(pool.bytes + pool.left, 0, n); /* never handed out twice */
    return APIERR_OK;
}

/* The two hex digits of each byte value, in a row: a fresh id (one a 429)
 * is sixteen two-byte copies, where a digit at a time was two lookups,
 * two shifts and two stores a byte. */
static const char hex_pairs[513] =
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
    "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
    "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"
    "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
    "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
    "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
    "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf"
    "e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";

int apierr_request_id_new(char *buf)
{
    unsigned char raw[APIERR_REQUEST_ID_LEN / 2];
    buf[0] = '\0';
    if (pool_take(raw, sizeof raw)) return APIERR_EIO;
    for (size_t i = 0; i < sizeof raw; i++) memcpy(buf + 2 * i, hex_pairs + 2 * raw[i], 2);
    buf[APIERR_REQUEST_ID_LEN] = '\0';
    return APIERR_OK;
}

/* [A-Za-z0-9._:-] as a table by the byte's value. An id is checked on
 * every answer (picked, then in each reply built): a chain of ten
 * comparisons was 3% of the 429 path's CPU, or-ed range checks 17
 * instructions a byte, a bit set five and its shifts ten under callgrind;
 * a byte of table is a load and an and. */
#define ID_RUN2(c)  [(c)] = 1, [(c) + 1] = 1
#define ID_RUN4(c)  ID_RUN2(c), ID_RUN2((c) + 2)
#define ID_RUN8(c)  ID_RUN4(c), ID_RUN4((c) + 4)
#define ID_RUN10(c) ID_RUN8(c), ID_RUN2((c) + 8)
#define ID_RUN26(c) ID_RUN8(c), ID_RUN8((c) + 8), ID_RUN10((c) + 16)
static const unsigned char id_ok[256] = {
    ID_RUN26('A'), ID_RUN26('a'), ID_RUN10('0'), ['.'] = 1, ['_'] = 1, [':'] = 1, ['-'] = 1,
};

int apierr_request_id_valid(const char *s, size_t len)
{
    if (!s || len == 0 || len > APIERR_REQUEST_ID_MAX) return 0;
    unsigned all = 1;
    for (size_t i = 0; i < len; i++) all &= id_ok[(unsigned char)s[i]];
    return (int)all;
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
