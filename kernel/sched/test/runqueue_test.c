/* SPDX-License-Identifier: MIT */
/*
 * Host tests of the ready queues (kernel/sched/runqueue.c): the two-level bitmap at its
 * word boundaries, FIFO order, push_front, removal at every position, and a randomized
 * cross-check against a plain reference model. The bitmaps are checked bit by bit, since
 * a stale bit would make the scheduler pick an empty queue.
 */
/* test-sources: kernel/sched/runqueue.c */
#include "test.h"

#include <kernel/sched.h>
#include <kernel/tcb.h>

enum {
    NTHREADS = 64,
};

static struct tcb threads[NTHREADS];

/* Resets the threads used by a test: priority p, not on any queue. */
static void
threads_init(unsigned p)
{
    memset(threads, 0, sizeof(threads));
    for (int i = 0; i < NTHREADS; i++) {
        threads[i].prio = (uint8_t)p;
    }
}

/*
 * True if rq's bitmaps say exactly which queues are non-empty, every queue's links are
 * consistent both ways, and head/tail agree with them.
 */
static bool
rq_consistent(const struct runqueue *rq)
{
    uint64_t top = 0;
    for (unsigned w = 0; w < SCHED_WORDS; w++) {
        uint64_t word = 0;
        for (unsigned b = 0; b < 64; b++) {
            unsigned p = w * 64 + b;
            const struct tcb *prev = NULL;
            unsigned n = 0;
            for (const struct tcb *t = rq->head[p]; t != NULL; t = t->q_next) {
                if (t->q_prev != prev || t->prio != p || ++n > NTHREADS) {
                    return false;
                }
                prev = t;
            }
            if (rq->tail[p] != prev) {
                return false;
            }
            if (n > 0) {
                word |= 1ull << b;
            }
        }
        if (rq->bitmap[w] != word) {
            return false;
        }
        if (word != 0) {
            top |= 1ull << w;
        }
    }
    return rq->top == top;
}

/* Number of threads queued at priority p. */
static int
queue_len(const struct runqueue *rq, unsigned p)
{
    int n = 0;
    for (const struct tcb *t = rq->head[p]; t != NULL; t = t->q_next) {
        n++;
    }
    return n;
}

TEST(runqueue_empty_has_no_top)
{
    struct runqueue rq;
    memset(&rq, 0xa5, sizeof(rq)); /* init must not depend on prior contents */
    runqueue_init(&rq);
    ASSERT_EQ(runqueue_top_prio(&rq), -1);
    ASSERT_TRUE(runqueue_peek(&rq) == NULL);
    ASSERT_EQ(rq.top, 0);
    for (unsigned w = 0; w < SCHED_WORDS; w++) {
        ASSERT_EQ(rq.bitmap[w], 0);
    }
    ASSERT_TRUE(rq_consistent(&rq));

    threads_init(7);
    ASSERT_TRUE(!runqueue_contains(&rq, &threads[0]));
}

/* 0, 63, 64, 127, 128, 255: both ends of bitmap words 0 and 1, the first bit of word 2
 * and the last of word 3. */
