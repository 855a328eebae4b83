// SPDX-License-Identifier: GPL-2.0
/*
 * cdna igb backend: guest descriptors become hardware descriptors.
 *
 * This is CDNA's hypervisor-checked enqueue on a real NIC.  Each guest
 * descriptor is read once (queue.c), validated, and every guest page it
 * names is pinned through the context's protection and mapped on the VF
 * with the DMA API; only then does a hardware descriptor pointing at that
 * page go into the VF's ring, which lives in host memory and is written by
 * nobody else.  The NIC then reads TX frames from, and writes RX frames
 * into, the guest's own pages: no byte is copied by the host.
 *
 * Hardware write-back (DD) becomes cdna completions, in guest ring order:
 *  - TX: a FIFO of the guest's packets, each with the hardware
 *    descriptors it uses (none for a packet refused before the NIC saw
 *    it); the head completes when its last descriptor is done.
 *  - RX: hardware slot i holds the guest's i-th posted buffer.  A buffer
 *    that fails the check is still given a hardware slot, pointing at a
 *    host sink page, so that completions stay in ring order; the NIC may
 *    write a frame there, which is dropped, and the guest gets an error
 *    completion for the refused buffer.  The NIC writes at most the
 *    queue's SRRCTL size into a buffer, so a guest buffer smaller than
 *    that, or one whose first SRRCTL bytes cross a page (one hardware
 *    descriptor, one DMA mapping), is refused.
 *
 * With the iommu protection (struct cdna_protect_ops.dev_iova) the guest
 * addresses go into the hardware descriptors as they are, the VF being
 * attached to the context's own IOMMU domain, and the hardware rings are
 * host memory the protection maps there (.host_alloc).  An RX buffer in a
 * page the protection could not map still goes to the NIC, whose write
 * there the IOMMU stops; its descriptor completes to the guest as an
 * error (CDNA_DROP_BAD_ADDR) and counts in ctx->iommu_faults.  A TX
 * packet with such a page is refused before the NIC sees it: a NIC whose
 * read faulted still sends the frame (QEMU's igb sends zeros for what it
 * could not read), so the wire would carry a frame the guest was told
 * failed.
 *
 * Everything here runs with the context's engine lock (cdna_igb_ctx.lock).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-mapping.h>
#include <linux/if_vlan.h>

#include "igb.h"

/* Count a packet moved (@r == CDNA_DROP_MAX) or dropped for @r. */
static void cdna_igb_count(struct cdna_queue *q, enum cdna_drop_reason r,
			   u32 len)
{
	u64_stats_update_begin(&q->stats.syncp);
	if (r == CDNA_DROP_MAX) {
		q->stats.packets++;
		q->stats.bytes += len;
	} else {
		q->stats.drops[r]++;
	}
	u64_stats_update_end(&q->stats.syncp);
}

static void cdna_igb_complete(struct cdna_queue *q, u16 ndesc, u32 len,
			      enum cdna_drop_reason r)
{
	struct cdna_cpl cpl = {
		.len = cpu_to_le32(r == CDNA_DROP_MAX ? len : 0),
		.ndesc = cpu_to_le16(ndesc),
		.status = cpu_to_le16(cdna_queue_drop_status(r)),
	};

	cdna_queue_complete(q, &cpl, ndesc);
	cdna_igb_count(q, r, len);
}

/* Hand one page's pin back to the protection (lazily kept cached). */
static void cdna_igb_put_pin(struct cdna_igb_ctx *ictx, struct cdna_pin *pin)
{
	struct cdna_ctx *ctx = ictx->ctx;

	if (!pin)
		return;		/* a page the IOMMU domain does not map */
	ictx->scratch.npages = 1;
	ictx->scratch.pins[0] = pin;
	ctx->protect->put_buf(ctx, &ictx->scratch);
}

static struct device *cdna_igb_dev(struct cdna_igb_ctx *ictx)
{
	return &ictx->vf->pdev->dev;
}

/* Guest pages go to the NIC by guest address (the iommu protection). */
static bool cdna_igb_dev_iova(struct cdna_igb_ctx *ictx)
{
	return ictx->ctx->protect->dev_iova;
}

/*
 * Undo a TX slot's DMA API mapping of its own (the checked protection,
 * when the pin's cached mapping could not be used).
 */
static void cdna_igb_tx_unmap(struct cdna_igb_ctx *ictx,
			      struct cdna_igb_tx_slot *s)
{
	if (s->own_map && ictx->vf)
		dma_unmap_page(cdna_igb_dev(ictx), s->dma, s->len,
			       DMA_TO_DEVICE);
	s->own_map = false;
}

/*
 * The NIC is done with an RX slot's guest buffer: undo its own mapping,
 * or sync what the NIC may have written in the pin's cached one.
 */
