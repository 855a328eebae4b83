// SPDX-License-Identifier: GPL-2.0
/*
 * cdna: context lifecycle.
 *
 * A context is what one VM sees of a NIC: one VF.  Its life is an explicit
 * state machine (see enum cdna_ctx_state); every transition goes through
 * cdna_ctx_set_state(), which refuses the ones the machine does not have.
 * The VF presentation (vf.c, vf_regs.c) turns VFIO callbacks and guest
 * register writes into the verbs below; the control plane (netlink.c)
 * configures a context through cdna_ctx_apply_def(), cdna_ctx_apply()
 * (which the sysfs attributes of vf_sysfs.c share), cdna_ctx_update_link(),
 * cdna_ctx_set_tx_policy() and cdna_ctx_delete_begin(),
 * and hears about its transitions through cdna_nl_event().
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/ctype.h>
#include <linux/etherdevice.h>
#include <linux/if_vlan.h>
#include <net/netlink.h>

#include "cdna.h"

const char * const cdna_drop_names[CDNA_DROP_MAX] = {
	[CDNA_DROP_BAD_ADDR]	= "bad_addr",
	[CDNA_DROP_BAD_LEN]	= "bad_len",
	[CDNA_DROP_BAD_FLAGS]	= "bad_flags",
	[CDNA_DROP_BAD_OFFLOAD]	= "bad_offload",
	[CDNA_DROP_SPOOF]	= "spoof",
	[CDNA_DROP_NO_RXBUF]	= "no_rxbuf",
	[CDNA_DROP_LINK_DOWN]	= "link_down",
	[CDNA_DROP_PIN]		= "pin",
	[CDNA_DROP_NOMEM]	= "nomem",
	[CDNA_DROP_VLAN]	= "vlan_tag",
	[CDNA_DROP_UPLINK]	= "uplink_drop",
};

static const char * const cdna_ctx_state_names[] = {
	[CDNA_CTX_CREATED]	= "created",
	[CDNA_CTX_OPEN]		= "open",
	[CDNA_CTX_RUNNING]	= "running",
	[CDNA_CTX_RESETTING]	= "resetting",
	[CDNA_CTX_ERROR]	= "error",
	[CDNA_CTX_CLOSED]	= "closed",
	[CDNA_CTX_DESTROYED]	= "destroyed",
};

#define CDNA_ST(s)	BIT(CDNA_CTX_##s)

/* The states each state may move to. */
static const unsigned long cdna_ctx_next_states[] = {
	[CDNA_CTX_CREATED]	= CDNA_ST(OPEN) | CDNA_ST(DESTROYED),
	[CDNA_CTX_OPEN]		= CDNA_ST(RUNNING) | CDNA_ST(ERROR) |
				  CDNA_ST(RESETTING),
	[CDNA_CTX_RUNNING]	= CDNA_ST(ERROR) | CDNA_ST(RESETTING),
	[CDNA_CTX_RESETTING]	= CDNA_ST(OPEN) | CDNA_ST(CLOSED),
	[CDNA_CTX_ERROR]	= CDNA_ST(RESETTING),
	[CDNA_CTX_CLOSED]	= CDNA_ST(OPEN) | CDNA_ST(DESTROYED),
	[CDNA_CTX_DESTROYED]	= 0,
};

static_assert(ARRAY_SIZE(cdna_ctx_state_names) == CDNA_CTX_DESTROYED + 1);
static_assert(ARRAY_SIZE(cdna_ctx_next_states) == CDNA_CTX_DESTROYED + 1);

static struct device *cdna_ctx_dev(struct cdna_ctx *ctx)
{
	return mdev_dev(ctx->mdev);
}

/**
 * cdna_ctx_state_name() - printable name of a lifecycle state
 * @state: the state
 *
 * Return: a static string ("created", "open", ...).
 */
const char *cdna_ctx_state_name(enum cdna_ctx_state state)
{
	if ((unsigned int)state >= ARRAY_SIZE(cdna_ctx_state_names))
		return "invalid";
	return cdna_ctx_state_names[state];
}

/**
 * cdna_ctx_set_state() - move a context to a new lifecycle state
 * @ctx: the context
 * @state: the state to move to
 *
 * Only the transitions of enum cdna_ctx_state are allowed.  A refused
 * transition changes nothing; it is logged at debug level only, since some
 * callers reach here on behalf of the guest.  Caller holds ctx->lock.
 *
 * Return: 0 or -EINVAL for a transition the state machine does not have.
 */
