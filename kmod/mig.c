// SPDX-License-Identifier: GPL-2.0
/*
 * cdna: live migration of a context (VFIO migration v2).
 *
 * The VMM drives a state machine through VFIO_DEVICE_FEATURE_MIGRATION;
 * the VFIO core walks multi-step requests through the arcs below one at a
 * time (vfio_mig_get_next_state()) and calls cdna_mig_set_state() for each:
 *
 *   RUNNING -> RUNNING_P2P, RUNNING -> STOP
 *		quiesce: the engine stops (no DMA into guest memory, the
 *		context leaves the demux table: it stops steering), every
 *		completion written is published, armed moderation timers
 *		are cancelled and remembered as owed interrupts.  Rings stay
 *		mapped, descriptors read but not completed stay the guest's.
 *   RUNNING_P2P -> STOP, STOP -> RUNNING_P2P
 *		nothing: cdna does no peer-to-peer DMA, so both are stopped.
 *   STOP -> STOP_COPY
 *		the state is serialised (struct cdna_mig_header, ...) and
 *		handed out through a read-only stream file.
 *   STOP_COPY -> STOP	the save file stops answering.
 *   STOP -> RESUMING	a write-only stream file takes a state.
 *   RESUMING -> STOP	the state is validated, then applied: registers,
 *		config space, counters, RX buffer sizes, the enabled
 *		queues' rings mapped again at the saved indices, and the
 *		kick page tracked in this device's VM as a write of
 *		KICK_PAGE_LO does.  A version 1 stream is first widened to
 *		the current layout (no kick page, default RX buffer sizes).
 *		A refused stream leaves the context reset and usable, and
 *		the arc fails.
 *   STOP/RUNNING_P2P -> RUNNING
 *		the engine runs the context again (if the driver had it
 *		running) and owed interrupts are raised.
 *
 * The engine is reached only through its ops: ctx_stop (cdna_eng_ctx_stop())
 * to quiesce, ctx_start through cdna_regs_dma_update() to run again (which
 * does not start it while @quiesced is set), queue_enable for a restored
 * queue, which the ring library's cdna_queue_restore() then puts at its
 * saved indices.  State lives under ctx->lock; each stream file has its
 * own mutex for its buffer.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/crc32.h>
#include <linux/file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "cdna.h"

/* The STATUS bits a driver sets; NEEDS_RESET travels on its own. */
#define CDNA_MIG_STATUS_BITS	(CDNA_STATUS_ACKNOWLEDGE | CDNA_STATUS_DRIVER | \
				 CDNA_STATUS_FEATURES_OK | \
				 CDNA_STATUS_DRIVER_OK | CDNA_STATUS_FAILED)

static_assert(sizeof(struct cdna_mig_header) == 24);
static_assert(sizeof(struct cdna_mig_ctx) == 376);
static_assert(sizeof(struct cdna_mig_queue) == 208);
static_assert(offsetof(struct cdna_mig_ctx, kick_page) == CDNA_MIG_CTX_LEN_V1);
static_assert(offsetof(struct cdna_mig_queue, rx_buf_size) ==
	      CDNA_MIG_QUEUE_LEN_V1);
static_assert(CDNA_DROP_MAX <= CDNA_MIG_NUM_DROPS);
static_assert(CDNA_MAX_VECTORS <= 32);
static_assert(CDNA_MIG_CFG_LEN <= PCI_CFG_SPACE_SIZE);

/**
 * struct cdna_mig_file - one save or resume stream
 * @filp: the anon-inode file handed to the VMM
 * @ctx: the context (a reference through the VFIO device file, which the
 *	VFIO core keeps open while the stream file exists)
 * @lock: protects everything below
 * @disabled: the arc that owned the stream was left: read/write fail
 * @len: bytes in @buf (save: the whole state; resume: bytes written)
 * @size: bytes @buf holds
 * @buf: the serialised state
 */
struct cdna_mig_file {
	struct file *filp;
	struct cdna_ctx *ctx;
	struct mutex lock;	/* see above */
	bool disabled;
	size_t len;
	size_t size;
	u8 *buf;
};

static struct device *cdna_mig_dev(struct cdna_ctx *ctx)
{
	return mdev_dev(ctx->mdev);
}

/* Bytes of a context section, of a queue section, in a stream @version. */
static size_t cdna_mig_ctx_len(unsigned int version)
{
	return version == 1 ? CDNA_MIG_CTX_LEN_V1 : sizeof(struct cdna_mig_ctx);
}

static size_t cdna_mig_queue_len(unsigned int version)
{
	return version == 1 ? CDNA_MIG_QUEUE_LEN_V1 :
			      sizeof(struct cdna_mig_queue);
}

static size_t cdna_mig_stream_len(unsigned int version, unsigned int nqueues)
{
	return sizeof(struct cdna_mig_header) + cdna_mig_ctx_len(version) +
	       nqueues * cdna_mig_queue_len(version);
}

/**
 * cdna_mig_state_name() - printable VFIO migration state of a context
 * @ctx: the context; caller holds ctx->lock or reads a racy snapshot
 *
 * Return: "running", "stop", "stop_copy", "resuming", "running_p2p" or
 * "error".
 */
const char *cdna_mig_state_name(struct cdna_ctx *ctx)
{
	switch (READ_ONCE(ctx->mig.state)) {
	case VFIO_DEVICE_STATE_RUNNING:
		return "running";
	case VFIO_DEVICE_STATE_STOP:
		return "stop";
	case VFIO_DEVICE_STATE_STOP_COPY:
		return "stop_copy";
	case VFIO_DEVICE_STATE_RESUMING:
		return "resuming";
	case VFIO_DEVICE_STATE_RUNNING_P2P:
		return "running_p2p";
	default:
		return "error";
	}
}

