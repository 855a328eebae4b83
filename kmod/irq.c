// SPDX-License-Identifier: GPL-2.0
/*
 * cdna: interrupts of a context.
 *
 * Each MSI-X vector is an eventfd the VMM installed with
 * VFIO_DEVICE_SET_IRQS; QEMU wires it to KVM's irqfd, so
 * cdna_irq_signal() -> eventfd_signal() -> irqfd_wakeup() -> kvm_set_msi()
 * injects the interrupt without a trip through QEMU.  The device request
 * index (VFIO_PCI_REQ_IRQ_INDEX) is one more eventfd, signalled when the
 * host wants the VM to give the device back (mdev removal).
 *
 * The engine signals from any context, so triggers are swapped and used
 * under ctx->irq_lock, a spinlock, never under ctx->lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>

#include "cdna.h"

static unsigned int cdna_irq_count_of(struct cdna_ctx *ctx, u32 index)
{
	switch (index) {
	case VFIO_PCI_MSIX_IRQ_INDEX:
		return ctx->nvec;
	case VFIO_PCI_REQ_IRQ_INDEX:
		return 1;
	default:
		return 0;
	}
}

/* Caller holds ctx->irq_lock. */
static void cdna_irq_fire(struct cdna_ctx *ctx, unsigned int vector)
{
	struct cdna_irq *irq = &ctx->irqs[vector];

	lockdep_assert_held(&ctx->irq_lock);

	if (irq->masked) {
		irq->pending = true;
	} else if (irq->trigger) {
		cdna_eventfd_signal(irq->trigger);
		irq->count++;
	} else {
		irq->lost++;
	}
}

/**
 * cdna_irq_signal() - raise an MSI-X vector of a context
 * @ctx: the context
 * @vector: CDNA_MSIX_CTRL_VECTOR or CDNA_MSIX_QP_VECTOR(qp)
 *
 * Callable from any context (process, softirq, hardirq), never sleeps.
 * A masked vector becomes pending and fires on unmask; a vector without a
 * trigger is counted as lost.
 */
void cdna_irq_signal(struct cdna_ctx *ctx, unsigned int vector)
{
	unsigned long flags;

	if (vector >= ctx->nvec)
		return;
	spin_lock_irqsave(&ctx->irq_lock, flags);
	cdna_irq_fire(ctx, vector);
	spin_unlock_irqrestore(&ctx->irq_lock, flags);
}

/**
 * cdna_irq_count() - interrupts signalled on a vector
 * @ctx: the context
 * @vector: the vector
 *
 * Return: the count, 0 for a vector the function does not have.
 */
u64 cdna_irq_count(struct cdna_ctx *ctx, unsigned int vector)
{
	unsigned long flags;
	u64 count;

	if (vector >= ctx->nvec)
		return 0;
	spin_lock_irqsave(&ctx->irq_lock, flags);
	count = ctx->irqs[vector].count;
	spin_unlock_irqrestore(&ctx->irq_lock, flags);
	return count;
}

/**
 * cdna_irq_get_info() - answer VFIO_DEVICE_GET_IRQ_INFO
 * @ctx: the context
 * @info: index in, flags and count out
 *
 * MSI-X has one vector per queue pair plus control; INTx and MSI have
 * none; the request index has one.  The error index is refused, which
 * keeps QEMU from warning about it.
 *
 * Return: 0 or -EINVAL.
 */
int cdna_irq_get_info(struct cdna_ctx *ctx, struct vfio_irq_info *info)
{
	switch (info->index) {
	case VFIO_PCI_INTX_IRQ_INDEX:
	case VFIO_PCI_MSI_IRQ_INDEX:
		info->flags = 0;
		break;
	case VFIO_PCI_MSIX_IRQ_INDEX:
		info->flags = VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_MASKABLE;
		break;
	case VFIO_PCI_REQ_IRQ_INDEX:
		info->flags = VFIO_IRQ_INFO_EVENTFD;
		break;
	default:
		return -EINVAL;
	}
	info->count = cdna_irq_count_of(ctx, info->index);
	return 0;
}

/* The trigger slot of (index, i); caller holds ctx->irq_lock. */
static struct eventfd_ctx **cdna_irq_slot(struct cdna_ctx *ctx, u32 index,
					  unsigned int i)
{
	if (index == VFIO_PCI_REQ_IRQ_INDEX)
		return &ctx->req_trigger;
	return &ctx->irqs[i].trigger;
}

