/* STUB: to be implemented. */
#include "dialect_impl.h"

const apierr__dialect_ops apierr__dialect_HTML = {APIERR_DIALECT_HTML, NULL, NULL, NULL, NULL};
