// SPDX-License-Identifier: GPL-2.0
/*
 * cdna: the VF presentation - mdev driver and vfio_device ops.
 *
 * An mdev instance of a NIC's type "cdna-<n>qp" is a context: probe
 * allocates it as an emulated-IOMMU VFIO device, which stock QEMU assigns
 * with -device vfio-pci,sysfsdev=/sys/bus/mdev/devices/<uuid>.  The
 * device file carries the PCI regions at fixed offsets (region index <<
 * CDNA_VFIO_OFFSET_SHIFT): config space, BAR0 (registers, every access
 * trapped) and BAR2 (MSI-X table and PBA, emulated by the VMM).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "cdna.h"

#define CDNA_VFIO_OFFSET_SHIFT	40
#define CDNA_VFIO_OFFSET_MASK	((1ULL << CDNA_VFIO_OFFSET_SHIFT) - 1)
#define CDNA_VFIO_INDEX_TO_OFFSET(i)	((u64)(i) << CDNA_VFIO_OFFSET_SHIFT)

static int cdna_vf_init(struct vfio_device *vdev)
{
	struct cdna_ctx *ctx = cdna_vdev_to_ctx(vdev);
	struct mdev_device *mdev = to_mdev_device(vdev->dev);
	struct cdna_nic *nic = cdna_parent_to_nic(mdev->type->parent);
	int ret;

	ret = cdna_ctx_init(ctx, nic, cdna_nic_type_nqp(nic, mdev->type));
	if (!ret)
		cdna_mig_init(ctx);
	return ret;
}

static void cdna_vf_release(struct vfio_device *vdev)
{
	struct cdna_ctx *ctx = cdna_vdev_to_ctx(vdev);

	cdna_ctx_fini(ctx);
	cdna_vfio_release_free(vdev);
}

static int cdna_vf_open_device(struct vfio_device *vdev)
{
	struct cdna_ctx *ctx = cdna_vdev_to_ctx(vdev);
	int ret;

	ret = cdna_ctx_open(ctx);
	if (!ret)
		cdna_kick_open(ctx, vdev->kvm);
	return ret;
}

static void cdna_vf_close_device(struct vfio_device *vdev)
{
	struct cdna_ctx *ctx = cdna_vdev_to_ctx(vdev);

	cdna_kick_close(ctx);
	cdna_ctx_close(ctx);
}

/* BAR0: naturally aligned 32-bit accesses only. */
static ssize_t cdna_vf_rw_regs(struct cdna_ctx *ctx, char __user *buf,
			       size_t count, u64 off, bool write)
{
	u32 val;

	if (count != sizeof(u32) || !IS_ALIGNED(off, sizeof(u32)) ||
	    off >= CDNA_BAR_REGS_SIZE) {
		atomic64_inc(&ctx->bad_reg_access);
		dev_dbg(mdev_dev(ctx->mdev), "BAR0 %s of %zu bytes at 0x%llx refused\n",
			write ? "write" : "read", count, off);
		return -EINVAL;
	}

	if (write) {
		if (copy_from_user(&val, buf, sizeof(val)))
			return -EFAULT;
		mutex_lock(&ctx->lock);
		cdna_regs_write(ctx, off, le32_to_cpu((__force __le32)val));
		mutex_unlock(&ctx->lock);
	} else {
		mutex_lock(&ctx->lock);
		val = (__force u32)cpu_to_le32(cdna_regs_read(ctx, off));
		mutex_unlock(&ctx->lock);
		if (copy_to_user(buf, &val, sizeof(val)))
			return -EFAULT;
	}
	return count;
}

static ssize_t cdna_vf_rw_cfg(struct cdna_ctx *ctx, char __user *buf,
			      size_t count, u64 off, bool write)
{
	u8 *tmp;
	int ret;

	if (off >= CDNA_CFG_SPACE_SIZE || count > CDNA_CFG_SPACE_SIZE - off)
		return -EINVAL;

	tmp = kmalloc(count, GFP_KERNEL);
	if (!tmp)
		return -ENOMEM;

	if (write) {
		if (copy_from_user(tmp, buf, count)) {
			ret = -EFAULT;
			goto out_free;
		}
		mutex_lock(&ctx->lock);
		ret = cdna_cfg_write(ctx, off, tmp, count);
		mutex_unlock(&ctx->lock);
	} else {
		mutex_lock(&ctx->lock);
		ret = cdna_cfg_read(ctx, off, tmp, count);
		mutex_unlock(&ctx->lock);
		if (!ret && copy_to_user(buf, tmp, count))
			ret = -EFAULT;
	}

out_free:
	kfree(tmp);
	return ret ? ret : count;
}

