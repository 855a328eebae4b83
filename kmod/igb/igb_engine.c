// SPDX-License-Identifier: GPL-2.0
/*
 * cdna igb backend: struct cdna_engine_ops for SR-IOV PFs driven by igb.
 *
 * A NIC of this backend is an igb PF with VFs bound to cdna (igb_vf.c).
 * Each context owns one of those VFs; its data path is a work item that
 * the VF's MSI-X interrupts and the guest's doorbells schedule: one pass
 * turns hardware write-backs into guest completions and new guest
 * descriptors into hardware descriptors (igb_ring.c), under the context's
 * engine exclusion (cdna_igb_ctx.lock).
 *
 * Limits the hardware sets, reported through nic->caps and refused with
 * an error where the guest asks for more: one queue pair per context
 * (CDNA_IGB_MAX_QP), one RX buffer size per queue (SRRCTL, a multiple of
 * 1 KiB up to a page), no TX checksum or segmentation offload.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/netdevice.h>
#include <linux/seq_file.h>
#include <net/netlink.h>

#include "igb.h"

#define CDNA_IGB_MAX_QP		1	/* queue pairs a context may use */
#define CDNA_IGB_POLL_JIFFIES	1	/* safety poll while TX is in flight */
/*
 * What the device offers: no checksum or segmentation offload (TX frames
 * go to the NIC as the guest wrote them), no RX checksum report, no MTU
 * change (the VF's frame size limit is the PF's); event index, moderation,
 * link interrupts and the kick page are the core's, the RX buffer size is
 * SRRCTL's.
 */
#define CDNA_IGB_FEATURES	(BIT_ULL(CDNA_F_VERSION_1) | \
				 BIT_ULL(CDNA_F_EVENT_IDX) | \
				 BIT_ULL(CDNA_F_IRQ_COAL) | \
				 BIT_ULL(CDNA_F_LINK_IRQ) | \
				 BIT_ULL(CDNA_F_KICK_PAGE) | \
				 BIT_ULL(CDNA_F_RX_BUF_SIZE))

/*
 * After a pass that found work the data path can keep polling, with the
 * guest's kicks and the VF's queue interrupts off, until igb_poll_usecs
 * pass without work or the scheduler wants the CPU (as vhost's busy poll
 * does).  A doorbell is a trapped guest store and costs far more than a
 * pass over rings in memory, but only if the next packet comes within
 * the window: in the testbed packets came about a millisecond apart, the
 * poll caught none and burnt a CPU, so it is off by default
 * (docs/performance.md).  The clock is read at the first idle pass and
 * every CDNA_IGB_POLL_CLOCK idle passes after it (an emulated HPET in the
 * testbed); a run of the work item ends after CDNA_IGB_POLL_BUDGET passes
 * with work and queues itself again.
 */
static unsigned int cdna_igb_poll_usecs;
static struct cdna_param_uint cdna_igb_poll_usecs_param = {
	.val = &cdna_igb_poll_usecs, .min = 0, .max = USEC_PER_MSEC * 10,
};
module_param_cb(igb_poll_usecs, &cdna_param_uint_ops,
		&cdna_igb_poll_usecs_param, 0644);
MODULE_PARM_DESC(igb_poll_usecs,
		 "igb backend: keep polling this long after the last work, kicks and queue interrupts off (0: no polling; 0..10000)");

/*
 * The VF's interrupt throttling (EITR): after an interrupt, the next one
 * of the same vector waits this long, so a burst of frames costs one.
 * Off by default: in the testbed it gained nothing measurable on UDP and
 * TCP had slow runs with it (docs/performance.md).
 */
static unsigned int cdna_igb_itr_usecs;
static struct cdna_param_uint cdna_igb_itr_usecs_param = {
	.val = &cdna_igb_itr_usecs, .min = 0, .max = CDNA_IGB_EITR_MAX_USECS,
};
module_param_cb(igb_itr_usecs, &cdna_param_uint_ops,
		&cdna_igb_itr_usecs_param, 0644);
MODULE_PARM_DESC(igb_itr_usecs,
		 "igb backend: least gap between two interrupts of a VF queue, for VFs reset from now on (0: none; 0..8191)");

#define CDNA_IGB_POLL_CLOCK	8	/* idle passes between clock reads */
#define CDNA_IGB_POLL_BUDGET	256	/* passes with work per run */

