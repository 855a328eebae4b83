// SPDX-License-Identifier: GPL-2.0
/*
 * cdna engine, transmit side: guest TX descriptors to frames on the uplink
 * or in another context.
 *
 * For each packet the engine reads its descriptors once (up to
 * CDNA_MAX_TX_FRAGS, the last flagged EOP) into host copies and validates
 * them before touching any guest data: known flags only, offloads the
 * driver acked, lengths non-zero and within CDNA_MAX_TX_LEN (the MTU
 * without GSO), offload fields inside the packet.  Each fragment is then
 * pinned through the protection, which refuses any byte outside the VM's
 * DMA memory, and copied into a host skb; the packet's headers are checked
 * again on that copy (virtio_net_hdr_to_skb(), as tun does), and the source
 * MAC must be the context's unless it is trusted.  An untrusted context may
 * not send VLAN-tagged frames: its VLAN, if any, is the host's to add.
 *
 * The MTU is the smaller of the one the driver set (CDNA_REG_MTU, which it
 * may change while running) and the uplink's, both read for every packet:
 * no frame or segment the engine passes on is larger than the uplink takes.
 * GSO frames keep SKB_GSO_DODGY, so the stack checks their headers again
 * before it segments them or hands them to a TSO device.
 *
 * Delivery: a destination that is a started context on the same NIC and
 * VLAN gets the frame directly in its RX backlog (never the uplink);
 * broadcast/multicast goes to the other contexts and the uplink; anything
 * else leaves through the uplink, on the TX queue of the context.
 *
 * Every packet completes in order with one completion, an error status for
 * a refused one (counted by reason); the context keeps going.  A packet
 * whose skb cannot be allocated (no reclaim: the engine holds locks every
 * context shares) stays in hand and is retried on the next passes before
 * it is refused with CDNA_DROP_NOMEM.
 *
 * Cost: a TX queue spends at most tx_quantum per pass, counted in bytes
 * copied plus a page's worth per page the protection had to pin (deficit
 * round robin: a packet may overdraw, the debt is paid by sitting out
 * passes), so the engine's time is shared by what packets cost, not by
 * how many there are.
 *
 * Rate: a context with a TX rate sends from a token bucket of bytes,
 * refilled at the rate and holding at most CDNA_TX_BURST_NS worth (never
 * less than one largest frame).  A frame goes while the bucket is not
 * empty and may take it below zero; the context then sends nothing until
 * the refill has paid that debt, and its descriptors wait in the guest's
 * ring - the back-pressure a NIC's per-VF rate limiter gives - while the
 * engine sleeps on a timer instead of asking for doorbells.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/highmem.h>
#include <linux/if_vlan.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/virtio_net.h>
#include <net/ip.h>

#include "sw.h"

static unsigned int cdna_tx_quantum = 65536;
static struct cdna_param_uint cdna_tx_quantum_param = {
	.val = &cdna_tx_quantum, .min = SZ_4K, .max = SZ_16M,
};
module_param_cb(tx_quantum, &cdna_param_uint_ops, &cdna_tx_quantum_param,
		0644);
MODULE_PARM_DESC(tx_quantum,
		 "TX cost (bytes copied, plus a page per page pinned) a queue may spend per engine pass (4096..16777216)");

/* Frames up to this size go in one linear skb; larger ones get page frags. */
#define CDNA_TX_LINEAR_MAX	2048
/* Linear part of a large frame: its headers... */
#define CDNA_TX_HDR_LEN		256
/* ... at most this much, which bounds where its checksum may lie. */
#define CDNA_TX_HDR_MAX		512
/* Cost of a packet besides its bytes: descriptors, skb, completion. */
#define CDNA_TX_PKT_COST	256
/* Cost of each page the protection had to pin for it. */
#define CDNA_TX_PIN_COST	PAGE_SIZE
/* Passes a packet waits for memory before it is refused. */
#define CDNA_TX_NOMEM_RETRIES	16
/* A rate-limited context may burst this long at its rate. */
#define CDNA_TX_BURST_NS	(2 * NSEC_PER_MSEC)

