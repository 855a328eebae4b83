// SPDX-License-Identifier: GPL-2.0
/*
 * cdna engine, receive side: frames for a context, from the uplink or from
 * another context, into the guest's posted buffers.
 *
 * The uplink's rx_handler (softirq) demultiplexes by destination MAC and
 * VLAN with an RCU lookup: a context's unicast is queued to one of its RX
 * queues (hashed over the running ones) and consumed; broadcast and
 * multicast are cloned to every started context on the VLAN and also passed
 * to the host stack; anything else is passed to the host stack, which keeps
 * using the uplink.  Queues are bounded (CDNA_RX_BACKLOG skbs and
 * rx_backlog_bytes of truesize): a guest that posts no buffers costs drops
 * (CDNA_DROP_NO_RXBUF), never host memory.  The bound covers every skb the
 * queue holds, from the enqueue until it is delivered or freed: the
 * backlog, the frame in hand and the segments of a frame the engine
 * segmented (each skb is charged before it is queued; cdna_rx_charge()).
 *
 * The engine thread copies each frame into guest buffers (copy on receive,
 * Menon'06: cheaper than remapping), several buffers for a large frame.  A
 * coalesced TCP frame goes whole to a guest that acked RX_GSO (with its
 * checksum state); otherwise it is segmented first.
 *
 * Buffers are read once into host copies kept by ring position
 * (cdna_queue_rxd()), and every completion consumes buffers from the first
 * one not yet completed: a frame that used fewer buffers than were read
 * (a frame dropped because it needs more than CDNA_MAX_RX_FRAGS, a frame
 * segmented, a bad buffer) leaves the others, still unchecked, to the next
 * frame.  An error completion ends at the buffer that failed.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/highmem.h>
#include <linux/if_vlan.h>
#include <linux/module.h>
#include <net/netfilter/nf_conntrack.h>

#include "sw.h"

static unsigned int cdna_rx_backlog_bytes = 4 << 20;
static struct cdna_param_uint cdna_rx_backlog_bytes_param = {
	.val = &cdna_rx_backlog_bytes, .min = 256 << 10, .max = 1U << 30,
};
module_param_cb(rx_backlog_bytes, &cdna_param_uint_ops,
		&cdna_rx_backlog_bytes_param, 0644);
MODULE_PARM_DESC(rx_backlog_bytes,
		 "Bytes (truesize) an RX queue holds for its guest at most (256 KiB..1 GiB)");

/* What an skb on rx_backlog or rx_pending was charged (its truesize then). */
struct cdna_rx_cb {
	u32 charge;
};

static struct cdna_rx_cb *cdna_rx_cb(struct sk_buff *skb)
{
	BUILD_BUG_ON(sizeof(struct cdna_rx_cb) > sizeof_field(struct sk_buff, cb));
	return (struct cdna_rx_cb *)skb->cb;
}

/*
 * Charge @nskb skbs of @bytes truesize in all to @q, or nothing if either
 * bound would be exceeded.  Any context: the enqueue path and the engine
 * charge concurrently, so each counter is reserved by compare-and-swap and
 * never goes past its bound.
 */
static bool cdna_rx_charge(struct cdna_queue *q, unsigned int nskb,
			   unsigned int bytes)
{
	u64 limit = READ_ONCE(cdna_rx_backlog_bytes);
	int held = atomic_read(&cdna_sw_q(q)->rx_held);
	int used;

	do {
		if ((unsigned int)held + nskb > CDNA_RX_BACKLOG)
			return false;
	} while (!atomic_try_cmpxchg(&cdna_sw_q(q)->rx_held, &held, held + nskb));

	used = atomic_read(&cdna_sw_q(q)->rx_backlog_bytes);
	do {
		if ((u64)(unsigned int)used + bytes > limit) {
			atomic_sub(nskb, &cdna_sw_q(q)->rx_held);
			return false;
		}
	} while (!atomic_try_cmpxchg(&cdna_sw_q(q)->rx_backlog_bytes, &used,
				     used + bytes));
	return true;
}