int cdna_ctx_set_state(struct cdna_ctx *ctx, enum cdna_ctx_state state)
{
	enum cdna_ctx_state old = ctx->state;

	lockdep_assert_held(&ctx->lock);

	if ((unsigned int)state > CDNA_CTX_DESTROYED ||
	    !(cdna_ctx_next_states[old] & BIT(state))) {
		dev_dbg(cdna_ctx_dev(ctx), "state %s -> %s refused\n",
			cdna_ctx_state_name(old), cdna_ctx_state_name(state));
		return -EINVAL;
	}
	ctx->state = state;
	dev_dbg(cdna_ctx_dev(ctx), "state %s -> %s\n",
		cdna_ctx_state_name(old), cdna_ctx_state_name(state));
	if (state == CDNA_CTX_OPEN &&
	    (old == CDNA_CTX_CREATED || old == CDNA_CTX_CLOSED))
		cdna_nl_event(ctx, CDNA_EVENT_CTX_OPENED);
	else if (state == CDNA_CTX_CLOSED)
		cdna_nl_event(ctx, CDNA_EVENT_CTX_CLOSED);
	else if (state == CDNA_CTX_ERROR)
		cdna_nl_event(ctx, CDNA_EVENT_CTX_ERROR);
	return 0;
}

/**
 * cdna_ctx_is_open() - does a VM hold the context?
 * @ctx: the context
 *
 * Return: true in the states between open_device and close_device.
 */
bool cdna_ctx_is_open(struct cdna_ctx *ctx)
{
	switch (READ_ONCE(ctx->state)) {
	case CDNA_CTX_OPEN:
	case CDNA_CTX_RUNNING:
	case CDNA_CTX_RESETTING:
	case CDNA_CTX_ERROR:
		return true;
	default:
		return false;
	}
}

static void cdna_ctx_error_work(struct work_struct *work);
static void cdna_ctx_set_link_locked(struct cdna_ctx *ctx, bool up);

/* The largest MTU a context on @uplink may use; @fallback without one. */
static u32 cdna_ctx_uplink_mtu(const struct net_device *uplink, u32 fallback)
{
	if (!uplink)
		return fallback;
	return clamp_t(u32, READ_ONCE(uplink->mtu), CDNA_MIN_MTU, CDNA_MAX_MTU);
}

/**
 * cdna_ctx_init() - initialise a new context
 * @ctx: the context, zeroed, embedding its vfio_device
 * @nic: the NIC it lives on
 * @nqp: queue pairs (from the mdev type)
 *
 * Called from the vfio_device .init callback; undone by cdna_ctx_fini().
 *
 * Return: 0 or -ENOMEM.
 */
int cdna_ctx_init(struct cdna_ctx *ctx, struct cdna_nic *nic,
		  unsigned int nqp)
{
	unsigned int i;

	ctx->mdev = to_mdev_device(ctx->vdev.dev);
	guid_copy(&ctx->uuid, &ctx->mdev->uuid);
	ctx->nic = nic;
	INIT_LIST_HEAD(&ctx->node);
	mutex_init(&ctx->lock);
	spin_lock_init(&ctx->irq_lock);
	spin_lock_init(&ctx->event_lock);
	INIT_WORK(&ctx->error_work, cdna_ctx_error_work);

	ctx->nqp = nqp;
	ctx->nvec = CDNA_MSIX_NUM_VECTORS(nqp);
	ctx->queues = kcalloc(2 * nqp, sizeof(*ctx->queues), GFP_KERNEL);
	if (!ctx->queues)
		return -ENOMEM;
	for (i = 0; i < 2 * nqp; i++) {
		struct cdna_queue *q = &ctx->queues[i];

		q->ctx = ctx;
		q->index = i;
		q->is_tx = i & 1;
		cdna_queue_init(q);
		u64_stats_init(&q->stats.syncp);
		atomic64_set(&q->kicks, 0);
		atomic64_set(&q->kp_kicks, 0);
	}

	eth_random_addr(ctx->mac);
	ctx->spoofchk = true;
	ctx->link_mode = CDNA_LINK_MODE_AUTO;
	ctx->link_up = true;
	ctx->protect = &cdna_protect_checked_ops;
	ctx->dev_features = nic->caps.features ?: CDNA_F_ALL;
	ctx->max_mtu = cdna_ctx_uplink_mtu(nic->uplink, CDNA_MAX_MTU);
	ctx->state = CDNA_CTX_CREATED;
	cdna_ctx_regs_init(ctx);
	cdna_cfg_init(ctx);
	return 0;
}

