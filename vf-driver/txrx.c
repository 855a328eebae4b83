// SPDX-License-Identifier: GPL-2.0
/*
 * cdna_vf: the data path - rings, NAPI, transmit, receive buffers.
 *
 * Each queue has a descriptor ring (ours), a completion ring (the
 * device's) and a struct cdna_queue_shm with the indices; all three live in
 * coherent DMA memory.  We publish descriptors by storing drv.prod and ring
 * the doorbell only when the device asked for it (EVENT_IDX); the device
 * publishes completions by storing dev.cons and interrupts only when we
 * asked for it.  Under load neither side notifies the other.
 *
 * The device is not trusted: every completion is checked against what was
 * posted before a buffer is touched, and a completion ring that makes no
 * sense stops processing and requests a reset.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-mapping.h>
#include <linux/etherdevice.h>
#include <linux/interrupt.h>
#include <linux/ip.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>

#include "cdna_vf.h"

/* ------------------------------------------------------------------ */
/* Shared indices and notifications                                    */
/* ------------------------------------------------------------------ */

static u32 cdnavf_ring_dev_cons(const struct cdnavf_ring *ring)
{
	return le32_to_cpu(READ_ONCE(ring->shm->dev.cons));
}

/* Store drv.prod: the descriptors up to @prod are the device's. */
static void cdnavf_ring_publish(struct cdnavf_ring *ring, u32 prod)
{
	/*
	 * Order the descriptor writes before the producer index that
	 * publishes them: the device reads prod, then the descriptors.
	 */
	dma_wmb();
	WRITE_ONCE(ring->shm->drv.prod, cpu_to_le32(prod));
}

/*
 * Ring the doorbell if the device asked for it since the last check.  The
 * producer side calls this after publishing; returns true if it rang.
 */
static bool cdnavf_ring_notify(struct cdnavf_ring *ring)
{
	u32 new = ring->next_to_use;
	u32 old = ring->last_notify;
	u32 event;

	if (new == old)
		return false;
	ring->last_notify = new;

	if (ring->event_idx) {
		/*
		 * Order our store of drv.prod before the load of
		 * dev.kick_event.  A device going idle stores kick_event,
		 * then (with a full barrier) reads prod once more.  Without
		 * this barrier the load could pass our store: we would read
		 * the old kick_event (device still busy, no kick needed)
		 * while the device reads the old prod and goes to sleep -
		 * the new descriptors would then wait for the next kick.
		 */
		mb();
		event = le32_to_cpu(READ_ONCE(ring->shm->dev.kick_event));
		if ((u32)(new - event - 1) >= (u32)(new - old))
			return false;
	}

	/*
	 * writel orders the earlier stores to coherent memory (prod, the
	 * descriptors) before the MMIO write reaches the device.
	 */
	if (ring->kick) {
		/*
		 * The kick page: one plain 32-bit store, which KVM traps and
		 * completes in the host kernel.  The barrier orders prod and
		 * the descriptors before it, as writel does for the BAR.
		 */
		wmb();
		WRITE_ONCE(*ring->kick, new);
	} else {
		writel(new, ring->doorbell);
	}
	return true;
}

/* Completions the device published that we have not consumed. */
static u32 cdnavf_ring_cpl_pending(const struct cdnavf_ring *ring)
{
	return cdnavf_ring_dev_cons(ring) - ring->next_cpl;
}

/* ------------------------------------------------------------------ */
/* TX                                                                  */
/* ------------------------------------------------------------------ */

static u32 cdnavf_tx_unused(const struct cdnavf_ring *ring)
{
	return ring->size - (READ_ONCE(ring->next_to_use) -
			     READ_ONCE(ring->next_to_clean));
}

static void cdnavf_tx_unmap(struct cdnavf_ring *ring, struct cdnavf_tx_buf *buf)
{
	if (!buf->len)
		return;
	if (buf->is_page)
		dma_unmap_page(ring->dev, buf->dma,
			       buf->len, DMA_TO_DEVICE);
	else
		dma_unmap_single(ring->dev, buf->dma,
				 buf->len, DMA_TO_DEVICE);
	buf->len = 0;
}

/* Unmap and free the packet whose first descriptor is @first. */
static void cdnavf_tx_free_pkt(struct cdnavf_ring *ring, u32 first, int budget)
{
	struct cdnavf_tx_buf *head = &ring->tx_buf[first & ring->mask];
	unsigned int i;

	for (i = 0; i < head->nr_desc; i++)
		cdnavf_tx_unmap(ring, &ring->tx_buf[(first + i) & ring->mask]);
	napi_consume_skb(head->skb, budget);
	head->skb = NULL;
}

/* Offload fields of a packet, for its first descriptor. */
struct cdnavf_tx_offload {
	u16 flags;
	u16 gso_size;
	u16 csum_start;
	u16 csum_offset;
	u16 hdr_len;
};

/* Return: 0, or -EINVAL to drop a packet we cannot describe. */
static int cdnavf_tx_offload(struct cdnavf_ring *ring, struct sk_buff *skb,
			     struct cdnavf_tx_offload *off)
{
	struct skb_shared_info *shinfo = skb_shinfo(skb);
	struct cdnavf_xmit_stats *stats = &ring->xmit_stats;
	int start;

	memset(off, 0, sizeof(*off));

	if (skb->ip_summed == CHECKSUM_PARTIAL) {
		start = skb_checksum_start_offset(skb);
		if (start < 0 || start > U16_MAX || skb->csum_offset > U16_MAX) {
			if (skb_is_gso(skb) || skb_checksum_help(skb))
				return -EINVAL;
		} else {
			off->flags |= CDNA_TXD_CSUM;
			off->csum_start = start;
			off->csum_offset = skb->csum_offset;
			u64_stats_update_begin(&stats->syncp);
			stats->csum++;
			u64_stats_update_end(&stats->syncp);
		}
	}

	if (!skb_is_gso(skb))
		return 0;

	if (shinfo->gso_type & SKB_GSO_TCPV4)
		off->flags |= CDNA_TXD_GSO_TCPV4;
	else if (shinfo->gso_type & SKB_GSO_TCPV6)
		off->flags |= CDNA_TXD_GSO_TCPV6;
	else
		return -EINVAL;	/* we advertise TCP segmentation only */
	if (shinfo->gso_type & SKB_GSO_TCP_ECN)
		off->flags |= CDNA_TXD_GSO_ECN;
	off->gso_size = shinfo->gso_size;
	off->hdr_len = skb_tcp_all_headers(skb);