/*
 * Gather the descriptors of the next packet into q->shadow.tx.  Returns
 * their number, or 0 if the guest has not published the whole packet yet.
 * A packet without EOP within CDNA_MAX_TX_FRAGS descriptors is returned
 * as CDNA_MAX_TX_FRAGS of them (refused by the caller).
 */
static unsigned int cdna_tx_gather(struct cdna_queue *q, u32 prod)
{
	unsigned int n = q->fetch - q->next_desc;

	if (n > CDNA_MAX_TX_FRAGS)
		return 0;
	if (n && (q->shadow.tx[n - 1].flags & CDNA_TXD_EOP))
		return n;
	while (n < CDNA_MAX_TX_FRAGS) {
		if (q->fetch == prod)
			return 0;
		cdna_queue_fetch_tx(q, &q->shadow.tx[n++]);
		if (q->shadow.tx[n - 1].flags & CDNA_TXD_EOP)
			return n;
	}
	return n;
}

/*
 * The MTU frames of @ectx are held to now: the driver's (it may write
 * CDNA_REG_MTU at any time), never more than the uplink's.
 */
static u32 cdna_tx_mtu(const struct cdna_engine_ctx *ectx)
{
	return min(READ_ONCE(ectx->ctx->mtu), READ_ONCE(ectx->eng->uplink->mtu));
}

/*
 * Validate the host copies of a packet's descriptors; sum their lengths.
 * The length bound allows for a VLAN tag; cdna_tx_policy() applies the
 * exact one once the frame's type is known.
 */
static enum cdna_drop_reason cdna_tx_check(const struct cdna_engine_ctx *ectx,
					   const struct cdna_txd *d,
					   unsigned int n, u32 mtu, u32 *total)
{
	u16 f = d[0].flags, gso = f & (CDNA_TXD_GSO_TCPV4 | CDNA_TXD_GSO_TCPV6);
	u64 feat = ectx->features, sum = 0;
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (d[i].flags & ~CDNA_TXD_FLAGS_ALL)
			return CDNA_DROP_BAD_FLAGS;
		if (!d[i].len || d[i].len > CDNA_BUF_MAX_LEN)
			return CDNA_DROP_BAD_LEN;
		sum += d[i].len;
	}
	if (!(d[n - 1].flags & CDNA_TXD_EOP))
		return CDNA_DROP_BAD_LEN;	/* too many fragments */
	if (sum > CDNA_MAX_TX_LEN || sum < ETH_HLEN)
		return CDNA_DROP_BAD_LEN;
	*total = sum;

	if (gso == (CDNA_TXD_GSO_TCPV4 | CDNA_TXD_GSO_TCPV6) ||
	    ((f & CDNA_TXD_GSO_ECN) && !gso) ||
	    (gso && !(f & CDNA_TXD_CSUM)) ||
	    ((f & CDNA_TXD_CSUM) && !(feat & BIT_ULL(CDNA_F_CSUM))) ||
	    ((f & CDNA_TXD_GSO_TCPV4) && !(feat & BIT_ULL(CDNA_F_TSO4))) ||
	    ((f & CDNA_TXD_GSO_TCPV6) && !(feat & BIT_ULL(CDNA_F_TSO6))))
		return CDNA_DROP_BAD_FLAGS;
	if (!gso && sum > mtu + ETH_HLEN + VLAN_HLEN)
		return CDNA_DROP_BAD_LEN;
	if ((f & CDNA_TXD_CSUM) &&
	    (d[0].csum_start < ETH_HLEN ||
	     (u32)d[0].csum_start + d[0].csum_offset + sizeof(__sum16) > sum))
		return CDNA_DROP_BAD_OFFLOAD;
	if (gso && (d[0].gso_size < CDNA_MIN_GSO_SIZE || d[0].gso_size > mtu))
		return CDNA_DROP_BAD_OFFLOAD;
	return CDNA_DROP_MAX;
}