TEST(runqueue_top_prio_at_word_boundaries)
{
    static const unsigned prios[] = { 0, 63, 64, 127, 128, 255 };
    struct runqueue rq;
    runqueue_init(&rq);
    threads_init(0);

    /* Alone, each priority is the top, with exactly its bit and its word's bit set. */
    for (size_t i = 0; i < ARRAY_SIZE(prios); i++) {
        unsigned p = prios[i];
        threads[i].prio = (uint8_t)p;
        runqueue_push_back(&rq, &threads[i]);
        ASSERT_EQ(runqueue_top_prio(&rq), p);
        ASSERT_TRUE(runqueue_peek(&rq) == &threads[i]);
        ASSERT_EQ(rq.top, 1ull << (p / 64));
        ASSERT_EQ(rq.bitmap[p / 64], 1ull << (p % 64));
        ASSERT_TRUE(rq_consistent(&rq));
        runqueue_remove(&rq, &threads[i]);
        ASSERT_EQ(runqueue_top_prio(&rq), -1);
        ASSERT_EQ(rq.top, 0);
        ASSERT_EQ(rq.bitmap[p / 64], 0);
    }

    /* Together, in rising order: the top follows the highest. */
    for (size_t i = 0; i < ARRAY_SIZE(prios); i++) {
        runqueue_push_back(&rq, &threads[i]);
        ASSERT_EQ(runqueue_top_prio(&rq), prios[i]);
    }
    ASSERT_EQ(rq.top, 0xf); /* all four words */
    ASSERT_EQ(rq.bitmap[0], 1ull | 1ull << 63);
    ASSERT_EQ(rq.bitmap[1], 1ull | 1ull << 63);
    ASSERT_EQ(rq.bitmap[2], 1ull);
    ASSERT_EQ(rq.bitmap[3], 1ull << 63);
    ASSERT_TRUE(rq_consistent(&rq));

    /* Removing from the top down uncovers each lower one, across word boundaries. */
    for (size_t i = ARRAY_SIZE(prios); i-- > 0;) {
        ASSERT_EQ(runqueue_top_prio(&rq), prios[i]);
        ASSERT_TRUE(runqueue_peek(&rq) == &threads[i]);
        runqueue_remove(&rq, &threads[i]);
        ASSERT_TRUE(rq_consistent(&rq));
    }
    ASSERT_EQ(runqueue_top_prio(&rq), -1);
    ASSERT_TRUE(runqueue_peek(&rq) == NULL);

    /* In falling order the top stays at 255 until it goes. */
    for (size_t i = ARRAY_SIZE(prios); i-- > 0;) {
        runqueue_push_back(&rq, &threads[i]);
        ASSERT_EQ(runqueue_top_prio(&rq), 255);
    }
    runqueue_remove(&rq, &threads[5]);
    ASSERT_EQ(runqueue_top_prio(&rq), 128);
    ASSERT_EQ(rq.top, 0x7);
    runqueue_remove(&rq, &threads[4]);
    ASSERT_EQ(runqueue_top_prio(&rq), 127);
    ASSERT_EQ(rq.top, 0x3);
    runqueue_remove(&rq, &threads[0]); /* the lowest, under others */
    ASSERT_EQ(runqueue_top_prio(&rq), 127);
    ASSERT_EQ(rq.bitmap[0], 1ull << 63);
    ASSERT_TRUE(rq_consistent(&rq));
}

TEST(runqueue_is_fifo_within_a_priority)
{
    struct runqueue rq;
    runqueue_init(&rq);
    threads_init(100);
    for (int i = 0; i < 10; i++) {
        runqueue_push_back(&rq, &threads[i]);
    }
    threads[10].prio = 99; /* a lower priority does not get in the way */
    runqueue_push_back(&rq, &threads[10]);
    ASSERT_EQ(queue_len(&rq, 100), 10);
    ASSERT_TRUE(rq_consistent(&rq));
    for (int i = 0; i < 10; i++) {
        struct tcb *t = runqueue_peek(&rq);
        ASSERT_TRUE(t == &threads[i]);
        ASSERT_TRUE(runqueue_contains(&rq, t));
        runqueue_remove(&rq, t);
        ASSERT_TRUE(!runqueue_contains(&rq, t));
        ASSERT_TRUE(t->q_next == NULL && t->q_prev == NULL);
    }
    ASSERT_EQ(runqueue_top_prio(&rq), 99);
    ASSERT_TRUE(runqueue_peek(&rq) == &threads[10]);

    /* Round robin: the head goes to the back. */
    runqueue_remove(&rq, &threads[10]);
    for (int i = 0; i < 3; i++) {
        runqueue_push_back(&rq, &threads[i]);
    }
    struct tcb *t = runqueue_peek(&rq);
    runqueue_remove(&rq, t);
    runqueue_push_back(&rq, t);
    ASSERT_TRUE(rq.head[100] == &threads[1]);
    ASSERT_TRUE(rq.head[100]->q_next == &threads[2]);
    ASSERT_TRUE(rq.tail[100] == &threads[0]);
    ASSERT_TRUE(rq_consistent(&rq));
}

TEST(runqueue_push_front_goes_first)
{
    struct runqueue rq;
    runqueue_init(&rq);
    threads_init(64);

    runqueue_push_front(&rq, &threads[0]); /* into an empty queue: head and tail */
    ASSERT_TRUE(rq.head[64] == &threads[0] && rq.tail[64] == &threads[0]);
    ASSERT_EQ(rq.top, 0x2);
    ASSERT_EQ(rq.bitmap[1], 1);

    runqueue_push_back(&rq, &threads[1]);
    runqueue_push_front(&rq, &threads[2]);
    runqueue_push_front(&rq, &threads[3]);
    struct tcb *want[] = { &threads[3], &threads[2], &threads[0], &threads[1] };
    struct tcb *t = rq.head[64];
    for (size_t i = 0; i < ARRAY_SIZE(want); i++, t = t->q_next) {
        ASSERT_TRUE(t == want[i]);
    }
    ASSERT_TRUE(t == NULL);
    ASSERT_TRUE(rq.tail[64] == &threads[1]);
    ASSERT_TRUE(runqueue_peek(&rq) == &threads[3]);
    ASSERT_TRUE(rq_consistent(&rq));
}

