// SPDX-License-Identifier: GPL-2.0
/*
 * cdna_vf: guest driver for the cdna virtual function - PCI probe and
 * remove, the module, and the net_device operations.
 *
 * Life of a function: probe negotiates features (to learn the offloads),
 * reads the MAC and limits, allocates the MSI-X vectors, registers the
 * net_device and resets the device again.  While the interface is down
 * the device stays reset; ndo_open brings it up (ctrl.c, cdnavf_up()) and
 * ndo_stop resets it.  Reconfiguration (ring sizes, channels, RX GSO) and
 * error recovery are a bring-down and a bring-up.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/pci.h>
#include <linux/rtnetlink.h>

#include "cdna_vf.h"

static bool cdnavf_kick_page = true;
module_param_named(kick_page, cdnavf_kick_page, bool, 0644);
MODULE_PARM_DESC(kick_page,
		 "Offer the device a kick page (CDNA_F_KICK_PAGE) at probe: doorbells the host's KVM completes in the kernel");

/**
 * cdnavf_reconfigure() - apply a new queue configuration
 * @adapter: the adapter
 * @cfg: the configuration wanted
 *
 * Brings the device down and up again if it runs.  If the new configuration
 * cannot be brought up, the previous one is restored.  Called under the RTNL.
 *
 * Return: 0 or a negative errno.
 */
int cdnavf_reconfigure(struct cdnavf_adapter *adapter,
		       const struct cdnavf_config *cfg)
{
	struct net_device *netdev = adapter->netdev;
	struct cdnavf_config old = adapter->cfg;
	bool running = netif_running(netdev);
	int err;

	ASSERT_RTNL();

	if (running)
		cdnavf_down(adapter);

	err = netif_set_real_num_queues(netdev, cfg->num_qp, cfg->num_qp);
	if (err)
		goto err_restart;
	adapter->cfg = *cfg;
	if (!running)
		return 0;

	err = cdnavf_up(adapter);
	if (!err)
		return 0;

	netdev_err(netdev, "new configuration failed (%d), restoring the previous one\n",
		   err);
	adapter->cfg = old;
	/* Fewer or the same queues as before: cannot fail. */
	netif_set_real_num_queues(netdev, old.num_qp, old.num_qp);
err_restart:
	if (running && cdnavf_up(adapter))
		netdev_err(netdev, "bring-up failed: set the interface down and up to retry\n");
	return err;
}

static int cdnavf_open(struct net_device *netdev)
{
	return cdnavf_up(netdev_priv(netdev));
}

static int cdnavf_stop(struct net_device *netdev)
{
	struct cdnavf_adapter *adapter = netdev_priv(netdev);

	cdnavf_down(adapter);
	clear_bit(CDNAVF_FLAG_RESET_REQUESTED, &adapter->flags);
	return 0;
}

static int cdnavf_change_mtu(struct net_device *netdev, int new_mtu)
{
	struct cdnavf_adapter *adapter = netdev_priv(netdev);

	/*
	 * RX buffers do not depend on the MTU: larger packets span several
	 * buffers.  The core checked min_mtu/max_mtu.
	 */
	WRITE_ONCE(netdev->mtu, new_mtu);
	if (test_bit(CDNAVF_FLAG_UP, &adapter->flags) &&
	    cdnavf_has(adapter, CDNA_F_MTU))
		cdnavf_wr32(adapter, CDNA_REG_MTU, new_mtu);
	return 0;
}

static int cdnavf_set_features(struct net_device *netdev,
			       netdev_features_t features)
{
	struct cdnavf_adapter *adapter = netdev_priv(netdev);
	struct cdnavf_config cfg = adapter->cfg;

	if (!((netdev->features ^ features) & NETIF_F_GRO_HW))
		return 0;
	/* RX GSO is a negotiated feature: renegotiate. */
	cfg.rx_gso = !!(features & NETIF_F_GRO_HW);
	return cdnavf_reconfigure(adapter, &cfg);
}

static void cdnavf_tx_timeout(struct net_device *netdev, unsigned int txqueue)
{
	struct cdnavf_adapter *adapter = netdev_priv(netdev);

	netdev_warn(netdev, "TX queue %u timed out\n", txqueue);
	cdnavf_request_reset(adapter);
}

static const struct net_device_ops cdnavf_netdev_ops = {
	.ndo_open		= cdnavf_open,
	.ndo_stop		= cdnavf_stop,
	.ndo_start_xmit		= cdnavf_start_xmit,
	.ndo_get_stats64	= cdnavf_get_stats64,
	.ndo_change_mtu		= cdnavf_change_mtu,
	.ndo_set_features	= cdnavf_set_features,
	.ndo_tx_timeout		= cdnavf_tx_timeout,
	.ndo_validate_addr	= eth_validate_addr,
};

