/*
 * apierr profiles: lists the built-in API profiles, or prints one (built in,
 * or read from a JSON file) as resolved JSON, the format profile files use.
 */
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: apierr profiles\n"
               "       apierr profiles show NAME\n"
               "       apierr profiles show --file PROFILE.json\n\n"
               "Lists the built-in API profiles, or prints one as JSON with every option\n"
               "resolved. A profile file may name a built-in to start from (\"extends\").\n");
}

/* Reads a whole file into a new NUL-terminated buffer; NULL with errno set. */
static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 4096, n = 0;
    char *data = malloc(cap);
    while (data) {
        n += fread(data + n, 1, cap - n - 1, f);
        if (ferror(f) || feof(f)) break;
        char *bigger = cap > ((size_t)1 << 24) ? NULL : realloc(data, cap * 2);
        if (!bigger) {
            free(data);
            data = NULL;
            errno = EFBIG;
            break;
        }
        data = bigger;
        cap *= 2;
    }
    int bad = data && ferror(f);
    fclose(f);
    if (bad) {
        free(data);
        errno = EIO;
        return NULL;
    }
    if (data) data[n] = '\0';
    *len = n;
    return data;
}

/* Prints p, with its custom dialect when it has one (custom not NULL). */
static int print_profile(const apierr_profile *p, const apierr_custom_dialect *custom)
{
    char *json;
    if (apierr_profile_to_json_custom(&json, NULL, p, custom) != APIERR_OK) {
        fprintf(stderr, "apierr profiles: out of memory\n");
        return CLI_EXIT_FAILURE;
    }
    fputs(json, stdout);
    apierr_free(json);
    return CLI_EXIT_OK;
}

static int show_file(const char *path)
{
    size_t len = 0;
    char *text = read_file(path, &len);
    if (!text) {
        fprintf(stderr, "apierr profiles: cannot read '%s': %s\n", path, strerror(errno));
        return CLI_EXIT_FAILURE;
    }
    apierr_profile p;
    apierr_custom_dialect custom;
    int has_custom;
    char err[256];
    int rc = cli_profile_parse(&p, &custom, &has_custom, text, len, err, sizeof err);
    free(text);
    if (rc != APIERR_OK) {
        fprintf(stderr, "apierr profiles: %s: %s\n", path, err);
        return CLI_EXIT_USAGE;
    }
    return print_profile(&p, has_custom ? &custom : NULL);
}

static int show_builtin(const char *name)
{
    apierr_profile p;
    if (apierr_profile_builtin(&p, name) == APIERR_OK) return print_profile(&p, NULL);
    fprintf(stderr, "apierr profiles: no profile named '%s'; known:", name);
    for (size_t i = 0; i < apierr_profile_builtin_count(); i++)
        fprintf(stderr, " %s", apierr_profile_builtin_name(i));
    fprintf(stderr, "\n");
    return CLI_EXIT_USAGE;
}

int cli_profiles(int argc, char **argv)
{
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        usage(stdout);
        return CLI_EXIT_OK;
    }
    if (argc == 1) {
        for (size_t i = 0; i < apierr_profile_builtin_count(); i++)
            printf("%-10s %s\n", apierr_profile_builtin_name(i),
                   apierr_profile_builtin_description(i));
        return CLI_EXIT_OK;
    }
    if (!strcmp(argv[1], "show")) {
        if (argc == 3 && strcmp(argv[2], "--file") != 0) return show_builtin(argv[2]);
        if (argc == 4 && !strcmp(argv[2], "--file")) return show_file(argv[3]);
    }
    fprintf(stderr, "apierr profiles: bad arguments\n");
    usage(stderr);
    return CLI_EXIT_USAGE;
}
