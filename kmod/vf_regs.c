// SPDX-License-Identifier: GPL-2.0
/*
 * cdna: BAR0 register emulation.
 *
 * Turns guest register accesses into context and queue operations.  The
 * registers are host state: a value the guest wrote is validated once, when
 * it is acted on, and never read again from anywhere the guest can change.
 * Nothing a guest writes can do more than put its own context into the
 * NEEDS_RESET state or bump a counter.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/log2.h>

#include "cdna.h"

#define CDNA_REGS_END		(CDNA_REG_KICK_PAGE_STATUS + 4)
#define CDNA_QREGS_END		CDNA_REG_QUEUE(CDNA_MAX_QUEUES, 0)
#define CDNA_DOORBELL_END	CDNA_REG_DOORBELL(CDNA_MAX_QUEUES)
#define CDNA_RING_ALIGN		64
#define CDNA_SHM_ALIGN		128

#define CDNA_STATUS_DRV_BITS	(CDNA_STATUS_ACKNOWLEDGE | CDNA_STATUS_DRIVER | \
				 CDNA_STATUS_FEATURES_OK | \
				 CDNA_STATUS_DRIVER_OK | CDNA_STATUS_FAILED)

static_assert(CDNA_QREGS_END <= CDNA_REG_DOORBELL_BASE);
static_assert(CDNA_DOORBELL_END <= CDNA_BAR_REGS_SIZE);
static_assert(sizeof(struct cdna_queue_shm) == CDNA_SHM_ALIGN);

static void cdna_regs_bad(struct cdna_ctx *ctx, u32 off, u32 val,
			  const char *why)
{
	atomic64_inc(&ctx->bad_reg_access);
	dev_dbg(mdev_dev(ctx->mdev), "register 0x%03x <- 0x%08x ignored: %s\n",
		off, val, why);
}

/* A write the ABI forbids in the current state: ignored, ERROR_CAUSE set. */
static void cdna_regs_bad_state(struct cdna_ctx *ctx, u32 off, u32 val,
				u32 queue)
{
	unsigned long flags;

	cdna_regs_bad(ctx, off, val, "not allowed in this state");
	spin_lock_irqsave(&ctx->event_lock, flags);
	if (!ctx->needs_reset) {
		ctx->error_cause = CDNA_ERR_STATE;
		ctx->error_queue = queue;
	}
	spin_unlock_irqrestore(&ctx->event_lock, flags);
}

static bool cdna_regs_needs_reset(struct cdna_ctx *ctx)
{
	unsigned long flags;
	bool ret;

	spin_lock_irqsave(&ctx->event_lock, flags);
	ret = ctx->needs_reset;
	spin_unlock_irqrestore(&ctx->event_lock, flags);
	return ret;
}

static bool cdna_regs_any_queue_enabled(struct cdna_ctx *ctx)
{
	unsigned int i;

	for (i = 0; i < 2 * ctx->nqp; i++)
		if (ctx->queues[i].enabled)
			return true;
	return false;
}

static u32 cdna_regs_queue_drops(struct cdna_queue *q)
{
	struct cdna_queue_stats st;
	unsigned int i;
	u64 sum = 0;

	cdna_eng_queue_stats(q, &st);
	for (i = 0; i < CDNA_DROP_MAX; i++)
		sum += st.drops[i];
	return lower_32_bits(sum);
}

static u32 cdna_regs_read_queue(struct cdna_ctx *ctx, u32 off)
{
	u32 qi = (off - CDNA_REG_QUEUE_BASE) / CDNA_REG_QUEUE_STRIDE;
	struct cdna_queue *q;

	if (qi >= 2 * ctx->nqp)
		return 0;
	q = &ctx->queues[qi];

	switch ((off - CDNA_REG_QUEUE_BASE) % CDNA_REG_QUEUE_STRIDE) {
	case CDNA_QREG_DESC_LO:
		return lower_32_bits(q->cfg_desc);
	case CDNA_QREG_DESC_HI:
		return upper_32_bits(q->cfg_desc);
	case CDNA_QREG_CPL_LO:
		return lower_32_bits(q->cfg_cpl);
	case CDNA_QREG_CPL_HI:
		return upper_32_bits(q->cfg_cpl);
	case CDNA_QREG_SHM_LO:
		return lower_32_bits(q->cfg_shm);
	case CDNA_QREG_SHM_HI:
		return upper_32_bits(q->cfg_shm);
	case CDNA_QREG_SIZE:
		return q->cfg_size;
	case CDNA_QREG_ENABLE:
		return q->enabled;
	case CDNA_QREG_DROPS:
		return cdna_regs_queue_drops(q);
	case CDNA_QREG_RX_BUF_SIZE:
		/* Like every register of a feature, 0 until it is acked. */
		if (!(ctx->drv_features & BIT_ULL(CDNA_F_RX_BUF_SIZE)))
			return 0;
		return cdna_regs_rx_buf(ctx, q);
	default:
		return 0;
	}
}

