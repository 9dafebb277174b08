/* SPDX-License-Identifier: MIT */
/*
 * Tests of mkbootimg as a program: manifests with file, env and start lines go in, and
 * either an image comes out whose etc/boot.conf, read with the root server's parsers
 * (user/lib/bootimg), says exactly what the manifest said, or mkbootimg fails with exit
 * status 1, the exact one-line message naming the manifest line, and no image file. The
 * program under test is a copy of mkbootimg built with ASan and UBSan like the tests,
 * $(BUILD)/host-test/tools/mkbootimg (tools/module.mk builds it first), found next to this
 * test's own directory. Each test works in a fresh directory under TMPDIR (or /tmp), which
 * mkbootimg also runs in, so the host paths of the manifests are plain file names.
 */
/* test-sources: user/lib/bootimg/bootimg.c user/lib/bootimg/bootconf.c */
#define _XOPEN_SOURCE 700
#define TEST_NO_MAIN

#include "test.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "user/lib/bootimg/bootconf.h"
#include "user/lib/bootimg/bootimg.h"

/* Where the tool is and where the tests work; set up by main(). */
static struct {
    char tool[PATH_MAX + 32];
    char dir[PATH_MAX];
} env;

/* Empties the work directory (it holds only plain files). */
static void
clean_dir(void)
{
    DIR *d = opendir(".");
    struct dirent *de;

    if (d == NULL) {
        return;
    }
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
            unlink(de->d_name);
        }
    }
    closedir(d);
}

static void
write_file(const char *name, const char *text, mode_t mode)
{
    FILE *f = fopen(name, "w");

    if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0 || chmod(name, mode) != 0) {
        perror(name);
        abort();
    }
}

