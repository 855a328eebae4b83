// SPDX-License-Identifier: GPL-2.0
/*
 * cdna: debugfs - internals.
 *
 *   /sys/kernel/debug/cdna/totals          ro module-wide "name value" lines
 *       (pins, IOMMU domains and their guest pages): they outlive any NIC
 *   /sys/kernel/debug/cdna/<ifname>/       one directory per NIC
 *   /sys/kernel/debug/cdna/<ifname>/<uuid>/ one directory per context:
 *       mac    ro
 *       link   ro 0/1: the link the guest sees
 *       state  ro lifecycle state name
 *       stats  ro "name value" lines
 *
 * The control plane (attach, MAC, link, ...) is the generic netlink
 * family (netlink.c, cdnactl); nothing here changes state.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>

#include "cdna.h"

static struct dentry *cdna_debugfs_root;

static ssize_t cdna_debugfs_mac_read(struct file *file, char __user *ubuf,
				     size_t count, loff_t *ppos)
{
	struct cdna_ctx *ctx = file->private_data;
	char buf[32];
	int len;

	mutex_lock(&ctx->lock);
	len = scnprintf(buf, sizeof(buf), "%pM\n", ctx->mac);
	mutex_unlock(&ctx->lock);
	return simple_read_from_buffer(ubuf, count, ppos, buf, len);
}

static const struct file_operations cdna_debugfs_mac_fops = {
	.owner	= THIS_MODULE,
	.open	= simple_open,
	.read	= cdna_debugfs_mac_read,
	.llseek	= default_llseek,
};

static ssize_t cdna_debugfs_link_read(struct file *file, char __user *ubuf,
				      size_t count, loff_t *ppos)
{
	struct cdna_ctx *ctx = file->private_data;
	char buf[4];
	int len;

	len = scnprintf(buf, sizeof(buf), "%d\n", READ_ONCE(ctx->link_up));
	return simple_read_from_buffer(ubuf, count, ppos, buf, len);
}

static const struct file_operations cdna_debugfs_link_fops = {
	.owner	= THIS_MODULE,
	.open	= simple_open,
	.read	= cdna_debugfs_link_read,
	.llseek	= default_llseek,
};

/* Writing anything drops the kick page tracking (kick.c test hook). */
static ssize_t cdna_debugfs_kick_drop_write(struct file *file,
					    const char __user *ubuf,
					    size_t count, loff_t *ppos)
{
	int ret = cdna_kick_drop_tracking(file->private_data);

	return ret ? ret : count;
}

static const struct file_operations cdna_debugfs_kick_drop_fops = {
	.owner	= THIS_MODULE,
	.open	= simple_open,
	.write	= cdna_debugfs_kick_drop_write,
	.llseek	= default_llseek,
};

