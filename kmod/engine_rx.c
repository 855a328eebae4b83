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
 * (CDNA_DROP_NO_RXBUF), never host memory.
 *
 * The engine thread copies each frame into guest buffers (copy on receive,
 * Menon'06: cheaper than remapping), several buffers for a large frame.  A
 * coalesced TCP frame goes whole to a guest that acked RX_GSO (with its
 * checksum state); otherwise it is segmented first.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/highmem.h>
#include <linux/if_vlan.h>
#include <linux/module.h>
#include <net/netfilter/nf_conntrack.h>

#include "cdna.h"

static unsigned int cdna_rx_backlog_bytes = 4 << 20;
static struct cdna_param_uint cdna_rx_backlog_bytes_param = {
	.val = &cdna_rx_backlog_bytes, .min = 256 << 10, .max = 1U << 30,
};
module_param_cb(rx_backlog_bytes, &cdna_param_uint_ops,
		&cdna_rx_backlog_bytes_param, 0644);
MODULE_PARM_DESC(rx_backlog_bytes,
		 "Bytes (truesize) an RX queue holds for its guest at most (256 KiB..1 GiB)");

/**
 * cdna_engine_rx_purge() - drop every skb an RX queue holds
 * @q: the queue
 */
void cdna_engine_rx_purge(struct cdna_queue *q)
{
	struct sk_buff *skb;

	while ((skb = skb_dequeue(&q->rx_backlog))) {
		atomic_sub(skb->truesize, &q->rx_backlog_bytes);
		kfree_skb(skb);
	}
	/* rx_pending is the engine's; callers exclude the engine. */
	__skb_queue_purge(&q->rx_pending);
}

static void cdna_engine_rx_drop(struct cdna_queue *q, struct sk_buff *skb,
				enum cdna_drop_reason r)
{
	atomic64_inc(&q->rx_drops[r]);
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
	if (!READ_ONCE(q->running) ||
	    skb_queue_len(&q->rx_backlog) >= CDNA_RX_BACKLOG ||
	    atomic_read(&q->rx_backlog_bytes) + skb->truesize >
	    READ_ONCE(cdna_rx_backlog_bytes)) {
		cdna_engine_rx_drop(q, skb, CDNA_DROP_NO_RXBUF);
		return;
	}
	/* The guest may hold it indefinitely: no socket may wait for it. */
	skb_orphan(skb);
	skb_dst_drop(skb);
	nf_reset_ct(skb);
	atomic_add(skb->truesize, &q->rx_backlog_bytes);
	skb_queue_tail(&q->rx_backlog, skb);
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
			atomic64_inc(&ectx->ctx->queues[0].rx_drops[CDNA_DROP_NOMEM]);
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
		atomic64_inc(&eng->rx_flooded);
		return RX_HANDLER_PASS;
	}

	/* The host's own unicast stays the host's, whatever a context has. */
	ectx = ether_addr_equal(eth->h_dest, skb->dev->dev_addr) ? NULL :
	       cdna_engine_lookup(eng, eth->h_dest, vlan);
	if (!ectx) {
		atomic64_inc(&eng->rx_passed);
		return RX_HANDLER_PASS;
	}

	skb = skb_share_check(skb, GFP_ATOMIC);
	if (!skb)
		return RX_HANDLER_CONSUMED;
	*pskb = skb;
	skb_push(skb, skb->data - skb_mac_header(skb));
	__vlan_hwaccel_clear_tag(skb);
	cdna_engine_rx_enqueue(ectx, skb);
	atomic64_inc(&eng->rx_to_ctx);
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

static u16 cdna_drop_to_cpl(enum cdna_drop_reason r)
{
	switch (r) {
	case CDNA_DROP_BAD_ADDR:
		return CDNA_CPL_ERR_ADDR;
	case CDNA_DROP_BAD_LEN:
		return CDNA_CPL_ERR_LEN;
	case CDNA_DROP_BAD_FLAGS:
		return CDNA_CPL_ERR_FLAGS;
	case CDNA_DROP_BAD_OFFLOAD:
		return CDNA_CPL_ERR_OFFLOAD;
	case CDNA_DROP_SPOOF:
		return CDNA_CPL_ERR_SPOOF;
	default:
		return CDNA_CPL_ERR_DROPPED;
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
		.status = cpu_to_le16(cdna_drop_to_cpl(r)),
	};

	cdna_queue_complete(q, &cpl, ndesc);
	cdna_engine_count_drop(q, r);
}

/*
 * Replace the head of rx_pending by its segments.  Returns false if the
 * frame had to be dropped instead.
 */
static bool cdna_rx_segment(struct cdna_queue *q, struct sk_buff *skb)
{
	struct sk_buff *segs, *seg, *next;

	__skb_unlink(skb, &q->rx_pending);
	/* CHECKSUM_NONE GSO frames would make the segmentation warn. */
	if (skb->ip_summed == CHECKSUM_NONE) {
		cdna_engine_count_drop(q, CDNA_DROP_BAD_OFFLOAD);
		kfree_skb(skb);
		return false;
	}
	segs = __skb_gso_segment(skb, 0, false);
	if (IS_ERR_OR_NULL(segs)) {
		cdna_engine_count_drop(q, CDNA_DROP_NOMEM);
		kfree_skb(skb);
		return false;
	}
	consume_skb(skb);
	/* Insert in order at the head. */
	seg = segs;
	skb = NULL;
	while (seg) {
		next = seg->next;
		skb_mark_not_on_list(seg);
		if (skb)
			__skb_queue_after(&q->rx_pending, skb, seg);
		else
			__skb_queue_head(&q->rx_pending, seg);
		skb = seg;
		seg = next;
	}
	return true;
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
	CDNA_RX_WAIT,		/* not enough buffers posted */
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
		__skb_unlink(skb, &q->rx_pending);
		cdna_engine_count_drop(q, CDNA_DROP_NOMEM);
		kfree_skb(skb);
		return CDNA_RX_DONE;
	}
	len = skb->len;

	/* Buffers enough for the frame: host copies, read once. */
	while (cap < len) {
		struct cdna_rxd *d;

		if (n == CDNA_MAX_RX_FRAGS) {
			if (skb_is_gso(skb)) {
				cdna_rx_segment(q, skb);
				return CDNA_RX_DONE;
			}
			__skb_unlink(skb, &q->rx_pending);
			cdna_engine_count_drop(q, CDNA_DROP_NO_RXBUF);
			kfree_skb(skb);
			return CDNA_RX_DONE;
		}
		if (q->next_desc + n == q->fetch) {
			if (q->fetch == *prod &&
			    !cdna_queue_read_prod(q, prod)) {
				cdna_queue_ring_error(q, CDNA_ERR_RING_INDEX);
				return CDNA_RX_RING_ERROR;
			}
			if (q->fetch == *prod)
				return CDNA_RX_WAIT;
			cdna_queue_fetch_rx(q, &q->shadow.rx[n]);
		}
		d = &q->shadow.rx[n++];
		if (d->len < CDNA_MIN_RX_BUF || d->len > CDNA_BUF_MAX_LEN) {
			/* Give the buffers back; the frame waits for more. */
			cdna_engine_error_cpl(q, n, CDNA_DROP_BAD_LEN);
			return CDNA_RX_DONE;
		}
		cap += d->len;
	}

	for (i = 0; i < n; i++) {
		const struct cdna_rxd *d = &q->shadow.rx[i];
		u32 chunk = min_t(u32, d->len, len - off);

		/* The whole buffer must be the VM's, not just what we use. */
		err = prot->get_buf(ectx->ctx, d->addr, d->len, true, &q->buf);
		if (err) {
			r = cdna_pincache_drop_reason(err);
			cdna_engine_error_cpl(q, n, r);
			return CDNA_RX_DONE;
		}
		cdna_rx_copy(&q->buf, skb, off, chunk);
		prot->put_buf(ectx->ctx, &q->buf);
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

	__skb_unlink(skb, &q->rx_pending);
	consume_skb(skb);
	return CDNA_RX_DONE;
}

/* Fold the drops the enqueue path counted into the queue's stats. */
static void cdna_rx_fold_drops(struct cdna_queue *q)
{
	unsigned int i;
	u64 n;

	for (i = 0; i < CDNA_DROP_MAX; i++) {
		if (!atomic64_read(&q->rx_drops[i]))
			continue;
		n = atomic64_xchg(&q->rx_drops[i], 0);
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
 * Engine thread, engine lock held.
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

		skb = skb_peek(&q->rx_pending);
		if (!skb) {
			skb = skb_dequeue(&q->rx_backlog);
			if (!skb)
				break;
			atomic_sub(skb->truesize, &q->rx_backlog_bytes);
			__skb_queue_tail(&q->rx_pending, skb);
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