/*
 * Where the next byte of a TX frame being built goes: the skb's linear
 * part, then its frags in order.  Each copy moves it on, so a frame costs
 * one walk over its frags, where skb_store_bits() would walk them from the
 * start for every guest page.
 */
struct cdna_tx_cursor {
	struct sk_buff *skb;
	u32 pos;
	unsigned int frag;
	u32 frag_off;
};

static void cdna_tx_put(struct cdna_tx_cursor *c, const u8 *src, u32 len)
{
	struct skb_shared_info *shinfo = skb_shinfo(c->skb);
	u32 head = skb_headlen(c->skb), n, at;
	skb_frag_t *frag;
	void *va;

	if (c->pos < head) {
		n = min(len, head - c->pos);
		memcpy(c->skb->data + c->pos, src, n);
		c->pos += n;
		src += n;
		len -= n;
	}
	while (len) {
		/* In range by construction: the buffers sum to skb->len. */
		if (c->frag >= shinfo->nr_frags) {
			DEBUG_NET_WARN_ON_ONCE(1);
			return;
		}
		frag = &shinfo->frags[c->frag];
		at = skb_frag_off(frag) + c->frag_off;
		n = min3(len, skb_frag_size(frag) - c->frag_off,
			 (u32)(PAGE_SIZE - offset_in_page(at)));
		/* A frag may be a compound page: map the page the byte is in. */
		va = kmap_local_page(nth_page(skb_frag_page(frag),
					      at >> PAGE_SHIFT));
		memcpy(va + offset_in_page(at), src, n);
		kunmap_local(va);
		c->pos += n;
		src += n;
		len -= n;
		c->frag_off += n;
		if (c->frag_off == skb_frag_size(frag)) {
			c->frag++;
			c->frag_off = 0;
		}
	}
}

/* Copy a pinned guest buffer to where @c is, a guest page at a time. */
static void cdna_tx_copy(struct cdna_tx_cursor *c, const struct cdna_buf *buf)
{
	u32 pos = 0;

	while (pos < buf->len) {
		u32 boff = buf->offset + pos;
		u32 pgoff = offset_in_page(boff);
		u32 n = min_t(u32, buf->len - pos, PAGE_SIZE - pgoff);
		void *va = kmap_local_page(buf->pages[boff >> PAGE_SHIFT]);

		cdna_tx_put(c, va + pgoff, n);
		kunmap_local(va);
		pos += n;
	}
}

/*
 * Build a host skb holding a copy of the packet.  Its linear part holds the
 * headers only (the whole frame if small), the rest goes in page frags, so
 * the guest's offsets decide no allocation size; a checksum beyond the
 * headers of a large frame is refused before anything is allocated.  The
 * engine holds the shared locks: no reclaim, a failure is for the caller
 * to retry.  *@misses counts the pages that had to be pinned.  A buffer
 * that needs VFIO while the thread holds the context leaves no skb and
 * CDNA_DROP_MAX, with ectx->vfio_wanted set (sw.c).
 */
static enum cdna_drop_reason cdna_tx_build(struct cdna_engine_ctx *ectx,
					   struct cdna_queue *q,
					   const struct cdna_txd *d,
					   unsigned int n, u32 total,
					   struct sk_buff **pskb, u64 *misses)
{
	const struct cdna_protect_ops *prot = ectx->ctx->protect;
	u64 hits = 0, miss0 = 0, evictions = 0;
	struct cdna_tx_cursor cur = {};
	u32 linear = total;
	struct sk_buff *skb;
	unsigned int i;
	int err;

