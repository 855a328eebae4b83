/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cdna igb backend: private types of the SR-IOV backend.
 *
 * Each context owns one virtual function of an 82576 PF (QEMU's igb in
 * the testbed).  The PF driver (Linux igb) does the admin work through
 * its ndo_set_vf_* ops; cdna.ko drives the VF's queues itself and writes
 * every hardware descriptor after the checked protection validated and
 * pinned the guest buffer it points at, so the NIC DMAs straight to and
 * from guest memory.  One concern per file:
 *
 *   igb_hw.h      register and descriptor layout of the VF
 *   igb_mbx.c     the VF -> PF mailbox (reset handshake)
 *   igb_vf.c      the PCI driver VFs are bound to, VF bring-up/teardown,
 *                 admin through the PF
 *   igb_ring.c    guest descriptors -> hardware descriptors and back
 *   igb_engine.c  struct cdna_engine_ops of the backend
 *
 * Lock order: cdna_igb_lock -> cdna_igb_ctx.lock.  Neither is held while
 * taking a cdna lock of the core (ctx->lock nests outside both).
 */
#ifndef _CDNA_IGB_H
#define _CDNA_IGB_H

#include <linux/pci.h>
#include <linux/interrupt.h>
#include <linux/workqueue.h>

#include "cdna.h"
#include "igb_hw.h"

#define CDNA_IGB_TX_RING	512	/* hardware TX descriptors per queue */
#define CDNA_IGB_DEF_RX_BUF	2048	/* SRRCTL size for guests that do not
					 * choose one (CDNA_QREG_RX_BUF_SIZE):
					 * a 1500-byte MTU frame fits one buffer
					 */
#define CDNA_IGB_MAX_RX_BUF	(CDNA_IGB_SRRCTL_BSIZE_MASK * \
				 CDNA_IGB_RX_BUF_UNIT)

struct cdna_igb_ctx;

/**
 * struct cdna_igb_vf - a VF bound to cdna's PCI driver
 * @pdev: the VF
 * @node: entry in cdna_igb_vfs (cdna_igb_lock)
 * @regs: BAR0
 * @vf_id: its number under the PF (ip link set PF vf @vf_id)
 * @owner: the context using it, NULL if free (cdna_igb_lock)
 * @mbx_bits: clear-on-read mailbox bits seen but not yet consumed
 *	(owner's lock, or probe/remove)
 */
struct cdna_igb_vf {
	struct pci_dev *pdev;
	struct list_head node;
	void __iomem *regs;
	int vf_id;
	struct cdna_igb_ctx *owner;
	u32 mbx_bits;
};

/**
 * struct cdna_igb_tx_slot - one hardware TX descriptor in flight
 * @dma: DMA address of the page range it points at
 * @len: bytes
 * @pin: the guest page's pin; NULL for the host's header copy
 * @own_map: @dma is a mapping of this use, undone at completion (else
 *	the pin's cached mapping, the header copy's or a guest address)
 */
struct cdna_igb_tx_slot {
	dma_addr_t dma;
	u32 len;
	struct cdna_pin *pin;
	bool own_map;
};

/**
 * struct cdna_igb_tx_pkt - one guest TX packet, in guest ring order
 * @nhw: hardware descriptors it uses (0: refused before the NIC saw it)
 * @ndesc: guest descriptors it consumed
 * @reason: why it was refused, CDNA_DROP_MAX if it was not
 * @len: bytes
 */
struct cdna_igb_tx_pkt {
	u16 nhw;
	u16 ndesc;
	u8 reason;
	u32 len;
};

/**
 * struct cdna_igb_rx_slot - one hardware RX descriptor posted
 * @dma: DMA address of the guest buffer (or of the sink)
 * @pin: the guest page's pin, NULL when the buffer was refused
 * @reason: CDNA_DROP_MAX for a good buffer, else why it was refused
 *	(the hardware descriptor points at the backend's sink page, or with
 *	@fault at the guest address)
 * @fault: the iommu protection could not map the buffer: the hardware
 *	descriptor has the guest address, and the NIC's write faults
 * @own_map: @dma is a mapping of this use, undone at completion (else
 *	the pin's cached mapping, or a guest address)
 */
struct cdna_igb_rx_slot {
	dma_addr_t dma;
	struct cdna_pin *pin;
	u8 reason;
	bool fault;
	bool own_map;
};

/**
 * struct cdna_igb_tx_hdr - the host's copy of a TX frame's Ethernet header
 * @b: the header; the NIC reads it from here, not from the guest
 *
 * Checked where the guest can no longer change it (the NIC itself may not
 * police source MACs and tags: QEMU's igb does not), it is the packet's
 * first hardware descriptor, at the same ring index.
 */
