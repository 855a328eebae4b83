/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cdna_vf: guest driver for the cdna virtual function - private header.
 *
 * Every struct shared between the files of cdna_vf.ko and every cross-file
 * prototype lives here.  The device ABI is include/uapi/linux/cdna.h and
 * docs/vf-device.md explains it.  The object chain is
 *
 *   cdnavf_adapter (netdev_priv of the net_device; one per PCI function)
 *     -> cdnavf_qp (a queue pair: one MSI-X vector, one NAPI context)
 *          -> cdnavf_ring tx, rx (descriptor ring, completion ring, shm)
 *
 * One concern per file:
 *   main.c     PCI probe/remove, module, net_device ops
 *   ctrl.c     registers, feature negotiation, reset, link, control vector,
 *              error recovery, bring-up and teardown of a running device
 *   txrx.c     rings, NAPI, xmit, RX buffers and refill
 *   ethtool.c  ethtool ops, table-driven statistics
 *   debugfs.c  test-only fault injection
 *
 * Locking: configuration (queue counts, ring sizes, coalescing, MTU and the
 * up/down transitions) changes only under the RTNL.  A TX ring's producer
 * side runs under its netdev_queue lock, its completion side in NAPI; an RX
 * ring belongs to its NAPI context.  Shared ring indices go through
 * READ_ONCE/WRITE_ONCE, and every barrier says what it orders.
 */
#ifndef _CDNA_VF_H
#define _CDNA_VF_H

#include <linux/types.h>
#include <linux/bitops.h>
#include <linux/cache.h>
#include <linux/io.h>
#include <linux/netdevice.h>
#include <linux/pci.h>
#include <linux/u64_stats_sync.h>
#include <linux/workqueue.h>

#include <linux/cdna.h>

#include "compat.h"

#define CDNAVF_DRV_NAME			KBUILD_MODNAME

/* Features this driver knows how to use. */
#define CDNAVF_SUPPORTED_FEATURES	(BIT_ULL(CDNA_F_VERSION_1) |	\
					 BIT_ULL(CDNA_F_CSUM) |		\
					 BIT_ULL(CDNA_F_RX_CSUM) |	\
					 BIT_ULL(CDNA_F_TSO4) |		\
					 BIT_ULL(CDNA_F_TSO6) |		\
					 BIT_ULL(CDNA_F_RX_GSO) |	\
					 BIT_ULL(CDNA_F_EVENT_IDX) |	\
					 BIT_ULL(CDNA_F_IRQ_COAL) |	\
					 BIT_ULL(CDNA_F_MTU) |		\
					 BIT_ULL(CDNA_F_LINK_IRQ) |	\
					 BIT_ULL(CDNA_F_RX_BUF_SIZE) |	\
					 BIT_ULL(CDNA_F_KICK_PAGE))

#define CDNAVF_DEFAULT_RING_SIZE	256

/*
 * RX buffers are whole pages from a page_pool: a packet of the largest TX
 * size (64 KiB, RX_GSO) fits in CDNA_MAX_RX_FRAGS of them.  The first buffer
 * of a packet becomes the skb head (napi_build_skb), so every buffer keeps
 * headroom in front and room for skb_shared_info behind what the device may
 * write.
 */
#define CDNAVF_RX_HEADROOM		(NET_SKB_PAD + NET_IP_ALIGN)
#define CDNAVF_RX_TRUESIZE		PAGE_SIZE
#define CDNAVF_RX_BUF_LEN		(CDNAVF_RX_TRUESIZE - CDNAVF_RX_HEADROOM - \
					 SKB_DATA_ALIGN(sizeof(struct skb_shared_info)))
/* Packets up to this size are copied into a small skb; the page is reused. */
#define CDNAVF_RX_COPYBREAK		256

