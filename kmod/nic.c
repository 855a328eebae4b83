// SPDX-License-Identifier: GPL-2.0
/*
 * cdna: attached uplinks.
 *
 * Attaching an uplink creates a NIC: a device "cdna-<ifname>" of class
 * "cdna" that is the mdev parent of the NIC's contexts, with one mdev type
 * per queue-pair count (cdna-1qp, cdna-2qp, cdna-4qp, cdna-8qp), and an
 * engine instance.
 *
 * Detach happens in two steps (docs/control-plane.md, "Teardown"):
 *  - revoke, at once: the NIC leaves the list, the engine lets go of the
 *    uplink (rx_handler, thread), every context is orphaned (link down,
 *    stopped, its pins dropped, rings refused from then on, the VM asked
 *    to release it) and the reference on the uplink is dropped.  Nothing
 *    here waits for a VM, so neither the uplink's unregistration nor a
 *    netlink request can be held up by a guest;
 *  - release, later: the mdev parent is unregistered, which removes every
 *    context and so waits until each VM closed its device; then the engine
 *    and the NIC device go.  This runs on cdna_nic_wq when a VM still holds
 *    a context, else at once.
 * The NIC (its struct device) thus outlives its uplink: nic->uplink is
 * NULL from the revoke on.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/slab.h>
#include <linux/if_arp.h>
#include <linux/rtnetlink.h>

#include "cdna.h"

/* Protects cdna_nics and cdna_nics_dying. Taken before rtnl_lock (the
 * engine may take it).
 */
DEFINE_MUTEX(cdna_nics_lock);
LIST_HEAD(cdna_nics);
/* Revoked NICs whose release has not finished: their names stay taken. */
static LIST_HEAD(cdna_nics_dying);

static struct class cdna_nic_class = {
	.name	= CDNA_DRV_NAME,
	CDNA_CLASS_OWNER
};

static const char * const cdna_nic_type_names[CDNA_NUM_MDEV_TYPES] = {
	"1qp", "2qp", "4qp", "8qp",
};

static const char * const cdna_nic_type_pretty[CDNA_NUM_MDEV_TYPES] = {
	"cdna VF, 1 queue pair", "cdna VF, 2 queue pairs",
	"cdna VF, 4 queue pairs", "cdna VF, 8 queue pairs",
};

static_assert(1 << (CDNA_NUM_MDEV_TYPES - 1) == CDNA_MAX_QUEUE_PAIRS);

/* Releases of revoked NICs whose contexts VMs still hold (they may wait
 * for as long as a VM keeps its device).
 */
static struct workqueue_struct *cdna_nic_wq;

static void cdna_nic_release_workfn(struct work_struct *work);
static void cdna_nic_gone_workfn(struct work_struct *work);
static DECLARE_WORK(cdna_nic_gone_work, cdna_nic_gone_workfn);
static void cdna_nic_link_workfn(struct work_struct *work);
static DECLARE_WORK(cdna_nic_link_work, cdna_nic_link_workfn);

/**
 * cdna_nic_type_nqp() - queue pairs of an mdev type
 * @nic: the NIC
 * @type: one of @nic's types
 *
 * Return: 1, 2, 4 or 8.
 */
unsigned int cdna_nic_type_nqp(struct cdna_nic *nic, struct mdev_type *type)
{
	return 1U << (type - nic->types);
}

static void cdna_nic_release(struct device *dev)
{
	struct cdna_nic *nic = container_of(dev, struct cdna_nic, dev);

	mutex_destroy(&nic->lock);
	kfree(nic);
}

/**
 * cdna_nic_find_locked() - find an attached NIC
 * @ifname: uplink name, or NULL
 * @uplink: uplink device, or NULL
 *
 * Caller holds cdna_nics_lock; the NIC stays valid while it is held.
 *
 * Return: the NIC or NULL.
 */