/* Offloads from the features negotiated at probe. */
static void cdnavf_netdev_features(struct cdnavf_adapter *adapter)
{
	struct net_device *netdev = adapter->netdev;
	netdev_features_t hw = NETIF_F_SG;

	if (cdnavf_has(adapter, CDNA_F_CSUM))
		hw |= NETIF_F_HW_CSUM;
	if (cdnavf_has(adapter, CDNA_F_TSO4))
		hw |= NETIF_F_TSO;
	if (cdnavf_has(adapter, CDNA_F_TSO6))
		hw |= NETIF_F_TSO6;
	if (hw & (NETIF_F_TSO | NETIF_F_TSO6))
		hw |= NETIF_F_TSO_ECN;
	if (cdnavf_has(adapter, CDNA_F_RX_CSUM))
		hw |= NETIF_F_RXCSUM;
	if (cdnavf_has(adapter, CDNA_F_RX_GSO))
		hw |= NETIF_F_GRO_HW;

	netdev->hw_features = hw;
	netdev->features = hw | NETIF_F_HIGHDMA;
	netdev->vlan_features = netdev->features & ~(NETIF_F_RXCSUM |
						     NETIF_F_GRO_HW);
	adapter->cfg.rx_gso = cdnavf_has(adapter, CDNA_F_RX_GSO);

	/* A GSO packet must fit in CDNA_MAX_TX_LEN (the default is 64 KiB). */
	netif_set_tso_max_size(netdev, CDNA_MAX_TX_LEN);
}

/*
 * MSI-X only: one control vector and one per queue pair.  No managed
 * affinity (PCI_IRQ_AFFINITY): it would cap the queue vectors at the number
 * of CPUs, and a 1-vCPU guest must still get every queue pair.  The queue
 * vectors are spread by affinity hints instead (txrx.c).
 */
static int cdnavf_irq_vectors_alloc(struct cdnavf_adapter *adapter)
{
	struct pci_dev *pdev = adapter->pdev;
	int nvecs;

	nvecs = pci_alloc_irq_vectors(pdev, CDNA_MSIX_NUM_VECTORS(1),
				      CDNA_MSIX_NUM_VECTORS(adapter->max_qp),
				      PCI_IRQ_MSIX);
	if (nvecs < 0) {
		dev_err(&pdev->dev, "cannot allocate MSI-X vectors: %d\n",
			nvecs);
		return nvecs;
	}
	adapter->nvecs = nvecs;
	if (nvecs < CDNA_MSIX_NUM_VECTORS(adapter->max_qp)) {
		dev_warn(&pdev->dev, "%d MSI-X vectors: using %d of %u queue pairs\n",
			 nvecs, nvecs - 1, adapter->max_qp);
		adapter->max_qp = nvecs - 1;
	}
	return 0;
}