/*
 * The data path's work items: unbound, so that a pass that polls runs on
 * a CPU other than the vCPU's that kicked it, where one is idle; its
 * CPUs can be chosen in /sys/devices/virtual/workqueue/cdna_igb/cpumask.
 */
static struct workqueue_struct *cdna_igb_wq;

static struct cdna_igb_ctx *cdna_igb_ictx(struct cdna_ctx *ctx)
{
	return ctx->eng_priv;
}

/**
 * cdna_igb_schedule() - run the context's data path pass soon
 * @ictx: the context; any context, interrupts included
 */
void cdna_igb_schedule(struct cdna_igb_ctx *ictx)
{
	queue_work(cdna_igb_wq, &ictx->work);
}

/**
 * cdna_igb_itr() - the EITR value of the VF's queue vectors
 *
 * Return: igb_itr_usecs in the register's interval field.
 */
u32 cdna_igb_itr(void)
{
	return (READ_ONCE(cdna_igb_itr_usecs) << CDNA_IGB_EITR_SHIFT) &
	       CDNA_IGB_EITR_INTERVAL;
}

/*
 * Poll after a pass that found work; engine lock held, dropped between
 * passes.  Return: true if the run's budget is spent with work left.
 */
static bool cdna_igb_poll_loop(struct cdna_igb_ctx *ictx)
{
	u64 window = (u64)READ_ONCE(cdna_igb_poll_usecs) * NSEC_PER_USEC;
	enum cdna_igb_poll_end end = CDNA_IGB_POLL_END_GONE;
	unsigned int idle = 0, busy = 0;
	u64 last = 0, now;
	bool unused;

	if (!window)
		return false;
	for (;;) {
		atomic64_inc(&ictx->poll_passes);
		mutex_unlock(&ictx->lock);
		if (need_resched()) {
			mutex_lock(&ictx->lock);
			end = CDNA_IGB_POLL_END_RESCHED;
			break;
		}
		cpu_relax();
		mutex_lock(&ictx->lock);
		if (!ictx->started || !ictx->vf)
			break;
		if (cdna_igb_pass(ictx, false, &unused)) {
			idle = 0;
			if (++busy < CDNA_IGB_POLL_BUDGET)
				continue;
			end = CDNA_IGB_POLL_END_BUDGET;
			break;
		}
		/* The window starts at the first idle pass. */
		if (idle++ % CDNA_IGB_POLL_CLOCK)
			continue;
		now = ktime_get_ns();
		if (idle == 1) {
			last = now;
		} else if (now - last >= window) {
			end = CDNA_IGB_POLL_END_WINDOW;
			break;
		}
	}
	atomic64_inc(&ictx->poll_ends[end]);
	return end == CDNA_IGB_POLL_END_BUDGET;
}

static void cdna_igb_work(struct work_struct *work)
{
	struct cdna_igb_ctx *ictx = container_of(work, struct cdna_igb_ctx,
						 work);
	bool again = false, tx_busy = false, unused;
	unsigned int qp;

	mutex_lock(&ictx->lock);
	if (ictx->started && ictx->vf) {
		/*
		 * With polling, a first pass that keeps the kicks off: if it
		 * finds work, the poll follows.  The queue vectors are masked
		 * from before that pass, or the completion of the frame it
		 * sends requeues this work, whose worker's wake-up ends the
		 * poll at once (need_resched).  Either way a last pass asks
		 * for the kicks again.
		 */
		if (READ_ONCE(cdna_igb_poll_usecs)) {
			cdna_igb_wr(ictx->vf, CDNA_IGB_EIMC,
				    CDNA_IGB_QUEUE_VECTORS);
			if (cdna_igb_pass(ictx, false, &unused))
				again = cdna_igb_poll_loop(ictx);
			/* A cause raised while masked fires now. */
			if (ictx->vf && ictx->hw_up)
				cdna_igb_wr(ictx->vf, CDNA_IGB_EIMS,
					    CDNA_IGB_QUEUE_VECTORS);
		}
		if (ictx->started && ictx->vf) {
			bool more;

			cdna_igb_pass(ictx, true, &more);
			again |= more;
		}
		for (qp = 0; qp < CDNA_IGB_VF_QUEUES; qp++)
			if (ictx->qp[qp].tx_on &&
			    ictx->qp[qp].tx_head != ictx->qp[qp].tx_tail)
				tx_busy = true;
	}
	mutex_unlock(&ictx->lock);
	if (again)
		cdna_igb_schedule(ictx);
	else if (tx_busy)
		mod_delayed_work(cdna_igb_wq, &ictx->poll,
				 CDNA_IGB_POLL_JIFFIES);
}

