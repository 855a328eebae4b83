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
#include <linux/err.h>
#include <linux/iommu.h>
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
 * VFIO_DEVICE_FEATURE_MIG_DATA_SIZE (VFIO's uapi, 6.2). Before 6.3 the
 * core passes a feature it does not know to the driver's .device_feature,
 * and cdna answers this one there itself (mig.c).
 */
#ifndef VFIO_DEVICE_FEATURE_MIG_DATA_SIZE
struct vfio_device_feature_mig_data_size {
	__aligned_u64 stop_copy_length;
};

#define VFIO_DEVICE_FEATURE_MIG_DATA_SIZE 9
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

/*
 * An unmanaged paging domain for one device: 6.11 added
 * iommu_paging_domain_alloc(dev), which returns an ERR_PTR; before, the
 * domain was allocated for the device's bus (iommu_domain_alloc(), NULL
 * on failure).
 */
static inline struct iommu_domain *
cdna_iommu_paging_domain_alloc(struct device *dev)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0)
	return iommu_paging_domain_alloc(dev);
#else
	struct iommu_domain *domain = iommu_domain_alloc(dev->bus);

	return domain ?: ERR_PTR(-ENOMEM);
#endif
}

/*
 * iommu_map() took a gfp_t for its page table allocations in 6.3 (it
 * always slept before).  Map from process context.
 */
static inline int cdna_iommu_map(struct iommu_domain *domain,
				 unsigned long iova, phys_addr_t paddr,
				 size_t size, int prot)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	return iommu_map(domain, iova, paddr, size, prot, GFP_KERNEL);
#else
	return iommu_map(domain, iova, paddr, size, prot);
#endif
}

/*
 * KVM's external write tracking (the kick page, kick.c), only where
 * <linux/kvm_host.h> is included.  Reached through symbol_get(), so that
 * cdna.ko loads without kvm.ko.  6.6 reworked the API: the tracking
 * calls take a gfn (kvm_write_track_add_gfn(), which does its own
 * locking) instead of a memslot under kvm->mmu_lock, registering the
 * notifier takes a reference on the VM (and needs the VM's mm), and
 * track_write/track_flush_slot became track_write (no vCPU) and
 * track_remove_region.
 */
#ifdef __KVM_HOST_H
void cdna_kick_track_write(struct kvm_page_track_notifier_node *node,
			   gpa_t gpa, int bytes);
void cdna_kick_track_gone(struct kvm_page_track_notifier_node *node,
			  gfn_t gfn, unsigned long npages);

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
static inline void
cdna_kvm_track_write_cb(gpa_t gpa, const u8 *new, int bytes,
			struct kvm_page_track_notifier_node *node)
{
	cdna_kick_track_write(node, gpa, bytes);
}

static inline void
cdna_kvm_track_region_cb(gfn_t gfn, unsigned long npages,
			 struct kvm_page_track_notifier_node *node)
{
	cdna_kick_track_gone(node, gfn, npages);
}

static inline void
cdna_kvm_track_node_init(struct kvm_page_track_notifier_node *node)
{
	node->track_write = cdna_kvm_track_write_cb;
	node->track_remove_region = cdna_kvm_track_region_cb;
}

/*
 * Register @node with @kvm and hold a reference on @kvm until unregistered.
 *
 * The first registration on a VM turns on write tracking, which walks the
 * memslots under slots_arch_lock alone; that does keep them in place, but
 * the memslots' RCU check accepts only slots_lock or the VM's SRCU, so
 * lockdep calls the walk suspicious. Inside the VM's SRCU read section, as
 * KVM's own vCPU paths take slots_arch_lock, the walk is what the check
 * expects. Registration never waits for SRCU (unregistration does).
 */
static inline int cdna_kvm_track_register(struct kvm *kvm,
					  struct kvm_page_track_notifier_node *node)
{
	typeof(kvm_page_track_register_notifier) *reg;
	int ret, idx;

	reg = symbol_get(kvm_page_track_register_notifier);
	if (!reg)
		return -ENOENT;
	idx = srcu_read_lock(&kvm->srcu);
	ret = reg(kvm, node);
	srcu_read_unlock(&kvm->srcu, idx);
	symbol_put(kvm_page_track_register_notifier);
	return ret;
}

static inline void
cdna_kvm_track_unregister(struct kvm *kvm,
			  struct kvm_page_track_notifier_node *node)
{
	typeof(kvm_page_track_unregister_notifier) *unreg;

