/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cdna software NIC engine: private header of kmod/sw/.
 *
 * One implementation of struct cdna_engine_ops (engine.h): the host CPU
 * does what a NIC with per-context queues does, over any uplink
 * net_device.  Nothing outside kmod/sw/ includes this header; the rest of
 * cdna.ko reaches the engine through cdna_sw_engine_ops only.
 *
 *   sw.c        instance, thread, contexts, the ops table
 *   sw_queue.c  queue enable/disable, doorbells, ring errors
 *   sw_rx.c     uplink receive, RX backlog, delivery into guest buffers
 *   sw_tx.c     guest transmit, validation, switching
 */
#ifndef _CDNA_SW_H
#define _CDNA_SW_H

#include "cdna.h"

#define CDNA_RX_BACKLOG		1024	/* skbs queued per RX queue */

/**
 * struct cdna_sw_queue - the software engine's own state of one queue
 *	(struct cdna_queue.eng_priv)
 * @rx_backlog: RX only: skbs waiting for guest buffers (its own lock)
 * @rx_pending: RX only: skbs taken off @rx_backlog (segments of a GSO
 *	skb the guest cannot take whole), engine-owned
 * @rx_held: RX only: skbs on @rx_backlog and @rx_pending, at most
 *	CDNA_RX_BACKLOG (charged before an skb is queued, see sw_rx.c)
 * @rx_backlog_bytes: RX only: truesize charged for the skbs on
 *	@rx_backlog and @rx_pending, at most the rx_backlog_bytes parameter
 * @rx_drops: RX only: drops counted by the enqueue path (any context) by
 *	reason, folded into the queue's stats by the engine
 * @tx_credit: TX only: cost the queue may still spend (deficit round
 *	robin, sw_tx.c); negative after a packet that cost more
 * @tx_nomem: TX only: passes in a row the packet in hand found no memory
 * @buf: scratch: the guest buffer being copied
 *
 * Everything but @rx_backlog, @rx_held, @rx_backlog_bytes and @rx_drops
 * (any context, atomics or the queue's lock) is protected by the
 * context's engine lock (struct cdna_engine_ctx.lock).
 */
struct cdna_sw_queue {
	struct sk_buff_head rx_backlog;
	struct sk_buff_head rx_pending;
	atomic_t rx_held;
	atomic_t rx_backlog_bytes;
	atomic64_t rx_drops[CDNA_DROP_MAX];
	s32 tx_credit;
	u8 tx_nomem;
	struct cdna_buf buf;
};

/**
 * cdna_sw_q() - the software engine's state of a queue
 * @q: a queue of a context the software engine added
 *
 * Return: its struct cdna_sw_queue.
 */
static inline struct cdna_sw_queue *cdna_sw_q(const struct cdna_queue *q)
{
	return q->eng_priv;
}

#define CDNA_ENGINE_HASH_BITS	8

/* What the uplink's rx_handler did with a frame (struct cdna_engine_rx_stats). */
enum cdna_engine_rx_count {
	CDNA_ENGINE_RX_TO_CTX,		/* delivered to a context */
	CDNA_ENGINE_RX_FLOODED,		/* broadcast/multicast, replicated */
	CDNA_ENGINE_RX_PASSED,		/* left to the host stack */
	CDNA_ENGINE_RX_NR
};

/**
 * struct cdna_engine_rx_stats - one CPU's counters of the uplink's rx_handler
 * @syncp: the softirq on this CPU is the one writer
 * @cnt: frames, by enum cdna_engine_rx_count
 *
 * Per CPU, so that the host's own traffic on the uplink, which the
 * rx_handler sees too, shares no cache line between CPUs.
 */
struct cdna_engine_rx_stats {
	struct u64_stats_sync syncp;
	u64_stats_t cnt[CDNA_ENGINE_RX_NR];
};