struct cdna_nic *cdna_nic_find_locked(const char *ifname,
				      const struct net_device *uplink)
{
	struct cdna_nic *nic;

	lockdep_assert_held(&cdna_nics_lock);

	list_for_each_entry(nic, &cdna_nics, node) {
		if (uplink && nic->uplink == uplink)
			return nic;
		if (ifname && !strcmp(nic->uplink->name, ifname))
			return nic;
	}
	return NULL;
}

/**
 * cdna_nic_attach() - attach an uplink: create a NIC on it
 * @uplink: an Ethernet net_device
 * @max_ctx: contexts the NIC may hold, 0 for CDNA_MAX_CTX_PER_NIC (a
 *	backend may hold fewer: its caps.max_ctx bounds it)
 * @extack: where the backend selection says why it refused the uplink
 *
 * The backend is chosen here (cdna_engine_select()) and stays the NIC's.
 *
 * Return: 0, -EOPNOTSUPP for a non-Ethernet device (or one no backend
 * drives), -EEXIST if attached already, or the error of a failed step
 * (nothing is left behind).
 */
int cdna_nic_attach(struct net_device *uplink, unsigned int max_ctx,
		    struct netlink_ext_ack *extack)
{
	const struct cdna_engine_ops *ops;
	struct cdna_nic *nic;
	unsigned int i;
	int ret;

	if (uplink->type != ARPHRD_ETHER || (uplink->flags & IFF_LOOPBACK))
		return -EOPNOTSUPP;

	mutex_lock(&cdna_nics_lock);
	if (cdna_nic_find_locked(NULL, uplink)) {
		ret = -EEXIST;
		goto err_unlock;
	}
	list_for_each_entry(nic, &cdna_nics_dying, node) {
		/* Its device and debugfs names are still in use. */
		if (!strcmp(nic->ifname, uplink->name)) {
			ret = -EEXIST;
			goto err_unlock;
		}
	}

	ops = cdna_engine_select(uplink, extack);
	if (IS_ERR(ops)) {
		ret = PTR_ERR(ops);
		goto err_unlock;
	}

	nic = kzalloc(sizeof(*nic), GFP_KERNEL);
	if (!nic) {
		ret = -ENOMEM;
		goto err_unlock;
	}
	nic->ops = ops;
	mutex_init(&nic->lock);
	INIT_LIST_HEAD(&nic->ctx_list);
	INIT_LIST_HEAD(&nic->defs);
	INIT_LIST_HEAD(&nic->node);
	INIT_WORK(&nic->release_work, cdna_nic_release_workfn);
	nic->max_ctx = max_ctx ?: CDNA_MAX_CTX_PER_NIC;
	strscpy(nic->ifname, uplink->name, sizeof(nic->ifname));
	for (i = 0; i < CDNA_NUM_MDEV_TYPES; i++) {
		nic->types[i].sysfs_name = cdna_nic_type_names[i];
		nic->types[i].pretty_name = cdna_nic_type_pretty[i];
		nic->type_list[i] = &nic->types[i];
	}
	netdev_hold(uplink, &nic->uplink_tracker, GFP_KERNEL);
	nic->uplink = uplink;

	device_initialize(&nic->dev);
	nic->dev.class = &cdna_nic_class;
	nic->dev.release = cdna_nic_release;
	ret = dev_set_name(&nic->dev, "cdna-%s", nic->ifname);
	if (ret)
		goto err_put_device;
	ret = device_add(&nic->dev);
	if (ret)
		goto err_put_device;

	ret = nic->ops->create(nic);
	if (ret)
		goto err_device_del;
	if (nic->caps.max_ctx && nic->caps.max_ctx < nic->max_ctx)
		nic->max_ctx = nic->caps.max_ctx;

	ret = mdev_register_parent(&nic->parent, &nic->dev, &cdna_mdev_driver,
				   nic->type_list, CDNA_NUM_MDEV_TYPES);
	if (ret)
		goto err_engine_destroy;

