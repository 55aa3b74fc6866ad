/* STUB: to be implemented. */
#include "dialect_impl.h"

const apierr__dialect_ops apierr__dialect_AWS_XML = {APIERR_DIALECT_AWS_XML, NULL, NULL, NULL, NULL};
