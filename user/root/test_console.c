/* SPDX-License-Identifier: MIT */
/*
 * The console server (user/servers/console, docs/console.md): a system server the root
 * starts (and starts again when it ends) that owns COM1 and silences the kernel; and its
 * input, end to end:
 * real bytes on the serial line reach programs that read fd 0 with IO_READ. The host
 * types once, and only when asked: tools/qemu.sh waits for the line INPUT_MARKER and then
 * writes INPUT and a CR (the Enter key of a terminal) to QEMU's serial input, so the test
 * queues its readers first and knows exactly which byte each one must get. Covered:
 * readers answered oldest first, one reply each; the bound on waiting readers (EAGAIN); a
 * dead reader forgotten when the queue is full and one skipped when input comes (its
 * byte goes to the next); the CR that ends the typed line read as NL; and every
 * malformed request, answered without blocking. The readers are bin/ptest `read N S`
 * processes.
 */
#include "tests.h"

#include <courier/abi/caps.h>
#include <courier/abi/msg.h>
#include <courier/lib/print.h>
#include <courier/lib/string.h>
#include <courier/proto/console.h>
#include <courier/proto/io.h>
#include <courier/proto/proc.h>
#include <courier/sys.h>

#include "pm/pm.h"
#include "procreq.h"
#include "slot.h"
#include "testlib.h"

/* What the host types, and the line that makes it type; tools/qemu.sh has the same two. */
#define INPUT "courier-input-test"
#define INPUT_MARKER "console-test: waiting for input"

enum {
    /* The console's bound on waiting readers (CON_MAX_READERS in servers/console/input.c). */
    MAX_READERS = 16,
    /* Bytes INPUT's one-byte readers take: all but the tail, which a line reader gets. */
    BYTE_READERS = MAX_READERS - 1,
    /* How long a reader may take to queue, in ms: it only has to run. */
    QUEUE_MS = 2000,
    /* How long the typed input may take to arrive, in ms: the host polls the log every
     * 100 ms and QEMU (TCG on a loaded machine) may be slow. */
    INPUT_MS = 20000,
    STATUS_KILLED = 256 + 9,
    STATUS_EAGAIN = 100 + CR_EAGAIN, /* ptest read: 100 + errno */
};

/* Spawns `bin/ptest read n want`; returns the pid or the error. */
static int64_t
spawn_reader(unsigned n, const char *want)
{
    char num[8];
    snprintf(num, sizeof(num), "%u", n);
    const char *argv[] = { "bin/ptest", "read", num, want, NULL };
    return procreq_spawn(argv, NULL);
}

static void
kill_pid(int64_t pid)
{
    struct proc_req q = { { PROC_KILL, 0, 0 }, { pid, 0, 0 } };
    procreq_call(&q, sizeof(q), NULL, 0, NULL, 0);
}

/* The console's counters (CON_STATS), through a connection of the root's own. */
static void
console_stats(struct con_stats *st)
{
    static cr_cptr_t conn;
    memset(st, 0, sizeof(*st));
    if (conn == 0) {
        cr_cptr_t s = root_slot_alloc();
        if (s == 0 || cr_cap_mint(CR_CAP_ROOT_CNODE, s, CR_CAP_ROOT_CNODE, pm_console_chan(),
                                  CR_RIGHT_WRITE, 1) != 0) {
            TEST_FAIL("no connection to the console");
            return;
        }
        conn = s;
    }
    struct proto_hdr q = { CON_STATS, 0, 0 };
    struct cr_iov si = { CR_UPTR(&q), sizeof(q) };
    struct cr_iov ri = { CR_UPTR(st), sizeof(*st) };
    EXPECT_OK(cr_msg_sendv(conn, CR_UPTR(&si), 1, CR_UPTR(&ri), 1));
}

/* The clock_get time ms milliseconds from now. */
static uint64_t
after_ms(uint64_t ms)
{
    return tl_now_ns() + ms * 1000000ull;
}

/*
 * Waits until the clock_get time `deadline` for child pid to end, with the root below the
 * readers' priority so that they and the console run; true and its status in *status if
 * it did. A child still running then is killed and collected, and the wait fails.
 */
