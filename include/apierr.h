/*
 * apierr.h - the umbrella header of libapierr.
 *
 * libapierr is the core of apierr: the normalized problem, the error
 * dialects, the HTTP status registry, the header parsers, the retry policy
 * (with hedging and adaptive throttling) and the API profiles. It does no
 * I/O.
 */
#ifndef APIERR_H
#define APIERR_H

#include "apierr/common.h"
#include "apierr/category.h"
#include "apierr/status.h"
#include "apierr/dialect.h"
#include "apierr/problem.h"
#include "apierr/headers.h"
#include "apierr/policy.h"
#include "apierr/hedge.h"
#include "apierr/throttle.h"
#include "apierr/profile.h"
#include "apierr/custom.h"

#endif
