// SPDX-License-Identifier: GPL-2.0
/*
 * cdna software NIC engine: what a NIC with per-context queues does, done by
 * one kernel thread per uplink.
 *
 * The thread processes the contexts of its NIC round-robin, each for at
 * most a budget (weight) of packets and, on TX, of cost (tx_quantum,
 * sw_tx.c) per queue per pass, as long as any of them has work: it
 * polls, so a busy guest needs no doorbell.  After
 * poll_usecs without work it publishes kick_event on every queue that needs
 * one (event index), reads prod once more and sleeps until a doorbell
 * (ops->kick, cdna_sw_kick()) or an RX arrival wakes it, or until a context its
 * TX rate holds back may send again (sw_tx.c).  One thread per NIC rather
 * than per queue pair: the hosts we target have few cores, a poller per
 * queue would burn them, and one thread makes fairness a matter of
 * iteration order (docs/datapath.md).
 *
 * Receive from the uplink (sw_rx.c) runs in the uplink's rx_handler;
 * it only queues skbs to a context's RX backlog and wakes the thread.
 * Transmit and delivery into guest buffers (sw_tx.c, sw_rx.c) run
 * in the thread.
 *
 * The thread never calls into VFIO.  A pin (vfio_pin_pages()) or a copy
 * through vfio_dma_rw() takes the VM's own locks (type1's iommu->lock,
 * its mm's mmap_lock) and may fault on its memory, so a VM can make it
 * wait as long as it likes: through userfaultfd, a lock it holds, or the
 * lock cycle with type1 that docs/datapath.md describes.  The thread asks
 * the protection for cached pins only (CDNA_BUF_NOWAIT); a buffer that
 * needs more leaves its packet in hand, and the context goes to its own
 * work item (struct cdna_engine_ctx.vfio_work), which runs one pass of
 * the context with VFIO allowed, on an unbound workqueue.  The thread
 * leaves the context alone until then: a VM that stalls VFIO stalls its
 * own context only.  In the steady state every page is cached and the
 * thread does all the work.
 *
 * Locking, outermost first:
 *   ctx->lock (vf/ctx code)  ->  eng->lock  ->  ectx->lock  ->  VFIO locks
 *   eng->table_lock, the RX backlog's lock (struct cdna_sw_queue),
 *   q->coal_lock: leaves, BH-safe.  The pin cache has no lock: ectx->lock.
 * ectx->lock is the engine exclusion of struct cdna_engine_ops (ctx_lock):
 * the protection takes it through the ops, the engine holds it around
 * every get_buf/put_buf/flush it calls.
 * The engine thread takes eng->lock then each ectx->lock, the latter only
 * with mutex_trylock() (a busy context waits for the next pass); it never
 * takes ctx->lock (errors go through cdna_ctx_raise_error(), a work item).
 * A context's VFIO work takes its ectx->lock alone.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/jhash.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/rtnetlink.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "sw.h"

static unsigned int cdna_weight = 64;
static struct cdna_param_uint cdna_weight_param = {
	.val = &cdna_weight, .min = 1, .max = CDNA_MAX_RING_SIZE,
};
module_param_cb(weight, &cdna_param_uint_ops, &cdna_weight_param, 0644);
MODULE_PARM_DESC(weight, "Packets per queue per engine pass (fairness; 1..4096)");

static unsigned int cdna_poll_usecs = 50;
static struct cdna_param_uint cdna_poll_usecs_param = {
	.val = &cdna_poll_usecs, .min = 0, .max = USEC_PER_MSEC * 10,
};
module_param_cb(poll_usecs, &cdna_param_uint_ops, &cdna_poll_usecs_param,
		0644);
MODULE_PARM_DESC(poll_usecs,
		 "Engine busy-polls this long after the last work before sleeping (adaptive: at most; 0..10000)");

static bool cdna_poll_adaptive;
module_param_named(poll_adaptive, cdna_poll_adaptive, bool, 0644);
MODULE_PARM_DESC(poll_adaptive,
		 "Adapt the poll window to how soon work comes back (else always poll_usecs)");

static unsigned int cdna_sw_max_qp = CDNA_MAX_QUEUE_PAIRS;
static struct cdna_param_uint cdna_sw_max_qp_param = {
	.val = &cdna_sw_max_qp, .min = 1, .max = CDNA_MAX_QUEUE_PAIRS,
};
module_param_cb(sw_max_queue_pairs, &cdna_param_uint_ops,
		&cdna_sw_max_qp_param, 0644);
MODULE_PARM_DESC(sw_max_queue_pairs,
		 "Queue pairs per context the software engine offers on NICs attached from now on (1..8)");

/*
 * While polling without work, the window is checked against the clock only
 * every poll_clock_passes passes: in a nested testbed the clock is an
 * emulated HPET and reading it was half of the thread's time.  A pass that
 * finds work reads no clock at all (unless a TX rate needs it).
 */
static unsigned int cdna_poll_clock_passes = 8;
static struct cdna_param_uint cdna_poll_clock_passes_param = {
	.val = &cdna_poll_clock_passes, .min = 1, .max = 64,
};
module_param_cb(poll_clock_passes, &cdna_param_uint_ops,
		&cdna_poll_clock_passes_param, 0644);