	list_add_tail(&nic->node, &cdna_nics);
	cdna_debugfs_nic_add(nic);
	mutex_unlock(&cdna_nics_lock);
	dev_info(&nic->dev, "attached to %s\n", nic->ifname);
	return 0;

err_engine_destroy:
	nic->ops->destroy(nic);
err_device_del:
	device_del(&nic->dev);
err_put_device:
	netdev_put(uplink, &nic->uplink_tracker);
	put_device(&nic->dev);
err_unlock:
	mutex_unlock(&cdna_nics_lock);
	return ret;
}

/*
 * First half of a detach, under cdna_nics_lock: refuse if the NIC has
 * contexts or definitions (unless @force), stop new contexts and opens,
 * move to the dying list (the name stays taken until the release).
 */
static int cdna_nic_unlink(struct cdna_nic *nic, bool force)
{
	lockdep_assert_held(&cdna_nics_lock);

	mutex_lock(&nic->lock);
	if ((nic->nctx || nic->ndefs) && !force) {
		mutex_unlock(&nic->lock);
		return -EBUSY;
	}
	nic->detaching = true;
	mutex_unlock(&nic->lock);
	list_move_tail(&nic->node, &cdna_nics_dying);
	return 0;
}

/*
 * Revoke, without cdna_nics_lock (the caller unlinked the NIC and owns its
 * detach): after this nothing uses or references the uplink, and every
 * context is orphaned until its VM closes it.  Never waits for a VM.
 * Return: true if a VM still holds a context (the release must not run
 * synchronously).
 */
static bool cdna_nic_revoke(struct cdna_nic *nic)
{
	struct net_device *uplink;
	struct cdna_ctx *ctx;
	bool held;

	dev_info(&nic->dev, "detaching from %s\n", nic->ifname);
	/* First the uplink: no frame in or out once this returns. */
	nic->ops->revoke(nic);

	mutex_lock(&nic->lock);
	list_for_each_entry(ctx, &nic->ctx_list, node) {
		/* Link down, stopped, pins dropped, rings refused. */
		cdna_ctx_delete_begin(ctx, true);
		/* Ask every VM now, not one after the other as the mdev
		 * removals of the release come to each.
		 */
		cdna_irq_request(ctx, 0);
	}
	held = nic->nopen;
	uplink = nic->uplink;
	nic->uplink = NULL;
	mutex_unlock(&nic->lock);
	netdev_put(uplink, &nic->uplink_tracker);
	return held;
}

/*
 * Release: remove every context (the mdev core waits for each VM holding
 * one to close it), the engine, the device.  The NIC is revoked.
 */
static void cdna_nic_finish(struct cdna_nic *nic)
{
	struct cdna_ctx_def *def, *tmp;

	mdev_unregister_parent(&nic->parent);
	list_for_each_entry_safe(def, tmp, &nic->defs, node) {
		list_del(&def->node);
		kfree(def);
	}
	nic->ndefs = 0;
	cdna_debugfs_nic_del(nic);	/* after the contexts' directories */
	nic->ops->destroy(nic);
	dev_info(&nic->dev, "detached from %s\n", nic->ifname);
	mutex_lock(&cdna_nics_lock);
	list_del_init(&nic->node);
	mutex_unlock(&cdna_nics_lock);
	device_unregister(&nic->dev);	/* may free the NIC */
}

static void cdna_nic_release_workfn(struct work_struct *work)
{
	cdna_nic_finish(container_of(work, struct cdna_nic, release_work));
}

/* Revoke now; release now, or on cdna_nic_wq if a VM holds a context. */
static void cdna_nic_teardown(struct cdna_nic *nic)
{
	if (cdna_nic_revoke(nic)) {
		dev_info(&nic->dev, "contexts stay orphaned until their VMs close them\n");
		queue_work(cdna_nic_wq, &nic->release_work);
	} else {
		cdna_nic_finish(nic);
	}
}

/**
 * cdna_nic_detach_name() - detach the uplink called @ifname
 * @ifname: interface name
 * @force: detach even if the NIC has contexts, which are removed
 *
 * Every context of the NIC (its mdev instance) is removed.  With @force,
 * contexts that VMs hold are orphaned and the VMs asked to release them;
 * their removal completes in the background when the VMs close them
 * (never waited for here: this runs in a netlink request).
 *
 * Return: 0, -ENODEV if not attached, -EBUSY if the NIC has contexts.
 */