	if (total > CDNA_TX_LINEAR_MAX) {
		linear = CDNA_TX_HDR_LEN;
		if (d[0].flags & CDNA_TXD_CSUM) {
			u32 start = d[0].csum_start;
			u32 end = start + d[0].csum_offset + sizeof(__sum16);

			if (end > CDNA_TX_HDR_MAX)
				return CDNA_DROP_BAD_OFFLOAD;
			/* Room for a TCP header with options after start. */
			linear = clamp_t(u32, start + 60, linear,
					 CDNA_TX_HDR_MAX);
		}
		linear = min(linear, total);
	}
	skb = alloc_skb_with_frags(NET_SKB_PAD + NET_IP_ALIGN + linear,
				   total - linear, PAGE_ALLOC_COSTLY_ORDER,
				   &err, GFP_NOWAIT | __GFP_NOWARN);
	if (!skb)
		return CDNA_DROP_NOMEM;
	ectx->tx_skb_allocs++;
	skb_reserve(skb, NET_SKB_PAD + NET_IP_ALIGN);
	skb_put(skb, linear);
	skb->data_len = total - linear;
	skb->len += total - linear;
	cur.skb = skb;

	if (prot->pin_stats)
		prot->pin_stats(ectx->ctx, &hits, &miss0, &evictions);
	for (i = 0; i < n; i++) {
		err = prot->get_buf(ectx->ctx, d[i].addr, d[i].len,
				    cdna_sw_buf_flags(ectx),
				    &cdna_sw_q(q)->buf);
		if (err) {
			kfree_skb(skb);
			skb = NULL;
			break;
		}
		cdna_tx_copy(&cur, &cdna_sw_q(q)->buf);
		prot->put_buf(ectx->ctx, &cdna_sw_q(q)->buf);
	}
	if (prot->pin_stats) {
		prot->pin_stats(ectx->ctx, &hits, misses, &evictions);
		*misses -= miss0;
	}
	if (err == -EAGAIN) {
		ectx->vfio_wanted = true;
		return CDNA_DROP_MAX;
	}
	if (!skb)
		return cdna_pincache_drop_reason(err);
	*pskb = skb;
	return CDNA_DROP_MAX;
}

/*
 * Bound a TCP GSO frame.  virtio_net_hdr_to_skb() found the TCP checksum
 * where the frame says TCP starts; here the TCP header must be whole in
 * the linear part, and each segment, headers included, within @mtu.  The
 * segment count follows from the payload and the MSS (gso_size), which is
 * at least CDNA_MIN_GSO_SIZE, so a frame makes at most a few thousand.  A
 * frame whose payload fits in one segment is sent as the plain frame it
 * is.  The frame keeps SKB_GSO_DODGY: the stack checks its IP and TCP
 * headers once more before it is segmented or handed to a TSO device
 * (tcp_gso_segment()), as for any frame from tun or a packet socket.
 */
static enum cdna_drop_reason cdna_tx_gso_check(struct sk_buff *skb, u32 mtu)
{
	struct skb_shared_info *shinfo = skb_shinfo(skb);
	unsigned int thoff = skb_transport_offset(skb);
	unsigned int hlen, payload;

	/* virtio_net_hdr_to_skb() pulled a TCP header at thoff. */
	hlen = thoff + tcp_hdr(skb)->doff * 4;
	if (hlen < thoff + sizeof(struct tcphdr) || !pskb_may_pull(skb, hlen) ||
	    skb->len <= hlen)
		return CDNA_DROP_BAD_OFFLOAD;
	if (hlen - skb_network_offset(skb) + shinfo->gso_size > mtu)
		return CDNA_DROP_BAD_OFFLOAD;
	payload = skb->len - hlen;
	if (payload <= shinfo->gso_size) {
		skb_gso_reset(skb);
		return CDNA_DROP_MAX;
	}
	shinfo->gso_segs = DIV_ROUND_UP(payload, shinfo->gso_size);
	return CDNA_DROP_MAX;
}

