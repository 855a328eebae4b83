// SPDX-License-Identifier: GPL-2.0
/*
 * cdna queues: the guest-ring library every backend uses.
 *
 * A queue's three guest areas (descriptor ring, completion ring, shared
 * indices) are pinned and vmap()ed by the protection while the queue is
 * enabled (cdna_queue_map(), called by the backend's queue_enable).  This
 * file owns everything that touches them, for whichever backend runs the
 * queue (engine.h):
 *
 *  - reading the producer index once per poll and checking it against the
 *    ring (a bad index is a device error, CDNA_ERR_RING_INDEX);
 *  - reading each descriptor exactly once into a host copy
 *    (struct cdna_txd, struct cdna_rxd) that is all the engine acts on;
 *  - writing completions in order and publishing dev.cons;
 *  - the event-index rules in both directions (kick_event, irq_event) and
 *    interrupt moderation.
 *
 * Barriers pair with the guest driver's: it writes descriptors, then
 * (wmb) prod; it reads cons, then (rmb) completions and buffers.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hrtimer.h>

#include "cdna.h"

static struct cdna_queue_shm *cdna_queue_shm(struct cdna_queue *q)
{
	return q->shm.vaddr;
}

static enum hrtimer_restart cdna_queue_coal_fire(struct hrtimer *t)
{
	struct cdna_queue *q = container_of(t, struct cdna_queue, coal_timer);

	spin_lock(&q->coal_lock);
	q->coal_armed = false;
	q->coal_count = 0;
	spin_unlock(&q->coal_lock);
	cdna_irq_signal(q->ctx, CDNA_MSIX_QP_VECTOR(q->index / 2));
	return HRTIMER_NORESTART;
}

/**
 * cdna_queue_init() - initialise the ring state of a queue
 * @q: a queue of a context being created (ctx.c)
 */
void cdna_queue_init(struct cdna_queue *q)
{
	WRITE_ONCE(q->running, false);
	spin_lock_init(&q->coal_lock);
	hrtimer_init(&q->coal_timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_SOFT);
	q->coal_timer.function = cdna_queue_coal_fire;
}

/**
 * cdna_queue_unmap() - unmap a queue's three guest areas
 * @q: a queue whose rings cdna_queue_map() mapped (or some of them)
 *
 * Idempotent.  Caller holds the engine exclusion, the queue is not
 * running.
 */
void cdna_queue_unmap(struct cdna_queue *q)
{
	const struct cdna_protect_ops *prot = q->ctx->protect;

	if (!q->desc.pages && !q->cpl.pages && !q->shm.pages)
		return;
	prot->unmap_ring(q->ctx, &q->shm);
	prot->unmap_ring(q->ctx, &q->cpl);
	prot->unmap_ring(q->ctx, &q->desc);
}

/**
 * cdna_queue_map() - map a queue's rings where its cfg_* fields say
 * @q: the queue, not running; its cfg_* fields hold a configuration
 *	vf_regs.c checked (size, alignment, no wrap)
 *
 * Pins and maps the three areas through the context's protection (they
 * must lie wholly in memory the VM mapped for DMA) and resets the ring
 * state: indices 0, dev.cons = dev.kick_event = 0, no interrupt pending.
 * The caller (a backend's queue_enable) holds the engine exclusion and
 * sets q->running after.
 *
 * Return: 0; -EINVAL for a ring size out of range; -EFAULT if an area is
 * not DMA-mapped memory; -ENOMEM; -ENODEV without a protection.
 */
int cdna_queue_map(struct cdna_queue *q)
{
	struct cdna_ctx *ctx = q->ctx;
	const struct cdna_protect_ops *prot = ctx->protect;
	size_t dsize = q->is_tx ? sizeof(struct cdna_tx_desc) :
				  sizeof(struct cdna_rx_desc);
	struct cdna_queue_shm *shm;
	u32 size = q->cfg_size;
	int ret;

	if (!prot || !prot->map_ring)
		return -ENODEV;
	if (!is_power_of_2(size) || size < CDNA_MIN_RING_SIZE ||
	    size > CDNA_MAX_RING_SIZE)
		return -EINVAL;
	ret = prot->map_ring(ctx, q->cfg_desc, (size_t)size * dsize, &q->desc);
	if (ret)
		return ret;
	ret = prot->map_ring(ctx, q->cfg_cpl,
			     (size_t)size * sizeof(struct cdna_cpl), &q->cpl);
	if (ret)
		goto err_unmap_desc;
	ret = prot->map_ring(ctx, q->cfg_shm, sizeof(struct cdna_queue_shm),
			     &q->shm);
	if (ret)
		goto err_unmap_cpl;

	q->size = size;
	q->mask = size - 1;
	q->next_desc = 0;
	q->fetch = 0;
	q->cons = 0;
	q->irq_cons = 0;
	q->coal_count = 0;
	q->coal_armed = false;
	shm = cdna_queue_shm(q);
	WRITE_ONCE(shm->dev.cons, cpu_to_le32(0));
	WRITE_ONCE(shm->dev.kick_event, cpu_to_le32(0));
	return 0;

err_unmap_cpl:
	prot->unmap_ring(ctx, &q->cpl);
err_unmap_desc:
	prot->unmap_ring(ctx, &q->desc);
	return ret;
}