static void cdna_rx_uncharge(struct cdna_queue *q, unsigned int nskb,
			     unsigned int bytes)
{
	atomic_sub(nskb, &cdna_sw_q(q)->rx_held);
	atomic_sub(bytes, &cdna_sw_q(q)->rx_backlog_bytes);
}

/* Take @skb off rx_pending and give back what it was charged. */
static void cdna_rx_unlink(struct cdna_queue *q, struct sk_buff *skb)
{
	__skb_unlink(skb, &cdna_sw_q(q)->rx_pending);
	cdna_rx_uncharge(q, 1, cdna_rx_cb(skb)->charge);
}

/* Drop the frame at the head of rx_pending for @r. */
static void cdna_rx_drop_pending(struct cdna_queue *q, struct sk_buff *skb,
				 enum cdna_drop_reason r)
{
	cdna_rx_unlink(q, skb);
	cdna_engine_count_drop(q, r);
	kfree_skb(skb);
}

/**
 * cdna_engine_rx_purge() - drop every skb an RX queue holds
 * @q: the queue
 */
void cdna_engine_rx_purge(struct cdna_queue *q)
{
	struct sk_buff *skb;

	while ((skb = skb_dequeue(&cdna_sw_q(q)->rx_backlog))) {
		cdna_rx_uncharge(q, 1, cdna_rx_cb(skb)->charge);
		kfree_skb(skb);
	}
	/* rx_pending is the engine's; callers exclude the engine. */
	while ((skb = skb_peek(&cdna_sw_q(q)->rx_pending))) {
		cdna_rx_unlink(q, skb);
		kfree_skb(skb);
	}
}

static void cdna_engine_rx_drop(struct cdna_queue *q, struct sk_buff *skb,
				enum cdna_drop_reason r)
{
	atomic64_inc(&cdna_sw_q(q)->rx_drops[r]);
	kfree_skb(skb);
}

/**
 * cdna_engine_rx_enqueue() - queue a frame for a context
 * @ectx: the (started) context, found under RCU
 * @skb: the frame, data at the MAC header, VLAN tag removed; consumed
 *
 * Any context; the caller is in an RCU read-side section.
 */
void cdna_engine_rx_enqueue(struct cdna_engine_ctx *ectx, struct sk_buff *skb)
{
	struct cdna_ctx *ctx = ectx->ctx;
	unsigned int nrxq = READ_ONCE(ectx->nrxq);
	struct cdna_queue *q;
	unsigned int qp;

	if (!nrxq) {
		cdna_engine_rx_drop(&ctx->queues[CDNA_QUEUE_RX(0)], skb,
				    CDNA_DROP_NO_RXBUF);
		return;
	}
	qp = ectx->rxq[nrxq > 1 ? reciprocal_scale(skb_get_hash(skb), nrxq) :
			0];
	if (qp >= ctx->nqp)
		qp = 0;
	q = &ctx->queues[CDNA_QUEUE_RX(qp)];

	if (!READ_ONCE(ctx->link_up)) {
		cdna_engine_rx_drop(q, skb, CDNA_DROP_LINK_DOWN);
		return;
	}
	if (!READ_ONCE(q->running) || !cdna_rx_charge(q, 1, skb->truesize)) {
		cdna_engine_rx_drop(q, skb, CDNA_DROP_NO_RXBUF);
		return;
	}
	cdna_rx_cb(skb)->charge = skb->truesize;
	/* The guest may hold it indefinitely: no socket may wait for it. */
	skb_orphan(skb);
	skb_dst_drop(skb);
	nf_reset_ct(skb);
	skb_queue_tail(&cdna_sw_q(q)->rx_backlog, skb);
	cdna_engine_wake(ectx->eng);
}

/**
 * cdna_engine_flood() - replicate a broadcast/multicast frame to contexts
 * @eng: the engine
 * @from: the sending context, which gets no copy, or NULL (uplink)
 * @skb: the frame; not consumed
 * @vlan: its VLAN
 *
 * Caller is in an RCU read-side section.
 *
 * Return: copies queued.
 */
