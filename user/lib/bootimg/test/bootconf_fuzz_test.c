/* SPDX-License-Identifier: MIT */
/*
 * Random tests of the boot configuration parser (user/lib/bootimg/bootconf.c): random
 * valid files are encoded and must parse back to what was encoded; then random garbage,
 * mutations of valid files and valid files cut short must each be refused with a
 * documented error or, if accepted, yield entries that can be walked and built into
 * vectors. The generator is seeded with a constant, and the two tests share its sequence
 * in this order, so that a failure reproduces.
 */
/* test-sources: user/lib/bootimg/bootconf.c */
#include "test.h"

#include <stdint.h>
#include <stdlib.h>

#include "user/lib/bootimg/bootconf.h"

#include "bootconf_files.h"

/* xorshift64: small, deterministic, good enough for test inputs. */
static uint64_t rng_state = 0x2545f4914f6cdd1dull;

static uint64_t
rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* A random string byte: any byte but NUL and newline, mostly printable. */
static char
rng_byte(void)
{
    char c;

    do {
        c = rng() % 4 == 0 ? (char)(rng() % 256) : (char)(' ' + rng() % 95);
    } while (c == '\0' || c == '\n');
    return c;
}

/* What a random valid file was made of, to compare with what the parser reads back. */
struct model {
    int nlines;
    int kind[BOOTCONF_MAX_ENV + BOOTCONF_MAX_START];
    uint32_t flags[BOOTCONF_MAX_ENV + BOOTCONF_MAX_START];
    int argc[BOOTCONF_MAX_ENV + BOOTCONF_MAX_START];
    /* Strings of each line: the env string or the name, then the arguments. */
    char str[BOOTCONF_MAX_ENV + BOOTCONF_MAX_START][1 + 8][24];
    size_t len[BOOTCONF_MAX_ENV + BOOTCONF_MAX_START][1 + 8];
};

static void
random_valid(struct text *t, struct model *m)
{
    int nenv = 0;

    t->len = 0;
    text_puts(t, "bootconf 1\n");
    m->nlines = (int)(rng() % 20);
    for (int i = 0; i < m->nlines; i++) {
        if (rng() % 5 == 0) {
            text_puts(t, "# comment\n");
        }
        m->kind[i] = (rng() % 2 == 0 && nenv < BOOTCONF_MAX_ENV) ? BOOTCONF_ENV : BOOTCONF_START;
        if (m->kind[i] == BOOTCONF_ENV) {
            size_t klen = 1 + rng() % 5;
            size_t vlen = rng() % 10;

            for (size_t k = 0; k < klen; k++) {
                m->str[i][0][k] = "AB_z9"[k == 0 ? rng() % 4 : rng() % 5];
            }
            m->str[i][0][klen] = '=';
            for (size_t k = 0; k < vlen; k++) {
                m->str[i][0][klen + 1 + k] = rng_byte();
            }
            m->len[i][0] = klen + 1 + vlen;
            m->argc[i] = 0;
            m->flags[i] = 0;
            text_puts(t, "env");
            text_str(t, m->str[i][0], m->len[i][0]);
            nenv++;
        } else {
            m->flags[i] = rng() % 2 == 0 ? BOOTCONF_F_WAIT : 0;
            m->argc[i] = (int)(rng() % 9);
            text_puts(t, m->flags[i] != 0 ? "start w" : "start -");
            for (int a = 0; a <= m->argc[i]; a++) {
                size_t n = a == 0 ? 1 + rng() % 23 : rng() % 24;

                for (size_t k = 0; k < n; k++) {
                    m->str[i][a][k] = rng_byte();
                }
                m->len[i][a] = n;
                text_str(t, m->str[i][a], n);
            }
        }
        text_puts(t, "\n");
    }
}

static bool
same(const struct bootconf_str *s, const char *want, size_t len)
{
    return s->len == len && memcmp(s->s, want, len) == 0;
}

