/*
 * list_invoices: one call that survives failures, with libapierr-client.
 * Gets an OAuth token with client credentials, lists a tenant's invoices and
 * prints the outcome: the body on success, the normalized problem and the
 * attempt history on failure.
 *
 *   ./list_invoices http://127.0.0.1:8080 demo s3cret acme
 */
#include <apierr-client.h>

#include <stdio.h>

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: %s BASE_URL CLIENT_ID CLIENT_SECRET TENANT\n", argv[0]);
        return 2;
    }
    char token_url[512], path[256];
    snprintf(token_url, sizeof token_url, "%s/oauth/token", argv[1]);
    snprintf(path, sizeof path, "/v1/tenants/%s/invoices", argv[4]);

    apierr_profile profile;
    apierr_profile_builtin(&profile, "giponext"); /* 401 refresh, 5xx 1 s, 2 s, 4 s */

    apierr_client_opts opts = APIERR_CLIENT_OPTS_INIT;
    opts.base_url = argv[1];
    opts.profile = &profile;
    opts.oauth_token_url = token_url;
    opts.client_id = argv[2];
    opts.client_secret = argv[3];

    apierr_client *client;
    int rc = apierr_client_new(&client, &opts);
    if (rc != APIERR_OK) {
        fprintf(stderr, "list_invoices: %s\n", apierr_strerror(rc));
        return 1;
    }

    apierr_request req = APIERR_REQUEST_INIT;
    req.url = path;
    apierr_result res = {0};
    rc = apierr_call(client, &req, &res);
    if (rc != APIERR_OK) {
        fprintf(stderr, "list_invoices: %s\n", apierr_strerror(rc));
    } else if (res.ok) {
        printf("%d %s\n", res.status, res.body ? res.body : "");
    } else {
        printf("failed (%s): %s\n", apierr_category_name(res.category), res.problem->message);
        for (size_t i = 0; i < res.nattempts; i++)
            printf("  attempt %d: %d %s\n", res.attempts[i].number, res.attempts[i].status,
                   res.attempts[i].status_text);
    }
    int ok = rc == APIERR_OK && res.ok;
    apierr_result_clear(&res);
    apierr_client_free(client);
    return ok ? 0 : 1;
}
