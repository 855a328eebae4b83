// SPDX-License-Identifier: GPL-2.0
/*
 * cdna: attached uplinks.
 *
 * Attaching an uplink creates a NIC: a device "cdna-<ifname>" of class
 * "cdna" that is the mdev parent of the NIC's contexts, with one mdev type
 * per queue-pair count (cdna-1qp, cdna-2qp, cdna-4qp, cdna-8qp), and an
 * engine instance.  A reference on the uplink is held until detach; when
 * the uplink goes away the NIC is detached by a work item, which waits for
 * VMs to release their contexts (the mdev core asks them through the VFIO
 * request channel).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/slab.h>
#include <linux/if_arp.h>

#include "cdna.h"

/* Protects cdna_nics. Taken before rtnl_lock (the engine may take it). */
static DEFINE_MUTEX(cdna_nics_lock);
static LIST_HEAD(cdna_nics);

static struct class cdna_nic_class = {
	.name	= CDNA_DRV_NAME,
	.owner	= THIS_MODULE,
};

static const char * const cdna_nic_type_names[CDNA_NUM_MDEV_TYPES] = {
	"1qp", "2qp", "4qp", "8qp",
};

static const char * const cdna_nic_type_pretty[CDNA_NUM_MDEV_TYPES] = {
	"cdna VF, 1 queue pair", "cdna VF, 2 queue pairs",
	"cdna VF, 4 queue pairs", "cdna VF, 8 queue pairs",
};

static_assert(1 << (CDNA_NUM_MDEV_TYPES - 1) == CDNA_MAX_QUEUE_PAIRS);

static void cdna_nic_gone_workfn(struct work_struct *work);
static DECLARE_WORK(cdna_nic_gone_work, cdna_nic_gone_workfn);

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

/* Caller holds cdna_nics_lock. */
static struct cdna_nic *cdna_nic_find_locked(const char *ifname,
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
 *
 * Return: 0, -EOPNOTSUPP for a non-Ethernet device, -EEXIST if attached
 * already, or the error of a failed step (nothing is left behind).
 */
int cdna_nic_attach(struct net_device *uplink)
{
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

	nic = kzalloc(sizeof(*nic), GFP_KERNEL);
	if (!nic) {
		ret = -ENOMEM;
		goto err_unlock;
	}
	mutex_init(&nic->lock);
	INIT_LIST_HEAD(&nic->ctx_list);
	INIT_LIST_HEAD(&nic->node);
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

	ret = cdna_engine_create(nic);
	if (ret)
		goto err_device_del;

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
	cdna_engine_destroy(nic);
err_device_del:
	device_del(&nic->dev);
err_put_device:
	netdev_put(uplink, &nic->uplink_tracker);
	put_device(&nic->dev);
err_unlock:
	mutex_unlock(&cdna_nics_lock);
	return ret;
}

/**
 * cdna_nic_attach_name() - attach the uplink called @ifname
 * @ifname: interface name in the initial network namespace
 *
 * Return: 0, -ENODEV if there is no such interface, or as cdna_nic_attach().
 */
int cdna_nic_attach_name(const char *ifname)
{
	struct net_device *uplink;
	int ret;

	uplink = dev_get_by_name(&init_net, ifname);
	if (!uplink)
		return -ENODEV;
	ret = cdna_nic_attach(uplink);
	dev_put(uplink);
	return ret;
}

/*
 * First half of a detach, under cdna_nics_lock: refuse if a VM holds a
 * context (unless @force), stop new contexts and opens, leave the list.
 */
static int cdna_nic_unlink(struct cdna_nic *nic, bool force)
{
	lockdep_assert_held(&cdna_nics_lock);

	mutex_lock(&nic->lock);
	if (nic->nopen && !force) {
		mutex_unlock(&nic->lock);
		return -EBUSY;
	}
	nic->detaching = true;
	mutex_unlock(&nic->lock);
	list_del_init(&nic->node);
	return 0;
}

/*
 * Second half, without cdna_nics_lock: remove every context (waiting for
 * VMs that still hold one), the engine, the uplink reference, the device.
 */
static void cdna_nic_teardown(struct cdna_nic *nic)
{
	dev_info(&nic->dev, "detaching from %s\n", nic->ifname);
	mdev_unregister_parent(&nic->parent);
	cdna_debugfs_nic_del(nic);	/* after the contexts' directories */
	cdna_engine_destroy(nic);
	netdev_put(nic->uplink, &nic->uplink_tracker);
	nic->uplink = NULL;
	device_unregister(&nic->dev);
}

/**
 * cdna_nic_detach_name() - detach the uplink called @ifname
 * @ifname: interface name
 * @force: detach even if VMs hold contexts (waits until they release them)
 *
 * Every context of the NIC (its mdev instance) is removed.
 *
 * Return: 0, -ENODEV if not attached, -EBUSY if a VM holds a context.
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
 * reference.
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
}

/* Detach the NICs whose uplink is being unregistered. */
static void cdna_nic_gone_workfn(struct work_struct *work)
{
	struct cdna_nic *nic, *found;
	struct cdna_ctx *ctx;

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

		/* Tell the guests before waiting for them. */
		mutex_lock(&found->lock);
		list_for_each_entry(ctx, &found->ctx_list, node)
			cdna_ctx_set_link(ctx, false);
		mutex_unlock(&found->lock);
		cdna_nic_teardown(found);
	}
}

static int cdna_nic_netdev_event(struct notifier_block *nb,
				 unsigned long event, void *ptr)
{
	/*
	 * Called under rtnl_lock, which the detach path may need: only
	 * note that some device goes away and let the work find ours.
	 */
	if (event == NETDEV_UNREGISTER)
		queue_work(system_long_wq, &cdna_nic_gone_work);
	return NOTIFY_DONE;
}

static struct notifier_block cdna_nic_netdev_nb = {
	.notifier_call = cdna_nic_netdev_event,
};

/**
 * cdna_nic_ctx_add() - account a new context on its NIC
 * @nic: the NIC
 * @ctx: the context
 *
 * Return: 0, -ENODEV while the NIC is detaching, -ENOSPC when it holds
 * CDNA_MAX_CTX_PER_NIC contexts.
 */
int cdna_nic_ctx_add(struct cdna_nic *nic, struct cdna_ctx *ctx)
{
	int ret = 0;

	mutex_lock(&nic->lock);
	if (nic->detaching)
		ret = -ENODEV;
	else if (nic->nctx >= CDNA_MAX_CTX_PER_NIC)
		ret = -ENOSPC;
	if (!ret) {
		list_add_tail(&ctx->node, &nic->ctx_list);
		WRITE_ONCE(nic->nctx, nic->nctx + 1);
	}
	mutex_unlock(&nic->lock);
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

	ret = class_register(&cdna_nic_class);
	if (ret)
		return ret;
	ret = register_netdevice_notifier(&cdna_nic_netdev_nb);
	if (ret)
		goto err_class_unregister;
	return 0;

err_class_unregister:
	class_unregister(&cdna_nic_class);
	return ret;
}

/**
 * cdna_nic_exit() - detach every NIC, undo cdna_nic_init()
 */
void cdna_nic_exit(void)
{
	unregister_netdevice_notifier(&cdna_nic_netdev_nb);
	cancel_work_sync(&cdna_nic_gone_work);
	cdna_nic_detach_all();
	class_unregister(&cdna_nic_class);
}