/* A TX packet needs at most CDNA_MAX_TX_FRAGS descriptors. */
#define CDNAVF_TX_STOP_THRESH		CDNA_MAX_TX_FRAGS
#define CDNAVF_TX_WAKE_THRESH		(2 * CDNA_MAX_TX_FRAGS)
/* TX completions reclaimed per NAPI poll, at most. */
#define CDNAVF_TX_CLEAN_BUDGET		256

/* Error recovery gives up after this many resets in CDNAVF_RESET_WINDOW. */
#define CDNAVF_RESET_MAX		8
#define CDNAVF_RESET_WINDOW		(60 * HZ)

struct cdnavf_adapter;
struct cdnavf_qp;

/**
 * struct cdnavf_tx_buf - bookkeeping of one TX descriptor slot
 * @skb: the packet, on the slot of its first descriptor only
 * @dma: DMA address of the fragment in this slot
 * @len: length of the fragment in this slot, 0 when not mapped
 * @nr_desc: descriptors of the packet (first slot only)
 * @is_page: @dma came from skb_frag_dma_map, else from dma_map_single
 * @bytes: bytes the packet counted for BQL and statistics (first slot)
 * @segs: packets on the wire (GSO segments; first slot)
 */
struct cdnavf_tx_buf {
	struct sk_buff *skb;
	dma_addr_t dma;
	u32 len;
	u16 nr_desc;
	bool is_page;
	u32 bytes;
	u32 segs;
};

/**
 * struct cdnavf_rx_buf - one posted RX buffer
 * @page: page_pool page; the device writes at CDNAVF_RX_HEADROOM
 */
struct cdnavf_rx_buf {
	struct page *page;
};

/*
 * Statistics.  Each struct has exactly one writer context and its own
 * u64_stats_sync, followed only by u64 counters: ethtool.c reads them
 * through tables of offsets (cdnavf_stats_copy()).
 */

/**
 * struct cdnavf_tx_stats - TX counters written in NAPI (completions)
 * @syncp: u64_stats sync
 * @packets: packets completed (GSO segments counted one by one)
 * @bytes: bytes completed
 * @wakes: queue restarts after a stop
 * @cpl_errors: completions with an error status (the device dropped it)
 * @bad_cpl: completions that did not match what was posted
 */
struct cdnavf_tx_stats {
	struct u64_stats_sync syncp;
	u64 packets;
	u64 bytes;
	u64 wakes;
	u64 cpl_errors;
	u64 bad_cpl;
};

/**
 * struct cdnavf_xmit_stats - TX counters written in ndo_start_xmit
 * @syncp: u64_stats sync
 * @kicks: doorbells written
 * @stops: queue stops for lack of descriptors
 * @busy: packets returned with NETDEV_TX_BUSY (should stay 0)
 * @linearize: packets linearized for too many fragments
 * @dma_errors: packets dropped because a DMA mapping failed
 * @drops: packets dropped for other reasons
 * @csum: packets with a checksum offload request
 * @tso: GSO packets handed to the device
 */
struct cdnavf_xmit_stats {
	struct u64_stats_sync syncp;
	u64 kicks;
	u64 stops;
	u64 busy;
	u64 linearize;
	u64 dma_errors;
	u64 drops;
	u64 csum;
	u64 tso;
};

/**
 * struct cdnavf_rx_stats - RX counters, written in NAPI
 * @syncp: u64_stats sync
 * @packets: packets passed up the stack
 * @bytes: bytes passed up the stack
 * @kicks: doorbells written after refilling
 * @csum_valid: packets with CHECKSUM_UNNECESSARY
 * @csum_partial: packets with CHECKSUM_PARTIAL (never checksummed)
 * @gso: coalesced packets (RX_GSO)
 * @copybreak: small packets copied into a fresh skb
 * @multi_buf: packets spread over more than one buffer
 * @drops: packets dropped for lack of memory
 * @cpl_errors: completions with an error status
 * @bad_cpl: completions that did not match what was posted
 * @alloc_fail: buffer allocations that failed
 */
