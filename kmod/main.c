// SPDX-License-Identifier: GPL-2.0
/*
 * cdna: Concurrent Direct Network Access for KVM - host module.
 *
 * Module init/exit: debugfs, the mdev driver that every attached NIC's
 * contexts bind to, the NIC layer (class, netdev notifier) and the
 * generic netlink family.  Teardown runs in exact reverse order.
 *
 * Also the set/get operations of the bounded module parameters: a value
 * out of range is refused with a message, at load (insmod fails) and
 * through /sys/module/cdna/parameters alike.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

#include "cdna.h"

static int cdna_param_uint_set(const char *val, const struct kernel_param *kp)
{
	const struct cdna_param_uint *p = kp->arg;
	unsigned int v;
	int ret;

	ret = kstrtouint(val, 0, &v);
	if (ret || v < p->min || v > p->max) {
		pr_err("parameter %s: \"%.*s\" is not a number in [%u, %u]\n",
		       kp->name, (int)strcspn(val, "\n"), val, p->min, p->max);
		return -EINVAL;
	}
	WRITE_ONCE(*p->val, v);
	return 0;
}

static int cdna_param_uint_get(char *buf, const struct kernel_param *kp)
{
	const struct cdna_param_uint *p = kp->arg;

	return sysfs_emit(buf, "%u\n", READ_ONCE(*p->val));
}

/* module_param_cb() ops of a struct cdna_param_uint. */
const struct kernel_param_ops cdna_param_uint_ops = {
	.set	= cdna_param_uint_set,
	.get	= cdna_param_uint_get,
};

static int __init cdna_init(void)
{
	int ret;

	cdna_debugfs_init();

	ret = mdev_register_driver(&cdna_mdev_driver);
	if (ret)
		goto err_debugfs_exit;

	ret = cdna_igb_init();
	if (ret)
		goto err_mdev_unregister_driver;

	ret = cdna_nic_init();
	if (ret)
		goto err_igb_exit;

	ret = cdna_nl_init();
	if (ret)
		goto err_nic_exit;

	pr_info("version %s loaded (VF ABI %u.%u)\n", CDNA_VERSION,
		CDNA_ABI_MAJOR, CDNA_ABI_MINOR);
	return 0;

err_nic_exit:
	cdna_nic_exit();
err_igb_exit:
	cdna_igb_exit();
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
	cdna_igb_exit();
	mdev_unregister_driver(&cdna_mdev_driver);
	cdna_debugfs_exit();
}

module_init(cdna_init);
module_exit(cdna_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("cdna: per-VM contexts of a multi-queue NIC through VFIO mdev");
MODULE_SOFTDEP("pre: vfio_iommu_type1");
MODULE_VERSION(CDNA_VERSION);