/**
 * cdna_ctx_fini() - free what cdna_ctx_init() allocated
 * @ctx: the context; no VM holds it and the engine forgot it
 */
void cdna_ctx_fini(struct cdna_ctx *ctx)
{
	cancel_work_sync(&ctx->error_work);
	kfree(ctx->queues);
	ctx->queues = NULL;
	mutex_destroy(&ctx->lock);
}

/**
 * cdna_ctx_regs_init() - put every register to its initial value
 * @ctx: the context
 *
 * The state of a freshly created or reset function, queue registers
 * included (the queues are disabled).  MSI-X triggers are VMM state and
 * survive.  Caller holds ctx->lock or owns @ctx exclusively.
 */
void cdna_ctx_regs_init(struct cdna_ctx *ctx)
{
	unsigned long flags;
	unsigned int i;

	for (i = 0; i < 2 * ctx->nqp; i++) {
		struct cdna_queue *q = &ctx->queues[i];

		q->cfg_desc = 0;
		q->cfg_cpl = 0;
		q->cfg_shm = 0;
		q->cfg_size = 0;
		q->cfg_rx_buf = 0;
	}

	cdna_kick_reset(ctx);
	ctx->drv_features = 0;
	ctx->status = 0;
	ctx->num_qp = ctx->nqp;
	WRITE_ONCE(ctx->mtu, min_t(u32, CDNA_DEFAULT_MTU, ctx->max_mtu));
	memset(ctx->coal, 0, sizeof(ctx->coal));

	spin_lock_irqsave(&ctx->event_lock, flags);
	ctx->needs_reset = false;
	ctx->error_cause = CDNA_ERR_NONE;
	ctx->error_queue = ~0U;
	ctx->ctrl_cause = 0;
	spin_unlock_irqrestore(&ctx->event_lock, flags);
}

/* Stop the engine and disable every queue: nothing touches guest memory. */
static void cdna_ctx_quiesce(struct cdna_ctx *ctx)
{
	unsigned int i;

	lockdep_assert_held(&ctx->lock);

	if (ctx->engine_started) {
		cdna_eng_ctx_stop(ctx);
		ctx->engine_started = false;
	}
	for (i = 0; i < 2 * ctx->nqp; i++) {
		struct cdna_queue *q = &ctx->queues[i];

		if (!q->enabled)
			continue;
		WRITE_ONCE(q->enabled, false);
		cdna_eng_queue_disable(q);
	}
}

/* Drop every pin the context holds (its queues are disabled already). */
static void cdna_ctx_protect_flush(struct cdna_ctx *ctx)
{
	lockdep_assert_held(&ctx->lock);

	cdna_eng_lock(ctx);
	ctx->protect->flush(ctx);
	cdna_eng_unlock(ctx);
}

/**
 * cdna_ctx_open() - a VM opened the context's VFIO device
 * @ctx: the context
 *
 * Return: 0, -ENODEV if the NIC is being detached, -EBUSY if the context
 * is not in a state that can be opened, or the protection's error.
 */
int cdna_ctx_open(struct cdna_ctx *ctx)
{
	int ret;

	ret = cdna_nic_ctx_open(ctx->nic);
	if (ret)
		return ret;

	mutex_lock(&ctx->lock);
	if (ctx->deleting) {
		ret = -ENODEV;
		goto err_nic_close;
	}
	if (ctx->state != CDNA_CTX_CREATED && ctx->state != CDNA_CTX_CLOSED) {
		ret = -EBUSY;
		goto err_nic_close;
	}
	ret = ctx->protect->open(ctx);
	if (ret)
		goto err_nic_close;
	ret = cdna_eng_ctx_open(ctx);
	if (ret)
		goto err_protect_close;

	cdna_ctx_regs_init(ctx);
	cdna_cfg_init(ctx);
	cdna_mig_reset(ctx);
	cdna_ctx_set_state(ctx, CDNA_CTX_OPEN);
	mutex_unlock(&ctx->lock);
	dev_dbg(cdna_ctx_dev(ctx), "opened by %s (%d)\n", current->comm,
		task_pid_nr(current));
	return 0;

err_protect_close:
	ctx->protect->close(ctx);
err_nic_close:
	mutex_unlock(&ctx->lock);
	cdna_nic_ctx_close(ctx->nic);
	return ret;
}