TEST(runqueue_rotate_is_remove_head_then_push_back)
{
    struct runqueue rq;
    runqueue_init(&rq);
    threads_init(130);
    /* One queued: it leaves, the rotated thread is alone. */
    runqueue_push_back(&rq, &threads[0]);
    ASSERT_TRUE(runqueue_rotate(&rq, &threads[1]) == &threads[0]);
    ASSERT_TRUE(rq.head[130] == &threads[1] && rq.tail[130] == &threads[1]);
    ASSERT_TRUE(threads[0].q_next == NULL && threads[0].q_prev == NULL);
    ASSERT_TRUE(rq_consistent(&rq));
    /* Three queued: the head leaves, the rotated thread goes behind the other two. */
    runqueue_push_back(&rq, &threads[2]);
    runqueue_push_back(&rq, &threads[3]);
    ASSERT_TRUE(runqueue_rotate(&rq, &threads[0]) == &threads[1]);
    struct tcb *want[] = { &threads[2], &threads[3], &threads[0] };
    struct tcb *t = rq.head[130];
    for (size_t i = 0; i < ARRAY_SIZE(want); i++, t = t->q_next) {
        ASSERT_TRUE(t == want[i]);
    }
    ASSERT_TRUE(t == NULL);
    ASSERT_TRUE(threads[1].q_next == NULL && threads[1].q_prev == NULL);
    ASSERT_EQ(rq.top, 0x4);
    ASSERT_EQ(rq.bitmap[2], 0x4);
    ASSERT_TRUE(rq_consistent(&rq));
}

TEST(runqueue_remove_keeps_bitmaps_exact)
{
    struct runqueue rq;
    runqueue_init(&rq);
    threads_init(200);
    for (int i = 0; i < 5; i++) {
        runqueue_push_back(&rq, &threads[i]);
    }
    threads[5].prio = 201; /* same bitmap word: 200 / 64 == 201 / 64 == 3 */
    runqueue_push_back(&rq, &threads[5]);

    runqueue_remove(&rq, &threads[2]); /* middle */
    ASSERT_TRUE(threads[1].q_next == &threads[3] && threads[3].q_prev == &threads[1]);
    ASSERT_EQ(queue_len(&rq, 200), 4);
    ASSERT_EQ(rq.bitmap[3], 3ull << 8);
    ASSERT_TRUE(rq_consistent(&rq));

    runqueue_remove(&rq, &threads[0]); /* head */
    ASSERT_TRUE(rq.head[200] == &threads[1] && threads[1].q_prev == NULL);
    ASSERT_TRUE(rq_consistent(&rq));

    runqueue_remove(&rq, &threads[4]); /* tail */
    ASSERT_TRUE(rq.tail[200] == &threads[3] && threads[3].q_next == NULL);
    ASSERT_TRUE(rq_consistent(&rq));

    runqueue_remove(&rq, &threads[5]); /* the only one at 201: its bit goes, word stays */
    ASSERT_EQ(rq.bitmap[3], 1ull << 8);
    ASSERT_EQ(rq.top, 1ull << 3);
    ASSERT_EQ(runqueue_top_prio(&rq), 200);

    runqueue_remove(&rq, &threads[1]);
    ASSERT_EQ(rq.bitmap[3], 1ull << 8);
    runqueue_remove(&rq, &threads[3]); /* the last one: bit and word bit go */
    ASSERT_EQ(rq.bitmap[3], 0);
    ASSERT_EQ(rq.top, 0);
    ASSERT_TRUE(rq.head[200] == NULL && rq.tail[200] == NULL);
    ASSERT_EQ(runqueue_top_prio(&rq), -1);
    ASSERT_TRUE(rq_consistent(&rq));
}

/* The reference model: per priority, a plain array of thread indices in queue order. */
static struct model {
    int q[SCHED_NUM_PRIOS][NTHREADS];
    int len[SCHED_NUM_PRIOS];
    bool queued[NTHREADS];
} model;

static void
model_remove(unsigned p, int id)
{
    int *q = model.q[p];
    int i = 0;
    while (q[i] != id) {
        i++;
    }
    memmove(&q[i], &q[i + 1], (size_t)(model.len[p] - i - 1) * sizeof(q[0]));
    model.len[p]--;
    model.queued[id] = false;
}

