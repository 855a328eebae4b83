// SPDX-License-Identifier: GPL-2.0
/*
 * cdna igb backend: the PCI driver VFs are bound to, VF bring-up and
 * teardown, and the VF's admin through its PF.
 *
 * Binding.  cdna.ko registers a PCI driver named "cdna" with no ID table:
 * it binds only a device whose driver_override says "cdna" (the PCI core
 * matches an overriding driver without an ID).  `cdnactl nic attach` on
 * an SR-IOV PF does the sysfs steps (sriov_drivers_autoprobe = 0,
 * sriov_numvfs, driver_override, bind), so no VF is ever probed by igbvf
 * in between.  With the checked protection the driver uses the kernel
 * DMA API on the VF, in its IOMMU group's default DMA domain
 * (driver_managed_dma stays false).  With the iommu protection, while a
 * VM holds the context, the VF is attached to the context's own IOMMU
 * domain (cdna_igb_dma_up()) and back on its default domain when the VM
 * closes, the context goes or the VF is removed (cdna_igb_dma_down()).
 *
 * Each context claims one free VF of its NIC's PF when its mdev is
 * created.  A VF removed under a context (PF unbind, sriov_numvfs
 * change, unbind from cdna) is quiesced at once: its queues stop, every
 * buffer is unmapped and unpinned, and the context enters its error
 * state (CDNA_ERR_DMA), which the guest sees as NEEDS_RESET; later
 * operations on the context fail with -ENODEV instead of touching the VF.
 *
 * Admin.  MAC, VLAN, spoofchk, trust and rate go through the PF driver's
 * ndo_set_vf_* ops under rtnl_lock, exactly what `ip link set PF vf N`
 * does, so the NIC itself steers, tags and polices.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-mapping.h>
#include <linux/if_vlan.h>
#include <linux/iommu.h>
#include <linux/rtnetlink.h>
#include <linux/seq_file.h>

#include "igb.h"

/* Protects cdna_igb_vfs and every cdna_igb_vf.owner. */
DEFINE_MUTEX(cdna_igb_lock);
static LIST_HEAD(cdna_igb_vfs);

/**
 * cdna_igb_uplink_pf() - the SR-IOV PF under an uplink, if igb drives it
 * @uplink: a net_device
 *
 * Return: the PCI function (no reference taken), or NULL if @uplink is
 * not an igb PF with SR-IOV.
 */
struct pci_dev *cdna_igb_uplink_pf(struct net_device *uplink)
{
	struct device *parent = uplink->dev.parent;
	struct pci_dev *pdev;

	if (!parent || !dev_is_pci(parent))
		return NULL;
	pdev = to_pci_dev(parent);
	if (!pdev->is_physfn || !pdev->driver ||
	    strcmp(pdev->driver->name, "igb"))
		return NULL;
	return pdev;
}

/**
 * cdna_igb_count_vfs() - VFs of a PF bound to cdna
 * @pf: the PF
 *
 * Return: how many there are, claimed or not.
 */
unsigned int cdna_igb_count_vfs(struct pci_dev *pf)
{
	struct cdna_igb_vf *vf;
	unsigned int n = 0;

	mutex_lock(&cdna_igb_lock);
	list_for_each_entry(vf, &cdna_igb_vfs, node)
		if (pci_physfn(vf->pdev) == pf)
			n++;
	mutex_unlock(&cdna_igb_lock);
	return n;
}

static const char *cdna_igb_domain_type(struct device *dev)
{
	struct iommu_domain *domain = iommu_get_domain_for_dev(dev);

	if (!domain)
		return "none";
	switch (domain->type) {
	case IOMMU_DOMAIN_UNMANAGED:
		return "unmanaged";	/* a context's own (protect iommu) */
	case IOMMU_DOMAIN_DMA:
	case IOMMU_DOMAIN_DMA_FQ:
		return "dma";		/* the group's default */
	case IOMMU_DOMAIN_IDENTITY:
		return "identity";
	case IOMMU_DOMAIN_BLOCKED:
		return "blocked";
	default:
		return "other";
	}
}

/**
 * cdna_igb_vfs_show() - one debugfs line per VF of a PF bound to cdna
 * @s: the seq_file
 * @pf: the PF
 *
 * "vf <pci name> <free|claimed> domain <type>": the IOMMU domain the VF
 * is attached to now, so that a test sees it back on its default one.
 */