int cdna_nic_detach_name(const char *ifname, bool force)
{
	struct cdna_nic *nic;
	int ret;

	mutex_lock(&cdna_nics_lock);
	nic = cdna_nic_find_locked(ifname, NULL);
	ret = nic ? cdna_nic_unlink(nic, force) : -ENODEV;
	mutex_unlock(&cdna_nics_lock);
	if (ret)
		return ret;
	cdna_nic_teardown(nic);
	return 0;
}

/**
 * cdna_nic_detach_all() - detach every NIC (module unload)
 *
 * No VM can hold a context here: an open VFIO device holds a module
 * reference.  Releases still queued finish before this returns.
 */
void cdna_nic_detach_all(void)
{
	struct cdna_nic *nic;

	for (;;) {
		mutex_lock(&cdna_nics_lock);
		nic = list_first_entry_or_null(&cdna_nics, struct cdna_nic,
					       node);
		if (nic)
			cdna_nic_unlink(nic, true);
		mutex_unlock(&cdna_nics_lock);
		if (!nic)
			break;
		cdna_nic_teardown(nic);
	}
	flush_workqueue(cdna_nic_wq);
}

/*
 * Detach the NICs whose uplink is being unregistered.  The unregistration
 * waits (netdev_run_todo) for the reference the revoke drops, and for
 * nothing else of ours.
 */
static void cdna_nic_gone_workfn(struct work_struct *work)
{
	struct cdna_nic *nic, *found;

	for (;;) {
		found = NULL;
		mutex_lock(&cdna_nics_lock);
		list_for_each_entry(nic, &cdna_nics, node) {
			if (READ_ONCE(nic->uplink->reg_state) !=
			    NETREG_REGISTERED) {
				found = nic;
				cdna_nic_unlink(nic, true);
				break;
			}
		}
		mutex_unlock(&cdna_nics_lock);
		if (!found)
			break;
		cdna_nic_teardown(found);
	}
}

/* Follow a renamed uplink: nic->ifname, the debugfs directory. */
static void cdna_nic_sync_name(struct cdna_nic *nic)
{
	char name[IFNAMSIZ];

	lockdep_assert_held(&cdna_nics_lock);
	rtnl_lock();
	if (nic->uplink)
		strscpy(name, nic->uplink->name, sizeof(name));
	else
		strscpy(name, nic->ifname, sizeof(name));
	rtnl_unlock();
	if (!strcmp(name, nic->ifname))
		return;
	dev_info(&nic->dev, "uplink %s is now %s\n", nic->ifname, name);
	mutex_lock(&nic->lock);
	strscpy(nic->ifname, name, sizeof(nic->ifname));
	mutex_unlock(&nic->lock);
	cdna_debugfs_nic_rename(nic);
}

/*
 * An uplink's carrier, admin state, address, name or MTU changed:
 * contexts in link auto follow, a context whose MAC the uplink took goes
 * down, the NIC takes the new name, every context's MAX_MTU follows.
 */
static void cdna_nic_link_workfn(struct work_struct *work)
{
	struct cdna_nic *nic;

	mutex_lock(&cdna_nics_lock);
	list_for_each_entry(nic, &cdna_nics, node) {
		cdna_nic_sync_name(nic);
		cdna_nic_link_update(nic);
	}
	mutex_unlock(&cdna_nics_lock);
}