void cdna_engine_flood(struct cdna_engine *eng, struct cdna_engine_ctx *from,
		       struct sk_buff *skb, u16 vlan)
{
	struct cdna_engine_ctx *ectx;
	struct sk_buff *nskb;

	list_for_each_entry_rcu(ectx, &eng->running, run_node) {
		if (ectx == from || ectx->vlan != vlan)
			continue;
		nskb = skb_clone(skb, GFP_ATOMIC);
		if (!nskb) {
			atomic64_inc(&cdna_sw_q(&ectx->ctx->queues[0])->rx_drops[CDNA_DROP_NOMEM]);
			continue;
		}
		skb_push(nskb, nskb->data - skb_mac_header(nskb));
		__vlan_hwaccel_clear_tag(nskb);
		cdna_engine_rx_enqueue(ectx, nskb);
	}
}

/**
 * cdna_engine_rx_handler() - the uplink's rx_handler: demux to contexts
 * @pskb: the received frame
 *
 * Softirq, RCU read-side section.
 *
 * Return: RX_HANDLER_CONSUMED for a context's unicast, RX_HANDLER_PASS
 * for everything the host stack should see.
 */
rx_handler_result_t cdna_engine_rx_handler(struct sk_buff **pskb)
{
	struct sk_buff *skb = *pskb;
	struct cdna_engine_ctx *ectx;
	struct cdna_engine *eng;
	const struct ethhdr *eth;
	u16 vlan;

	if (unlikely(skb->pkt_type == PACKET_LOOPBACK))
		return RX_HANDLER_PASS;
	eng = rcu_dereference(skb->dev->rx_handler_data);
	if (unlikely(!eng))
		return RX_HANDLER_PASS;
	eth = eth_hdr(skb);
	vlan = skb_vlan_tag_present(skb) ? skb_vlan_tag_get_id(skb) : 0;

	if (is_multicast_ether_addr(eth->h_dest)) {
		cdna_engine_flood(eng, NULL, skb, vlan);
		cdna_engine_rx_count(eng, CDNA_ENGINE_RX_FLOODED);
		return RX_HANDLER_PASS;
	}

	/* The host's own unicast stays the host's, whatever a context has. */
	ectx = ether_addr_equal(eth->h_dest, skb->dev->dev_addr) ? NULL :
	       cdna_engine_lookup(eng, eth->h_dest, vlan);
	if (!ectx) {
		cdna_engine_rx_count(eng, CDNA_ENGINE_RX_PASSED);
		return RX_HANDLER_PASS;
	}

	skb = skb_share_check(skb, GFP_ATOMIC);
	if (!skb)
		return RX_HANDLER_CONSUMED;
	*pskb = skb;
	skb_push(skb, skb->data - skb_mac_header(skb));
	__vlan_hwaccel_clear_tag(skb);
	cdna_engine_rx_enqueue(ectx, skb);
	cdna_engine_rx_count(eng, CDNA_ENGINE_RX_TO_CTX);
	return RX_HANDLER_CONSUMED;
}

/* Copy @len bytes of @skb from @off into the guest buffer @buf. */
static void cdna_rx_copy(const struct cdna_buf *buf, const struct sk_buff *skb,
			 u32 off, u32 len)
{
	u32 pos = 0;

	while (pos < len) {
		u32 boff = buf->offset + pos;
		u32 pgoff = offset_in_page(boff);
		u32 n = min_t(u32, len - pos, PAGE_SIZE - pgoff);
		void *va = kmap_local_page(buf->pages[boff >> PAGE_SHIFT]);

		/* In range by construction: off + len <= skb->len. */
		skb_copy_bits(skb, off + pos, va + pgoff, n);
		kunmap_local(va);
		pos += n;
	}
}

/**
 * cdna_engine_error_cpl() - complete descriptors with an error
 * @q: the queue
 * @ndesc: descriptors the completion consumes
 * @r: why; counted
 */