	u64_stats_update_begin(&stats->syncp);
	stats->tso++;
	u64_stats_update_end(&stats->syncp);
	return 0;
}

static void cdnavf_tx_desc_set(struct cdnavf_ring *ring, u32 idx,
			       dma_addr_t dma, u32 len)
{
	struct cdna_tx_desc *desc = ring->desc;

	desc += idx & ring->mask;
	desc->addr = cpu_to_le64(dma);
	desc->len = cpu_to_le32(len);
	desc->flags = 0;
	desc->gso_size = 0;
	desc->csum_start = 0;
	desc->csum_offset = 0;
	desc->hdr_len = 0;
	desc->rsvd = 0;
	desc->rsvd2 = 0;
}

/*
 * Map the head and the fragments of @skb, one descriptor each, starting at
 * next_to_use.  Return: descriptors used, or -ENOMEM (nothing left mapped).
 */
static int cdnavf_tx_map(struct cdnavf_ring *ring, struct sk_buff *skb)
{
	struct skb_shared_info *shinfo = skb_shinfo(skb);
	u32 ntu = ring->next_to_use;
	struct cdnavf_tx_buf *buf;
	unsigned int i, len;
	dma_addr_t dma;
	int nr = 0;

	len = skb_headlen(skb);
	if (len) {
		dma = dma_map_single(ring->dev, skb->data, len, DMA_TO_DEVICE);
		if (dma_mapping_error(ring->dev, dma))
			goto err_unmap;
		buf = &ring->tx_buf[ntu & ring->mask];
		buf->is_page = false;
		buf->dma = dma;
		buf->len = len;
		cdnavf_tx_desc_set(ring, ntu, dma, len);
		nr++;
	}

	for (i = 0; i < shinfo->nr_frags; i++) {
		const skb_frag_t *frag = &shinfo->frags[i];

		len = skb_frag_size(frag);
		if (!len)
			continue;
		dma = skb_frag_dma_map(ring->dev, frag, 0, len, DMA_TO_DEVICE);
		if (dma_mapping_error(ring->dev, dma))
			goto err_unmap;
		buf = &ring->tx_buf[(ntu + nr) & ring->mask];
		buf->is_page = true;
		buf->dma = dma;
		buf->len = len;
		cdnavf_tx_desc_set(ring, ntu + nr, dma, len);
		nr++;
	}
	return nr;

err_unmap:
	while (nr--)
		cdnavf_tx_unmap(ring, &ring->tx_buf[(ntu + nr) & ring->mask]);
	return -ENOMEM;
}

/* Stop the queue if another packet may not fit; true if it stays stopped. */
static bool cdnavf_tx_maybe_stop(struct cdnavf_ring *ring,
				 struct netdev_queue *txq)
{
	if (likely(cdnavf_tx_unused(ring) >= CDNAVF_TX_STOP_THRESH))
		return false;

	netif_tx_stop_queue(txq);
	/*
	 * Order the stop bit before re-reading next_to_clean; pairs with the
	 * smp_mb() in cdnavf_tx_clean(): either we see the slots it freed,
	 * or it sees the queue stopped and wakes it.
	 */
	smp_mb();
	if (cdnavf_tx_unused(ring) < CDNAVF_TX_STOP_THRESH) {
		u64_stats_update_begin(&ring->xmit_stats.syncp);
		ring->xmit_stats.stops++;
		u64_stats_update_end(&ring->xmit_stats.syncp);
		return true;
	}
	netif_tx_start_queue(txq);
	return false;
}

static void cdnavf_tx_kick(struct cdnavf_ring *ring)
{
	if (cdnavf_ring_notify(ring)) {
		u64_stats_update_begin(&ring->xmit_stats.syncp);
		ring->xmit_stats.kicks++;
		u64_stats_update_end(&ring->xmit_stats.syncp);
	}
}

/**
 * cdnavf_start_xmit() - ndo_start_xmit: queue one packet on its TX ring
 * @skb: the packet
 * @netdev: our net_device
 *
 * One descriptor per buffer (head, then each fragment), offloads on the
 * first, EOP on the last.  The producer index is published for every
 * packet, so a polling device sees it at once; the doorbell is rung only
 * at the end of an xmit_more batch and only if the device asked for it.
 *
 * Return: NETDEV_TX_OK, or NETDEV_TX_BUSY if the ring is unexpectedly full.
 */
