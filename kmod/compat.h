/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cdna host module: the kernel APIs that differ between the kernels we
 * build for (Debian 12's 6.1 and bookworm-backports' 6.12), in one place.
 *
 * Each guard is named after the API change it covers and tests the kernel
 * version that change was merged in; the code calls the cdna_* wrapper or
 * uses the CDNA_* macro, never the version test itself.  Checked against
 * both kernels' installed headers.
 */
#ifndef _CDNA_COMPAT_H
#define _CDNA_COMPAT_H

#include <linux/version.h>
#include <linux/eventfd.h>
#include <linux/vfio.h>
#include <net/genetlink.h>

/*
 * <asm/unaligned.h> became <linux/unaligned.h> in 6.12 (get_unaligned_*,
 * put_unaligned_*).
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

/* The GSO helpers (__skb_gso_segment()) moved to <net/gso.h> in 6.5. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
#include <net/gso.h>
#endif

/*
 * eventfd_signal() lost its count argument in 6.8 (it always adds 1).
 * Signal @trigger once.
 */
static inline void cdna_eventfd_signal(struct eventfd_ctx *trigger)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 8, 0)
	eventfd_signal(trigger);
#else
	eventfd_signal(trigger, 1);
#endif
}

/*
 * struct class lost its .owner in 6.4 (the driver core pins the module
 * through the devices' drivers instead).  Use in a struct class
 * initializer.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
#define CDNA_CLASS_OWNER
#else
#define CDNA_CLASS_OWNER	.owner = THIS_MODULE,
#endif

/*
 * Until 6.2 a vfio_device's .release callback freed the device itself
 * with vfio_free_device(); since then the VFIO core frees it after
 * .release returns.  Call at the end of .release.
 */
static inline void cdna_vfio_release_free(struct vfio_device *vdev)
{
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 2, 0)
	vfio_free_device(vdev);
#endif
}

/*
 * iommufd: since 6.2 an emulated-IOMMU vfio_device names its iommufd
 * bind/unbind/attach_ioas callbacks (the vfio_iommufd_emulated_*
 * helpers), and since 6.6 detach_ioas too; with CONFIG_IOMMUFD the VFIO
 * core refuses to register a device without them.  Use in a struct
 * vfio_device_ops initializer.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
#define CDNA_VFIO_IOMMUFD_EMULATED_OPS				\
	.bind_iommufd	= vfio_iommufd_emulated_bind,		\
	.unbind_iommufd	= vfio_iommufd_emulated_unbind,		\
	.attach_ioas	= vfio_iommufd_emulated_attach_ioas,	\
	.detach_ioas	= vfio_iommufd_emulated_detach_ioas,
#elif LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
#define CDNA_VFIO_IOMMUFD_EMULATED_OPS				\
	.bind_iommufd	= vfio_iommufd_emulated_bind,		\
	.unbind_iommufd	= vfio_iommufd_emulated_unbind,		\
	.attach_ioas	= vfio_iommufd_emulated_attach_ioas,
#else
#define CDNA_VFIO_IOMMUFD_EMULATED_OPS
#endif

/*
 * VFIO migration v2: struct vfio_migration_ops gained
 * .migration_get_data_size (VFIO_DEVICE_FEATURE_MIG_DATA_SIZE) in 6.3;
 * before, the VMM learns the size only by reading the stream.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
#define CDNA_HAVE_MIG_GET_DATA_SIZE
#endif

/*
 * The parsed attributes of a generic netlink dump request: struct
 * genl_dumpit_info carries a whole struct genl_info since 6.2 (split ops),
 * the attributes array directly before.
 */
static inline struct nlattr **
cdna_genl_dumpit_attrs(struct netlink_callback *cb)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
	return genl_dumpit_info(cb)->info.attrs;
#else
	return genl_dumpit_info(cb)->attrs;
#endif
}

#endif /* _CDNA_COMPAT_H */