TEST(bootconf_random_valid_files_parse_back)
{
    enum { ROUNDS = 2000 };
    static struct model m;
    struct text t = { 0 };

    for (int round = 0; round < ROUNDS; round++) {
        struct bootconf_entry e;
        struct bootconf_iter it;
        struct file f;

        random_valid(&t, &m);
        f = file_of(t.s, t.len);
        ASSERT_ERR(0, bootconf_init(&it, f.data, f.len));
        for (int i = 0; i < m.nlines; i++) {
            ASSERT_EQ(bootconf_next(&it, &e), 1);
            ASSERT_EQ(e.kind, m.kind[i]);
            ASSERT_EQ(e.flags, m.flags[i]);
            ASSERT_EQ(e.argc, m.argc[i]);
            ASSERT_TRUE(same(&e.str, m.str[i][0], m.len[i][0]));
            for (int a = 0; a < m.argc[i]; a++) {
                ASSERT_TRUE(same(&e.arg[a], m.str[i][a + 1], m.len[i][a + 1]));
            }
        }
        ASSERT_EQ(bootconf_next(&it, &e), 0);
        free(f.data);
    }
    free(t.s);
}

/* Bytes that matter to the parser, for garbage that gets past the first checks. */
static const char alphabet[] = "0123456789: \n#-wenvstart=AZ_\0\r";

/* Everything an accepted file yields must be usable: walk it and build all vectors. */
static int
use_all(const struct file *f)
{
    static char buf[BOOTCONF_MAX_SIZE + 256];
    const char *vec[BOOTCONF_MAX_ARGS + 2];
    struct bootconf_entry e;
    struct bootconf_iter it;
    int rc = bootconf_init(&it, f->data, f->len);

    while (rc == 0 && (rc = bootconf_next(&it, &e)) > 0) {
        rc = 0;
        if (e.kind == BOOTCONF_START) {
            int n = bootconf_argv(&e, buf, sizeof(buf), vec, BOOTCONF_MAX_ARGS + 2);

            if (n != (int)e.argc + 1 || vec[n] != NULL || strlen(vec[0]) != e.str.len) {
                return -1000;
            }
        } else if (e.kind != BOOTCONF_ENV || e.key_len == 0 || e.key_len >= e.str.len) {
            return -1000;
        }
        if (memchr(e.str.s, '\n', e.str.len) != NULL || memchr(e.str.s, 0, e.str.len)) {
            return -1000;
        }
    }
    if (rc == 0) {
        rc = bootconf_env(f->data, f->len, buf, sizeof(buf), vec, BOOTCONF_MAX_ENV + 1);
        rc = rc < 0 ? -1000 : 0;
    }
    return rc;
}

static void
mutate(char *s, size_t len)
{
    int flips = 1 + (int)(rng() % 4);

    for (int i = 0; i < flips; i++) {
        size_t pos = rng() % len;

        s[pos] = rng() % 2 == 0 ? alphabet[rng() % (sizeof(alphabet) - 1)] : (char)rng();
    }
}

TEST(bootconf_survives_garbage_and_mutations)
{
    enum { ROUNDS = 30000 };
    static struct model m;
    struct text t = { 0 };
    int accepted = 0;
    int refused = 0;

    for (int round = 0; round < ROUNDS; round++) {
        struct bootconf_iter it;
        struct file f;
        int rc;

        switch (round % 3) {
        case 0: {
            /* Garbage behind a valid header, or with no header at all. */
            size_t n = rng() % 200;

            t.len = 0;
            if (rng() % 8 != 0) {
                text_puts(&t, "bootconf 1\n");
            }
            for (size_t i = 0; i < n; i++) {
                char c = rng() % 4 != 0 ? alphabet[rng() % (sizeof(alphabet) - 1)] : (char)rng();

                text_add(&t, &c, 1);
            }
            break;
        }
        case 1:
            /* A valid file with a few bytes changed. */
            random_valid(&t, &m);
            mutate(t.s, t.len);
            break;
        default:
            /* A valid file cut short. */
            random_valid(&t, &m);
            t.len = rng() % (t.len + 1);
            break;
        }
        f = file_of(t.s, t.len);
        rc = use_all(&f);
        if (rc == -1000) {
            free(f.data);
            ASSERT_TRUE(!"an accepted file gave an entry that breaks its contract");
        }
        ASSERT_TRUE(rc == 0 || rc == -CR_EINVAL || rc == -CR_E2BIG);
        ASSERT_ERR(rc, bootconf_check(&it, f.data, f.len));
        if (rc == 0) {
            accepted++;
        } else {
            refused++;
            ASSERT_TRUE(it.why != NULL);
            ASSERT_TRUE(it.line >= 1);
        }
        free(f.data);
    }
    ASSERT_TRUE(accepted > 100);
    ASSERT_TRUE(refused > 100);
    free(t.s);
}
