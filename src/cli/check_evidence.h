/* `apierr check`: what the evaluators of check_checks.c share to read the
 * answers of a run and write the evidence of a check (check_evidence.c).
 * Evidence is a NUL-terminated string of cap bytes, appended to and cut to
 * fit; what comes from the server goes in through check_ev_text(), quoted. */
#ifndef APIERR_CLI_CHECK_EVIDENCE_H
#define APIERR_CLI_CHECK_EVIDENCE_H

#include "check.h"

/* Appends to the evidence, cut to fit. */
void check_ev_add(char *ev, size_t cap, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* How one answer fares in a check over every error: 1 good, 0 bad (the
 * evidence says why), -1 not concerned. nbad: bad ones so far. */
typedef int (*check_answer_judge)(const struct check_answer *a, char *ev, size_t cap, int nbad);

/* Appends one item of a list to the evidence: lead before the first
 * (nth 0), sep before the others; an item already listed is not repeated
 * (eight 404 HTML pages are one finding). */
void check_ev_item(char *ev, size_t cap, int nth, const char *lead, const char *sep,
                   const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 6, 7)))
#endif
    ;

/* Appends untrusted text (a header, a message), quoted for any report. */
void check_ev_text(char *ev, size_t cap, const char *s, size_t max);

/* The answer of a probe, or NULL when it was not sent. */
const struct check_answer *check_sent(const struct check_run *run, enum check_probe_id id);

/* The verdict of a check whose probe was not sent. */
enum check_verdict check_not_sent(const struct check_run *run, enum check_probe_id id, char *ev,
                                  size_t cap);

/* "GET /x -> 404" for the evidence; "no answer (why)" on a transport failure. */
void check_ev_answer(char *ev, size_t cap, const struct check_answer *a);

/* The answer of a probe, its request and status already in the evidence;
 * NULL (the evidence saying why) when the probe was not sent. */
const struct check_answer *check_open_probe(const struct check_run *run, enum check_probe_id id,
                                            char *ev, size_t cap);

/* The value of a response header of a (case-insensitive), or NULL. */
const char *check_header(const struct check_answer *a, const char *name);

/* A body a program can read: a JSON dialect, not a page or prose. */
int check_machine_readable(const apierr_problem *p);

/* The dialect name of an answer's body, "empty" or "none" (a 2xx). */
const char *check_dialect_of(const struct check_answer *a);

/* Every error answer of the run, in a fixed order: the probes, then the
 * first 429 and the first 503 of the burst. Returns NULL past the end. */
const struct check_answer *check_nth_error(const struct check_run *run, size_t *i);

/* The media type of a Content-Type, lowercased, parameters dropped. */
void check_media_type(char *out, size_t cap, const char *ct);

/* application/json or any +json media type. */
int check_is_json_type(const char *mt);

/* A status, or the profile's rules calling it unauthenticated (gestix:
 * 403 for a missing or invalid session). */
int check_unauthenticated(const struct check_answer *a);

/* A check over every error answer of the run: skipped when none concerns
 * it (none says which); passed when all are good, with all_good (a format
 * taking the count twice) as the evidence, when given. */
enum check_verdict check_every_error(const struct check_run *run, check_answer_judge judge,
                                     char *ev, size_t cap, const char *none, const char *all_good);

#endif
