// SPDX-License-Identifier: GPL-2.0
/*
 * cdna_vf: the control side of the function - registers, feature
 * negotiation, reset, link, the control vector, error recovery, and the
 * bring-up and teardown of a running device.
 *
 * Every BAR0 access is trapped by the host (about a millisecond in a nested
 * guest), so registers are touched only on these slow paths, never per
 * packet.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/interrupt.h>
#include <linux/log2.h>
#include <linux/rtnetlink.h>

#include "cdna_vf.h"

/**
 * cdnavf_check_identity() - check that BAR0 is a cdna function we can drive
 * @adapter: the adapter; only @adapter->pdev and @adapter->regs are needed
 *
 * Return: 0, or -ENODEV for a wrong magic or an ABI major we do not know.
 */
int cdnavf_check_identity(struct cdnavf_adapter *adapter)
{
	struct device *dev = &adapter->pdev->dev;
	u32 magic, version;

	magic = cdnavf_rd32(adapter, CDNA_REG_MAGIC);
	if (magic != CDNA_MAGIC) {
		dev_err(dev, "bad magic %#010x (expected %#010x)\n",
			magic, CDNA_MAGIC);
		return -ENODEV;
	}

	version = cdnavf_rd32(adapter, CDNA_REG_VERSION);
	if (version >> 16 != CDNA_ABI_MAJOR) {
		dev_err(dev, "device ABI %u.%u, driver knows %u.%u only\n",
			version >> 16, version & 0xffff,
			CDNA_ABI_MAJOR, CDNA_ABI_MINOR);
		return -ENODEV;
	}
	adapter->abi_version = version;
	return 0;
}

/**
 * cdnavf_dev_reset() - reset the function (STATUS = 0)
 * @adapter: the adapter
 *
 * The reset stops every queue and returns every register to its initial
 * value before the write returns; once this returns the device no longer
 * touches any ring or buffer, so they may be freed.
 */
void cdnavf_dev_reset(struct cdnavf_adapter *adapter)
{
	u32 status;

	cdnavf_wr32(adapter, CDNA_REG_STATUS, 0);
	/* The read also flushes the posted write. */
	status = cdnavf_rd32(adapter, CDNA_REG_STATUS);
	if (status)
		dev_warn(&adapter->pdev->dev,
			 "status %#x after reset (expected 0)\n", status);
}

/**
 * cdnavf_dev_init() - reset the function and negotiate features
 * @adapter: the adapter
 * @want: the features we would like (a subset of CDNAVF_SUPPORTED_FEATURES)
 *
 * Walks STATUS through ACKNOWLEDGE, DRIVER and FEATURES_OK, acking the
 * features both sides have.  The queues are configured and DRIVER_OK set
 * by cdnavf_up().  On success @adapter->features holds the negotiated set.
 *
 * Return: 0, -ENODEV if the device lacks VERSION_1 or refuses the set.
 */
int cdnavf_dev_init(struct cdnavf_adapter *adapter, u64 want)
{
	struct device *dev = &adapter->pdev->dev;
	u32 status;
	u64 drv;

	cdnavf_dev_reset(adapter);

	status = CDNA_STATUS_ACKNOWLEDGE;
	cdnavf_wr32(adapter, CDNA_REG_STATUS, status);
	status |= CDNA_STATUS_DRIVER;
	cdnavf_wr32(adapter, CDNA_REG_STATUS, status);

	adapter->dev_features =
		cdnavf_rd32(adapter, CDNA_REG_DEV_FEATURES_LO) |
		(u64)cdnavf_rd32(adapter, CDNA_REG_DEV_FEATURES_HI) << 32;
	if (!(adapter->dev_features & BIT_ULL(CDNA_F_VERSION_1))) {
		dev_err(dev, "device does not offer VERSION_1 (features %#llx)\n",
			adapter->dev_features);
		goto err_failed;
	}

	drv = adapter->dev_features & want & CDNAVF_SUPPORTED_FEATURES;
	/* Segmentation offload implies completing the checksums. */
	if (!(drv & BIT_ULL(CDNA_F_CSUM)))
		drv &= ~(BIT_ULL(CDNA_F_TSO4) | BIT_ULL(CDNA_F_TSO6));

	cdnavf_wr32(adapter, CDNA_REG_DRV_FEATURES_LO, lower_32_bits(drv));
	cdnavf_wr32(adapter, CDNA_REG_DRV_FEATURES_HI, upper_32_bits(drv));
	status |= CDNA_STATUS_FEATURES_OK;
	cdnavf_wr32(adapter, CDNA_REG_STATUS, status);
	if (!(cdnavf_rd32(adapter, CDNA_REG_STATUS) & CDNA_STATUS_FEATURES_OK)) {
		dev_err(dev, "device refused features %#llx (offered %#llx, error cause %u)\n",
			drv, adapter->dev_features,
			cdnavf_rd32(adapter, CDNA_REG_ERROR_CAUSE));
		goto err_failed;
	}

	adapter->features = drv;
	dev_dbg(dev, "features: device %#llx, negotiated %#llx\n",
		adapter->dev_features, drv);
	return 0;

err_failed:
	cdnavf_wr32(adapter, CDNA_REG_STATUS, status | CDNA_STATUS_FAILED);
	return -ENODEV;
}