netdev_tx_t cdnavf_start_xmit(struct sk_buff *skb, struct net_device *netdev)
{
	struct cdnavf_adapter *adapter = netdev_priv(netdev);
	u16 qidx = skb_get_queue_mapping(skb);
	struct cdnavf_ring *ring = &adapter->qps[qidx].tx;
	struct netdev_queue *txq = netdev_get_tx_queue(netdev, qidx);
	struct cdnavf_xmit_stats *stats = &ring->xmit_stats;
	struct cdnavf_tx_offload off;
	struct cdnavf_tx_buf *head;
	struct cdna_tx_desc *desc;
	u32 first, bytes, segs;
	bool kick;
	int nr;

	if (unlikely(skb_shinfo(skb)->nr_frags + 1 > CDNA_MAX_TX_FRAGS)) {
		if (skb_linearize(skb))
			goto drop;
		u64_stats_update_begin(&stats->syncp);
		stats->linearize++;
		u64_stats_update_end(&stats->syncp);
	}

	if (unlikely(!skb->len || skb->len > CDNA_MAX_TX_LEN))
		goto drop;

	if (unlikely(cdnavf_tx_unused(ring) < CDNA_MAX_TX_FRAGS)) {
		/* cdnavf_tx_maybe_stop() should have stopped us. */
		netif_tx_stop_queue(txq);
		u64_stats_update_begin(&stats->syncp);
		stats->busy++;
		u64_stats_update_end(&stats->syncp);
		return NETDEV_TX_BUSY;
	}

	if (unlikely(cdnavf_tx_offload(ring, skb, &off)))
		goto drop;

	nr = cdnavf_tx_map(ring, skb);
	if (unlikely(nr <= 0)) {
		u64_stats_update_begin(&stats->syncp);
		stats->dma_errors++;
		u64_stats_update_end(&stats->syncp);
		goto drop_counted;
	}

	first = ring->next_to_use;
	desc = (struct cdna_tx_desc *)ring->desc + (first & ring->mask);
	desc->flags = cpu_to_le16(off.flags);
	desc->gso_size = cpu_to_le16(off.gso_size);
	desc->csum_start = cpu_to_le16(off.csum_start);
	desc->csum_offset = cpu_to_le16(off.csum_offset);
	desc->hdr_len = cpu_to_le16(off.hdr_len);
	desc = (struct cdna_tx_desc *)ring->desc +
	       ((first + nr - 1) & ring->mask);
	desc->flags |= cpu_to_le16(CDNA_TXD_EOP);

	segs = skb_is_gso(skb) ? skb_shinfo(skb)->gso_segs : 1;
	bytes = skb->len + (segs - 1) * off.hdr_len;
	head = &ring->tx_buf[first & ring->mask];
	head->skb = skb;
	head->nr_desc = nr;
	head->bytes = bytes;
	head->segs = segs;

	/* Last touch of the skb: once published it may complete at once. */
	skb_tx_timestamp(skb);
	kick = __netdev_tx_sent_queue(txq, bytes, netdev_xmit_more());

	/* cdnavf_tx_clean() reads next_to_use to check completions. */
	WRITE_ONCE(ring->next_to_use, first + nr);
	cdnavf_ring_publish(ring, first + nr);

	if (cdnavf_tx_maybe_stop(ring, txq))
		kick = true;
	if (kick)
		cdnavf_tx_kick(ring);
	return NETDEV_TX_OK;

drop:
	u64_stats_update_begin(&stats->syncp);
	stats->drops++;
	u64_stats_update_end(&stats->syncp);
drop_counted:
	dev_kfree_skb_any(skb);
	/* Packets batched before this one still need their doorbell. */
	if (!netdev_xmit_more())
		cdnavf_tx_kick(ring);
	return NETDEV_TX_OK;
}

/*
 * Reclaim completed packets.  Returns true if every published completion
 * was consumed (the caller may then re-arm the interrupt).
 */
static bool cdnavf_tx_clean(struct cdnavf_ring *ring, int napi_budget)
{
	struct cdnavf_adapter *adapter = ring->qp->adapter;
	struct cdnavf_tx_stats *stats = &ring->tx_stats;
	struct netdev_queue *txq;
	unsigned int budget = CDNAVF_TX_CLEAN_BUDGET;
	u32 cons, ntc, ntu, pkts = 0, bytes = 0, segs = 0;
	u32 errors = 0, bad = 0;
	bool done = true;

	cons = cdnavf_ring_dev_cons(ring);
	/*
	 * Read the completion entries only after dev.cons: pairs with the
	 * device's write barrier between filling them and storing cons.
	 */
	dma_rmb();

	ntc = ring->next_to_clean;
	ntu = READ_ONCE(ring->next_to_use);
	if (unlikely((u32)(cons - ring->next_cpl) > ring->size)) {
		bad++;
		goto bad_ring;
	}

	while (ring->next_cpl != cons) {
		struct cdnavf_tx_buf *head = &ring->tx_buf[ntc & ring->mask];
		const struct cdna_cpl *cpl =
			&ring->cpl[ring->next_cpl & ring->mask];

		if (!budget--) {
			done = false;
			break;
		}
		/* A completion for a packet we never posted. */
		if (unlikely(ntc == ntu || !head->skb ||
			     (u32)(ntu - ntc) < head->nr_desc)) {
			bad++;
			goto bad_ring;
		}
		/* Our bookkeeping is the truth; count a device that differs. */
		if (unlikely(le16_to_cpu(cpl->ndesc) != head->nr_desc))
			bad++;
		if (unlikely(le16_to_cpu(cpl->status) != CDNA_CPL_OK))
			errors++;

		pkts++;
		bytes += head->bytes;
		segs += head->segs;
		ntc += head->nr_desc;
		cdnavf_tx_free_pkt(ring, ntc - head->nr_desc, napi_budget);
		ring->next_cpl++;
	}

out:
	if (!pkts && !bad)
		return done;

	WRITE_ONCE(ring->next_to_clean, ntc);
	txq = netdev_get_tx_queue(ring->netdev, ring->qp->index);
	netdev_tx_completed_queue(txq, pkts, bytes);

	u64_stats_update_begin(&stats->syncp);
	stats->packets += segs;
	stats->bytes += bytes;
	stats->cpl_errors += errors;
	stats->bad_cpl += bad;
	u64_stats_update_end(&stats->syncp);

	/*
	 * Order the next_to_clean store before testing the stop bit; pairs
	 * with the smp_mb() in cdnavf_tx_maybe_stop().
	 */
	smp_mb();
	if (unlikely(netif_tx_queue_stopped(txq) &&
		     cdnavf_tx_unused(ring) >= CDNAVF_TX_WAKE_THRESH &&
		     test_bit(CDNAVF_FLAG_UP, &adapter->flags))) {
		netif_tx_wake_queue(txq);
		u64_stats_update_begin(&stats->syncp);
		stats->wakes++;
		u64_stats_update_end(&stats->syncp);
	}
	return done;

bad_ring:
	if (net_ratelimit())
		netdev_err(ring->netdev, "queue %u: completions beyond what was posted (cons %u, consumed %u): resetting\n",
			   ring->qid, cons, ring->next_cpl);
	cdnavf_request_reset(adapter);
	done = true;
	goto out;
}

/* Free every packet still on the ring; the device is reset. */
static void cdnavf_tx_drain(struct cdnavf_ring *ring)
{
	u32 ntc = ring->next_to_clean;

	while (ntc != ring->next_to_use) {
		struct cdnavf_tx_buf *head = &ring->tx_buf[ntc & ring->mask];

		if (!head->skb || !head->nr_desc) {
			ntc++;
			continue;
		}
		ntc += head->nr_desc;
		cdnavf_tx_free_pkt(ring, ntc - head->nr_desc, 0);
	}
	ring->next_to_clean = ntc;
	netdev_tx_reset_queue(netdev_get_tx_queue(ring->netdev,
						  ring->qp->index));
}