/**
 * cdna_regs_rx_buf() - the RX buffer size a queue's device fills
 * @ctx: the context; caller holds ctx->lock
 * @q: the queue
 *
 * Return: the bytes the backend writes into each RX buffer of @q at most
 * (CDNA_QREG_RX_BUF_SIZE), 0 if it fills every buffer up to its own
 * length (a backend without CDNA_ENG_CAP_RX_BUF_FIXED, or a TX queue).
 */
u32 cdna_regs_rx_buf(struct cdna_ctx *ctx, struct cdna_queue *q)
{
	const struct cdna_engine_caps *caps = &ctx->nic->caps;

	if (q->is_tx || !(caps->flags & CDNA_ENG_CAP_RX_BUF_FIXED))
		return 0;
	return q->cfg_rx_buf ?: caps->rx_buf_default;
}

/**
 * cdna_regs_rx_buf_take() - the RX buffer size a write of @val sets
 * @ctx: the context
 * @val: what the driver wrote to CDNA_QREG_RX_BUF_SIZE
 *
 * Also the check of a migrated size (mig.c): the destination takes a
 * size only if this returns it unchanged.
 *
 * Return: the value for cdna_queue.cfg_rx_buf: @val within the backend's
 * limits and granularity, 0 for the default (@val 0, or a backend that
 * fills each buffer up to its own length).
 */
u32 cdna_regs_rx_buf_take(struct cdna_ctx *ctx, u32 val)
{
	const struct cdna_engine_caps *caps = &ctx->nic->caps;

	if (!val || !(caps->flags & CDNA_ENG_CAP_RX_BUF_FIXED))
		return 0;
	if (caps->rx_buf_align > 1)
		val = rounddown(val, caps->rx_buf_align);
	return clamp(val, caps->rx_buf_min, caps->rx_buf_max);
}

/**
 * cdna_regs_read() - read a BAR0 register
 * @ctx: the context; caller holds ctx->lock
 * @off: naturally aligned offset inside BAR0
 *
 * Return: the register value; 0 for unassigned offsets.
 */
