// SPDX-License-Identifier: GPL-2.0
/*
 * cdna_vf: guest driver for the cdna virtual function.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

static int __init cdnavf_init(void)
{
	pr_info("loaded\n");
	return 0;
}

static void __exit cdnavf_exit(void)
{
}

module_init(cdnavf_init);
module_exit(cdnavf_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("cdna virtual function network driver");