void cdna_engine_error_cpl(struct cdna_queue *q, u16 ndesc,
			   enum cdna_drop_reason r)
{
	struct cdna_cpl cpl = {
		.ndesc = cpu_to_le16(ndesc),
		.status = cpu_to_le16(cdna_queue_drop_status(r)),
	};

	cdna_queue_complete(q, &cpl, ndesc);
	cdna_engine_count_drop(q, r);
}

/*
 * Replace the head of rx_pending by its segments, charged to the queue's
 * bounds like any frame.  The segment count is reserved before segmenting
 * (one segment per gso_size bytes of the frame: an upper bound for TCP and
 * UDP; any excess is charged after), their truesize right after; a frame
 * whose segments do not fit is dropped whole: CDNA_DROP_BAD_OFFLOAD if
 * they could never fit (a gso_size absurdly small for the frame),
 * CDNA_DROP_NO_RXBUF if they do not fit now.  Returns false if the frame
 * was dropped.
 */
static bool cdna_rx_segment(struct cdna_queue *q, struct sk_buff *skb)
{
	unsigned int mss = skb_shinfo(skb)->gso_size, nmax, nseg = 0;
	struct sk_buff *segs, *seg, *next;
	unsigned int bytes = 0;
	enum cdna_drop_reason r;

	/* CHECKSUM_NONE GSO frames would make the segmentation warn. */
	if (skb->ip_summed == CHECKSUM_NONE || !mss) {
		cdna_rx_drop_pending(q, skb, CDNA_DROP_BAD_OFFLOAD);
		return false;
	}
	nmax = DIV_ROUND_UP(skb->len, mss);
	if (nmax > CDNA_RX_BACKLOG) {
		cdna_rx_drop_pending(q, skb, CDNA_DROP_BAD_OFFLOAD);
		return false;
	}
	/* The frame's own charge goes as its segments come. */
	cdna_rx_unlink(q, skb);
	if (!cdna_rx_charge(q, nmax, 0)) {
		r = CDNA_DROP_NO_RXBUF;
		goto err_drop;
	}
	segs = __skb_gso_segment(skb, 0, false);
	if (IS_ERR_OR_NULL(segs)) {
		r = CDNA_DROP_NOMEM;
		goto err_uncharge;
	}
	for (seg = segs; seg; seg = seg->next) {
		nseg++;
		bytes += seg->truesize;
	}
	/*
	 * Frames segmented by their fragments (GSO_BY_FRAGS, fraglist) may
	 * have more segments than the estimate: charge the difference.
	 */
	if (nseg > nmax) {
		if (!cdna_rx_charge(q, nseg - nmax, 0)) {
			kfree_skb_list(segs);
			r = CDNA_DROP_NO_RXBUF;
			goto err_uncharge;
		}
		nmax = nseg;
	}
	if (!cdna_rx_charge(q, 0, bytes)) {
		kfree_skb_list(segs);
		r = CDNA_DROP_NO_RXBUF;
		goto err_uncharge;
	}
	cdna_rx_uncharge(q, nmax - nseg, 0);
	consume_skb(skb);

	/* Insert in order at the head. */
	seg = segs;
	skb = NULL;
	while (seg) {
		next = seg->next;
		skb_mark_not_on_list(seg);
		cdna_rx_cb(seg)->charge = seg->truesize;
		if (skb)
			__skb_queue_after(&cdna_sw_q(q)->rx_pending, skb, seg);
		else
			__skb_queue_head(&cdna_sw_q(q)->rx_pending, seg);
		skb = seg;
		seg = next;
	}
	return true;

err_uncharge:
	cdna_rx_uncharge(q, nmax, 0);
err_drop:
	cdna_engine_count_drop(q, r);
	kfree_skb(skb);
	return false;
}