u32 cdna_regs_read(struct cdna_ctx *ctx, u32 off)
{
	unsigned long flags;
	u32 val;

	lockdep_assert_held(&ctx->lock);

	if (off >= CDNA_REG_QUEUE_BASE && off < CDNA_QREGS_END)
		return cdna_regs_read_queue(ctx, off);

	switch (off) {
	case CDNA_REG_MAGIC:
		return CDNA_MAGIC;
	case CDNA_REG_VERSION:
		return CDNA_ABI_VERSION;
	case CDNA_REG_DEV_FEATURES_LO:
		return lower_32_bits(ctx->dev_features);
	case CDNA_REG_DEV_FEATURES_HI:
		return upper_32_bits(ctx->dev_features);
	case CDNA_REG_DRV_FEATURES_LO:
		return lower_32_bits(ctx->drv_features);
	case CDNA_REG_DRV_FEATURES_HI:
		return upper_32_bits(ctx->drv_features);
	case CDNA_REG_STATUS:
		val = ctx->status;
		if (cdna_regs_needs_reset(ctx))
			val |= CDNA_STATUS_NEEDS_RESET;
		return val;
	case CDNA_REG_ERROR_CAUSE:
		spin_lock_irqsave(&ctx->event_lock, flags);
		val = ctx->error_cause;
		spin_unlock_irqrestore(&ctx->event_lock, flags);
		return val;
	case CDNA_REG_ERROR_QUEUE:
		spin_lock_irqsave(&ctx->event_lock, flags);
		val = ctx->error_queue;
		spin_unlock_irqrestore(&ctx->event_lock, flags);
		return val;
	case CDNA_REG_CTRL_CAUSE:
		/* Read clears. */
		spin_lock_irqsave(&ctx->event_lock, flags);
		val = ctx->ctrl_cause;
		ctx->ctrl_cause = 0;
		spin_unlock_irqrestore(&ctx->event_lock, flags);
		return val;
	case CDNA_REG_MAX_QUEUE_PAIRS:
		return ctx->nqp;
	case CDNA_REG_NUM_QUEUE_PAIRS:
		return ctx->num_qp;
	case CDNA_REG_MAX_RING_SIZE:
		return CDNA_MAX_RING_SIZE;
	case CDNA_REG_MAX_MTU:
		return ctx->max_mtu;
	case CDNA_REG_MTU:
		return ctx->mtu;
	case CDNA_REG_MAC_LO:
		return ctx->mac[0] | ctx->mac[1] << 8 | ctx->mac[2] << 16 |
		       (u32)ctx->mac[3] << 24;
	case CDNA_REG_MAC_HI:
		return ctx->mac[4] | ctx->mac[5] << 8;
	case CDNA_REG_LINK:
		return READ_ONCE(ctx->link_up) ? CDNA_LINK_UP : 0;
	case CDNA_REG_LINK_SPEED:
		return CDNA_LINK_SPEED;
	case CDNA_REG_RX_COAL_USECS:
		return ctx->coal[CDNA_COAL_RX_USECS];
	case CDNA_REG_RX_COAL_FRAMES:
		return ctx->coal[CDNA_COAL_RX_FRAMES];
	case CDNA_REG_TX_COAL_USECS:
		return ctx->coal[CDNA_COAL_TX_USECS];
	case CDNA_REG_TX_COAL_FRAMES:
		return ctx->coal[CDNA_COAL_TX_FRAMES];
	case CDNA_REG_MAX_COAL_USECS:
		return CDNA_MAX_COAL_USECS;
	case CDNA_REG_KICK_PAGE_LO:
		return lower_32_bits(ctx->kick_addr);
	case CDNA_REG_KICK_PAGE_HI:
		return upper_32_bits(ctx->kick_addr);
	case CDNA_REG_KICK_PAGE_STATUS:
		return ctx->kick_status;
	default:
		return 0;
	}
}

/* Validate a queue's configuration; CDNA_ERR_NONE if it may be enabled. */
static u32 cdna_regs_queue_check(struct cdna_ctx *ctx, struct cdna_queue *q)
{
	u32 size = q->cfg_size;

	if (!(ctx->status & CDNA_STATUS_FEATURES_OK) ||
	    q->index >= 2 * ctx->num_qp)
		return CDNA_ERR_STATE;
	if (!is_power_of_2(size) || size < CDNA_MIN_RING_SIZE ||
	    size > CDNA_MAX_RING_SIZE)
		return CDNA_ERR_QUEUE_CONFIG;
	if (!IS_ALIGNED(q->cfg_desc, CDNA_RING_ALIGN) ||
	    !IS_ALIGNED(q->cfg_cpl, CDNA_RING_ALIGN) ||
	    !IS_ALIGNED(q->cfg_shm, CDNA_SHM_ALIGN))
		return CDNA_ERR_QUEUE_CONFIG;
	/* Wrapping areas are refused here; the protection checks the rest. */
	if (q->cfg_desc + (u64)size * (q->is_tx ?
					sizeof(struct cdna_tx_desc) :
					sizeof(struct cdna_rx_desc)) <
	    q->cfg_desc ||
	    q->cfg_cpl + (u64)size * sizeof(struct cdna_cpl) < q->cfg_cpl ||
	    q->cfg_shm + sizeof(struct cdna_queue_shm) < q->cfg_shm)
		return CDNA_ERR_QUEUE_CONFIG;
	return CDNA_ERR_NONE;
}

