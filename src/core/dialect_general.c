/*
 * general: any shape no named dialect claims, read by the general rules
 * (decode_general.c for JSON, decode_xml.c for XML, both over the table of
 * member_table.h). Never detected itself: it is what detection falls back
 * on. A body in which the rules find nothing is reported as `unknown`.
 */
#include "general.h"

const apierr__dialect_ops apierr__dialect_GENERAL = {
    APIERR_DIALECT_GENERAL, NULL, apierr__general_decode, NULL, NULL, 0};
