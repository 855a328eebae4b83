/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cdna VF driver: the kernel APIs that differ between the kernels we build
 * for (Debian 12's 6.1 and bookworm-backports' 6.12), in one place.  Each
 * guard is named after the API change it covers and tests the version
 * that change was merged in; checked against both kernels' headers.
 */
#ifndef _CDNA_VF_COMPAT_H
#define _CDNA_VF_COMPAT_H

#include <linux/version.h>
#include <linux/fs.h>

/*
 * <net/page_pool.h> was split in 6.6; the allocation, recycling and DMA
 * helpers are in <net/page_pool/helpers.h> since.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
#include <net/page_pool/helpers.h>
#else
#include <net/page_pool.h>
#endif

/*
 * no_llseek() went away in 6.12: a file without .llseek cannot seek.
 * For a file_operations initializer of a file that must not seek.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#define CDNAVF_NO_LLSEEK	NULL
#else
#define CDNAVF_NO_LLSEEK	no_llseek
#endif

#endif /* _CDNA_VF_COMPAT_H */