static void cdna_regs_queue_enable(struct cdna_ctx *ctx, struct cdna_queue *q,
				   u32 off, u32 val)
{
	u32 cause;
	int ret;

	if (val > 1) {
		cdna_regs_bad(ctx, off, val, "ENABLE takes 0 or 1");
		return;
	}
	if (!val) {
		if (q->enabled) {
			WRITE_ONCE(q->enabled, false);
			cdna_eng_queue_disable(q);
		}
		return;
	}
	if (q->enabled)
		return;
	if (ctx->deleting) {
		/* Orphaned (deleted, or its NIC lost the uplink): no rings. */
		cdna_regs_bad(ctx, off, val, "context is being removed");
		cdna_ctx_error(ctx, CDNA_ERR_STATE, q->index);
		return;
	}
	if (cdna_regs_needs_reset(ctx)) {
		cdna_regs_bad(ctx, off, val, "device needs a reset");
		return;
	}

	cause = cdna_regs_queue_check(ctx, q);
	if (cause == CDNA_ERR_NONE) {
		ret = cdna_eng_queue_enable(q);
		if (!ret) {
			/* Pairs with the engine's acquire of q->enabled:
			 * the ring mapping is visible before the flag.
			 */
			smp_store_release(&q->enabled, true);
			return;
		}
		dev_dbg(mdev_dev(ctx->mdev), "queue %u enable failed: %d\n",
			q->index, ret);
		cause = CDNA_ERR_QUEUE_CONFIG;
	}
	atomic64_inc(&ctx->bad_reg_access);
	cdna_ctx_error(ctx, cause, q->index);
}

static void cdna_regs_write_queue(struct cdna_ctx *ctx, u32 off, u32 val)
{
	u32 qi = (off - CDNA_REG_QUEUE_BASE) / CDNA_REG_QUEUE_STRIDE;
	u32 reg = (off - CDNA_REG_QUEUE_BASE) % CDNA_REG_QUEUE_STRIDE;
	struct cdna_queue *q;
	u64 *addr;

	if (qi >= 2 * ctx->nqp) {
		cdna_regs_bad(ctx, off, val, "no such queue");
		return;
	}
	q = &ctx->queues[qi];

	switch (reg) {
	case CDNA_QREG_DESC_LO:
	case CDNA_QREG_DESC_HI:
		addr = &q->cfg_desc;
		break;
	case CDNA_QREG_CPL_LO:
	case CDNA_QREG_CPL_HI:
		addr = &q->cfg_cpl;
		break;
	case CDNA_QREG_SHM_LO:
	case CDNA_QREG_SHM_HI:
		addr = &q->cfg_shm;
		break;
	case CDNA_QREG_SIZE:
		addr = NULL;
		break;
	case CDNA_QREG_ENABLE:
		cdna_regs_queue_enable(ctx, q, off, val);
		return;
	case CDNA_QREG_DROPS:
		cdna_regs_bad(ctx, off, val, "read-only");
		return;
	case CDNA_QREG_RX_BUF_SIZE:
		if (q->is_tx ||
		    !(ctx->drv_features & BIT_ULL(CDNA_F_RX_BUF_SIZE))) {
			cdna_regs_bad(ctx, off, val,
				      "RX_BUF_SIZE: RX queues, with the feature");
			return;
		}
		if (q->enabled) {
			cdna_regs_bad_state(ctx, off, val, qi);
			return;
		}
		q->cfg_rx_buf = cdna_regs_rx_buf_take(ctx, val);
		return;
	default:
		cdna_regs_bad(ctx, off, val, "unassigned");
		return;
	}

	if (q->enabled) {
		cdna_regs_bad_state(ctx, off, val, qi);
		return;
	}
	if (!addr)
		q->cfg_size = val;
	else if (reg & 4)
		*addr = (*addr & U32_MAX) | (u64)val << 32;
	else
		*addr = (*addr & ~(u64)U32_MAX) | val;
}

static void cdna_regs_doorbell(struct cdna_ctx *ctx, u32 off, u32 val)
{
	u32 qi = (off - CDNA_REG_DOORBELL_BASE) / 4;
	struct cdna_queue *q;

	if (qi >= 2 * ctx->nqp) {
		cdna_regs_bad(ctx, off, val, "doorbell of no queue");
		return;
	}
	q = &ctx->queues[qi];
	if (!q->enabled || ctx->state != CDNA_CTX_RUNNING) {
		cdna_regs_bad(ctx, off, val, "doorbell of a stopped queue");
		return;
	}
	atomic64_inc(&q->kicks);
	cdna_eng_kick(q);
}