/**
 * cdna_queue_cancel_irq() - cancel the queue's moderation timer
 * @q: a queue being stopped
 *
 * Returns when the timer no longer runs.  Sleeps (waits for the timer).
 */
void cdna_queue_cancel_irq(struct cdna_queue *q)
{
	hrtimer_cancel(&q->coal_timer);
	q->coal_armed = false;
}

static bool cdna_range_overlaps(const struct cdna_ring_map *m, u64 iova,
				u64 len)
{
	u64 last = iova + len - 1;

	if (!m->pages)
		return false;
	if (last < iova)
		last = U64_MAX;
	return iova <= m->iova + m->len - 1 && last >= m->iova;
}

/**
 * cdna_queue_overlaps() - does a guest range hold one of a queue's rings?
 * @q: the queue
 * @iova: first address of the range
 * @len: its length in bytes (the range may wrap: to the end of the space)
 *
 * Caller holds the engine exclusion.
 *
 * Return: true if a mapped ring of @q lies (partly) in the range.
 */
bool cdna_queue_overlaps(const struct cdna_queue *q, u64 iova, u64 len)
{
	return cdna_range_overlaps(&q->desc, iova, len) ||
	       cdna_range_overlaps(&q->cpl, iova, len) ||
	       cdna_range_overlaps(&q->shm, iova, len);
}

/**
 * cdna_queue_read_prod() - read the guest's producer index once
 * @q: a running queue
 * @prod: the index read
 *
 * Checks that @prod is at most a ring ahead of what was completed and not
 * behind what was already read.  Caller holds the engine exclusion.
 *
 * Return: true if sane; false for a ring index error (the caller stops).
 */
bool cdna_queue_read_prod(struct cdna_queue *q, u32 *prod)
{
	u32 p = le32_to_cpu(READ_ONCE(cdna_queue_shm(q)->drv.prod));

	/* Orders the prod read before the descriptor reads that follow;
	 * pairs with the driver's wmb between descriptors and prod.
	 */
	smp_rmb();
	if (p - q->next_desc > q->size || p - q->next_desc < q->fetch -
	    q->next_desc)
		return false;
	*prod = p;
	return true;
}

/**
 * cdna_queue_fetch_tx() - read the TX descriptor at q->fetch, once
 * @q: a running TX queue with q->fetch before the producer index
 * @d: host copy to fill
 *
 * Each field is read exactly once; the engine acts only on @d.
 */
void cdna_queue_fetch_tx(struct cdna_queue *q, struct cdna_txd *d)
{
	struct cdna_tx_desc *g = (struct cdna_tx_desc *)q->desc.vaddr +
				 (q->fetch & q->mask);

	d->addr = le64_to_cpu(READ_ONCE(g->addr));
	d->len = le32_to_cpu(READ_ONCE(g->len));
	d->flags = le16_to_cpu(READ_ONCE(g->flags));
	d->gso_size = le16_to_cpu(READ_ONCE(g->gso_size));
	d->csum_start = le16_to_cpu(READ_ONCE(g->csum_start));
	d->csum_offset = le16_to_cpu(READ_ONCE(g->csum_offset));
	d->hdr_len = le16_to_cpu(READ_ONCE(g->hdr_len));
	q->fetch++;
}

/**
 * cdna_queue_fetch_rx() - read the RX descriptor at q->fetch, once
 * @q: a running RX queue with q->fetch before the producer index and
 *	fewer than CDNA_MAX_RX_FRAGS descriptors read but not completed
 *
 * The copy stays in the shadow slot of its ring position until a
 * completion consumes it (cdna_queue_rxd()).
 *
 * Return: the host copy.
 */