void cdna_igb_vfs_show(struct seq_file *s, struct pci_dev *pf)
{
	struct cdna_igb_vf *vf;

	mutex_lock(&cdna_igb_lock);
	list_for_each_entry(vf, &cdna_igb_vfs, node)
		if (pci_physfn(vf->pdev) == pf)
			seq_printf(s, "vf %s %s domain %s\n",
				   pci_name(vf->pdev),
				   vf->owner ? "claimed" : "free",
				   cdna_igb_domain_type(&vf->pdev->dev));
	mutex_unlock(&cdna_igb_lock);
}

static void cdna_igb_vf_irqs_free(struct cdna_igb_vf *vf,
				  struct cdna_igb_ctx *ictx)
{
	unsigned int i;

	for (i = 0; i < CDNA_IGB_VF_VECTORS; i++)
		free_irq(pci_irq_vector(vf->pdev, i), ictx);
	pci_free_irq_vectors(vf->pdev);
}

static irqreturn_t cdna_igb_irq(int irq, void *data)
{
	struct cdna_igb_ctx *ictx = data;

	atomic64_inc(&ictx->irqs);
	cdna_igb_schedule(ictx);
	return IRQ_HANDLED;
}

static int cdna_igb_vf_irqs_request(struct cdna_igb_vf *vf,
				    struct cdna_igb_ctx *ictx)
{
	unsigned int i;
	int ret;

	ret = pci_alloc_irq_vectors(vf->pdev, CDNA_IGB_VF_VECTORS,
				    CDNA_IGB_VF_VECTORS, PCI_IRQ_MSIX);
	if (ret < 0)
		return ret;
	for (i = 0; i < CDNA_IGB_VF_VECTORS; i++) {
		ret = request_irq(pci_irq_vector(vf->pdev, i), cdna_igb_irq,
				  0, "cdna-igbvf", ictx);
		if (ret)
			goto err_free;
	}
	return 0;

err_free:
	while (i--)
		free_irq(pci_irq_vector(vf->pdev, i), ictx);
	pci_free_irq_vectors(vf->pdev);
	return ret;
}

/**
 * cdna_igb_vf_claim() - give a free VF of @pf to a context
 * @pf: the NIC's PF
 * @ictx: the context's backend state (ictx->vf is set on success)
 *
 * Takes the VF's MSI-X vectors.
 *
 * Return: the VF, or an ERR_PTR: -ENOSPC if every VF of @pf is taken.
 */
struct cdna_igb_vf *cdna_igb_vf_claim(struct pci_dev *pf,
				      struct cdna_igb_ctx *ictx)
{
	struct cdna_igb_vf *vf, *found = NULL;
	int ret;

	mutex_lock(&cdna_igb_lock);
	list_for_each_entry(vf, &cdna_igb_vfs, node) {
		if (pci_physfn(vf->pdev) == pf && !vf->owner) {
			found = vf;
			break;
		}
	}
	if (!found) {
		ret = -ENOSPC;
		goto err_unlock;
	}
	ret = cdna_igb_vf_irqs_request(found, ictx);
	if (ret)
		goto err_unlock;
	found->owner = ictx;
	ictx->vf = found;
	mutex_unlock(&cdna_igb_lock);
	return found;

err_unlock:
	mutex_unlock(&cdna_igb_lock);
	return ERR_PTR(ret);
}

/* Undo cdna_igb_vf_claim(); cdna_igb_lock held, owner's lock held. */
static void cdna_igb_vf_unclaim_locked(struct cdna_igb_vf *vf,
				       struct cdna_igb_ctx *ictx)
{
	cdna_igb_wr(vf, CDNA_IGB_EIMC, ~0U);
	cdna_igb_vf_irqs_free(vf, ictx);
	cdna_igb_dma_down(ictx);
	vf->owner = NULL;
	ictx->vf = NULL;
	ictx->hw_up = false;
}

/**
 * cdna_igb_vf_release() - give a VF back (context deleted)
 * @vf: the VF, or NULL if it went away already
 *
 * The context's queues are stopped and freed.
 */
