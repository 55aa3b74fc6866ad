/* `apierr check`: the scanners of untrusted bytes (response headers and
 * bodies) that the library has no parser for. Pure functions, no
 * allocation; fuzzed by fuzz/fuzz_check_scan.c. Header values are taken as
 * (pointer, length): they need not be NUL-terminated. */
#ifndef APIERR_CLI_CHECK_SCAN_H
#define APIERR_CLI_CHECK_SCAN_H

#include <stddef.h>

/* 1 when the comma-separated list (Allow, Vary, Cache-Control) has an
 * element whose name (before any '=') is name, case-insensitively. */
int check_list_has(const char *value, size_t len, const char *name);

/* 1 when value is a well-formed list of method tokens (RFC 9110 5.6.1 and
 * 5.6.2: tokens separated by commas and optional whitespace, empty elements
 * allowed), at least one of them; 0 otherwise. */
int check_token_list_valid(const char *value, size_t len);

/*
 * Finds the auth-param `param` of a WWW-Authenticate value (RFC 9110 11.6.1:
 * `Bearer realm="x", error="invalid_token"`), its name matched
 * case-insensitively. Writes its value, quotes and escapes undone, into out
 * (cap bytes with the NUL, cut to fit; cap >= 1). Returns 1 when found, 0
 * when not.
 */
int check_challenge_param(const char *value, size_t len, const char *param, char *out, size_t cap);

/* 1 when value is a whole non-negative decimal number (digits only, with
 * optional surrounding whitespace), 0 otherwise. */
int check_is_uint(const char *value, size_t len);

/* The kind and the text of the first sign of internals in body ("stack
 * trace", "file path", "SQL", "debug page"), or 0 when none. */
typedef struct check_leak {
    const char *kind;
    const char *needle; /* the text found */
} check_leak;
int check_leak_find(check_leak *out, const char *body, size_t len);

/* Copies src into dst (cap bytes with the NUL, cap >= 8) for a report:
 * printable ASCII as is, any other byte as \xNN, cut with "..." when it does
 * not fit. Returns the length written. */
size_t check_quote(char *dst, size_t cap, const char *src, size_t len);

#endif