static void cdna_igb_rx_unmap(struct cdna_igb_ctx *ictx,
			      struct cdna_igb_qp *p, struct cdna_igb_rx_slot *s)
{
	if (!ictx->vf || !s->pin || cdna_igb_dev_iova(ictx))
		return;
	if (s->own_map)
		dma_unmap_page(cdna_igb_dev(ictx), s->dma, p->rx_buf,
			       DMA_FROM_DEVICE);
	else
		dma_sync_single_for_cpu(cdna_igb_dev(ictx), s->dma, p->rx_buf,
					DMA_FROM_DEVICE);
	s->own_map = false;
}

/**
 * cdna_igb_qp_alloc() - allocate the hardware ring of a queue
 * @ictx: the context, engine lock held
 * @qp: queue pair
 * @tx: the TX queue (else RX)
 * @guest_size: entries of the guest's ring
 *
 * Return: 0, -ENODEV if the VF is gone, -ENOMEM.
 */
int cdna_igb_qp_alloc(struct cdna_igb_ctx *ictx, unsigned int qp, bool tx,
		      u32 guest_size)
{
	const struct cdna_protect_ops *prot = ictx->ctx->protect;
	struct cdna_igb_qp *p = &ictx->qp[qp];
	struct device *dev;
	void *ring;
	int ret;

	if (!ictx->vf)
		return -ENODEV;
	dev = cdna_igb_dev(ictx);
	if (tx) {
		p->tx_pkt = kvcalloc(guest_size, sizeof(*p->tx_pkt),
				     GFP_KERNEL);
		if (!p->tx_pkt)
			return -ENOMEM;
		ret = prot->host_alloc(ictx->ctx, dev, CDNA_IGB_TXR_BYTES,
				       &ring, &p->txr_dma);
		if (ret) {
			kvfree(p->tx_pkt);
			p->tx_pkt = NULL;
			return ret;
		}
		p->txr = ring;
		p->tx_pkt_mask = guest_size - 1;
		p->tx_ntu = 0;
		p->tx_ntc = 0;
		p->tx_head = 0;
		p->tx_tail = 0;
		p->nhand = 0;
		p->tx_halt = false;
		p->tx_on = true;
		return 0;
	}
	p->rx_slot = kvcalloc(guest_size, sizeof(*p->rx_slot), GFP_KERNEL);
	if (!p->rx_slot)
		return -ENOMEM;
	ret = prot->host_alloc(ictx->ctx, dev, guest_size * sizeof(*p->rxr),
			       &ring, &p->rxr_dma);
	if (ret) {
		kvfree(p->rx_slot);
		p->rx_slot = NULL;
		return ret;
	}
	p->rxr = ring;
	p->rx_count = guest_size;
	p->rx_ntu = 0;
	p->rx_ntc = 0;
	p->rx_frame_bufs = 0;
	p->rx_frame_len = 0;
	p->rx_frame_reason = CDNA_DROP_MAX;
	p->rx_halt = false;
	p->rx_on = true;
	return 0;
}

/* Unmap and unpin what the NIC still holds of a TX queue; rewind. */
static void cdna_igb_tx_drain(struct cdna_igb_ctx *ictx, unsigned int qp)
{
	struct cdna_igb_qp *p = &ictx->qp[qp];
	struct cdna_queue *q = &ictx->ctx->queues[CDNA_QUEUE_TX(qp)];
	struct cdna_igb_tx_slot *s;

	for (; p->tx_ntc != p->tx_ntu; p->tx_ntc++) {
		s = &p->tx_slot[p->tx_ntc & (CDNA_IGB_TX_RING - 1)];
		cdna_igb_tx_unmap(ictx, s);
		cdna_igb_put_pin(ictx, s->pin);
	}
	p->tx_head = p->tx_tail;
	p->tx_ntu = 0;
	p->tx_ntc = 0;
	p->nhand = 0;
	/* What was read but not completed is read again after a restart. */
	q->fetch = q->next_desc;
}

static void cdna_igb_rx_drain(struct cdna_igb_ctx *ictx, unsigned int qp)
{
	struct cdna_igb_qp *p = &ictx->qp[qp];
	struct cdna_queue *q = &ictx->ctx->queues[CDNA_QUEUE_RX(qp)];
	struct cdna_igb_rx_slot *s;

	for (; p->rx_ntc != p->rx_ntu; p->rx_ntc++) {
		s = &p->rx_slot[p->rx_ntc & (p->rx_count - 1)];
		if (!s->pin)
			continue;
		cdna_igb_rx_unmap(ictx, p, s);
		cdna_igb_put_pin(ictx, s->pin);
		s->pin = NULL;
	}
	p->rx_ntu = 0;
	p->rx_ntc = 0;
	p->rx_frame_bufs = 0;
	p->rx_frame_len = 0;
	p->rx_frame_reason = CDNA_DROP_MAX;
	q->fetch = q->next_desc;
}

