/* curl's config file (-K FILE, --config FILE): its lines are options, so
 * that headers and tokens stay out of the command line, where every local
 * user sees them in ps. The syntax is curl's (curl(1), "-K, --config"):
 *
 *   # a comment
 *   header = "Authorization: Bearer s3cr3t"
 *   --retry 3
 *   -s
 *   url = "http://127.0.0.1:8080/v1/x"
 *
 * A line is an option, long without its dashes or with them, or short;
 * then whitespace, '=' or ':' and its value, in double quotes with the
 * escapes \\ \" \t \n \r \v, or up to the next whitespace. "url" gives
 * the URL. */
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* The option of the line's name: "header", "--header" or "-H". */
static const cli_option *option_named(const cli_command *cmd, const char *name)
{
    char dashed[64];
    if (name[0] != '-') {
        if (snprintf(dashed, sizeof dashed, "--%s", name) >= (int)sizeof dashed) return NULL;
        name = dashed;
    }
    for (size_t i = 0; i < cmd->noptions; i++)
        if (strcmp(cmd->options[i].name, name) == 0) return &cmd->options[i];
    return NULL;
}

/* The value at *s (quoted or a word) into a new string; *s moves past it.
 * NULL when out of memory. */
static char *value_at(const char **s)
{
    const char *p = *s;
    size_t n = strlen(p);
    char *v = malloc(n + 1), *o = v;
    if (!v) return NULL;
    if (*p != '"') {
        size_t w = strcspn(p, " \t\r\n");
        memcpy(v, p, w);
        v[w] = '\0';
        *s = p + w;
        return v;
    }
    static const char escapes[][2] = {{'t', '\t'}, {'n', '\n'}, {'r', '\r'}, {'v', '\v'}};
    for (p++; *p && *p != '"'; p++) {
        if (*p == '\\' && p[1]) {
            p++;
            size_t i = 0;
            while (i < 4 && escapes[i][0] != *p) i++;
            *o++ = i < 4 ? escapes[i][1] : *p; /* \\ and \" are themselves */
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
    *s = *p ? p + 1 : p;
    return v;
}

/* Appends one argument (owned) to the new argv. 0, or -1 out of memory. */
static int push(cli_config *c, char *arg)
{
    if (!arg) return -1;
    if (c->argc + 1 >= c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 32;
        char **v = realloc(c->argv, cap * sizeof *v);
        if (!v) {
            free(arg);
            return -1;
        }
        c->argv = v;
        c->cap = cap;
    }
    c->argv[c->argc++] = arg;
    c->argv[c->argc] = NULL;
    return 0;
}

/* The lines of one file as arguments. CLI_EXIT_OK or an exit code after
 * saying why (line number and reason). */
static int read_file(cli_config *c, const cli_command *cmd, const char *path)
{
    char *text;
    size_t len;
    int rc = cli_read_input(&text, &len, cmd->name, path, CLI_BODY_MAX);
    if (rc) return rc;
    int lineno = 0;
    for (char *line = text, *next; line && *line; line = next) {
        lineno++;
        next = strchr(line, '\n');
        if (next) *next++ = '\0';
        const char *s = line + strspn(line, " \t\r");
        if (!*s || strchr("#/*", *s)) continue;
        size_t w = strcspn(s, " \t\r=:");
        char name[64];
        if (w >= sizeof name) w = sizeof name - 1;
        memcpy(name, s, w);
        name[w] = '\0';
        s += strcspn(s, " \t\r=:");
        s += strspn(s, " \t\r");
        if (*s == '=' || *s == ':') s += 1 + strspn(s + 1, " \t\r");
        const cli_option *o = strcmp(name, "url") == 0 ? NULL : option_named(cmd, name);
        int bad = 0;
        if (strcmp(name, "url") == 0) {
            bad = push(c, value_at(&s));
        } else if (!o || !strcmp(o->name, "-K") || !strcmp(o->name, "--config")) {
            cli_error(cmd->name, "%s line %d: %s '%s'", path, lineno,
                      o ? "a config file in a config file is not read" : "unknown option", name);
            cli_usage_hint(cmd->name);
            rc = CLI_EXIT_USAGE;
            break;
        } else {
            bad = push(c, strdup(o->name));
            if (!bad && o->metavar) bad = push(c, value_at(&s));
        }
        if (bad) {
            cli_error(cmd->name, "out of memory reading '%s'", path);
            rc = CLI_EXIT_FAILURE;
            break;
        }
    }
    free(text);
    return rc;
}

int cli_config_expand(cli_config *c, const cli_command *cmd, int argc, char **argv)
{
    memset(c, 0, sizeof *c);
    int rc = CLI_EXIT_OK, operands = 0;
    for (int i = 0; i < argc && !rc; i++) {
        const char *a = argv[i], *file = NULL;
        if (!operands && !strncmp(a, "--config=", 9)) {
            file = a + 9;
        } else if (!operands && (!strcmp(a, "-K") || !strcmp(a, "--config"))) {
            if (i + 1 >= argc) {
                cli_error(cmd->name, "option %s needs a value (FILE)", a);
                cli_usage_hint(cmd->name);
                rc = CLI_EXIT_USAGE;
                break;
            }
            file = argv[++i];
        }
        operands |= !strcmp(a, "--");
        if (file) {
            rc = read_file(c, cmd, file);
        } else if (push(c, strdup(a))) {
            cli_error(cmd->name, "out of memory");
            rc = CLI_EXIT_FAILURE;
        }
    }
    if (rc) cli_config_free(c);
    return rc;
}

void cli_config_free(cli_config *c)
{
    for (size_t i = 0; i < c->argc; i++) free(c->argv[i]);
    free(c->argv);
    memset(c, 0, sizeof *c);
}