struct cdna_igb_tx_hdr {
	u8 b[16];
};

#define CDNA_IGB_TXR_BYTES	(CDNA_IGB_TX_RING * \
				 (sizeof(struct cdna_igb_tx_desc) + \
				  sizeof(struct cdna_igb_tx_hdr)))

/**
 * struct cdna_igb_qp - the hardware side of one queue pair
 * @txr: hardware TX ring (host memory from the protection's
 *	.host_alloc), followed in the same allocation by one struct
 *	cdna_igb_tx_hdr per descriptor
 * @txr_dma: its bus address
 * @tx_slot: per hardware TX descriptor (no pin: a header copy, or with
 *	the iommu protection a page its domain does not map)
 * @tx_ntu: hardware TX descriptors written (free running)
 * @tx_ntc: hardware TX descriptors reclaimed (free running)
 * @tx_pkt: guest packets not completed yet, guest ring sized
 * @tx_pkt_mask: entries of @tx_pkt - 1
 * @tx_head: first packet not completed (free running)
 * @tx_tail: packets queued (free running)
 * @hand: TX descriptors of the packet being read (read once)
 * @nhand: entries in @hand
 * @rxr: hardware RX ring, as many entries as the guest's RX ring
 * @rxr_dma: its bus address
 * @rx_slot: per hardware RX descriptor
 * @rx_count: entries of @rxr
 * @rx_ntu: RX buffers posted to the NIC (free running)
 * @rx_ntc: RX buffers the NIC gave back (free running)
 * @rx_frame_bufs: buffers of the frame being reassembled
 * @rx_frame_len: its bytes so far
 * @rx_frame_reason: CDNA_DROP_MAX while the frame is good, else why
 *	its remaining buffers complete with an error
 * @rx_buf: SRRCTL buffer size of the queue, bytes
 * @tx_on: the TX queue is enabled (rings mapped, hardware ring allocated)
 * @rx_on: the RX queue likewise
 * @tx_halt: the TX queue hit a ring error: not processed until stopped
 * @rx_halt: likewise for RX
 * @tx_full: the last fill stopped at a full hardware TX ring (or packet
 *	table): only a reap makes room, so the pass waits for an interrupt
 *	or the safety poll rather than running again at once
 * @rx_full: likewise for the hardware RX ring
 *
 * Everything is protected by the context's cdna_igb_ctx.lock.
 */
struct cdna_igb_qp {
	struct cdna_igb_tx_desc *txr;
	dma_addr_t txr_dma;
	struct cdna_igb_tx_slot tx_slot[CDNA_IGB_TX_RING];
	u32 tx_ntu;
	u32 tx_ntc;
	struct cdna_igb_tx_pkt *tx_pkt;
	u32 tx_pkt_mask;
	u32 tx_head;
	u32 tx_tail;
	struct cdna_txd hand[CDNA_MAX_TX_FRAGS];
	unsigned int nhand;

	struct cdna_igb_rx_desc *rxr;
	dma_addr_t rxr_dma;
	struct cdna_igb_rx_slot *rx_slot;
	u32 rx_count;
	u32 rx_ntu;
	u32 rx_ntc;
	u16 rx_frame_bufs;
	u32 rx_frame_len;
	u8 rx_frame_reason;
	u32 rx_buf;

	bool tx_on;
	bool rx_on;
	bool tx_halt;
	bool rx_halt;
	bool tx_full;
	bool rx_full;
};

/* Why a poll after work ended (igb_engine.c; datapath/stats). */
enum cdna_igb_poll_end {
	CDNA_IGB_POLL_END_WINDOW,	/* igb_poll_usecs without work */
	CDNA_IGB_POLL_END_RESCHED,	/* the scheduler wanted the CPU */
	CDNA_IGB_POLL_END_BUDGET,	/* a run's passes with work */
	CDNA_IGB_POLL_END_GONE,		/* the context stopped, or its VF */
	CDNA_IGB_POLL_END_MAX
};