/**
 * cdna_ctx_close() - the VM closed the context's VFIO device
 * @ctx: the context
 *
 * Stops the engine, disables the queues, releases every pin and mapping
 * and every eventfd: after this nothing of the VM is referenced.
 */
void cdna_ctx_close(struct cdna_ctx *ctx)
{
	mutex_lock(&ctx->lock);
	cdna_ctx_set_state(ctx, CDNA_CTX_RESETTING);
	cdna_ctx_quiesce(ctx);
	cdna_mig_reset(ctx);
	cdna_eng_ctx_close(ctx);
	ctx->protect->close(ctx);
	cdna_irq_release_all(ctx);
	cdna_ctx_regs_init(ctx);
	cdna_ctx_set_state(ctx, CDNA_CTX_CLOSED);
	mutex_unlock(&ctx->lock);

	cdna_nic_ctx_close(ctx->nic);
	dev_dbg(cdna_ctx_dev(ctx), "closed\n");
}

/**
 * cdna_ctx_reset() - reset the function (STATUS = 0, VFIO_DEVICE_RESET)
 * @ctx: the context, open
 *
 * Synchronous: when this returns the engine is stopped, every queue is
 * disabled, every pin the context held is released and every register has
 * its initial value.  Caller holds ctx->lock.
 */
void cdna_ctx_reset(struct cdna_ctx *ctx)
{
	lockdep_assert_held(&ctx->lock);

	if (cdna_ctx_set_state(ctx, CDNA_CTX_RESETTING))
		return;
	cdna_ctx_quiesce(ctx);
	cdna_eng_ctx_reset(ctx);
	cdna_ctx_protect_flush(ctx);
	cdna_ctx_regs_init(ctx);
	ctx->resets++;
	cdna_ctx_set_state(ctx, CDNA_CTX_OPEN);
}

/* Set NEEDS_RESET and the cause; true if this is the first error. */
static bool cdna_ctx_note_error(struct cdna_ctx *ctx, u32 cause, u32 queue)
{
	unsigned long flags;
	bool first = false;

	spin_lock_irqsave(&ctx->event_lock, flags);
	if (!ctx->needs_reset) {
		ctx->needs_reset = true;
		ctx->error_cause = cause;
		ctx->error_queue = queue;
		ctx->ctrl_cause |= CDNA_CTRL_CAUSE_ERROR;
		first = true;
	}
	spin_unlock_irqrestore(&ctx->event_lock, flags);
	return first;
}

/* Caller holds ctx->lock and NEEDS_RESET is set: stop and enter ERROR. */
static void cdna_ctx_enter_error(struct cdna_ctx *ctx)
{
	lockdep_assert_held(&ctx->lock);

	if (ctx->state != CDNA_CTX_OPEN && ctx->state != CDNA_CTX_RUNNING)
		return;
	if (ctx->engine_started) {
		cdna_eng_ctx_stop(ctx);
		ctx->engine_started = false;
	}
	cdna_ctx_set_state(ctx, CDNA_CTX_ERROR);
}

/**
 * cdna_ctx_error() - device error found on the register path
 * @ctx: the context
 * @cause: CDNA_ERR_*
 * @queue: the queue concerned, or ~0
 *
 * Sets NEEDS_RESET with @cause and @queue (the first error wins), stops
 * the engine, moves the context to ERROR and raises the control vector.
 * Caller holds ctx->lock.
 */
void cdna_ctx_error(struct cdna_ctx *ctx, u32 cause, u32 queue)
{
	lockdep_assert_held(&ctx->lock);

	if (!cdna_ctx_note_error(ctx, cause, queue))
		return;
	dev_dbg(cdna_ctx_dev(ctx), "device error: cause %u queue %d\n",
		cause, (int)queue);
	cdna_ctx_enter_error(ctx);
	cdna_irq_signal(ctx, CDNA_MSIX_CTRL_VECTOR);
}