/* ------------------------------------------------------------------ */
/* RX                                                                  */
/* ------------------------------------------------------------------ */

static struct page *cdnavf_rx_take(struct cdnavf_ring *ring)
{
	struct cdnavf_rx_buf *buf =
		&ring->rx_buf[ring->next_to_clean++ & ring->mask];
	struct page *page = buf->page;

	buf->page = NULL;
	return page;
}

/* Give @n posted buffers back to the pool (NAPI context). */
static void cdnavf_rx_recycle(struct cdnavf_ring *ring, unsigned int n)
{
	while (n--) {
		struct page *page = cdnavf_rx_take(ring);

		if (page)
			page_pool_recycle_direct(ring->pp, page);
	}
}

static void cdnavf_rx_sync(struct cdnavf_ring *ring, struct page *page,
			   u32 len)
{
	dma_sync_single_range_for_cpu(ring->dev, page_pool_get_dma_addr(page),
				      CDNAVF_RX_HEADROOM, len, DMA_FROM_DEVICE);
}

/*
 * Turn @ndesc posted buffers holding @len bytes into an skb.  The device
 * fills buffers in order, each one completely but the last.
 */
static struct sk_buff *cdnavf_rx_build_skb(struct cdnavf_ring *ring,
					   u32 len, unsigned int ndesc)
{
	struct cdnavf_rx_stats *stats = &ring->rx_stats;
	struct sk_buff *skb;
	struct page *page;
	unsigned int i;
	u32 size;
	void *va;

	page = cdnavf_rx_take(ring);
	size = min_t(u32, len, ring->rx_fill);
	cdnavf_rx_sync(ring, page, size);
	va = page_address(page);
	net_prefetch(va + CDNAVF_RX_HEADROOM);

	if (ndesc == 1 && len <= CDNAVF_RX_COPYBREAK) {
		/* Small packets: a small skb, and the page is reused now. */
		skb = napi_alloc_skb(&ring->qp->napi, len);
		if (skb) {
			skb_put_data(skb, va + CDNAVF_RX_HEADROOM, len);
			u64_stats_update_begin(&stats->syncp);
			stats->copybreak++;
			u64_stats_update_end(&stats->syncp);
		}
		page_pool_recycle_direct(ring->pp, page);
		return skb;
	}

	skb = napi_build_skb(va, CDNAVF_RX_TRUESIZE);
	if (unlikely(!skb)) {
		page_pool_recycle_direct(ring->pp, page);
		cdnavf_rx_recycle(ring, ndesc - 1);
		return NULL;
	}
	skb_mark_for_recycle(skb);
	skb_reserve(skb, CDNAVF_RX_HEADROOM);
	__skb_put(skb, size);
	len -= size;

	for (i = 1; i < ndesc; i++) {
		page = cdnavf_rx_take(ring);
		size = min_t(u32, len, ring->rx_fill);
		cdnavf_rx_sync(ring, page, size);
		skb_add_rx_frag(skb, i - 1, page, CDNAVF_RX_HEADROOM, size,
				CDNAVF_RX_TRUESIZE);
		len -= size;
	}
	if (ndesc > 1) {
		u64_stats_update_begin(&stats->syncp);
		stats->multi_buf++;
		u64_stats_update_end(&stats->syncp);
	}
	return skb;
}

/* Apply checksum and GSO metadata; false if they make no sense. */
static bool cdnavf_rx_offload(struct cdnavf_ring *ring, struct sk_buff *skb,
			      const struct cdna_cpl *cpl)
{
	struct cdnavf_adapter *adapter = ring->qp->adapter;
	struct cdnavf_rx_stats *stats = &ring->rx_stats;
	u16 flags = le16_to_cpu(cpl->flags);
	bool rx_gso = cdnavf_has(adapter, CDNA_F_RX_GSO);
	u16 gso_size;

	if (flags & CDNA_RXC_CSUM_PARTIAL) {
		/* Never checksummed: whoever forwards it must finish it. */
		if (!rx_gso ||
		    !skb_partial_csum_set(skb, le16_to_cpu(cpl->csum_start),
					  le16_to_cpu(cpl->csum_offset)))
			return false;
		u64_stats_update_begin(&stats->syncp);
		stats->csum_partial++;
		u64_stats_update_end(&stats->syncp);
	} else if ((flags & CDNA_RXC_CSUM_VALID) &&
		   (ring->netdev->features & NETIF_F_RXCSUM)) {
		skb->ip_summed = CHECKSUM_UNNECESSARY;
		u64_stats_update_begin(&stats->syncp);
		stats->csum_valid++;
		u64_stats_update_end(&stats->syncp);
	}

	if (!(flags & (CDNA_RXC_GSO_TCPV4 | CDNA_RXC_GSO_TCPV6)))
		return true;

	gso_size = le16_to_cpu(cpl->gso_size);
	if (!rx_gso || !gso_size ||
	    (flags & CDNA_RXC_GSO_TCPV4 && flags & CDNA_RXC_GSO_TCPV6))
		return false;
	skb_shinfo(skb)->gso_size = gso_size;
	/* The device is not trusted: have the stack check the headers. */
	skb_shinfo(skb)->gso_type = SKB_GSO_DODGY |
		(flags & CDNA_RXC_GSO_TCPV4 ? SKB_GSO_TCPV4 : SKB_GSO_TCPV6);
	skb_shinfo(skb)->gso_segs = 0;
	u64_stats_update_begin(&stats->syncp);
	stats->gso++;
	u64_stats_update_end(&stats->syncp);
	return true;
}

/*
 * Post buffers into every free slot and publish them.  Return: buffers now
 * posted in total.
 */