/*
 * Install count eventfds from fds[] at start; fd -1 releases.  All or
 * nothing: every fd is resolved before anything changes.
 */
static int cdna_irq_set_eventfds(struct cdna_ctx *ctx, u32 index, u32 start,
				 u32 count, const s32 *fds)
{
	struct eventfd_ctx **new;
	unsigned long flags;
	unsigned int i;
	int ret = 0;

	new = kcalloc(count, sizeof(*new), GFP_KERNEL);
	if (!new)
		return -ENOMEM;
	for (i = 0; i < count; i++) {
		if (fds[i] < 0) {
			if (fds[i] != -1) {
				ret = -EINVAL;
				goto out_put_new;
			}
			continue;
		}
		new[i] = eventfd_ctx_fdget(fds[i]);
		if (IS_ERR(new[i])) {
			ret = PTR_ERR(new[i]);
			new[i] = NULL;
			goto out_put_new;
		}
	}

	/* Swap; the old triggers end up in new[] and are put below. */
	spin_lock_irqsave(&ctx->irq_lock, flags);
	for (i = 0; i < count; i++)
		swap(*cdna_irq_slot(ctx, index, start + i), new[i]);
	spin_unlock_irqrestore(&ctx->irq_lock, flags);

out_put_new:
	for (i = 0; i < count; i++)
		if (new[i])
			eventfd_ctx_put(new[i]);
	kfree(new);
	return ret;
}

/* Release every trigger of one index. */
static void cdna_irq_disable_index(struct cdna_ctx *ctx, u32 index)
{
	struct eventfd_ctx *old[CDNA_MAX_VECTORS] = {};
	unsigned int i, n = cdna_irq_count_of(ctx, index);
	unsigned long flags;

	spin_lock_irqsave(&ctx->irq_lock, flags);
	for (i = 0; i < n; i++) {
		swap(*cdna_irq_slot(ctx, index, i), old[i]);
		if (index == VFIO_PCI_MSIX_IRQ_INDEX) {
			ctx->irqs[i].masked = false;
			ctx->irqs[i].pending = false;
		}
	}
	spin_unlock_irqrestore(&ctx->irq_lock, flags);

	for (i = 0; i < n; i++)
		if (old[i])
			eventfd_ctx_put(old[i]);
}

/* Loopback: signal the selected triggers (DATA_NONE: all, BOOL: where set). */
static void cdna_irq_trigger(struct cdna_ctx *ctx, u32 index, u32 start,
			     u32 count, const u8 *bools)
{
	unsigned long flags;
	unsigned int i;

	spin_lock_irqsave(&ctx->irq_lock, flags);
	for (i = 0; i < count; i++) {
		if (bools && !bools[i])
			continue;
		if (index == VFIO_PCI_REQ_IRQ_INDEX) {
			if (ctx->req_trigger)
				cdna_eventfd_signal(ctx->req_trigger);
		} else {
			cdna_irq_fire(ctx, start + i);
		}
	}
	spin_unlock_irqrestore(&ctx->irq_lock, flags);
}

static void cdna_irq_mask(struct cdna_ctx *ctx, u32 start, u32 count,
			  const u8 *bools, bool mask)
{
	unsigned long flags;
	unsigned int i;

	spin_lock_irqsave(&ctx->irq_lock, flags);
	for (i = 0; i < count; i++) {
		struct cdna_irq *irq = &ctx->irqs[start + i];

		if (bools && !bools[i])
			continue;
		irq->masked = mask;
		if (!mask && irq->pending) {
			irq->pending = false;
			cdna_irq_fire(ctx, start + i);
		}
	}
	spin_unlock_irqrestore(&ctx->irq_lock, flags);
}

/* Tell the backend which MSI-X vectors changed (engine.h, irq_update). */
static void cdna_irq_changed(struct cdna_ctx *ctx, u32 index, u32 start,
			     u32 count)
{
	u32 i;

	if (index != VFIO_PCI_MSIX_IRQ_INDEX)
		return;
	for (i = start; i < start + count && i < ctx->nvec; i++)
		cdna_eng_irq_update(ctx, i);
}

