/*
 * apierr-client.h - the umbrella header of libapierr-client.
 *
 * libapierr-client makes HTTP calls over libcurl that survive failures: the
 * policy engine of libapierr decides every retry, wait and credential
 * refresh; the client carries them out on curl's multi interface and reports
 * each failure as a normalized problem.
 */
#ifndef APIERR_CLIENT_UMBRELLA_H
#define APIERR_CLIENT_UMBRELLA_H

#include "apierr.h"
#include "apierr/client.h"

#endif