/* BAR2 holds only the MSI-X table and PBA, which the VMM emulates. */
static ssize_t cdna_vf_rw_msix(struct cdna_ctx *ctx, char __user *buf,
			       size_t count, u64 off, bool write)
{
	if (off >= CDNA_BAR_MSIX_SIZE || count > CDNA_BAR_MSIX_SIZE - off)
		return -EINVAL;
	if (!write && clear_user(buf, count))
		return -EFAULT;
	return count;
}

static ssize_t cdna_vf_rw(struct vfio_device *vdev, char __user *buf,
			  size_t count, loff_t *ppos, bool write)
{
	struct cdna_ctx *ctx = cdna_vdev_to_ctx(vdev);
	u64 index = (u64)*ppos >> CDNA_VFIO_OFFSET_SHIFT;
	u64 off = *ppos & CDNA_VFIO_OFFSET_MASK;
	ssize_t ret;

	if (*ppos < 0 || !count)
		return -EINVAL;

	switch (index) {
	case VFIO_PCI_CONFIG_REGION_INDEX:
		ret = cdna_vf_rw_cfg(ctx, buf, count, off, write);
		break;
	case VFIO_PCI_BAR0_REGION_INDEX + CDNA_BAR_REGS:
		ret = cdna_vf_rw_regs(ctx, buf, count, off, write);
		break;
	case VFIO_PCI_BAR0_REGION_INDEX + CDNA_BAR_MSIX:
		ret = cdna_vf_rw_msix(ctx, buf, count, off, write);
		break;
	default:
		ret = -EINVAL;
		break;
	}
	if (ret > 0)
		*ppos += ret;
	return ret;
}

static ssize_t cdna_vf_read(struct vfio_device *vdev, char __user *buf,
			    size_t count, loff_t *ppos)
{
	return cdna_vf_rw(vdev, buf, count, ppos, false);
}

static ssize_t cdna_vf_write(struct vfio_device *vdev, const char __user *buf,
			     size_t count, loff_t *ppos)
{
	/* The shared helper only reads from @buf when writing. */
	return cdna_vf_rw(vdev, (char __user *)buf, count, ppos, true);
}

static int cdna_vf_region_info(struct cdna_ctx *ctx,
			       struct vfio_region_info *info)
{
	u64 size;

	switch (info->index) {
	case VFIO_PCI_CONFIG_REGION_INDEX:
		size = CDNA_CFG_SPACE_SIZE;
		break;
	case VFIO_PCI_BAR0_REGION_INDEX + CDNA_BAR_REGS:
		size = CDNA_BAR_REGS_SIZE;
		break;
	case VFIO_PCI_BAR0_REGION_INDEX + CDNA_BAR_MSIX:
		size = CDNA_BAR_MSIX_SIZE;
		break;
	default:
		if (info->index >= VFIO_PCI_NUM_REGIONS)
			return -EINVAL;
		size = 0;
		break;
	}
	info->offset = CDNA_VFIO_INDEX_TO_OFFSET(info->index);
	info->size = size;
	info->flags = size ? VFIO_REGION_INFO_FLAG_READ |
			     VFIO_REGION_INFO_FLAG_WRITE : 0;
	return 0;
}

static long cdna_vf_ioctl_get_info(struct cdna_ctx *ctx, void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_device_info, num_irqs);
	struct vfio_device_info info;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;

	info.flags = VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET;
	info.num_regions = VFIO_PCI_NUM_REGIONS;
	info.num_irqs = VFIO_PCI_NUM_IRQS;

	return copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}

