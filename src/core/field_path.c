/* Field paths of every dialect, normalized to one dotted form. */
#include "apierr/problem.h"

#include <string.h>

/* Appends one character to the output, counting what would not fit. */
#define PUT(c)                         \
    do {                               \
        if (n + 1 < cap) buf[n] = (c); \
        n++;                           \
    } while (0)

/* Starts a new segment: a dot unless the output is empty or ends in one. */
#define SEP()            \
    do {                 \
        if (n && !dot) { \
            PUT('.');    \
            dot = 1;     \
        }                \
    } while (0)

size_t apierr_field_path_normalize(char *buf, size_t cap, const char *path, size_t len)
{
    size_t n = 0, i = 0;
    int dot = 1; /* output ends at a segment boundary */
    int pointer = 0;

    /* JSON Pointer ("/a/0", RFC 6901) possibly in a URI fragment ("#/a/0"),
     * or JSONPath's root ("$.a[0]"). */
    if (i < len && path[i] == '#') i++;
    if (i < len && path[i] == '/')
        pointer = 1;
    else if (i < len && path[i] == '$')
        i++;

    for (; i < len; i++) {
        char c = path[i];
        if (pointer) {
            if (c == '/') {
                SEP();
                continue;
            }
            if (c == '~' && i + 1 < len && (path[i + 1] == '0' || path[i + 1] == '1')) {
                c = path[++i] == '0' ? '~' : '/';
            }
        } else if (c == '.' || c == '[' || c == ']') {
            /* "a[0].b", "a.0.b", "a[0][1]": brackets and dots are all
             * separators; a quoted key inside brackets keeps its text. */
            if (c != ']') SEP();
            if (c == '[' && i + 1 < len && (path[i + 1] == '\'' || path[i + 1] == '"')) {
                char q = path[++i];
                for (i++; i < len && path[i] != q; i++) {
                    PUT(path[i]);
                    dot = 0;
                }
                if (i + 1 < len && path[i + 1] == ']') i++;
            }
            continue;
        }
        PUT(c);
        dot = 0;
    }
    /* No trailing separator ("a." or "a/"). */
    if (n && dot) n--;
    if (cap) buf[n < cap ? n : cap - 1] = '\0';
    return n;
}