static u32 cdnavf_mac_byte(u32 reg, unsigned int byte)
{
	return (reg >> (8 * byte)) & 0xff;
}

/**
 * cdnavf_read_config() - read the function's limits, MAC, MTU, coalescing
 * @adapter: the adapter, with max_qp set and the net_device allocated
 *
 * Values out of the ABI's ranges are clamped (with a warning), so that a
 * confused device cannot make us allocate absurd rings.
 */
void cdnavf_read_config(struct cdnavf_adapter *adapter)
{
	struct net_device *netdev = adapter->netdev;
	struct device *dev = &adapter->pdev->dev;
	u32 lo, hi, val, max_mtu;
	u8 mac[ETH_ALEN];

	val = cdnavf_rd32(adapter, CDNA_REG_MAX_RING_SIZE);
	if (val < CDNA_MIN_RING_SIZE || val > CDNA_MAX_RING_SIZE ||
	    !is_power_of_2(val)) {
		dev_warn(dev, "bad max ring size %u, using %u\n",
			 val, CDNAVF_DEFAULT_RING_SIZE);
		val = CDNAVF_DEFAULT_RING_SIZE;
	}
	adapter->max_ring_size = val;
	adapter->cfg.tx_ring_size = min_t(u32, val, CDNAVF_DEFAULT_RING_SIZE);
	adapter->cfg.rx_ring_size = adapter->cfg.tx_ring_size;

	max_mtu = cdnavf_rd32(adapter, CDNA_REG_MAX_MTU);
	if (max_mtu < CDNA_MIN_MTU || max_mtu > CDNA_MAX_MTU) {
		dev_warn(dev, "bad max MTU %u, using %u\n",
			 max_mtu, ETH_DATA_LEN);
		max_mtu = ETH_DATA_LEN;
	}
	netdev->min_mtu = CDNA_MIN_MTU;
	netdev->max_mtu = max_mtu;
	val = cdnavf_rd32(adapter, CDNA_REG_MTU);
	if (val < CDNA_MIN_MTU || val > max_mtu)
		val = min_t(u32, ETH_DATA_LEN, max_mtu);
	netdev->mtu = val;

	lo = cdnavf_rd32(adapter, CDNA_REG_MAC_LO);
	hi = cdnavf_rd32(adapter, CDNA_REG_MAC_HI);
	mac[0] = cdnavf_mac_byte(lo, 0);
	mac[1] = cdnavf_mac_byte(lo, 1);
	mac[2] = cdnavf_mac_byte(lo, 2);
	mac[3] = cdnavf_mac_byte(lo, 3);
	mac[4] = cdnavf_mac_byte(hi, 0);
	mac[5] = cdnavf_mac_byte(hi, 1);
	if (is_valid_ether_addr(mac)) {
		eth_hw_addr_set(netdev, mac);
	} else {
		/* The host would drop what we send with another address. */
		dev_warn(dev, "device MAC %pM is invalid, using a random one\n",
			 mac);
		eth_hw_addr_random(netdev);
	}

	if (cdnavf_has(adapter, CDNA_F_IRQ_COAL)) {
		adapter->max_coal_usecs =
			cdnavf_rd32(adapter, CDNA_REG_MAX_COAL_USECS);
		adapter->rx_coal_usecs =
			min(cdnavf_rd32(adapter, CDNA_REG_RX_COAL_USECS),
			    adapter->max_coal_usecs);
		adapter->rx_coal_frames =
			cdnavf_rd32(adapter, CDNA_REG_RX_COAL_FRAMES);
		adapter->tx_coal_usecs =
			min(cdnavf_rd32(adapter, CDNA_REG_TX_COAL_USECS),
			    adapter->max_coal_usecs);
		adapter->tx_coal_frames =
			cdnavf_rd32(adapter, CDNA_REG_TX_COAL_FRAMES);
	}

	adapter->link_speed = cdnavf_rd32(adapter, CDNA_REG_LINK_SPEED);
}

