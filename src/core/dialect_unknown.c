/*
 * unknown: a body no rule recognizes. Never chosen by detection (no match
 * function): decoding reports it when the general rules found nothing in
 * a body. Forced (`--dialect unknown`), it reads whatever common members
 * the general rules find.
 */
#include "general.h"

const apierr__dialect_ops apierr__dialect_UNKNOWN = {
    APIERR_DIALECT_UNKNOWN, NULL, apierr__general_decode, NULL, NULL, 0};
