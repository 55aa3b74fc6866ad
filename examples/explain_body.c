/*
 * explain_body: the smallest useful program with libapierr. Reads an error
 * body on stdin, the HTTP status as argv[1], and prints the normalized
 * problem: what went wrong, which fields, and what a client should do.
 *
 *   echo '{"message":"Invalid","errors":{"email":["required"]}}' | ./explain_body 422
 */
#include <apierr.h>

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    static char body[1 << 16];
    size_t len = fread(body, 1, sizeof body, stdin);

    apierr_decode_opts opts = APIERR_DECODE_OPTS_INIT;
    opts.status = argc > 1 ? atoi(argv[1]) : 0;

    apierr_problem *p;
    int rc = apierr_problem_decode(&p, body, len, &opts);
    if (rc != APIERR_OK) {
        fprintf(stderr, "explain_body: %s\n", apierr_strerror(rc));
        return 1;
    }

    apierr_status_info info;
    printf("%d %s (%s)\n", p->status, apierr_status_reason(p->status),
           apierr_dialect_name(p->dialect));
    printf("message: %s\n", p->message);
    if (p->code) printf("code: %s\n", p->code);
    for (size_t i = 0; i < p->ndetails; i++)
        printf("field %s: %s\n", p->details[i].field ? p->details[i].field : "-",
               p->details[i].message ? p->details[i].message : "");
    if (apierr_status_lookup(&info, p->status) == APIERR_OK)
        printf("action: %s\n", apierr_action_name(info.action));

    apierr_problem_free(p);
    return 0;
}