/**
 * cdna_ctx_raise_error() - device error found by the engine
 * @ctx: the context
 * @cause: CDNA_ERR_*
 * @queue: the queue concerned, or ~0
 *
 * Like cdna_ctx_error() but callable from any context, without ctx->lock:
 * NEEDS_RESET and the control interrupt are immediate, the move to ERROR
 * (which stops the engine) is done by a work item.  The engine should stop
 * processing the queue it found broken by itself.
 */
void cdna_ctx_raise_error(struct cdna_ctx *ctx, u32 cause, u32 queue)
{
	if (!cdna_ctx_note_error(ctx, cause, queue))
		return;
	schedule_work(&ctx->error_work);
	cdna_irq_signal(ctx, CDNA_MSIX_CTRL_VECTOR);
}

/**
 * cdna_ctx_backend_lost() - the engine lost the device under the context
 * @ctx: the context
 * @cause: CDNA_ERR_* for the guest
 *
 * For a backend whose hardware went away without being asked (an igb VF
 * removed by its PF): like cdna_ctx_raise_error(), and callable without
 * ctx->lock, but the link also goes down, from the error work, and stays
 * down whatever the link mode or the uplink say, until the context is
 * deleted.  The engine has stopped and unmapped everything already.
 */
void cdna_ctx_backend_lost(struct cdna_ctx *ctx, u32 cause)
{
	WRITE_ONCE(ctx->backend_lost, true);
	schedule_work(&ctx->error_work);
	cdna_ctx_raise_error(ctx, cause, ~0U);
}

static void cdna_ctx_error_work(struct work_struct *work)
{
	struct cdna_ctx *ctx = container_of(work, struct cdna_ctx, error_work);
	bool needs_reset;

	mutex_lock(&ctx->lock);
	if (READ_ONCE(ctx->backend_lost))
		cdna_ctx_set_link_locked(ctx, false);
	/* A reset in between cleared the error: nothing left to do. */
	spin_lock_irq(&ctx->event_lock);
	needs_reset = ctx->needs_reset;
	spin_unlock_irq(&ctx->event_lock);
	if (needs_reset)
		cdna_ctx_enter_error(ctx);
	mutex_unlock(&ctx->lock);
}

/* Caller holds ctx->lock. */
static void cdna_ctx_set_link_locked(struct cdna_ctx *ctx, bool up)
{
	unsigned long flags;
	bool irq;

	lockdep_assert_held(&ctx->lock);
	if (READ_ONCE(ctx->backend_lost))
		up = false;
	if (ctx->link_up == up)
		return;
	WRITE_ONCE(ctx->link_up, up);
	spin_lock_irqsave(&ctx->event_lock, flags);
	ctx->ctrl_cause |= CDNA_CTRL_CAUSE_LINK;
	spin_unlock_irqrestore(&ctx->event_lock, flags);
	irq = (ctx->drv_features & BIT_ULL(CDNA_F_LINK_IRQ)) &&
	      (ctx->status & CDNA_STATUS_DRIVER_OK);
	if (irq)
		cdna_irq_signal(ctx, CDNA_MSIX_CTRL_VECTOR);
	cdna_nl_event(ctx, CDNA_EVENT_LINK);
	dev_dbg(cdna_ctx_dev(ctx), "link %s%s\n", up ? "up" : "down",
		irq ? ", interrupt" : "");
}

/**
 * cdna_ctx_set_link() - the host sets the context's link up or down
 * @ctx: the context
 * @up: new link state
 *
 * A change sets CDNA_CTRL_CAUSE_LINK and, if the driver acked
 * CDNA_F_LINK_IRQ and is running, raises the control vector.
 */
void cdna_ctx_set_link(struct cdna_ctx *ctx, bool up)
{
	mutex_lock(&ctx->lock);
	cdna_ctx_set_link_locked(ctx, up);
	mutex_unlock(&ctx->lock);
}

/**
 * cdna_ctx_update_link() - apply the link mode: up, down, or the uplink's
 *	state for auto
 * @ctx: the context
 *
 * A forced-off context (being deleted) stays down, and so does one whose
 * MAC the uplink took since (the host keeps its own unicast; see
 * cdna_nic_mac_is_uplink()).
 */