	unreg = symbol_get(kvm_page_track_unregister_notifier);
	if (WARN_ON(!unreg))
		return;
	unreg(kvm, node);
	symbol_put(kvm_page_track_unregister_notifier);
}

/* Write-track @gfn (add) or stop (!add); -EINVAL if no memslot holds it. */
static inline int cdna_kvm_track_gfn(struct kvm *kvm, gfn_t gfn, bool add)
{
	typeof(kvm_write_track_add_gfn) *fn;
	int ret;

	if (add) {
		fn = symbol_get(kvm_write_track_add_gfn);
		if (!fn)
			return -ENOENT;
		ret = fn(kvm, gfn);
		symbol_put(kvm_write_track_add_gfn);
	} else {
		fn = symbol_get(kvm_write_track_remove_gfn);
		if (!fn)
			return -ENOENT;
		ret = fn(kvm, gfn);
		symbol_put(kvm_write_track_remove_gfn);
	}
	return ret;
}
#else
static inline void
cdna_kvm_track_write_cb(struct kvm_vcpu *vcpu, gpa_t gpa, const u8 *new,
			int bytes, struct kvm_page_track_notifier_node *node)
{
	cdna_kick_track_write(node, gpa, bytes);
}

static inline void
cdna_kvm_track_flush_cb(struct kvm *kvm, struct kvm_memory_slot *slot,
			struct kvm_page_track_notifier_node *node)
{
	cdna_kick_track_gone(node, slot->base_gfn, slot->npages);
}

static inline void
cdna_kvm_track_node_init(struct kvm_page_track_notifier_node *node)
{
	node->track_write = cdna_kvm_track_write_cb;
	node->track_flush_slot = cdna_kvm_track_flush_cb;
}

static inline int cdna_kvm_track_register(struct kvm *kvm,
					  struct kvm_page_track_notifier_node *node)
{
	typeof(kvm_page_track_register_notifier) *reg;
	typeof(kvm_get_kvm) *get;

	reg = symbol_get(kvm_page_track_register_notifier);
	if (!reg)
		return -ENOENT;
	get = symbol_get(kvm_get_kvm);
	if (!get) {
		symbol_put(kvm_page_track_register_notifier);
		return -ENOENT;
	}
	/* The reference 6.6's register takes itself. */
	get(kvm);
	reg(kvm, node);
	symbol_put(kvm_get_kvm);
	symbol_put(kvm_page_track_register_notifier);
	return 0;
}

static inline void
cdna_kvm_track_unregister(struct kvm *kvm,
			  struct kvm_page_track_notifier_node *node)
{
	typeof(kvm_page_track_unregister_notifier) *unreg;
	typeof(kvm_put_kvm) *put;

	unreg = symbol_get(kvm_page_track_unregister_notifier);
	if (WARN_ON(!unreg))
		return;
	put = symbol_get(kvm_put_kvm);
	unreg(kvm, node);
	if (!WARN_ON(!put)) {
		put(kvm);
		symbol_put(kvm_put_kvm);
	}
	symbol_put(kvm_page_track_unregister_notifier);
}

static inline int cdna_kvm_track_gfn(struct kvm *kvm, gfn_t gfn, bool add)
{
	typeof(kvm_slot_page_track_add_page) *fn;
	typeof(gfn_to_memslot) *lookup;
	struct kvm_memory_slot *slot;
	int idx, ret = 0;

	lookup = symbol_get(gfn_to_memslot);
	if (!lookup)
		return -ENOENT;
	if (add)
		fn = symbol_get(kvm_slot_page_track_add_page);
	else
		fn = symbol_get(kvm_slot_page_track_remove_page);
	if (!fn) {
		symbol_put(gfn_to_memslot);
		return -ENOENT;
	}
	idx = srcu_read_lock(&kvm->srcu);
	slot = lookup(kvm, gfn);
	if (slot) {
		write_lock(&kvm->mmu_lock);
		fn(kvm, slot, gfn, KVM_PAGE_TRACK_WRITE);
		write_unlock(&kvm->mmu_lock);
	} else {
		ret = -EINVAL;
	}
	srcu_read_unlock(&kvm->srcu, idx);
	if (add)
		symbol_put(kvm_slot_page_track_add_page);
	else
		symbol_put(kvm_slot_page_track_remove_page);
	symbol_put(gfn_to_memslot);
	return ret;
}
#endif
#endif /* __KVM_HOST_H */

#endif /* _CDNA_COMPAT_H */