const struct cdna_rxd *cdna_queue_fetch_rx(struct cdna_queue *q)
{
	struct cdna_rx_desc *g = (struct cdna_rx_desc *)q->desc.vaddr +
				 (q->fetch & q->mask);
	struct cdna_rxd *d = &q->shadow.rx[q->fetch & (CDNA_RX_SHADOW - 1)];

	BUILD_BUG_ON_NOT_POWER_OF_2(CDNA_RX_SHADOW);
	BUILD_BUG_ON(CDNA_RX_SHADOW < CDNA_MAX_RX_FRAGS);
	WARN_ON_ONCE(q->fetch - q->next_desc >= CDNA_MAX_RX_FRAGS);
	d->addr = le64_to_cpu(READ_ONCE(g->addr));
	d->len = le32_to_cpu(READ_ONCE(g->len));
	q->fetch++;
	return d;
}

/**
 * cdna_queue_drop_status() - the completion status for a drop reason
 * @r: why the descriptors were refused, CDNA_DROP_MAX for none
 *
 * Return: the CDNA_CPL_* status every backend writes for @r.
 */
u16 cdna_queue_drop_status(enum cdna_drop_reason r)
{
	switch (r) {
	case CDNA_DROP_MAX:
		return CDNA_CPL_OK;
	case CDNA_DROP_BAD_ADDR:
		return CDNA_CPL_ERR_ADDR;
	case CDNA_DROP_BAD_LEN:
		return CDNA_CPL_ERR_LEN;
	case CDNA_DROP_BAD_FLAGS:
		return CDNA_CPL_ERR_FLAGS;
	case CDNA_DROP_BAD_OFFLOAD:
		return CDNA_CPL_ERR_OFFLOAD;
	case CDNA_DROP_SPOOF:
		return CDNA_CPL_ERR_SPOOF;
	default:
		return CDNA_CPL_ERR_DROPPED;
	}
}

/**
 * cdna_queue_complete() - write one completion
 * @q: a running queue
 * @cpl: the completion, little endian, ndesc included
 * @ndesc: descriptors it consumes (the host value of cpl->ndesc): the
 *	first @ndesc of those read and not yet completed, never more
 *
 * The guest sees it after cdna_queue_publish().
 */
void cdna_queue_complete(struct cdna_queue *q, const struct cdna_cpl *cpl,
			 u16 ndesc)
{
	struct cdna_cpl *slot = (struct cdna_cpl *)q->cpl.vaddr +
				(q->cons & q->mask);

	/* A completion names only descriptors the engine read and checked. */
	WARN_ON_ONCE(!ndesc || ndesc > q->fetch - q->next_desc);
	memcpy(slot, cpl, sizeof(*slot));
	q->cons++;
	q->next_desc += ndesc;
}

/* Raise the queue's vector now or when moderation says so. */
static void cdna_queue_signal(struct cdna_queue *q, u32 delta)
{
	u32 usecs = 0, frames = 0;
	bool now;

	if (q->features & BIT_ULL(CDNA_F_IRQ_COAL)) {
		usecs = READ_ONCE(q->ctx->coal[q->is_tx ? CDNA_COAL_TX_USECS :
						      CDNA_COAL_RX_USECS]);
		frames = READ_ONCE(q->ctx->coal[q->is_tx ?
						CDNA_COAL_TX_FRAMES :
						CDNA_COAL_RX_FRAMES]);
		usecs = min_t(u32, usecs, CDNA_MAX_COAL_USECS);
	}

	spin_lock_bh(&q->coal_lock);
	if (!usecs || (frames && q->coal_count + delta >= frames)) {
		now = true;
		q->coal_count = 0;
		if (q->coal_armed && hrtimer_try_to_cancel(&q->coal_timer) == 1)
			q->coal_armed = false;
	} else {
		/* An armed timer fires after our cons store: it covers us. */
		now = false;
		q->coal_count += delta;
		if (!q->coal_armed) {
			q->coal_armed = true;
			hrtimer_start(&q->coal_timer, ns_to_ktime((u64)usecs * NSEC_PER_USEC),
				      HRTIMER_MODE_REL_SOFT);
			u64_stats_update_begin(&q->stats.syncp);
			q->stats.irqs++;
			u64_stats_update_end(&q->stats.syncp);
		}
	}
	spin_unlock_bh(&q->coal_lock);

	if (now) {
		cdna_irq_signal(q->ctx, CDNA_MSIX_QP_VECTOR(q->index / 2));
		u64_stats_update_begin(&q->stats.syncp);
		q->stats.irqs++;
		u64_stats_update_end(&q->stats.syncp);
	}
}

