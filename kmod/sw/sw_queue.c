// SPDX-License-Identifier: GPL-2.0
/*
 * cdna software engine: its queue ops.
 *
 * The guest enables a queue (vf_regs.c) and the presentation calls
 * ops->queue_enable: the rings are mapped through the ring library
 * (queue.c) under the context's engine lock, the queue joins the RX map
 * and the thread is woken.  Disabling, a ring error and a DMA unmap take
 * the queue back the same way and drop the skbs it held.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "sw.h"

/**
 * cdna_sw_queue_enable() - ops->queue_enable: map a queue's rings and let
 *	the engine run it
 * @q: the queue; its cfg_* fields hold a configuration vf_regs.c checked
 *	(size, alignment, no wrap)
 *
 * Caller holds ctx->lock.
 *
 * Return: 0; -EFAULT if an area is not DMA-mapped memory; -ENOMEM; -EBUSY
 * if the queue is running already; -ENODEV without engine state or
 * protection; -EINVAL for a bad ring size.
 */
int cdna_sw_queue_enable(struct cdna_queue *q)
{
	struct cdna_ctx *ctx = q->ctx;
	struct cdna_engine_ctx *ectx = cdna_sw_ectx(ctx);
	int ret;

	lockdep_assert_held(&ctx->lock);
	if (!ectx)
		return -ENODEV;

	mutex_lock(&ectx->lock);
	if (q->running) {
		ret = -EBUSY;
		goto out_unlock;
	}
	ret = cdna_queue_map(q);
	if (ret)
		goto out_unlock;
	/* Read locklessly by the RX enqueue path. */
	WRITE_ONCE(q->running, true);
	cdna_engine_queues_changed(ctx);
	mutex_unlock(&ectx->lock);

	cdna_engine_wake(ectx->eng);
	return 0;

out_unlock:
	mutex_unlock(&ectx->lock);
	return ret;
}

/**
 * cdna_sw_queue_stop_locked() - take a queue from the engine, unmap its
 *	rings
 * @q: the queue
 *
 * Idempotent.  Drops the RX skbs the queue held.  Caller holds the
 * context's engine lock.
 */
void cdna_sw_queue_stop_locked(struct cdna_queue *q)
{
	struct cdna_ctx *ctx = q->ctx;

	lockdep_assert_held(&cdna_sw_ectx(ctx)->lock);
	if (q->running) {
		WRITE_ONCE(q->running, false);
		cdna_engine_queues_changed(ctx);
	}
	cdna_queue_cancel_irq(q);
	cdna_engine_rx_purge(q);
	cdna_queue_unmap(q);
}

/**
 * cdna_sw_queue_disable() - ops->queue_disable: stop a queue (ENABLE = 0,
 *	reset, close)
 * @q: the queue
 *
 * Returns when the engine no longer touches the queue and its rings are
 * unpinned.  Caller holds ctx->lock.
 */
void cdna_sw_queue_disable(struct cdna_queue *q)
{
	struct cdna_ctx *ctx = q->ctx;
	struct cdna_engine_ctx *ectx = cdna_sw_ectx(ctx);

	lockdep_assert_held(&ctx->lock);
	if (!ectx)
		return;
	mutex_lock(&ectx->lock);
	cdna_sw_queue_stop_locked(q);
	mutex_unlock(&ectx->lock);
	if (!q->is_tx) {
		/* An RX enqueue that saw the queue running has finished. */
		synchronize_rcu();
		cdna_engine_rx_purge(q);
	}
}

/**
 * cdna_sw_kick() - ops->kick: the guest rang the queue's doorbell
 * @q: the queue
 *
 * Wakes the engine; vf_regs.c counted the kick.  Any context.
 */
void cdna_sw_kick(struct cdna_queue *q)
{
	struct cdna_engine_ctx *ectx = cdna_sw_ectx(q->ctx);

	if (ectx)
		cdna_engine_wake(ectx->eng);
}

/**
 * cdna_sw_ring_error() - stop a queue for a device error
 * @q: the queue
 * @cause: CDNA_ERR_*
 *
 * The queue stops at once; the context enters its error state through
 * cdna_ctx_raise_error() (a work item: no locks of ours are needed).
 * Caller holds the context's engine lock.
 */
void cdna_sw_ring_error(struct cdna_queue *q, u32 cause)
{
	struct cdna_ctx *ctx = q->ctx;

	dev_dbg(mdev_dev(ctx->mdev), "queue %u: ring error %u\n", q->index,
		cause);
	cdna_sw_queue_stop_locked(q);
	cdna_ctx_raise_error(ctx, cause, q->index);
}