/**
 * cdna_igb_qp_free() - free the hardware ring of a stopped queue
 * @ictx: the context, engine lock held
 * @qp: queue pair
 * @tx: the TX queue (else RX)
 *
 * The hardware queue is stopped (cdna_igb_hw_queue_stop()) or the VF is
 * gone; every buffer still posted is unmapped and unpinned.
 */
void cdna_igb_qp_free(struct cdna_igb_ctx *ictx, unsigned int qp, bool tx)
{
	const struct cdna_protect_ops *prot = ictx->ctx->protect;
	struct cdna_igb_qp *p = &ictx->qp[qp];
	struct device *dev = ictx->vf ? cdna_igb_dev(ictx) : NULL;

	if (tx) {
		if (!p->tx_on)
			return;
		cdna_igb_tx_drain(ictx, qp);
		if (dev)
			prot->host_free(ictx->ctx, dev, CDNA_IGB_TXR_BYTES,
					p->txr, p->txr_dma);
		p->txr = NULL;
		kvfree(p->tx_pkt);
		p->tx_pkt = NULL;
		p->tx_on = false;
		return;
	}
	if (!p->rx_on)
		return;
	cdna_igb_rx_drain(ictx, qp);
	if (dev)
		prot->host_free(ictx->ctx, dev, p->rx_count * sizeof(*p->rxr),
				p->rxr, p->rxr_dma);
	p->rxr = NULL;
	kvfree(p->rx_slot);
	p->rx_slot = NULL;
	p->rx_on = false;
}

/**
 * cdna_igb_hw_queue_start() - program and enable a hardware queue
 * @ictx: the context, engine lock held, VF present
 * @qp: queue pair (the VF's queue of the same number)
 * @tx: the TX queue (else RX)
 */
void cdna_igb_hw_queue_start(struct cdna_igb_ctx *ictx, unsigned int qp,
			     bool tx)
{
	struct cdna_igb_qp *p = &ictx->qp[qp];
	struct cdna_igb_vf *vf = ictx->vf;

	if (tx) {
		cdna_igb_wr(vf, CDNA_IGB_TXDCTL(qp), 0);
		cdna_igb_wr(vf, CDNA_IGB_TDBAL(qp), lower_32_bits(p->txr_dma));
		cdna_igb_wr(vf, CDNA_IGB_TDBAH(qp), upper_32_bits(p->txr_dma));
		cdna_igb_wr(vf, CDNA_IGB_TDLEN(qp),
			    CDNA_IGB_TX_RING * sizeof(*p->txr));
		cdna_igb_wr(vf, CDNA_IGB_TDH(qp), 0);
		cdna_igb_wr(vf, CDNA_IGB_TDT(qp), 0);
		cdna_igb_wr(vf, CDNA_IGB_TXDCTL(qp), CDNA_IGB_QCTL_ENABLE);
		return;
	}
	cdna_igb_wr(vf, CDNA_IGB_RXDCTL(qp), 0);
	cdna_igb_wr(vf, CDNA_IGB_RDBAL(qp), lower_32_bits(p->rxr_dma));
	cdna_igb_wr(vf, CDNA_IGB_RDBAH(qp), upper_32_bits(p->rxr_dma));
	cdna_igb_wr(vf, CDNA_IGB_RDLEN(qp), p->rx_count * sizeof(*p->rxr));
	cdna_igb_wr(vf, CDNA_IGB_SRRCTL(qp),
		    (p->rx_buf >> CDNA_IGB_SRRCTL_BSIZE_SHIFT) |
		    CDNA_IGB_SRRCTL_ONEBUF | CDNA_IGB_SRRCTL_DROP_EN);
	cdna_igb_wr(vf, CDNA_IGB_RDH(qp), 0);
	cdna_igb_wr(vf, CDNA_IGB_RDT(qp), 0);
	cdna_igb_wr(vf, CDNA_IGB_RXDCTL(qp), CDNA_IGB_QCTL_ENABLE |
		    CDNA_IGB_RXDCTL_WTHRESH(1));
}

static void cdna_igb_tx_reap(struct cdna_igb_ctx *ictx, unsigned int qp);
static void cdna_igb_rx_reap(struct cdna_igb_ctx *ictx, unsigned int qp);

/**
 * cdna_igb_hw_queue_stop() - stop a hardware queue, take back its buffers
 * @ictx: the context, engine lock held
 * @qp: queue pair
 * @tx: the TX queue (else RX)
 *
 * Disables the queue in the NIC and waits until it reads disabled; what
 * the NIC finished is completed to the guest, the rest is unmapped,
 * unpinned and left unread in the guest ring (read again after a
 * restart).  When it returns the NIC does no DMA for the queue.
 */