MODULE_PARM_DESC(poll_clock_passes,
		 "Idle passes between clock reads while polling (1: read the clock every pass; 1..64)");

#define CDNA_POLL_FLOOR_NS	(20 * NSEC_PER_USEC)
#define CDNA_RESUME_SLACK_NS	(50 * NSEC_PER_USEC)
/* Pause of a pass that found nothing to do but a busy context. */
#define CDNA_BUSY_WAIT_US	20

static unsigned int cdna_engine_hash(const u8 *mac, u16 vlan)
{
	u32 a = get_unaligned((const u32 *)mac);
	u32 b = get_unaligned((const u16 *)(mac + 4)) | ((u32)vlan << 16);

	return jhash_2words(a, b, 0) & ((1 << CDNA_ENGINE_HASH_BITS) - 1);
}

/**
 * cdna_engine_lookup() - find the started context with a MAC and VLAN
 * @eng: the engine
 * @mac: destination MAC
 * @vlan: VLAN id, 0 for untagged
 *
 * Caller is in an RCU read-side section (rx_handler, engine thread).
 *
 * Return: the context's engine state or NULL.
 */
struct cdna_engine_ctx *cdna_engine_lookup(struct cdna_engine *eng,
					   const u8 *mac, u16 vlan)
{
	struct cdna_engine_ctx *ectx;

	hlist_for_each_entry_rcu(ectx,
				 &eng->mac_hash[cdna_engine_hash(mac, vlan)],
				 hnode)
		if (ether_addr_equal(ectx->mac, mac) && ectx->vlan == vlan)
			return ectx;
	return NULL;
}

/**
 * cdna_engine_wake() - make sure the engine thread runs a pass soon
 * @eng: the engine
 *
 * Any context (doorbells, rx_handler).
 */
void cdna_engine_wake(struct cdna_engine *eng)
{
	atomic_inc(&eng->wake_seq);
	/* wake_seq before sleeping; pairs with the thread's
	 * set_current_state() between storing sleeping and reading wake_seq.
	 */
	smp_mb__after_atomic();
	if (READ_ONCE(eng->sleeping))
		wake_up_process(eng->thread);
}

/**
 * cdna_engine_count_drop() - count a dropped packet or refused descriptor
 * @q: the queue it concerns
 * @r: why
 *
 * The context's engine lock held: its holder is the one writer of q->stats.
 */
void cdna_engine_count_drop(struct cdna_queue *q, enum cdna_drop_reason r)
{
	u64_stats_update_begin(&q->stats.syncp);
	q->stats.drops[r]++;
	u64_stats_update_end(&q->stats.syncp);
}

/* ops->ctx_lock: while held, the engine does not process @ctx. */
static void cdna_sw_ctx_lock(struct cdna_ctx *ctx)
{
	mutex_lock(&cdna_sw_ectx(ctx)->lock);
}

static void cdna_sw_ctx_unlock(struct cdna_ctx *ctx)
{
	mutex_unlock(&cdna_sw_ectx(ctx)->lock);
}

/**
 * cdna_engine_queues_changed() - recompute the context's RX queue map
 * @ctx: the context
 *
 * Called when a queue starts or stops.  Caller holds the engine lock.
 */
void cdna_engine_queues_changed(struct cdna_ctx *ctx)
{
	struct cdna_engine_ctx *ectx = cdna_sw_ectx(ctx);
	unsigned int qp, n = 0;

	lockdep_assert_held(&ectx->lock);
	for (qp = 0; qp < ctx->nqp; qp++)
		if (ctx->queues[CDNA_QUEUE_RX(qp)].running)
			ectx->rxq[n++] = qp;
	/* Readers (RX enqueue) check the queue's running flag anyway. */
	WRITE_ONCE(ectx->nrxq, n);
}

/* ops->release_locked: stop every queue of a context (being closed). */
static void cdna_sw_release_locked(struct cdna_ctx *ctx)
{
	unsigned int i;

	lockdep_assert_held(&cdna_sw_ectx(ctx)->lock);
	for (i = 0; i < 2 * ctx->nqp; i++)
		cdna_sw_queue_stop_locked(&ctx->queues[i]);
}

/*
 * ops->dma_unmap_locked: each queue whose rings the VM unmapped stops at
 * once (rings unpinned) and the context raises CDNA_ERR_RING_UNMAPPED.
 * The engine uses buffers only while holding the engine lock, which the
 * caller holds: none is in use in the range afterwards.
 */
static void cdna_sw_dma_unmap_locked(struct cdna_ctx *ctx, u64 iova, u64 len)
{
	unsigned int i;

	lockdep_assert_held(&cdna_sw_ectx(ctx)->lock);
	for (i = 0; i < 2 * ctx->nqp; i++) {
		struct cdna_queue *q = &ctx->queues[i];

		if (cdna_queue_overlaps(q, iova, len))
			cdna_sw_ring_error(q, CDNA_ERR_RING_UNMAPPED);
	}
}