static void cdna_regs_write_status(struct cdna_ctx *ctx, u32 off, u32 val)
{
	u32 old = ctx->status, new;
	u64 unknown;

	if (!val) {
		cdna_ctx_reset(ctx);
		return;
	}
	/* NEEDS_RESET belongs to the device; the driver cannot write it. */
	new = val & CDNA_STATUS_DRV_BITS;
	if (new != val)
		cdna_regs_bad(ctx, off, val, "STATUS bits the driver may not set");

	if (old & ~new) {
		cdna_regs_bad_state(ctx, off, val, ~0U);
		return;
	}
	if (cdna_regs_needs_reset(ctx) && (new & ~old & ~CDNA_STATUS_FAILED)) {
		cdna_regs_bad(ctx, off, val, "device needs a reset");
		return;
	}
	/* The driver walks STATUS forward in the ABI's order. */
	if (((new & CDNA_STATUS_DRIVER) && !(new & CDNA_STATUS_ACKNOWLEDGE)) ||
	    ((new & CDNA_STATUS_FEATURES_OK) && !(new & CDNA_STATUS_DRIVER)) ||
	    ((new & CDNA_STATUS_DRIVER_OK) &&
	     !(new & CDNA_STATUS_FEATURES_OK))) {
		cdna_regs_bad_state(ctx, off, val, ~0U);
		return;
	}

	if ((new & ~old) & CDNA_STATUS_FEATURES_OK) {
		unknown = ctx->drv_features & ~ctx->dev_features;
		if (unknown || !(ctx->drv_features & BIT_ULL(CDNA_F_VERSION_1))) {
			unsigned long flags;

			/* Refused: FEATURES_OK (and what needs it) reads 0. */
			cdna_regs_bad(ctx, off, val, "feature set refused");
			spin_lock_irqsave(&ctx->event_lock, flags);
			ctx->error_cause = CDNA_ERR_FEATURES;
			ctx->error_queue = ~0U;
			spin_unlock_irqrestore(&ctx->event_lock, flags);
			new &= ~(CDNA_STATUS_FEATURES_OK |
				 CDNA_STATUS_DRIVER_OK);
		}
	}
	ctx->status = new;

	if ((new & ~old) & CDNA_STATUS_DRIVER_OK) {
		if (ctx->deleting) {
			ctx->status &= ~CDNA_STATUS_DRIVER_OK;
			cdna_regs_bad(ctx, off, val, "context is being removed");
			cdna_ctx_error(ctx, CDNA_ERR_STATE, ~0U);
			return;
		}
		if (cdna_ctx_set_state(ctx, CDNA_CTX_RUNNING)) {
			ctx->status &= ~CDNA_STATUS_DRIVER_OK;
			return;
		}
		cdna_regs_dma_update(ctx);
	}
}

/**
 * cdna_regs_dma_update() - run the engine for the context, or not
 * @ctx: the context; caller holds ctx->lock
 *
 * The engine processes a context (and so reads and writes its guest
 * memory) only while the driver set DRIVER_OK, the context is RUNNING and
 * Bus Master Enable is set in PCI_COMMAND, and no migration stopped the
 * context (struct cdna_ctx_mig.quiesced).  Called when DRIVER_OK or
 * PCI_COMMAND_MASTER changes; errors, resets and close stop the engine by
 * themselves (ctx.c).
 */
void cdna_regs_dma_update(struct cdna_ctx *ctx)
{
	bool run;

	lockdep_assert_held(&ctx->lock);
	if (ctx->state != CDNA_CTX_RUNNING)
		return;
	/* Stopped for a migration: mig.c runs it again. */
	run = !ctx->mig.quiesced && (ctx->status & CDNA_STATUS_DRIVER_OK) &&
	      cdna_cfg_bus_master(ctx);
	if (run && !ctx->engine_started) {
		cdna_eng_ctx_start(ctx);
		ctx->engine_started = true;
	} else if (!run && ctx->engine_started) {
		cdna_eng_ctx_stop(ctx);
		ctx->engine_started = false;
	}
}

