// SPDX-License-Identifier: GPL-2.0
/*
 * cdna_vf: ethtool operations.
 *
 * Statistics are table driven: each table names the u64 counters of one
 * stats struct (cdna_vf.h) by offset, and every queue pair reports them as
 * queue_N_tx_*, queue_N_rx_* and queue_N_irqs.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ethtool.h>
#include <linux/log2.h>
#include <linux/netdevice.h>
#include <linux/pci.h>
#include <linux/rtnetlink.h>

#include "cdna_vf.h"

struct cdnavf_stat {
	char name[ETH_GSTRING_LEN];
	size_t offset;
};

#define CDNAVF_STAT(type, member) \
	{ .name = #member, .offset = offsetof(type, member) }

static const struct cdnavf_stat cdnavf_tx_stats_table[] = {
	CDNAVF_STAT(struct cdnavf_tx_stats, packets),
	CDNAVF_STAT(struct cdnavf_tx_stats, bytes),
	CDNAVF_STAT(struct cdnavf_tx_stats, wakes),
	CDNAVF_STAT(struct cdnavf_tx_stats, cpl_errors),
	CDNAVF_STAT(struct cdnavf_tx_stats, bad_cpl),
};

static const struct cdnavf_stat cdnavf_xmit_stats_table[] = {
	CDNAVF_STAT(struct cdnavf_xmit_stats, kicks),
	CDNAVF_STAT(struct cdnavf_xmit_stats, stops),
	CDNAVF_STAT(struct cdnavf_xmit_stats, busy),
	CDNAVF_STAT(struct cdnavf_xmit_stats, linearize),
	CDNAVF_STAT(struct cdnavf_xmit_stats, dma_errors),
	CDNAVF_STAT(struct cdnavf_xmit_stats, drops),
	CDNAVF_STAT(struct cdnavf_xmit_stats, csum),
	CDNAVF_STAT(struct cdnavf_xmit_stats, tso),
};

static const struct cdnavf_stat cdnavf_rx_stats_table[] = {
	CDNAVF_STAT(struct cdnavf_rx_stats, packets),
	CDNAVF_STAT(struct cdnavf_rx_stats, bytes),
	CDNAVF_STAT(struct cdnavf_rx_stats, kicks),
	CDNAVF_STAT(struct cdnavf_rx_stats, csum_valid),
	CDNAVF_STAT(struct cdnavf_rx_stats, csum_partial),
	CDNAVF_STAT(struct cdnavf_rx_stats, gso),
	CDNAVF_STAT(struct cdnavf_rx_stats, copybreak),
	CDNAVF_STAT(struct cdnavf_rx_stats, multi_buf),
	CDNAVF_STAT(struct cdnavf_rx_stats, drops),
	CDNAVF_STAT(struct cdnavf_rx_stats, cpl_errors),
	CDNAVF_STAT(struct cdnavf_rx_stats, bad_cpl),
	CDNAVF_STAT(struct cdnavf_rx_stats, alloc_fail),
};

static const struct cdnavf_stat cdnavf_irq_stats_table[] = {
	CDNAVF_STAT(struct cdnavf_irq_stats, irqs),
};

/* Adapter-wide counters, written under the RTNL (as ethtool reads them). */
static const struct cdnavf_stat cdnavf_global_stats_table[] = {
	CDNAVF_STAT(struct cdnavf_adapter, resets),
	CDNAVF_STAT(struct cdnavf_adapter, link_changes),
	CDNAVF_STAT(struct cdnavf_adapter, dev_errors),
};

/* Per queue: packets the device dropped (CDNA_QREG_DROPS), RX then TX. */
#define CDNAVF_DEV_DROPS_PER_QP		2

#define CDNAVF_QP_STATS_LEN	(ARRAY_SIZE(cdnavf_tx_stats_table) +	\
				 ARRAY_SIZE(cdnavf_xmit_stats_table) +	\
				 ARRAY_SIZE(cdnavf_rx_stats_table) +	\
				 ARRAY_SIZE(cdnavf_irq_stats_table) +	\
				 CDNAVF_DEV_DROPS_PER_QP)