void cdna_ctx_update_link(struct cdna_ctx *ctx)
{
	struct net_device *uplink = ctx->nic->uplink;
	bool up;

	mutex_lock(&ctx->lock);
	switch (ctx->link_mode) {
	case CDNA_LINK_MODE_UP:
		up = true;
		break;
	case CDNA_LINK_MODE_DOWN:
		up = false;
		break;
	default:
		up = uplink && netif_running(uplink) && netif_carrier_ok(uplink);
		break;
	}
	if (ctx->deleting || cdna_nic_mac_is_uplink(ctx->nic, ctx->mac))
		up = false;
	cdna_ctx_set_link_locked(ctx, up);
	mutex_unlock(&ctx->lock);
}

/**
 * cdna_ctx_update_mtu() - MAX_MTU follows the uplink's MTU
 * @ctx: the context
 *
 * Called when the uplink's MTU changed.  A driver that set a larger MTU
 * keeps its MTU register, but the engine holds its frames to the uplink's
 * MTU from the uplink's change on (it reads both for every packet); a
 * later MTU write is checked against the new MAX_MTU.
 */
void cdna_ctx_update_mtu(struct cdna_ctx *ctx)
{
	mutex_lock(&ctx->lock);
	WRITE_ONCE(ctx->max_mtu, cdna_ctx_uplink_mtu(ctx->nic->uplink,
						     ctx->max_mtu));
	mutex_unlock(&ctx->lock);
}

/**
 * cdna_ctx_apply_def() - give a new context the control plane's settings
 * @ctx: the context, not yet visible to a VM
 * @def: its definition
 *
 * Caller holds nic->lock.
 */
void cdna_ctx_apply_def(struct cdna_ctx *ctx, const struct cdna_ctx_def *def)
{
	lockdep_assert_held(&ctx->nic->lock);
	mutex_lock(&ctx->lock);
	strscpy(ctx->name, def->name, sizeof(ctx->name));
	ether_addr_copy(ctx->mac, def->mac);
	ctx->vlan = def->vlan;
	ctx->trusted = def->trusted;
	ctx->spoofchk = def->spoofchk;
	ctx->tx_rate = def->tx_rate;
	ctx->link_mode = def->link_mode;
	ctx->incoming = def->incoming;
	ctx->protect = def->protect == CDNA_PROTECT_MODE_IOMMU ?
		       &cdna_protect_iommu_ops : &cdna_protect_checked_ops;
	ctx->strategy = def->strategy;
	mutex_unlock(&ctx->lock);
}

static void cdna_ctx_set_tx_policy_locked(struct cdna_ctx *ctx, bool trusted,
					  bool spoofchk, u32 tx_rate)
{
	lockdep_assert_held(&ctx->lock);
	ctx->trusted = trusted;
	ctx->spoofchk = spoofchk;
	ctx->tx_rate = tx_rate;
	/* Otherwise the engine takes them at ops->ctx_start. */
	if (ctx->engine_started)
		cdna_eng_set_tx_policy(ctx);
}

/**
 * cdna_ctx_set_tx_policy() - set what the context may send, and how fast
 * @ctx: the context
 * @trusted: may send any source MAC
 * @spoofchk: check the source MAC on TX
 * @tx_rate: TX rate limit in Mbit/s, 0 for none
 *
 * Takes effect at once, also for a running context.
 */
void cdna_ctx_set_tx_policy(struct cdna_ctx *ctx, bool trusted, bool spoofchk,
			    u32 tx_rate)
{
	mutex_lock(&ctx->lock);
	cdna_ctx_set_tx_policy_locked(ctx, trusted, spoofchk, tx_rate);
	mutex_unlock(&ctx->lock);
}

/**
 * cdna_ctx_delete_begin() - the control plane starts deleting a context
 * @ctx: the context
 * @force: also if a VM holds it
 *
 * Marks the context deleting (no new open; from then on the guest's queue
 * enables and DRIVER_OK are refused with an error, so a reset keeps it
 * stopped) and sets its link down.  If a VM holds it (only with @force),
 * stops the engine, disables every queue, releases every pin and enters
 * ERROR.  Never waits for the VM: the mdev removal that follows does.
 * Also how a NIC that loses its uplink orphans its contexts (nic.c).
 *
 * Return: 0, or -EBUSY if a VM holds the context and @force is false.
 */