static u32 cdnavf_rx_refill(struct cdnavf_ring *ring, gfp_t gfp)
{
	struct cdna_rx_desc *desc = ring->desc;
	u32 ntu = ring->next_to_use;
	u32 room = ring->size - (ntu - ring->next_to_clean);

	while (room--) {
		struct cdna_rx_desc *d = &desc[ntu & ring->mask];
		struct page *page;

		page = page_pool_alloc_pages(ring->pp, gfp);
		if (unlikely(!page)) {
			u64_stats_update_begin(&ring->rx_stats.syncp);
			ring->rx_stats.alloc_fail++;
			u64_stats_update_end(&ring->rx_stats.syncp);
			break;
		}
		ring->rx_buf[ntu & ring->mask].page = page;
		d->addr = cpu_to_le64(page_pool_get_dma_addr(page) +
				      CDNAVF_RX_HEADROOM);
		d->len = cpu_to_le32(CDNAVF_RX_BUF_LEN);
		d->rsvd = 0;
		ntu++;
	}

	if (ntu != ring->next_to_use) {
		ring->next_to_use = ntu;
		cdnavf_ring_publish(ring, ntu);
	}
	return ntu - ring->next_to_clean;
}

static int cdnavf_rx_clean(struct cdnavf_ring *ring, int budget)
{
	struct cdnavf_rx_stats *stats = &ring->rx_stats;
	u32 cons, pkts = 0, bytes = 0, errors = 0, bad = 0, drops = 0;
	int done = 0;

	cons = cdnavf_ring_dev_cons(ring);
	/*
	 * Read the completion entries only after dev.cons: pairs with the
	 * device's write barrier between filling them and storing cons.
	 */
	dma_rmb();

	if (unlikely((u32)(cons - ring->next_cpl) > ring->size)) {
		bad++;
		goto bad_ring;
	}

	while (done < budget && ring->next_cpl != cons) {
		const struct cdna_cpl *cpl =
			&ring->cpl[ring->next_cpl & ring->mask];
		u32 posted = ring->next_to_use - ring->next_to_clean;
		u32 len = le32_to_cpu(cpl->len);
		u16 ndesc = le16_to_cpu(cpl->ndesc);
		struct sk_buff *skb;

		/* Buffers we cannot account for: no way to go on safely. */
		if (unlikely(!ndesc || ndesc > CDNA_MAX_RX_FRAGS ||
			     ndesc > posted)) {
			bad++;
			goto bad_ring;
		}
		ring->next_cpl++;
		done++;

		if (unlikely(le16_to_cpu(cpl->status) != CDNA_CPL_OK)) {
			errors++;
			cdnavf_rx_recycle(ring, ndesc);
			continue;
		}
		if (unlikely(len < ETH_HLEN ||
			     len > ndesc * ring->rx_fill ||
			     len <= (ndesc - 1) * ring->rx_fill)) {
			bad++;
			cdnavf_rx_recycle(ring, ndesc);
			continue;
		}

		skb = cdnavf_rx_build_skb(ring, len, ndesc);
		if (unlikely(!skb)) {
			drops++;
			continue;
		}
		if (unlikely(!cdnavf_rx_offload(ring, skb, cpl))) {
			bad++;
			dev_kfree_skb_any(skb);
			continue;
		}
		skb->protocol = eth_type_trans(skb, ring->netdev);
		skb_record_rx_queue(skb, ring->qp->index);
		napi_gro_receive(&ring->qp->napi, skb);
		pkts++;
		bytes += len;
	}

out:
	u64_stats_update_begin(&stats->syncp);
	stats->packets += pkts;
	stats->bytes += bytes;
	stats->cpl_errors += errors;
	stats->bad_cpl += bad;
	stats->drops += drops;
	u64_stats_update_end(&stats->syncp);
	return done;

bad_ring:
	if (net_ratelimit())
		netdev_err(ring->netdev, "queue %u: completion beyond the buffers posted (cons %u, consumed %u): resetting\n",
			   ring->qid, cons, ring->next_cpl);
	cdnavf_request_reset(ring->qp->adapter);
	goto out;
}

/* Give every posted buffer back; the device is reset. */
static void cdnavf_rx_drain(struct cdnavf_ring *ring)
{
	while (ring->next_to_clean != ring->next_to_use) {
		struct page *page = cdnavf_rx_take(ring);

		if (page)
			page_pool_put_full_page(ring->pp, page, false);
	}
}

/* ------------------------------------------------------------------ */
/* NAPI and interrupts                                                 */
/* ------------------------------------------------------------------ */

/*
 * Ask for an interrupt at the next completion of either ring, then check
 * whether one slipped in.  Return: true if completions are pending.
 *
 * TX completions are not delayed on purpose (no virtio-style "after 3/4 of
 * the packets in flight"): TCP small queues hold a socket back until its
 * skbs are freed, and in the testbed a delayed TX interrupt cut a single
 * TCP stream from 360 to 130 Mbit/s.  ethtool -C tx-usecs/tx-frames is
 * the knob for trading latency against interrupts.
 */
static bool cdnavf_qp_rearm(struct cdnavf_qp *qp)
{
	struct cdnavf_ring *rx = &qp->rx, *tx = &qp->tx;

	/*
	 * Without EVENT_IDX the device interrupts after every batch; an
	 * interrupt during the poll sets NAPI_STATE_MISSED, so nothing is lost.
	 */
	if (!rx->event_idx)
		return false;

	WRITE_ONCE(rx->shm->drv.irq_event, cpu_to_le32(rx->next_cpl));
	WRITE_ONCE(tx->shm->drv.irq_event, cpu_to_le32(tx->next_cpl));
	/*
	 * Order the irq_event stores before re-reading dev.cons.  The device
	 * stores cons, then (full barrier) loads irq_event to decide on an
	 * interrupt.  Without this barrier our cons load could pass our
	 * stores: we would see no new completion while the device sees the
	 * old irq_event and stays silent, and the queue would stall.
	 */
	mb();
	return cdnavf_ring_cpl_pending(rx) || cdnavf_ring_cpl_pending(tx);
}

static int cdnavf_poll(struct napi_struct *napi, int budget)
{
	struct cdnavf_qp *qp = container_of(napi, struct cdnavf_qp, napi);
	struct cdnavf_ring *rx = &qp->rx;
	bool tx_done;
	int rx_done = 0;

	tx_done = cdnavf_tx_clean(&qp->tx, budget);
	if (!budget)
		return 0;	/* netpoll: TX only */

	rx_done = cdnavf_rx_clean(rx, budget);
	if (!cdnavf_rx_refill(rx, GFP_ATOMIC | __GFP_NOWARN))
		/* Nothing posted, so no completion will call us back. */
		schedule_delayed_work(&qp->refill_work, HZ / 10);
	if (cdnavf_ring_notify(rx)) {
		u64_stats_update_begin(&rx->rx_stats.syncp);
		rx->rx_stats.kicks++;
		u64_stats_update_end(&rx->rx_stats.syncp);
	}

	if (!tx_done || rx_done >= budget)
		return budget;

	if (napi_complete_done(napi, rx_done) && cdnavf_qp_rearm(qp))
		napi_schedule(napi);
	return rx_done;
}