static int cdna_nic_netdev_event(struct notifier_block *nb,
				 unsigned long event, void *ptr)
{
	/*
	 * Called under rtnl_lock, which the detach path may need: only
	 * note that some device goes away (or changed) and let the work
	 * find ours.
	 */
	switch (event) {
	case NETDEV_UNREGISTER:
		/* The rx_handler goes now (rtnl is held, as it needs). */
		cdna_engine_netdev_unregister(netdev_notifier_info_to_dev(ptr));
		queue_work(system_long_wq, &cdna_nic_gone_work);
		break;
	case NETDEV_UP:
	case NETDEV_DOWN:
	case NETDEV_CHANGE:
	case NETDEV_CHANGEADDR:
	case NETDEV_CHANGENAME:
	case NETDEV_CHANGEMTU:
		queue_work(system_long_wq, &cdna_nic_link_work);
		break;
	}
	return NOTIFY_DONE;
}

/**
 * cdna_nic_link_update() - contexts in link auto follow the uplink, and
 *	every context's MAX_MTU its MTU
 * @nic: the NIC
 *
 * Caller holds cdna_nics_lock (the NIC stays attached).
 */
void cdna_nic_link_update(struct cdna_nic *nic)
{
	struct cdna_ctx *ctx;

	lockdep_assert_held(&cdna_nics_lock);
	mutex_lock(&nic->lock);
	list_for_each_entry(ctx, &nic->ctx_list, node) {
		cdna_ctx_update_link(ctx);
		cdna_ctx_update_mtu(ctx);
	}
	mutex_unlock(&nic->lock);
}

/**
 * cdna_nic_def_find_locked() - find a pending context definition
 * @nic: the NIC
 * @name: its name, or NULL
 * @uuid: its UUID, or NULL
 *
 * Caller holds nic->lock.
 *
 * Return: the definition or NULL.
 */
struct cdna_ctx_def *cdna_nic_def_find_locked(struct cdna_nic *nic,
					      const char *name,
					      const guid_t *uuid)
{
	struct cdna_ctx_def *def;

	lockdep_assert_held(&nic->lock);
	list_for_each_entry(def, &nic->defs, node) {
		if (name && !strcmp(def->name, name))
			return def;
		if (uuid && guid_equal(&def->uuid, uuid))
			return def;
	}
	return NULL;
}

/* Is @name used by a context (other than @self) or a definition? */
static bool cdna_nic_name_taken_locked(struct cdna_nic *nic,
				       struct cdna_ctx *self, const char *name)
{
	struct cdna_ctx *ctx;

	lockdep_assert_held(&nic->lock);
	list_for_each_entry(ctx, &nic->ctx_list, node)
		if (ctx != self && !strcmp(ctx->name, name))
			return true;
	return cdna_nic_def_find_locked(nic, name, NULL);
}

/**
 * cdna_nic_mac_taken_locked() - is a MAC used on the NIC?
 * @nic: the NIC
 * @self: a context to ignore, or NULL
 * @mac: the address
 *
 * Caller holds nic->lock.
 *
 * Return: true if the uplink, a context other than @self or a definition
 * has @mac.
 */
bool cdna_nic_mac_taken_locked(struct cdna_nic *nic, struct cdna_ctx *self,
			       const u8 *mac)
{
	struct cdna_ctx_def *def;
	struct cdna_ctx *ctx;

	lockdep_assert_held(&nic->lock);
	if (cdna_nic_mac_is_uplink(nic, mac))
		return true;
	list_for_each_entry(ctx, &nic->ctx_list, node)
		if (ctx != self && ether_addr_equal(ctx->mac, mac))
			return true;
	list_for_each_entry(def, &nic->defs, node)
		if (ether_addr_equal(def->mac, mac))
			return true;
	return false;
}

/**
 * cdna_nic_mac_is_uplink() - is @mac the uplink's own address?
 * @nic: the NIC
 * @mac: the address
 *
 * A context with the uplink's address would take the host's unicast, so
 * it is refused.  The uplink's address is read without rtnl_lock: a change
 * racing with this check is caught again by the NIC's link work, which runs
 * after every NETDEV_CHANGEADDR.
 *
 * Return: true if @mac is the uplink's current address.
 */
bool cdna_nic_mac_is_uplink(struct cdna_nic *nic, const u8 *mac)
{
	struct net_device *uplink = READ_ONCE(nic->uplink);

	return uplink && ether_addr_equal(uplink->dev_addr, mac);
}