/**
 * cdnavf_write_coalesce() - program the interrupt moderation registers
 * @adapter: the adapter; the device must be past FEATURES_OK
 */
void cdnavf_write_coalesce(struct cdnavf_adapter *adapter)
{
	if (!cdnavf_has(adapter, CDNA_F_IRQ_COAL))
		return;
	cdnavf_wr32(adapter, CDNA_REG_RX_COAL_USECS, adapter->rx_coal_usecs);
	cdnavf_wr32(adapter, CDNA_REG_RX_COAL_FRAMES, adapter->rx_coal_frames);
	cdnavf_wr32(adapter, CDNA_REG_TX_COAL_USECS, adapter->tx_coal_usecs);
	cdnavf_wr32(adapter, CDNA_REG_TX_COAL_FRAMES, adapter->tx_coal_frames);
}

/**
 * cdnavf_link_update() - follow CDNA_REG_LINK with the carrier
 * @adapter: the adapter
 *
 * Called at bring-up and on link interrupts, under the RTNL.  The carrier
 * only goes on while the queues run.
 */
void cdnavf_link_update(struct cdnavf_adapter *adapter)
{
	struct net_device *netdev = adapter->netdev;
	bool up;

	ASSERT_RTNL();

	up = cdnavf_rd32(adapter, CDNA_REG_LINK) & CDNA_LINK_UP;
	adapter->link_speed = cdnavf_rd32(adapter, CDNA_REG_LINK_SPEED);

	if (!test_bit(CDNAVF_FLAG_UP, &adapter->flags))
		return;

	if (up && !netif_carrier_ok(netdev)) {
		netif_carrier_on(netdev);
		netdev_info(netdev, "link up, %u Mbit/s\n", adapter->link_speed);
	} else if (!up && netif_carrier_ok(netdev)) {
		netif_carrier_off(netdev);
		netdev_info(netdev, "link down\n");
	}
}

/**
 * cdnavf_request_reset() - ask the control task for a reset and bring-up
 * @adapter: the adapter
 *
 * For errors found in atomic context (NAPI, watchdog): a completion ring
 * that makes no sense, a stuck TX queue.
 */
void cdnavf_request_reset(struct cdnavf_adapter *adapter)
{
	if (test_bit(CDNAVF_FLAG_REMOVING, &adapter->flags))
		return;
	if (!test_and_set_bit(CDNAVF_FLAG_RESET_REQUESTED, &adapter->flags))
		schedule_work(&adapter->ctrl_task);
}

/* Every ring back to the BAR doorbells; the page goes (device reset). */
static void cdnavf_kick_page_free(struct cdnavf_adapter *adapter)
{
	unsigned int i;

	for (i = 0; i < CDNA_MAX_QUEUE_PAIRS; i++) {
		adapter->qps[i].rx.kick = NULL;
		adapter->qps[i].tx.kick = NULL;
	}
	if (adapter->kick_page)
		__free_page(adapter->kick_page);
	adapter->kick_page = NULL;
}

/*
 * CDNA_F_KICK_PAGE: give the device a zeroed page of our RAM; if it takes
 * it, each queue kicks by a store to its slot there.  Anything else keeps
 * the BAR doorbells, which always work.
 */
static void cdnavf_kick_page_start(struct cdnavf_adapter *adapter)
{
	struct page *page;
	u64 addr;
	u32 status;
	u32 *slots;
	unsigned int i;

	if (!cdnavf_has(adapter, CDNA_F_KICK_PAGE))
		return;
	page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!page)
		return;
	/* The device wants the guest-physical address, not a DMA one. */
	addr = page_to_phys(page);
	cdnavf_wr32(adapter, CDNA_REG_KICK_PAGE_HI, upper_32_bits(addr));
	cdnavf_wr32(adapter, CDNA_REG_KICK_PAGE_LO, lower_32_bits(addr));
	status = cdnavf_rd32(adapter, CDNA_REG_KICK_PAGE_STATUS);
	if (status != CDNA_KICK_PAGE_ON) {
		netdev_info(adapter->netdev,
			    "kick page not taken (status %u): BAR doorbells\n",
			    status);
		cdnavf_wr32(adapter, CDNA_REG_KICK_PAGE_LO, 0);
		cdnavf_wr32(adapter, CDNA_REG_KICK_PAGE_HI, 0);
		__free_page(page);
		return;
	}
	adapter->kick_page = page;
	slots = page_address(page);
	for (i = 0; i < adapter->cfg.num_qp; i++) {
		struct cdnavf_qp *qp = &adapter->qps[i];

		qp->rx.kick = slots + CDNA_KICK_PAGE_SLOT(qp->rx.qid) / 4;
		qp->tx.kick = slots + CDNA_KICK_PAGE_SLOT(qp->tx.qid) / 4;
	}
}