/* Apply the offload metadata of the first descriptor; check the headers. */
static enum cdna_drop_reason cdna_tx_offload(struct sk_buff *skb,
					     const struct cdna_txd *d, u32 mtu)
{
	struct virtio_net_hdr hdr = {};

	if (d->flags & CDNA_TXD_CSUM) {
		hdr.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		hdr.csum_start = __cpu_to_virtio16(true, d->csum_start);
		hdr.csum_offset = __cpu_to_virtio16(true, d->csum_offset);
	}
	if (d->flags & CDNA_TXD_GSO_TCPV4)
		hdr.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	else if (d->flags & CDNA_TXD_GSO_TCPV6)
		hdr.gso_type = VIRTIO_NET_HDR_GSO_TCPV6;
	if (hdr.gso_type) {
		if (d->flags & CDNA_TXD_GSO_ECN)
			hdr.gso_type |= VIRTIO_NET_HDR_GSO_ECN;
		hdr.gso_size = __cpu_to_virtio16(true, d->gso_size);
		hdr.hdr_len = __cpu_to_virtio16(true, d->hdr_len);
	}

	skb_reset_mac_header(skb);
	skb->protocol = eth_hdr(skb)->h_proto;
	skb_set_network_header(skb, ETH_HLEN);
	/* Segmentation only of what it claims to be (not checked by
	 * virtio_net_hdr_to_skb() when a checksum offset is given).
	 */
	if (hdr.gso_type &&
	    !virtio_net_hdr_match_proto(skb->protocol, hdr.gso_type))
		return CDNA_DROP_BAD_OFFLOAD;
	if (virtio_net_hdr_to_skb(skb, &hdr, true))
		return CDNA_DROP_BAD_OFFLOAD;
	if (!(d->flags & CDNA_TXD_CSUM))
		skb_probe_transport_header(skb);
	if (skb_is_gso(skb))
		return cdna_tx_gso_check(skb, mtu);
	return CDNA_DROP_MAX;
}

/*
 * What the context may send: its own source MAC unless trusted, no VLAN
 * tag unless trusted (a tag would reach every VLAN trunked on the uplink,
 * or ride inside the context's own), and no frame above the MTU.
 */
static enum cdna_drop_reason cdna_tx_policy(struct cdna_engine_ctx *ectx,
					    struct sk_buff *skb, u32 mtu)
{
	const struct ethhdr *eth = eth_hdr(skb);
	u32 l2len = ETH_HLEN;

	if (!ectx->trusted && !ether_addr_equal(eth->h_source, ectx->mac))
		return CDNA_DROP_SPOOF;
	if (cdna_eth_tagged(eth->h_proto)) {
		if (!ectx->may_tag)
			return CDNA_DROP_VLAN;
		l2len += VLAN_HLEN;
	}
	if (!skb_is_gso(skb) && skb->len > mtu + l2len)
		return CDNA_DROP_BAD_LEN;
	return CDNA_DROP_MAX;
}

/*
 * Hand a validated frame to its destination(s); consumes @skb.  Returns
 * CDNA_DROP_UPLINK if the uplink refused it (its qdisc dropped it, it is
 * down): a broadcast may have reached the other contexts all the same.
 */
static enum cdna_drop_reason cdna_tx_deliver(struct cdna_engine_ctx *ectx,
					     struct sk_buff *skb)
{
	struct cdna_engine *eng = ectx->eng;
	const u8 *dst = eth_hdr(skb)->h_dest;
	struct cdna_engine_ctx *peer;
	int rc;

	skb->dev = eng->uplink;
	rcu_read_lock();
	if (is_multicast_ether_addr(dst)) {
		cdna_engine_flood(eng, ectx, skb, ectx->vlan);
	} else {
		peer = cdna_engine_lookup(eng, dst, ectx->vlan);
		if (peer) {
			cdna_engine_rx_enqueue(peer, skb);
			rcu_read_unlock();
			atomic64_inc(&eng->switched);
			return CDNA_DROP_MAX;
		}
	}
	rcu_read_unlock();

	if (ectx->vlan)
		__vlan_hwaccel_put_tag(skb, htons(ETH_P_8021Q), ectx->vlan);
	/* skb_tx_hash() maps a recorded queue onto the uplink's TX queues. */
	skb_record_rx_queue(skb, ectx->txq);
	rc = dev_queue_xmit(skb);
	/* NET_XMIT_CN: sent, but the qdisc is congested. */
	if (net_xmit_eval(rc))
		return CDNA_DROP_UPLINK;
	atomic64_inc(&eng->tx_uplink);
	return CDNA_DROP_MAX;
}

