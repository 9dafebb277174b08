/* SPDX-License-Identifier: MIT */
/*
 * printf-style formatting for freestanding user code (see courier/lib/fmt.h for the
 * supported conversions). One engine, fmt_vformat, parses the format and hands runs of
 * output to an emit callback; fmt_vsnprintf is that engine with a bounded-buffer callback,
 * and print.c drives it with a line-buffer callback. The engine allocates nothing, touches no
 * global state and keeps at most one number's digits on the stack, so it is safe in any
 * thread. It defines no libc names (print.c maps snprintf and vsnprintf onto it), so it
 * also links into the host test user/lib/c/test/fmt_test.c next to the host's libc.
 */
#include <courier/lib/fmt.h>

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

enum fmt_flag {
    FMT_LEFT = 1u << 0,  /* '-': pad on the right */
    FMT_ZERO = 1u << 1,  /* '0': pad numbers with zeros */
    FMT_PLUS = 1u << 2,  /* '+': always print a sign */
    FMT_SPACE = 1u << 3, /* ' ': space where a '+' would go */
    FMT_ALT = 1u << 4,   /* '#': 0x / 0X / 0 prefix */
};

enum fmt_len {
    LEN_INT,
    LEN_CHAR,  /* hh */
    LEN_SHORT, /* h */
    LEN_LONG,  /* l, and z, j, t: all 64-bit on x86_64 */
    LEN_LLONG, /* ll */
};

/* One parsed conversion specification. */
struct fmt_spec {
    unsigned flags; /* enum fmt_flag */
    int width;      /* minimum field width; 0 if none */
    int prec;       /* precision; -1 if none */
    int len;        /* enum fmt_len */
};

/* Where output goes, and how much has gone there. */
struct fmt_out {
    void (*emit)(void *ctx, const char *s, size_t n);
    void *ctx;
    int count;
};

/* Room for the digits of any 64-bit value in base 8 or more. */
#define FMT_DIGITS_MAX 24

static void
out_str(struct fmt_out *o, const char *s, size_t n)
{
    if (n > 0) {
        o->emit(o->ctx, s, n);
        o->count += (int)n;
    }
}

/* Emits n copies of c, in chunks, so padding costs a few callbacks rather than n. */
static void
out_fill(struct fmt_out *o, char c, int n)
{
    char chunk[16];
    for (size_t i = 0; i < sizeof(chunk); i++) {
        chunk[i] = c;
    }
    while (n > 0) {
        int k = n < (int)sizeof(chunk) ? n : (int)sizeof(chunk);
        out_str(o, chunk, (size_t)k);
        n -= k;
    }
}

/* Emits prefix, zeros and body padded to the field width as the flags say. */
static void
out_field(struct fmt_out *o, const struct fmt_spec *sp, const char *prefix, size_t plen,
          int zeros, const char *body, size_t blen)
{
    int total = (int)plen + zeros + (int)blen;
    int pad = sp->width > total ? sp->width - total : 0;
    if (!(sp->flags & FMT_LEFT)) {
        out_fill(o, ' ', pad);
    }
    out_str(o, prefix, plen);
    out_fill(o, '0', zeros);
    out_str(o, body, blen);
    if (sp->flags & FMT_LEFT) {
        out_fill(o, ' ', pad);
    }
}

/*
 * Formats one integer. v is the magnitude; neg says the value was negative (signed
 * conversions only). A precision sets the minimum digit count and turns off '0' padding;
 * precision 0 with value 0 prints no digits, as in ISO C.
 */