/* The pass's clock, read at most once and only when needed. */
static u64 cdna_engine_now(u64 *now)
{
	if (!*now)
		*now = ktime_get_ns();
	return *now;
}

/* One context's share of a pass; returns the work done. */
static int cdna_engine_ctx_poll(struct cdna_engine_ctx *ectx, u64 *now,
				u64 *resume)
{
	struct cdna_ctx *ctx = ectx->ctx;
	int budget = max_t(int, READ_ONCE(cdna_weight), 1);
	bool may_send = true;
	unsigned int qp;
	int work = 0;

	lockdep_assert_held(&ectx->lock);
	/* Only a rate needs the time. */
	if (ectx->tx_rate)
		may_send = cdna_engine_tx_refill(ectx, cdna_engine_now(now),
						 resume);
	for (qp = 0; qp < ctx->nqp; qp++) {
		struct cdna_queue *tx = &ctx->queues[CDNA_QUEUE_TX(qp)];
		struct cdna_queue *rx = &ctx->queues[CDNA_QUEUE_RX(qp)];

		if (tx->running && may_send)
			work += cdna_engine_tx_poll(ectx, tx, budget);
		if (rx->running)
			work += cdna_engine_rx_poll(ectx, rx, budget);
	}
	return work;
}

/*
 * A context's VFIO work: one pass over the context for the thread, with
 * calls into VFIO allowed (they may wait as long as the VM makes them).
 * The packet that needed it is the first one the pass meets.  Then the
 * thread takes the context back.
 */
static void cdna_sw_vfio_work(struct work_struct *work)
{
	struct cdna_engine_ctx *ectx = container_of(work, struct cdna_engine_ctx,
						    vfio_work);
	struct cdna_engine *eng = ectx->eng;
	u64 now = 0, resume = 0;

	mutex_lock(&ectx->lock);
	/* After a revoke nothing runs a context. */
	if (ectx->started && !READ_ONCE(eng->revoked)) {
		ectx->in_vfio_work = true;
		cdna_engine_ctx_poll(ectx, &now, &resume);
		ectx->in_vfio_work = false;
	}
	ectx->vfio_wanted = false;
	WRITE_ONCE(ectx->vfio_queued, false);
	mutex_unlock(&ectx->lock);
	/* After vfio_queued: the thread's next pass takes the context. */
	cdna_engine_wake(eng);
}

/* The thread's pass met a buffer that needs VFIO: hand the context over. */
static void cdna_sw_vfio_defer(struct cdna_engine_ctx *ectx)
{
	lockdep_assert_held(&ectx->lock);
	ectx->vfio_wanted = false;
	ectx->vfio_deferrals++;
	WRITE_ONCE(ectx->vfio_queued, true);
	queue_work(system_unbound_wq, &ectx->vfio_work);
}

/*
 * One pass over every context; *@now is the pass's ktime_get_ns(), 0 until
 * something reads it (cdna_engine_now()).  A
 * context whose engine lock someone else holds (its reset flushing the pin
 * cache, a DMA unmap, a queue being enabled) is skipped, not waited for:
 * what its own VM does must not stall the other contexts.  *@busy tells
 * the thread to come back for it: the next pass retries, so no doorbell
 * it missed is lost.  A context handed to its VFIO work is skipped too,
 * without *@busy: the work wakes the thread when it is done.
 */
static int cdna_engine_pass(struct cdna_engine *eng, u64 *now, bool *busy)
{
	struct cdna_engine_ctx *ectx;
	u64 resume = 0;
	int work = 0;

	*busy = false;
	mutex_lock(&eng->lock);
	list_for_each_entry(ectx, &eng->ctx_list, node) {
		if (READ_ONCE(ectx->vfio_queued)) {
			cdna_engine_thread_count(eng, &eng->vfio_skips);
			continue;
		}
		if (!mutex_trylock(&ectx->lock)) {
			cdna_engine_thread_count(eng, &eng->busy_skips);
			*busy = true;
			continue;
		}
		if (ectx->started)
			work += cdna_engine_ctx_poll(ectx, now, &resume);
		if (ectx->vfio_wanted)
			cdna_sw_vfio_defer(ectx);
		mutex_unlock(&ectx->lock);
	}
	mutex_unlock(&eng->lock);
	eng->resume_ns = resume;
	return work;
}

/*
 * Before sleeping: ask for doorbells where the engine needs them and look
 * at prod once more.  True if there is work after all.
 */
