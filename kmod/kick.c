// SPDX-License-Identifier: GPL-2.0
/*
 * cdna kick page: doorbells that KVM completes in the kernel.
 *
 * A BAR doorbell is a trapped MMIO write that KVM hands to the VMM in
 * userspace, which forwards it to cdna with a pwrite() on the VFIO device.
 * With CDNA_F_KICK_PAGE the guest names a page of its own RAM instead;
 * cdna asks KVM to write-track that page (the external write tracking
 * KVMGT uses), so a guest store to it exits to KVM, which emulates the
 * store and calls cdna_kick_track_write() in the vCPU thread.  That
 * counts the kick and wakes the engine: nothing else, no sleeping.
 *
 * A memslot that goes away (deleted or moved) takes the tracking with it
 * and KVM has no callback for a new slot (6.1), so the rearm work retries
 * every CDNA_KICK_REARM_MS until the gfn is tracked again, waking the
 * engine each time (a store made meanwhile reached only RAM).  On top,
 * while any kick page is in use the engine never sleeps longer than
 * CDNA_KICK_SWEEP_MS: a low-rate sweep of every ring, so that no kick can
 * be lost for good whatever happened to the tracking.
 *
 * Without KVM (a userspace VFIO driver) there is nothing to track: the
 * kick page reads CDNA_KICK_PAGE_NO_KVM and the BAR doorbells stay.
 *
 * Locking: ctx->lock (register writes, open/close) -> kick->lock ->
 * KVM's own locks.  The notifier callbacks take none of ours.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kvm_host.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "cdna.h"

#define CDNA_KICK_REARM_MS	10
#define CDNA_KICK_SWEEP_MS	100
/* cdna_kick_drop_tracking(): untracked for longer than a sweep. */
#define CDNA_KICK_DROP_MS	(3 * CDNA_KICK_SWEEP_MS)

/**
 * struct cdna_kick - the kick page machinery of a context opened with KVM
 * @node: KVM write-tracking notifier, registered while the device is open
 * @ctx: the context
 * @kvm: the VM (a reference is held while @node is registered)
 * @lock: protects @gfn and @tracked; nests inside ctx->lock
 * @gpa: the kick page's address while in use, else 0; written under
 *	@lock, read by the notifier with READ_ONCE()
 * @gfn: its frame
 * @tracked: KVM tracks @gfn for us: added, and not dropped since
 * @dropped: set by the memslot callback when the slot of @gfn went away
 * @rearm: re-arms the tracking after a memslot change
 * @rearms: times the tracking was re-armed
 */
struct cdna_kick {
	struct kvm_page_track_notifier_node node;
	struct cdna_ctx *ctx;
	struct kvm *kvm;
	struct mutex lock;		/* see above */
	u64 gpa;
	gfn_t gfn;
	bool tracked;
	atomic_t dropped;
	struct delayed_work rearm;
	atomic64_t rearms;
};

/* Kick pages in use, over every context: the engines sweep while > 0. */
static atomic_t cdna_kick_in_use = ATOMIC_INIT(0);

/**
 * cdna_kick_sweep_timeout() - how long an idle engine may sleep
 *
 * Return: MAX_SCHEDULE_TIMEOUT, or CDNA_KICK_SWEEP_MS in jiffies while a
 * kick page is in use.
 */
long cdna_kick_sweep_timeout(void)
{
	if (!atomic_read(&cdna_kick_in_use))
		return MAX_SCHEDULE_TIMEOUT;
	return msecs_to_jiffies(CDNA_KICK_SWEEP_MS);
}

/**
 * cdna_kick_track_write() - KVM emulated a store to a tracked page
 * @node: our notifier
 * @gpa: the address written
 * @bytes: bytes written
 *
 * vCPU thread of any VM whose notifiers we are on (the page is not
 * necessarily ours): count the kick and wake the engine, nothing more.
 */
void cdna_kick_track_write(struct kvm_page_track_notifier_node *node,
			   gpa_t gpa, int bytes)
{
	struct cdna_kick *kick = container_of(node, struct cdna_kick, node);
	struct cdna_ctx *ctx = kick->ctx;
	u64 page = READ_ONCE(kick->gpa);
	u64 qi;

	if (!page || gpa < page || gpa >= page + CDNA_KICK_PAGE_SIZE)
		return;
	qi = (gpa - page) / 4;
	if (qi >= 2 * ctx->nqp || bytes != 4 || (gpa & 3)) {
		atomic64_inc(&ctx->bad_reg_access);
		return;
	}
	atomic64_inc(&ctx->queues[qi].kp_kicks);
	cdna_eng_kick(&ctx->queues[qi]);
}