int cdna_ctx_delete_begin(struct cdna_ctx *ctx, bool force)
{
	mutex_lock(&ctx->lock);
	if (cdna_ctx_is_open(ctx) && !force) {
		mutex_unlock(&ctx->lock);
		return -EBUSY;
	}
	ctx->deleting = true;
	cdna_ctx_set_link_locked(ctx, false);
	if (cdna_ctx_is_open(ctx)) {
		cdna_ctx_error(ctx, CDNA_ERR_STATE, ~0U);
		cdna_ctx_quiesce(ctx);
		ctx->protect->close(ctx);
	}
	mutex_unlock(&ctx->lock);
	return 0;
}

/**
 * cdna_ctx_name_valid() - is @name a valid context name?
 * @name: a NUL-terminated string
 *
 * Return: true for 1 to IFNAMSIZ - 1 characters of [A-Za-z0-9._-].
 */
bool cdna_ctx_name_valid(const char *name)
{
	const char *p;

	if (!*name || strnlen(name, IFNAMSIZ) >= IFNAMSIZ)
		return false;
	for (p = name; *p; p++)
		if (!isalnum(*p) && *p != '-' && *p != '_' && *p != '.')
			return false;
	return true;
}

/* The checks that need no lock: the values alone. */
static int cdna_ctx_settings_check(const struct cdna_ctx_settings *set,
				   struct netlink_ext_ack *extack)
{
	if ((set->mask & CDNA_SET_NAME) && !cdna_ctx_name_valid(set->name)) {
		NL_SET_ERR_MSG(extack,
			       "context name must be 1-15 of [A-Za-z0-9._-]");
		return -EINVAL;
	}
	if (set->mask & CDNA_SET_MAC) {
		if (is_multicast_ether_addr(set->mac)) {
			NL_SET_ERR_MSG(extack, "MAC address is multicast");
			return -EINVAL;
		}
		if (!is_valid_ether_addr(set->mac)) {
			NL_SET_ERR_MSG(extack, "invalid MAC address");
			return -EINVAL;
		}
	}
	if ((set->mask & CDNA_SET_VLAN) && set->vlan > VLAN_N_VID - 2) {
		NL_SET_ERR_MSG(extack, "VLAN out of range (0..4094)");
		return -ERANGE;
	}
	if ((set->mask & CDNA_SET_TX_RATE) && set->tx_rate > CDNA_MAX_TX_RATE) {
		NL_SET_ERR_MSG(extack, "rate out of range (0..1000000 Mbit/s)");
		return -ERANGE;
	}
	if ((set->mask & CDNA_SET_LINK) && set->link_mode > CDNA_LINK_MODE_DOWN) {
		NL_SET_ERR_MSG(extack, "link mode must be auto, up or down");
		return -EINVAL;
	}
	return 0;
}

/**
 * cdna_ctx_apply() - change a context's host-side settings
 * @ctx: the context
 * @set: the fields to change (@set->mask) and their values
 * @extack: error reporting (netlink, or a message vf_sysfs.c logs)
 *
 * The one place where the control plane changes a context after its
 * creation: CDNA_CMD_CTX_SET and the sysfs attributes both come here, so
 * they validate alike.  Everything is checked first and then applied under
 * nic->lock and ctx->lock, so nothing changes unless all is valid and no
 * VM opens the context in between.  Name, MAC and VLAN change only while
 * no VM holds the context; with CDNA_SET_IDLE_ONLY nothing does.  A link
 * that changes as a result is announced (CDNA_EVENT_LINK).
 *
 * Caller holds cdna_nics_lock (names are unique on the host) and no NIC
 * or context lock.
 *
 * Return: 0; -EINVAL for a malformed name, a multicast or zero MAC, or an
 * unknown link mode; -ERANGE for a VLAN or rate out of range; -EBUSY while
 * a VM holds the context; -EOPNOTSUPP for iommu protection on a backend
 * that copies with the CPU; -EADDRINUSE for the uplink's own MAC; -EEXIST
 * for a name on the host or a MAC on the NIC that another context or a
 * definition has.
 */