/* Copy the counters named by @table out of @base under @syncp. */
static u64 *cdnavf_stats_copy(const struct u64_stats_sync *syncp,
			      const void *base,
			      const struct cdnavf_stat *table, unsigned int n,
			      u64 *data)
{
	unsigned int start, i;

	do {
		start = u64_stats_fetch_begin(syncp);
		for (i = 0; i < n; i++)
			data[i] = *(const u64 *)(base + table[i].offset);
	} while (u64_stats_fetch_retry(syncp, start));
	return data + n;
}

static u8 *cdnavf_strings_put(u8 *p, const char *prefix,
			      const struct cdnavf_stat *table, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		ethtool_sprintf(&p, "%s%s", prefix, table[i].name);
	return p;
}

static void cdnavf_get_strings(struct net_device *netdev, u32 sset, u8 *data)
{
	struct cdnavf_adapter *adapter = netdev_priv(netdev);
	char prefix[ETH_GSTRING_LEN];
	unsigned int i;
	u8 *p = data;

	if (sset != ETH_SS_STATS)
		return;

	p = cdnavf_strings_put(p, "", cdnavf_global_stats_table,
			       ARRAY_SIZE(cdnavf_global_stats_table));
	for (i = 0; i < adapter->cfg.num_qp; i++) {
		snprintf(prefix, sizeof(prefix), "queue_%u_tx_", i);
		p = cdnavf_strings_put(p, prefix, cdnavf_tx_stats_table,
				       ARRAY_SIZE(cdnavf_tx_stats_table));
		p = cdnavf_strings_put(p, prefix, cdnavf_xmit_stats_table,
				       ARRAY_SIZE(cdnavf_xmit_stats_table));
		ethtool_sprintf(&p, "%sdev_drops", prefix);
		snprintf(prefix, sizeof(prefix), "queue_%u_rx_", i);
		p = cdnavf_strings_put(p, prefix, cdnavf_rx_stats_table,
				       ARRAY_SIZE(cdnavf_rx_stats_table));
		ethtool_sprintf(&p, "%sdev_drops", prefix);
		snprintf(prefix, sizeof(prefix), "queue_%u_", i);
		p = cdnavf_strings_put(p, prefix, cdnavf_irq_stats_table,
				       ARRAY_SIZE(cdnavf_irq_stats_table));
	}
}

static int cdnavf_get_sset_count(struct net_device *netdev, int sset)
{
	struct cdnavf_adapter *adapter = netdev_priv(netdev);

	if (sset != ETH_SS_STATS)
		return -EOPNOTSUPP;
	return ARRAY_SIZE(cdnavf_global_stats_table) +
	       adapter->cfg.num_qp * CDNAVF_QP_STATS_LEN;
}

/* The device's drop counter of queue @q; a register read, so a VM exit. */
static u64 cdnavf_dev_drops(struct cdnavf_adapter *adapter, u16 q)
{
	if (!test_bit(CDNAVF_FLAG_UP, &adapter->flags))
		return 0;
	return cdnavf_rd32(adapter, CDNA_REG_QUEUE(q, CDNA_QREG_DROPS));
}

static void cdnavf_get_ethtool_stats(struct net_device *netdev,
				     struct ethtool_stats *stats, u64 *data)
{
	struct cdnavf_adapter *adapter = netdev_priv(netdev);
	unsigned int i;

	ASSERT_RTNL();

	for (i = 0; i < ARRAY_SIZE(cdnavf_global_stats_table); i++)
		*data++ = *(const u64 *)((const void *)adapter +
					 cdnavf_global_stats_table[i].offset);