/**
 * cdna_kick_track_gone() - KVM drops a memslot and its tracking
 * @node: our notifier
 * @gfn: the slot's first frame
 * @npages: its size
 *
 * Called by KVM with its memslot locks held: only note it and let the
 * rearm work track the page again.
 */
void cdna_kick_track_gone(struct kvm_page_track_notifier_node *node,
			  gfn_t gfn, unsigned long npages)
{
	struct cdna_kick *kick = container_of(node, struct cdna_kick, node);
	u64 page = READ_ONCE(kick->gpa);

	if (!page || gpa_to_gfn(page) < gfn || gpa_to_gfn(page) >= gfn + npages)
		return;
	atomic_set(&kick->dropped, 1);
	schedule_delayed_work(&kick->rearm, 0);
}

/* Forget the tracking the memslot callback dropped.  kick->lock held. */
static void cdna_kick_note_dropped(struct cdna_kick *kick)
{
	lockdep_assert_held(&kick->lock);
	if (atomic_xchg(&kick->dropped, 0))
		kick->tracked = false;
}

static void cdna_kick_rearm_work(struct work_struct *work)
{
	struct cdna_kick *kick = container_of(to_delayed_work(work),
					      struct cdna_kick, rearm);
	struct cdna_ctx *ctx = kick->ctx;
	bool wake = false;

	mutex_lock(&kick->lock);
	cdna_kick_note_dropped(kick);
	if (kick->gpa && !kick->tracked) {
		if (!cdna_kvm_track_gfn(kick->kvm, kick->gfn, true)) {
			kick->tracked = true;
			atomic64_inc(&kick->rearms);
			dev_dbg(mdev_dev(ctx->mdev), "kick page tracked again\n");
		} else {
			schedule_delayed_work(&kick->rearm,
					      msecs_to_jiffies(CDNA_KICK_REARM_MS));
		}
		wake = true;
	}
	mutex_unlock(&kick->lock);
	/* Stores made while untracked reached only RAM: look at the rings. */
	if (wake)
		cdna_eng_kick(&ctx->queues[0]);
}

/* Stop using the kick page.  ctx->lock held. */
static void cdna_kick_stop(struct cdna_ctx *ctx)
{
	struct cdna_kick *kick = ctx->kick;

	lockdep_assert_held(&ctx->lock);
	if (ctx->kick_status == CDNA_KICK_PAGE_ON)
		atomic_dec(&cdna_kick_in_use);
	ctx->kick_status = CDNA_KICK_PAGE_OFF;
	if (!kick)
		return;
	mutex_lock(&kick->lock);
	cdna_kick_note_dropped(kick);
	if (kick->tracked)
		cdna_kvm_track_gfn(kick->kvm, kick->gfn, false);
	kick->tracked = false;
	WRITE_ONCE(kick->gpa, 0);
	mutex_unlock(&kick->lock);
}

/**
 * cdna_kick_set() - the driver wrote CDNA_REG_KICK_PAGE_LO
 * @ctx: the context, the feature acked; caller holds ctx->lock
 * @gpa: the page's guest-physical address, 0 to stop
 *
 * Sets ctx->kick_status to what the driver reads back.
 */
void cdna_kick_set(struct cdna_ctx *ctx, u64 gpa)
{
	struct cdna_kick *kick = ctx->kick;
	int ret;

	lockdep_assert_held(&ctx->lock);
	cdna_kick_stop(ctx);
	if (!gpa)
		return;
	if (!kick) {
		ctx->kick_status = CDNA_KICK_PAGE_NO_KVM;
		dev_dbg(mdev_dev(ctx->mdev),
			"kick page refused: the device was opened without KVM\n");
		return;
	}
	if (!PAGE_ALIGNED(gpa) || PAGE_SIZE != CDNA_KICK_PAGE_SIZE) {
		ctx->kick_status = CDNA_KICK_PAGE_BAD_ADDR;
		atomic64_inc(&ctx->bad_reg_access);
		return;
	}
	mutex_lock(&kick->lock);
	ret = cdna_kvm_track_gfn(kick->kvm, gpa_to_gfn(gpa), true);
	if (!ret) {
		kick->gfn = gpa_to_gfn(gpa);
		kick->tracked = true;
		WRITE_ONCE(kick->gpa, gpa);
	}
	mutex_unlock(&kick->lock);
	if (ret) {
		ctx->kick_status = CDNA_KICK_PAGE_BAD_ADDR;
		atomic64_inc(&ctx->bad_reg_access);
		dev_dbg(mdev_dev(ctx->mdev), "kick page %#llx refused: %d\n",
			gpa, ret);
		return;
	}
	ctx->kick_status = CDNA_KICK_PAGE_ON;
	atomic_inc(&cdna_kick_in_use);
}