static void cdna_regs_write_features(struct cdna_ctx *ctx, u32 off, u32 val)
{
	if (ctx->status & CDNA_STATUS_FEATURES_OK) {
		cdna_regs_bad_state(ctx, off, val, ~0U);
		return;
	}
	if (off == CDNA_REG_DRV_FEATURES_LO)
		ctx->drv_features = (ctx->drv_features & ~(u64)U32_MAX) | val;
	else
		ctx->drv_features = (ctx->drv_features & U32_MAX) |
				    (u64)val << 32;
}

/* KICK_PAGE_HI is kept; a write of LO applies the address (kick.c). */
static void cdna_regs_write_kick_page(struct cdna_ctx *ctx, u32 off, u32 val)
{
	if (!(ctx->status & CDNA_STATUS_FEATURES_OK) ||
	    !(ctx->drv_features & BIT_ULL(CDNA_F_KICK_PAGE))) {
		cdna_regs_bad_state(ctx, off, val, ~0U);
		return;
	}
	if (off == CDNA_REG_KICK_PAGE_HI) {
		ctx->kick_addr = (ctx->kick_addr & U32_MAX) | (u64)val << 32;
		return;
	}
	ctx->kick_addr = (ctx->kick_addr & ~(u64)U32_MAX) | val;
	cdna_kick_set(ctx, ctx->kick_addr);
}

static void cdna_regs_write_coal(struct cdna_ctx *ctx, u32 off, u32 val)
{
	enum cdna_coal i = (off - CDNA_REG_RX_COAL_USECS) / 4;
	u32 max = (i == CDNA_COAL_RX_USECS || i == CDNA_COAL_TX_USECS) ?
		  CDNA_MAX_COAL_USECS : CDNA_MAX_COAL_FRAMES;

	/* Read by the engine without ctx->lock. */
	WRITE_ONCE(ctx->coal[i], min(val, max));
}

/**
 * cdna_regs_write() - write a BAR0 register
 * @ctx: the context; caller holds ctx->lock
 * @off: naturally aligned offset inside BAR0
 * @val: the value
 *
 * Writes to read-only or unassigned registers and writes the state does
 * not allow are ignored and counted in ctx->bad_reg_access.
 */
void cdna_regs_write(struct cdna_ctx *ctx, u32 off, u32 val)
{
	lockdep_assert_held(&ctx->lock);

	if (off >= CDNA_REG_QUEUE_BASE && off < CDNA_QREGS_END) {
		cdna_regs_write_queue(ctx, off, val);
		return;
	}
	if (off >= CDNA_REG_DOORBELL_BASE && off < CDNA_DOORBELL_END) {
		cdna_regs_doorbell(ctx, off, val);
		return;
	}

	switch (off) {
	case CDNA_REG_DRV_FEATURES_LO:
	case CDNA_REG_DRV_FEATURES_HI:
		cdna_regs_write_features(ctx, off, val);
		break;
	case CDNA_REG_STATUS:
		cdna_regs_write_status(ctx, off, val);
		break;
	case CDNA_REG_NUM_QUEUE_PAIRS:
		if (val < 1 || val > ctx->nqp)
			cdna_regs_bad(ctx, off, val, "queue pairs out of range");
		else if ((ctx->status & CDNA_STATUS_DRIVER_OK) ||
			 cdna_regs_any_queue_enabled(ctx))
			cdna_regs_bad_state(ctx, off, val, ~0U);
		else
			ctx->num_qp = val;
		break;
	case CDNA_REG_MTU:
		if (!(ctx->drv_features & BIT_ULL(CDNA_F_MTU)))
			cdna_regs_bad_state(ctx, off, val, ~0U);
		else if (val < CDNA_MIN_MTU || val > ctx->max_mtu)
			cdna_regs_bad(ctx, off, val, "MTU out of range");
		else
			WRITE_ONCE(ctx->mtu, val);
		break;
	case CDNA_REG_RX_COAL_USECS:
	case CDNA_REG_RX_COAL_FRAMES:
	case CDNA_REG_TX_COAL_USECS:
	case CDNA_REG_TX_COAL_FRAMES:
		cdna_regs_write_coal(ctx, off, val);
		break;
	case CDNA_REG_KICK_PAGE_LO:
	case CDNA_REG_KICK_PAGE_HI:
		cdna_regs_write_kick_page(ctx, off, val);
		break;
	default:
		cdna_regs_bad(ctx, off, val, off < CDNA_REGS_END ?
			      "read-only" : "unassigned");
		break;
	}
}
