/* Problems made by the server itself (validation, limiter, mapping). */
#include "apierr/server/reply.h"

int apierr_server_problem(apierr_problem **out, int status, const char *code, const char *message)
{
    apierr_problem *p;
    *out = NULL;
    if (apierr_problem_new(&p)) return APIERR_ENOMEM;
    p->status = status;
    if (apierr_problem_set(p, APIERR_PF_CODE, code) ||
        apierr_problem_set(p, APIERR_PF_MESSAGE, message)) {
        apierr_problem_free(p);
        return APIERR_ENOMEM;
    }
    *out = p;
    return APIERR_OK;
}