int cdna_ctx_apply(struct cdna_ctx *ctx, const struct cdna_ctx_settings *set,
		   struct netlink_ext_ack *extack)
{
	const u32 idle = CDNA_SET_NAME | CDNA_SET_MAC | CDNA_SET_VLAN |
			 CDNA_SET_PROTECT | CDNA_SET_IDLE_ONLY;
	struct cdna_nic *nic = ctx->nic;
	bool trusted, spoofchk;
	u32 tx_rate;
	int ret;

	lockdep_assert_held(&cdna_nics_lock);
	ret = cdna_ctx_settings_check(set, extack);
	if (ret)
		return ret;
	if ((set->mask & CDNA_SET_NAME) && cdna_nic_name_taken(ctx, set->name)) {
		NL_SET_ERR_MSG(extack, "context name is in use");
		return -EEXIST;
	}

	mutex_lock(&nic->lock);
	mutex_lock(&ctx->lock);
	if ((set->mask & idle) && cdna_ctx_is_open(ctx)) {
		if (set->mask & CDNA_SET_IDLE_ONLY)
			NL_SET_ERR_MSG(extack,
				       "settings change only while no VM holds the context");
		else if (set->mask & CDNA_SET_PROTECT)
			NL_SET_ERR_MSG(extack,
				       "protection and mapping strategy change only while no VM holds the context");
		else
			NL_SET_ERR_MSG(extack,
				       "MAC and VLAN change only while no VM holds the context");
		ret = -EBUSY;
	} else if ((set->mask & CDNA_SET_PROTECT) &&
		   set->protect == CDNA_PROTECT_MODE_IOMMU &&
		   !(nic->caps.flags & CDNA_ENG_CAP_DMA)) {
		NL_SET_ERR_MSG(extack,
			       "iommu protection needs a NIC that does the DMA itself (igb backend); this NIC's backend copies with the CPU");
		ret = -EOPNOTSUPP;
	} else if ((set->mask & CDNA_SET_MAC) &&
		   cdna_nic_mac_is_uplink(nic, set->mac)) {
		NL_SET_ERR_MSG(extack, "MAC address is the uplink's own");
		ret = -EADDRINUSE;
	} else if ((set->mask & CDNA_SET_MAC) &&
		   cdna_nic_mac_taken_locked(nic, ctx, set->mac,
					     ctx->incoming)) {
		NL_SET_ERR_MSG(extack, "MAC address is in use on this NIC");
		ret = -EEXIST;
	} else if (set->mask & (CDNA_SET_MAC | CDNA_SET_VLAN)) {
		/* A backend that steers in hardware programs its filter. */
		ret = cdna_eng_set_filter(ctx, set->mask & CDNA_SET_MAC ?
					  set->mac : ctx->mac,
					  set->mask & CDNA_SET_VLAN ?
					  set->vlan : ctx->vlan, extack);
	}
	if (ret)
		goto out_unlock;

	if (set->mask & CDNA_SET_NAME)
		strscpy(ctx->name, set->name, sizeof(ctx->name));
	if (set->mask & CDNA_SET_MAC)
		ether_addr_copy(ctx->mac, set->mac);
	if (set->mask & CDNA_SET_VLAN)
		ctx->vlan = set->vlan;
	if (set->mask & CDNA_SET_LINK)
		ctx->link_mode = set->link_mode;
	if (set->mask & CDNA_SET_PROTECT) {
		ctx->protect = set->protect == CDNA_PROTECT_MODE_IOMMU ?
			       &cdna_protect_iommu_ops :
			       &cdna_protect_checked_ops;
		ctx->strategy = set->strategy;
	}
	trusted = set->mask & CDNA_SET_TRUST ? set->trusted : ctx->trusted;
	spoofchk = set->mask & CDNA_SET_SPOOFCHK ? set->spoofchk :
		   ctx->spoofchk;
	tx_rate = set->mask & CDNA_SET_TX_RATE ? set->tx_rate : ctx->tx_rate;
	cdna_ctx_set_tx_policy_locked(ctx, trusted, spoofchk, tx_rate);
out_unlock:
	mutex_unlock(&ctx->lock);
	mutex_unlock(&nic->lock);
	/* The link mode, or a MAC that no longer is the uplink's. */
	if (!ret)
		cdna_ctx_update_link(ctx);
	return ret;
}
