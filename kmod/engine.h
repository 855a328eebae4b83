/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cdna engine interface: what a NIC backend implements.
 *
 * The engine is whatever moves a context's packets: the software engine
 * (kmod/sw/, host CPU copies over any uplink net_device) or a DMA-capable
 * hardware backend (one SR-IOV VF per context).  The presentation (vf*.c),
 * the protection (protect.c, pincache.c), the context lifecycle (ctx.c)
 * and the control plane (nic.c, netlink.c, debugfs.c) reach the engine
 * only through struct cdna_engine_ops, by the cdna_eng_*() helpers below.
 * A backend in turn uses only the shared services declared in cdna.h:
 * the guest-ring library (queue.c: cdna_queue_map(), fetch, complete,
 * publish), the protection ops (get_buf/put_buf on the context), the
 * interrupt service (cdna_irq_signal()) and the error path
 * (cdna_ctx_raise_error()).  docs/engine.md describes the line and its
 * locking.
 *
 * Lock order, outermost first:
 *   cdna_nics_lock -> nic->lock -> ctx->lock -> engine exclusion
 *   (ops->ctx_lock) -> backend-internal locks -> VFIO locks
 * A backend never takes ctx->lock, nic->lock or cdna_nics_lock (errors
 * go through cdna_ctx_raise_error(), a work item).
 */
#ifndef _CDNA_ENGINE_H
#define _CDNA_ENGINE_H

#include <linux/types.h>

struct cdna_nic;
struct cdna_ctx;
struct cdna_queue;
struct cdna_queue_stats;
struct net_device;
struct netlink_ext_ack;

/* Capability flags of a backend (struct cdna_engine_caps.flags). */
/* The device does the DMA itself: IOMMU protection can constrain it. */
#define CDNA_ENG_CAP_DMA		BIT(0)
/* The backend has hardware interrupt vectors of its own (ops->irq_update). */
#define CDNA_ENG_CAP_HW_IRQ		BIT(1)
/* One RX buffer size per queue (all RX descriptors of a queue alike). */
#define CDNA_ENG_CAP_RX_BUF_FIXED	BIT(2)
/* MAC/VLAN steering, anti-spoof and rate are done by the device. */
#define CDNA_ENG_CAP_HW_FILTER		BIT(3)

/**
 * struct cdna_engine_caps - what a backend instance can do, filled by
 *	ops->create and fixed from then on
 * @flags: CDNA_ENG_CAP_*
 * @max_ctx: contexts the NIC can hold (0: no backend limit)
 * @max_qp: queue pairs per context (the control plane refuses more)
 * @rx_buf_min: smallest RX buffer the backend accepts, bytes
 * @rx_buf_max: largest RX buffer, bytes
 * @rx_buf_align: RX buffer sizes must be a multiple of this (1: any)
 * @ring_align: guest ring addresses must be aligned to this, bytes
 * @rx_buf_default: CDNA_RX_BUF_FIXED: the RX buffer size of a queue whose
 *	driver did not choose one (CDNA_QREG_RX_BUF_SIZE)
 * @features: device features (CDNA_F_*) the backend offers; 0 for all of
 *	this ABI (CDNA_F_ALL)
 *
 * The control plane (netlink.c) checks a context definition against
 * these and refuses what the backend cannot do with an extack message
 * naming the backend; queue enable refuses a ring or buffer layout the
 * backend cannot take with a device error, never a silent fallback.
 */
struct cdna_engine_caps {
	u32 flags;
	u32 max_ctx;
	u32 max_qp;
	u32 rx_buf_min;
	u32 rx_buf_max;
	u32 rx_buf_align;
	u32 ring_align;
	u32 rx_buf_default;
	u64 features;
};

