/* Argument parsing and I/O shared by the apierr commands. */
#include "util.h"

#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Options a usage line lists one by one; more are shown as [OPTIONS]. */
#define CLI_USAGE_LINE_MAX 16

void cli_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "apierr %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void cli_usage(FILE *f, const cli_command *cmd)
{
    fprintf(f, "usage: apierr %s", cmd->name);
    /* A long table (call's) would make a line nobody reads: the list below
     * has them all. */
    if (cmd->noptions > CLI_USAGE_LINE_MAX) fprintf(f, " [OPTIONS]");
    for (size_t i = 0; cmd->noptions <= CLI_USAGE_LINE_MAX && i < cmd->noptions; i++) {
        const cli_option *o = &cmd->options[i];
        const char *open = o->required ? "" : "[", *close = o->required ? "" : "]";
        fprintf(f, " %s%s%s%s%s", open, o->name, o->metavar ? " " : "",
                o->metavar ? o->metavar : "", close);
    }
    /* A command without operands (serve) has none to print. */
    fprintf(f, "%s%s\n\n%s\n\noptions:\n", cmd->operands ? " " : "",
            cmd->operands ? cmd->operands : "", cmd->summary);
    for (size_t i = 0; i < cmd->noptions; i++) {
        const cli_option *o = &cmd->options[i];
        char left[64];
        snprintf(left, sizeof left, "%s%s%s", o->name, o->metavar ? " " : "",
                 o->metavar ? o->metavar : "");
        fprintf(f, "  %-24s %s\n", left, o->help);
    }
    fprintf(f, "  %-24s %s\n\nSee apierr(1).\n", "--help", "print this help and exit");
}

/* curl's way: one line said why (cli_error), one says where to look; the
 * whole help would bury the line that matters. */
static int usage_error(const cli_command *cmd)
{
    cli_usage_hint(cmd->name);
    return CLI_ARGS_USAGE;
}

void cli_usage_hint(const char *cmd)
{
    fprintf(stderr, "try 'apierr %s --help'\n", cmd);
}

static const cli_option *find_option(const cli_command *cmd, const char *arg, size_t len)
{
    for (size_t i = 0; i < cmd->noptions; i++) {
        const char *name = cmd->options[i].name;
        if (strlen(name) == len && strncmp(name, arg, len) == 0) return &cmd->options[i];
    }
    return NULL;
}

/* The state of one parse: where it is in argv, and which options it saw. */
struct parse {
    const cli_command *cmd;
    int argc, i;
    char **argv;
    void *ctx;
    unsigned char seen[CLI_MAX_OPTIONS];
};

/* Sets o from `inline_value` (after '=' or a short option's letter; NULL:
 * none) or the next argument. 0, or -1 after saying why. */
static int apply(struct parse *p, const cli_option *o, const char *inline_value)
{
    const char *value = NULL;
    if (o->metavar) {
        if (inline_value)
            value = inline_value;
        else if (p->i + 1 < p->argc)
            value = p->argv[++p->i];
        else {
            cli_error(p->cmd->name, "option %s needs a value (%s)", o->name, o->metavar);
            return -1;
        }
    } else if (inline_value) {
        cli_error(p->cmd->name, "option %s takes no value", o->name);
        return -1;
    }
    if (o->set(p->ctx, value)) return -1;
    p->seen[o - p->cmd->options] = 1;
    return 0;
}

/* A cluster of short options, curl's way: "-sSL" is -s -S -L; the first one
 * that takes a value takes the rest of the cluster ("-XPUT", "-sXPUT") or,
 * when nothing is left, the next argument. */
static int apply_short(struct parse *p, const char *arg)
{
    for (const char *c = arg + 1; *c; c++) {
        char name[3] = {'-', *c, '\0'};
        const cli_option *o = find_option(p->cmd, name, 2);
        if (!o) {
            cli_error(p->cmd->name, "unknown option '%s'", name);
            return -1;
        }
        if (o->metavar) return apply(p, o, c[1] ? c + 1 : NULL);
        if (apply(p, o, NULL)) return -1;
    }
    return 0;
}

int cli_parse_args(const cli_command *cmd, int argc, char **argv, void *ctx, const char **file)
{
    struct parse p = {.cmd = cmd, .argc = argc, .argv = argv, .ctx = ctx};
    int options_done = 0;
    *file = NULL;
    assert(cmd->noptions <= CLI_MAX_OPTIONS);
    for (p.i = 1; p.i < argc; p.i++) {
        const char *arg = argv[p.i];
        if (options_done || arg[0] != '-' || strcmp(arg, "-") == 0) {
            if (cmd->operand) {
                if (cmd->operand(ctx, arg)) return usage_error(cmd);
                continue;
            }
            if (*file) {
                /* In the command's own word: "URL" for call, "input file" else. */
                cli_error(cmd->name, "more than one %s ('%s', '%s')",
                          cmd->operands && strstr(cmd->operands, "URL") ? "URL" : "input file",
                          *file, arg);
                return usage_error(cmd);
            }
            *file = arg;
            continue;
        }
        if (strcmp(arg, "--") == 0) {
            options_done = 1;
            continue;
        }
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            cli_usage(stdout, cmd);
            return CLI_ARGS_HELP;
        }
        if (arg[1] != '-') {
            if (apply_short(&p, arg)) return usage_error(cmd);
            continue;
        }
        const char *eq = strchr(arg, '=');
        size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
        const cli_option *o = find_option(cmd, arg, len);
        if (!o) {
            cli_error(cmd->name, "unknown option '%.*s'", (int)len, arg);
            return usage_error(cmd);
        }
        if (apply(&p, o, eq ? eq + 1 : NULL)) return usage_error(cmd);
    }
    for (size_t i = 0; i < cmd->noptions; i++) {
        if (cmd->options[i].required && !p.seen[i]) {
            cli_error(cmd->name, "%s %s is required", cmd->options[i].name,
                      cmd->options[i].metavar ? cmd->options[i].metavar : "");
            return usage_error(cmd);
        }
    }
    return CLI_ARGS_OK;
}

