/* SPDX-License-Identifier: MIT */
/*
 * The host proof of Courier's musl (tools/musl.sh): a program linked statically against
 * the patched libc.a, with tests/musl/host_posix.S standing in for libposix, run on the
 * host Linux by tools/musl-test.sh as
 *     env -i COURIER_TEST=musl musl_test one 'two words'
 * Its whole output must equal tests/musl/musl_test.expected, so every line below is
 * deterministic. It uses the parts of libc a port can break: start-up (arguments,
 * environment, TLS), stdio, malloc from small to mmap-sized, qsort, float formatting and
 * parsing, the clocks, and each replaced assembly file: threads (clone), a detached
 * thread's exit (unmapself), cancellation (syscall_cp), a signal handler's return
 * (restore), fork and vfork, and posix_spawn (clone with CLONE_VM | CLONE_VFORK, then
 * execve). The stand-in counts the calls it serves, so the test also checks that libc's
 * calls reach it. Each check prints `PASS <name>` or `FAIL <name>: <why>`; the run ends
 * with `TESTS DONE`.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Counted by tests/musl/host_posix.S: every call it serves, and the cancellable ones. */
extern volatile unsigned long host_posix_calls;
extern volatile unsigned long host_posix_cp_calls;

extern char **environ;

/* What a posix_spawn'd copy of this program exits with (argv[1] = "child"). */
enum { MUSL_TEST_CHILD_STATUS = 9 };

static int musl_test_failed;

static void
check(int ok, const char *name, const char *why)
{
    if (ok) {
        printf("PASS %s\n", name);
    } else {
        printf("FAIL %s: %s\n", name, why);
        musl_test_failed = 1;
    }
}

static void
show_args(int argc, char **argv)
{
    int n = 0;

    printf("argc %d\n", argc);
    for (int i = 1; i < argc; i++) {
        printf("argv[%d] %s\n", i, argv[i]);
    }
    for (char **e = environ; *e != NULL; e++) {
        n++;
    }
    printf("environ %d entries, COURIER_TEST=%s\n", n, getenv("COURIER_TEST"));
}

/* A pattern that depends on the block and the offset, so overlapping blocks show. */
static unsigned char
pattern(size_t block, size_t i)
{
    return (unsigned char)(block * 31 + i * 7 + 1);
}

/* 500 blocks from 1 byte to 200 KiB (past mmap's threshold), half freed and made again,
 * then one block grown by realloc; every byte is checked. */
static void
test_malloc(void)
{
    enum { BLOCKS = 500 };
    static unsigned char *p[BLOCKS];
    static size_t len[BLOCKS];
    int ok = 1;

    for (size_t b = 0; b < BLOCKS; b++) {
        len[b] = (b * b * 13 + 1) % (200 * 1024) + 1;
        p[b] = malloc(len[b]);
        if (p[b] == NULL) {
            check(0, "musl_malloc_many_sizes", "malloc returned NULL");
            return;
        }
        for (size_t i = 0; i < len[b]; i++) {
            p[b][i] = pattern(b, i);
        }
    }
    for (size_t b = 0; b < BLOCKS; b += 2) {
        free(p[b]);
        len[b] = len[b] / 3 + 5;
        p[b] = malloc(len[b]);
        if (p[b] == NULL) {
            check(0, "musl_malloc_many_sizes", "malloc returned NULL");
            return;
        }
        for (size_t i = 0; i < len[b]; i++) {
            p[b][i] = pattern(b, i);
        }
    }
    for (size_t b = 0; b < BLOCKS && ok; b++) {
        for (size_t i = 0; i < len[b]; i++) {
            if (p[b][i] != pattern(b, i)) {
                ok = 0;
                break;
            }
        }
    }
    unsigned char *r = realloc(p[1], 1 << 20);
    if (r == NULL || r[0] != pattern(1, 0) || r[len[1] - 1] != pattern(1, len[1] - 1)) {
        ok = 0;
    }
    p[1] = r;
    for (size_t b = 0; b < BLOCKS; b++) {
        free(p[b]);
    }
    check(ok, "musl_malloc_many_sizes", "a block lost its contents");
}

static int
compare_ints(const void *a, const void *b)
{
    int x = *(const int *)a;
    int y = *(const int *)b;

    return (x > y) - (x < y);
}

