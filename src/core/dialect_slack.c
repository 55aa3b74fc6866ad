/* STUB: to be implemented. */
#include "dialect_impl.h"

const apierr__dialect_ops apierr__dialect_SLACK = {APIERR_DIALECT_SLACK, NULL, NULL, NULL, NULL};