void cdna_igb_hw_queue_stop(struct cdna_igb_ctx *ictx, unsigned int qp,
			    bool tx)
{
	struct cdna_igb_vf *vf = ictx->vf;
	struct cdna_igb_qp *p = &ictx->qp[qp];
	u32 reg = tx ? CDNA_IGB_TXDCTL(qp) : CDNA_IGB_RXDCTL(qp);
	unsigned int i;

	if (!(tx ? p->tx_on : p->rx_on))
		return;
	if (vf) {
		cdna_igb_wr(vf, reg, 0);
		for (i = 0; i < 100; i++) {
			u32 v = cdna_igb_rd(vf, reg);

			if (!(v & CDNA_IGB_QCTL_ENABLE) || v == ~0U)
				break;
			usleep_range(100, 200);
		}
		if (!p->tx_halt && !p->rx_halt) {
			if (tx)
				cdna_igb_tx_reap(ictx, qp);
			else
				cdna_igb_rx_reap(ictx, qp);
			cdna_queue_publish(&ictx->ctx->queues[tx ?
					   CDNA_QUEUE_TX(qp) : CDNA_QUEUE_RX(qp)]);
		}
	}
	if (tx)
		cdna_igb_tx_drain(ictx, qp);
	else
		cdna_igb_rx_drain(ictx, qp);
}

/* ---- TX ------------------------------------------------------------- */

static void cdna_igb_tx_reap(struct cdna_igb_ctx *ictx, unsigned int qp)
{
	struct cdna_igb_qp *p = &ictx->qp[qp];
	struct cdna_queue *q = &ictx->ctx->queues[CDNA_QUEUE_TX(qp)];

	while (p->tx_head != p->tx_tail) {
		struct cdna_igb_tx_pkt *pkt =
			&p->tx_pkt[p->tx_head & p->tx_pkt_mask];
		unsigned int i;

		if (pkt->nhw) {
			u32 last = (p->tx_ntc + pkt->nhw - 1) &
				   (CDNA_IGB_TX_RING - 1);

			if (!(le32_to_cpu(READ_ONCE(p->txr[last].olinfo)) &
			      CDNA_IGB_TXD_STAT_DD))
				break;
			/* The status before anything else of the slot. */
			dma_rmb();
			for (i = 0; i < pkt->nhw; i++, p->tx_ntc++) {
				struct cdna_igb_tx_slot *s =
					&p->tx_slot[p->tx_ntc &
						    (CDNA_IGB_TX_RING - 1)];

				cdna_igb_tx_unmap(ictx, s);
				cdna_igb_put_pin(ictx, s->pin);
			}
		}
		cdna_igb_complete(q, pkt->ndesc, pkt->len, pkt->reason);
		p->tx_head++;
	}
}

/* Check the packet in hand; CDNA_DROP_MAX if it may go to the NIC. */
static enum cdna_drop_reason cdna_igb_tx_check(struct cdna_igb_ctx *ictx,
					       struct cdna_igb_qp *p,
					       u32 *total)
{
	u32 mtu = READ_ONCE(ictx->ctx->mtu);
	unsigned int i;
	u64 sum = 0;

	for (i = 0; i < p->nhand; i++) {
		if (p->hand[i].flags & ~CDNA_TXD_FLAGS_ALL)
			return CDNA_DROP_BAD_FLAGS;
		/* The device offers no TX offload: CSUM and GSO are unknown. */
		if (p->hand[i].flags & ~CDNA_TXD_EOP)
			return CDNA_DROP_BAD_FLAGS;
		if (!p->hand[i].len || p->hand[i].len > CDNA_BUF_MAX_LEN)
			return CDNA_DROP_BAD_LEN;
		sum += p->hand[i].len;
	}
	if (!(p->hand[p->nhand - 1].flags & CDNA_TXD_EOP))
		return CDNA_DROP_BAD_LEN;	/* too many fragments */
	if (sum < ETH_HLEN || sum > mtu + ETH_HLEN + VLAN_HLEN)
		return CDNA_DROP_BAD_LEN;
	*total = sum;
	return CDNA_DROP_MAX;
}

/*
 * What the context may send, judged on the host's copy of the header: its
 * own source MAC unless trusted (or spoofchk off), no VLAN tag unless
 * trusted (the tag would reach any VLAN trunked on the wire), and no
 * untagged frame above the MTU.
 */
static enum cdna_drop_reason cdna_igb_tx_policy(struct cdna_igb_ctx *ictx,
						const struct ethhdr *eth,
						u32 total)
{
	if (!ictx->trusted && !ether_addr_equal(eth->h_source, ictx->mac))
		return CDNA_DROP_SPOOF;
	if (cdna_eth_tagged(eth->h_proto)) {
		if (!ictx->may_tag)
			return CDNA_DROP_VLAN;
	} else if (total > READ_ONCE(ictx->ctx->mtu) + ETH_HLEN) {
		return CDNA_DROP_BAD_LEN;
	}
	return CDNA_DROP_MAX;
}

/*
 * Write hardware descriptor @n of the packet starting at @ntu; @own says
 * the backend mapped @dma for this use and unmaps it at completion.
 */