static bool
wait_exit(int64_t pid, int64_t *status, uint64_t deadline)
{
    struct proc_wait_rep rep = { 0, 0 };
    struct proc_req q = { { PROC_WAIT, PROC_WNOHANG, 0 }, { pid, 0, 0 } };
    int64_t rc;
    tl_root_prio(TL_PRIO - 1);
    while ((rc = procreq_call(&q, sizeof(q), NULL, 0, &rep, sizeof(rep))) == 0 &&
           tl_now_ns() < deadline) {
        cr_yield();
    }
    tl_root_prio(TL_ROOT_PRIO);
    if (rc == pid) {
        *status = rep.status;
        return true;
    }
    TEST_FAIL("pid %lld did not end in time (%lld)", (long long)pid, (long long)rc);
    kill_pid(pid);
    q.hdr.flags = 0;
    procreq_call(&q, sizeof(q), NULL, 0, &rep, sizeof(rep));
    return false;
}

/*
 * Lets the children run until the console has taken one more IO_READ than `reads`
 * (answered, kept or refused), or QUEUE_MS; then checks that `readers` wait.
 */
static bool
wait_read_taken(uint64_t reads, unsigned readers)
{
    struct con_stats st;
    uint64_t deadline = after_ms(QUEUE_MS);
    tl_root_prio(TL_PRIO - 1);
    do {
        cr_yield();
        console_stats(&st);
    } while (st.reads == reads && tl_now_ns() < deadline);
    tl_root_prio(TL_ROOT_PRIO);
    return EXPECT_EQ(reads + 1, st.reads) && EXPECT_EQ(readers, st.readers);
}

/* Spawns `bin/ptest read n want` and waits until its IO_READ was taken, leaving `readers`
 * waiting; returns the pid, or 0 (a failure recorded). */
static int64_t
start_reader(unsigned n, const char *want, unsigned readers)
{
    struct con_stats st;
    console_stats(&st);
    int64_t pid = spawn_reader(n, want);
    if (!EXPECT_TRUE(pid > 1)) {
        return 0;
    }
    if (!wait_read_taken(st.reads, readers)) {
        int64_t status;
        kill_pid(pid);
        wait_exit(pid, &status, after_ms(QUEUE_MS));
        return 0;
    }
    return pid;
}

/* Kills a waiting reader: it stays in the console's queue until the console finds out. */
static bool
kill_reader(int64_t pid, unsigned readers)
{
    struct con_stats st;
    int64_t status = -1;
    kill_pid(pid);
    bool ok = wait_exit(pid, &status, after_ms(QUEUE_MS)) &&
              EXPECT_EQ(STATUS_KILLED, status);
    console_stats(&st);
    return ok && EXPECT_EQ(readers, st.readers);
}

TEST(console_input_reaches_waiting_readers_in_order)
{
    if (!EXPECT_TRUE(pm_start())) {
        return;
    }
    struct con_stats st;
    console_stats(&st);
    if (!EXPECT_TRUE(st.input) || !EXPECT_EQ(0, st.received) || !EXPECT_EQ(0, st.readers)) {
        return;
    }
    static const char input[] = INPUT;
    int64_t pids[BYTE_READERS];
    unsigned started = 0;
    int64_t last = 0;
    int64_t status = -1;

    /* A reader that dies while it waits, then one reader per byte of INPUT from the
     * first: 16 wait, the queue is full. */
    int64_t dead = start_reader(1, "z", 1);
    if (dead == 0 || !kill_reader(dead, 1)) {
        return;
    }
    for (; started < BYTE_READERS; started++) {
        char want[2] = { input[started], '\0' };
        pids[started] = start_reader(1, want, started + 2);
        if (pids[started] == 0) {
            goto out;
        }
    }
    /* Full: a new reader makes the console probe the queue, forget the dead reader and
     * take the new one, last. Full of live readers, the next one is refused. */
    last = start_reader(1, "z", MAX_READERS);
    int64_t refused = start_reader(1, "z", MAX_READERS);
    if (last == 0 || refused == 0) {
        goto out;
    }
    if (wait_exit(refused, &status, after_ms(QUEUE_MS))) {
        EXPECT_EQ(STATUS_EAGAIN, status);
    }
    /* The last reader dies too, and is still queued when the input comes: its reply fails
     * and its byte goes on to the next reader. */
    int64_t dying = last;
    last = 0;
    if (!kill_reader(dying, MAX_READERS)) {
        goto out;
    }

    printf("%s\n", INPUT_MARKER);
    cr_flush_output();
    uint64_t deadline = after_ms(INPUT_MS); /* for all of the input */
    for (; started > 0; started--) {
        unsigned i = BYTE_READERS - started;
        if (wait_exit(pids[i], &status, deadline) && status != 0) {
            TEST_FAIL("the reader of byte %u ('%c') exited with %lld", i, input[i],
                      (long long)status);
        }
    }
    /* The rest of the line, its CR read as NL: from the ring at once, or as it arrives. */
    int64_t tail = spawn_reader(64, input + BYTE_READERS);
    if (EXPECT_TRUE(tail > 1) && wait_exit(tail, &status, deadline)) {
        EXPECT_EQ(0, status);
    }
    console_stats(&st);
    EXPECT_EQ(strlen(input) + 1, st.received); /* the line and its CR, nothing else */
    EXPECT_EQ(0, st.buffered);
    EXPECT_EQ(0, st.readers);
    EXPECT_EQ(0, st.dropped);
    EXPECT_EQ(0, st.overruns);
    return;
out:
    if (last != 0) {
        kill_pid(last);
        wait_exit(last, &status, after_ms(QUEUE_MS));
    }
    for (unsigned i = 0; i < started; i++) {
        kill_pid(pids[i]);
        wait_exit(pids[i], &status, after_ms(QUEUE_MS));
    }
}