/**
 * struct cdna_engine - the software NIC engine of one uplink
 * @nic: the NIC
 * @uplink: the uplink (the NIC holds the reference)
 * @thread: the engine thread, "cdna/<ifname>"
 * @wake_seq: bumped by every wake-up (kicks, RX arrivals)
 * @sleeping: the thread is (about to be) asleep; wakers must wake it
 * @hooked: the rx_handler is registered and the uplink promiscuous
 *	(rtnl_lock)
 * @revoked: the engine let go of the uplink (cdna_engine_revoke()): the
 *	thread is stopped (its task_struct stays referenced for wakers)
 *	and @uplink must not be used any more.  Written once by the NIC's
 *	detach, before contexts are revoked; read under a context's
 *	engine lock or by the detach itself
 * @lock: protects @ctx_list; the thread holds it for a whole pass
 * @ctx_list: every context of the NIC (struct cdna_engine_ctx.node)
 * @table_lock: serialises writers of @mac_hash and @running
 * @mac_hash: started contexts by MAC and VLAN (RCU readers)
 * @running: started contexts, for flooding (RCU readers)
 * @ntxq: uplink TX queues contexts are spread over
 * @ctx_seq: contexts added so far (@lock), spreads them over @ntxq
 * @rx_stats: the rx_handler's counters, per CPU (struct cdna_engine_rx_stats)
 * @switched: context-to-context frames switched internally (by the
 *	thread and the contexts' VFIO work: atomic)
 * @tx_uplink: context frames sent through the uplink (likewise)
 * @syncp: the thread's counters below; the thread is their one writer
 * @passes: engine passes
 * @sleeps: times the engine went to sleep
 * @busy_skips: contexts a pass skipped because their engine lock was held
 * @vfio_skips: contexts a pass left to their VFIO work
 * @poll_ns: the thread's current poll window
 * @resume_ns: earliest time a rate-limited context may send again, 0 for
 *	none (engine thread: set by each pass, used by the sleep)
 * @debugfs: "engine" directory under the NIC's debugfs directory
 */
struct cdna_engine {
	struct cdna_nic *nic;
	struct net_device *uplink;
	struct task_struct *thread;
	atomic_t wake_seq;
	bool sleeping;
	bool hooked;
	bool revoked;

	struct mutex lock;	/* ctx_list, ctx_seq */
	struct list_head ctx_list;

	spinlock_t table_lock;	/* writers of mac_hash, running */
	struct hlist_head mac_hash[1 << CDNA_ENGINE_HASH_BITS];
	struct list_head running;
	unsigned int ntxq;
	unsigned int ctx_seq;

	struct cdna_engine_rx_stats __percpu *rx_stats;
	atomic64_t switched;
	atomic64_t tx_uplink;
	struct u64_stats_sync syncp;
	u64_stats_t passes;
	u64_stats_t sleeps;
	u64_stats_t busy_skips;
	u64_stats_t vfio_skips;
	u64 poll_ns;
	u64 resume_ns;

	struct dentry *debugfs;
};

/**
 * struct cdna_engine_ctx - the engine's state of one context
 * @eng: the engine
 * @ctx: the context
 * @node: entry in eng->ctx_list
 * @hnode: entry in eng->mac_hash while started
 * @run_node: entry in eng->running while started
 * @lock: the context's engine lock: held by the engine thread (or the
 *	context's @vfio_work) while it processes the context, and by
 *	whoever changes what the engine uses (queue enable/disable,
 *	start/stop, DMA unmap, close).  Nests inside ctx->lock; never held
 *	while taking ctx->lock.
 * @started: the engine processes the context (@lock)
 * @vfio_work: processes the context once, for the thread, where a buffer
 *	needs VFIO (a page to pin, a copy through vfio_dma_rw()): a call
 *	that may wait on the VM's own locks and faults, which the thread
 *	shared by every context never makes (sw.c)
 * @vfio_queued: @vfio_work is queued or running: the thread leaves the
 *	context alone until it ran (written under @lock, read locklessly)
 * @vfio_wanted: this pass met a buffer that needs VFIO (@lock)
 * @in_vfio_work: @lock is held by @vfio_work, which may call into VFIO
 * @vfio_deferrals: passes handed to @vfio_work (@lock)
 * @mac: context MAC, cached at start
 * @vlan: context VLAN, cached at start
 * @trusted: may send any source MAC, cached at start
 * @may_tag: may send VLAN-tagged frames (trusted; spoofchk off is not
 *	enough), cached at start
 * @features: driver-acked features, cached at start
 * @txq: uplink TX queue of the context
 * @tx_rate: TX rate limit in bytes per second, 0 for none (@lock)
 * @tx_tokens: bytes the context may send now; negative after a frame
 *	larger than what was left (a debt the refill pays first)
 * @tx_burst: bytes the bucket holds at most
 * @tx_stamp: ktime_get_ns() of the last refill
 * @tx_held: TX is held back until the bucket refills (@lock)
 * @tx_skb_allocs: skbs allocated for its TX frames (@lock)
 * @tx_nomem_deferred: TX packets left in the ring for a later pass
 *	because an allocation failed (@lock)
 * @tx_cost: TX cost charged to its queues, bytes (@lock; sw_tx.c)
 * @tx_debt_passes: passes a TX queue sat out to pay its debt (@lock)
 * @nrxq: running RX queues in @rxq (written under @lock, read locklessly)
 * @rxq: their queue pair numbers
 * @queues: the engine's state of each of the context's queues
 *	(2 * ctx->nqp, indexed like ctx->queues)
 * @debugfs: "datapath" directory under the context's debugfs directory
 */