/*
 * Context names are unique on the host: the control plane finds by name.
 * Every NIC but @self_nic (NULL: every NIC); the caller holds
 * cdna_nics_lock, and not the lock of any NIC checked.
 */
static bool cdna_nic_name_taken_global(struct cdna_nic *self_nic,
				       const char *name)
{
	struct cdna_nic *nic;
	bool taken = false;

	lockdep_assert_held(&cdna_nics_lock);
	list_for_each_entry(nic, &cdna_nics, node) {
		if (nic == self_nic)
			continue;
		mutex_lock(&nic->lock);
		taken = cdna_nic_name_taken_locked(nic, NULL, name);
		mutex_unlock(&nic->lock);
		if (taken)
			break;
	}
	return taken;
}

/**
 * cdna_nic_name_taken() - is a name used by a context or definition on the
 *	host, other than @self?
 * @self: the context that is to take the name
 * @name: the name
 *
 * Caller holds cdna_nics_lock (which every writer of a name holds, so the
 * answer stays true until it drops it) and no NIC lock.
 *
 * Return: true if another context or a definition has @name.
 */
bool cdna_nic_name_taken(struct cdna_ctx *self, const char *name)
{
	struct cdna_nic *nic = self->nic;
	bool taken;

	if (cdna_nic_name_taken_global(nic, name))
		return true;
	mutex_lock(&nic->lock);
	taken = cdna_nic_name_taken_locked(nic, self, name);
	mutex_unlock(&nic->lock);
	return taken;
}

/**
 * cdna_nic_ctx_define() - reserve a context's settings until its mdev
 *	instance is created
 * @nic: the NIC
 * @def: the definition (the NIC owns it on success)
 * @extack: error reporting
 *
 * Caller holds cdna_nics_lock.  Name, MAC and UUID are reserved
 * atomically with the duplicate checks.
 *
 * Return: 0, -ENODEV while detaching, -ENOSPC when the NIC is full,
 * -EADDRINUSE for the uplink's MAC, -EEXIST for a name, MAC or UUID in use.
 */
int cdna_nic_ctx_define(struct cdna_nic *nic, struct cdna_ctx_def *def,
			struct netlink_ext_ack *extack)
{
	struct cdna_ctx *ctx;
	int ret = 0;

	lockdep_assert_held(&cdna_nics_lock);
	if (cdna_nic_name_taken_global(nic, def->name)) {
		NL_SET_ERR_MSG(extack, "context name is in use");
		return -EEXIST;
	}
	mutex_lock(&nic->lock);
	if (nic->detaching) {
		NL_SET_ERR_MSG(extack, "NIC is being detached");
		ret = -ENODEV;
	} else if (nic->nctx + nic->ndefs >= nic->max_ctx) {
		NL_SET_ERR_MSG(extack, "too many contexts on this NIC");
		ret = -ENOSPC;
	} else if (cdna_nic_name_taken_locked(nic, NULL, def->name)) {
		NL_SET_ERR_MSG(extack, "context name is in use");
		ret = -EEXIST;
	} else if (cdna_nic_mac_is_uplink(nic, def->mac)) {
		NL_SET_ERR_MSG(extack, "MAC address is the uplink's own");
		ret = -EADDRINUSE;
	} else if (cdna_nic_mac_taken_locked(nic, NULL, def->mac)) {
		NL_SET_ERR_MSG(extack, "MAC address is in use on this NIC");
		ret = -EEXIST;
	} else if (cdna_nic_def_find_locked(nic, NULL, &def->uuid)) {
		NL_SET_ERR_MSG(extack, "UUID is in use");
		ret = -EEXIST;
	} else {
		list_for_each_entry(ctx, &nic->ctx_list, node) {
			if (guid_equal(&ctx->mdev->uuid, &def->uuid)) {
				NL_SET_ERR_MSG(extack, "UUID is in use");
				ret = -EEXIST;
				break;
			}
		}
	}
	if (!ret) {
		list_add_tail(&def->node, &nic->defs);
		nic->ndefs++;
	}
	mutex_unlock(&nic->lock);
	return ret;
}