/* ---------------------------------------------------------------- */
/* Stream files                                                      */
/* ---------------------------------------------------------------- */

static void cdna_mig_file_disable(struct cdna_mig_file *migf)
{
	mutex_lock(&migf->lock);
	migf->disabled = true;
	mutex_unlock(&migf->lock);
}

static int cdna_mig_file_release(struct inode *inode, struct file *filp)
{
	struct cdna_mig_file *migf = filp->private_data;

	mutex_destroy(&migf->lock);
	kvfree(migf->buf);
	kfree(migf);
	return 0;
}

static ssize_t cdna_mig_save_read(struct file *filp, char __user *buf,
				  size_t len, loff_t *pos)
{
	struct cdna_mig_file *migf = filp->private_data;
	ssize_t ret;

	if (pos)
		return -ESPIPE;
	pos = &filp->f_pos;

	mutex_lock(&migf->lock);
	if (migf->disabled) {
		ret = -ENODEV;
		goto out_unlock;
	}
	if (*pos >= migf->len) {
		ret = 0;	/* end of stream */
		goto out_unlock;
	}
	len = min_t(size_t, len, migf->len - *pos);
	if (copy_to_user(buf, migf->buf + *pos, len)) {
		ret = -EFAULT;
		goto out_unlock;
	}
	*pos += len;
	ret = len;
out_unlock:
	mutex_unlock(&migf->lock);
	return ret;
}

/* The header alone: refuse a foreign stream at its first bytes. */
static int cdna_mig_check_header(struct cdna_ctx *ctx,
				 const struct cdna_mig_header *h)
{
	u32 nq = le32_to_cpu(h->num_queues);
	u16 version = le16_to_cpu(h->version);

	if (le32_to_cpu(h->magic) != CDNA_MIG_MAGIC) {
		dev_warn(cdna_mig_dev(ctx), "migration stream refused: bad magic 0x%08x\n",
			 le32_to_cpu(h->magic));
		return -EINVAL;
	}
	if (version < CDNA_MIG_VERSION_MIN || version > CDNA_MIG_VERSION) {
		dev_warn(cdna_mig_dev(ctx), "migration stream refused: version %u, this cdna takes %u to %u\n",
			 version, CDNA_MIG_VERSION_MIN, CDNA_MIG_VERSION);
		return -EPROTONOSUPPORT;
	}
	if (le16_to_cpu(h->header_len) != sizeof(*h) || h->reserved) {
		dev_warn(cdna_mig_dev(ctx), "migration stream refused: malformed header\n");
		return -EINVAL;
	}
	if (nq != 2 * ctx->nqp) {
		dev_warn(cdna_mig_dev(ctx), "migration stream refused: %u queues, this function has %u\n",
			 nq, 2 * ctx->nqp);
		return -EINVAL;
	}
	if (le32_to_cpu(h->total_len) != cdna_mig_stream_len(version, nq)) {
		dev_warn(cdna_mig_dev(ctx), "migration stream refused: length %u, version %u expects %zu\n",
			 le32_to_cpu(h->total_len), version,
			 cdna_mig_stream_len(version, nq));
		return -EINVAL;
	}
	return 0;
}

static ssize_t cdna_mig_resume_write(struct file *filp, const char __user *buf,
				     size_t len, loff_t *pos)
{
	struct cdna_mig_file *migf = filp->private_data;
	ssize_t ret;

	if (pos)
		return -ESPIPE;
	pos = &filp->f_pos;

	mutex_lock(&migf->lock);
	if (migf->disabled) {
		ret = -ENODEV;
		goto out_unlock;
	}
	if (*pos < 0 || *pos > migf->len || len > migf->size - migf->len) {
		dev_warn(cdna_mig_dev(migf->ctx), "migration stream refused: longer than %zu bytes\n",
			 migf->size);
		ret = -EFBIG;
		goto out_unlock;
	}
	if (copy_from_user(migf->buf + migf->len, buf, len)) {
		ret = -EFAULT;
		goto out_unlock;
	}
	if (migf->len < sizeof(struct cdna_mig_header) &&
	    migf->len + len >= sizeof(struct cdna_mig_header)) {
		ret = cdna_mig_check_header(migf->ctx, (void *)migf->buf);
		if (ret)
			goto out_unlock;
	}
	migf->len += len;
	*pos += len;
	ret = len;
out_unlock:
	mutex_unlock(&migf->lock);
	return ret;
}

static const struct file_operations cdna_mig_save_fops = {
	.owner		= THIS_MODULE,
	.read		= cdna_mig_save_read,
	.release	= cdna_mig_file_release,
};

static const struct file_operations cdna_mig_resume_fops = {
	.owner		= THIS_MODULE,
	.write		= cdna_mig_resume_write,
	.release	= cdna_mig_file_release,
};

static struct cdna_mig_file *cdna_mig_file_new(struct cdna_ctx *ctx,
					       bool save)
{
	struct cdna_mig_file *migf;
	int ret;

	migf = kzalloc(sizeof(*migf), GFP_KERNEL_ACCOUNT);
	if (!migf)
		return ERR_PTR(-ENOMEM);
	migf->ctx = ctx;
	/* The current version's stream is the longest. */
	migf->size = cdna_mig_stream_len(CDNA_MIG_VERSION, 2 * ctx->nqp);
	migf->buf = kvzalloc(migf->size, GFP_KERNEL_ACCOUNT);
	if (!migf->buf) {
		ret = -ENOMEM;
		goto err_free_migf;
	}
	mutex_init(&migf->lock);
	migf->filp = anon_inode_getfile("cdna_mig", save ? &cdna_mig_save_fops :
					&cdna_mig_resume_fops, migf,
					save ? O_RDONLY : O_WRONLY);
	if (IS_ERR(migf->filp)) {
		ret = PTR_ERR(migf->filp);
		goto err_free_buf;
	}
	stream_open(migf->filp->f_inode, migf->filp);
	return migf;

err_free_buf:
	mutex_destroy(&migf->lock);
	kvfree(migf->buf);
err_free_migf:
	kfree(migf);
	return ERR_PTR(ret);
}