static struct cdna_igb_tx_desc *cdna_igb_tx_put(struct cdna_igb_qp *p,
						u32 ntu, u32 n, dma_addr_t dma,
						u32 len, struct cdna_pin *pin,
						bool own, u32 total)
{
	u32 i = (ntu + n) & (CDNA_IGB_TX_RING - 1);
	struct cdna_igb_tx_desc *hw = &p->txr[i];

	p->tx_slot[i].dma = dma;
	p->tx_slot[i].len = len;
	p->tx_slot[i].pin = pin;
	p->tx_slot[i].own_map = own;
	hw->addr = cpu_to_le64(dma);
	hw->cmd_type_len = cpu_to_le32(len | CDNA_IGB_TXD_DTYP_DATA |
				       CDNA_IGB_TXD_DEXT | CDNA_IGB_TXD_IFCS);
	hw->olinfo = cpu_to_le32(total << CDNA_IGB_TXD_PAYLEN_SHIFT);
	return hw;
}

/*
 * Pin, map and write the packet in hand as hardware descriptors.  The
 * Ethernet header is copied into the host's header slot of the first
 * descriptor and checked there; the NIC reads the rest straight from the
 * guest's pages.
 * Return: CDNA_DROP_MAX when written, a reason when refused (nothing
 * written, nothing held), or CDNA_DROP_NOMEM with *@retry set when the
 * hardware ring has no room yet.  A page the context's IOMMU domain does
 * not map (dev_iova protections) refuses the packet (CDNA_DROP_BAD_ADDR).
 */
static enum cdna_drop_reason cdna_igb_tx_map(struct cdna_igb_ctx *ictx,
					     struct cdna_igb_qp *p, u32 total,
					     u16 *nhw, bool *retry)
{
	bool dev_iova = cdna_igb_dev_iova(ictx), own;
	struct cdna_ctx *ctx = ictx->ctx;
	struct device *dev = cdna_igb_dev(ictx);
	u32 ntu = p->tx_ntu, room, n = 0, hlen = 0;
	struct cdna_igb_tx_hdr *hdr = (struct cdna_igb_tx_hdr *)
		(p->txr + CDNA_IGB_TX_RING) + (ntu & (CDNA_IGB_TX_RING - 1));
	dma_addr_t hdr_dma = p->txr_dma +
		CDNA_IGB_TX_RING * sizeof(*p->txr) +
		(ntu & (CDNA_IGB_TX_RING - 1)) * sizeof(*hdr);
	const struct ethhdr *eth = (const struct ethhdr *)hdr->b;
	struct cdna_buf *buf = &ictx->scratch;
	enum cdna_drop_reason r = CDNA_DROP_MAX;
	struct cdna_igb_tx_desc *last = NULL;
	unsigned int f, i;
	int err;

	room = CDNA_IGB_TX_RING - 1 - (p->tx_ntu - p->tx_ntc);
	for (f = 0; f < p->nhand && r == CDNA_DROP_MAX; f++) {
		const struct cdna_txd *d = &p->hand[f];
		u32 pos = 0;

		err = ctx->protect->get_buf(ctx, d->addr, d->len,
					    CDNA_BUF_DEVICE, buf);
		if (err) {
			r = cdna_pincache_drop_reason(err);
			break;
		}
		if (buf->unmapped) {
			/* iommu: a page outside what the domain may map. */
			ctx->protect->put_buf(ctx, buf);
			r = CDNA_DROP_BAD_ADDR;
			break;
		}
		/* Its pages, and the header's descriptor if still to come. */
		if (buf->npages + (hlen < ETH_HLEN ? 1 : 0) > room - n) {
			ctx->protect->put_buf(ctx, buf);
			r = CDNA_DROP_NOMEM;
			*retry = true;
			break;
		}
		for (i = 0; i < buf->npages; i++) {
			u32 off = i ? 0 : buf->offset;
			u32 seg = min_t(u32, d->len - pos, PAGE_SIZE - off);
			dma_addr_t dma;

			pos += seg;
			if (hlen < ETH_HLEN) {
				u32 c = min_t(u32, seg, ETH_HLEN - hlen);

				memcpy_from_page(hdr->b + hlen, buf->pages[i],
						 off, c);
				hlen += c;
				off += c;
				seg -= c;
				if (hlen == ETH_HLEN) {
					r = cdna_igb_tx_policy(ictx, eth, total);
					if (r != CDNA_DROP_MAX)
						goto put_rest;
					last = cdna_igb_tx_put(p, ntu, n++,
							       hdr_dma,
							       ETH_HLEN, NULL,
							       false, total);
				}
				if (!seg) {
					/* Copied whole: nothing to map. */
					cdna_igb_put_pin(ictx, buf->pins[i]);
					continue;
				}
			}
			own = false;
			if (dev_iova) {
				/* What is left of the page, by guest address. */
				dma = d->addr + pos - seg;
			} else if (buf->dma[i] != DMA_MAPPING_ERROR) {
				/* The pin's mapping, kept while it is cached. */
				dma = buf->dma[i] + off;
				dma_sync_single_for_device(dev, dma, seg,
							   DMA_TO_DEVICE);
			} else {
				dma = dma_map_page(dev, buf->pages[i], off, seg,
						   DMA_TO_DEVICE);
				if (dma_mapping_error(dev, dma)) {
					r = CDNA_DROP_NOMEM;
					goto put_rest;
				}
				own = true;
				atomic64_inc(&ictx->dma_maps);
			}
			last = cdna_igb_tx_put(p, ntu, n++, dma, seg,
					       buf->pins[i], own, total);
		}
		continue;
put_rest:
		/* Pages i.. of this buffer are in no slot. */
		memmove(&buf->pins[0], &buf->pins[i],
			(buf->npages - i) * sizeof(buf->pins[0]));
		buf->npages -= i;
		ctx->protect->put_buf(ctx, buf);
	}
	if (r != CDNA_DROP_MAX) {
		/* Undo the descriptors written for the packet. */
		for (i = 0; i < n; i++) {
			struct cdna_igb_tx_slot *s =
				&p->tx_slot[(ntu + i) & (CDNA_IGB_TX_RING - 1)];

			cdna_igb_tx_unmap(ictx, s);
			cdna_igb_put_pin(ictx, s->pin);
		}
		return r;
	}
	last->cmd_type_len |= cpu_to_le32(CDNA_IGB_TXD_EOP | CDNA_IGB_TXD_RS);
	p->tx_ntu += n;
	*nhw = n;
	return CDNA_DROP_MAX;
}