static bool cdna_engine_arm(struct cdna_engine *eng)
{
	struct cdna_engine_ctx *ectx;
	bool pending = false;
	unsigned int i;

	mutex_lock(&eng->lock);
	list_for_each_entry(ectx, &eng->ctx_list, node) {
		struct cdna_ctx *ctx = ectx->ctx;

		/* Its VFIO work wakes the thread when done. */
		if (READ_ONCE(ectx->vfio_queued))
			continue;
		/* Busy (see cdna_engine_pass()): do not sleep, retry it. */
		if (!mutex_trylock(&ectx->lock)) {
			pending = true;
			continue;
		}
		for (i = 0; ectx->started && i < 2 * ctx->nqp; i++) {
			struct cdna_queue *q = &ctx->queues[i];
			bool want;

			if (!q->running)
				continue;
			/* RX needs buffers only for skbs that wait for them;
			 * TX held back by its rate resumes on a timer.
			 */
			if (q->is_tx)
				want = !ectx->tx_held;
			else
				want = !skb_queue_empty(&cdna_sw_q(q)->rx_pending) ||
				       !skb_queue_empty_lockless(&cdna_sw_q(q)->rx_backlog);
			if (cdna_queue_arm_kick(q, want))
				pending = true;
		}
		mutex_unlock(&ectx->lock);
	}
	mutex_unlock(&eng->lock);
	return pending;
}

static void cdna_engine_sleep(struct cdna_engine *eng)
{
	int seq = atomic_read(&eng->wake_seq);

	if (cdna_engine_arm(eng))
		return;

	WRITE_ONCE(eng->sleeping, true);
	/* Implies a full barrier: sleeping before the wake_seq check. */
	set_current_state(TASK_INTERRUPTIBLE);
	if (atomic_read(&eng->wake_seq) == seq && !kthread_should_stop()) {
		cdna_engine_thread_count(eng, &eng->sleeps);
		if (eng->resume_ns) {
			ktime_t t = ns_to_ktime(eng->resume_ns);

			/* A rate-limited context sends again at resume_ns. */
			schedule_hrtimeout_range(&t, CDNA_RESUME_SLACK_NS,
						 HRTIMER_MODE_ABS);
		} else {
			/* With a kick page in use, a low-rate sweep (kick.c). */
			schedule_timeout(cdna_kick_sweep_timeout());
		}
	}
	__set_current_state(TASK_RUNNING);
	WRITE_ONCE(eng->sleeping, false);
}

/*
 * How long to keep polling after the last work.  A doorbell costs the
 * guest far more than a poll costs the host, but a poll that ends before
 * the next packet comes only burns a CPU the guests may need.  Fixed at
 * poll_usecs by default; with poll_adaptive, like KVM's halt polling, the
 * window grows (doubling from 20 us up to poll_usecs) when the engine went
 * to sleep and work came back within poll_usecs - a longer poll would have
 * caught it - and shrinks (halving, down to nothing) when the sleep lasted
 * longer than that.  docs/datapath.md has what each measured.
 */
static u64 cdna_engine_poll_adjust(u64 cur, u64 slept)
{
	u64 max = (u64)READ_ONCE(cdna_poll_usecs) * NSEC_PER_USEC;

	if (!READ_ONCE(cdna_poll_adaptive))
		return max;
	if (slept <= max)
		return min(max, cur ? 2 * cur : CDNA_POLL_FLOOR_NS);
	cur /= 2;
	return cur < CDNA_POLL_FLOOR_NS ? 0 : cur;
}

static int cdna_engine_thread(void *data)
{
	struct cdna_engine *eng = data;
	u64 last_work = ktime_get_ns();
	u64 poll = (u64)READ_ONCE(cdna_poll_usecs) * NSEC_PER_USEC;
	unsigned int idle = 0;
	bool stamp = false;
	bool slept = false;

	while (!kthread_should_stop()) {
		unsigned int every = READ_ONCE(cdna_poll_clock_passes);
		u64 now = 0;
		bool busy;
		int work;

		/* poll_clock_passes=1: the clock on every pass (the loop as
		 * it was, kept to measure against).
		 */
		if (every <= 1)
			cdna_engine_now(&now);
		work = cdna_engine_pass(eng, &now, &busy);
		cdna_engine_thread_count(eng, &eng->passes);
		if (!work && busy) {
			/* Only a busy context is left: give its lock holder
			 * the CPU rather than spin on its mutex.
			 */
			usleep_range(CDNA_BUSY_WAIT_US, 2 * CDNA_BUSY_WAIT_US);
			continue;
		}
		if (work) {
			if (slept) {
				/* last_work is from before the sleep. */
				u64 gap = cdna_engine_now(&now) - last_work;

				poll = cdna_engine_poll_adjust(poll, gap);
				WRITE_ONCE(eng->poll_ns, poll);
				slept = false;
			}
			/* The window starts at the next idle pass, which
			 * reads the clock; no clock while there is work.
			 */
			if (every <= 1)
				last_work = now;
			else
				stamp = true;
			idle = 0;
			cond_resched();
			continue;
		}
		if (stamp) {
			last_work = cdna_engine_now(&now);
			stamp = false;
			idle = 0;
		} else if (++idle < every) {
			cond_resched();
			continue;
		}
		idle = 0;
		if (cdna_engine_now(&now) - last_work >= poll) {
			/* last_work stays: the next gap includes the sleep. */
			cdna_engine_sleep(eng);
			slept = true;
			continue;
		}
		cond_resched();
	}
	return 0;
}