static int cdnavf_probe(struct pci_dev *pdev, const struct pci_device_id *ent)
{
	struct cdnavf_adapter *adapter;
	struct net_device *netdev;
	void __iomem *regs;
	u32 max_qp;
	int err;

	err = pci_enable_device_mem(pdev);
	if (err)
		return err;

	err = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	if (err) {
		dev_err(&pdev->dev, "no usable DMA configuration\n");
		goto err_disable_device;
	}

	err = pci_request_mem_regions(pdev, CDNAVF_DRV_NAME);
	if (err)
		goto err_disable_device;
	pci_set_master(pdev);

	if (pci_resource_len(pdev, CDNA_BAR_REGS) < CDNA_BAR_REGS_SIZE) {
		dev_err(&pdev->dev, "BAR%d too small\n", CDNA_BAR_REGS);
		err = -ENODEV;
		goto err_release_regions;
	}
	regs = pci_iomap(pdev, CDNA_BAR_REGS, CDNA_BAR_REGS_SIZE);
	if (!regs) {
		err = -ENOMEM;
		goto err_release_regions;
	}

	max_qp = readl(regs + CDNA_REG_MAX_QUEUE_PAIRS);
	if (!max_qp) {
		dev_err(&pdev->dev, "device has no queue pairs\n");
		err = -ENODEV;
		goto err_unmap;
	}
	max_qp = min_t(u32, max_qp, CDNA_MAX_QUEUE_PAIRS);

	netdev = alloc_etherdev_mqs(sizeof(*adapter), max_qp, max_qp);
	if (!netdev) {
		err = -ENOMEM;
		goto err_unmap;
	}
	SET_NETDEV_DEV(netdev, &pdev->dev);
	adapter = netdev_priv(netdev);
	adapter->netdev = netdev;
	adapter->pdev = pdev;
	adapter->regs = regs;
	adapter->max_qp = max_qp;
	pci_set_drvdata(pdev, adapter);

	err = cdnavf_check_identity(adapter);
	if (err)
		goto err_free_netdev;

	err = cdnavf_dev_init(adapter, CDNAVF_SUPPORTED_FEATURES &
			      (cdnavf_kick_page ? ~0ULL :
			       ~BIT_ULL(CDNA_F_KICK_PAGE)));
	if (err)
		goto err_free_netdev;
	adapter->avail_features = adapter->features;
	cdnavf_read_config(adapter);

	err = cdnavf_irq_vectors_alloc(adapter);
	if (err)
		goto err_reset;
	adapter->cfg.num_qp = adapter->max_qp;

	netdev->netdev_ops = &cdnavf_netdev_ops;
	cdnavf_set_ethtool_ops(netdev);
	netdev->watchdog_timeo = 5 * HZ;
	cdnavf_netdev_features(adapter);
	cdnavf_napi_init(adapter);

	err = cdnavf_ctrl_irq_init(adapter);
	if (err)
		goto err_napi_exit;

	err = netif_set_real_num_queues(netdev, adapter->cfg.num_qp,
					adapter->cfg.num_qp);
	if (err)
		goto err_ctrl_irq_exit;

	/* Quiet until ndo_open. */
	cdnavf_dev_reset(adapter);
	netif_carrier_off(netdev);

	err = register_netdev(netdev);
	if (err)
		goto err_ctrl_irq_exit;

	cdnavf_debugfs_add(adapter);
	netdev_info(netdev, "cdna VF %pM: %u queue pairs, features %#llx, ABI %u.%u\n",
		    netdev->dev_addr, adapter->cfg.num_qp, adapter->features,
		    adapter->abi_version >> 16, adapter->abi_version & 0xffff);
	return 0;

err_ctrl_irq_exit:
	set_bit(CDNAVF_FLAG_REMOVING, &adapter->flags);
	cdnavf_ctrl_irq_exit(adapter);
err_napi_exit:
	cdnavf_napi_exit(adapter);
	pci_free_irq_vectors(pdev);
err_reset:
	cdnavf_dev_reset(adapter);
err_free_netdev:
	free_netdev(netdev);
err_unmap:
	pci_iounmap(pdev, regs);
err_release_regions:
	pci_release_mem_regions(pdev);
err_disable_device:
	pci_disable_device(pdev);
	return err;
}

static void cdnavf_remove(struct pci_dev *pdev)
{
	struct cdnavf_adapter *adapter = pci_get_drvdata(pdev);
	struct net_device *netdev;
	void __iomem *regs;

	if (!adapter)
		return;	/* already shut down */
	netdev = adapter->netdev;
	regs = adapter->regs;
	pci_set_drvdata(pdev, NULL);

	cdnavf_debugfs_del(adapter);
	/* The control task does nothing from now on; it may still run. */
	set_bit(CDNAVF_FLAG_REMOVING, &adapter->flags);
	unregister_netdev(netdev);	/* closes: the device is reset */
	cdnavf_ctrl_irq_exit(adapter);
	cdnavf_napi_exit(adapter);
	pci_free_irq_vectors(pdev);
	cdnavf_dev_reset(adapter);
	free_netdev(netdev);
	pci_iounmap(pdev, regs);
	pci_release_mem_regions(pdev);
	pci_disable_device(pdev);
}

static void cdnavf_shutdown(struct pci_dev *pdev)
{
	/* Stop all DMA into guest memory before the next kernel runs. */
	cdnavf_remove(pdev);
}

static const struct pci_device_id cdnavf_pci_tbl[] = {
	{ PCI_DEVICE(CDNA_PCI_VENDOR_ID, CDNA_PCI_DEVICE_ID) },
	{ }
};
MODULE_DEVICE_TABLE(pci, cdnavf_pci_tbl);

static struct pci_driver cdnavf_pci_driver = {
	.name		= CDNAVF_DRV_NAME,
	.id_table	= cdnavf_pci_tbl,
	.probe		= cdnavf_probe,
	.remove		= cdnavf_remove,
	.shutdown	= cdnavf_shutdown,
};

static int __init cdnavf_init(void)
{
	int err;

	cdnavf_debugfs_init();
	err = pci_register_driver(&cdnavf_pci_driver);
	if (err)
		cdnavf_debugfs_exit();
	return err;
}

static void __exit cdnavf_exit(void)
{
	pci_unregister_driver(&cdnavf_pci_driver);
	cdnavf_debugfs_exit();
}

module_init(cdnavf_init);
module_exit(cdnavf_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("cdna virtual function network driver");
MODULE_VERSION(CDNA_VERSION);