/**
 * cdna_irq_set() - carry out VFIO_DEVICE_SET_IRQS
 * @ctx: the context; caller holds ctx->lock
 * @hdr: the header, already checked by vfio_set_irqs_validate_and_prepare()
 *	against cdna_irq_count_of() (so start + count is in range)
 * @data: hdr->count bools or eventfds, or NULL for DATA_NONE
 *
 * MSI-X and request index: ACTION_TRIGGER installs eventfds (-1 releases;
 * replacing them at any time is fine), DATA_NONE with count 0 releases all,
 * DATA_NONE/DATA_BOOL otherwise fire the interrupts (for tests).  MSI-X
 * also takes ACTION_MASK/ACTION_UNMASK; a masked vector keeps events
 * pending until unmasked.
 *
 * Return: 0, -EINVAL for what the index does not support, or an error
 * resolving an eventfd (nothing changed then).
 */
int cdna_irq_set(struct cdna_ctx *ctx, struct vfio_irq_set *hdr, void *data)
{
	u32 action = hdr->flags & VFIO_IRQ_SET_ACTION_TYPE_MASK;
	u32 type = hdr->flags & VFIO_IRQ_SET_DATA_TYPE_MASK;
	u32 index = hdr->index;
	int ret;

	lockdep_assert_held(&ctx->lock);

	if (index != VFIO_PCI_MSIX_IRQ_INDEX && index != VFIO_PCI_REQ_IRQ_INDEX)
		return -EINVAL;

	switch (action) {
	case VFIO_IRQ_SET_ACTION_TRIGGER:
		if (type == VFIO_IRQ_SET_DATA_EVENTFD) {
			ret = cdna_irq_set_eventfds(ctx, index, hdr->start,
						    hdr->count, data);
			if (!ret)
				cdna_irq_changed(ctx, index, hdr->start,
						 hdr->count);
			return ret;
		}
		if (type == VFIO_IRQ_SET_DATA_NONE && !hdr->count) {
			cdna_irq_disable_index(ctx, index);
			cdna_irq_changed(ctx, index, 0, ctx->nvec);
			return 0;
		}
		cdna_irq_trigger(ctx, index, hdr->start, hdr->count,
				 type == VFIO_IRQ_SET_DATA_BOOL ? data : NULL);
		return 0;
	case VFIO_IRQ_SET_ACTION_MASK:
	case VFIO_IRQ_SET_ACTION_UNMASK:
		if (index != VFIO_PCI_MSIX_IRQ_INDEX ||
		    type == VFIO_IRQ_SET_DATA_EVENTFD)
			return -EINVAL;
		cdna_irq_mask(ctx, hdr->start, hdr->count,
			      type == VFIO_IRQ_SET_DATA_BOOL ? data : NULL,
			      action == VFIO_IRQ_SET_ACTION_MASK);
		cdna_irq_changed(ctx, index, hdr->start, hdr->count);
		return 0;
	default:
		return -EINVAL;
	}
}

/**
 * cdna_irq_request() - ask the VM to release the device (vfio .request)
 * @ctx: the context
 * @count: how many times the core asked already
 *
 * Signals the request eventfd if the VMM installed one; QEMU answers by
 * unplugging the device from the guest.
 */
void cdna_irq_request(struct cdna_ctx *ctx, unsigned int count)
{
	struct device *dev = mdev_dev(ctx->mdev);
	unsigned long flags;
	bool sent = false;

	spin_lock_irqsave(&ctx->irq_lock, flags);
	if (ctx->req_trigger) {
		cdna_eventfd_signal(ctx->req_trigger);
		sent = true;
	}
	spin_unlock_irqrestore(&ctx->irq_lock, flags);

	if (sent && !(count % 10))
		dev_notice_ratelimited(dev, "asking the VM to release the device (#%u)\n",
				       count);
	else if (!sent && !count)
		dev_notice(dev, "no request channel: removal waits until the VM releases the device\n");
}

/**
 * cdna_irq_release_all() - drop every eventfd of a context
 * @ctx: the context (closing); caller holds ctx->lock
 */
void cdna_irq_release_all(struct cdna_ctx *ctx)
{
	lockdep_assert_held(&ctx->lock);

	cdna_irq_disable_index(ctx, VFIO_PCI_MSIX_IRQ_INDEX);
	cdna_irq_disable_index(ctx, VFIO_PCI_REQ_IRQ_INDEX);
}