void cdna_igb_vf_release(struct cdna_igb_vf *vf)
{
	struct cdna_igb_ctx *ictx;

	if (!vf)
		return;
	mutex_lock(&cdna_igb_lock);
	ictx = vf->owner;
	if (ictx) {
		mutex_lock(&ictx->lock);
		/* A remove() may have raced us to it. */
		if (ictx->vf == vf)
			cdna_igb_vf_unclaim_locked(vf, ictx);
		mutex_unlock(&ictx->lock);
	}
	mutex_unlock(&cdna_igb_lock);
}

/**
 * cdna_igb_dma_up() - the VF starts doing DMA for a VM
 * @ictx: the context, engine lock held; a VM holds it
 *
 * Hands the VF to the context's protection (the iommu protection attaches
 * it to the context's IOMMU domain) and takes the sink page through it.
 *
 * Return: 0, -ENODEV if the VF is gone, or the protection's error.
 */
int cdna_igb_dma_up(struct cdna_igb_ctx *ictx)
{
	const struct cdna_protect_ops *prot = ictx->ctx->protect;
	struct device *dev;
	int ret;

	if (!ictx->vf)
		return -ENODEV;
	if (ictx->dma_up)
		return 0;
	dev = &ictx->vf->pdev->dev;
	if (prot->dev_attach) {
		ret = prot->dev_attach(ictx->ctx, dev);
		if (ret)
			return ret;
	}
	ret = prot->host_alloc(ictx->ctx, dev, PAGE_SIZE, &ictx->sink,
			       &ictx->sink_dma);
	if (ret)
		goto err_detach;
	ictx->dma_up = true;
	return 0;

err_detach:
	if (prot->dev_detach)
		prot->dev_detach(ictx->ctx, dev);
	return ret;
}

/**
 * cdna_igb_dma_down() - undo cdna_igb_dma_up()
 * @ictx: the context, engine lock held, its queues stopped
 *
 * The VF goes back to its default IOMMU domain.
 */
void cdna_igb_dma_down(struct cdna_igb_ctx *ictx)
{
	const struct cdna_protect_ops *prot = ictx->ctx->protect;
	struct device *dev;

	if (!ictx->dma_up || !ictx->vf)
		return;
	dev = &ictx->vf->pdev->dev;
	prot->host_free(ictx->ctx, dev, PAGE_SIZE, ictx->sink, ictx->sink_dma);
	ictx->sink = NULL;
	if (prot->dev_detach)
		prot->dev_detach(ictx->ctx, dev);
	ictx->dma_up = false;
}

/**
 * cdna_igb_hw_up() - reset the context's VF and set up its interrupts
 * @ictx: the context, engine lock held
 *
 * Return: 0, -ENODEV if the VF is gone, or the mailbox's error.
 */
int cdna_igb_hw_up(struct cdna_igb_ctx *ictx)
{
	struct cdna_igb_vf *vf = ictx->vf;
	u8 mac[ETH_ALEN];
	int ret;

	if (!vf)
		return -ENODEV;
	ret = cdna_igb_mbx_reset(vf, mac);
	if (ret == -EBUSY) {
		/* The VF never owned its own mailbox buffer. */
		pci_err(vf->pdev, "VF reset: the VF's mailbox does not answer (control reads %#x)\n",
			cdna_igb_rd(vf, CDNA_IGB_V2PMAILBOX));
		return ret;
	}
	if (ret) {
		pci_err(vf->pdev, "VF reset through the PF failed: %d\n", ret);
		return ret;
	}
	if (!ether_addr_equal(mac, ictx->ctx->mac))
		pci_warn(vf->pdev, "PF assigned %pM, the context has %pM\n",
			 mac, ictx->ctx->mac);
	/* Vector 0: TX of queue 0, 1: RX of queue 0, 2: mailbox. */
	cdna_igb_wr(vf, CDNA_IGB_IVAR(0),
		    (1 | CDNA_IGB_IVAR_VALID) |
		    ((0 | CDNA_IGB_IVAR_VALID) << 8));
	cdna_igb_wr(vf, CDNA_IGB_IVAR_MISC, 2 | CDNA_IGB_IVAR_VALID);
	cdna_igb_wr(vf, CDNA_IGB_EITR(0), cdna_igb_itr());
	cdna_igb_wr(vf, CDNA_IGB_EITR(1), cdna_igb_itr());
	cdna_igb_wr(vf, CDNA_IGB_EIAC, GENMASK(2, 0));
	cdna_igb_wr(vf, CDNA_IGB_EIAM, 0);
	cdna_igb_wr(vf, CDNA_IGB_EIMS, GENMASK(2, 0));
	ictx->hw_up = true;
	return 0;
}

