/* `apierr call`: the response's head as curl's -i, -I and -D show it. */
#include "call.h"

int call_print_headers(FILE *f, const apierr_result *r)
{
    if (!r->status) return CLI_EXIT_OK; /* no response came: nothing to show */
    /* The client keeps the status, not the status line: the line is rebuilt
     * with the registry's reason phrase (the version shown is HTTP/1.1). */
    fprintf(f, "HTTP/1.1 %d %s\r\n", r->status, apierr_status_reason(r->status));
    for (size_t i = 0; i < r->nheaders; i++)
        fprintf(f, "%s: %s\r\n", r->headers[i].name, r->headers[i].value);
    fputs("\r\n", f);
    return ferror(f) ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
}