	for (i = 0; i < adapter->cfg.num_qp; i++) {
		const struct cdnavf_qp *qp = &adapter->qps[i];

		data = cdnavf_stats_copy(&qp->tx.tx_stats.syncp,
					 &qp->tx.tx_stats,
					 cdnavf_tx_stats_table,
					 ARRAY_SIZE(cdnavf_tx_stats_table),
					 data);
		data = cdnavf_stats_copy(&qp->tx.xmit_stats.syncp,
					 &qp->tx.xmit_stats,
					 cdnavf_xmit_stats_table,
					 ARRAY_SIZE(cdnavf_xmit_stats_table),
					 data);
		*data++ = cdnavf_dev_drops(adapter, qp->tx.qid);
		data = cdnavf_stats_copy(&qp->rx.rx_stats.syncp,
					 &qp->rx.rx_stats,
					 cdnavf_rx_stats_table,
					 ARRAY_SIZE(cdnavf_rx_stats_table),
					 data);
		*data++ = cdnavf_dev_drops(adapter, qp->rx.qid);
		data = cdnavf_stats_copy(&qp->irq_stats.syncp, &qp->irq_stats,
					 cdnavf_irq_stats_table,
					 ARRAY_SIZE(cdnavf_irq_stats_table),
					 data);
	}
}

static void cdnavf_get_drvinfo(struct net_device *netdev,
			       struct ethtool_drvinfo *info)
{
	struct cdnavf_adapter *adapter = netdev_priv(netdev);

	strscpy(info->driver, CDNAVF_DRV_NAME, sizeof(info->driver));
	strscpy(info->bus_info, pci_name(adapter->pdev),
		sizeof(info->bus_info));
	snprintf(info->fw_version, sizeof(info->fw_version), "abi %u.%u",
		 adapter->abi_version >> 16, adapter->abi_version & 0xffff);
}

static int cdnavf_get_link_ksettings(struct net_device *netdev,
				     struct ethtool_link_ksettings *cmd)
{
	struct cdnavf_adapter *adapter = netdev_priv(netdev);

	ethtool_link_ksettings_zero_link_mode(cmd, supported);
	ethtool_link_ksettings_zero_link_mode(cmd, advertising);
	cmd->base.port = PORT_OTHER;
	cmd->base.autoneg = AUTONEG_DISABLE;
	if (netif_carrier_ok(netdev)) {
		cmd->base.speed = adapter->link_speed;
		cmd->base.duplex = DUPLEX_FULL;
	} else {
		cmd->base.speed = SPEED_UNKNOWN;
		cmd->base.duplex = DUPLEX_UNKNOWN;
	}
	return 0;
}

static void cdnavf_get_ringparam(struct net_device *netdev,
				 struct ethtool_ringparam *ring,
				 struct kernel_ethtool_ringparam *kring,
				 struct netlink_ext_ack *extack)
{
	struct cdnavf_adapter *adapter = netdev_priv(netdev);

	ring->rx_max_pending = adapter->max_ring_size;
	ring->tx_max_pending = adapter->max_ring_size;
	ring->rx_pending = adapter->cfg.rx_ring_size;
	ring->tx_pending = adapter->cfg.tx_ring_size;
}

static int cdnavf_set_ringparam(struct net_device *netdev,
				struct ethtool_ringparam *ring,
				struct kernel_ethtool_ringparam *kring,
				struct netlink_ext_ack *extack)
{
	struct cdnavf_adapter *adapter = netdev_priv(netdev);
	struct cdnavf_config cfg = adapter->cfg;

	if (ring->rx_mini_pending || ring->rx_jumbo_pending)
		return -EINVAL;
	if (ring->rx_pending < CDNA_MIN_RING_SIZE ||
	    ring->rx_pending > adapter->max_ring_size ||
	    ring->tx_pending < CDNA_MIN_RING_SIZE ||
	    ring->tx_pending > adapter->max_ring_size) {
		NL_SET_ERR_MSG_MOD(extack, "ring size out of range");
		return -EINVAL;
	}

	/* The ABI wants powers of two; max_ring_size is one. */
	cfg.rx_ring_size = roundup_pow_of_two(ring->rx_pending);
	cfg.tx_ring_size = roundup_pow_of_two(ring->tx_pending);
	if (cfg.rx_ring_size == adapter->cfg.rx_ring_size &&
	    cfg.tx_ring_size == adapter->cfg.tx_ring_size)
		return 0;
	return cdnavf_reconfigure(adapter, &cfg);
}

