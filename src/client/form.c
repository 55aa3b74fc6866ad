/*
 * multipart/form-data bodies (RFC 7578) through libcurl's mime API, as
 * curl's -F builds them: a call keeps its own copy of the parts, and each
 * attempt builds a new curl_mime from it (a file part is read again), freed
 * with the attempt's handle.
 */
#include "alloc.h"
#include "engine.h"

#include <string.h>

/* The string members of a part, as a table: copied and freed together. */
#define FORM_PART_STRINGS(X) X(name) X(value) X(file) X(filename) X(type)

int apierr__form_copy(apierr__call *k, const apierr_request *req)
{
    if (!req->nform) return APIERR_OK;
    if (!req->form || req->body || req->body_file) return APIERR_EINVAL;
    for (size_t i = 0; i < req->nform; i++)
        if (!req->form[i].name || !req->form[i].value == !req->form[i].file) return APIERR_EINVAL;
    k->form = apierr__calloc(req->nform, sizeof *k->form);
    if (!k->form) return APIERR_ENOMEM;
    k->nform = req->nform;
    int oom = 0;
    for (size_t i = 0; i < req->nform; i++) {
#define FORM__COPY(m)                              \
    k->form[i].m = apierr__strdup(req->form[i].m); \
    oom |= req->form[i].m && !k->form[i].m;
        FORM_PART_STRINGS(FORM__COPY)
#undef FORM__COPY
    }
    return oom ? APIERR_ENOMEM : APIERR_OK;
}

void apierr__form_free(apierr__call *k)
{
    for (size_t i = 0; i < k->nform; i++) {
#define FORM__FREE(m) apierr__free((char *)k->form[i].m);
        FORM_PART_STRINGS(FORM__FREE)
#undef FORM__FREE
    }
    apierr__free(k->form);
    k->form = NULL;
    k->nform = 0;
}

/* One part into m. CURLE_OK or libcurl's failure. */
static CURLcode add_part(curl_mime *m, const apierr_form_part *p)
{
    curl_mimepart *part = curl_mime_addpart(m);
    if (!part) return CURLE_OUT_OF_MEMORY;
    CURLcode rc = curl_mime_name(part, p->name);
    if (!rc && p->file) rc = curl_mime_filedata(part, p->file);
    if (!rc && p->value) rc = curl_mime_data(part, p->value, CURL_ZERO_TERMINATED);
    /* filedata names the part after the file; "" asks for no filename. */
    if (!rc && p->filename) rc = curl_mime_filename(part, *p->filename ? p->filename : NULL);
    if (!rc && p->type) rc = curl_mime_type(part, p->type);
    return rc;
}

int apierr__form_attach(apierr__call *k, curl_mime **mime, CURL *e)
{
    curl_mime *m = *mime = curl_mime_init(e);
    if (!m) return -1;
    for (size_t i = 0; i < k->nform; i++)
        if (add_part(m, &k->form[i]) != CURLE_OK) return -1;
    return curl_easy_setopt(e, CURLOPT_MIMEPOST, m) == CURLE_OK ? 0 : -1;
}
