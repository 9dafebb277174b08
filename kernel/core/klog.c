/* SPDX-License-Identifier: MIT */
/*
 * Kernel formatted output. A small vsnprintf (d i u x X p s c, with l/ll/z length,
 * field width and zero padding) and kprintf, which writes through the platform debug
 * console. No locks: the kernel runs with interrupts off on one CPU; SMP will add a
 * console lock here.
 */
#include <kernel/klog.h>
#include <plat/console.h>

struct outbuf {
    char *buf;
    size_t cap;
    size_t len;
};

static void
out_char(struct outbuf *o, char c)
{
    if (o->buf == NULL) {
        plat_console_putc(c);
    } else if (o->len + 1 < o->cap) {
        o->buf[o->len] = c;
    }
    o->len++;
}

static void
out_num(struct outbuf *o, uint64_t v, unsigned base, bool upper, int width, char pad,
        bool neg)
{
    char tmp[24];
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    int n = 0;
    do {
        tmp[n++] = digits[v % base];
        v /= base;
    } while (v != 0);
    if (neg) {
        if (pad == '0') {
            out_char(o, '-');
        }
        width--;
    }
    while (width > n) {
        out_char(o, pad);
        width--;
    }
    if (neg && pad != '0') {
        out_char(o, '-');
    }
    while (n > 0) {
        out_char(o, tmp[--n]);
    }
}

static int
format(struct outbuf *o, const char *fmt, va_list ap)
{
    for (; *fmt != '\0'; fmt++) {
        if (*fmt != '%') {
            out_char(o, *fmt);
            continue;
        }
        fmt++;
        char pad = ' ';
        int width = 0;
        int lng = 0;
        if (*fmt == '0') {
            pad = '0';
            fmt++;
        }
        while (*fmt >= '0' && *fmt <= '9') {
            width = width * 10 + (*fmt - '0');
            fmt++;
        }
        while (*fmt == 'l' || *fmt == 'z') {
            lng++;
            fmt++;
        }
        switch (*fmt) {
        case 'd':
        case 'i': {
            int64_t v = lng ? va_arg(ap, int64_t) : va_arg(ap, int);
            out_num(o, v < 0 ? -(uint64_t)v : (uint64_t)v, 10, false, width, pad, v < 0);
            break;
        }
        case 'u':
            out_num(o, lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 10, false, width,
                    pad, false);
            break;
        case 'x':
        case 'X':
            out_num(o, lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 16, *fmt == 'X',
                    width, pad, false);
            break;
        case 'p':
            out_char(o, '0');
            out_char(o, 'x');
            out_num(o, (uint64_t)va_arg(ap, void *), 16, false, 16, '0', false);
            break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (s == NULL) {
                s = "(null)";
            }
            int n = 0;
            while (s[n] != '\0') {
                n++;
            }
            while (width > n) {
                out_char(o, ' ');
                width--;
            }
            while (*s != '\0') {
                out_char(o, *s++);
            }
            break;
        }
        case 'c':
            out_char(o, (char)va_arg(ap, int));
            break;
        case '%':
            out_char(o, '%');
            break;
        case '\0':
            return (int)o->len;
        default:
            out_char(o, '%');
            out_char(o, *fmt);
            break;
        }
    }
    return (int)o->len;
}

/* Formats into buf (always NUL-terminated when n > 0); returns the untruncated length. */
int
kvsnprintf(char *buf, size_t n, const char *fmt, va_list ap)
{
    struct outbuf o = { buf, n, 0 };
    int len = format(&o, fmt, ap);
    if (n > 0) {
        buf[MIN(o.len, n - 1)] = '\0';
    }
    return len;
}

/* Formats into buf; see kvsnprintf. */
int
ksnprintf(char *buf, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int len = kvsnprintf(buf, n, fmt, ap);
    va_end(ap);
    return len;
}

/*
 * Set by klog_release once a user-level driver owns the debug console's device (the
 * console server, docs/console.md): from then on the kernel prints nothing, except that a
 * panic takes the device back (klog_reclaim).
 */
static bool released;

void
klog_release(void)
{
    released = true;
}

bool
klog_is_released(void)
{
    return released;
}

void
klog_reclaim(void)
{
    released = false;
}

/* Prints to the debug console, unless a user-level driver owns it. */
void
kvprintf(const char *fmt, va_list ap)
{
    if (released) {
        return;
    }
    struct outbuf o = { NULL, 0, 0 };
    format(&o, fmt, ap);
}

/* Prints to the debug console. */
void
kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kvprintf(fmt, ap);
    va_end(ap);
}

/* Writes one character to the debug console, unless a user-level driver owns it. */
void
klog_putc(char c)
{
    if (!released) {
        plat_console_putc(c);
    }
}