/**
 * cdna_igb_hw_down() - mask the VF's interrupts
 * @ictx: the context, engine lock held; its queues are stopped
 */
void cdna_igb_hw_down(struct cdna_igb_ctx *ictx)
{
	if (ictx->vf)
		cdna_igb_wr(ictx->vf, CDNA_IGB_EIMC, ~0U);
	ictx->hw_up = false;
}

/**
 * cdna_igb_pf_set_filter() - program the VF's MAC and VLAN in the PF
 * @ictx: the context
 * @mac: MAC address
 * @vlan: port VLAN (inserted on TX, stripped on RX by the NIC), 0: none
 * @extack: for the error message
 *
 * Return: 0, -ENODEV if the VF is gone, or the PF driver's error.
 */
int cdna_igb_pf_set_filter(struct cdna_igb_ctx *ictx, const u8 *mac,
			   u16 vlan, struct netlink_ext_ack *extack)
{
	struct net_device *pf = ictx->ctx->nic->uplink;
	const struct net_device_ops *ops;
	int vf_id, ret;

	mutex_lock(&cdna_igb_lock);
	vf_id = ictx->vf ? ictx->vf->vf_id : -1;
	mutex_unlock(&cdna_igb_lock);
	if (vf_id < 0 || !pf) {
		NL_SET_ERR_MSG(extack, "the context's VF is gone");
		return -ENODEV;
	}
	rtnl_lock();
	ops = pf->netdev_ops;
	if (!ops->ndo_set_vf_mac || !ops->ndo_set_vf_vlan) {
		ret = -EOPNOTSUPP;
		goto out;
	}
	ret = ops->ndo_set_vf_mac(pf, vf_id, (u8 *)mac);
	if (ret) {
		NL_SET_ERR_MSG(extack, "the PF refused the VF's MAC address");
		goto out;
	}
	ret = ops->ndo_set_vf_vlan(pf, vf_id, vlan, 0, htons(ETH_P_8021Q));
	if (ret)
		NL_SET_ERR_MSG(extack, "the PF refused the VF's VLAN");
out:
	rtnl_unlock();
	return ret;
}

/**
 * cdna_igb_pf_set_policy() - program spoofchk, trust and rate in the PF
 * @ictx: the context (ctx->trusted, ->spoofchk, ->tx_rate hold the values)
 *
 * A setting the PF refuses is logged; the others still apply.
 */
void cdna_igb_pf_set_policy(struct cdna_igb_ctx *ictx)
{
	struct cdna_ctx *ctx = ictx->ctx;
	struct net_device *pf = ctx->nic->uplink;
	const struct net_device_ops *ops;
	int vf_id, ret;

	mutex_lock(&cdna_igb_lock);
	vf_id = ictx->vf ? ictx->vf->vf_id : -1;
	mutex_unlock(&cdna_igb_lock);
	if (vf_id < 0 || !pf)
		return;
	rtnl_lock();
	ops = pf->netdev_ops;
	if (ops->ndo_set_vf_spoofchk) {
		ret = ops->ndo_set_vf_spoofchk(pf, vf_id,
					       ctx->spoofchk && !ctx->trusted);
		if (ret)
			netdev_warn(pf, "vf %d: spoofchk refused: %d\n", vf_id,
				    ret);
	}
	if (ops->ndo_set_vf_trust) {
		ret = ops->ndo_set_vf_trust(pf, vf_id, ctx->trusted);
		if (ret)
			netdev_warn(pf, "vf %d: trust refused: %d\n", vf_id,
				    ret);
	}
	if (ops->ndo_set_vf_rate) {
		ret = ops->ndo_set_vf_rate(pf, vf_id, 0, ctx->tx_rate);
		if (ret && ctx->tx_rate)
			netdev_warn(pf, "vf %d: rate %u Mbit/s refused: %d\n",
				    vf_id, ctx->tx_rate, ret);
	}
	rtnl_unlock();
}