/**
 * struct cdna_igb_ctx - the backend's state of one context
 * @ctx: the context
 * @vf: its VF; NULL once the VF went away (both locks to write)
 * @lock: the engine exclusion (ops->ctx_lock): held by the data path
 *	work for a whole pass and by whoever changes what it uses
 * @work: one data path pass (interrupts and kicks schedule it)
 * @poll: re-runs the pass while the NIC holds descriptors, in case an
 *	interrupt is lost
 * @started: the context runs (DRIVER_OK)
 * @vf_gone: the VF was removed under the context
 * @hw_up: the VF was reset and its vectors requested
 * @dma_up: cdna_igb_dma_up() done: the protection has the VF, @sink is
 *	allocated
 * @sink: a host page refused RX buffers point the NIC at, while a VM
 *	holds the context (from the protection's .host_alloc)
 * @sink_dma: its address for the VF
 * @scratch: a cdna_buf to hand pins back to the protection
 * @mac: the context's MAC, from ctx_start on
 * @trusted: may send any source MAC (trusted, or spoofchk off)
 * @may_tag: may send VLAN-tagged frames (trusted)
 * @qp: per queue pair
 * @irqs: interrupts taken from the VF
 * @polls: passes run by @poll
 * @poll_passes: passes run while polling after work (igb_poll_usecs)
 * @poll_ends: polls ended, by reason
 * @rx_refused: RX buffers refused (too small, outside the VM, page cross)
 * @tx_refused: TX packets refused before the NIC saw them
 * @dma_maps: guest pages mapped with the DMA API for one use (checked
 *	protection, where the pin's cached mapping could not serve)
 * @debugfs: "datapath" directory under the context's debugfs directory
 */
struct cdna_igb_ctx {
	struct cdna_ctx *ctx;
	struct cdna_igb_vf *vf;
	struct mutex lock;	/* see above */
	struct work_struct work;
	struct delayed_work poll;
	bool started;
	bool vf_gone;
	bool hw_up;
	bool dma_up;
	void *sink;
	dma_addr_t sink_dma;
	struct cdna_buf scratch;
	u8 mac[ETH_ALEN];
	bool trusted;
	bool may_tag;
	struct cdna_igb_qp qp[CDNA_IGB_VF_QUEUES];
	atomic64_t irqs;
	atomic64_t polls;
	atomic64_t poll_passes;
	atomic64_t poll_ends[CDNA_IGB_POLL_END_MAX];
	atomic64_t rx_refused;
	atomic64_t tx_refused;
	atomic64_t dma_maps;
	struct dentry *debugfs;
};

/**
 * struct cdna_igb_nic - the backend's state of one attached PF
 * @nic: the NIC
 * @pf: the PF (a reference is held)
 * @debugfs: "engine" directory under the NIC's debugfs directory
 */
struct cdna_igb_nic {
	struct cdna_nic *nic;
	struct pci_dev *pf;
	struct dentry *debugfs;
};

static inline u32 cdna_igb_rd(struct cdna_igb_vf *vf, u32 reg)
{
	return readl(vf->regs + reg);
}

static inline void cdna_igb_wr(struct cdna_igb_vf *vf, u32 reg, u32 val)
{
	writel(val, vf->regs + reg);
}

extern struct mutex cdna_igb_lock;

/* igb_engine.c */
void cdna_igb_schedule(struct cdna_igb_ctx *ictx);
u32 cdna_igb_itr(void);

/* igb_mbx.c */
int cdna_igb_mbx_reset(struct cdna_igb_vf *vf, u8 *mac);

/* igb_vf.c */
int cdna_igb_pci_register(void);
void cdna_igb_pci_unregister(void);
struct pci_dev *cdna_igb_uplink_pf(struct net_device *uplink);
unsigned int cdna_igb_count_vfs(struct pci_dev *pf);
void cdna_igb_vfs_show(struct seq_file *s, struct pci_dev *pf);
struct cdna_igb_vf *cdna_igb_vf_claim(struct pci_dev *pf,
				      struct cdna_igb_ctx *ictx);
void cdna_igb_vf_release(struct cdna_igb_vf *vf);
int cdna_igb_dma_up(struct cdna_igb_ctx *ictx);
void cdna_igb_dma_down(struct cdna_igb_ctx *ictx);
int cdna_igb_hw_up(struct cdna_igb_ctx *ictx);
void cdna_igb_hw_down(struct cdna_igb_ctx *ictx);
int cdna_igb_pf_set_filter(struct cdna_igb_ctx *ictx, const u8 *mac,
			   u16 vlan, struct netlink_ext_ack *extack);
void cdna_igb_pf_set_policy(struct cdna_igb_ctx *ictx);

/* igb_ring.c */
int cdna_igb_qp_alloc(struct cdna_igb_ctx *ictx, unsigned int qp,
		      bool tx, u32 guest_size);
void cdna_igb_qp_free(struct cdna_igb_ctx *ictx, unsigned int qp, bool tx);
void cdna_igb_hw_queue_start(struct cdna_igb_ctx *ictx, unsigned int qp,
			     bool tx);
void cdna_igb_hw_queue_stop(struct cdna_igb_ctx *ictx, unsigned int qp,
			    bool tx);
unsigned int cdna_igb_pass(struct cdna_igb_ctx *ictx, bool arm, bool *again);
bool cdna_igb_uses_range(struct cdna_igb_ctx *ictx, u64 iova, u64 len);

#endif /* _CDNA_IGB_H */