/*
 * Process one packet of @n gathered descriptors; completes it, or leaves it
 * in hand for a later pass when no memory was free, or for the context's
 * VFIO work when a buffer needs VFIO (*@cost is then 0).
 * *@cost is what it cost the engine: CDNA_TX_PKT_COST, plus its bytes once
 * they were copied, plus CDNA_TX_PIN_COST per page pinned for it.
 */
static void cdna_tx_packet(struct cdna_engine_ctx *ectx, struct cdna_queue *q,
			   unsigned int n, u32 *cost)
{
	const struct cdna_txd *d = q->shadow.tx;
	struct sk_buff *skb = NULL;
	enum cdna_drop_reason r;
	struct cdna_cpl cpl = {};
	u32 total = 0, mtu = cdna_tx_mtu(ectx);
	u64 misses = 0;

	*cost = CDNA_TX_PKT_COST;
	r = cdna_tx_check(ectx, d, n, mtu, &total);
	if (r == CDNA_DROP_MAX && !READ_ONCE(ectx->ctx->link_up))
		r = CDNA_DROP_LINK_DOWN;
	if (r == CDNA_DROP_MAX) {
		r = cdna_tx_build(ectx, q, d, n, total, &skb, &misses);
		*cost += min_t(u64, misses, CDNA_MAX_TX_FRAGS *
			       CDNA_BUF_MAX_PAGES) * CDNA_TX_PIN_COST;
		if (skb)
			*cost += total;
		if (r == CDNA_DROP_MAX && !skb) {
			/* For the context's VFIO work: it stays in hand. */
			*cost = 0;
			return;
		}
	}
	if (r == CDNA_DROP_NOMEM && cdna_sw_q(q)->tx_nomem < CDNA_TX_NOMEM_RETRIES) {
		/* Back-pressure: the descriptors stay in hand. */
		cdna_sw_q(q)->tx_nomem++;
		ectx->tx_nomem_deferred++;
		*cost = 0;
		return;
	}
	cdna_sw_q(q)->tx_nomem = 0;
	if (r == CDNA_DROP_MAX)
		r = cdna_tx_offload(skb, d, mtu);
	if (r == CDNA_DROP_MAX)
		r = cdna_tx_policy(ectx, skb, mtu);
	if (r != CDNA_DROP_MAX) {
		kfree_skb(skb);
		cdna_engine_error_cpl(q, n, r);
		return;
	}

	r = cdna_tx_deliver(ectx, skb);
	/* Sent as far as the context goes: it pays for a frame dropped later. */
	if (ectx->tx_rate)
		ectx->tx_tokens -= total;
	if (r != CDNA_DROP_MAX) {
		cdna_engine_error_cpl(q, n, r);
		return;
	}
	cpl.len = cpu_to_le32(total);
	cpl.ndesc = cpu_to_le16(n);
	cpl.status = cpu_to_le16(CDNA_CPL_OK);
	cdna_queue_complete(q, &cpl, n);
	u64_stats_update_begin(&q->stats.syncp);
	q->stats.packets++;
	q->stats.bytes += total;
	u64_stats_update_end(&q->stats.syncp);
}

/**
 * cdna_engine_tx_set_rate() - set a context's TX rate limit
 * @ectx: the context
 * @mbit: Mbit/s, 0 for none
 *
 * Starts from a full bucket.  ectx->lock held.
 */
void cdna_engine_tx_set_rate(struct cdna_engine_ctx *ectx, u32 mbit)
{
	lockdep_assert_held(&ectx->lock);
	ectx->tx_rate = (u64)mbit * (1000 * 1000 / BITS_PER_BYTE);
	/* The burst, and at least one frame. */
	ectx->tx_burst = max_t(s64, mul_u64_u64_div_u64(ectx->tx_rate,
							CDNA_TX_BURST_NS,
							NSEC_PER_SEC),
			       CDNA_MAX_TX_LEN);
	ectx->tx_tokens = ectx->tx_rate ? ectx->tx_burst : 0;
	ectx->tx_stamp = ktime_get_ns();
	ectx->tx_held = false;
}