static int cdna_debugfs_state_show(struct seq_file *s, void *unused)
{
	struct cdna_ctx *ctx = s->private;

	seq_printf(s, "%s\n", cdna_ctx_state_name(READ_ONCE(ctx->state)));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(cdna_debugfs_state);

static void cdna_debugfs_queue_stats(struct seq_file *s, struct cdna_queue *q)
{
	struct cdna_queue_stats st;
	unsigned int i;

	cdna_eng_queue_stats(q, &st);

	seq_printf(s, "queue%u_enabled %d\n", q->index, READ_ONCE(q->enabled));
	seq_printf(s, "queue%u_packets %llu\n", q->index, st.packets);
	seq_printf(s, "queue%u_bytes %llu\n", q->index, st.bytes);
	seq_printf(s, "queue%u_kicks %llu\n", q->index, st.kicks);
	seq_printf(s, "queue%u_kick_page_kicks %lld\n", q->index,
		   (s64)atomic64_read(&q->kp_kicks));
	seq_printf(s, "queue%u_irqs %llu\n", q->index, st.irqs);
	for (i = 0; i < CDNA_DROP_MAX; i++)
		seq_printf(s, "queue%u_drop_%s %llu\n", q->index,
			   cdna_drop_names[i], st.drops[i]);
}

static int cdna_debugfs_stats_show(struct seq_file *s, void *unused)
{
	struct cdna_ctx *ctx = s->private;
	unsigned long flags;
	u32 status, cause, queue, ctrl;
	unsigned int i;
	s64 kp;

	mutex_lock(&ctx->lock);
	spin_lock_irqsave(&ctx->event_lock, flags);
	status = ctx->status | (ctx->needs_reset ? CDNA_STATUS_NEEDS_RESET : 0);
	cause = ctx->error_cause;
	queue = ctx->error_queue;
	ctrl = ctx->ctrl_cause;
	spin_unlock_irqrestore(&ctx->event_lock, flags);

	seq_printf(s, "state %s\n", cdna_ctx_state_name(ctx->state));
	seq_printf(s, "queue_pairs %u\n", ctx->nqp);
	seq_printf(s, "num_queue_pairs %u\n", ctx->num_qp);
	seq_printf(s, "status 0x%x\n", status);
	seq_printf(s, "error_cause %u\n", cause);
	seq_printf(s, "error_queue %d\n", (int)queue);
	seq_printf(s, "ctrl_cause 0x%x\n", ctrl);	/* not cleared here */
	seq_printf(s, "drv_features 0x%llx\n", ctx->drv_features);
	seq_printf(s, "link %d\n", ctx->link_up);
	seq_printf(s, "mtu %u\n", ctx->mtu);
	seq_printf(s, "resets %llu\n", ctx->resets);
	seq_printf(s, "migration %s\n", cdna_mig_state_name(ctx));
	seq_printf(s, "bad_reg_access %lld\n",
		   (s64)atomic64_read(&ctx->bad_reg_access));
	seq_printf(s, "kick_page_status %u\n", ctx->kick_status);
	seq_printf(s, "kick_page_rearms %llu\n", cdna_kick_rearms(ctx));
	for (i = 0, kp = 0; i < 2 * ctx->nqp; i++)
		kp += atomic64_read(&ctx->queues[i].kp_kicks);
	seq_printf(s, "kick_page_kicks %lld\n", kp);
	spin_lock_irqsave(&ctx->irq_lock, flags);
	for (i = 0; i < ctx->nvec; i++) {
		seq_printf(s, "irq_vector%u %llu\n", i, ctx->irqs[i].count);
		seq_printf(s, "irq_vector%u_lost %llu\n", i, ctx->irqs[i].lost);
		seq_printf(s, "irq_vector%u_trigger %d\n", i,
			   !!ctx->irqs[i].trigger);
	}
	seq_printf(s, "irq_request_trigger %d\n", !!ctx->req_trigger);
	spin_unlock_irqrestore(&ctx->irq_lock, flags);
	for (i = 0; i < 2 * ctx->nqp; i++)
		cdna_debugfs_queue_stats(s, &ctx->queues[i]);
	seq_printf(s, "pinned_pages %llu\n", ctx->protect->pinned_pages(ctx));
	seq_printf(s, "protect %s\n", ctx->protect->name);
	if (ctx->protect->show)
		ctx->protect->show(ctx, s);
	mutex_unlock(&ctx->lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(cdna_debugfs_stats);

/**
 * cdna_debugfs_ctx_add() - create a context's debugfs directory
 * @ctx: the context, registered; removed by cdna_debugfs_ctx_del()
 */
void cdna_debugfs_ctx_add(struct cdna_ctx *ctx)
{
	struct dentry *dir;

	dir = debugfs_create_dir(dev_name(mdev_dev(ctx->mdev)),
				 ctx->nic->debugfs);
	ctx->debugfs = dir;
	debugfs_create_file("mac", 0400, dir, ctx, &cdna_debugfs_mac_fops);
	debugfs_create_file("link", 0400, dir, ctx, &cdna_debugfs_link_fops);
	debugfs_create_file("state", 0400, dir, ctx,
			    &cdna_debugfs_state_fops);
	debugfs_create_file("stats", 0400, dir, ctx,
			    &cdna_debugfs_stats_fops);
	debugfs_create_file("kick_page_drop", 0200, dir, ctx,
			    &cdna_debugfs_kick_drop_fops);
}

/**
 * cdna_debugfs_ctx_del() - remove a context's debugfs directory
 * @ctx: the context
 *
 * Returns when no file operation on the directory runs any more.
 */
void cdna_debugfs_ctx_del(struct cdna_ctx *ctx)
{
	debugfs_remove(ctx->debugfs);
	ctx->debugfs = NULL;
}

/**
 * cdna_debugfs_nic_add() - create a NIC's debugfs directory
 * @nic: the NIC
 */
void cdna_debugfs_nic_add(struct cdna_nic *nic)
{
	nic->debugfs = debugfs_create_dir(nic->ifname, cdna_debugfs_root);
}

/**
 * cdna_debugfs_nic_rename() - give a NIC's debugfs directory the uplink's
 *	new name (nic->ifname)
 * @nic: the NIC
 *
 * A failure (a stale directory of that name) keeps the old name.
 */
void cdna_debugfs_nic_rename(struct cdna_nic *nic)
{
	struct dentry *d;

	if (IS_ERR_OR_NULL(nic->debugfs))
		return;
	d = debugfs_rename(cdna_debugfs_root, nic->debugfs, cdna_debugfs_root,
			   nic->ifname);
	if (IS_ERR(d))
		dev_dbg(&nic->dev, "debugfs directory not renamed: %ld\n",
			PTR_ERR(d));
}

/**
 * cdna_debugfs_nic_del() - remove a NIC's debugfs directory
 * @nic: the NIC
 */
void cdna_debugfs_nic_del(struct cdna_nic *nic)
{
	debugfs_remove(nic->debugfs);
	nic->debugfs = NULL;
}

static int cdna_debugfs_totals_show(struct seq_file *s, void *unused)
{
	unsigned long guest_pages;
	unsigned int domains;

	cdna_iommu_totals(&domains, &guest_pages);
	seq_printf(s, "pins_total %lld\n", cdna_pins_total_read());
	seq_printf(s, "iommu_domains %u\n", domains);
	seq_printf(s, "iommu_guest_pages %lu\n", guest_pages);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(cdna_debugfs_totals);

/**
 * cdna_debugfs_init() - create /sys/kernel/debug/cdna and its totals
 */
void cdna_debugfs_init(void)
{
	cdna_debugfs_root = debugfs_create_dir(CDNA_DRV_NAME, NULL);
	debugfs_create_file("totals", 0400, cdna_debugfs_root, NULL,
			    &cdna_debugfs_totals_fops);
}

/**
 * cdna_debugfs_exit() - remove /sys/kernel/debug/cdna
 */
void cdna_debugfs_exit(void)
{
	debugfs_remove(cdna_debugfs_root);
	cdna_debugfs_root = NULL;
}