/* Disable and drop our reference to both stream files. */
static void cdna_mig_files_put(struct cdna_ctx *ctx)
{
	lockdep_assert_held(&ctx->lock);
	if (ctx->mig.save) {
		cdna_mig_file_disable(ctx->mig.save);
		fput(ctx->mig.save->filp);
		ctx->mig.save = NULL;
	}
	if (ctx->mig.resume) {
		cdna_mig_file_disable(ctx->mig.resume);
		fput(ctx->mig.resume->filp);
		ctx->mig.resume = NULL;
	}
}

/* ---------------------------------------------------------------- */
/* Quiesce and run                                                   */
/* ---------------------------------------------------------------- */

/* RUNNING -> stopped: nothing of the engine touches guest memory after. */
static void cdna_mig_quiesce(struct cdna_ctx *ctx)
{
	unsigned long flags;
	unsigned int i;

	lockdep_assert_held(&ctx->lock);
	ctx->mig.quiesced = true;
	ctx->mig.pending_vectors = 0;
	if (ctx->engine_started) {
		cdna_eng_ctx_stop(ctx);
		ctx->engine_started = false;
	}

	cdna_eng_lock(ctx);
	for (i = 0; i < 2 * ctx->nqp; i++) {
		struct cdna_queue *q = &ctx->queues[i];

		if (!q->running)
			continue;
		/* Completions written are published before the save. */
		cdna_queue_publish(q);
		if (hrtimer_cancel(&q->coal_timer) || q->coal_armed)
			ctx->mig.pending_vectors |=
				BIT(CDNA_MSIX_QP_VECTOR(q->index / 2));
		q->coal_armed = false;
		q->coal_count = 0;
		/* Descriptors read but not completed stay the guest's: the
		 * next reader (here or on the destination) reads them again.
		 */
		q->fetch = q->next_desc;
	}
	cdna_eng_unlock(ctx);

	spin_lock_irqsave(&ctx->irq_lock, flags);
	for (i = 0; i < ctx->nvec; i++)
		if (ctx->irqs[i].pending)
			ctx->mig.pending_vectors |= BIT(i);
	spin_unlock_irqrestore(&ctx->irq_lock, flags);
}

/* Stopped -> RUNNING: the engine runs again, owed interrupts are raised. */
static void cdna_mig_run(struct cdna_ctx *ctx)
{
	unsigned long pending = ctx->mig.pending_vectors;
	unsigned int v;

	lockdep_assert_held(&ctx->lock);
	ctx->mig.quiesced = false;
	ctx->mig.pending_vectors = 0;
	cdna_regs_dma_update(ctx);
	for_each_set_bit(v, &pending, ctx->nvec)
		cdna_irq_signal(ctx, v);
}

/* ---------------------------------------------------------------- */
/* Save                                                              */
/* ---------------------------------------------------------------- */

static void cdna_mig_save_queue(struct cdna_queue *q, struct cdna_mig_queue *m)
{
	struct cdna_queue_stats st = {};
	unsigned int i;

	m->desc = cpu_to_le64(q->cfg_desc);
	m->cpl = cpu_to_le64(q->cfg_cpl);
	m->shm = cpu_to_le64(q->cfg_shm);
	m->size = cpu_to_le32(q->cfg_size);
	m->flags = cpu_to_le32(q->enabled ? CDNA_MIG_Q_ENABLED : 0);
	m->next_desc = cpu_to_le32(q->enabled ? q->next_desc : 0);
	m->cons = cpu_to_le32(q->enabled ? q->cons : 0);
	cdna_eng_queue_stats(q, &st);
	m->packets = cpu_to_le64(st.packets);
	m->bytes = cpu_to_le64(st.bytes);
	m->irqs = cpu_to_le64(st.irqs);
	for (i = 0; i < CDNA_DROP_MAX; i++)
		m->drops[i] = cpu_to_le64(st.drops[i]);
	m->kicks = cpu_to_le64(atomic64_read(&q->kicks));
	m->rx_buf_size = cpu_to_le32(q->is_tx ? 0 : q->cfg_rx_buf);
}