/* The rx_handler's counters, summed over the CPUs. */
static void cdna_engine_rx_read(struct cdna_engine *eng,
				u64 sum[CDNA_ENGINE_RX_NR])
{
	const struct cdna_engine_rx_stats *st;
	u64 v[CDNA_ENGINE_RX_NR];
	unsigned int start, i;
	int cpu;

	memset(sum, 0, CDNA_ENGINE_RX_NR * sizeof(*sum));
	for_each_possible_cpu(cpu) {
		st = per_cpu_ptr(eng->rx_stats, cpu);
		do {
			start = u64_stats_fetch_begin(&st->syncp);
			for (i = 0; i < CDNA_ENGINE_RX_NR; i++)
				v[i] = u64_stats_read(&st->cnt[i]);
		} while (u64_stats_fetch_retry(&st->syncp, start));
		for (i = 0; i < CDNA_ENGINE_RX_NR; i++)
			sum[i] += v[i];
	}
}

static int cdna_engine_stats_show(struct seq_file *s, void *unused)
{
	struct cdna_engine *eng = s->private;
	u64 rx[CDNA_ENGINE_RX_NR], passes, sleeps, skips, vfio_skips;
	unsigned int start;

	cdna_engine_rx_read(eng, rx);
	do {
		start = u64_stats_fetch_begin(&eng->syncp);
		passes = u64_stats_read(&eng->passes);
		sleeps = u64_stats_read(&eng->sleeps);
		skips = u64_stats_read(&eng->busy_skips);
		vfio_skips = u64_stats_read(&eng->vfio_skips);
	} while (u64_stats_fetch_retry(&eng->syncp, start));

	seq_printf(s, "rx_to_ctx %llu\n", rx[CDNA_ENGINE_RX_TO_CTX]);
	seq_printf(s, "rx_flooded %llu\n", rx[CDNA_ENGINE_RX_FLOODED]);
	seq_printf(s, "rx_passed %llu\n", rx[CDNA_ENGINE_RX_PASSED]);
	seq_printf(s, "switched %lld\n", atomic64_read(&eng->switched));
	seq_printf(s, "tx_uplink %lld\n", atomic64_read(&eng->tx_uplink));
	seq_printf(s, "passes %llu\n", passes);
	seq_printf(s, "sleeps %llu\n", sleeps);
	seq_printf(s, "busy_skips %llu\n", skips);
	seq_printf(s, "vfio_skips %llu\n", vfio_skips);
	seq_printf(s, "poll_ns %llu\n", READ_ONCE(eng->poll_ns));
	seq_printf(s, "uplink_txqs %u\n", eng->ntxq);
	seq_printf(s, "pins_total %lld\n", cdna_pins_total_read());
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(cdna_engine_stats);

static int cdna_engine_ctx_stats_show(struct seq_file *s, void *unused)
{
	struct cdna_engine_ctx *ectx = s->private;
	struct cdna_ctx *ctx = ectx->ctx;
	u64 hits = 0, misses = 0, evictions = 0, pinned = 0;
	unsigned int i;

	mutex_lock(&ectx->lock);
	if (ctx->protect->pin_stats)
		ctx->protect->pin_stats(ctx, &hits, &misses, &evictions);
	if (ctx->protect->pinned_pages)
		pinned = ctx->protect->pinned_pages(ctx);
	seq_printf(s, "started %d\n", ectx->started);
	seq_printf(s, "pinned_pages %llu\n", pinned);
	seq_printf(s, "pin_hits %llu\n", hits);
	seq_printf(s, "pin_misses %llu\n", misses);
	seq_printf(s, "pin_evictions %llu\n", evictions);
	seq_printf(s, "tx_rate_bytes %llu\n", ectx->tx_rate);
	seq_printf(s, "tx_throttled %lld\n", atomic64_read(&ctx->tx_throttled));
	seq_printf(s, "tx_skb_allocs %llu\n", ectx->tx_skb_allocs);
	seq_printf(s, "tx_nomem_deferred %llu\n", ectx->tx_nomem_deferred);
	seq_printf(s, "tx_cost %llu\n", ectx->tx_cost);
	seq_printf(s, "tx_debt_passes %llu\n", ectx->tx_debt_passes);
	seq_printf(s, "vfio_deferrals %llu\n", ectx->vfio_deferrals);
	for (i = 0; i < 2 * ctx->nqp; i++) {
		struct cdna_queue *q = &ctx->queues[i];

		seq_printf(s, "queue%u running %d size %u next_desc %u fetch %u cons %u backlog %u backlog_bytes %d\n",
			   i, q->running, q->size, q->next_desc, q->fetch,
			   q->cons, skb_queue_len(&cdna_sw_q(q)->rx_backlog) +
			   skb_queue_len(&cdna_sw_q(q)->rx_pending),
			   atomic_read(&cdna_sw_q(q)->rx_backlog_bytes));
	}
	mutex_unlock(&ectx->lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(cdna_engine_ctx_stats);

/*
 * The control plane creates the debugfs directories of a NIC and of a
 * context after the engine learnt about them, and removes them before the
 * engine forgets them: the engine adds its files on first use, and they
 * go away with their parent directory.
 */
static void cdna_engine_debugfs_add(struct cdna_engine *eng,
				    struct cdna_engine_ctx *ectx)
{
	if (!eng->debugfs && eng->nic->debugfs) {
		eng->debugfs = debugfs_create_dir("engine", eng->nic->debugfs);
		debugfs_create_file("stats", 0400, eng->debugfs, eng,
				    &cdna_engine_stats_fops);
	}
	if (ectx && !ectx->debugfs && ectx->ctx->debugfs) {
		ectx->debugfs = debugfs_create_dir("datapath",
						   ectx->ctx->debugfs);
		debugfs_create_file("stats", 0400, ectx->debugfs, ectx,
				    &cdna_engine_ctx_stats_fops);
	}
}

/*
 * ops->create: registers the rx_handler on the uplink (which must have
 * none: a bridge port or a macvlan lower device is refused, -EBUSY), puts
 * the uplink in promiscuous mode and starts the thread.  Takes rtnl_lock.
 */
static int cdna_sw_create(struct cdna_nic *nic)
{
	struct net_device *uplink = nic->uplink;
	struct cdna_engine_rx_stats *st;
	struct cdna_engine *eng;
	int ret, cpu;

	eng = kzalloc(sizeof(*eng), GFP_KERNEL);
	if (!eng)
		return -ENOMEM;
	eng->rx_stats = alloc_percpu(struct cdna_engine_rx_stats);
	if (!eng->rx_stats) {
		ret = -ENOMEM;
		goto err_free;
	}
	for_each_possible_cpu(cpu) {
		st = per_cpu_ptr(eng->rx_stats, cpu);
		u64_stats_init(&st->syncp);
	}
	u64_stats_init(&eng->syncp);
	eng->nic = nic;
	eng->uplink = uplink;
	atomic_set(&eng->wake_seq, 0);
	mutex_init(&eng->lock);
	INIT_LIST_HEAD(&eng->ctx_list);
	spin_lock_init(&eng->table_lock);
	hash_init(eng->mac_hash);
	INIT_LIST_HEAD(&eng->running);
	eng->ntxq = max_t(unsigned int, uplink->real_num_tx_queues, 1);

	eng->thread = kthread_create(cdna_engine_thread, eng, "cdna/%s",
				     uplink->name);
	if (IS_ERR(eng->thread)) {
		ret = PTR_ERR(eng->thread);
		goto err_free_stats;
	}

	/* Wakers may still call wake_up_process() after the thread ended. */
	get_task_struct(eng->thread);

	rtnl_lock();
	ret = netdev_rx_handler_register(uplink, cdna_engine_rx_handler, eng);
	if (ret) {
		rtnl_unlock();
		dev_err(&nic->dev, "%s already has an rx_handler\n",
			uplink->name);
		goto err_stop_thread;
	}
	ret = dev_set_promiscuity(uplink, 1);
	if (ret)
		goto err_unregister_handler;
	eng->hooked = true;
	rtnl_unlock();

	nic->eng_priv = eng;
	nic->caps = (struct cdna_engine_caps) {
		.max_qp = READ_ONCE(cdna_sw_max_qp),
		.rx_buf_min = CDNA_MIN_RX_BUF,
		.rx_buf_max = CDNA_BUF_MAX_LEN,
		.rx_buf_align = 1,
		.ring_align = 1,
	};
	wake_up_process(eng->thread);
	return 0;

err_unregister_handler:
	netdev_rx_handler_unregister(uplink);
	rtnl_unlock();
err_stop_thread:
	kthread_stop(eng->thread);
	put_task_struct(eng->thread);
err_free_stats:
	free_percpu(eng->rx_stats);
err_free:
	kfree(eng);
	return ret;
}

/* Undo the rx_handler and the promiscuity of cdna_sw_create(). */
static void cdna_engine_unhook(struct cdna_engine *eng)
{
	ASSERT_RTNL();
	if (!eng->hooked)
		return;
	eng->hooked = false;
	/* Waits until no rx_handler call is in flight. */
	netdev_rx_handler_unregister(eng->uplink);
	dev_set_promiscuity(eng->uplink, -1);
}

/*
 * ops->netdev_unregister: if @dev is an uplink of ours, remove the
 * rx_handler and the promiscuity at once, as the owner of an rx_handler
 * must; the rest of the revocation (thread, contexts, the reference)
 * follows in ops->revoke, from a work item.  rtnl_lock held.
 */
static void cdna_sw_netdev_unregister(struct net_device *dev)
{
	ASSERT_RTNL();
	/* A move to another namespace also says NETDEV_UNREGISTER. */
	if (dev->reg_state == NETREG_REGISTERED ||
	    rcu_access_pointer(dev->rx_handler) != cdna_engine_rx_handler)
		return;
	cdna_engine_unhook(rtnl_dereference(dev->rx_handler_data));
}

/*
 * ops->revoke: the engine lets go of the uplink.  @nic is detaching; its
 * contexts may still exist and be open.
 *
 * Removes the rx_handler (unless the netdev notifier did already), stops
 * the thread and returns when nothing of the engine uses the uplink any
 * more: no frame reaches a context from it, none is sent to it.  Never
 * waits for a VM.  The engine's memory and its per-context state stay
 * until ops->destroy, so contexts that VMs still hold remain valid (the
 * engine just does not run them: doorbells only wake a thread that is
 * gone).  Takes rtnl_lock; idempotent.
 */
static void cdna_sw_revoke(struct cdna_nic *nic)
{
	struct cdna_engine *eng = nic->eng_priv;

	if (!eng || eng->revoked)
		return;
	rtnl_lock();
	cdna_engine_unhook(eng);
	rtnl_unlock();
	/* A pass in progress ends; no pass starts after this. */
	kthread_stop(eng->thread);
	WRITE_ONCE(eng->revoked, true);
}

/*
 * ops->destroy: free the engine of a NIC being detached (every context
 * was deleted), revoking the uplink first if that was not done.  Takes
 * rtnl_lock.
 */
static void cdna_sw_destroy(struct cdna_nic *nic)
{
	struct cdna_engine *eng = nic->eng_priv;

	if (!eng)
		return;
	cdna_sw_revoke(nic);
	if (!list_empty(&eng->ctx_list))
		dev_err(&nic->dev, "engine destroyed with contexts left\n");
	nic->eng_priv = NULL;
	put_task_struct(eng->thread);
	/* The rx_handler is gone (revoke), and with it the counters' writers. */
	free_percpu(eng->rx_stats);
	kfree(eng);
}

static void cdna_sw_queue_init(struct cdna_sw_queue *sq)
{
	unsigned int i;

	skb_queue_head_init(&sq->rx_backlog);
	skb_queue_head_init(&sq->rx_pending);
	atomic_set(&sq->rx_held, 0);
	atomic_set(&sq->rx_backlog_bytes, 0);
	for (i = 0; i < CDNA_DROP_MAX; i++)
		atomic64_set(&sq->rx_drops[i], 0);
}

/* ops->ctx_add: the engine learns about a new context (mdev probe). */
static int cdna_sw_ctx_add(struct cdna_ctx *ctx)
{
	struct cdna_engine *eng = ctx->nic->eng_priv;
	struct cdna_engine_ctx *ectx;
	unsigned int i;

	if (!eng)
		return -ENODEV;
	ectx = kzalloc(sizeof(*ectx), GFP_KERNEL);
	if (!ectx)
		return -ENOMEM;
	ectx->queues = kcalloc(2 * ctx->nqp, sizeof(*ectx->queues),
			       GFP_KERNEL);
	if (!ectx->queues) {
		kfree(ectx);
		return -ENOMEM;
	}
	ectx->eng = eng;
	ectx->ctx = ctx;
	mutex_init(&ectx->lock);
	INIT_WORK(&ectx->vfio_work, cdna_sw_vfio_work);
	INIT_HLIST_NODE(&ectx->hnode);
	INIT_LIST_HEAD(&ectx->run_node);
	for (i = 0; i < 2 * ctx->nqp; i++) {
		cdna_sw_queue_init(&ectx->queues[i]);
		ctx->queues[i].eng_priv = &ectx->queues[i];
	}
	ctx->eng_priv = ectx;

	mutex_lock(&eng->lock);
	ectx->txq = (u16)(eng->ctx_seq++ % eng->ntxq);
	list_add_tail(&ectx->node, &eng->ctx_list);
	cdna_engine_debugfs_add(eng, NULL);
	mutex_unlock(&eng->lock);
	return 0;
}

/*
 * ops->ctx_del: the engine forgets a context (mdev remove): no VM holds
 * it, its debugfs directory is gone.
 */
static void cdna_sw_ctx_del(struct cdna_ctx *ctx)
{
	struct cdna_engine_ctx *ectx = cdna_sw_ectx(ctx);
	struct cdna_engine *eng = ctx->nic->eng_priv;
	unsigned int i;

	if (!eng || !ectx)
		return;
	mutex_lock(&eng->lock);
	list_del(&ectx->node);
	mutex_unlock(&eng->lock);
	/* Only a pass over the list queues it. */
	cancel_work_sync(&ectx->vfio_work);

	mutex_lock(&ectx->lock);
	cdna_sw_release_locked(ctx);
	mutex_unlock(&ectx->lock);
	synchronize_rcu();
	for (i = 0; i < 2 * ctx->nqp; i++) {
		cdna_engine_rx_purge(&ctx->queues[i]);
		ctx->queues[i].eng_priv = NULL;
	}
	ctx->eng_priv = NULL;
	mutex_destroy(&ectx->lock);
	kfree(ectx->queues);
	kfree(ectx);
}

/*
 * ops->ctx_start: the driver set DRIVER_OK: run the context.
 *
 * Caches the settings the engine uses per packet (MAC, VLAN, trust,
 * features; not the MTU, which the driver may change while running) and
 * enters the context in the demux table.  Caller holds
 * ctx->lock.
 */
static void cdna_sw_ctx_start(struct cdna_ctx *ctx)
{
	struct cdna_engine_ctx *ectx = cdna_sw_ectx(ctx);
	struct cdna_engine *eng;
	unsigned int i;

	lockdep_assert_held(&ctx->lock);
	if (!ectx)
		return;
	eng = ectx->eng;
	mutex_lock(&ectx->lock);
	/* After a revoke nothing runs a context (its NIC lost the uplink). */
	if (ectx->started || READ_ONCE(eng->revoked))
		goto out_unlock;
	ether_addr_copy(ectx->mac, ctx->mac);
	ectx->vlan = ctx->vlan;
	ectx->trusted = ctx->trusted || !ctx->spoofchk;
	ectx->may_tag = ctx->trusted;
	ectx->features = ctx->drv_features;
	for (i = 0; i < 2 * ctx->nqp; i++)
		ctx->queues[i].features = ectx->features;
	cdna_engine_tx_set_rate(ectx, ctx->tx_rate);
	ectx->started = true;

	spin_lock_bh(&eng->table_lock);
	hlist_add_head_rcu(&ectx->hnode,
			   &eng->mac_hash[cdna_engine_hash(ectx->mac,
							   ectx->vlan)]);
	list_add_tail_rcu(&ectx->run_node, &eng->running);
	spin_unlock_bh(&eng->table_lock);
	cdna_engine_debugfs_add(eng, ectx);
out_unlock:
	mutex_unlock(&ectx->lock);
	cdna_engine_wake(eng);
}

/*
 * ops->ctx_stop: stop running a context (reset, error, close).
 *
 * Returns when the engine no longer processes the context and no RX path
 * can queue to it; every pin the context's buffers held is released
 * (rings stay mapped until their queues are disabled).  Caller holds
 * ctx->lock.
 */
static void cdna_sw_ctx_stop(struct cdna_ctx *ctx)
{
	struct cdna_engine_ctx *ectx = cdna_sw_ectx(ctx);
	struct cdna_engine *eng;
	unsigned int i;

	lockdep_assert_held(&ctx->lock);
	if (!ectx)
		return;
	eng = ectx->eng;
	mutex_lock(&ectx->lock);
	if (!ectx->started) {
		mutex_unlock(&ectx->lock);
		return;
	}
	ectx->started = false;
	spin_lock_bh(&eng->table_lock);
	hlist_del_init_rcu(&ectx->hnode);
	list_del_rcu(&ectx->run_node);
	spin_unlock_bh(&eng->table_lock);
	if (ctx->protect->flush)
		ctx->protect->flush(ctx);
	mutex_unlock(&ectx->lock);

	/* No rx_handler or internal switch still holds the context. */
	synchronize_rcu();
	INIT_LIST_HEAD(&ectx->run_node);
	for (i = 0; i < 2 * ctx->nqp; i++)
		cdna_engine_rx_purge(&ctx->queues[i]);
}

/*
 * ops->set_tx_policy: trust, spoofchk and rate changed; a started context
 * uses them from its next packet on.
 */
static void cdna_sw_set_tx_policy(struct cdna_ctx *ctx)
{
	struct cdna_engine_ctx *ectx = cdna_sw_ectx(ctx);

	lockdep_assert_held(&ctx->lock);
	if (!ectx)
		return;
	mutex_lock(&ectx->lock);
	if (ectx->started) {
		ectx->trusted = ctx->trusted || !ctx->spoofchk;
		ectx->may_tag = ctx->trusted;
		cdna_engine_tx_set_rate(ectx, ctx->tx_rate);
	}
	mutex_unlock(&ectx->lock);
	cdna_engine_wake(ectx->eng);
}

/* ops->queue_stats: q->stats plus the drops the enqueue path counted. */
static void cdna_sw_queue_stats(struct cdna_queue *q,
				struct cdna_queue_stats *st)
{
	struct cdna_sw_queue *sq = cdna_sw_q(q);
	unsigned int i;

	cdna_queue_stats_read(q, st);
	if (!sq)
		return;
	/* Drops counted by the RX enqueue path, not yet folded. */
	for (i = 0; i < CDNA_DROP_MAX; i++)
		st->drops[i] += atomic64_read(&sq->rx_drops[i]);
}

const struct cdna_engine_ops cdna_sw_engine_ops = {
	.name			= "software",
	.create			= cdna_sw_create,
	.revoke			= cdna_sw_revoke,
	.destroy		= cdna_sw_destroy,
	.netdev_unregister	= cdna_sw_netdev_unregister,
	.ctx_add		= cdna_sw_ctx_add,
	.ctx_del		= cdna_sw_ctx_del,
	.ctx_start		= cdna_sw_ctx_start,
	.ctx_stop		= cdna_sw_ctx_stop,
	.ctx_lock		= cdna_sw_ctx_lock,
	.ctx_unlock		= cdna_sw_ctx_unlock,
	.release_locked		= cdna_sw_release_locked,
	.dma_unmap_locked	= cdna_sw_dma_unmap_locked,
	.queue_enable		= cdna_sw_queue_enable,
	.queue_disable		= cdna_sw_queue_disable,
	.kick			= cdna_sw_kick,
	.queue_stats		= cdna_sw_queue_stats,
	.set_tx_policy		= cdna_sw_set_tx_policy,
};