static int cdna_igb_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct cdna_igb_vf *vf;
	int ret;

	if (!pdev->is_virtfn || pdev->vendor != CDNA_IGB_VENDOR_ID ||
	    pdev->device != CDNA_IGB_VF_DEVICE_ID) {
		pci_err(pdev, "cdna drives only 82576 VFs (%04x:%04x)\n",
			CDNA_IGB_VENDOR_ID, CDNA_IGB_VF_DEVICE_ID);
		return -ENODEV;
	}
	vf = kzalloc(sizeof(*vf), GFP_KERNEL);
	if (!vf)
		return -ENOMEM;
	vf->pdev = pdev;
	vf->vf_id = pci_iov_vf_id(pdev);
	if (vf->vf_id < 0) {
		ret = vf->vf_id;
		goto err_free;
	}
	ret = pci_enable_device_mem(pdev);
	if (ret)
		goto err_free;
	ret = pci_request_regions(pdev, CDNA_DRV_NAME);
	if (ret)
		goto err_disable;
	vf->regs = pci_iomap(pdev, CDNA_IGB_VF_BAR_REGS, 0);
	if (!vf->regs) {
		ret = -ENOMEM;
		goto err_release;
	}
	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	if (ret)
		goto err_unmap;
	pci_set_master(pdev);
	/* Nothing runs until a context resets the VF. */
	cdna_igb_wr(vf, CDNA_IGB_EIMC, ~0U);
	pci_set_drvdata(pdev, vf);

	mutex_lock(&cdna_igb_lock);
	list_add_tail(&vf->node, &cdna_igb_vfs);
	mutex_unlock(&cdna_igb_lock);
	pci_info(pdev, "VF %d of %s bound to cdna\n", vf->vf_id,
		 pci_name(pci_physfn(pdev)));
	return 0;

err_unmap:
	pci_iounmap(pdev, vf->regs);
err_release:
	pci_release_regions(pdev);
err_disable:
	pci_disable_device(pdev);
err_free:
	kfree(vf);
	return ret;
}

static void cdna_igb_remove(struct pci_dev *pdev)
{
	struct cdna_igb_vf *vf = pci_get_drvdata(pdev);
	struct cdna_igb_ctx *ictx;
	unsigned int qp;

	mutex_lock(&cdna_igb_lock);
	ictx = vf->owner;
	if (ictx) {
		mutex_lock(&ictx->lock);
		for (qp = 0; qp < CDNA_IGB_VF_QUEUES; qp++) {
			cdna_igb_hw_queue_stop(ictx, qp, true);
			cdna_igb_hw_queue_stop(ictx, qp, false);
			cdna_igb_qp_free(ictx, qp, true);
			cdna_igb_qp_free(ictx, qp, false);
		}
		cdna_igb_vf_unclaim_locked(vf, ictx);
		ictx->vf_gone = true;
		mutex_unlock(&ictx->lock);
		pci_warn(pdev, "VF removed under context %s\n",
			 dev_name(mdev_dev(ictx->ctx->mdev)));
		cdna_ctx_backend_lost(ictx->ctx, CDNA_ERR_DMA);
	}
	list_del(&vf->node);
	mutex_unlock(&cdna_igb_lock);

	pci_clear_master(pdev);
	pci_iounmap(pdev, vf->regs);
	pci_release_regions(pdev);
	pci_disable_device(pdev);
	kfree(vf);
}

static struct pci_driver cdna_igb_pci_driver = {
	.name = CDNA_DRV_NAME,
	/* No ID table: only driver_override binds a VF (see above). */
	.probe = cdna_igb_probe,
	.remove = cdna_igb_remove,
};

/**
 * cdna_igb_pci_register() - register the VF driver (cdna_igb_init())
 *
 * Return: 0 or pci_register_driver()'s error.
 */
int cdna_igb_pci_register(void)
{
	return pci_register_driver(&cdna_igb_pci_driver);
}

/**
 * cdna_igb_pci_unregister() - unregister it (cdna_igb_exit()): every VF is
 *	unbound, which every context already let go of
 */
void cdna_igb_pci_unregister(void)
{
	pci_unregister_driver(&cdna_igb_pci_driver);
}