static long cdna_vf_ioctl_region_info(struct cdna_ctx *ctx, void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_region_info, offset);
	struct vfio_region_info info;
	int ret;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;

	ret = cdna_vf_region_info(ctx, &info);
	if (ret)
		return ret;
	info.cap_offset = 0;

	return copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}

static long cdna_vf_ioctl_irq_info(struct cdna_ctx *ctx, void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_irq_info, count);
	struct vfio_irq_info info;
	int ret;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz || info.index >= VFIO_PCI_NUM_IRQS)
		return -EINVAL;

	ret = cdna_irq_get_info(ctx, &info);
	if (ret)
		return ret;

	return copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}

static long cdna_vf_ioctl_set_irqs(struct cdna_ctx *ctx, void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_irq_set, count);
	struct vfio_irq_set hdr;
	size_t data_size = 0;
	void *data = NULL;
	int nirqs, ret;

	if (copy_from_user(&hdr, arg, minsz))
		return -EFAULT;

	/* Counts per index do not change while the device exists. */
	nirqs = hdr.index == VFIO_PCI_MSIX_IRQ_INDEX ? ctx->nvec :
		hdr.index == VFIO_PCI_REQ_IRQ_INDEX ? 1 : 0;
	ret = vfio_set_irqs_validate_and_prepare(&hdr, nirqs, VFIO_PCI_NUM_IRQS,
						 &data_size);
	if (ret)
		return ret;

	if (data_size) {
		data = memdup_user(arg + minsz, data_size);
		if (IS_ERR(data))
			return PTR_ERR(data);
	}

	mutex_lock(&ctx->lock);
	ret = cdna_irq_set(ctx, &hdr, data);
	mutex_unlock(&ctx->lock);

	kfree(data);
	return ret;
}

static long cdna_vf_ioctl(struct vfio_device *vdev, unsigned int cmd,
			  unsigned long arg)
{
	struct cdna_ctx *ctx = cdna_vdev_to_ctx(vdev);
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case VFIO_DEVICE_GET_INFO:
		return cdna_vf_ioctl_get_info(ctx, uarg);
	case VFIO_DEVICE_GET_REGION_INFO:
		return cdna_vf_ioctl_region_info(ctx, uarg);
	case VFIO_DEVICE_GET_IRQ_INFO:
		return cdna_vf_ioctl_irq_info(ctx, uarg);
	case VFIO_DEVICE_SET_IRQS:
		return cdna_vf_ioctl_set_irqs(ctx, uarg);
	case VFIO_DEVICE_RESET:
		mutex_lock(&ctx->lock);
		/* A reset also ends a migration: the state is RUNNING. */
		cdna_mig_reset(ctx);
		cdna_ctx_reset(ctx);
		mutex_unlock(&ctx->lock);
		return 0;
	default:
		return -ENOTTY;
	}
}

static void cdna_vf_request(struct vfio_device *vdev, unsigned int count)
{
	cdna_irq_request(cdna_vdev_to_ctx(vdev), count);
}

static void cdna_vf_dma_unmap(struct vfio_device *vdev, u64 iova, u64 length)
{
	struct cdna_ctx *ctx = cdna_vdev_to_ctx(vdev);

	/*
	 * Called with the type1 IOMMU's device list lock held, which
	 * vfio_pin_pages() callers may wait behind while holding ctx->lock:
	 * never take ctx->lock here.  The protection has its own locking.
	 */
	ctx->protect->dma_unmap(ctx, iova, length);
}

/*
 * How a context answers its VFIO device file.
 *
 * Lifetime: .init/.release bracket the context's memory; open/close
 * bracket a VM's use.  .request asks the VM to give the device back;
 * .dma_unmap is mandatory for vfio_pin_pages() on an emulated IOMMU.
 */
static const struct vfio_device_ops cdna_vf_ops = {
	.name		= "cdna-vf",
	.init		= cdna_vf_init,
	.release	= cdna_vf_release,
	.open_device	= cdna_vf_open_device,
	.close_device	= cdna_vf_close_device,
	.read		= cdna_vf_read,
	.write		= cdna_vf_write,
	.ioctl		= cdna_vf_ioctl,
	.request	= cdna_vf_request,
	.dma_unmap	= cdna_vf_dma_unmap,
#ifndef CDNA_HAVE_MIG_GET_DATA_SIZE
	.device_feature	= cdna_mig_device_feature,
#endif
	CDNA_VFIO_IOMMUFD_EMULATED_OPS
};

