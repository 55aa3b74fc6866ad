/* STUB: to be implemented. */
#include "dialect_impl.h"

const apierr__dialect_ops apierr__dialect_TEXT = {APIERR_DIALECT_TEXT, NULL, NULL, NULL, NULL};