static void cdna_mig_save(struct cdna_ctx *ctx, u8 *buf)
{
	struct cdna_mig_header *h = (void *)buf;
	struct cdna_mig_ctx *m = (void *)(h + 1);
	struct cdna_mig_queue *mq = (void *)(m + 1);
	size_t len = cdna_mig_stream_len(CDNA_MIG_VERSION, 2 * ctx->nqp);
	unsigned long flags;
	unsigned int i;
	u32 state;

	lockdep_assert_held(&ctx->lock);
	spin_lock_irqsave(&ctx->event_lock, flags);
	m->error_cause = cpu_to_le32(ctx->error_cause);
	m->error_queue = cpu_to_le32(ctx->error_queue);
	m->ctrl_cause = cpu_to_le32(ctx->ctrl_cause);
	m->needs_reset = ctx->needs_reset;
	spin_unlock_irqrestore(&ctx->event_lock, flags);
	/* An engine error whose work has not run yet is an error already. */
	if (m->needs_reset)
		state = CDNA_MIG_CTX_ERROR;
	else if (ctx->state == CDNA_CTX_RUNNING)
		state = CDNA_MIG_CTX_RUNNING;
	else
		state = CDNA_MIG_CTX_OPEN;
	m->dev_features = cpu_to_le64(ctx->dev_features);
	m->drv_features = cpu_to_le64(ctx->drv_features);
	m->status = cpu_to_le32(ctx->status);
	m->num_qp = cpu_to_le32(ctx->num_qp);
	m->mtu = cpu_to_le32(ctx->mtu);
	m->state = cpu_to_le32(state);
	for (i = 0; i < CDNA_COAL_MAX; i++)
		m->coal[i] = cpu_to_le32(ctx->coal[i]);
	m->pending_vectors = cpu_to_le32(ctx->mig.pending_vectors);
	ether_addr_copy(m->mac, ctx->mac);
	m->vlan = cpu_to_le16(ctx->vlan);
	m->link_up = READ_ONCE(ctx->link_up);
	m->bad_reg_access = cpu_to_le64(atomic64_read(&ctx->bad_reg_access));
	m->resets = cpu_to_le64(ctx->resets);
	m->tx_throttled = cpu_to_le64(atomic64_read(&ctx->tx_throttled));
	memcpy(m->cfg, ctx->cfg, CDNA_MIG_CFG_LEN);
	m->kick_page = cpu_to_le64(ctx->kick_addr);
	m->kick_status = cpu_to_le32(ctx->kick_status);

	/* The indices are the engine's: its exclusion, though it is stopped. */
	cdna_eng_lock(ctx);
	for (i = 0; i < 2 * ctx->nqp; i++)
		cdna_mig_save_queue(&ctx->queues[i], &mq[i]);
	cdna_eng_unlock(ctx);

	h->magic = cpu_to_le32(CDNA_MIG_MAGIC);
	h->version = cpu_to_le16(CDNA_MIG_VERSION);
	h->header_len = cpu_to_le16(sizeof(*h));
	h->total_len = cpu_to_le32(len);
	h->num_queues = cpu_to_le32(2 * ctx->nqp);
	h->reserved = 0;
	h->crc32 = cpu_to_le32(~crc32_le(~0U, buf + sizeof(*h),
					 len - sizeof(*h)));
}

/* ---------------------------------------------------------------- */
/* Resume                                                            */
/* ---------------------------------------------------------------- */