struct cdnavf_rx_stats {
	struct u64_stats_sync syncp;
	u64 packets;
	u64 bytes;
	u64 kicks;
	u64 csum_valid;
	u64 csum_partial;
	u64 gso;
	u64 copybreak;
	u64 multi_buf;
	u64 drops;
	u64 cpl_errors;
	u64 bad_cpl;
	u64 alloc_fail;
};

/**
 * struct cdnavf_irq_stats - counters written in the queue pair's hard IRQ
 * @syncp: u64_stats sync
 * @irqs: interrupts taken on the vector
 */
struct cdnavf_irq_stats {
	struct u64_stats_sync syncp;
	u64 irqs;
};

/**
 * struct cdnavf_ring - one RX or TX queue: three areas shared with the device
 * @netdev: the net_device
 * @dev: the PCI device's struct device, for DMA
 * @qp: the queue pair
 * @qid: queue number in the ABI (CDNA_QUEUE_RX/TX(qp))
 * @size: entries in the descriptor and completion rings (power of two)
 * @mask: @size - 1
 * @event_idx: CDNA_F_EVENT_IDX was negotiated
 * @doorbell: this queue's doorbell register
 * @kick: this queue's slot in the kick page while the device accepted
 *	one (CDNA_F_KICK_PAGE), else NULL: ring @doorbell
 * @desc: descriptor ring (struct cdna_tx_desc or struct cdna_rx_desc)
 * @desc_dma: its DMA address
 * @cpl: completion ring
 * @cpl_dma: its DMA address
 * @shm: shared index area
 * @shm_dma: its DMA address
 * @tx_buf: TX: per-slot bookkeeping
 * @rx_buf: RX: per-slot buffers
 * @pp: RX: page pool the buffers come from
 * @next_to_use: descriptors published (free running; written by the
 *	producer: ndo_start_xmit for TX, NAPI for RX)
 * @last_notify: @next_to_use when the kick rule was last evaluated
 * @next_to_clean: first descriptor not yet completed (free running;
 *	written by NAPI)
 * @next_cpl: completions consumed (free running; NAPI)
 * @xmit_stats: TX: counters of the producer side
 * @tx_stats: TX: counters of the completion side
 * @rx_stats: RX: counters
 *
 * Producer and consumer fields sit on separate cache lines.
 */
struct cdnavf_ring {
	struct net_device *netdev;
	struct device *dev;
	struct cdnavf_qp *qp;
	u16 qid;
	u32 size;
	u32 mask;
	bool event_idx;
	/* RX: bytes the device writes into each buffer at most */
	u32 rx_fill;
	void __iomem *doorbell;
	u32 *kick;

	void *desc;
	dma_addr_t desc_dma;
	struct cdna_cpl *cpl;
	dma_addr_t cpl_dma;
	struct cdna_queue_shm *shm;
	dma_addr_t shm_dma;
	union {
		struct cdnavf_tx_buf *tx_buf;
		struct cdnavf_rx_buf *rx_buf;
	};
	struct page_pool *pp;

	/* producer side */
	u32 next_to_use ____cacheline_aligned_in_smp;
	u32 last_notify;
	struct cdnavf_xmit_stats xmit_stats;

	/* completion side */
	u32 next_to_clean ____cacheline_aligned_in_smp;
	u32 next_cpl;
	union {
		struct cdnavf_tx_stats tx_stats;
		struct cdnavf_rx_stats rx_stats;
	};
} ____cacheline_aligned_in_smp;

/**
 * struct cdnavf_qp - a queue pair: one vector, one NAPI context, two rings
 * @napi: polls both rings
 * @adapter: owning adapter
 * @index: queue pair number
 * @irq: Linux IRQ number of vector CDNA_MSIX_QP_VECTOR(@index)
 * @irq_requested: @irq has our handler
 * @irq_name: name shown in /proc/interrupts
 * @refill_work: retries RX buffer allocation when the ring ran dry
 * @irq_stats: counters of the hard IRQ handler
 * @rx: RX ring (queue CDNA_QUEUE_RX(@index))
 * @tx: TX ring (queue CDNA_QUEUE_TX(@index))
 */