/**
 * cdna_queue_publish() - make written completions visible, interrupt
 * @q: a running queue
 *
 * Stores dev.cons, then raises the queue's vector if the guest asked for
 * it (event index) and moderation allows.
 */
void cdna_queue_publish(struct cdna_queue *q)
{
	struct cdna_queue_shm *shm = cdna_queue_shm(q);
	u32 old = q->irq_cons, new = q->cons, ev;
	bool need = true;

	if (old == new)
		return;
	/* Completion entries and buffer contents before cons; pairs with
	 * the driver's rmb after reading cons.
	 */
	smp_wmb();
	WRITE_ONCE(shm->dev.cons, cpu_to_le32(new));
	q->irq_cons = new;

	if (q->features & BIT_ULL(CDNA_F_EVENT_IDX)) {
		/* cons store before the irq_event load; pairs with the
		 * driver's mb between storing irq_event and re-reading cons.
		 */
		smp_mb();
		ev = le32_to_cpu(READ_ONCE(shm->drv.irq_event));
		need = (u32)(new - ev - 1) < (u32)(new - old);
	}
	if (need)
		cdna_queue_signal(q, new - old);
}

/**
 * cdna_queue_arm_kick() - ask (or not) for a doorbell before going idle
 * @q: a running queue, all of whose published descriptors were handled
 *	or cannot be yet
 * @want: the engine needs to hear about new descriptors
 *
 * With @want, stores kick_event = the next descriptor to read, so that the
 * guest's next publish rings; otherwise puts kick_event half a ring-space
 * away so that it does not.  Then reads prod once more.
 *
 * Return: true if the guest published descriptors the engine has not read
 * (and @want): the engine must not sleep.
 */
bool cdna_queue_arm_kick(struct cdna_queue *q, bool want)
{
	struct cdna_queue_shm *shm = cdna_queue_shm(q);
	u32 prod;

	WRITE_ONCE(shm->dev.kick_event,
		   cpu_to_le32(want ? q->fetch : q->fetch + 0x80000000U));
	if (!want)
		return false;
	/* kick_event store before the prod load; pairs with the driver's
	 * mb between storing prod and reading kick_event.
	 */
	smp_mb();
	prod = le32_to_cpu(READ_ONCE(shm->drv.prod));
	return prod != q->fetch;
}

/**
 * cdna_queue_stats_read() - a snapshot of the counters in q->stats
 * @q: the queue
 * @st: filled with packets, bytes, drops and irqs (not kicks)
 *
 * For backends that count in q->stats; any context.
 */
void cdna_queue_stats_read(struct cdna_queue *q, struct cdna_queue_stats *st)
{
	unsigned int start;

	do {
		start = u64_stats_fetch_begin(&q->stats.syncp);
		st->packets = q->stats.packets;
		st->bytes = q->stats.bytes;
		st->irqs = q->stats.irqs;
		memcpy(st->drops, q->stats.drops, sizeof(st->drops));
	} while (u64_stats_fetch_retry(&q->stats.syncp, start));
}

/**
 * cdna_queue_restore() - put a migrated queue at its saved indices
 * @q: a queue just mapped by its backend's queue_enable, not processed yet
 *	(its context is not started)
 * @next_desc: the oldest descriptor not completed on the source: the
 *	engine reads again from there
 * @cons: completions written on the source
 *
 * queue_enable started the ring at 0; a migrated ring goes on where the
 * source stopped.  dev.cons in the shared area (guest memory, migrated with
 * the VM) is set back to @cons, which the source had published.  Caller
 * holds the engine exclusion (cdna_eng_lock()).
 */
void cdna_queue_restore(struct cdna_queue *q, u32 next_desc, u32 cons)
{
	struct cdna_queue_shm *shm = cdna_queue_shm(q);

	q->next_desc = next_desc;
	q->fetch = next_desc;
	q->cons = cons;
	q->irq_cons = cons;
	WRITE_ONCE(shm->dev.cons, cpu_to_le32(cons));
	WRITE_ONCE(shm->dev.kick_event, cpu_to_le32(next_desc));
}