/**
 * struct cdna_engine_ops - one NIC backend
 * @name: the backend's name, shown by `cdnactl nic show` ("software")
 *
 * Per NIC:
 * @probe: may this backend drive @uplink?  Called by the backend
 *	selection at `nic attach` (cdna_engine_select(), backend.c), in
 *	order of preference, with cdna_nics_lock held; may sleep, must not
 *	take rtnl_lock.  Return 0 if it can, -EOPNOTSUPP if not (the next
 *	backend is tried), another errno to refuse the attach (with an
 *	extack message).
 * @create: make the engine instance of a NIC being attached: set
 *	nic->eng_priv and fill nic->caps.  nic->uplink is set, the NIC's
 *	device is registered, its mdev parent not yet.  Called with
 *	cdna_nics_lock held; may sleep and take rtnl_lock.
 * @revoke: let go of the uplink (detach, the uplink going away): when it
 *	returns no frame reaches a context from the uplink and none is sent
 *	to it, and no context is processed any more; contexts and their
 *	engine state stay valid (VMs may still hold them).  Never waits for
 *	a VM.  Idempotent; may sleep and take rtnl_lock.  Called without
 *	any cdna lock.
 * @destroy: free the engine instance; every context was deleted.  Calls
 *	@revoke itself if it was not.  May sleep and take rtnl_lock.  Called
 *	without cdna locks, or with cdna_nics_lock when the attach fails
 *	after @create.
 * @netdev_unregister: class-wide, not per NIC: @dev is being
 *	unregistered (NETDEV_UNREGISTER); if it is an uplink of this
 *	backend, drop what the owner of an rx_handler (or a PF's VFs) must
 *	drop under rtnl_lock at once.  Called from the netdev notifier with
 *	rtnl_lock held, for every backend; must not sleep on cdna locks.
 *	Optional.
 *
 * Per context:
 * @ctx_add: a context was created on the NIC (mdev probe): allocate the
 *	engine state, set ctx->eng_priv, initialise the queues' engine-side
 *	fields.  A hardware backend may claim its VF here or in @ctx_open.
 *	Called without ctx->lock; may sleep.  Return 0 or an errno (the
 *	mdev probe fails with it).
 * @ctx_del: undo @ctx_add (mdev remove): no VM holds the context.  Stops
 *	every queue, frees ctx->eng_priv.  May sleep.
 * @ctx_open: a VM opened the context (ctx->lock held, protection open).
 *	Optional; may sleep.  Return 0 or an errno (the open fails).
 * @ctx_close: the VM closed it (ctx->lock held), after @ctx_stop and
 *	every queue disable.  Optional; may sleep.
 * @ctx_start: the driver set DRIVER_OK: start processing the context
 *	(cache the settings it uses per packet: MAC, VLAN, trust,
 *	features; join the demux).  ctx->lock held; may sleep.
 * @ctx_stop: quiesce: when it returns the engine does no DMA to or from
 *	the context's memory and holds none of its buffer pins (rings stay
 *	mapped until their queues are disabled), and no RX path can queue
 *	to it.  Used by reset, error, close and migration's STOP.
 *	Idempotent.  ctx->lock held; may sleep.
 * @ctx_reset: the device is being reset (STATUS = 0, VFIO reset), after
 *	@ctx_stop and every queue disable: return the engine's state of the
 *	context to power-on (a hardware backend resets its VF; counters
 *	stay cumulative).  ctx->lock held; may sleep.  Optional.
 * @ctx_lock: take the engine exclusion of a context: while held, the
 *	engine does not process it, touch its rings or use its buffers.
 *	The protection holds it around what changes the memory the engine
 *	uses (@dma_unmap_locked, pin cache flush, close); the engine holds
 *	it around every protection get_buf/put_buf/flush it calls.  ctx->lock
 *	may be held (it nests inside); sleeps.
 * @ctx_unlock: release @ctx_lock.
 * @release_locked: stop every queue of the context and unmap its rings
 *	(the protection is closing).  Engine exclusion held; may sleep.
 * @dma_unmap_locked: the VM unmapped [@iova, @iova + @len) of its DMA
 *	space: before returning, stop every queue whose rings lie there
 *	(with CDNA_ERR_RING_UNMAPPED) and stop using any buffer in it; the
 *	protection then drops its pins.  Engine exclusion held; may sleep
 *	briefly (a hardware backend waits for its queues to drain).
 *
 * Queues (ctx->lock held unless said otherwise):
 * @queue_enable: the guest enabled queue @q: its cfg_* fields (ring
 *	addresses and size, checked for size, alignment and wrap by
 *	vf_regs.c) say where its rings are.  Map them (cdna_queue_map()),
 *	reset the indices and start it.  May sleep.  Return 0, -EFAULT (a
 *	ring outside the VM's DMA memory), -EINVAL (a layout the backend
 *	cannot take), -EBUSY (running already), -ENOMEM, -ENODEV.
 * @queue_disable: stop queue @q and unmap its rings; returns when the
 *	engine no longer touches it (no DMA, no pending completion).  May
 *	sleep.
 * @kick: the guest rang queue @q's doorbell (vf_regs.c counted it).
 *	Any context, no lock needed; must not sleep.
 * @queue_stats: a snapshot of queue @q's counters into @st (packets,
 *	bytes, drops by reason, irqs; the caller fills kicks).  Any process
 *	context, no lock needed; must not sleep.  Optional: without it the
 *	counters in q->stats are read (cdna_queue_stats_read()).
 *
 * Settings (ctx->lock held, may sleep):
 * @set_filter: the context's MAC and VLAN (ctx->mac, ctx->vlan) are
 *	about to become @mac and @vlan (the context is not running).  A
 *	backend that steers in hardware programs them here.  Return 0 or an
 *	errno with @extack set; nothing changed then.  Optional.
 * @set_tx_policy: trust, spoofchk and rate of a started context changed
 *	(ctx->trusted, ctx->spoofchk and ctx->tx_rate hold the new values):
 *	apply them at once.  A context not started gets them at @ctx_start.
 *	Optional.
 *
 * Interrupts:
 * The engine raises a guest vector with cdna_irq_signal(ctx, vector)
 * (irq.c; any context), usually through the moderation of
 * cdna_queue_publish().  A backend with vectors of its own
 * (CDNA_ENG_CAP_HW_IRQ) may wire them to the guest's eventfds instead:
 * @irq_update: vector @vector's trigger or mask changed through
 *	VFIO_DEVICE_SET_IRQS (irq.c, after the change; ctx->lock held,
 *	ctx->irq_lock not; may sleep).  Optional.
 */