/**
 * cdna_nic_ctx_undefine() - drop a pending definition
 * @nic: the NIC
 * @uuid: its UUID
 *
 * Return: 0 or -ENOENT.
 */
int cdna_nic_ctx_undefine(struct cdna_nic *nic, const guid_t *uuid)
{
	struct cdna_ctx_def *def;

	mutex_lock(&nic->lock);
	def = cdna_nic_def_find_locked(nic, NULL, uuid);
	if (def) {
		list_del(&def->node);
		nic->ndefs--;
	}
	mutex_unlock(&nic->lock);
	kfree(def);
	return def ? 0 : -ENOENT;
}

/*
 * The name an mdev created without a definition (straight through sysfs)
 * gets: the first 8 digits of its UUID, else those plus "-2", "-3", ...:
 * the first one no context or definition on the host has.  Caller holds
 * cdna_nics_lock (which every writer of a name holds) and no NIC lock.
 * Each candidate that fails is the name of another context, so the loop
 * ends within the number of contexts and definitions plus one.
 */
static int cdna_nic_default_name(const guid_t *uuid, char *name)
{
	char uuid_str[UUID_STRING_LEN + 1];
	char prefix[9];
	unsigned int n;

	lockdep_assert_held(&cdna_nics_lock);
	snprintf(uuid_str, sizeof(uuid_str), "%pUl", uuid);
	strscpy(prefix, uuid_str, sizeof(prefix));
	strscpy(name, prefix, IFNAMSIZ);
	for (n = 2; cdna_nic_name_taken_global(NULL, name); n++) {
		if (n > CDNA_MAX_CTX_PER_NIC * 1024)
			return -EEXIST;
		snprintf(name, IFNAMSIZ, "%s-%u", prefix, n);
	}
	return 0;
}

/* The rest of the defaults: a MAC that nobody on the NIC has. */
static void cdna_nic_ctx_defaults_locked(struct cdna_nic *nic,
					 struct cdna_ctx *ctx, const char *name)
{
	unsigned int i;

	lockdep_assert_held(&nic->lock);
	strscpy(ctx->name, name, sizeof(ctx->name));
	for (i = 0; i < 16 && cdna_nic_mac_taken_locked(nic, ctx, ctx->mac); i++)
		eth_random_addr(ctx->mac);
}

static struct notifier_block cdna_nic_netdev_nb = {
	.notifier_call = cdna_nic_netdev_event,
};

/**
 * cdna_nic_ctx_add() - account a new context on its NIC
 * @nic: the NIC
 * @ctx: the context
 *
 * A pending definition with the mdev's UUID gives the context its
 * settings and is consumed; without one the context gets defaults (a name
 * unique on the host).  Takes cdna_nics_lock: names are unique on the host.
 *
 * Return: 0, -ENODEV while the NIC is detaching, -ENOSPC when it holds
 * nic->max_ctx contexts, -EINVAL if the definition asked for another
 * queue count than the mdev type, -EOPNOTSUPP if the type has more queue
 * pairs than the NIC's backend offers, -EADDRINUSE if the definition's MAC
 * has become the uplink's since, -EEXIST if no default name is free.
 */