static void cdna_igb_tx_fill(struct cdna_igb_ctx *ictx, unsigned int qp)
{
	struct cdna_igb_qp *p = &ictx->qp[qp];
	struct cdna_queue *q = &ictx->ctx->queues[CDNA_QUEUE_TX(qp)];
	u32 prod, written = p->tx_ntu;

	if (!cdna_queue_read_prod(q, &prod)) {
		p->tx_halt = true;
		cdna_ctx_raise_error(ictx->ctx, CDNA_ERR_RING_INDEX, q->index);
		return;
	}
	p->tx_full = false;
	while (p->tx_tail - p->tx_head <= p->tx_pkt_mask) {
		struct cdna_igb_tx_pkt *pkt;
		enum cdna_drop_reason r;
		bool retry = false;
		u32 total = 0;
		u16 nhw = 0;

		while (p->nhand < CDNA_MAX_TX_FRAGS && q->fetch != prod) {
			cdna_queue_fetch_tx(q, &p->hand[p->nhand]);
			if (p->hand[p->nhand++].flags & CDNA_TXD_EOP)
				break;
		}
		if (!p->nhand)
			break;
		if (!(p->hand[p->nhand - 1].flags & CDNA_TXD_EOP) &&
		    p->nhand < CDNA_MAX_TX_FRAGS)
			break;		/* the rest is not published yet */

		r = cdna_igb_tx_check(ictx, p, &total);
		if (r == CDNA_DROP_MAX)
			r = cdna_igb_tx_map(ictx, p, total, &nhw, &retry);
		if (retry) {
			p->tx_full = true;
			break;		/* the NIC frees descriptors first */
		}
		if (r != CDNA_DROP_MAX)
			atomic64_inc(&ictx->tx_refused);
		pkt = &p->tx_pkt[p->tx_tail & p->tx_pkt_mask];
		pkt->nhw = r == CDNA_DROP_MAX ? nhw : 0;
		pkt->ndesc = p->nhand;
		pkt->reason = r;
		pkt->len = total;
		p->tx_tail++;
		p->nhand = 0;
	}
	if (p->tx_tail - p->tx_head > p->tx_pkt_mask)
		p->tx_full = true;
	if (p->tx_ntu != written) {
		/* Descriptors in memory before the tail moves. */
		wmb();
		cdna_igb_wr(ictx->vf, CDNA_IGB_TDT(qp),
			    p->tx_ntu & (CDNA_IGB_TX_RING - 1));
	}
}

/* ---- RX ------------------------------------------------------------- */

/* Check, pin and map one guest RX buffer into slot @s. */
static void cdna_igb_rx_post(struct cdna_igb_ctx *ictx, struct cdna_igb_qp *p,
			     struct cdna_igb_rx_slot *s, u64 addr, u32 len)
{
	struct cdna_ctx *ctx = ictx->ctx;
	struct device *dev = cdna_igb_dev(ictx);
	struct cdna_buf *buf = &ictx->scratch;
	int err;