static void
out_int(struct fmt_out *o, const struct fmt_spec *sp, uint64_t v, bool neg, unsigned base,
        bool upper, bool is_signed)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char buf[FMT_DIGITS_MAX];
    size_t n = 0;
    uint64_t x = v;
    while (x != 0) {
        buf[sizeof(buf) - 1 - n] = digits[x % base];
        x /= base;
        n++;
    }
    if (v == 0 && sp->prec != 0) {
        buf[sizeof(buf) - 1] = '0';
        n = 1;
    }

    char prefix[2];
    size_t plen = 0;
    if (is_signed) {
        if (neg) {
            prefix[plen++] = '-';
        } else if (sp->flags & FMT_PLUS) {
            prefix[plen++] = '+';
        } else if (sp->flags & FMT_SPACE) {
            prefix[plen++] = ' ';
        }
    } else if ((sp->flags & FMT_ALT) && base == 16 && v != 0) {
        prefix[plen++] = '0';
        prefix[plen++] = upper ? 'X' : 'x';
    }

    int zeros = 0;
    if (sp->prec >= 0) {
        zeros = sp->prec > (int)n ? sp->prec - (int)n : 0;
    } else if ((sp->flags & FMT_ZERO) && !(sp->flags & FMT_LEFT)) {
        int used = (int)(plen + n);
        zeros = sp->width > used ? sp->width - used : 0;
    }
    bool lead_zero = zeros > 0 || (n > 0 && buf[sizeof(buf) - n] == '0');
    if ((sp->flags & FMT_ALT) && base == 8 && !lead_zero) {
        /* '#' with %o: the first digit printed must be a zero. */
        zeros = 1;
    }
    out_field(o, sp, prefix, plen, zeros, buf + sizeof(buf) - n, n);
}

static int64_t
arg_signed(const struct fmt_spec *sp, va_list *ap)
{
    switch (sp->len) {
    case LEN_CHAR:
        return (signed char)va_arg(*ap, int);
    case LEN_SHORT:
        return (short)va_arg(*ap, int);
    case LEN_LONG:
        return va_arg(*ap, long);
    case LEN_LLONG:
        return va_arg(*ap, long long);
    default:
        return va_arg(*ap, int);
    }
}

static uint64_t
arg_unsigned(const struct fmt_spec *sp, va_list *ap)
{
    switch (sp->len) {
    case LEN_CHAR:
        return (unsigned char)va_arg(*ap, unsigned int);
    case LEN_SHORT:
        return (unsigned short)va_arg(*ap, unsigned int);
    case LEN_LONG:
        return va_arg(*ap, unsigned long);
    case LEN_LLONG:
        return va_arg(*ap, unsigned long long);
    default:
        return va_arg(*ap, unsigned int);
    }
}

/*
 * Parses flags, width, precision and length after a '%' into sp, taking * arguments from
 * ap. Returns a pointer to the conversion character.
 */
static const char *
parse_spec(const char *f, struct fmt_spec *sp, va_list *ap)
{
    sp->flags = 0;
    sp->width = 0;
    sp->prec = -1;
    sp->len = LEN_INT;

    for (;; f++) {
        if (*f == '-') {
            sp->flags |= FMT_LEFT;
        } else if (*f == '0') {
            sp->flags |= FMT_ZERO;
        } else if (*f == '+') {
            sp->flags |= FMT_PLUS;
        } else if (*f == ' ') {
            sp->flags |= FMT_SPACE;
        } else if (*f == '#') {
            sp->flags |= FMT_ALT;
        } else {
            break;
        }
    }

    if (*f == '*') {
        int w = va_arg(*ap, int);
        if (w < 0) {
            /* A negative * width means '-' and its magnitude (ISO C). */
            sp->flags |= FMT_LEFT;
            w = w == INT_MIN ? INT_MAX : -w;
        }
        sp->width = w;
        f++;
    } else {
        while (*f >= '0' && *f <= '9') {
            if (sp->width < 100000) {
                sp->width = sp->width * 10 + (*f - '0');
            }
            f++;
        }
    }

    if (*f == '.') {
        f++;
        sp->prec = 0;
        if (*f == '*') {
            int p = va_arg(*ap, int);
            sp->prec = p < 0 ? -1 : p; /* a negative * precision is taken as absent */
            f++;
        } else {
            while (*f >= '0' && *f <= '9') {
                if (sp->prec < 100000) {
                    sp->prec = sp->prec * 10 + (*f - '0');
                }
                f++;
            }
        }
    }

    if (*f == 'h') {
        f++;
        sp->len = LEN_SHORT;
        if (*f == 'h') {
            f++;
            sp->len = LEN_CHAR;
        }
    } else if (*f == 'l') {
        f++;
        sp->len = LEN_LONG;
        if (*f == 'l') {
            f++;
            sp->len = LEN_LLONG;
        }
    } else if (*f == 'z' || *f == 'j' || *f == 't') {
        f++;
        sp->len = LEN_LONG;
    }
    return f;
}