int cli_profile_parse(apierr_profile *p, apierr_custom_dialect *custom, int *has_custom,
                      const char *text, size_t len, char *err, size_t cap)
{
    *has_custom = 0;
    int rc = apierr_profile_from_json(p, text, len, err, cap);
    if (rc == APIERR_OK) rc = apierr_custom_dialect_from_json(custom, text, len, err, cap);
    if (rc == APIERR_OK) *has_custom = 1;
    return rc == APIERR_ENOTFOUND ? APIERR_OK : rc;
}

int cli_make_parents(const char *path)
{
    char dir[4096];
    size_t n = strlen(path);
    if (n >= sizeof dir) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(dir, path, n + 1);
    for (char *p = dir + 1; (p = strchr(p, '/')); p++) {
        *p = '\0';
        if (mkdir(dir, 0777) != 0 && errno != EEXIST) return -1;
        *p = '/';
    }
    return 0;
}

int cli_read_input(char **out, size_t *out_len, const char *cmd, const char *path, size_t max)
{
    int is_stdin = !path || strcmp(path, "-") == 0;
    const char *shown = is_stdin ? "standard input" : path;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (!f) {
        cli_error(cmd, "cannot open '%s': %s", path, strerror(errno));
        return CLI_EXIT_FAILURE;
    }
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    int rc = CLI_EXIT_OK;
    while (buf) {
        if (len == cap - 1) { /* keep room for the NUL */
            if (cap - 1 > max) break;
            char *bigger = realloc(buf, cap * 2);
            if (!bigger) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
        size_t n = fread(buf + len, 1, cap - 1 - len, f);
        len += n;
        if (n == 0) break;
    }
    if (!buf) {
        cli_error(cmd, "out of memory reading '%s'", shown);
        rc = CLI_EXIT_FAILURE;
    } else if (ferror(f)) {
        cli_error(cmd, "cannot read '%s': %s", shown, strerror(errno));
        rc = CLI_EXIT_FAILURE;
    } else if (len > max) {
        cli_error(cmd, "'%s' is larger than %zu bytes; not an error body", shown, max);
        rc = CLI_EXIT_FAILURE;
    }
    if (!is_stdin) fclose(f);
    if (rc != CLI_EXIT_OK) {
        free(buf);
        return rc;
    }
    buf[len] = '\0';
    *out = buf;
    *out_len = len;
    return CLI_EXIT_OK;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t';
}

int cli_parse_header(apierr_header *out, char *arg)
{
    char *colon = strchr(arg, ':');
    if (!colon || colon == arg) return -1;
    for (const char *s = arg; s < colon; s++)
        if ((unsigned char)*s <= ' ' || *s == 0x7f) return -1;
    *colon = '\0';
    char *value = colon + 1;
    while (is_space(*value)) value++;
    char *end = value + strlen(value);
    while (end > value && is_space(end[-1])) *--end = '\0';
    out->name = arg;
    out->value = value;
    return 0;
}

int cli_parse_int(int *out, const char *s, int min, int max)
{
    char *end;
    if (!s || !*s || is_space(*s)) return -1;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < min || v > max) return -1;
    *out = (int)v;
    return 0;
}

int cli_parse_status(int *out, const char *cmd, const char *value)
{
    if (cli_parse_int(out, value, 100, 599) == 0) return 0;
    cli_error(cmd, "--status wants an HTTP status in 100..599, not '%s'", value);
    return -1;
}

void cli_print_dialects(FILE *f, int encodable)
{
    const char *sep = "";
    for (int d = 0; d < APIERR_DIALECT__COUNT; d++) {
        if (encodable && !apierr_dialect_can_encode((apierr_dialect)d)) continue;
        fprintf(f, "%s%s", sep, apierr_dialect_name((apierr_dialect)d));
        sep = ", ";
    }
}

int cli_parse_dialect(apierr_dialect *out, const char *cmd, const char *name, int encodable)
{
    apierr_dialect d;
    apierr_profile p;
    /* A built-in profile's name stands for its dialect: the seeds name
     * APIs (--to giponext), not dialects; the default profile's, detected
     * on reading, is written as RFC 9457's. */
    int known = apierr_dialect_from_name(&d, name) == APIERR_OK;
    if (!known && apierr_profile_builtin(&p, name) == APIERR_OK) {
        d = p.dialect == APIERR_DIALECT_AUTO && encodable ? APIERR_DIALECT_PROBLEM : p.dialect;
        known = 1;
    }
    if (known && (!encodable || apierr_dialect_can_encode(d))) {
        *out = d;
        return 0;
    }
    if (encodable)
        fprintf(stderr, "apierr %s: cannot encode dialect '%s'; the encodable dialects are: ", cmd,
                name);
    else
        fprintf(stderr, "apierr %s: unknown dialect '%s'; the dialects are: ", cmd, name);
    cli_print_dialects(stderr, encodable);
    fputc('\n', stderr);
    return -1;
}