/* An IO_READ or other request from the root's own connection, reply into rep. */
static int64_t
io_call(cr_cptr_t conn, const void *req, size_t len, const void *data, size_t dlen, void *rep,
        size_t rlen)
{
    struct cr_iov s[2] = { { CR_UPTR(req), len }, { CR_UPTR(data), dlen } };
    struct cr_iov r[1] = { { CR_UPTR(rep), rlen } };
    return cr_msg_sendv(conn, CR_UPTR(s), dlen != 0 ? 2 : 1, CR_UPTR(r), 1);
}

TEST(console_bad_requests_are_refused)
{
    struct tl t;
    if (!EXPECT_TRUE(pm_start()) || !tl_begin(&t)) {
        return;
    }
    cr_cptr_t conn = tl_mint(&t, pm_console_chan(), CR_RIGHT_WRITE, 1);
    if (conn == 0) {
        tl_end(&t);
        return;
    }
    char buf[16];
    struct io_req q = { { IO_READ, 0, 0 }, { 0, 0, 0 } };
    /* Nothing asked, nothing read, at once: even with the ring empty. */
    EXPECT_EQ(0, io_call(conn, &q, sizeof(q), NULL, 0, buf, sizeof(buf)));
    /* More than the reply buffers hold: the bytes that do not fit would be lost. */
    q.a[0] = sizeof(buf) + 1;
    EXPECT_ERR(-CR_EINVAL, io_call(conn, &q, sizeof(q), NULL, 0, buf, sizeof(buf)));
    /* Data after an IO_READ, announced or not. */
    q.a[0] = 1;
    q.hdr.len = 5;
    EXPECT_ERR(-CR_EINVAL, io_call(conn, &q, sizeof(q), "abcde", 5, buf, sizeof(buf)));
    q.hdr.len = 0;
    EXPECT_ERR(-CR_EINVAL, io_call(conn, &q, sizeof(q), "abcde", 5, buf, sizeof(buf)));
    /* Shorter than struct io_req, shorter than a header, an op of another protocol. */
    EXPECT_ERR(-CR_EINVAL, io_call(conn, &q, 16, NULL, 0, buf, sizeof(buf)));
    EXPECT_ERR(-CR_EINVAL, io_call(conn, &q, 4, NULL, 0, buf, sizeof(buf)));
    q.hdr.op = IO_OP_END;
    EXPECT_ERR(-CR_ENOSYS, io_call(conn, &q, sizeof(q), NULL, 0, buf, sizeof(buf)));
    q.hdr.op = PROC_EXIT;
    EXPECT_ERR(-CR_ENOSYS, io_call(conn, &q, sizeof(q), NULL, 0, buf, sizeof(buf)));
    /* Control requests: the window size, and ENOTTY for any other. */
    struct io_winsize ws = { 0, 0, 0, 0 };
    q = (struct io_req){ { IO_IOCTL, 0, 0 }, { IO_TIOCGWINSZ, 0, 0 } };
    EXPECT_OK(io_call(conn, &q, sizeof(q), NULL, 0, &ws, sizeof(ws)));
    EXPECT_TRUE(ws.rows == 24 && ws.cols == 80);
    q.a[0] = 0x5401; /* TCGETS: termios comes with the tty layer */
    EXPECT_ERR(-CR_ENOTTY, io_call(conn, &q, sizeof(q), NULL, 0, buf, sizeof(buf)));
    /* A client's pulse on its connection makes the console look at the UART, no more:
     * it goes on answering. */
    struct con_stats before;
    struct con_stats after;
    console_stats(&before);
    EXPECT_OK(cr_pulse_send(conn, 7, 0));
    q = (struct io_req){ { IO_WRITE, 0, 0 }, { 0, 0, 0 } };
    EXPECT_EQ(0, io_call(conn, &q, sizeof(q), NULL, 0, NULL, 0));
    console_stats(&after);
    EXPECT_EQ(before.pulses + 1, after.pulses);
    EXPECT_EQ(before.received, after.received);
    tl_end(&t);
}