/*
 * Formats fmt with the arguments in ap, handing each run of output to emit(ctx, s, n).
 * Returns the number of characters emitted. Never fails; an unknown conversion is emitted
 * literally, from its '%' to the offending character.
 */
int
fmt_vformat(void (*emit)(void *ctx, const char *s, size_t n), void *ctx, const char *fmt,
            va_list ap)
{
    struct fmt_out o = { .emit = emit, .ctx = ctx, .count = 0 };
    va_list args;
    va_copy(args, ap);

    const char *f = fmt;
    while (*f != '\0') {
        const char *run = f;
        while (*f != '\0' && *f != '%') {
            f++;
        }
        out_str(&o, run, (size_t)(f - run));
        if (*f == '\0') {
            break;
        }

        const char *start = f;
        struct fmt_spec sp;
        f = parse_spec(f + 1, &sp, &args);
        char conv = *f;
        if (conv != '\0') {
            f++;
        }
        switch (conv) {
        case 'd':
        case 'i': {
            int64_t v = arg_signed(&sp, &args);
            uint64_t mag = v < 0 ? -(uint64_t)v : (uint64_t)v;
            out_int(&o, &sp, mag, v < 0, 10, false, true);
            break;
        }
        case 'u':
            out_int(&o, &sp, arg_unsigned(&sp, &args), false, 10, false, false);
            break;
        case 'x':
        case 'X':
            out_int(&o, &sp, arg_unsigned(&sp, &args), false, 16, conv == 'X', false);
            break;
        case 'o':
            out_int(&o, &sp, arg_unsigned(&sp, &args), false, 8, false, false);
            break;
        case 'p': {
            uintptr_t p = (uintptr_t)va_arg(args, void *);
            sp.flags |= FMT_ALT;
            if (p == 0) {
                out_field(&o, &sp, "0x", 2, 0, "0", 1);
            } else {
                out_int(&o, &sp, p, false, 16, false, false);
            }
            break;
        }
        case 'c': {
            char c = (char)va_arg(args, int);
            out_field(&o, &sp, "", 0, 0, &c, 1);
            break;
        }
        case 's': {
            const char *s = va_arg(args, const char *);
            if (s == NULL) {
                s = "(null)";
            }
            size_t n = 0;
            while (s[n] != '\0' && (sp.prec < 0 || n < (size_t)sp.prec)) {
                n++;
            }
            out_field(&o, &sp, "", 0, 0, s, n);
            break;
        }
        case '%':
            out_str(&o, "%", 1);
            break;
        default:
            /* Unknown or truncated: show what was written, so the mistake is visible. */
            out_str(&o, start, (size_t)(f - start));
            break;
        }
    }

    va_end(args);
    return o.count;
}

/* The vsnprintf sink: keeps what fits below size - 1, counts the rest. */
struct fmt_buf {
    char *buf;
    size_t size;
    size_t len;
};

static void
buf_emit(void *ctx, const char *s, size_t n)
{
    struct fmt_buf *b = ctx;
    for (size_t i = 0; i < n; i++) {
        if (b->len + 1 < b->size) {
            b->buf[b->len] = s[i];
        }
        b->len++;
    }
}

/*
 * Formats into buf, writing at most size - 1 characters and a terminating NUL (nothing at
 * all when size is 0). Returns the length the whole output would have had, so a result
 * >= size means the output was truncated. C99 vsnprintf under a name of its own, so this
 * file defines no libc symbol and links into host tests beside the host's libc.
 */
int
fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct fmt_buf b = { .buf = buf, .size = size, .len = 0 };
    int n = fmt_vformat(buf_emit, &b, fmt, ap);
    if (size > 0) {
        buf[b.len < size ? b.len : size - 1] = '\0';
    }
    return n;
}

/* fmt_vsnprintf with the arguments inline (C99 snprintf). */
int
fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = fmt_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