/* True if rq holds exactly what the model holds, in the same order. */
static bool
model_matches(const struct runqueue *rq)
{
    int top = -1;
    for (unsigned p = 0; p < SCHED_NUM_PRIOS; p++) {
        const struct tcb *t = rq->head[p];
        for (int i = 0; i < model.len[p]; i++, t = t->q_next) {
            if (t != &threads[model.q[p][i]]) {
                return false;
            }
        }
        if (t != NULL) {
            return false;
        }
        if (model.len[p] > 0) {
            top = (int)p;
        }
    }
    if (runqueue_top_prio(rq) != top) {
        return false;
    }
    const struct tcb *want = top < 0 ? NULL : &threads[model.q[top][0]];
    if (runqueue_peek(rq) != want) {
        return false;
    }
    for (int i = 0; i < NTHREADS; i++) {
        if (runqueue_contains(rq, &threads[i]) != model.queued[i]) {
            return false;
        }
    }
    return rq_consistent(rq);
}

/* The randomized tests' generator (test_rng), seeded by each. */
static uint64_t rng_state;

static uint64_t
rng(void)
{
    return test_rng(&rng_state);
}

enum {
    RANDOM_OPS = 10000,
};

TEST(runqueue_matches_reference_model_under_random_ops)
{
    const uint64_t seed = 0x5eed0c0a1e5ce11ull;
    printf("runqueue_matches_reference_model_under_random_ops: seed 0x%llx\n",
           (unsigned long long)seed);
    rng_state = seed;
    struct runqueue rq;
    runqueue_init(&rq);
    threads_init(0);
    memset(&model, 0, sizeof(model));
    int counts[4] = { 0 };

    for (int op = 0; op < RANDOM_OPS; op++) {
        int id = (int)(rng() % NTHREADS);
        struct tcb *t = &threads[id];
        unsigned kind = (unsigned)(rng() % 4);
        if (!model.queued[id]) {
            /* Queue it, at a new priority. Priorities cluster around the word
             * boundaries half the time so that the edge bits see traffic. */
            static const unsigned edges[] = { 0, 1, 62, 63, 64, 65, 127, 128, 191, 192, 254, 255 };
            unsigned p =
                rng() % 2 ? edges[rng() % ARRAY_SIZE(edges)] : (unsigned)(rng() % SCHED_NUM_PRIOS);
            t->prio = (uint8_t)p;
            int *q = model.q[p];
            if (kind % 2 == 0) {
                runqueue_push_back(&rq, t);
                q[model.len[p]] = id;
                counts[0]++;
            } else {
                runqueue_push_front(&rq, t);
                memmove(&q[1], &q[0], (size_t)model.len[p] * sizeof(q[0]));
                q[0] = id;
                counts[1]++;
            }
            model.len[p]++;
            model.queued[id] = true;
        } else if (kind == 0) {
            /* Take the one that would run next, as the scheduler does. */
            struct tcb *next = runqueue_peek(&rq);
            ASSERT_TRUE(next != NULL);
            int nid = (int)(next - threads);
            ASSERT_TRUE(nid >= 0 && nid < NTHREADS && model.queued[nid]);
            runqueue_remove(&rq, next);
            model_remove(next->prio, nid);
            counts[2]++;
        } else {
            runqueue_remove(&rq, t);
            model_remove(t->prio, id);
            counts[3]++;
        }
        if (!model_matches(&rq)) {
            char what[128];
            snprintf(what, sizeof(what), "op %d (seed 0x%llx): queue differs from model", op,
                     (unsigned long long)seed);
            test_fail(__FILE__, __LINE__, what);
            return;
        }
    }
    /* Every kind of operation ran often. */
    for (int k = 0; k < 4; k++) {
        ASSERT_TRUE(counts[k] > RANDOM_OPS / 20);
    }
}

/* runqueue_has_above agrees with runqueue_top_prio for every priority, with one thread
 * queued at each word boundary in turn (bits 0 and 63 of each word, and 255's shift by
 * a whole word). */
TEST(runqueue_has_above_matches_top_prio)
{
    static const unsigned queued[] = { 0, 1, 62, 63, 64, 127, 128, 191, 192, 254, 255 };
    for (size_t i = 0; i < ARRAY_SIZE(queued); i++) {
        struct runqueue rq;
        runqueue_init(&rq);
        threads_init(queued[i]);
        for (unsigned p = 0; p < SCHED_NUM_PRIOS; p++) {
            ASSERT_TRUE(!runqueue_has_above(&rq, p));
        }
        runqueue_push_back(&rq, &threads[0]);
        for (unsigned p = 0; p < SCHED_NUM_PRIOS; p++) {
            ASSERT_EQ(runqueue_has_above(&rq, p), runqueue_top_prio(&rq) > (int)p);
        }
    }
}
