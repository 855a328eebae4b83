// SPDX-License-Identifier: GPL-2.0
/*
 * cdna: Concurrent Direct Network Access for KVM - host module.
 *
 * Module init/exit: debugfs, the mdev driver that every attached NIC's
 * contexts bind to, the NIC layer (class, netdev notifier) and the
 * generic netlink family.  Teardown runs in exact reverse order.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

#include "cdna.h"

static int __init cdna_init(void)
{
	int ret;

	cdna_debugfs_init();

	ret = mdev_register_driver(&cdna_mdev_driver);
	if (ret)
		goto err_debugfs_exit;

	ret = cdna_nic_init();
	if (ret)
		goto err_mdev_unregister_driver;

	ret = cdna_nl_init();
	if (ret)
		goto err_nic_exit;

	pr_info("version %s loaded (VF ABI %u.%u)\n", CDNA_VERSION,
		CDNA_ABI_MAJOR, CDNA_ABI_MINOR);
	return 0;

err_nic_exit:
	cdna_nic_exit();
err_mdev_unregister_driver:
	mdev_unregister_driver(&cdna_mdev_driver);
err_debugfs_exit:
	cdna_debugfs_exit();
	return ret;
}

static void __exit cdna_exit(void)
{
	cdna_nl_exit();
	cdna_nic_exit();
	mdev_unregister_driver(&cdna_mdev_driver);
	cdna_debugfs_exit();
}

module_init(cdna_init);
module_exit(cdna_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("cdna: per-VM contexts of a multi-queue NIC through VFIO mdev");
MODULE_SOFTDEP("pre: vfio_iommu_type1");
MODULE_VERSION(CDNA_VERSION);