static irqreturn_t cdnavf_qp_irq(int irq, void *data)
{
	struct cdnavf_qp *qp = data;

	u64_stats_update_begin(&qp->irq_stats.syncp);
	qp->irq_stats.irqs++;
	u64_stats_update_end(&qp->irq_stats.syncp);
	napi_schedule_irqoff(&qp->napi);
	return IRQ_HANDLED;
}

static void cdnavf_refill_task(struct work_struct *work)
{
	struct cdnavf_qp *qp = container_of(to_delayed_work(work),
					    struct cdnavf_qp, refill_work);

	/* The poll retries the allocation; bottom halves run it on enable. */
	local_bh_disable();
	napi_schedule(&qp->napi);
	local_bh_enable();
}

/**
 * cdnavf_napi_init() - set up the queue pairs' constant parts
 * @adapter: the adapter, with max_qp and the BAR mapped
 */
void cdnavf_napi_init(struct cdnavf_adapter *adapter)
{
	unsigned int i;

	/* An RX packet's buffers fit in one skb; a full 64 KiB fits too. */
	BUILD_BUG_ON(CDNA_MAX_RX_FRAGS - 1 > MAX_SKB_FRAGS);
	BUILD_BUG_ON(CDNAVF_RX_BUF_LEN < CDNA_MIN_RX_BUF);
	BUILD_BUG_ON(CDNA_MAX_RX_FRAGS * CDNAVF_RX_BUF_LEN <
		     CDNA_MAX_TX_LEN + ETH_HLEN);
	BUILD_BUG_ON(CDNAVF_TX_WAKE_THRESH >= CDNA_MIN_RING_SIZE);

	for (i = 0; i < adapter->max_qp; i++) {
		struct cdnavf_qp *qp = &adapter->qps[i];
		struct cdnavf_ring *rings[] = { &qp->rx, &qp->tx };
		unsigned int r;

		qp->adapter = adapter;
		qp->index = i;
		u64_stats_init(&qp->irq_stats.syncp);
		INIT_DELAYED_WORK(&qp->refill_work, cdnavf_refill_task);
		for (r = 0; r < ARRAY_SIZE(rings); r++) {
			struct cdnavf_ring *ring = rings[r];

			ring->netdev = adapter->netdev;
			ring->dev = &adapter->pdev->dev;
			ring->qp = qp;
			ring->qid = ring == &qp->rx ? CDNA_QUEUE_RX(i) :
						      CDNA_QUEUE_TX(i);
			ring->doorbell = adapter->regs +
					 CDNA_REG_DOORBELL(ring->qid);
		}
		u64_stats_init(&qp->rx.rx_stats.syncp);
		u64_stats_init(&qp->tx.tx_stats.syncp);
		u64_stats_init(&qp->tx.xmit_stats.syncp);
		netif_napi_add(adapter->netdev, &qp->napi, cdnavf_poll);
	}
}

/**
 * cdnavf_napi_exit() - undo cdnavf_napi_init()
 * @adapter: the adapter, its net_device unregistered
 */
void cdnavf_napi_exit(struct cdnavf_adapter *adapter)
{
	unsigned int i;

	for (i = adapter->max_qp; i-- > 0; )
		netif_napi_del(&adapter->qps[i].napi);
}

/**
 * cdnavf_napi_enable_all() - start NAPI on the queue pairs in use
 * @adapter: the adapter, its queues enabled on the device
 *
 * Each queue pair is polled once right away: that rings the RX doorbells
 * for the buffers posted before the device started and arms the interrupts.
 */
void cdnavf_napi_enable_all(struct cdnavf_adapter *adapter)
{
	unsigned int i;

	for (i = 0; i < adapter->cfg.num_qp; i++)
		napi_enable(&adapter->qps[i].napi);

	local_bh_disable();
	for (i = 0; i < adapter->cfg.num_qp; i++)
		napi_schedule(&adapter->qps[i].napi);
	local_bh_enable();
}

/**
 * cdnavf_napi_disable_all() - stop NAPI on the queue pairs in use
 * @adapter: the adapter
 *
 * Waits for running polls; the refill retries are cancelled too.
 */
void cdnavf_napi_disable_all(struct cdnavf_adapter *adapter)
{
	unsigned int i;

	for (i = adapter->cfg.num_qp; i-- > 0; ) {
		napi_disable(&adapter->qps[i].napi);
		cancel_delayed_work_sync(&adapter->qps[i].refill_work);
	}
}

/**
 * cdnavf_qp_irqs_request() - request the vectors of the queue pairs in use
 * @adapter: the adapter
 *
 * NAPI is still disabled: an early interrupt schedules nothing.
 *
 * Return: 0 or the error of request_irq(); nothing is left requested.
 */
int cdnavf_qp_irqs_request(struct cdnavf_adapter *adapter)
{
	struct pci_dev *pdev = adapter->pdev;
	const struct cpumask *mask;
	unsigned int i;
	int err;

	for (i = 0; i < adapter->cfg.num_qp; i++) {
		struct cdnavf_qp *qp = &adapter->qps[i];

		qp->irq = pci_irq_vector(pdev, CDNA_MSIX_QP_VECTOR(i));
		snprintf(qp->irq_name, sizeof(qp->irq_name), "%s-%s-qp%u",
			 CDNAVF_DRV_NAME, pci_name(pdev), i);
		err = request_irq(qp->irq, cdnavf_qp_irq, 0, qp->irq_name, qp);
		if (err) {
			netdev_err(adapter->netdev, "cannot request vector %u: %d\n",
				   CDNA_MSIX_QP_VECTOR(i), err);
			cdnavf_qp_irqs_free(adapter);
			return err;
		}
		qp->irq_requested = true;

		/*
		 * Spread the queue pairs over the CPUs, and transmit on the
		 * queue pair whose interrupt the sending CPU takes.  Failures
		 * only cost locality.
		 */
		mask = cpumask_of(cpumask_local_spread(i, dev_to_node(&pdev->dev)));
		irq_set_affinity_and_hint(qp->irq, mask);
		netif_set_xps_queue(adapter->netdev, mask, i);
	}
	return 0;
}

