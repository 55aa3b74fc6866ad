/*
 * Replays a fuzz corpus without libFuzzer: runs LLVMFuzzerTestOneInput once
 * on every file named on the command line or found in a named directory.
 * With sanitizers on, any crash, leak or UB in a corpus input fails the test.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return perror(path), 1;
    size_t cap = 4096, len = 0;
    uint8_t *buf = malloc(cap);
    size_t n;
    while (buf && (n = fread(buf + len, 1, cap - len, f)) > 0) {
        len += n;
        if (len == cap) buf = realloc(buf, cap *= 2);
    }
    fclose(f);
    if (!buf) return fprintf(stderr, "%s: out of memory\n", path), 1;
    /* An exact-size copy, so ASan catches any read past the input. */
    uint8_t *exact = malloc(len ? len : 1);
    memcpy(exact, buf, len);
    free(buf);
    LLVMFuzzerTestOneInput(exact, len);
    free(exact);
    return 0;
}

int main(int argc, char **argv)
{
    int failed = 0, count = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st)) return perror(argv[i]), 1;
        if (!S_ISDIR(st.st_mode)) {
            failed |= run_file(argv[i]), count++;
            continue;
        }
        DIR *d = opendir(argv[i]);
        struct dirent *e;
        while (d && (e = readdir(d))) {
            if (e->d_name[0] == '.') continue;
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", argv[i], e->d_name);
            failed |= run_file(path), count++;
        }
        if (d) closedir(d);
    }
    printf("replayed %d inputs\n", count);
    if (count == 0) return fprintf(stderr, "no corpus inputs\n"), 1;
    return failed;
}
