/* SPDX-License-Identifier: MIT */
/*
 * The stdio subset of the interim C library: printf, puts and putchar, plus snprintf and
 * vsnprintf under their libc names (thin wrappers of fmt.c's fmt_vsnprintf). Output
 * collects in one line buffer and goes to the function registered with cr_set_output when
 * a line ends, when the buffer fills (PRINT_LINE_MAX bytes) or on cr_flush_output. Line
 * buffering keeps the number of console writes (each one several kernel calls for a
 * user-level UART driver) down to about one per line, and keeps lines whole when the
 * kernel's own console shares the port.
 * The state is one global with no lock: single-threaded use only, as print.h says.
 */
#include <courier/lib/print.h>

#include <courier/lib/fmt.h>

static struct print_state {
    void (*write)(const char *s, size_t n); /* NULL: output is dropped */
    size_t len;                             /* bytes waiting in line[] */
    char line[PRINT_LINE_MAX];
} print;

/*
 * Registers the console output function, or NULL to drop output. Buffered text is kept
 * and goes to the new function with the next flush.
 */
void
cr_set_output(void (*write)(const char *s, size_t n))
{
    print.write = write;
}

/* Hands the buffered partial line (if any) to the output function and empties the buffer. */
void
cr_flush_output(void)
{
    if (print.len > 0 && print.write != NULL) {
        print.write(print.line, print.len);
    }
    print.len = 0;
}

static void
print_emit(void *ctx, const char *s, size_t n)
{
    (void)ctx;
    for (size_t i = 0; i < n; i++) {
        print.line[print.len++] = s[i];
        if (s[i] == '\n' || print.len == sizeof(print.line)) {
            cr_flush_output();
        }
    }
}

/* C99 vsnprintf; see fmt_vsnprintf. */
int
vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    return fmt_vsnprintf(buf, size, fmt, ap);
}

/* C99 snprintf; see fmt_vsnprintf. */
int
snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = fmt_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

/* printf with a va_list. Returns the number of characters written. */
int
vprintf(const char *fmt, va_list ap)
{
    return fmt_vformat(print_emit, NULL, fmt, ap);
}

/* Formats to the console (line-buffered). Returns the number of characters written. */
int
printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vprintf(fmt, ap);
    va_end(ap);
    return n;
}

/* Writes s and a newline, which flushes the line. Returns the number of characters. */
int
puts(const char *s)
{
    size_t n = 0;
    while (s[n] != '\0') {
        n++;
    }
    print_emit(NULL, s, n);
    print_emit(NULL, "\n", 1);
    return (int)n + 1;
}

/* Writes one character. Returns it as an unsigned char. */
int
putchar(int c)
{
    char ch = (char)c;
    print_emit(NULL, &ch, 1);
    return (unsigned char)ch;
}
