/* STUB: to be implemented. */
#include "dialect_impl.h"

const apierr__dialect_ops apierr__dialect_GITHUB = {APIERR_DIALECT_GITHUB, NULL, NULL, NULL, NULL};