/**
 * cdna_engine_tx_refill() - refill a context's TX bucket; may it send?
 * @ectx: the context
 * @now: ktime_get_ns() of this engine pass
 * @resume: earliest time a held context may send again, 0 for none:
 *	lowered to this context's when it is held
 *
 * Engine thread or the context's VFIO work, ectx->lock held.
 *
 * Return: true if the context may send now (always without a rate).
 */
bool cdna_engine_tx_refill(struct cdna_engine_ctx *ectx, u64 now,
			   u64 *resume)
{
	u64 wait, delta;

	lockdep_assert_held(&ectx->lock);
	if (!ectx->tx_rate)
		return true;
	/* A rate set after this pass read the clock starts in its future. */
	if (now > ectx->tx_stamp) {
		delta = min_t(u64, now - ectx->tx_stamp, NSEC_PER_SEC);
		ectx->tx_stamp = now;
		ectx->tx_tokens = min_t(s64, ectx->tx_burst, ectx->tx_tokens +
					mul_u64_u64_div_u64(delta, ectx->tx_rate,
							    NSEC_PER_SEC));
	}
	if (ectx->tx_tokens > 0) {
		ectx->tx_held = false;
		return true;
	}
	if (!ectx->tx_held)
		atomic64_inc(&ectx->ctx->tx_throttled);
	ectx->tx_held = true;
	/* The first byte of credit arrives after this long. */
	wait = div64_u64((u64)(1 - ectx->tx_tokens) * NSEC_PER_SEC,
			 ectx->tx_rate);
	if (!*resume || now + wait < *resume)
		*resume = now + wait;
	return false;
}

/**
 * cdna_engine_tx_poll() - send what a guest posted on a TX queue
 * @ectx: the context
 * @q: its running TX queue
 * @budget: packets at most
 *
 * Besides @budget, what the queue may spend per pass is bounded by cost
 * (tx_quantum, deficit round robin): a guest posting 64 KiB frames over
 * pages never pinned before gets no more of the engine than one posting
 * small frames from cached pages.  Engine thread or
 * the context's VFIO work, engine lock held.
 *
 * Return: packets processed (sent or refused), or 1 for a queue that sat
 * the pass out to pay its debt.
 */
int cdna_engine_tx_poll(struct cdna_engine_ctx *ectx, struct cdna_queue *q,
			int budget)
{
	s32 quantum = READ_ONCE(cdna_tx_quantum);
	unsigned int n;
	bool empty = false;
	int done = 0;
	u32 prod, cost;

	lockdep_assert_held(&ectx->lock);
	if (!cdna_queue_read_prod(q, &prod)) {
		cdna_sw_ring_error(q, CDNA_ERR_RING_INDEX);
		return 1;
	}
	/* Deficit round robin: each pass adds a quantum, a packet takes its
	 * cost, the last one may overdraw; a queue in debt sits out passes.
	 */
	cdna_sw_q(q)->tx_credit = min(cdna_sw_q(q)->tx_credit + quantum, quantum);
	if (cdna_sw_q(q)->tx_credit <= 0) {
		ectx->tx_debt_passes++;
		return 1;	/* work left: keep the engine polling */
	}
	while (done < budget && cdna_sw_q(q)->tx_credit > 0 &&
	       (!ectx->tx_rate || ectx->tx_tokens > 0)) {
		n = cdna_tx_gather(q, prod);
		if (!n) {
			empty = true;
			break;
		}
		cdna_tx_packet(ectx, q, n, &cost);
		if (!cost)
			break;	/* no memory: retry next pass */
		cdna_sw_q(q)->tx_credit -= cost;
		ectx->tx_cost += cost;
		done++;
	}
	/* An idle queue saves no credit for later (its debt it keeps). */
	if (empty && cdna_sw_q(q)->tx_credit > 0)
		cdna_sw_q(q)->tx_credit = 0;
	cdna_queue_publish(q);
	return done;
}