/**
 * cdnavf_up() - bring the device up with @adapter->cfg
 * @adapter: the adapter, down
 *
 * Negotiates again (the device was reset when it went down), allocates and
 * enables the rings, sets DRIVER_OK and starts NAPI and the TX queues.
 * Called under the RTNL.
 *
 * Return: 0 or a negative errno; on error the device is left reset.
 */
int cdnavf_up(struct cdnavf_adapter *adapter)
{
	struct net_device *netdev = adapter->netdev;
	u64 want = adapter->avail_features;
	u32 status;
	int err;

	ASSERT_RTNL();

	if (!adapter->cfg.rx_gso)
		want &= ~BIT_ULL(CDNA_F_RX_GSO);
	err = cdnavf_dev_init(adapter, want);
	if (err)
		return err;
	if (adapter->features != want) {
		netdev_err(netdev, "device no longer offers features %#llx\n",
			   want & ~adapter->features);
		err = -ENODEV;
		goto err_reset;
	}

	err = cdnavf_qp_irqs_request(adapter);
	if (err)
		goto err_reset;

	err = cdnavf_rings_alloc(adapter);
	if (err)
		goto err_free_irqs;

	err = cdnavf_queues_enable(adapter);
	if (err)
		goto err_free_rings;

	cdnavf_write_coalesce(adapter);
	if (cdnavf_has(adapter, CDNA_F_MTU))
		cdnavf_wr32(adapter, CDNA_REG_MTU, netdev->mtu);
	cdnavf_kick_page_start(adapter);

	status = CDNA_STATUS_ACKNOWLEDGE | CDNA_STATUS_DRIVER |
		 CDNA_STATUS_FEATURES_OK;
	cdnavf_wr32(adapter, CDNA_REG_STATUS, status | CDNA_STATUS_DRIVER_OK);
	status = cdnavf_rd32(adapter, CDNA_REG_STATUS);
	if (!(status & CDNA_STATUS_DRIVER_OK) ||
	    (status & CDNA_STATUS_NEEDS_RESET)) {
		netdev_err(netdev, "device did not start (status %#x, error cause %u)\n",
			   status, cdnavf_rd32(adapter, CDNA_REG_ERROR_CAUSE));
		err = -EIO;
		goto err_free_rings;
	}

	cdnavf_napi_enable_all(adapter);
	set_bit(CDNAVF_FLAG_UP, &adapter->flags);
	cdnavf_link_update(adapter);
	netif_tx_start_all_queues(netdev);
	return 0;

err_free_rings:
	/* The device lets go of the rings before they are freed. */
	cdnavf_dev_reset(adapter);
	cdnavf_kick_page_free(adapter);
	cdnavf_rings_free(adapter);
err_free_irqs:
	cdnavf_qp_irqs_free(adapter);
err_reset:
	cdnavf_dev_reset(adapter);
	return err;
}

/**
 * cdnavf_down() - stop the queues, reset the device, free the rings
 * @adapter: the adapter
 *
 * The reverse of cdnavf_up(); does nothing if the device is not up.
 * Called under the RTNL.
 */
void cdnavf_down(struct cdnavf_adapter *adapter)
{
	struct net_device *netdev = adapter->netdev;

	ASSERT_RTNL();

	if (!test_and_clear_bit(CDNAVF_FLAG_UP, &adapter->flags))
		return;

	netif_carrier_off(netdev);
	netif_tx_disable(netdev);
	cdnavf_napi_disable_all(adapter);
	/* No DMA and no interrupts from the device after this. */
	cdnavf_dev_reset(adapter);
	cdnavf_kick_page_free(adapter);
	cdnavf_rings_free(adapter);
	cdnavf_qp_irqs_free(adapter);
}

/*
 * Error recovery: a reset and a new bring-up, unless the device keeps
 * failing (CDNAVF_RESET_MAX recoveries in CDNAVF_RESET_WINDOW): then it
 * is marked FAILED and left stopped until the interface is set down and up.
 */