/* The bytes of a file in a fresh heap block (8-aligned, as bootimg_check() wants). */
static unsigned char *
read_file(const char *name, size_t *len)
{
    FILE *f = fopen(name, "rb");
    unsigned char *p;
    long n;

    if (f == NULL) {
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    p = aligned_alloc(BOOTIMG_ALIGN, ((size_t)n + BOOTIMG_ALIGN) / BOOTIMG_ALIGN * BOOTIMG_ALIGN);
    if (p == NULL || fread(p, 1, (size_t)n, f) != (size_t)n) {
        abort();
    }
    fclose(f);
    *len = (size_t)n;
    return p;
}

/* What a run of mkbootimg did. */
struct run {
    int status; /* exit status, or -1 if it did not exit normally */
    char err[4096];
};

/* Runs the tool with args (NULL-terminated, args[0] ignored) in the work directory. */
static struct run
run_tool(const char *const *args)
{
    struct run r = { -1, "" };
    size_t n = 0;
    pid_t pid;
    int ws;
    FILE *f;

    fflush(stdout);
    pid = fork();
    if (pid < 0) {
        abort();
    }
    if (pid == 0) {
        int fd = open("stderr.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int null = open("/dev/null", O_WRONLY);

        if (fd < 0 || null < 0 || dup2(fd, 2) < 0 || dup2(null, 1) < 0) {
            _exit(127);
        }
        execv(env.tool, (char *const *)args);
        _exit(127);
    }
    if (waitpid(pid, &ws, 0) != pid) {
        abort();
    }
    r.status = WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;
    f = fopen("stderr.txt", "r");
    if (f != NULL) {
        n = fread(r.err, 1, sizeof(r.err) - 1, f);
        fclose(f);
    }
    r.err[n] = '\0';
    unlink("stderr.txt");
    return r;
}

/* mkbootimg -o out.img -m m (the usual call). */
static struct run
run_manifest(void)
{
    static const char *const args[] = { "mkbootimg", "-o", "out.img", "-m", "m", NULL };

    return run_tool(args);
}

/* A small static program stands in for an ELF; mkbootimg only looks at the mode. */
static void
common_files(void)
{
    clean_dir();
    write_file("prog", "\177ELF program", 0755);
    write_file("other", "\177ELF other", 0755);
    write_file("text", "hello\n", 0644);
}

/* The image of the last run and its etc/boot.conf; NULL if either is missing or bad. */
struct image {
    unsigned char *img;
    size_t len;
    const char *conf;
    size_t conf_len;
    const struct bootimg_entry *conf_entry;
};

static struct image
load_image(void)
{
    struct image im = { 0 };
    const struct bootimg_entry *e;

    im.img = read_file("out.img", &im.len);
    if (im.img == NULL || bootimg_check(im.img, im.len) != 0 ||
        bootimg_find(im.img, im.len, BOOTCONF_PATH, &e) != 0) {
        return im;
    }
    im.conf_entry = e;
    im.conf = bootimg_data(im.img, e);
    im.conf_len = e->size;
    return im;
}

static bool
str_is(const struct bootconf_str *s, const char *want)
{
    return s->len == strlen(want) && memcmp(s->s, want, s->len) == 0;
}

/* The whole boot.conf of an image, as a list of argv-like lines to compare with. */
TEST(mkbootimg_writes_boot_conf_from_env_and_start_lines)
{
    const char *argv[BOOTCONF_MAX_ARGS + 2];
    const char *envp[8];
    struct bootconf_entry e;
    struct bootconf_iter it;
    struct image im;
    struct run r;
    char buf[256];

    common_files();
    write_file("m",
               "# a manifest with everything\n"
               "etc/text text\n"
               "bin/prog prog   # trailing comment\n"
               "bin/other other 0700\n"
               "env TERM=vt100\n"
               "env PS1=\"$ # \" # a comment after a quoted '#'\n"
               "start -w bin/prog -v \"a b\" \"\" \"q\\\"u\\\\o\" back\\slash x#gone\n"
               "\tstart\tbin/other\n"
               "env TERM=xterm\n"
               "start bin/prog \"#\" 12:34 \"tab\there\"\n",
               0644);
    r = run_manifest();
    ASSERT_EQ(r.status, 0);
    ASSERT_TRUE(strcmp(r.err, "") == 0);
    im = load_image();
    ASSERT_TRUE(im.conf != NULL);
    /* The generated file comes last, a plain text file. */
    ASSERT_EQ(im.conf_entry, bootimg_entry_at(im.img, bootimg_count(im.img) - 1));
    ASSERT_EQ(bootimg_count(im.img), 4);
    ASSERT_EQ(im.conf_entry->mode, 0644);
    ASSERT_EQ(im.conf_entry->flags, 0);

    ASSERT_ERR(0, bootconf_check(&it, im.conf, im.conf_len));
    ASSERT_ERR(0, bootconf_init(&it, im.conf, im.conf_len));

    ASSERT_EQ(bootconf_next(&it, &e), 1);
    ASSERT_EQ(e.kind, BOOTCONF_ENV);
    ASSERT_TRUE(str_is(&e.str, "TERM=vt100"));
    ASSERT_EQ(bootconf_next(&it, &e), 1);
    ASSERT_EQ(e.kind, BOOTCONF_ENV);
    ASSERT_TRUE(str_is(&e.str, "PS1=$ # "));

    ASSERT_EQ(bootconf_next(&it, &e), 1);
    ASSERT_EQ(e.kind, BOOTCONF_START);
    ASSERT_EQ(e.flags, BOOTCONF_F_WAIT);
    ASSERT_EQ(bootconf_argv(&e, buf, sizeof(buf), argv, BOOTCONF_MAX_ARGS + 2), 7);
    ASSERT_TRUE(strcmp(argv[0], "bin/prog") == 0);
    ASSERT_TRUE(strcmp(argv[1], "-v") == 0);
    ASSERT_TRUE(strcmp(argv[2], "a b") == 0);
    ASSERT_TRUE(strcmp(argv[3], "") == 0);
    ASSERT_TRUE(strcmp(argv[4], "q\"u\\o") == 0);
    ASSERT_TRUE(strcmp(argv[5], "back\\slash") == 0);
    ASSERT_TRUE(strcmp(argv[6], "x") == 0);

    ASSERT_EQ(bootconf_next(&it, &e), 1);
    ASSERT_EQ(e.kind, BOOTCONF_START);
    ASSERT_EQ(e.flags, 0);
    ASSERT_TRUE(str_is(&e.str, "bin/other"));
    ASSERT_EQ(e.argc, 0);

    ASSERT_EQ(bootconf_next(&it, &e), 1);
    ASSERT_EQ(e.kind, BOOTCONF_ENV);
    ASSERT_TRUE(str_is(&e.str, "TERM=xterm"));

    ASSERT_EQ(bootconf_next(&it, &e), 1);
    ASSERT_EQ(e.kind, BOOTCONF_START);
    ASSERT_EQ(e.flags, 0);
    ASSERT_EQ(bootconf_argv(&e, buf, sizeof(buf), argv, BOOTCONF_MAX_ARGS + 2), 4);
    ASSERT_TRUE(strcmp(argv[0], "bin/prog") == 0);
    ASSERT_TRUE(strcmp(argv[1], "#") == 0);
    ASSERT_TRUE(strcmp(argv[2], "12:34") == 0);
    ASSERT_TRUE(strcmp(argv[3], "tab\there") == 0);

    ASSERT_EQ(bootconf_next(&it, &e), 0);

    /* A later env line replaces an earlier one with the same KEY, keeping its place. */
    ASSERT_EQ(bootconf_env(im.conf, im.conf_len, buf, sizeof(buf), envp, 8), 2);
    ASSERT_TRUE(strcmp(envp[0], "TERM=xterm") == 0);
    ASSERT_TRUE(strcmp(envp[1], "PS1=$ # ") == 0);
    free(im.img);
}

TEST(mkbootimg_without_directives_writes_empty_boot_conf)
{
    struct bootconf_entry e;
    struct bootconf_iter it;
    struct image im;
    struct run r;

    common_files();
    write_file("m", "etc/text text\n", 0644);
    r = run_manifest();
    ASSERT_EQ(r.status, 0);
    im = load_image();
    ASSERT_TRUE(im.conf != NULL);
    ASSERT_ERR(0, bootconf_init(&it, im.conf, im.conf_len));
    ASSERT_EQ(bootconf_next(&it, &e), 0);
    free(im.img);
}

/* Start lines may name files given on the command line, after every manifest. */
TEST(mkbootimg_starts_command_line_files_across_manifests)
{
    static const char *const args[] = { "mkbootimg", "-o", "out.img",     "-m", "m",
                                        "-m",        "m2", "bin/cl=prog", NULL };
    const char *argv[4];
    struct bootconf_entry e;
    struct bootconf_iter it;
    struct image im;
    struct run r;
    char buf[64];

    common_files();
    write_file("m", "start -w bin/cl first\n", 0644);
    write_file("m2", "start bin/cl second\n", 0644);
    r = run_tool(args);
    ASSERT_EQ(r.status, 0);
    ASSERT_TRUE(strcmp(r.err, "") == 0);
    im = load_image();
    ASSERT_TRUE(im.conf != NULL);
    ASSERT_ERR(0, bootconf_init(&it, im.conf, im.conf_len));
    ASSERT_EQ(bootconf_next(&it, &e), 1);
    ASSERT_EQ(e.flags, BOOTCONF_F_WAIT);
    ASSERT_EQ(bootconf_argv(&e, buf, sizeof(buf), argv, 4), 2);
    ASSERT_TRUE(strcmp(argv[0], "bin/cl") == 0 && strcmp(argv[1], "first") == 0);
    ASSERT_EQ(bootconf_next(&it, &e), 1);
    ASSERT_EQ(e.flags, 0);
    ASSERT_EQ(bootconf_argv(&e, buf, sizeof(buf), argv, 4), 2);
    ASSERT_TRUE(strcmp(argv[1], "second") == 0);
    ASSERT_EQ(bootconf_next(&it, &e), 0);
    free(im.img);
}

TEST(mkbootimg_output_depends_only_on_inputs)
{
    unsigned char *a;
    unsigned char *b;
    size_t alen;
    size_t blen;

    common_files();
    write_file("m", "bin/prog prog\nenv A=1\nstart bin/prog x\n", 0644);
    ASSERT_EQ(run_manifest().status, 0);
    a = read_file("out.img", &alen);
    ASSERT_TRUE(a != NULL);
    unlink("out.img");
    ASSERT_EQ(run_manifest().status, 0);
    b = read_file("out.img", &blen);
    ASSERT_TRUE(b != NULL);
    ASSERT_EQ(alen, blen);
    ASSERT_TRUE(memcmp(a, b, alen) == 0);
    free(a);
    free(b);
}

/* A manifest mkbootimg must refuse, and the exact message it must print. */
struct bad_manifest {
    const char *text;
    const char *err;
};

static const struct bad_manifest bad_manifests[] = {
    { "start bin/none\n",
      "mkbootimg: m:1: start bin/none: no such file in the image (add a file line for it, "
      "or name=hostpath on the command line)\n" },
    { "etc/text text\nstart etc/text\n",
      "mkbootimg: m:2: start etc/text: not executable (mode 0644, given at m:1)\n" },
    { "bin/prog prog 0644\n\nstart -w bin/prog\n",
      "mkbootimg: m:3: start bin/prog: not executable (mode 0644, given at m:1)\n" },
    { "start etc/boot.conf\n",
      "mkbootimg: m:1: start etc/boot.conf: no such file in the image (add a file line for "
      "it, or name=hostpath on the command line)\n" },
    { "env FOO\n", "mkbootimg: m:1: env 'FOO': want KEY=VALUE\n" },
    { "env =x\n", "mkbootimg: m:1: env '=x': KEY must be letters, digits and '_', not "
                  "starting with a digit\n" },
    { "env 1A=x\n", "mkbootimg: m:1: env '1A=x': KEY must be letters, digits and '_', not "
                    "starting with a digit\n" },
    { "env A-B=x\n", "mkbootimg: m:1: env 'A-B=x': KEY must be letters, digits and '_', not "
                     "starting with a digit\n" },
    { "env\n", "mkbootimg: m:1: want 'env KEY=VALUE' (quote a value with blanks: env "
               "KEY=\"a b\")\n" },
    { "env A=b c\n", "mkbootimg: m:1: want 'env KEY=VALUE' (quote a value with blanks: env "
                     "KEY=\"a b\")\n" },
    { "env A=\"b\n", "mkbootimg: m:1: unterminated double quote\n" },
    { "env A=\"b\\", "mkbootimg: m:1: unterminated double quote\n" },
    { "env A=\"\\n\"\n",
      "mkbootimg: m:1: unknown escape '\\n' in double quotes (only \\\" and \\\\ are known)\n" },
    { "start\n", "mkbootimg: m:1: want 'start [-w] NAME [ARG...]'\n" },
    { "start -w # no name\n", "mkbootimg: m:1: want 'start [-w] NAME [ARG...]'\n" },
    { "start -x bin/prog\n", "mkbootimg: m:1: start: unknown option '-x' (the only one is -w)\n" },
    { "start -w -w bin/prog\n", "mkbootimg: m:1: start: -w given twice\n" },
    { "start /bin/prog\n",
      "mkbootimg: m:1: start '/bin/prog': name must be relative (no leading '/')\n" },
    { "start bin/../prog\n",
      "mkbootimg: m:1: start 'bin/../prog': empty, '.' or '..' path component\n" },
    { "bin/prog \"prog\"\n", "mkbootimg: m:1: double quotes are for env and start lines only\n" },
    { "bin/prog\n", "mkbootimg: m:1: want 'name hostpath [mode]', 'env KEY=VALUE' or 'start "
                    "[-w] NAME [ARG...]'\n" },
    { "etc/boot.conf text\n", "mkbootimg: m:1: 'etc/boot.conf' is generated from the env and "
                              "start lines; it cannot be a file line\n" },
};

static void
write_manifest(const char *text, size_t len)
{
    FILE *f = fopen("m", "wb");

    if (f == NULL || fwrite(text, 1, len, f) != len || fclose(f) != 0) {
        abort();
    }
}

static bool
no_image(void)
{
    return access("out.img", F_OK) != 0 && access("out.img.tmp", F_OK) != 0;
}

TEST(mkbootimg_refuses_bad_manifests_with_exact_messages)
{
    for (size_t i = 0; i < sizeof(bad_manifests) / sizeof(bad_manifests[0]); i++) {
        const struct bad_manifest *c = &bad_manifests[i];
        struct run r;

        common_files();
        write_manifest(c->text, strlen(c->text));
        r = run_manifest();
        if (r.status != 1 || strcmp(r.err, c->err) != 0) {
            printf("case %zu: status %d, stderr:\n%s", i, r.status, r.err);
        }
        ASSERT_EQ(r.status, 1);
        ASSERT_TRUE(strcmp(r.err, c->err) == 0);
        ASSERT_TRUE(no_image());
    }
}

TEST(mkbootimg_refuses_nul_in_manifest)
{
    static const char text[] = "etc/text text\nx\0y text\n";
    struct run r;

    common_files();
    write_manifest(text, sizeof(text) - 1);
    r = run_manifest();
    ASSERT_EQ(r.status, 1);
    ASSERT_TRUE(strcmp(r.err, "mkbootimg: m:2: NUL byte in the line\n") == 0);
    ASSERT_TRUE(no_image());
}

/* A manifest of n copies of line, after a file line for bin/prog. */
static void
repeat_manifest(const char *line, int n)
{
    FILE *f = fopen("m", "w");

    if (f == NULL) {
        abort();
    }
    fputs("bin/prog prog\n", f);
    for (int i = 0; i < n; i++) {
        fputs(line, f);
    }
    fclose(f);
}

/* A start line with nargs arguments of arg_len bytes each. */
static void
args_manifest(int nargs, size_t arg_len)
{
    FILE *f = fopen("m", "w");
    char *arg = malloc(arg_len + 1);

    if (f == NULL || arg == NULL) {
        abort();
    }
    memset(arg, 'a', arg_len);
    arg[arg_len] = '\0';
    fputs("bin/prog prog\nstart bin/prog", f);
    for (int i = 0; i < nargs; i++) {
        fprintf(f, " %s", arg);
    }
    fputs("\n", f);
    fclose(f);
    free(arg);
}

TEST(mkbootimg_enforces_the_bootconf_bounds)
{
    char want[256];
    struct run r;

    common_files();
    repeat_manifest("env A=b\n", BOOTCONF_MAX_ENV);
    ASSERT_EQ(run_manifest().status, 0);
    unlink("out.img");
    repeat_manifest("env A=b\n", BOOTCONF_MAX_ENV + 1);
    r = run_manifest();
    ASSERT_EQ(r.status, 1);
    snprintf(want, sizeof(want), "mkbootimg: m:%d: more than %d env lines\n", BOOTCONF_MAX_ENV + 2,
             BOOTCONF_MAX_ENV);
    ASSERT_TRUE(strcmp(r.err, want) == 0);
    ASSERT_TRUE(no_image());

    repeat_manifest("start bin/prog\n", BOOTCONF_MAX_START);
    ASSERT_EQ(run_manifest().status, 0);
    unlink("out.img");
    repeat_manifest("start bin/prog\n", BOOTCONF_MAX_START + 1);
    r = run_manifest();
    ASSERT_EQ(r.status, 1);
    snprintf(want, sizeof(want), "mkbootimg: m:%d: more than %d start lines\n",
             BOOTCONF_MAX_START + 2, BOOTCONF_MAX_START);
    ASSERT_TRUE(strcmp(r.err, want) == 0);

    args_manifest(BOOTCONF_MAX_ARGS, 1);
    ASSERT_EQ(run_manifest().status, 0);
    unlink("out.img");
    args_manifest(BOOTCONF_MAX_ARGS + 1, 1);
    r = run_manifest();
    ASSERT_EQ(r.status, 1);
    snprintf(want, sizeof(want), "mkbootimg: m:2: start bin/prog: %d arguments (the limit is %d)\n",
             BOOTCONF_MAX_ARGS + 1, BOOTCONF_MAX_ARGS);
    ASSERT_TRUE(strcmp(r.err, want) == 0);

    args_manifest(1, BOOTCONF_STR_MAX);
    ASSERT_EQ(run_manifest().status, 0);
    unlink("out.img");
    args_manifest(2, BOOTCONF_STR_MAX + 1);
    r = run_manifest();
    ASSERT_EQ(r.status, 1);
    snprintf(want, sizeof(want),
             "mkbootimg: m:2: start bin/prog: argument 1 is %d bytes (the limit is %d)\n",
             BOOTCONF_STR_MAX + 1, BOOTCONF_STR_MAX);
    ASSERT_TRUE(strcmp(r.err, want) == 0);
}

/* One start line of BOOTCONF_MAX_ARGS arguments of the largest size is over the file bound. */
TEST(mkbootimg_refuses_boot_conf_over_its_size_bound)
{
    static const char tail[] = " bytes (the limit is 65536): fewer or shorter env and start "
                               "lines\n";
    static const char head[] = "mkbootimg: etc/boot.conf would be ";
    struct run r;
    long size;

    _Static_assert(BOOTCONF_MAX_SIZE == 65536, "the message in tail[]");
    common_files();
    args_manifest(BOOTCONF_MAX_ARGS, BOOTCONF_STR_MAX);
    r = run_manifest();
    ASSERT_EQ(r.status, 1);
    ASSERT_TRUE(strncmp(r.err, head, sizeof(head) - 1) == 0);
    size = strtol(r.err + sizeof(head) - 1, NULL, 10);
    ASSERT_TRUE(size > BOOTCONF_MAX_SIZE);
    ASSERT_TRUE(strlen(r.err) > sizeof(tail) - 1);
    ASSERT_TRUE(strcmp(r.err + strlen(r.err) - (sizeof(tail) - 1), tail) == 0);
    ASSERT_TRUE(no_image());
}

TEST(mkbootimg_usage_without_output_is_status_2)
{
    static const char *const args[] = { "mkbootimg", "-m", "m", NULL };
    struct run r;

    common_files();
    write_file("m", "etc/text text\n", 0644);
    r = run_tool(args);
    ASSERT_EQ(r.status, 2);
    ASSERT_TRUE(strncmp(r.err, "usage: mkbootimg", 16) == 0);
}

/* The tool is $(BUILD)/host-test/tools/mkbootimg; this program is in .../tools/test/. */
static int
find_tool(const char *argv0)
{
    char self[PATH_MAX];
    char *slash;

    if (realpath(argv0, self) == NULL) {
        return -1;
    }
    slash = strrchr(self, '/');
    if (slash == NULL) {
        return -1;
    }
    *slash = '\0';
    snprintf(env.tool, sizeof(env.tool), "%s/../mkbootimg", self);
    return access(env.tool, X_OK);
}

int
main(int argc, char **argv)
{
    const char *tmp = getenv("TMPDIR");
    int failed;

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (find_tool(argv[0]) != 0) {
        printf("FAIL mkbootimg_test: no sanitized mkbootimg at %s (make host-test builds it)\n",
               env.tool);
        return 1;
    }
    snprintf(env.dir, sizeof(env.dir), "%s/mkbootimg_test.XXXXXX",
             tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
    if (mkdtemp(env.dir) == NULL || chdir(env.dir) != 0) {
        printf("FAIL mkbootimg_test: cannot make a work directory %s\n", env.dir);
        return 1;
    }
    failed = test_run_all(argc > 1 ? argv[1] : NULL);
    clean_dir();
    if (chdir("/") == 0) {
        rmdir(env.dir);
    }
    return failed > 0 ? 1 : 0;
}