int cdna_nic_ctx_add(struct cdna_nic *nic, struct cdna_ctx *ctx)
{
	struct cdna_ctx_def *def = NULL;
	char name[IFNAMSIZ];
	int ret;

	if (ctx->nqp > nic->caps.max_qp) {
		dev_warn(&nic->dev, "%u queue pairs: the %s backend offers %u per context\n",
			 ctx->nqp, nic->ops->name, nic->caps.max_qp);
		return -EOPNOTSUPP;
	}
	mutex_lock(&cdna_nics_lock);
	ret = cdna_nic_default_name(&ctx->uuid, name);
	if (ret)
		goto out_unlock_nics;
	mutex_lock(&nic->lock);
	if (nic->detaching) {
		ret = -ENODEV;
		goto out_unlock;
	}
	def = cdna_nic_def_find_locked(nic, NULL, &ctx->uuid);
	if (def && def->nqp != ctx->nqp) {
		dev_dbg(&nic->dev, "definition %pUl has %u queue pairs, type %u\n",
			&def->uuid, def->nqp, ctx->nqp);
		def = NULL;
		ret = -EINVAL;
		goto out_unlock;
	}
	if (def && cdna_nic_mac_is_uplink(nic, def->mac)) {
		dev_warn(&nic->dev, "definition %pUl: MAC %pM is the uplink's own now, not created\n",
			 &def->uuid, def->mac);
		def = NULL;
		ret = -EADDRINUSE;
		goto out_unlock;
	}
	if (def) {
		cdna_ctx_apply_def(ctx, def);
		list_del(&def->node);
		nic->ndefs--;
	} else if (nic->nctx + nic->ndefs >= nic->max_ctx) {
		ret = -ENOSPC;
		goto out_unlock;
	} else {
		cdna_nic_ctx_defaults_locked(nic, ctx, name);
	}
	list_add_tail(&ctx->node, &nic->ctx_list);
	WRITE_ONCE(nic->nctx, nic->nctx + 1);
	cdna_ctx_update_link(ctx);
out_unlock:
	mutex_unlock(&nic->lock);
out_unlock_nics:
	mutex_unlock(&cdna_nics_lock);
	kfree(def);
	return ret;
}

/**
 * cdna_nic_ctx_del() - undo cdna_nic_ctx_add()
 * @nic: the NIC
 * @ctx: the context
 */
void cdna_nic_ctx_del(struct cdna_nic *nic, struct cdna_ctx *ctx)
{
	mutex_lock(&nic->lock);
	list_del_init(&ctx->node);
	WRITE_ONCE(nic->nctx, nic->nctx - 1);
	mutex_unlock(&nic->lock);
}

/**
 * cdna_nic_ctx_open() - a VM opens a context of the NIC
 * @nic: the NIC
 *
 * Return: 0, or -ENODEV while the NIC is detaching.
 */
int cdna_nic_ctx_open(struct cdna_nic *nic)
{
	int ret = 0;

	mutex_lock(&nic->lock);
	if (nic->detaching)
		ret = -ENODEV;
	else
		nic->nopen++;
	mutex_unlock(&nic->lock);
	return ret;
}

/**
 * cdna_nic_ctx_close() - undo cdna_nic_ctx_open()
 * @nic: the NIC
 */
void cdna_nic_ctx_close(struct cdna_nic *nic)
{
	mutex_lock(&nic->lock);
	nic->nopen--;
	mutex_unlock(&nic->lock);
}

/**
 * cdna_nic_init() - register the "cdna" class and the netdev notifier
 *
 * Return: 0 or a negative errno.
 */
int cdna_nic_init(void)
{
	int ret;

	cdna_nic_wq = alloc_workqueue("cdna_release", WQ_UNBOUND, 0);
	if (!cdna_nic_wq)
		return -ENOMEM;
	ret = class_register(&cdna_nic_class);
	if (ret)
		goto err_destroy_wq;
	ret = register_netdevice_notifier(&cdna_nic_netdev_nb);
	if (ret)
		goto err_class_unregister;
	return 0;

err_class_unregister:
	class_unregister(&cdna_nic_class);
err_destroy_wq:
	destroy_workqueue(cdna_nic_wq);
	return ret;
}

/**
 * cdna_nic_exit() - detach every NIC, undo cdna_nic_init()
 */
void cdna_nic_exit(void)
{
	unregister_netdevice_notifier(&cdna_nic_netdev_nb);
	cancel_work_sync(&cdna_nic_gone_work);
	cancel_work_sync(&cdna_nic_link_work);
	cdna_nic_detach_all();
	destroy_workqueue(cdna_nic_wq);
	class_unregister(&cdna_nic_class);
}