struct cdnavf_qp {
	struct napi_struct napi;
	struct cdnavf_adapter *adapter;
	unsigned int index;
	int irq;
	bool irq_requested;
	char irq_name[IFNAMSIZ + 32];
	struct delayed_work refill_work;
	struct cdnavf_irq_stats irq_stats;

	struct cdnavf_ring rx;
	struct cdnavf_ring tx;
};

/**
 * struct cdnavf_config - what a bring-up sets up; changed only while down
 * @num_qp: queue pairs in use
 * @tx_ring_size: TX ring entries
 * @rx_ring_size: RX ring entries
 * @rx_gso: ask for CDNA_F_RX_GSO (NETIF_F_GRO_HW)
 */
struct cdnavf_config {
	unsigned int num_qp;
	u32 tx_ring_size;
	u32 rx_ring_size;
	bool rx_gso;
};

/* Bits in cdnavf_adapter.flags. */
enum cdnavf_flag {
	CDNAVF_FLAG_UP,			/* queues running (between up and down) */
	CDNAVF_FLAG_REMOVING,		/* remove() started: no new work */
	CDNAVF_FLAG_CTRL_IRQ,		/* vector 0 fired: read CTRL_CAUSE */
	CDNAVF_FLAG_RESET_REQUESTED,	/* a reset and new bring-up is due */
};

/**
 * struct cdnavf_adapter - driver state of one function (netdev_priv)
 * @netdev: the net_device
 * @pdev: the PCI function
 * @regs: BAR0
 * @flags: CDNAVF_FLAG_* bits
 * @dev_features: features the device offers (CDNA_REG_DEV_FEATURES_*)
 * @avail_features: features negotiated at probe: the net_device's offloads
 *	were derived from them, so every later bring-up must get them again
 * @features: features negotiated by the last bring-up
 * @abi_version: CDNA_REG_VERSION
 * @max_qp: queue pairs usable (device limit, vectors obtained)
 * @max_ring_size: CDNA_REG_MAX_RING_SIZE, clamped to the ABI
 * @cfg: queue configuration (RTNL)
 * @max_coal_usecs: CDNA_REG_MAX_COAL_USECS
 * @rx_coal_usecs: RX interrupt delay (RTNL)
 * @rx_coal_frames: RX completions per interrupt (RTNL)
 * @tx_coal_usecs: TX interrupt delay (RTNL)
 * @tx_coal_frames: TX completions per interrupt (RTNL)
 * @link_speed: CDNA_REG_LINK_SPEED at the last link update, Mbit/s
 * @nvecs: MSI-X vectors allocated
 * @ctrl_irq: Linux IRQ number of the control vector
 * @ctrl_irq_name: its name in /proc/interrupts
 * @ctrl_task: reads CTRL_CAUSE, updates the link, recovers from errors
 * @reset_times: jiffies of the recent error recoveries (RTNL)
 * @resets: error recoveries done (RTNL)
 * @link_changes: link interrupts that changed the carrier (RTNL)
 * @dev_errors: device errors reported through CTRL_CAUSE (RTNL)
 * @kick_page: the kick page given to the device while up, or NULL
 * @kick_cost_bar: debugfs kick_cost: ns per BAR doorbell (RTNL)
 * @kick_cost_page: the same through the kick page, 0 if none (RTNL)
 * @debugfs: this function's debugfs directory
 * @qps: queue pairs; only the first @cfg.num_qp are set up while up
 */
struct cdnavf_adapter {
	struct net_device *netdev;
	struct pci_dev *pdev;
	void __iomem *regs;
	unsigned long flags;

	u64 dev_features;
	u64 avail_features;
	u64 features;
	u32 abi_version;

	unsigned int max_qp;
	u32 max_ring_size;
	struct cdnavf_config cfg;