/*
 * Wait until no pass runs or is queued, on a context that is not started
 * (so that a last pass re-arms no safety poll): a pass may queue the
 * poll, and the poll queues a pass.
 */
static void cdna_igb_cancel_passes(struct cdna_igb_ctx *ictx)
{
	cancel_work_sync(&ictx->work);
	cancel_delayed_work_sync(&ictx->poll);
	cancel_work_sync(&ictx->work);
}

static void cdna_igb_poll(struct work_struct *work)
{
	struct cdna_igb_ctx *ictx = container_of(to_delayed_work(work),
						 struct cdna_igb_ctx, poll);

	atomic64_inc(&ictx->polls);
	cdna_igb_schedule(ictx);
}

/* ---- debugfs ---------------------------------------------------------- */

static const char * const cdna_igb_poll_end_name[CDNA_IGB_POLL_END_MAX] = {
	[CDNA_IGB_POLL_END_WINDOW]	= "window",
	[CDNA_IGB_POLL_END_RESCHED]	= "resched",
	[CDNA_IGB_POLL_END_BUDGET]	= "budget",
	[CDNA_IGB_POLL_END_GONE]	= "stopped",
};

static int cdna_igb_nic_stats_show(struct seq_file *s, void *unused)
{
	struct cdna_igb_nic *inic = s->private;

	seq_puts(s, "backend igb\n");
	seq_printf(s, "pf %s\n", pci_name(inic->pf));
	seq_printf(s, "vfs %u\n", cdna_igb_count_vfs(inic->pf));
	seq_printf(s, "pins_total %lld\n", cdna_pins_total_read());
	cdna_igb_vfs_show(s, inic->pf);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(cdna_igb_nic_stats);

static int cdna_igb_ctx_stats_show(struct seq_file *s, void *unused)
{
	struct cdna_igb_ctx *ictx = s->private;
	struct cdna_ctx *ctx = ictx->ctx;
	u64 hits = 0, misses = 0, evictions = 0;
	unsigned int qp, i;

	mutex_lock(&ictx->lock);
	if (ctx->protect->pin_stats)
		ctx->protect->pin_stats(ctx, &hits, &misses, &evictions);
	seq_printf(s, "vf %s\n", ictx->vf ? pci_name(ictx->vf->pdev) : "gone");
	seq_printf(s, "pin_hits %llu\n", hits);
	seq_printf(s, "pin_misses %llu\n", misses);
	seq_printf(s, "pin_evictions %llu\n", evictions);
	seq_printf(s, "started %d\n", ictx->started);
	seq_printf(s, "irqs %lld\n", (s64)atomic64_read(&ictx->irqs));
	seq_printf(s, "polls %lld\n", (s64)atomic64_read(&ictx->polls));
	seq_printf(s, "poll_passes %lld\n",
		   (s64)atomic64_read(&ictx->poll_passes));
	for (i = 0; i < CDNA_IGB_POLL_END_MAX; i++)
		seq_printf(s, "poll_end_%s %lld\n", cdna_igb_poll_end_name[i],
			   (s64)atomic64_read(&ictx->poll_ends[i]));
	seq_printf(s, "rx_refused %lld\n",
		   (s64)atomic64_read(&ictx->rx_refused));
	seq_printf(s, "tx_refused %lld\n",
		   (s64)atomic64_read(&ictx->tx_refused));
	seq_printf(s, "dma_maps_per_use %lld\n",
		   (s64)atomic64_read(&ictx->dma_maps));
	seq_printf(s, "iommu_faults %lld\n",
		   (s64)atomic64_read(&ictx->ctx->iommu_faults));
	seq_printf(s, "protect %s\n", ictx->ctx->protect->name);
	for (qp = 0; qp < CDNA_IGB_VF_QUEUES; qp++) {
		struct cdna_igb_qp *p = &ictx->qp[qp];

		if (p->tx_on)
			seq_printf(s, "qp%u_tx hw_posted %u hw_done %u pkts_in_flight %u\n",
				   qp, p->tx_ntu, p->tx_ntc,
				   p->tx_tail - p->tx_head);
		if (p->rx_on)
			seq_printf(s, "qp%u_rx hw_posted %u hw_done %u rx_buf %u\n",
				   qp, p->rx_ntu, p->rx_ntc, p->rx_buf);
	}
	mutex_unlock(&ictx->lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(cdna_igb_ctx_stats);

/*
 * Like the software engine's: the control plane creates the NIC's and the
 * context's directories around the backend's calls and removes them
 * before the backend forgets the objects, so the files are added on first
 * use and go away with their parent.
 */
static void cdna_igb_debugfs_add(struct cdna_igb_nic *inic,
				 struct cdna_igb_ctx *ictx)
{
	if (!inic->debugfs && inic->nic->debugfs) {
		inic->debugfs = debugfs_create_dir("engine", inic->nic->debugfs);
		debugfs_create_file("stats", 0400, inic->debugfs, inic,
				    &cdna_igb_nic_stats_fops);
	}
	if (ictx && !ictx->debugfs && ictx->ctx->debugfs) {
		ictx->debugfs = debugfs_create_dir("datapath",
						   ictx->ctx->debugfs);
		debugfs_create_file("stats", 0400, ictx->debugfs, ictx,
				    &cdna_igb_ctx_stats_fops);
	}
}

/* ---- per NIC --------------------------------------------------------- */

static int cdna_igb_probe_uplink(struct net_device *uplink,
				 struct netlink_ext_ack *extack)
{
	struct pci_dev *pf = cdna_igb_uplink_pf(uplink);

	/* Without VFs bound to cdna the software engine drives the PF. */
	if (!pf || !cdna_igb_count_vfs(pf))
		return -EOPNOTSUPP;
	return 0;
}

static int cdna_igb_create(struct cdna_nic *nic)
{
	struct pci_dev *pf = cdna_igb_uplink_pf(nic->uplink);
	struct cdna_igb_nic *inic;
	unsigned int nvf;

	if (!pf)
		return -ENODEV;
	nvf = cdna_igb_count_vfs(pf);
	if (!nvf)
		return -ENODEV;
	inic = kzalloc(sizeof(*inic), GFP_KERNEL);
	if (!inic)
		return -ENOMEM;
	inic->nic = nic;
	inic->pf = pci_dev_get(pf);
	nic->eng_priv = inic;
	nic->caps.flags = CDNA_ENG_CAP_DMA | CDNA_ENG_CAP_RX_BUF_FIXED |
			  CDNA_ENG_CAP_HW_FILTER;
	nic->caps.max_ctx = nvf;
	nic->caps.max_qp = CDNA_IGB_MAX_QP;
	nic->caps.rx_buf_min = CDNA_IGB_RX_BUF_UNIT;
	nic->caps.rx_buf_max = min_t(u32, PAGE_SIZE, CDNA_IGB_MAX_RX_BUF);
	nic->caps.rx_buf_align = CDNA_IGB_RX_BUF_UNIT;
	nic->caps.ring_align = CDNA_IGB_RING_ALIGN;
	nic->caps.rx_buf_default = CDNA_IGB_DEF_RX_BUF;
	nic->caps.features = CDNA_IGB_FEATURES;
	pci_info(pf, "cdna: igb SR-IOV backend, %u VFs\n", nvf);
	return 0;
}

/*
 * Contexts keep their VF until they are deleted; when the NIC lets go of
 * the uplink, the VFs go with the PF's SR-IOV (igb_vf.c's remove).
 */
static void cdna_igb_revoke(struct cdna_nic *nic)
{
}

static void cdna_igb_destroy(struct cdna_nic *nic)
{
	struct cdna_igb_nic *inic = nic->eng_priv;

	if (!inic)
		return;
	pci_dev_put(inic->pf);
	kfree(inic);
	nic->eng_priv = NULL;
}

/* ---- per context ----------------------------------------------------- */

static int cdna_igb_ctx_add(struct cdna_ctx *ctx)
{
	struct cdna_igb_nic *inic = ctx->nic->eng_priv;
	struct cdna_igb_ctx *ictx;
	struct cdna_igb_vf *vf;

	if (!inic)
		return -ENODEV;
	if (ctx->nqp > CDNA_IGB_MAX_QP)
		return -EINVAL;
	ictx = kzalloc(sizeof(*ictx), GFP_KERNEL);
	if (!ictx)
		return -ENOMEM;
	ictx->ctx = ctx;
	mutex_init(&ictx->lock);
	INIT_WORK(&ictx->work, cdna_igb_work);
	INIT_DELAYED_WORK(&ictx->poll, cdna_igb_poll);
	vf = cdna_igb_vf_claim(inic->pf, ictx);
	if (IS_ERR(vf)) {
		dev_err(&ctx->nic->dev, "no free VF of %s for a context: %ld\n",
			pci_name(inic->pf), PTR_ERR(vf));
		mutex_destroy(&ictx->lock);
		kfree(ictx);
		return PTR_ERR(vf);
	}
	ctx->eng_priv = ictx;
	cdna_igb_debugfs_add(inic, NULL);
	/* The PF shows (ip link) and steers the MAC from now on. */
	if (is_valid_ether_addr(ctx->mac) &&
	    cdna_igb_pf_set_filter(ictx, ctx->mac, ctx->vlan, NULL))
		dev_warn(&ctx->nic->dev, "the PF refused MAC %pM for VF %d\n",
			 ctx->mac, vf->vf_id);
	return 0;
}

/* Stop a running queue's hardware and take its rings; engine lock held. */
static void cdna_igb_queue_stop_locked(struct cdna_igb_ctx *ictx,
				       struct cdna_queue *q)
{
	unsigned int qp = q->index / 2;

	if (!q->running)
		return;
	cdna_igb_hw_queue_stop(ictx, qp, q->is_tx);
	cdna_igb_qp_free(ictx, qp, q->is_tx);
	WRITE_ONCE(q->running, false);
	cdna_queue_unmap(q);
}

static void cdna_igb_release_locked(struct cdna_ctx *ctx)
{
	struct cdna_igb_ctx *ictx = cdna_igb_ictx(ctx);
	unsigned int i;

	for (i = 0; i < 2 * ctx->nqp; i++)
		cdna_igb_queue_stop_locked(ictx, &ctx->queues[i]);
}

static void cdna_igb_ctx_del(struct cdna_ctx *ctx)
{
	struct cdna_igb_ctx *ictx = cdna_igb_ictx(ctx);
	struct cdna_igb_vf *vf;
	unsigned int i;

	if (!ictx)
		return;
	mutex_lock(&ictx->lock);
	ictx->started = false;
	cdna_igb_release_locked(ctx);
	vf = ictx->vf;
	mutex_unlock(&ictx->lock);
	cdna_igb_cancel_passes(ictx);
	cdna_igb_vf_release(vf);
	for (i = 0; i < 2 * ctx->nqp; i++)
		cdna_queue_cancel_irq(&ctx->queues[i]);
	ctx->eng_priv = NULL;
	mutex_destroy(&ictx->lock);
	kfree(ictx);
}

static int cdna_igb_ctx_open(struct cdna_ctx *ctx)
{
	struct cdna_igb_ctx *ictx = cdna_igb_ictx(ctx);
	int ret;

	ret = cdna_igb_pf_set_filter(ictx, ctx->mac, ctx->vlan, NULL);
	if (ret)
		return ret;
	cdna_igb_pf_set_policy(ictx);
	mutex_lock(&ictx->lock);
	ret = cdna_igb_dma_up(ictx);
	if (!ret) {
		ret = cdna_igb_hw_up(ictx);
		if (ret)
			cdna_igb_dma_down(ictx);
	}
	mutex_unlock(&ictx->lock);
	return ret;
}

static void cdna_igb_ctx_close(struct cdna_ctx *ctx)
{
	struct cdna_igb_ctx *ictx = cdna_igb_ictx(ctx);

	mutex_lock(&ictx->lock);
	cdna_igb_hw_down(ictx);
	cdna_igb_dma_down(ictx);
	mutex_unlock(&ictx->lock);
}

static void cdna_igb_ctx_start(struct cdna_ctx *ctx)
{
	struct cdna_igb_ctx *ictx = cdna_igb_ictx(ctx);
	unsigned int i;

	mutex_lock(&ictx->lock);
	if (ictx->started || !ictx->vf) {
		mutex_unlock(&ictx->lock);
		return;
	}
	if (!ictx->hw_up && cdna_igb_hw_up(ictx)) {
		mutex_unlock(&ictx->lock);
		cdna_ctx_raise_error(ctx, CDNA_ERR_DMA, ~0U);
		return;
	}
	ether_addr_copy(ictx->mac, ctx->mac);
	ictx->trusted = ctx->trusted || !ctx->spoofchk;
	ictx->may_tag = ctx->trusted;
	for (i = 0; i < 2 * ctx->nqp; i++) {
		struct cdna_queue *q = &ctx->queues[i];

		q->features = ctx->drv_features;
		if (q->running)
			cdna_igb_hw_queue_start(ictx, i / 2, q->is_tx);
	}
	ictx->started = true;
	mutex_unlock(&ictx->lock);
	cdna_igb_debugfs_add(ctx->nic->eng_priv, ictx);
	cdna_igb_schedule(ictx);
}

static void cdna_igb_ctx_stop(struct cdna_ctx *ctx)
{
	struct cdna_igb_ctx *ictx = cdna_igb_ictx(ctx);
	unsigned int i;

	mutex_lock(&ictx->lock);
	if (ictx->started) {
		ictx->started = false;
		for (i = 0; i < 2 * ctx->nqp; i++) {
			struct cdna_queue *q = &ctx->queues[i];

			if (q->running)
				cdna_igb_hw_queue_stop(ictx, i / 2, q->is_tx);
		}
	}
	mutex_unlock(&ictx->lock);
	cdna_igb_cancel_passes(ictx);
}

static void cdna_igb_ctx_reset(struct cdna_ctx *ctx)
{
	struct cdna_igb_ctx *ictx = cdna_igb_ictx(ctx);

	mutex_lock(&ictx->lock);
	if (ictx->vf && cdna_igb_hw_up(ictx))
		dev_warn(mdev_dev(ctx->mdev), "VF reset failed\n");
	mutex_unlock(&ictx->lock);
}

static void cdna_igb_ctx_lock(struct cdna_ctx *ctx)
{
	mutex_lock(&cdna_igb_ictx(ctx)->lock);
}

static void cdna_igb_ctx_unlock(struct cdna_ctx *ctx)
{
	mutex_unlock(&cdna_igb_ictx(ctx)->lock);
}

static void cdna_igb_dma_unmap_locked(struct cdna_ctx *ctx, u64 iova, u64 len)
{
	struct cdna_igb_ctx *ictx = cdna_igb_ictx(ctx);
	bool restart = false;
	unsigned int i;

	for (i = 0; i < 2 * ctx->nqp; i++) {
		struct cdna_queue *q = &ctx->queues[i];

		if (q->running && cdna_queue_overlaps(q, iova, len)) {
			cdna_igb_queue_stop_locked(ictx, q);
			cdna_ctx_raise_error(ctx, CDNA_ERR_RING_UNMAPPED,
					     q->index);
		}
	}
	if (!ictx->started || !cdna_igb_uses_range(ictx, iova, len))
		return;
	/*
	 * The NIC holds a buffer in the range: stop the hardware queues,
	 * which gives every buffer back, and start them again empty.  The
	 * guest descriptors are read again; those in the range are refused.
	 */
	for (i = 0; i < 2 * ctx->nqp; i++) {
		struct cdna_queue *q = &ctx->queues[i];

		if (q->running) {
			cdna_igb_hw_queue_stop(ictx, i / 2, q->is_tx);
			if (ictx->vf)
				cdna_igb_hw_queue_start(ictx, i / 2, q->is_tx);
			restart = true;
		}
	}
	if (restart)
		cdna_igb_schedule(ictx);
}

/* ---- queues ---------------------------------------------------------- */

static int cdna_igb_queue_enable(struct cdna_queue *q)
{
	struct cdna_ctx *ctx = q->ctx;
	struct cdna_igb_ctx *ictx = cdna_igb_ictx(ctx);
	unsigned int qp = q->index / 2;
	int ret;

	if (qp >= CDNA_IGB_MAX_QP)
		return -EINVAL;
	mutex_lock(&ictx->lock);
	if (q->running) {
		ret = -EBUSY;
		goto out;
	}
	if (!ictx->vf) {
		ret = -ENODEV;
		goto out;
	}
	ret = cdna_queue_map(q);
	if (ret)
		goto out;
	if (!q->is_tx)
		ictx->qp[qp].rx_buf = cdna_regs_rx_buf(ctx, q);
	ret = cdna_igb_qp_alloc(ictx, qp, q->is_tx, q->size);
	if (ret) {
		cdna_queue_unmap(q);
		goto out;
	}
	q->features = ctx->drv_features;
	if (ictx->started)
		cdna_igb_hw_queue_start(ictx, qp, q->is_tx);
	WRITE_ONCE(q->running, true);
out:
	mutex_unlock(&ictx->lock);
	if (!ret)
		cdna_igb_schedule(ictx);
	return ret;
}

static void cdna_igb_queue_disable(struct cdna_queue *q)
{
	struct cdna_igb_ctx *ictx = cdna_igb_ictx(q->ctx);

	mutex_lock(&ictx->lock);
	cdna_igb_queue_stop_locked(ictx, q);
	mutex_unlock(&ictx->lock);
	cdna_queue_cancel_irq(q);
}

static void cdna_igb_kick(struct cdna_queue *q)
{
	struct cdna_igb_ctx *ictx = cdna_igb_ictx(q->ctx);

	if (ictx)
		cdna_igb_schedule(ictx);
}

static int cdna_igb_set_filter(struct cdna_ctx *ctx, const u8 *mac, u16 vlan,
			       struct netlink_ext_ack *extack)
{
	return cdna_igb_pf_set_filter(cdna_igb_ictx(ctx), mac, vlan, extack);
}

static void cdna_igb_set_tx_policy(struct cdna_ctx *ctx)
{
	struct cdna_igb_ctx *ictx = cdna_igb_ictx(ctx);

	/* The NIC's own policing, and cdna's check of every header. */
	cdna_igb_pf_set_policy(ictx);
	mutex_lock(&ictx->lock);
	ictx->trusted = ctx->trusted || !ctx->spoofchk;
	ictx->may_tag = ctx->trusted;
	mutex_unlock(&ictx->lock);
}

/**
 * cdna_igb_init() - module init of the backend: its workqueue and the
 *	PCI driver of its VFs
 *
 * Return: 0 or an errno.
 */
int cdna_igb_init(void)
{
	int ret;

	cdna_igb_wq = alloc_workqueue("cdna_igb",
				      WQ_UNBOUND | WQ_HIGHPRI | WQ_SYSFS, 0);
	if (!cdna_igb_wq)
		return -ENOMEM;
	ret = cdna_igb_pci_register();
	if (ret)
		goto err_destroy_wq;
	return 0;

err_destroy_wq:
	destroy_workqueue(cdna_igb_wq);
	return ret;
}

/**
 * cdna_igb_exit() - module exit: every context is gone, so is every
 *	work item
 */
void cdna_igb_exit(void)
{
	cdna_igb_pci_unregister();
	destroy_workqueue(cdna_igb_wq);
}

const struct cdna_engine_ops cdna_igb_engine_ops = {
	.name			= "igb",
	.probe			= cdna_igb_probe_uplink,
	.create			= cdna_igb_create,
	.revoke			= cdna_igb_revoke,
	.destroy		= cdna_igb_destroy,
	.ctx_add		= cdna_igb_ctx_add,
	.ctx_del		= cdna_igb_ctx_del,
	.ctx_open		= cdna_igb_ctx_open,
	.ctx_close		= cdna_igb_ctx_close,
	.ctx_start		= cdna_igb_ctx_start,
	.ctx_stop		= cdna_igb_ctx_stop,
	.ctx_reset		= cdna_igb_ctx_reset,
	.ctx_lock		= cdna_igb_ctx_lock,
	.ctx_unlock		= cdna_igb_ctx_unlock,
	.release_locked		= cdna_igb_release_locked,
	.dma_unmap_locked	= cdna_igb_dma_unmap_locked,
	.queue_enable		= cdna_igb_queue_enable,
	.queue_disable		= cdna_igb_queue_disable,
	.kick			= cdna_igb_kick,
	.set_filter		= cdna_igb_set_filter,
	.set_tx_policy		= cdna_igb_set_tx_policy,
};