/* May the guest take this GSO frame whole? */
static bool cdna_rx_gso_ok(const struct cdna_engine_ctx *ectx,
			   const struct sk_buff *skb)
{
	unsigned int type = skb_shinfo(skb)->gso_type;

	if (!(ectx->features & BIT_ULL(CDNA_F_RX_GSO)))
		return false;
	if (type & ~(SKB_GSO_TCPV4 | SKB_GSO_TCPV6 | SKB_GSO_TCP_ECN |
		     SKB_GSO_DODGY))
		return false;
	if (!(type & (SKB_GSO_TCPV4 | SKB_GSO_TCPV6)))
		return false;
	if (skb->ip_summed == CHECKSUM_PARTIAL)
		return true;
	return skb->ip_summed == CHECKSUM_UNNECESSARY &&
	       (ectx->features & BIT_ULL(CDNA_F_RX_CSUM));
}

enum cdna_rx_result {
	CDNA_RX_DONE,		/* progress: delivered, dropped or split */
	CDNA_RX_WAIT,		/* not enough buffers posted, or one needs
				 * the context's VFIO work (sw.c)
				 */
	CDNA_RX_RING_ERROR,	/* the queue was stopped */
};

/* Deliver the head of rx_pending into guest buffers. */
static enum cdna_rx_result cdna_rx_one(struct cdna_engine_ctx *ectx,
				       struct cdna_queue *q,
				       struct sk_buff *skb, u32 *prod)
{
	const struct cdna_protect_ops *prot = ectx->ctx->protect;
	bool rx_gso = ectx->features & BIT_ULL(CDNA_F_RX_GSO);
	struct cdna_cpl cpl = {};
	u32 len, cap = 0, off = 0;
	enum cdna_drop_reason r;
	u16 flags = 0;
	unsigned int n = 0, i;
	int err;

	if (skb_is_gso(skb) && !cdna_rx_gso_ok(ectx, skb)) {
		cdna_rx_segment(q, skb);
		return CDNA_RX_DONE;
	}
	if (skb->ip_summed == CHECKSUM_PARTIAL && !rx_gso &&
	    skb_checksum_help(skb)) {
		cdna_rx_drop_pending(q, skb, CDNA_DROP_NOMEM);
		return CDNA_RX_DONE;
	}
	len = skb->len;

	/*
	 * Buffers enough for the frame, from the first one not completed:
	 * host copies, each read once; those read for an earlier frame that
	 * did not use them come first.
	 */
	while (cap < len) {
		const struct cdna_rxd *d;
		u32 idx = q->next_desc + n;

		if (n == CDNA_MAX_RX_FRAGS) {
			/* The buffers stay posted, for the next frames. */
			if (skb_is_gso(skb)) {
				cdna_rx_segment(q, skb);
				return CDNA_RX_DONE;
			}
			cdna_rx_drop_pending(q, skb, CDNA_DROP_NO_RXBUF);
			return CDNA_RX_DONE;
		}
		if (idx == q->fetch) {
			if (q->fetch == *prod &&
			    !cdna_queue_read_prod(q, prod)) {
				cdna_sw_ring_error(q, CDNA_ERR_RING_INDEX);
				return CDNA_RX_RING_ERROR;
			}
			if (q->fetch == *prod)
				return CDNA_RX_WAIT;
			d = cdna_queue_fetch_rx(q);
		} else {
			d = cdna_queue_rxd(q, idx);
		}
		n++;
		if (d->len < CDNA_MIN_RX_BUF || d->len > CDNA_BUF_MAX_LEN) {
			/* Give the buffers back, up to the bad one; the
			 * frame waits for more.
			 */
			cdna_engine_error_cpl(q, n, CDNA_DROP_BAD_LEN);
			return CDNA_RX_DONE;
		}
		cap += d->len;
	}