	s->pin = NULL;
	s->fault = false;
	s->own_map = false;
	s->dma = ictx->sink_dma;
	/*
	 * The NIC writes at most rx_buf bytes, but the ABI's bounds hold for
	 * the whole buffer as the guest described it, as on every backend.
	 */
	if (len < p->rx_buf || len > CDNA_BUF_MAX_LEN || addr + len - 1 < addr) {
		s->reason = CDNA_DROP_BAD_LEN;
		goto refused;
	}
	/* One hardware descriptor is one DMA range: no page crossing. */
	if (offset_in_page(addr) + p->rx_buf > PAGE_SIZE) {
		s->reason = CDNA_DROP_BAD_ADDR;
		goto refused;
	}
	err = ctx->protect->get_buf(ctx, addr, p->rx_buf,
				    CDNA_BUF_WRITE | CDNA_BUF_DEVICE, buf);
	if (err) {
		s->reason = cdna_pincache_drop_reason(err);
		goto refused;
	}
	if (cdna_igb_dev_iova(ictx)) {
		/* The IOMMU guards it; a page it does not map faults. */
		s->dma = addr;
		s->pin = buf->pins[0];
		s->fault = !s->pin;
		s->reason = s->pin ? CDNA_DROP_MAX : CDNA_DROP_BAD_ADDR;
		buf->npages = 0;
		return;
	}
	if (buf->dma[0] != DMA_MAPPING_ERROR) {
		/* The pin's mapping, kept while it is cached. */
		s->dma = buf->dma[0] + buf->offset;
		dma_sync_single_for_device(dev, s->dma, p->rx_buf,
					   DMA_FROM_DEVICE);
		s->pin = buf->pins[0];
		s->reason = CDNA_DROP_MAX;
		return;
	}
	s->dma = dma_map_page(dev, buf->pages[0], buf->offset, p->rx_buf,
			      DMA_FROM_DEVICE);
	if (dma_mapping_error(dev, s->dma)) {
		ctx->protect->put_buf(ctx, buf);
		s->dma = ictx->sink_dma;
		s->reason = CDNA_DROP_NOMEM;
		goto refused;
	}
	s->own_map = true;
	atomic64_inc(&ictx->dma_maps);
	s->pin = buf->pins[0];
	s->reason = CDNA_DROP_MAX;
	return;

refused:
	atomic64_inc(&ictx->rx_refused);
}

static void cdna_igb_rx_fill(struct cdna_igb_ctx *ictx, unsigned int qp)
{
	struct cdna_igb_qp *p = &ictx->qp[qp];
	struct cdna_queue *q = &ictx->ctx->queues[CDNA_QUEUE_RX(qp)];
	u32 prod, posted = p->rx_ntu;

	if (!cdna_queue_read_prod(q, &prod)) {
		p->rx_halt = true;
		cdna_ctx_raise_error(ictx->ctx, CDNA_ERR_RING_INDEX, q->index);
		return;
	}
	while (q->fetch != prod && p->rx_ntu - p->rx_ntc < p->rx_count - 1) {
		const struct cdna_rx_desc *g =
			(const struct cdna_rx_desc *)q->desc.vaddr +
			(q->fetch & q->mask);
		u32 idx = p->rx_ntu & (p->rx_count - 1);
		u64 addr = le64_to_cpu(READ_ONCE(g->addr));
		u32 len = le32_to_cpu(READ_ONCE(g->len));

		q->fetch++;
		cdna_igb_rx_post(ictx, p, &p->rx_slot[idx], addr, len);
		p->rxr[idx].addr = cpu_to_le64(p->rx_slot[idx].dma);
		p->rxr[idx].hdr_addr = 0;
		p->rx_ntu++;
	}
	p->rx_full = q->fetch != prod;
	if (p->rx_ntu != posted) {
		/* Descriptors in memory before the tail moves. */
		wmb();
		cdna_igb_wr(ictx->vf, CDNA_IGB_RDT(qp),
			    p->rx_ntu & (p->rx_count - 1));
	}
}

static void cdna_igb_rx_reap(struct cdna_igb_ctx *ictx, unsigned int qp)
{
	struct cdna_igb_qp *p = &ictx->qp[qp];
	struct cdna_queue *q = &ictx->ctx->queues[CDNA_QUEUE_RX(qp)];

	while (p->rx_ntc != p->rx_ntu) {
		u32 idx = p->rx_ntc & (p->rx_count - 1);
		struct cdna_igb_rx_slot *s = &p->rx_slot[idx];
		u64 wb = le64_to_cpu(READ_ONCE(p->rxr[idx].hdr_addr));
		bool eop = wb & CDNA_IGB_RXD_STAT_EOP;

		if (!(wb & CDNA_IGB_RXD_STAT_DD))
			break;
		dma_rmb();
		if (s->pin) {
			cdna_igb_rx_unmap(ictx, p, s);
			cdna_igb_put_pin(ictx, s->pin);
			s->pin = NULL;
		}
		if (s->fault)
			atomic64_inc(&ictx->ctx->iommu_faults);
		p->rx_ntc++;
		p->rx_frame_bufs++;

		if (s->reason != CDNA_DROP_MAX) {
			/* The completion ends at the refused buffer; the
			 * rest of the frame, in the sink, is dropped.
			 */
			cdna_igb_complete(q, p->rx_frame_bufs, 0, s->reason);
			p->rx_frame_bufs = 0;
			p->rx_frame_len = 0;
			p->rx_frame_reason = eop ? CDNA_DROP_MAX :
						   CDNA_DROP_NO_RXBUF;
			continue;
		}
		p->rx_frame_len += (wb >> CDNA_IGB_RXD_LEN_SHIFT) & 0xffff;
		if ((wb & CDNA_IGB_RXD_ERR_FRAME) &&
		    p->rx_frame_reason == CDNA_DROP_MAX)
			p->rx_frame_reason = CDNA_DROP_UPLINK;
		if (!eop && p->rx_frame_bufs < CDNA_MAX_RX_FRAGS)
			continue;
		if (!eop)
			p->rx_frame_reason = CDNA_DROP_BAD_LEN;
		cdna_igb_complete(q, p->rx_frame_bufs, p->rx_frame_len,
				  p->rx_frame_reason);
		p->rx_frame_bufs = 0;
		p->rx_frame_len = 0;
		/* A frame cut at CDNA_MAX_RX_FRAGS: its tail is dropped too. */
		if (eop)
			p->rx_frame_reason = CDNA_DROP_MAX;
	}
}