	u32 max_coal_usecs;
	u32 rx_coal_usecs;
	u32 rx_coal_frames;
	u32 tx_coal_usecs;
	u32 tx_coal_frames;

	u32 link_speed;

	unsigned int nvecs;
	int ctrl_irq;
	char ctrl_irq_name[IFNAMSIZ + 32];
	struct work_struct ctrl_task;

	unsigned long reset_times[CDNAVF_RESET_MAX];
	u64 resets;
	u64 link_changes;
	u64 dev_errors;

	struct page *kick_page;
	u64 kick_cost_bar;
	u64 kick_cost_page;
	struct dentry *debugfs;

	struct cdnavf_qp qps[CDNA_MAX_QUEUE_PAIRS];
};

static inline u32 cdnavf_rd32(struct cdnavf_adapter *adapter, u32 reg)
{
	return readl(adapter->regs + reg);
}

static inline void cdnavf_wr32(struct cdnavf_adapter *adapter, u32 reg,
			       u32 val)
{
	writel(val, adapter->regs + reg);
}

static inline bool cdnavf_has(const struct cdnavf_adapter *adapter,
			      unsigned int fbit)
{
	return adapter->features & BIT_ULL(fbit);
}

/* ctrl.c */
int cdnavf_check_identity(struct cdnavf_adapter *adapter);
int cdnavf_dev_init(struct cdnavf_adapter *adapter, u64 want);
void cdnavf_dev_reset(struct cdnavf_adapter *adapter);
void cdnavf_read_config(struct cdnavf_adapter *adapter);
int cdnavf_ctrl_irq_init(struct cdnavf_adapter *adapter);
void cdnavf_ctrl_irq_exit(struct cdnavf_adapter *adapter);
void cdnavf_request_reset(struct cdnavf_adapter *adapter);
void cdnavf_link_update(struct cdnavf_adapter *adapter);
void cdnavf_write_coalesce(struct cdnavf_adapter *adapter);
int cdnavf_up(struct cdnavf_adapter *adapter);
void cdnavf_down(struct cdnavf_adapter *adapter);

/* txrx.c */
void cdnavf_napi_init(struct cdnavf_adapter *adapter);
void cdnavf_napi_exit(struct cdnavf_adapter *adapter);
int cdnavf_rings_alloc(struct cdnavf_adapter *adapter);
void cdnavf_rings_free(struct cdnavf_adapter *adapter);
int cdnavf_queues_enable(struct cdnavf_adapter *adapter);
int cdnavf_qp_irqs_request(struct cdnavf_adapter *adapter);
void cdnavf_qp_irqs_free(struct cdnavf_adapter *adapter);
void cdnavf_napi_enable_all(struct cdnavf_adapter *adapter);
void cdnavf_napi_disable_all(struct cdnavf_adapter *adapter);
netdev_tx_t cdnavf_start_xmit(struct sk_buff *skb, struct net_device *netdev);
void cdnavf_get_stats64(struct net_device *netdev,
			struct rtnl_link_stats64 *stats);

/* ethtool.c */
void cdnavf_set_ethtool_ops(struct net_device *netdev);

/* debugfs.c */
#ifdef CONFIG_DEBUG_FS
void cdnavf_debugfs_add(struct cdnavf_adapter *adapter);
void cdnavf_debugfs_del(struct cdnavf_adapter *adapter);
void cdnavf_debugfs_init(void);
void cdnavf_debugfs_exit(void);
#else
static inline void cdnavf_debugfs_add(struct cdnavf_adapter *adapter) {}
static inline void cdnavf_debugfs_del(struct cdnavf_adapter *adapter) {}
static inline void cdnavf_debugfs_init(void) {}
static inline void cdnavf_debugfs_exit(void) {}
#endif

/* main.c */
int cdnavf_reconfigure(struct cdnavf_adapter *adapter,
		       const struct cdnavf_config *cfg);

#endif /* _CDNA_VF_H */