	for (i = 0; i < n; i++) {
		const struct cdna_rxd *d = cdna_queue_rxd(q, q->next_desc + i);
		u32 chunk = min_t(u32, d->len, len - off);

		/* The whole buffer must be the VM's, not just what we use. */
		err = prot->get_buf(ectx->ctx, d->addr, d->len,
				    CDNA_BUF_WRITE | cdna_sw_buf_flags(ectx),
				    &cdna_sw_q(q)->buf);
		if (err == -EAGAIN) {
			/* The frame stays in hand; the copies so far are
			 * done again (the guest owns none of the buffers).
			 */
			ectx->vfio_wanted = true;
			return CDNA_RX_WAIT;
		}
		if (err) {
			/*
			 * The completion ends at the bad buffer; those before
			 * it may hold the frame's start (the ABI says so);
			 * the ones after it stay for the retry.
			 */
			r = cdna_pincache_drop_reason(err);
			cdna_engine_error_cpl(q, i + 1, r);
			return CDNA_RX_DONE;
		}
		cdna_rx_copy(&cdna_sw_q(q)->buf, skb, off, chunk);
		prot->put_buf(ectx->ctx, &cdna_sw_q(q)->buf);
		off += chunk;
	}

	if (skb->ip_summed == CHECKSUM_PARTIAL) {
		flags |= CDNA_RXC_CSUM_PARTIAL;
		cpl.csum_start = cpu_to_le16(skb_checksum_start_offset(skb));
		cpl.csum_offset = cpu_to_le16(skb->csum_offset);
	} else if (skb->ip_summed == CHECKSUM_UNNECESSARY &&
		   (ectx->features & BIT_ULL(CDNA_F_RX_CSUM))) {
		flags |= CDNA_RXC_CSUM_VALID;
	}
	if (skb_is_gso(skb)) {
		flags |= (skb_shinfo(skb)->gso_type & SKB_GSO_TCPV6) ?
			 CDNA_RXC_GSO_TCPV6 : CDNA_RXC_GSO_TCPV4;
		cpl.gso_size = cpu_to_le16(skb_shinfo(skb)->gso_size);
	}
	cpl.len = cpu_to_le32(len);
	cpl.ndesc = cpu_to_le16(n);
	cpl.status = cpu_to_le16(CDNA_CPL_OK);
	cpl.flags = cpu_to_le16(flags);
	cdna_queue_complete(q, &cpl, n);

	u64_stats_update_begin(&q->stats.syncp);
	q->stats.packets++;
	q->stats.bytes += len;
	u64_stats_update_end(&q->stats.syncp);

	cdna_rx_unlink(q, skb);
	consume_skb(skb);
	return CDNA_RX_DONE;
}

/* Fold the drops the enqueue path counted into the queue's stats. */
static void cdna_rx_fold_drops(struct cdna_queue *q)
{
	unsigned int i;
	u64 n;

	for (i = 0; i < CDNA_DROP_MAX; i++) {
		if (!atomic64_read(&cdna_sw_q(q)->rx_drops[i]))
			continue;
		n = atomic64_xchg(&cdna_sw_q(q)->rx_drops[i], 0);
		u64_stats_update_begin(&q->stats.syncp);
		q->stats.drops[i] += n;
		u64_stats_update_end(&q->stats.syncp);
	}
}

/**
 * cdna_engine_rx_poll() - deliver queued frames into a guest's RX ring
 * @ectx: the context
 * @q: its running RX queue
 * @budget: frames at most
 *
 * Engine thread or the context's VFIO work, engine lock held.
 *
 * Return: work done (frames delivered or dropped, buffers returned).
 */
int cdna_engine_rx_poll(struct cdna_engine_ctx *ectx, struct cdna_queue *q,
			int budget)
{
	struct sk_buff *skb;
	u32 prod = q->fetch;
	int done = 0;

	lockdep_assert_held(&ectx->lock);
	cdna_rx_fold_drops(q);
	while (done < budget) {
		enum cdna_rx_result res;

		skb = skb_peek(&cdna_sw_q(q)->rx_pending);
		if (!skb) {
			skb = skb_dequeue(&cdna_sw_q(q)->rx_backlog);
			if (!skb)
				break;
			/* Still charged: the frame in hand counts too. */
			__skb_queue_tail(&cdna_sw_q(q)->rx_pending, skb);
		}
		res = cdna_rx_one(ectx, q, skb, &prod);
		if (res == CDNA_RX_RING_ERROR)
			return done + 1;
		if (res == CDNA_RX_WAIT)
			break;
		done++;
	}
	cdna_queue_publish(q);
	return done;
}