static void
test_qsort(void)
{
    enum { N = 1000 };
    static int v[N];
    uint32_t seed = 12345;
    long sum = 0;
    int ok = 1;

    for (int i = 0; i < N; i++) {
        seed = seed * 1103515245 + 12345;
        v[i] = (int)(seed >> 16) % 100000;
        sum += v[i];
    }
    qsort(v, N, sizeof v[0], compare_ints);
    for (int i = 1; i < N; i++) {
        if (v[i - 1] > v[i]) {
            ok = 0;
        }
        sum -= v[i];
    }
    sum -= v[0];
    printf("qsort %d values: first %d, last %d\n", N, v[0], v[N - 1]);
    check(ok && sum == 0, "musl_qsort_sorts", "out of order or values lost");
}

static void
test_floats(void)
{
    char buf[160];
    char *end;

    snprintf(buf, sizeof buf, "%.3f|%e|%g|%a|%8.2f|%-6.1f|%.0f", 3.14159265, -0.0025, 1e100,
             3.0, 42.0, 2.25, 0.5);
    printf("snprintf %s\n", buf);
    snprintf(buf, sizeof buf, "%f %f %Lf %.20g", INFINITY, -NAN, 1.5L, 0.1);
    printf("snprintf %s\n", buf);

    const char *in[] = { "3.14159", "-1e-300", "0x1p-2", "  2.5e+3xyz", "inf", "1e400" };
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
        errno = 0;
        double d = strtod(in[i], &end);
        printf("strtod \"%s\" = %.17g, rest \"%s\", errno %s\n", in[i], d, end,
               errno == ERANGE ? "ERANGE" : errno == 0 ? "0" : "other");
    }
    check(sqrt(2.0) * sqrt(2.0) - 2.0 < 1e-15 && floor(-2.5) == -3.0, "musl_libm_basics",
          "sqrt or floor is wrong");
}

static void
test_time(void)
{
    struct timespec a, b;
    time_t now = time(NULL);

    /* Any host clock set after 2020-01-01. */
    check(now > 1577836800, "musl_time_is_plausible", "time() is before 2020");
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (volatile int i = 0; i < 1000000; i++) {
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    check(b.tv_sec > a.tv_sec || (b.tv_sec == a.tv_sec && b.tv_nsec > a.tv_nsec),
          "musl_monotonic_clock_advances", "CLOCK_MONOTONIC did not advance");
}

/* libc's calls reach the stand-in: getpid is one call, and read() is a cancellation
 * point, so it comes through __courier_syscall_cp. */
static void
test_dispatch(void)
{
    unsigned long before = host_posix_calls;
    getpid();
    check(host_posix_calls == before + 1, "musl_getpid_is_one_dispatcher_call",
          "the call count did not grow by one");

    int fd[2];
    char c = 'x';
    if (pipe(fd) != 0 || write(fd[1], &c, 1) != 1) {
        check(0, "musl_read_goes_through_syscall_cp", "pipe or write failed");
        return;
    }
    before = host_posix_cp_calls;
    c = 0;
    check(read(fd[0], &c, 1) == 1 && c == 'x' && host_posix_cp_calls == before + 1,
          "musl_read_goes_through_syscall_cp", "read missed __courier_syscall_cp");
    close(fd[0]);
    close(fd[1]);
}

static void *
sum_to(void *arg)
{
    long n = (long)arg;
    long s = 0;

    for (long i = 1; i <= n; i++) {
        s += i;
    }
    return (void *)s;
}

static sem_t detached_done;

static void *
detached(void *arg)
{
    (void)arg;
    sem_post(&detached_done);
    return NULL;
}

/* Four joined threads; then a detached one, whose exit unmaps its own stack. Creating a
 * thread waits for the thread-list lock that an exiting thread holds until its exit
 * completes, so the last create finishes only after the detached thread is gone. */
static void
test_threads(void)
{
    pthread_t t[4];
    int ok = 1;

    for (long i = 0; i < 4; i++) {
        if (pthread_create(&t[i], NULL, sum_to, (void *)(1000 * (i + 1))) != 0) {
            ok = 0;
        }
    }
    for (long i = 0; i < 4; i++) {
        void *r = NULL;
        long n = 1000 * (i + 1);
        if (pthread_join(t[i], &r) != 0 || (long)r != n * (n + 1) / 2) {
            ok = 0;
        }
    }
    check(ok, "musl_threads_run_and_join", "a thread failed or returned the wrong sum");

    pthread_t d;
    pthread_attr_t attr;
    sem_init(&detached_done, 0, 0);
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    ok = pthread_create(&d, &attr, detached, NULL) == 0;
    sem_wait(&detached_done);
    pthread_t last;
    ok = ok && pthread_create(&last, NULL, sum_to, (void *)10) == 0;
    void *r = NULL;
    ok = ok && pthread_join(last, &r) == 0 && (long)r == 55;
    check(ok, "musl_detached_thread_exits", "create or join after a detached exit failed");
}

static sem_t cancel_go;

/* Cancellation is off until main has asked for it, so the request is pending when the
 * thread reaches read(), a cancellation point: __syscall_cp_asm's check must act. */
static void *
cancelled(void *arg)
{
    int fd = *(int *)arg;
    char c;

    pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
    sem_wait(&cancel_go);
    pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, NULL);
    read(fd, &c, 1);
    return (void *)1;
}

