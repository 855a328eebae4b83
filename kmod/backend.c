// SPDX-License-Identifier: GPL-2.0
/*
 * cdna backends: which engine drives an uplink.
 *
 * At `nic attach` every known backend is asked, in order of preference,
 * whether it can drive the uplink (ops->probe); the first that can is the
 * NIC's for its whole life.  The software engine drives any net_device
 * and comes last.  A hardware backend goes before it in cdna_backends[].
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <net/netlink.h>

#include "cdna.h"

/* In order of preference; the software engine takes any uplink. */
static const struct cdna_engine_ops * const cdna_backends[] = {
	&cdna_sw_engine_ops,
};

/**
 * cdna_engine_select() - choose the backend of an uplink being attached
 * @uplink: the uplink
 * @extack: where a backend that refuses the uplink says why
 *
 * Called with cdna_nics_lock held; may sleep.
 *
 * Return: the backend's ops, or an ERR_PTR(): the errno a backend refused
 * the uplink with, -EOPNOTSUPP if none can drive it.
 */
const struct cdna_engine_ops *cdna_engine_select(struct net_device *uplink,
						 struct netlink_ext_ack *extack)
{
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(cdna_backends); i++) {
		const struct cdna_engine_ops *ops = cdna_backends[i];

		ret = ops->probe ? ops->probe(uplink, extack) : 0;
		if (!ret)
			return ops;
		if (ret != -EOPNOTSUPP)
			return ERR_PTR(ret);
	}
	NL_SET_ERR_MSG(extack, "no cdna backend can drive this device");
	return ERR_PTR(-EOPNOTSUPP);
}

/**
 * cdna_engine_netdev_unregister() - tell every backend a device goes away
 * @dev: the device (NETDEV_UNREGISTER)
 *
 * Called by the netdev notifier with rtnl_lock held.
 */
void cdna_engine_netdev_unregister(struct net_device *dev)
{
	unsigned int i;

	ASSERT_RTNL();
	for (i = 0; i < ARRAY_SIZE(cdna_backends); i++)
		if (cdna_backends[i]->netdev_unregister)
			cdna_backends[i]->netdev_unregister(dev);
}