static void cdnavf_get_channels(struct net_device *netdev,
				struct ethtool_channels *ch)
{
	struct cdnavf_adapter *adapter = netdev_priv(netdev);

	ch->max_combined = adapter->max_qp;
	ch->combined_count = adapter->cfg.num_qp;
	/* The control vector. */
	ch->max_other = 1;
	ch->other_count = 1;
}

static int cdnavf_set_channels(struct net_device *netdev,
			       struct ethtool_channels *ch)
{
	struct cdnavf_adapter *adapter = netdev_priv(netdev);
	struct cdnavf_config cfg = adapter->cfg;

	/* The core checked the counts against get_channels' maxima. */
	if (ch->rx_count || ch->tx_count || !ch->combined_count ||
	    ch->other_count != 1)
		return -EINVAL;
	if (ch->combined_count == adapter->cfg.num_qp)
		return 0;
	cfg.num_qp = ch->combined_count;
	return cdnavf_reconfigure(adapter, &cfg);
}

static int cdnavf_get_coalesce(struct net_device *netdev,
			       struct ethtool_coalesce *ec,
			       struct kernel_ethtool_coalesce *kec,
			       struct netlink_ext_ack *extack)
{
	struct cdnavf_adapter *adapter = netdev_priv(netdev);

	ec->rx_coalesce_usecs = adapter->rx_coal_usecs;
	ec->rx_max_coalesced_frames = adapter->rx_coal_frames;
	ec->tx_coalesce_usecs = adapter->tx_coal_usecs;
	ec->tx_max_coalesced_frames = adapter->tx_coal_frames;
	return 0;
}

static int cdnavf_set_coalesce(struct net_device *netdev,
			       struct ethtool_coalesce *ec,
			       struct kernel_ethtool_coalesce *kec,
			       struct netlink_ext_ack *extack)
{
	struct cdnavf_adapter *adapter = netdev_priv(netdev);

	if (!cdnavf_has(adapter, CDNA_F_IRQ_COAL)) {
		NL_SET_ERR_MSG_MOD(extack, "the device has no interrupt moderation");
		return -EOPNOTSUPP;
	}
	if (ec->rx_coalesce_usecs > adapter->max_coal_usecs ||
	    ec->tx_coalesce_usecs > adapter->max_coal_usecs) {
		NL_SET_ERR_MSG_MOD(extack, "delay above the device's maximum");
		return -EINVAL;
	}

	adapter->rx_coal_usecs = ec->rx_coalesce_usecs;
	adapter->rx_coal_frames = ec->rx_max_coalesced_frames;
	adapter->tx_coal_usecs = ec->tx_coalesce_usecs;
	adapter->tx_coal_frames = ec->tx_max_coalesced_frames;
	/* While down the device is reset; the bring-up writes them. */
	if (test_bit(CDNAVF_FLAG_UP, &adapter->flags))
		cdnavf_write_coalesce(adapter);
	return 0;
}

static const struct ethtool_ops cdnavf_ethtool_ops = {
	.supported_coalesce_params = ETHTOOL_COALESCE_USECS |
				     ETHTOOL_COALESCE_MAX_FRAMES,
	.get_drvinfo		= cdnavf_get_drvinfo,
	.get_link		= ethtool_op_get_link,
	.get_link_ksettings	= cdnavf_get_link_ksettings,
	.get_ringparam		= cdnavf_get_ringparam,
	.set_ringparam		= cdnavf_set_ringparam,
	.get_channels		= cdnavf_get_channels,
	.set_channels		= cdnavf_set_channels,
	.get_coalesce		= cdnavf_get_coalesce,
	.set_coalesce		= cdnavf_set_coalesce,
	.get_strings		= cdnavf_get_strings,
	.get_sset_count		= cdnavf_get_sset_count,
	.get_ethtool_stats	= cdnavf_get_ethtool_stats,
};

/**
 * cdnavf_set_ethtool_ops() - attach our ethtool operations
 * @netdev: our net_device
 */
void cdnavf_set_ethtool_ops(struct net_device *netdev)
{
	netdev->ethtool_ops = &cdnavf_ethtool_ops;
}