static void
test_cancel(void)
{
    int fd[2];
    pthread_t t;
    void *r = NULL;

    sem_init(&cancel_go, 0, 0);
    if (pipe(fd) != 0 || pthread_create(&t, NULL, cancelled, &fd[0]) != 0) {
        check(0, "musl_pending_cancel_acts_at_read", "pipe or pthread_create failed");
        return;
    }
    pthread_cancel(t);
    sem_post(&cancel_go);
    pthread_join(t, &r);
    check(r == PTHREAD_CANCELED, "musl_pending_cancel_acts_at_read",
          "the thread was not cancelled");
    close(fd[0]);
    close(fd[1]);
}

static volatile sig_atomic_t signal_seen;

static void
on_usr1(int sig, siginfo_t *si, void *ctx)
{
    (void)ctx;
    signal_seen = sig == SIGUSR1 && si->si_signo == SIGUSR1 ? 1 : -1;
}

static void
on_usr2(int sig)
{
    signal_seen = sig == SIGUSR2 ? 2 : -1;
}

/* The handlers return through __restore_rt; the locals around them must survive. */
static void
test_signals(void)
{
    struct sigaction sa = { 0 };
    volatile long canary = 0x5eed;

    sa.sa_sigaction = on_usr1;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR1, &sa, NULL);
    raise(SIGUSR1);
    check(signal_seen == 1 && canary == 0x5eed, "musl_siginfo_handler_returns",
          "the handler did not run or the return lost state");

    signal(SIGUSR2, on_usr2);
    raise(SIGUSR2);
    check(signal_seen == 2 && canary == 0x5eed, "musl_plain_handler_returns",
          "the handler did not run or the return lost state");
}

static int
exit_status(pid_t pid)
{
    int st = 0;

    if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st)) {
        return -1;
    }
    return WEXITSTATUS(st);
}

static void
test_processes(void)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        _exit(42);
    }
    check(exit_status(pid) == 42, "musl_fork_and_wait", "the child's status was lost");

    pid = vfork();
    if (pid == 0) {
        _exit(7);
    }
    check(exit_status(pid) == 7, "musl_vfork_and_wait", "the child's status was lost");

    char *args[] = { "/proc/self/exe", "child", NULL };
    pid = -1;
    int rc = posix_spawn(&pid, "/proc/self/exe", NULL, NULL, args, environ);
    check(rc == 0 && exit_status(pid) == MUSL_TEST_CHILD_STATUS, "musl_posix_spawn",
          "spawning this program again failed");
}

int
main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "child") == 0) {
        return MUSL_TEST_CHILD_STATUS;
    }
    show_args(argc, argv);
    printf("hello from musl %s\n", "1.2.3");
    test_malloc();
    test_qsort();
    test_floats();
    test_time();
    test_dispatch();
    test_threads();
    test_cancel();
    test_signals();
    test_processes();
    check(host_posix_calls > 0, "musl_calls_reach_the_dispatcher", "none counted");
    printf("TESTS DONE\n");
    return musl_test_failed;
}