static int cdna_mdev_probe(struct mdev_device *mdev)
{
	struct cdna_nic *nic = cdna_parent_to_nic(mdev->type->parent);
	struct cdna_ctx *ctx;
	int ret;

	ctx = vfio_alloc_device(cdna_ctx, vdev, &mdev->dev, &cdna_vf_ops);
	if (IS_ERR(ctx))
		return PTR_ERR(ctx);

	ret = cdna_nic_ctx_add(nic, ctx);
	if (ret)
		goto err_put_device;
	ret = cdna_eng_ops(ctx)->ctx_add(ctx);
	if (ret)
		goto err_nic_ctx_del;
	ret = vfio_register_emulated_iommu_dev(&ctx->vdev);
	if (ret)
		goto err_engine_ctx_del;

	dev_set_drvdata(&mdev->dev, ctx);
	cdna_debugfs_ctx_add(ctx);
	dev_dbg(&mdev->dev, "context with %u queue pairs on %s\n", ctx->nqp,
		nic->ifname);
	return 0;

err_engine_ctx_del:
	cdna_eng_ops(ctx)->ctx_del(ctx);
err_nic_ctx_del:
	cdna_nic_ctx_del(nic, ctx);
err_put_device:
	vfio_put_device(&ctx->vdev);
	return ret;
}

static void cdna_mdev_remove(struct mdev_device *mdev)
{
	struct cdna_ctx *ctx = dev_get_drvdata(&mdev->dev);
	struct cdna_nic *nic = ctx->nic;

	/* Waits (calling .request) until no VM holds the device. */
	vfio_unregister_group_dev(&ctx->vdev);
	cdna_debugfs_ctx_del(ctx);
	cdna_eng_ops(ctx)->ctx_del(ctx);
	cdna_nic_ctx_del(nic, ctx);

	mutex_lock(&ctx->lock);
	cdna_ctx_set_state(ctx, CDNA_CTX_DESTROYED);
	mutex_unlock(&ctx->lock);
	dev_set_drvdata(&mdev->dev, NULL);
	vfio_put_device(&ctx->vdev);
}

static unsigned int cdna_mdev_get_available(struct mdev_type *mtype)
{
	struct cdna_nic *nic = cdna_parent_to_nic(mtype->parent);
	unsigned int used = READ_ONCE(nic->nctx) + READ_ONCE(nic->ndefs);

	/* A type with more queue pairs than the backend offers: none. */
	if (cdna_nic_type_nqp(nic, mtype) > nic->caps.max_qp)
		return 0;
	return used < nic->max_ctx ? nic->max_ctx - used : 0;
}

static ssize_t cdna_mdev_show_description(struct mdev_type *mtype, char *buf)
{
	struct cdna_nic *nic = cdna_parent_to_nic(mtype->parent);
	unsigned int nqp = cdna_nic_type_nqp(nic, mtype);

	return sysfs_emit(buf, "uplink=%s queue_pairs=%u msix_vectors=%u\n",
			  nic->ifname, nqp, CDNA_MSIX_NUM_VECTORS(nqp));
}

/*
 * The mdev driver every NIC's parent binds its instances to.
 *
 * Registered once by main.c; each attached NIC registers its mdev parent
 * with it.  Capacity is shared by all types of a NIC.
 */
struct mdev_driver cdna_mdev_driver = {
	.device_api		= VFIO_DEVICE_API_PCI_STRING,
	.driver = {
		.name		= CDNA_DRV_NAME,
		.owner		= THIS_MODULE,
		.mod_name	= KBUILD_MODNAME,
		.dev_groups	= cdna_vf_sysfs_groups,
	},
	.probe			= cdna_mdev_probe,
	.remove			= cdna_mdev_remove,
	.get_available		= cdna_mdev_get_available,
	.show_description	= cdna_mdev_show_description,
};