/**
 * cdna_kick_reset() - no kick page (device reset, open, close)
 * @ctx: the context; caller holds ctx->lock or owns @ctx exclusively
 */
void cdna_kick_reset(struct cdna_ctx *ctx)
{
	if (ctx->kick_status == CDNA_KICK_PAGE_ON || ctx->kick)
		cdna_kick_stop(ctx);
	ctx->kick_status = CDNA_KICK_PAGE_OFF;
	ctx->kick_addr = 0;
}

/**
 * cdna_kick_rearms() - times a context's kick page tracking was re-armed
 * @ctx: the context; caller holds ctx->lock
 *
 * Return: the count since the device was opened.
 */
u64 cdna_kick_rearms(struct cdna_ctx *ctx)
{
	lockdep_assert_held(&ctx->lock);
	return ctx->kick ? atomic64_read(&ctx->kick->rearms) : 0;
}

/**
 * cdna_kick_drop_tracking() - lose the tracking as a memslot change does
 * @ctx: the context
 *
 * Test hook (debugfs kick_page_drop): KVM stops tracking the page now and
 * the rearm work tracks it again after CDNA_KICK_DROP_MS; stores made
 * meanwhile reach only RAM, and the engine's sweep must find their work.
 *
 * Return: 0, or -ENOENT if no kick page is tracked.
 */
int cdna_kick_drop_tracking(struct cdna_ctx *ctx)
{
	struct cdna_kick *kick;
	int ret = -ENOENT;

	mutex_lock(&ctx->lock);
	kick = ctx->kick;
	if (kick) {
		mutex_lock(&kick->lock);
		cdna_kick_note_dropped(kick);
		if (kick->gpa && kick->tracked) {
			cdna_kvm_track_gfn(kick->kvm, kick->gfn, false);
			kick->tracked = false;
			schedule_delayed_work(&kick->rearm,
					      msecs_to_jiffies(CDNA_KICK_DROP_MS));
			ret = 0;
		}
		mutex_unlock(&kick->lock);
	}
	mutex_unlock(&ctx->lock);
	return ret;
}

/**
 * cdna_kick_open() - the VMM opened the device: watch its VM for kicks
 * @ctx: the context, just opened
 * @kvm: the VM the VFIO device belongs to, or NULL (no kick page then)
 *
 * Not being able to register only costs the kick page: the device works
 * with its BAR doorbells.  Runs in the VMM's process.
 */
void cdna_kick_open(struct cdna_ctx *ctx, struct kvm *kvm)
{
	struct cdna_kick *kick;
	int ret;

	if (!kvm)
		return;
	kick = kzalloc(sizeof(*kick), GFP_KERNEL_ACCOUNT);
	if (!kick)
		return;
	kick->ctx = ctx;
	kick->kvm = kvm;
	mutex_init(&kick->lock);
	INIT_DELAYED_WORK(&kick->rearm, cdna_kick_rearm_work);
	cdna_kvm_track_node_init(&kick->node);
	ret = cdna_kvm_track_register(kvm, &kick->node);
	if (ret) {
		dev_info(mdev_dev(ctx->mdev),
			 "no kick page for this VM: KVM write tracking unavailable (%d)\n",
			 ret);
		mutex_destroy(&kick->lock);
		kfree(kick);
		return;
	}
	mutex_lock(&ctx->lock);
	ctx->kick = kick;
	mutex_unlock(&ctx->lock);
}

/**
 * cdna_kick_close() - the VMM closed the device
 * @ctx: the context, closed (cdna_kick_reset() ran)
 */
void cdna_kick_close(struct cdna_ctx *ctx)
{
	struct cdna_kick *kick;

	mutex_lock(&ctx->lock);
	cdna_kick_reset(ctx);
	kick = ctx->kick;
	ctx->kick = NULL;
	mutex_unlock(&ctx->lock);
	if (!kick)
		return;
	cancel_delayed_work_sync(&kick->rearm);
	cdna_kvm_track_unregister(kick->kvm, &kick->node);
	mutex_destroy(&kick->lock);
	kfree(kick);
}
