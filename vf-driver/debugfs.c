// SPDX-License-Identifier: GPL-2.0
/*
 * cdna_vf: debugfs - test-only fault injection.
 *
 *   /sys/kernel/debug/cdna_vf/<pci>/inject_ring_error
 *	write a queue pair number: publish a TX producer index beyond the
 *	ring and ring the doorbell.  The device must answer with a ring index
 *	error (NEEDS_RESET, vector 0 with CTRL_CAUSE_ERROR); the driver then
 *	resets and brings the function up again.  The error recovery path,
 *	end to end.
 *
 *   /sys/kernel/debug/cdna_vf/<pci>/kick_cost
 *	write N (1..100000): ring queue pair 0's TX doorbell N times through
 *	the BAR, then N times through the kick page if the device took one
 *	(no new descriptors: the device only wakes up); read back the mean
 *	cost of one in ns, "bar NS kick_page NS|-".  Measures what a kick
 *	costs the guest.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>

#include "cdna_vf.h"

static struct dentry *cdnavf_debugfs_root;

static ssize_t cdnavf_debugfs_inject_write(struct file *file,
					   const char __user *ubuf,
					   size_t count, loff_t *ppos)
{
	struct cdnavf_adapter *adapter = file->private_data;
	struct netdev_queue *txq;
	struct cdnavf_ring *ring;
	unsigned int qp;
	int err;

	err = kstrtouint_from_user(ubuf, count, 0, &qp);
	if (err)
		return err;

	rtnl_lock();
	if (!test_bit(CDNAVF_FLAG_UP, &adapter->flags) ||
	    qp >= adapter->cfg.num_qp) {
		rtnl_unlock();
		return -EINVAL;
	}
	ring = &adapter->qps[qp].tx;
	txq = netdev_get_tx_queue(adapter->netdev, qp);
	/* The producer side of the ring is ours under the queue lock. */
	__netif_tx_lock_bh(txq);
	WRITE_ONCE(ring->shm->drv.prod,
		   cpu_to_le32(ring->next_to_use + 2 * ring->size));
	/* writel orders the prod store before the doorbell. */
	writel(ring->next_to_use, ring->doorbell);
	__netif_tx_unlock_bh(txq);
	rtnl_unlock();

	netdev_warn(adapter->netdev, "debugfs: injected a bad producer index on TX queue %u\n",
		    ring->qid);
	return count;
}

static ssize_t cdnavf_debugfs_kick_cost_write(struct file *file,
					      const char __user *ubuf,
					      size_t count, loff_t *ppos)
{
	struct cdnavf_adapter *adapter = file->private_data;
	struct netdev_queue *txq;
	struct cdnavf_ring *ring;
	unsigned int n, i;
	u64 t0, t1, t2;
	int err;

	err = kstrtouint_from_user(ubuf, count, 0, &n);
	if (err)
		return err;
	if (!n || n > 100000)
		return -EINVAL;

	rtnl_lock();
	if (!test_bit(CDNAVF_FLAG_UP, &adapter->flags)) {
		rtnl_unlock();
		return -ENETDOWN;
	}
	ring = &adapter->qps[0].tx;
	txq = netdev_get_tx_queue(adapter->netdev, 0);
	__netif_tx_lock_bh(txq);
	t0 = ktime_get_ns();
	for (i = 0; i < n; i++)
		writel(ring->next_to_use, ring->doorbell);
	t1 = ktime_get_ns();
	for (i = 0; ring->kick && i < n; i++)
		WRITE_ONCE(*ring->kick, ring->next_to_use);
	t2 = ktime_get_ns();
	adapter->kick_cost_bar = div_u64(t1 - t0, n);
	adapter->kick_cost_page = ring->kick ? div_u64(t2 - t1, n) : 0;
	__netif_tx_unlock_bh(txq);
	rtnl_unlock();
	return count;
}

static ssize_t cdnavf_debugfs_kick_cost_read(struct file *file,
					     char __user *ubuf, size_t count,
					     loff_t *ppos)
{
	struct cdnavf_adapter *adapter = file->private_data;
	char buf[64];
	int len;

	if (adapter->kick_cost_page)
		len = scnprintf(buf, sizeof(buf), "bar %llu kick_page %llu\n",
				adapter->kick_cost_bar,
				adapter->kick_cost_page);
	else
		len = scnprintf(buf, sizeof(buf), "bar %llu kick_page -\n",
				adapter->kick_cost_bar);
	return simple_read_from_buffer(ubuf, count, ppos, buf, len);
}

static const struct file_operations cdnavf_debugfs_kick_cost_fops = {
	.owner	= THIS_MODULE,
	.open	= simple_open,
	.read	= cdnavf_debugfs_kick_cost_read,
	.write	= cdnavf_debugfs_kick_cost_write,
	.llseek	= CDNAVF_NO_LLSEEK,
};

static const struct file_operations cdnavf_debugfs_inject_fops = {
	.owner	= THIS_MODULE,
	.open	= simple_open,
	.write	= cdnavf_debugfs_inject_write,
	.llseek	= CDNAVF_NO_LLSEEK,
};

/**
 * cdnavf_debugfs_add() - create a function's debugfs directory
 * @adapter: the adapter; removed by cdnavf_debugfs_del()
 */
void cdnavf_debugfs_add(struct cdnavf_adapter *adapter)
{
	adapter->debugfs = debugfs_create_dir(pci_name(adapter->pdev),
					      cdnavf_debugfs_root);
	debugfs_create_file("inject_ring_error", 0200, adapter->debugfs,
			    adapter, &cdnavf_debugfs_inject_fops);
	debugfs_create_file("kick_cost", 0600, adapter->debugfs, adapter,
			    &cdnavf_debugfs_kick_cost_fops);
}

/**
 * cdnavf_debugfs_del() - remove a function's debugfs directory
 * @adapter: the adapter
 */
void cdnavf_debugfs_del(struct cdnavf_adapter *adapter)
{
	debugfs_remove_recursive(adapter->debugfs);
	adapter->debugfs = NULL;
}

/**
 * cdnavf_debugfs_init() - create /sys/kernel/debug/cdna_vf
 */
void cdnavf_debugfs_init(void)
{
	cdnavf_debugfs_root = debugfs_create_dir(CDNAVF_DRV_NAME, NULL);
}

/**
 * cdnavf_debugfs_exit() - remove /sys/kernel/debug/cdna_vf
 */
void cdnavf_debugfs_exit(void)
{
	debugfs_remove_recursive(cdnavf_debugfs_root);
}