/**
 * cdnavf_qp_irqs_free() - free the vectors of the queue pairs
 * @adapter: the adapter
 */
void cdnavf_qp_irqs_free(struct cdnavf_adapter *adapter)
{
	unsigned int i;

	for (i = adapter->max_qp; i-- > 0; ) {
		struct cdnavf_qp *qp = &adapter->qps[i];

		if (qp->irq_requested) {
			irq_update_affinity_hint(qp->irq, NULL);
			free_irq(qp->irq, qp);
			qp->irq_requested = false;
		}
	}
}

/* ------------------------------------------------------------------ */
/* Ring memory and queue configuration                                 */
/* ------------------------------------------------------------------ */

static void cdnavf_ring_free(struct cdnavf_ring *ring, size_t desc_size)
{
	if (ring->shm)
		dma_free_coherent(ring->dev, sizeof(*ring->shm), ring->shm,
				  ring->shm_dma);
	if (ring->cpl)
		dma_free_coherent(ring->dev, ring->size * sizeof(*ring->cpl),
				  ring->cpl, ring->cpl_dma);
	if (ring->desc)
		dma_free_coherent(ring->dev, ring->size * desc_size,
				  ring->desc, ring->desc_dma);
	ring->shm = NULL;
	ring->cpl = NULL;
	ring->desc = NULL;
}

static int cdnavf_ring_alloc(struct cdnavf_ring *ring, u32 size,
			     size_t desc_size, bool event_idx)
{
	ring->size = size;
	ring->mask = size - 1;
	ring->event_idx = event_idx;
	ring->next_to_use = 0;
	ring->last_notify = 0;
	ring->next_to_clean = 0;
	ring->next_cpl = 0;

	/* Coherent allocations are page aligned: 64 and 128 bytes hold. */
	ring->desc = dma_alloc_coherent(ring->dev, size * desc_size,
					&ring->desc_dma, GFP_KERNEL);
	ring->cpl = dma_alloc_coherent(ring->dev, size * sizeof(*ring->cpl),
				       &ring->cpl_dma, GFP_KERNEL);
	ring->shm = dma_alloc_coherent(ring->dev, sizeof(*ring->shm),
				       &ring->shm_dma, GFP_KERNEL);
	if (!ring->desc || !ring->cpl || !ring->shm) {
		cdnavf_ring_free(ring, desc_size);
		return -ENOMEM;
	}
	return 0;
}

static void cdnavf_tx_ring_free(struct cdnavf_ring *ring)
{
	if (ring->tx_buf)
		cdnavf_tx_drain(ring);
	kvfree(ring->tx_buf);
	ring->tx_buf = NULL;
	cdnavf_ring_free(ring, sizeof(struct cdna_tx_desc));
}

static int cdnavf_tx_ring_alloc(struct cdnavf_adapter *adapter,
				struct cdnavf_ring *ring)
{
	u32 size = adapter->cfg.tx_ring_size;
	int err;

	err = cdnavf_ring_alloc(ring, size, sizeof(struct cdna_tx_desc),
				cdnavf_has(adapter, CDNA_F_EVENT_IDX));
	if (err)
		return err;
	ring->tx_buf = kvcalloc(size, sizeof(*ring->tx_buf), GFP_KERNEL);
	if (!ring->tx_buf) {
		cdnavf_tx_ring_free(ring);
		return -ENOMEM;
	}
	return 0;
}

static void cdnavf_rx_ring_free(struct cdnavf_ring *ring)
{
	if (ring->rx_buf && ring->pp)
		cdnavf_rx_drain(ring);
	if (ring->pp)
		page_pool_destroy(ring->pp);
	ring->pp = NULL;
	kvfree(ring->rx_buf);
	ring->rx_buf = NULL;
	cdnavf_ring_free(ring, sizeof(struct cdna_rx_desc));
}

static int cdnavf_rx_ring_alloc(struct cdnavf_adapter *adapter,
				struct cdnavf_ring *ring)
{
	struct page_pool_params pp = {
		.flags = PP_FLAG_DMA_MAP | PP_FLAG_DMA_SYNC_DEV,
		.order = 0,
		.pool_size = adapter->cfg.rx_ring_size,
		.nid = dev_to_node(ring->dev),
		.dev = ring->dev,
		.dma_dir = DMA_FROM_DEVICE,
		.offset = CDNAVF_RX_HEADROOM,
		.max_len = CDNAVF_RX_BUF_LEN,
	};
	u32 size = adapter->cfg.rx_ring_size;
	struct page_pool *pool;
	int err;

	err = cdnavf_ring_alloc(ring, size, sizeof(struct cdna_rx_desc),
				cdnavf_has(adapter, CDNA_F_EVENT_IDX));
	if (err)
		return err;

	ring->rx_buf = kvcalloc(size, sizeof(*ring->rx_buf), GFP_KERNEL);
	if (!ring->rx_buf)
		goto err_free_ring;

	pool = page_pool_create(&pp);
	if (IS_ERR(pool))
		goto err_free_ring;
	ring->pp = pool;

	/* Post every buffer now; the first poll rings the doorbell. */
	if (!cdnavf_rx_refill(ring, GFP_KERNEL))
		goto err_free_ring;
	return 0;

err_free_ring:
	cdnavf_rx_ring_free(ring);
	return -ENOMEM;
}

/**
 * cdnavf_rings_alloc() - allocate the rings of the queue pairs in use
 * @adapter: the adapter, down
 *
 * RX rings are filled with buffers; nothing is given to the device yet.
 *
 * Return: 0 or -ENOMEM (nothing left allocated).
 */
int cdnavf_rings_alloc(struct cdnavf_adapter *adapter)
{
	unsigned int i;
	int err;

	for (i = 0; i < adapter->cfg.num_qp; i++) {
		struct cdnavf_qp *qp = &adapter->qps[i];

		err = cdnavf_rx_ring_alloc(adapter, &qp->rx);
		if (err)
			goto err_free_rings;
		err = cdnavf_tx_ring_alloc(adapter, &qp->tx);
		if (err)
			goto err_free_rings;
	}
	return 0;

err_free_rings:
	netdev_err(adapter->netdev, "cannot allocate the rings of queue pair %u\n",
		   i);
	cdnavf_rings_free(adapter);
	return err;
}