/**
 * cdna_igb_pass() - one data path pass over a context
 * @ictx: the context, engine lock held, started, VF present
 * @arm: ask the guest for kicks at the end; without it (the pass polls)
 *	the guest is told not to kick
 * @again: set if the guest published descriptors that the NIC has room
 *	for now (@arm only): the pass must run again at once
 *
 * Reaps write-backs into completions, posts new guest descriptors to the
 * NIC, publishes, and, with @arm, asks the guest for kicks, unless the
 * hardware ring is full: then the next reap (its interrupt, or the safety
 * poll while TX is in flight) runs the pass again, and a doorbell could
 * do nothing.
 *
 * Return: the work done: descriptors read from the guest plus
 * completions written.
 */
unsigned int cdna_igb_pass(struct cdna_igb_ctx *ictx, bool arm, bool *again)
{
	struct cdna_ctx *ctx = ictx->ctx;
	unsigned int qp, i, work = 0;

	for (i = 0; i < 2 * ctx->nqp; i++)
		work -= ctx->queues[i].fetch + ctx->queues[i].cons;
	*again = false;
	for (qp = 0; qp < ctx->nqp && qp < CDNA_IGB_VF_QUEUES; qp++) {
		struct cdna_igb_qp *p = &ictx->qp[qp];
		struct cdna_queue *q;

		if (p->tx_on && !p->tx_halt) {
			q = &ctx->queues[CDNA_QUEUE_TX(qp)];
			cdna_igb_tx_reap(ictx, qp);
			cdna_igb_tx_fill(ictx, qp);
			cdna_igb_tx_reap(ictx, qp);
			cdna_queue_publish(q);
			if (!p->tx_halt &&
			    cdna_queue_arm_kick(q, arm && !p->tx_full))
				*again = true;
		}
		if (p->rx_on && !p->rx_halt) {
			q = &ctx->queues[CDNA_QUEUE_RX(qp)];
			cdna_igb_rx_reap(ictx, qp);
			cdna_igb_rx_fill(ictx, qp);
			cdna_queue_publish(q);
			if (!p->rx_halt &&
			    cdna_queue_arm_kick(q, arm && !p->rx_full))
				*again = true;
		}
	}
	for (i = 0; i < 2 * ctx->nqp; i++)
		work += ctx->queues[i].fetch + ctx->queues[i].cons;
	return work;
}

static bool cdna_igb_pin_in(const struct cdna_pin *pin, u64 first, u64 last)
{
	return pin && pin->gfn >= first && pin->gfn <= last;
}

/**
 * cdna_igb_uses_range() - does the NIC hold a buffer in a guest range?
 * @ictx: the context, engine lock held
 * @iova: first guest DMA address
 * @len: bytes
 *
 * Return: true if a posted TX or RX buffer has a page in the range.
 */
bool cdna_igb_uses_range(struct cdna_igb_ctx *ictx, u64 iova, u64 len)
{
	u64 first = iova >> PAGE_SHIFT, last = (iova + len - 1) >> PAGE_SHIFT;
	unsigned int qp;
	u32 i;

	for (qp = 0; qp < CDNA_IGB_VF_QUEUES; qp++) {
		struct cdna_igb_qp *p = &ictx->qp[qp];

		if (p->tx_on)
			for (i = p->tx_ntc; i != p->tx_ntu; i++)
				if (cdna_igb_pin_in(p->tx_slot[i &
					(CDNA_IGB_TX_RING - 1)].pin, first, last))
					return true;
		if (p->rx_on)
			for (i = p->rx_ntc; i != p->rx_ntu; i++)
				if (cdna_igb_pin_in(p->rx_slot[i &
					(p->rx_count - 1)].pin, first, last))
					return true;
	}
	return false;
}