static void
fault_unhandled(struct tl_thread *th)
{
    th->out[0] = 1;
    tf_ud2(); /* no fault channel: the kernel stops the thread */
    th->out[1] = 1;
}

/*
 * The console server runs as a system server (parent 0, FIFO at the managers' priority)
 * and owns COM1: debug_putc is refused, and a fault nobody handles, which the kernel
 * reports on its log before, prints nothing (tools/test-report.sh checks that nothing
 * came between the QUIET lines). CON_STATS counts what clients write and refuses a
 * request with data.
 */
TEST(console_owns_the_serial_line)
{
    struct tl t;
    if (!EXPECT_TRUE(pm_start()) || !tl_begin(&t)) {
        return;
    }
    int64_t con = pm_system_console();
    static struct proc_info list[64];
    struct proc_req lq = { { PROC_LIST, 0, 0 }, { 0, 0, 0 } };
    int64_t n = procreq_call(&lq, sizeof(lq), NULL, 0, list, sizeof(list));
    bool listed = false;
    for (int64_t i = 0; i < n && i < 64; i++) {
        listed = listed || (list[i].pid == con && list[i].ppid == 0 &&
                            list[i].state == PROC_S_RUNNING &&
                            strcmp(list[i].name, "console") == 0);
    }
    EXPECT_TRUE(con > 1 && listed);
    EXPECT_ERR(-CR_EBUSY, cr_debug_putc('x'));

    struct con_stats before;
    struct con_stats after;
    console_stats(&before);
    printf("console-test: counted\n");
    cr_flush_output();
    console_stats(&after);
    EXPECT_EQ(before.written + strlen("console-test: counted\n"), after.written);

    cr_cptr_t conn = tl_mint(&t, pm_console_chan(), CR_RIGHT_WRITE, 1);
    struct proto_hdr q[2] = { { CON_STATS, 0, 0 }, { 0, 0, 0 } };
    EXPECT_ERR(-CR_EINVAL, io_call(conn, q, sizeof(q), NULL, 0, &after, sizeof(after)));

    struct tl_thread th;
    printf("QUIET console_kernel_quiet begin\n");
    cr_flush_output();
    if (EXPECT_TRUE(tl_thread_new(&t, &th, fault_unhandled, TL_PRIO)) &&
        EXPECT_TRUE(tl_thread_start(&th))) {
        EXPECT_TRUE(tl_wait_word(&th.out[0], 1, TL_PRIO - 1, QUEUE_MS));
        tl_pause(TL_PRIO - 1, 10);
        EXPECT_EQ(0, th.out[1]);
    }
    printf("QUIET console_kernel_quiet end\n");
    tl_end(&t);
}

/*
 * A console that ends is started again with the same channel: the root may kill it (it
 * is nobody's child), a new pid serves, and a program's fd 1 works as before.
 */
TEST(console_is_started_again_when_it_ends)
{
    if (!EXPECT_TRUE(pm_start())) {
        return;
    }
    int64_t old = pm_system_console();
    if (!EXPECT_TRUE(old > 1) || !EXPECT_OK(procreq_op(PROC_KILL, 0, old, 0, 0))) {
        return;
    }
    int64_t now = pm_system_console();
    EXPECT_TRUE(now > 1 && now != old);
    struct con_stats st;
    console_stats(&st);
    EXPECT_EQ(0, st.readers);
    static const char *const argv[] = { "bin/ptest", "hello", NULL };
    int64_t status = -1;
    int64_t pid = procreq_spawn(argv, NULL);
    if (EXPECT_TRUE(pid > 1) && wait_exit(pid, &status, after_ms(INPUT_MS))) {
        EXPECT_EQ(0, status);
    }
    struct con_stats after;
    console_stats(&after);
    EXPECT_EQ(st.written + strlen("ptest: hello\n"), after.written);
    /* Still nobody's child: the root has none to wait for. */
    EXPECT_ERR(-CR_ECHILD, procreq_op(PROC_WAIT, PROC_WNOHANG, -1, 0, 0));
}