#define cdna_mig_refuse(ctx, err, fmt, ...)				\
	({								\
		dev_warn(cdna_mig_dev(ctx),				\
			 "migration stream refused: " fmt "\n",		\
			 ##__VA_ARGS__);				\
		(err);							\
	})

static int cdna_mig_check_queue(struct cdna_ctx *ctx, unsigned int i,
				const struct cdna_mig_queue *m, u32 num_qp,
				u64 drv, bool features_ok)
{
	u32 rx_buf = le32_to_cpu(m->rx_buf_size);
	u32 size = le32_to_cpu(m->size);
	u32 flags = le32_to_cpu(m->flags);
	u64 desc = le64_to_cpu(m->desc), cpl = le64_to_cpu(m->cpl);
	u64 shm = le64_to_cpu(m->shm);
	size_t dsize = i & 1 ? sizeof(struct cdna_tx_desc) :
			       sizeof(struct cdna_rx_desc);

	if (flags & ~CDNA_MIG_Q_ENABLED || m->reserved)
		return cdna_mig_refuse(ctx, -EINVAL, "queue %u: unknown flags 0x%x",
				       i, flags);
	/* As a write of RX_BUF_SIZE would set it, else not possible here. */
	if (rx_buf && ((i & 1) || !(drv & BIT_ULL(CDNA_F_RX_BUF_SIZE))))
		return cdna_mig_refuse(ctx, -EINVAL,
				       "queue %u: an RX buffer size without RX_BUF_SIZE on an RX queue",
				       i);
	if (rx_buf && cdna_regs_rx_buf_take(ctx, rx_buf) != rx_buf)
		return cdna_mig_refuse(ctx, -ERANGE,
				       "queue %u: RX buffer size %u, not one the %s backend takes",
				       i, rx_buf, cdna_eng_ops(ctx)->name);
	if (!(flags & CDNA_MIG_Q_ENABLED)) {
		if (m->next_desc || m->cons)
			return cdna_mig_refuse(ctx, -EINVAL,
					       "queue %u: indices of a disabled queue", i);
		return 0;
	}
	if (!features_ok || i >= 2 * num_qp)
		return cdna_mig_refuse(ctx, -EINVAL,
				       "queue %u enabled in a state that allows none", i);
	if (!is_power_of_2(size) || size < CDNA_MIN_RING_SIZE ||
	    size > CDNA_MAX_RING_SIZE)
		return cdna_mig_refuse(ctx, -EINVAL, "queue %u: ring size %u",
				       i, size);
	if (!IS_ALIGNED(desc, 64) || !IS_ALIGNED(cpl, 64) ||
	    !IS_ALIGNED(shm, sizeof(struct cdna_queue_shm)) ||
	    desc + (u64)size * dsize < desc ||
	    cpl + (u64)size * sizeof(struct cdna_cpl) < cpl ||
	    shm + sizeof(struct cdna_queue_shm) < shm)
		return cdna_mig_refuse(ctx, -EINVAL, "queue %u: ring addresses",
				       i);
	return 0;
}

/* The kick page as the driver left it: what a register write allows. */
static int cdna_mig_check_kick(struct cdna_ctx *ctx,
			       const struct cdna_mig_ctx *m)
{
	u64 gpa = le64_to_cpu(m->kick_page);
	u32 st = le32_to_cpu(m->kick_status);
	bool usable = (le64_to_cpu(m->drv_features) & BIT_ULL(CDNA_F_KICK_PAGE)) &&
		      (le32_to_cpu(m->status) & CDNA_STATUS_FEATURES_OK);

	if (st > CDNA_KICK_PAGE_BAD_ADDR)
		return cdna_mig_refuse(ctx, -EINVAL, "kick page status %u", st);
	if (!usable && (gpa || st != CDNA_KICK_PAGE_OFF))
		return cdna_mig_refuse(ctx, -EINVAL,
				       "a kick page without KICK_PAGE and FEATURES_OK");
	if (st != CDNA_KICK_PAGE_OFF && !gpa)
		return cdna_mig_refuse(ctx, -EINVAL,
				       "kick page status %u at address 0", st);
	if (st == CDNA_KICK_PAGE_ON && !IS_ALIGNED(gpa, CDNA_KICK_PAGE_SIZE))
		return cdna_mig_refuse(ctx, -EINVAL, "kick page address %#llx",
				       gpa);
	return 0;
}

/* The stream as written: header, length, CRC. */
static int cdna_mig_check_stream(struct cdna_ctx *ctx, const u8 *buf,
				 size_t len)
{
	const struct cdna_mig_header *h = (const void *)buf;
	int ret;

	if (len < sizeof(*h))
		return cdna_mig_refuse(ctx, -EINVAL, "%zu bytes, no header", len);
	ret = cdna_mig_check_header(ctx, h);
	if (ret)
		return ret;
	if (len != le32_to_cpu(h->total_len))
		return cdna_mig_refuse(ctx, -EINVAL, "truncated: %zu of %u bytes",
				       len, le32_to_cpu(h->total_len));
	if (le32_to_cpu(h->crc32) !=
	    ~crc32_le(~0U, buf + sizeof(*h), len - sizeof(*h)))
		return cdna_mig_refuse(ctx, -EBADMSG, "CRC mismatch");
	return 0;
}

/*
 * A checked version 1 stream in the current layout, the fields version 2
 * appended 0 (no kick page, the default RX buffer sizes); NULL without
 * memory.
 */
static u8 *cdna_mig_widen(struct cdna_ctx *ctx, const u8 *buf)
{
	unsigned int i, nq = 2 * ctx->nqp;
	const u8 *from;
	u8 *img, *to;

	img = kvzalloc(cdna_mig_stream_len(CDNA_MIG_VERSION, nq),
		       GFP_KERNEL_ACCOUNT);
	if (!img)
		return NULL;
	memcpy(img, buf, sizeof(struct cdna_mig_header));
	from = buf + sizeof(struct cdna_mig_header);
	to = img + sizeof(struct cdna_mig_header);
	memcpy(to, from, CDNA_MIG_CTX_LEN_V1);
	from += CDNA_MIG_CTX_LEN_V1;
	to += sizeof(struct cdna_mig_ctx);
	for (i = 0; i < nq; i++) {
		memcpy(to, from, CDNA_MIG_QUEUE_LEN_V1);
		from += CDNA_MIG_QUEUE_LEN_V1;
		to += sizeof(struct cdna_mig_queue);
	}
	return img;
}

/*
 * The contents of a checked stream in the current layout.  Everything is
 * checked before anything changes.
 */
static int cdna_mig_check_state(struct cdna_ctx *ctx, const u8 *buf)
{
	const struct cdna_mig_header *h = (const void *)buf;
	const struct cdna_mig_ctx *m = (const void *)(h + 1);
	const struct cdna_mig_queue *mq = (const void *)(m + 1);
	u64 drv = le64_to_cpu(m->drv_features);
	u32 status = le32_to_cpu(m->status);
	u32 num_qp = le32_to_cpu(m->num_qp);
	u32 state = le32_to_cpu(m->state);
	u32 mtu = le32_to_cpu(m->mtu);
	bool running, error;
	unsigned int i;
	int ret;

	if (!ether_addr_equal(m->mac, ctx->mac))
		return cdna_mig_refuse(ctx, -EINVAL, "MAC %pM, this context has %pM",
				       m->mac, ctx->mac);
	if (le16_to_cpu(m->vlan) != ctx->vlan)
		dev_info(cdna_mig_dev(ctx), "migration: VLAN %u on the source, %u here\n",
			 le16_to_cpu(m->vlan), ctx->vlan);
	/* Vendor and device ID: the same kind of function. */
	if (memcmp(m->cfg, ctx->cfg, PCI_COMMAND))
		return cdna_mig_refuse(ctx, -EINVAL, "another PCI function (IDs)");
	if (le64_to_cpu(m->dev_features) & ~ctx->dev_features ||
	    drv & ~ctx->dev_features)
		return cdna_mig_refuse(ctx, -EOPNOTSUPP,
				       "features 0x%llx not offered here",
				       (le64_to_cpu(m->dev_features) | drv) &
				       ~ctx->dev_features);
	if (status & ~CDNA_MIG_STATUS_BITS)
		return cdna_mig_refuse(ctx, -EINVAL, "STATUS 0x%x", status);
	if (!num_qp || num_qp > ctx->nqp)
		return cdna_mig_refuse(ctx, -EINVAL, "%u queue pairs", num_qp);
	if (mtu < CDNA_MIN_MTU || mtu > ctx->max_mtu)
		return cdna_mig_refuse(ctx, -ERANGE, "MTU %u, at most %u here",
				       mtu, ctx->max_mtu);
	running = state == CDNA_MIG_CTX_RUNNING;
	error = state == CDNA_MIG_CTX_ERROR;
	if (state > CDNA_MIG_CTX_ERROR || error != !!m->needs_reset ||
	    running != ((status & CDNA_STATUS_DRIVER_OK) && !m->needs_reset))
		return cdna_mig_refuse(ctx, -EINVAL, "state %u with STATUS 0x%x",
				       state, status);
	if (m->needs_reset > 1 || m->link_up > 1 ||
	    memchr_inv(m->reserved, 0, sizeof(m->reserved)) || m->reserved2 ||
	    le32_to_cpu(m->pending_vectors) & ~GENMASK(ctx->nvec - 1, 0))
		return cdna_mig_refuse(ctx, -EINVAL, "malformed context section");
	for (i = 0; i < CDNA_COAL_MAX; i++)
		if (le32_to_cpu(m->coal[i]) >
		    (i == CDNA_COAL_RX_USECS || i == CDNA_COAL_TX_USECS ?
		     CDNA_MAX_COAL_USECS : CDNA_MAX_COAL_FRAMES))
			return cdna_mig_refuse(ctx, -ERANGE, "coalescing %u", i);
	ret = cdna_mig_check_kick(ctx, m);
	if (ret)
		return ret;

	for (i = 0; i < 2 * ctx->nqp; i++) {
		ret = cdna_mig_check_queue(ctx, i, &mq[i], num_qp, drv,
					   status & CDNA_STATUS_FEATURES_OK);
		if (ret)
			return ret;
	}
	return 0;
}

static void cdna_mig_load_queue_stats(struct cdna_queue *q,
				      const struct cdna_mig_queue *m)
{
	unsigned int i;

	u64_stats_update_begin(&q->stats.syncp);
	q->stats.packets = le64_to_cpu(m->packets);
	q->stats.bytes = le64_to_cpu(m->bytes);
	q->stats.irqs = le64_to_cpu(m->irqs);
	for (i = 0; i < CDNA_DROP_MAX; i++)
		q->stats.drops[i] = le64_to_cpu(m->drops[i]);
	u64_stats_update_end(&q->stats.syncp);
	atomic64_set(&q->kicks, le64_to_cpu(m->kicks));
}

/*
 * The kick page: the address registers as they were; an address the
 * driver had applied is applied here once more, as its KICK_PAGE_LO write
 * does, in the VM that holds this device.  Tracking that fails here leaves the
 * context as that write does: KICK_PAGE_STATUS says so, the BAR
 * doorbells work.
 */
static void cdna_mig_load_kick(struct cdna_ctx *ctx,
			       const struct cdna_mig_ctx *m)
{
	u32 st = le32_to_cpu(m->kick_status);

	lockdep_assert_held(&ctx->lock);
	ctx->kick_addr = le64_to_cpu(m->kick_page);
	if (st == CDNA_KICK_PAGE_OFF)
		return;
	cdna_kick_set(ctx, ctx->kick_addr);
	if (st == CDNA_KICK_PAGE_ON && ctx->kick_status != CDNA_KICK_PAGE_ON)
		dev_warn(cdna_mig_dev(ctx), "migration: kick page %#llx not tracked here (KICK_PAGE_STATUS %u): doorbells only through the BAR\n",
			 ctx->kick_addr, ctx->kick_status);
}

/* Apply a checked state to a context just reset; 0 or a ring's error. */
static int cdna_mig_load(struct cdna_ctx *ctx, const u8 *buf)
{
	const struct cdna_mig_header *h = (const void *)buf;
	const struct cdna_mig_ctx *m = (const void *)(h + 1);
	const struct cdna_mig_queue *mq = (const void *)(m + 1);
	u32 state = le32_to_cpu(m->state);
	unsigned long flags;
	unsigned int i;
	int ret;

	lockdep_assert_held(&ctx->lock);
	ctx->drv_features = le64_to_cpu(m->drv_features);
	ctx->status = le32_to_cpu(m->status);
	ctx->num_qp = le32_to_cpu(m->num_qp);
	WRITE_ONCE(ctx->mtu, le32_to_cpu(m->mtu));
	for (i = 0; i < CDNA_COAL_MAX; i++)
		WRITE_ONCE(ctx->coal[i], le32_to_cpu(m->coal[i]));
	/* Writable config bits from the source, the rest is ours. */
	for (i = 0; i < CDNA_MIG_CFG_LEN; i++)
		ctx->cfg[i] = (ctx->cfg[i] & ~ctx->cfg_wmask[i]) |
			      (m->cfg[i] & ctx->cfg_wmask[i]);
	atomic64_set(&ctx->bad_reg_access, le64_to_cpu(m->bad_reg_access));
	ctx->resets = le64_to_cpu(m->resets);
	atomic64_set(&ctx->tx_throttled, le64_to_cpu(m->tx_throttled));

	spin_lock_irqsave(&ctx->event_lock, flags);
	ctx->needs_reset = m->needs_reset;
	ctx->error_cause = le32_to_cpu(m->error_cause);
	ctx->error_queue = le32_to_cpu(m->error_queue);
	ctx->ctrl_cause = le32_to_cpu(m->ctrl_cause);
	/* The link here may not be the one the guest saw: tell it. */
	if (!!m->link_up != READ_ONCE(ctx->link_up))
		ctx->ctrl_cause |= CDNA_CTRL_CAUSE_LINK;
	spin_unlock_irqrestore(&ctx->event_lock, flags);
	ctx->mig.pending_vectors = le32_to_cpu(m->pending_vectors);
	if (!!m->link_up != READ_ONCE(ctx->link_up))
		ctx->mig.pending_vectors |= BIT(CDNA_MSIX_CTRL_VECTOR);

	for (i = 0; i < 2 * ctx->nqp; i++) {
		struct cdna_queue *q = &ctx->queues[i];
		const struct cdna_mig_queue *qm = &mq[i];

		q->cfg_desc = le64_to_cpu(qm->desc);
		q->cfg_cpl = le64_to_cpu(qm->cpl);
		q->cfg_shm = le64_to_cpu(qm->shm);
		q->cfg_size = le32_to_cpu(qm->size);
		q->cfg_rx_buf = le32_to_cpu(qm->rx_buf_size);
		cdna_mig_load_queue_stats(q, qm);
		if (!(le32_to_cpu(qm->flags) & CDNA_MIG_Q_ENABLED))
			continue;
		ret = cdna_eng_queue_enable(q);
		if (!ret) {
			/* Not processed before the context runs. */
			cdna_eng_lock(ctx);
			cdna_queue_restore(q, le32_to_cpu(qm->next_desc),
					   le32_to_cpu(qm->cons));
			cdna_eng_unlock(ctx);
		}
		if (ret) {
			dev_warn(cdna_mig_dev(ctx), "migration stream refused: queue %u rings not in the VM's DMA memory (%d)\n",
				 i, ret);
			return ret;
		}
		/* The ring mapping before the flag, as vf_regs.c does. */
		smp_store_release(&q->enabled, true);
		/* Whatever the source owed, and a look at every ring. */
		ctx->mig.pending_vectors |= BIT(CDNA_MSIX_QP_VECTOR(i / 2));
	}

	cdna_mig_load_kick(ctx, m);
	if (state == CDNA_MIG_CTX_RUNNING)
		cdna_ctx_set_state(ctx, CDNA_CTX_RUNNING);
	else if (state == CDNA_MIG_CTX_ERROR)
		cdna_ctx_set_state(ctx, CDNA_CTX_ERROR);
	return 0;
}

/* RESUMING -> STOP: validate the stream written, then apply it. */
static int cdna_mig_resume(struct cdna_ctx *ctx)
{
	struct cdna_mig_file *migf = ctx->mig.resume;
	const struct cdna_mig_header *h = (const void *)migf->buf;
	u8 *img;
	int ret;

	lockdep_assert_held(&ctx->lock);
	mutex_lock(&migf->lock);
	ret = cdna_mig_check_stream(ctx, migf->buf, migf->len);
	if (ret)
		goto out_unlock;
	img = migf->buf;
	if (le16_to_cpu(h->version) == 1) {
		img = cdna_mig_widen(ctx, migf->buf);
		if (!img) {
			ret = -ENOMEM;
			goto out_unlock;
		}
	}
	ret = cdna_mig_check_state(ctx, img);
	if (!ret) {
		/* From a clean function: the destination may have run. */
		cdna_ctx_reset(ctx);
		ret = cdna_mig_load(ctx, img);
		if (ret)
			cdna_ctx_reset(ctx);
	}
	if (img != migf->buf)
		kvfree(img);
out_unlock:
	mutex_unlock(&migf->lock);
	return ret;
}

/* ---------------------------------------------------------------- */
/* The state machine                                                 */
/* ---------------------------------------------------------------- */

static struct file *cdna_mig_step(struct cdna_ctx *ctx,
				  enum vfio_device_mig_state next)
{
	enum vfio_device_mig_state cur = ctx->mig.state;
	struct cdna_mig_file *migf;
	int ret;

	if (cur == VFIO_DEVICE_STATE_RUNNING &&
	    (next == VFIO_DEVICE_STATE_RUNNING_P2P ||
	     next == VFIO_DEVICE_STATE_STOP)) {
		cdna_mig_quiesce(ctx);
		ctx->mig.saved = false;
		cdna_nl_event(ctx, CDNA_EVENT_MIG_START);
		return NULL;
	}
	if ((cur == VFIO_DEVICE_STATE_RUNNING_P2P &&
	     next == VFIO_DEVICE_STATE_STOP) ||
	    (cur == VFIO_DEVICE_STATE_STOP &&
	     next == VFIO_DEVICE_STATE_RUNNING_P2P))
		return NULL;
	if ((cur == VFIO_DEVICE_STATE_STOP ||
	     cur == VFIO_DEVICE_STATE_RUNNING_P2P) &&
	    next == VFIO_DEVICE_STATE_RUNNING) {
		if (ctx->mig.saved)
			/* The state left but the VM runs here: cancelled. */
			cdna_nl_event(ctx, CDNA_EVENT_MIG_FAILED);
		ctx->mig.saved = false;
		cdna_mig_run(ctx);
		return NULL;
	}
	if (cur == VFIO_DEVICE_STATE_STOP &&
	    next == VFIO_DEVICE_STATE_STOP_COPY) {
		migf = cdna_mig_file_new(ctx, true);
		if (IS_ERR(migf))
			return ERR_CAST(migf);
		cdna_mig_save(ctx, migf->buf);
		migf->len = migf->size;
		get_file(migf->filp);
		ctx->mig.save = migf;
		ctx->mig.saves++;
		return migf->filp;
	}
	if (cur == VFIO_DEVICE_STATE_STOP_COPY &&
	    next == VFIO_DEVICE_STATE_STOP) {
		cdna_mig_files_put(ctx);
		ctx->mig.saved = true;
		cdna_nl_event(ctx, CDNA_EVENT_MIG_DONE);
		return NULL;
	}
	if (cur == VFIO_DEVICE_STATE_STOP &&
	    next == VFIO_DEVICE_STATE_RESUMING) {
		migf = cdna_mig_file_new(ctx, false);
		if (IS_ERR(migf))
			return ERR_CAST(migf);
		get_file(migf->filp);
		ctx->mig.resume = migf;
		/* MIG_START was sent when the context left RUNNING. */
		return migf->filp;
	}
	if (cur == VFIO_DEVICE_STATE_RESUMING &&
	    next == VFIO_DEVICE_STATE_STOP) {
		ret = cdna_mig_resume(ctx);
		cdna_mig_files_put(ctx);
		if (ret) {
			ctx->mig.failures++;
			cdna_nl_event(ctx, CDNA_EVENT_MIG_FAILED);
			return ERR_PTR(ret);
		}
		ctx->mig.resumes++;
		cdna_nl_event(ctx, CDNA_EVENT_MIG_DONE);
		return NULL;
	}
	/* vfio_mig_get_next_state() hands out no other arc. */
	WARN_ON_ONCE(1);
	return ERR_PTR(-EINVAL);
}

static struct file *
cdna_mig_set_state(struct vfio_device *vdev,
		   enum vfio_device_mig_state new_state)
{
	struct cdna_ctx *ctx = cdna_vdev_to_ctx(vdev);
	enum vfio_device_mig_state next;
	struct file *res = NULL;
	int ret;

	mutex_lock(&ctx->lock);
	while (ctx->mig.state != new_state) {
		ret = vfio_mig_get_next_state(vdev, ctx->mig.state, new_state,
					      &next);
		if (ret) {
			res = ERR_PTR(ret);
			break;
		}
		res = cdna_mig_step(ctx, next);
		if (IS_ERR(res)) {
			/* The resume arc leaves a reset, stopped context. */
			if (ctx->mig.state == VFIO_DEVICE_STATE_RESUMING)
				ctx->mig.state = VFIO_DEVICE_STATE_STOP;
			break;
		}
		ctx->mig.state = next;
		if (res && next != new_state) {
			/* A stream file only at the end of the request. */
			fput(res);
			res = ERR_PTR(-EINVAL);
			break;
		}
	}
	mutex_unlock(&ctx->lock);
	return res;
}

static int cdna_mig_get_state(struct vfio_device *vdev,
			      enum vfio_device_mig_state *state)
{
	struct cdna_ctx *ctx = cdna_vdev_to_ctx(vdev);

	mutex_lock(&ctx->lock);
	*state = ctx->mig.state;
	mutex_unlock(&ctx->lock);
	return 0;
}

/*
 * The length of the stream STOP_COPY would write: what the VMM counts as
 * the device's share of the downtime.
 */
static size_t cdna_mig_data_size(struct cdna_ctx *ctx)
{
	return cdna_mig_stream_len(CDNA_MIG_VERSION, 2 * ctx->nqp);
}

#ifdef CDNA_HAVE_MIG_GET_DATA_SIZE
static int cdna_mig_get_data_size(struct vfio_device *vdev,
				  unsigned long *stop_copy_length)
{
	*stop_copy_length = cdna_mig_data_size(cdna_vdev_to_ctx(vdev));
	return 0;
}
#else
/**
 * cdna_mig_device_feature() - the VFIO device features the core lacks
 * @vdev: the context's VFIO device
 * @flags: the feature and its GET/SET/PROBE bits
 * @arg: the feature's data, in userspace
 * @argsz: its length
 *
 * Before 6.3 the VFIO core does not know VFIO_DEVICE_FEATURE_MIG_DATA_SIZE
 * and hands it to the driver. Without an answer QEMU counts 100 MiB of
 * device state towards the downtime of every migration, and a guest that
 * dirties its memory at any rate never gets below QEMU's downtime limit.
 * So answer it as the later core does, from the stream's length.
 *
 * Return: 0 (also for a PROBE of GET), -ENOTTY for any other feature, or
 * the errno of a malformed request.
 */
int cdna_mig_device_feature(struct vfio_device *vdev, u32 flags,
			    void __user *arg, size_t argsz)
{
	struct vfio_device_feature_mig_data_size size = {};
	int ret;

	if ((flags & VFIO_DEVICE_FEATURE_MASK) !=
	    VFIO_DEVICE_FEATURE_MIG_DATA_SIZE)
		return -ENOTTY;
	ret = vfio_check_feature(flags, argsz, VFIO_DEVICE_FEATURE_GET,
				 sizeof(size));
	if (ret != 1)
		return ret;
	size.stop_copy_length = cdna_mig_data_size(cdna_vdev_to_ctx(vdev));
	if (copy_to_user(arg, &size, sizeof(size)))
		return -EFAULT;
	return 0;
}
#endif

static const struct vfio_migration_ops cdna_mig_ops = {
	.migration_set_state	= cdna_mig_set_state,
	.migration_get_state	= cdna_mig_get_state,
#ifdef CDNA_HAVE_MIG_GET_DATA_SIZE
	.migration_get_data_size = cdna_mig_get_data_size,
#endif
};

/**
 * cdna_mig_init() - offer migration on a new context's VFIO device
 * @ctx: the context, before its VFIO device is registered
 *
 * STOP_COPY and P2P.  The VM starts in RUNNING.
 */
void cdna_mig_init(struct cdna_ctx *ctx)
{
	ctx->vdev.migration_flags = VFIO_MIGRATION_STOP_COPY |
				    VFIO_MIGRATION_P2P;
	ctx->vdev.mig_ops = &cdna_mig_ops;
	ctx->mig.state = VFIO_DEVICE_STATE_RUNNING;
}

/**
 * cdna_mig_reset() - back to RUNNING (device reset, open, close)
 * @ctx: the context; caller holds ctx->lock
 *
 * Drops the stream files (the VMM's ends read or write nothing more) and
 * lets the engine run the context again; as VFIO_DEVICE_RESET requires,
 * the migration state is RUNNING afterwards.
 */
void cdna_mig_reset(struct cdna_ctx *ctx)
{
	lockdep_assert_held(&ctx->lock);
	cdna_mig_files_put(ctx);
	ctx->mig.quiesced = false;
	ctx->mig.saved = false;
	ctx->mig.pending_vectors = 0;
	ctx->mig.state = VFIO_DEVICE_STATE_RUNNING;
}