struct cdna_engine_ops {
	const char *name;

	int (*probe)(struct net_device *uplink,
		     struct netlink_ext_ack *extack);
	int (*create)(struct cdna_nic *nic);
	void (*revoke)(struct cdna_nic *nic);
	void (*destroy)(struct cdna_nic *nic);
	void (*netdev_unregister)(struct net_device *dev);

	int (*ctx_add)(struct cdna_ctx *ctx);
	void (*ctx_del)(struct cdna_ctx *ctx);
	int (*ctx_open)(struct cdna_ctx *ctx);
	void (*ctx_close)(struct cdna_ctx *ctx);
	void (*ctx_start)(struct cdna_ctx *ctx);
	void (*ctx_stop)(struct cdna_ctx *ctx);
	void (*ctx_reset)(struct cdna_ctx *ctx);
	void (*ctx_lock)(struct cdna_ctx *ctx);
	void (*ctx_unlock)(struct cdna_ctx *ctx);
	void (*release_locked)(struct cdna_ctx *ctx);
	void (*dma_unmap_locked)(struct cdna_ctx *ctx, u64 iova, u64 len);

	int (*queue_enable)(struct cdna_queue *q);
	void (*queue_disable)(struct cdna_queue *q);
	void (*kick)(struct cdna_queue *q);
	void (*queue_stats)(struct cdna_queue *q, struct cdna_queue_stats *st);

	int (*set_filter)(struct cdna_ctx *ctx, const u8 *mac, u16 vlan,
			  struct netlink_ext_ack *extack);
	void (*set_tx_policy)(struct cdna_ctx *ctx);

	void (*irq_update)(struct cdna_ctx *ctx, unsigned int vector);
};

/* The software engine (kmod/sw/). */
extern const struct cdna_engine_ops cdna_sw_engine_ops;

/* The igb SR-IOV backend (kmod/igb/) and the PCI driver of its VFs. */
extern const struct cdna_engine_ops cdna_igb_engine_ops;
int cdna_igb_init(void);
void cdna_igb_exit(void);

/* backend.c: backend selection and the class-wide notifications */
const struct cdna_engine_ops *cdna_engine_select(struct net_device *uplink,
						 struct netlink_ext_ack *extack);
void cdna_engine_netdev_unregister(struct net_device *dev);

#endif /* _CDNA_ENGINE_H */