static void cdnavf_recover(struct cdnavf_adapter *adapter)
{
	struct net_device *netdev = adapter->netdev;
	unsigned long oldest;
	int err;

	ASSERT_RTNL();

	oldest = adapter->reset_times[adapter->resets % CDNAVF_RESET_MAX];
	if (adapter->resets >= CDNAVF_RESET_MAX &&
	    time_before(jiffies, oldest + CDNAVF_RESET_WINDOW)) {
		netdev_err(netdev, "%u resets in %u s: giving up until the interface is set down and up\n",
			   CDNAVF_RESET_MAX, CDNAVF_RESET_WINDOW / HZ);
		cdnavf_down(adapter);
		cdnavf_wr32(adapter, CDNA_REG_STATUS, CDNA_STATUS_FAILED);
		return;
	}
	adapter->reset_times[adapter->resets % CDNAVF_RESET_MAX] = jiffies;
	adapter->resets++;

	netdev_warn(netdev, "resetting the device\n");
	cdnavf_down(adapter);
	err = cdnavf_up(adapter);
	if (err)
		netdev_err(netdev, "bring-up after reset failed (%d): set the interface down and up to retry\n",
			   err);
}

static void cdnavf_ctrl_cause(struct cdnavf_adapter *adapter)
{
	struct net_device *netdev = adapter->netdev;
	bool carrier = netif_carrier_ok(netdev);
	u32 cause;

	/* Reading clears the cause. */
	cause = cdnavf_rd32(adapter, CDNA_REG_CTRL_CAUSE);

	if (cause & CDNA_CTRL_CAUSE_LINK) {
		cdnavf_link_update(adapter);
		if (carrier != netif_carrier_ok(netdev))
			adapter->link_changes++;
	}

	if (cause & CDNA_CTRL_CAUSE_ERROR) {
		adapter->dev_errors++;
		netdev_err(netdev, "device error: status %#x, cause %u, queue %d\n",
			   cdnavf_rd32(adapter, CDNA_REG_STATUS),
			   cdnavf_rd32(adapter, CDNA_REG_ERROR_CAUSE),
			   (int)cdnavf_rd32(adapter, CDNA_REG_ERROR_QUEUE));
		if (test_bit(CDNAVF_FLAG_UP, &adapter->flags))
			set_bit(CDNAVF_FLAG_RESET_REQUESTED, &adapter->flags);
	}
}

static void cdnavf_ctrl_task(struct work_struct *work)
{
	struct cdnavf_adapter *adapter =
		container_of(work, struct cdnavf_adapter, ctrl_task);

	rtnl_lock();
	if (test_bit(CDNAVF_FLAG_REMOVING, &adapter->flags))
		goto unlock;

	if (test_and_clear_bit(CDNAVF_FLAG_CTRL_IRQ, &adapter->flags))
		cdnavf_ctrl_cause(adapter);

	if (test_and_clear_bit(CDNAVF_FLAG_RESET_REQUESTED, &adapter->flags) &&
	    netif_running(adapter->netdev))
		cdnavf_recover(adapter);
unlock:
	rtnl_unlock();
}

static irqreturn_t cdnavf_ctrl_irq(int irq, void *data)
{
	struct cdnavf_adapter *adapter = data;

	/* CTRL_CAUSE is read in process context: each read is a VM exit. */
	set_bit(CDNAVF_FLAG_CTRL_IRQ, &adapter->flags);
	if (!test_bit(CDNAVF_FLAG_REMOVING, &adapter->flags))
		schedule_work(&adapter->ctrl_task);
	return IRQ_HANDLED;
}

/**
 * cdnavf_ctrl_irq_init() - set up the control task and vector 0
 * @adapter: the adapter, with MSI-X vectors allocated
 *
 * Return: 0 or the error of request_irq().
 */
int cdnavf_ctrl_irq_init(struct cdnavf_adapter *adapter)
{
	struct pci_dev *pdev = adapter->pdev;
	int err;

	INIT_WORK(&adapter->ctrl_task, cdnavf_ctrl_task);

	adapter->ctrl_irq = pci_irq_vector(pdev, CDNA_MSIX_CTRL_VECTOR);
	snprintf(adapter->ctrl_irq_name, sizeof(adapter->ctrl_irq_name),
		 "%s-%s-ctrl", CDNAVF_DRV_NAME, pci_name(pdev));
	err = request_irq(adapter->ctrl_irq, cdnavf_ctrl_irq, 0,
			  adapter->ctrl_irq_name, adapter);
	if (err)
		dev_err(&pdev->dev, "cannot request the control vector: %d\n",
			err);
	return err;
}

/**
 * cdnavf_ctrl_irq_exit() - free vector 0 and stop the control task
 * @adapter: the adapter, with CDNAVF_FLAG_REMOVING set
 */
void cdnavf_ctrl_irq_exit(struct cdnavf_adapter *adapter)
{
	free_irq(adapter->ctrl_irq, adapter);
	cancel_work_sync(&adapter->ctrl_task);
}