/**
 * cdnavf_rings_free() - free every ring, its buffers and packets
 * @adapter: the adapter; the device must be reset (it lets go first)
 */
void cdnavf_rings_free(struct cdnavf_adapter *adapter)
{
	unsigned int i;

	for (i = adapter->max_qp; i-- > 0; ) {
		cdnavf_tx_ring_free(&adapter->qps[i].tx);
		cdnavf_rx_ring_free(&adapter->qps[i].rx);
	}
}

static int cdnavf_ring_enable(struct cdnavf_adapter *adapter,
			      struct cdnavf_ring *ring)
{
	u16 q = ring->qid;

	cdnavf_wr32(adapter, CDNA_REG_QUEUE(q, CDNA_QREG_DESC_LO),
		    lower_32_bits(ring->desc_dma));
	cdnavf_wr32(adapter, CDNA_REG_QUEUE(q, CDNA_QREG_DESC_HI),
		    upper_32_bits(ring->desc_dma));
	cdnavf_wr32(adapter, CDNA_REG_QUEUE(q, CDNA_QREG_CPL_LO),
		    lower_32_bits(ring->cpl_dma));
	cdnavf_wr32(adapter, CDNA_REG_QUEUE(q, CDNA_QREG_CPL_HI),
		    upper_32_bits(ring->cpl_dma));
	cdnavf_wr32(adapter, CDNA_REG_QUEUE(q, CDNA_QREG_SHM_LO),
		    lower_32_bits(ring->shm_dma));
	cdnavf_wr32(adapter, CDNA_REG_QUEUE(q, CDNA_QREG_SHM_HI),
		    upper_32_bits(ring->shm_dma));
	cdnavf_wr32(adapter, CDNA_REG_QUEUE(q, CDNA_QREG_SIZE), ring->size);
	ring->rx_fill = CDNAVF_RX_BUF_LEN;
	if (!(q & 1) && cdnavf_has(adapter, CDNA_F_RX_BUF_SIZE)) {
		u32 fill;

		/* A device with one RX buffer size per queue (a NIC's SRRCTL)
		 * takes ours rounded down, or refuses buffers this small.
		 */
		cdnavf_wr32(adapter, CDNA_REG_QUEUE(q, CDNA_QREG_RX_BUF_SIZE),
			    CDNAVF_RX_BUF_LEN);
		fill = cdnavf_rd32(adapter,
				   CDNA_REG_QUEUE(q, CDNA_QREG_RX_BUF_SIZE));
		if (fill > CDNAVF_RX_BUF_LEN) {
			netdev_err(adapter->netdev, "queue %u: device needs %u-byte RX buffers, ours hold %lu\n",
				   q, fill, (unsigned long)CDNAVF_RX_BUF_LEN);
			return -EINVAL;
		}
		if (fill)
			ring->rx_fill = fill;
	}
	cdnavf_wr32(adapter, CDNA_REG_QUEUE(q, CDNA_QREG_ENABLE), 1);

	if (cdnavf_rd32(adapter, CDNA_REG_QUEUE(q, CDNA_QREG_ENABLE)) != 1) {
		netdev_err(adapter->netdev, "device refused queue %u (error cause %u)\n",
			   q, cdnavf_rd32(adapter, CDNA_REG_ERROR_CAUSE));
		return -EIO;
	}
	return 0;
}

/**
 * cdnavf_queues_enable() - hand the rings to the device
 * @adapter: the adapter, past FEATURES_OK, rings allocated
 *
 * Return: 0, or -EIO if the device refused a queue.
 */
int cdnavf_queues_enable(struct cdnavf_adapter *adapter)
{
	unsigned int i;
	int err;

	cdnavf_wr32(adapter, CDNA_REG_NUM_QUEUE_PAIRS, adapter->cfg.num_qp);
	for (i = 0; i < adapter->cfg.num_qp; i++) {
		err = cdnavf_ring_enable(adapter, &adapter->qps[i].rx);
		if (err)
			return err;
		err = cdnavf_ring_enable(adapter, &adapter->qps[i].tx);
		if (err)
			return err;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Statistics                                                          */
/* ------------------------------------------------------------------ */

/**
 * cdnavf_get_stats64() - ndo_get_stats64: sum of every ring's counters
 * @netdev: our net_device
 * @stats: filled in
 */
void cdnavf_get_stats64(struct net_device *netdev,
			struct rtnl_link_stats64 *stats)
{
	struct cdnavf_adapter *adapter = netdev_priv(netdev);
	unsigned int i, start;

	for (i = 0; i < adapter->max_qp; i++) {
		const struct cdnavf_qp *qp = &adapter->qps[i];
		const struct cdnavf_xmit_stats *xs = &qp->tx.xmit_stats;
		const struct cdnavf_tx_stats *ts = &qp->tx.tx_stats;
		const struct cdnavf_rx_stats *rs = &qp->rx.rx_stats;
		u64 a, b, c, d;

		do {
			start = u64_stats_fetch_begin(&rs->syncp);
			a = rs->packets;
			b = rs->bytes;
			c = rs->drops;
			d = rs->cpl_errors + rs->bad_cpl;
		} while (u64_stats_fetch_retry(&rs->syncp, start));
		stats->rx_packets += a;
		stats->rx_bytes += b;
		stats->rx_dropped += c;
		stats->rx_errors += d;

		do {
			start = u64_stats_fetch_begin(&ts->syncp);
			a = ts->packets;
			b = ts->bytes;
			c = ts->cpl_errors + ts->bad_cpl;
		} while (u64_stats_fetch_retry(&ts->syncp, start));
		stats->tx_packets += a;
		stats->tx_bytes += b;
		stats->tx_errors += c;

		do {
			start = u64_stats_fetch_begin(&xs->syncp);
			a = xs->drops + xs->dma_errors;
		} while (u64_stats_fetch_retry(&xs->syncp, start));
		stats->tx_dropped += a;
	}
}
