// SPDX-License-Identifier: GPL-2.0
/*
 * cdna: Concurrent Direct Network Access for KVM - host module.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

static int __init cdna_init(void)
{
	pr_info("loaded\n");
	return 0;
}

static void __exit cdna_exit(void)
{
}

module_init(cdna_init);
module_exit(cdna_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("cdna: per-VM contexts of a multi-queue NIC through VFIO mdev");