struct cdna_engine_ctx {
	struct cdna_engine *eng;
	struct cdna_ctx *ctx;
	struct list_head node;
	struct hlist_node hnode;
	struct list_head run_node;

	struct mutex lock;	/* the engine's use of the context */
	bool started;
	struct work_struct vfio_work;
	bool vfio_queued;
	bool vfio_wanted;
	bool in_vfio_work;
	u64 vfio_deferrals;
	u8 mac[ETH_ALEN];
	u16 vlan;
	bool trusted;
	bool may_tag;
	u64 features;
	u16 txq;
	u64 tx_rate;
	s64 tx_tokens;
	s64 tx_burst;
	u64 tx_stamp;
	bool tx_held;
	u64 tx_skb_allocs;
	u64 tx_nomem_deferred;
	u64 tx_cost;
	u64 tx_debt_passes;
	unsigned int nrxq;
	u8 rxq[CDNA_MAX_QUEUE_PAIRS];
	struct cdna_sw_queue *queues;

	struct dentry *debugfs;
};

static inline struct cdna_engine_ctx *cdna_sw_ectx(struct cdna_ctx *ctx)
{
	return ctx->eng_priv;
}

/*
 * The get_buf flags the holder of @ectx's engine lock passes: the thread
 * must not wait on VFIO, the context's VFIO work may.
 */
static inline unsigned int cdna_sw_buf_flags(const struct cdna_engine_ctx *ectx)
{
	return ectx->in_vfio_work ? 0 : CDNA_BUF_NOWAIT;
}

/* sw.c: the engine, its thread and its per-context state */
/* Counts a frame of the rx_handler (softirq) on this CPU. */
static inline void cdna_engine_rx_count(struct cdna_engine *eng,
					enum cdna_engine_rx_count what)
{
	struct cdna_engine_rx_stats *st = this_cpu_ptr(eng->rx_stats);

	u64_stats_update_begin(&st->syncp);
	u64_stats_inc(&st->cnt[what]);
	u64_stats_update_end(&st->syncp);
}

/* Counts one of the engine thread's events (@c: a counter of @eng). */
static inline void cdna_engine_thread_count(struct cdna_engine *eng,
					    u64_stats_t *c)
{
	u64_stats_update_begin(&eng->syncp);
	u64_stats_inc(c);
	u64_stats_update_end(&eng->syncp);
}

void cdna_engine_queues_changed(struct cdna_ctx *ctx);
void cdna_engine_wake(struct cdna_engine *eng);
struct cdna_engine_ctx *cdna_engine_lookup(struct cdna_engine *eng,
					   const u8 *mac, u16 vlan);
void cdna_engine_count_drop(struct cdna_queue *q, enum cdna_drop_reason r);

/* sw_rx.c: uplink receive, RX backlog, delivery into guest buffers */
rx_handler_result_t cdna_engine_rx_handler(struct sk_buff **pskb);
void cdna_engine_rx_enqueue(struct cdna_engine_ctx *ectx,
			    struct sk_buff *skb);
void cdna_engine_flood(struct cdna_engine *eng, struct cdna_engine_ctx *from,
		       struct sk_buff *skb, u16 vlan);
int cdna_engine_rx_poll(struct cdna_engine_ctx *ectx, struct cdna_queue *q,
			int budget);
void cdna_engine_rx_purge(struct cdna_queue *q);
void cdna_engine_error_cpl(struct cdna_queue *q, u16 ndesc,
			   enum cdna_drop_reason r);

/* sw_tx.c: guest transmit, validation, switching */
void cdna_engine_tx_set_rate(struct cdna_engine_ctx *ectx, u32 mbit);
bool cdna_engine_tx_refill(struct cdna_engine_ctx *ectx, u64 now,
			   u64 *resume);
int cdna_engine_tx_poll(struct cdna_engine_ctx *ectx, struct cdna_queue *q,
			int budget);

/* sw_queue.c: the queue ops and what stops a queue */
int cdna_sw_queue_enable(struct cdna_queue *q);
void cdna_sw_queue_disable(struct cdna_queue *q);
void cdna_sw_kick(struct cdna_queue *q);
void cdna_sw_queue_stop_locked(struct cdna_queue *q);
void cdna_sw_ring_error(struct cdna_queue *q, u32 cause);

#endif /* _CDNA_SW_H */
