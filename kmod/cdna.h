/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cdna host module: private header.
 *
 * Every struct shared between the files of cdna.ko and every cross-file
 * prototype lives here.  The object chain is
 *
 *   cdna_nic (an attached uplink; mdev parent; backend ops + instance)
 *     -> cdna_ctx (one per mdev instance; the VF a VM sees)
 *          -> cdna_queue (2 per queue pair: RX = 2 * qp, TX = 2 * qp + 1)
 *
 * One concern per file:
 *   main.c     module init/exit, mdev driver registration
 *   nic.c      attach/detach of an uplink, mdev parent and types
 *   ctx.c      context lifecycle (state machine), create/destroy
 *   vf.c       vfio_device ops: regions, ioctls, irqs, reset
 *   vf_cfg.c   emulated PCI config space
 *   vf_regs.c  BAR0 register emulation -> ctx/queue operations
 *   irq.c      per-vector eventfd triggers, pending bits, moderation
 *   protect.c  guest DMA protection interface + "checked" implementation
 *   pincache.c pin cache used by the checked protection
 *   protect_iommu.c "iommu" protection: a per-context IOMMU domain
 *   queue.c    guest-ring library: ring mapping, descriptor fetch,
 *              completions, event index, moderation (any backend)
 *   engine.h   the engine interface (struct cdna_engine_ops)
 *   backend.c  which backend drives an uplink (nic attach)
 *   sw/        the software NIC engine over an uplink net_device
 *   vf_sysfs.c per-mdev settings attributes (mdevctl --addattr)
 *   mig.c      live migration (VFIO migration v2): quiesce, state stream
 *   debugfs.c  read-only internals (state, counters)
 */
#ifndef _CDNA_H
#define _CDNA_H

#include <linux/types.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/list.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/u64_stats_sync.h>
#include <linux/vfio.h>
#include <linux/mdev.h>
#include <linux/eventfd.h>
#include <linux/kref.h>
#include <linux/hrtimer.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/atomic.h>
#include <linux/pci_regs.h>
#include <linux/etherdevice.h>
#include <linux/hashtable.h>

#include <linux/cdna.h>

#include "compat.h"
#include "engine.h"

#define CDNA_DRV_NAME		"cdna"
#define CDNA_MAX_CTX_PER_NIC	64
#define CDNA_CFG_SPACE_SIZE	4096	/* PCIe: extended space reads as 0 */

struct cdna_nic;
struct cdna_ctx;
struct cdna_queue;

/* ------------------------------------------------------------------ */
/* Statistics                                                          */
/* ------------------------------------------------------------------ */

/*
 * Why a packet or descriptor was refused or dropped.  The names are ABI
 * towards userspace (netlink stats, debugfs); keep cdna_drop_names[] in
 * sync (ctx.c).
 */
enum cdna_drop_reason {
	CDNA_DROP_BAD_ADDR,	/* buffer outside the VM's DMA memory */
	CDNA_DROP_BAD_LEN,	/* zero/too long/too many fragments */
	CDNA_DROP_BAD_FLAGS,	/* unknown or inconsistent descriptor flags */
	CDNA_DROP_BAD_OFFLOAD,	/* csum/GSO metadata out of range */
	CDNA_DROP_SPOOF,	/* TX source MAC is not the context's */
	CDNA_DROP_NO_RXBUF,	/* RX: guest posted no buffer in time */
	CDNA_DROP_LINK_DOWN,	/* context link is down */
	CDNA_DROP_PIN,		/* pinning guest memory failed */
	CDNA_DROP_NOMEM,	/* host allocation failed */
	CDNA_DROP_VLAN,		/* TX: VLAN-tagged frame, context not trusted */
	CDNA_DROP_UPLINK,	/* TX: the uplink refused it (qdisc drop, down) */
	CDNA_DROP_MAX,
};

extern const char * const cdna_drop_names[CDNA_DROP_MAX];

/**
 * cdna_eth_tagged() - does a VLAN tag lead the frame?
 * @proto: the Ethernet type after the MAC addresses
 *
 * Return: true for 802.1Q, 802.1ad and the old QinQ types.
 */
static inline bool cdna_eth_tagged(__be16 proto)
{
	switch (proto) {
	case htons(ETH_P_8021Q):
	case htons(ETH_P_8021AD):
	case htons(ETH_P_QINQ1):
	case htons(ETH_P_QINQ2):
	case htons(ETH_P_QINQ3):
		return true;
	default:
		return false;
	}
}

/**
 * struct cdna_queue_stats - per-queue counters, written by the engine only
 * @syncp: u64_stats sync for readers on 32-bit hosts; the engine thread
 *	is its only writer
 * @packets: packets moved (TX: sent, RX: delivered to the guest)
 * @bytes: bytes moved
 * @drops: drops by reason
 * @kicks: in snapshots only: a copy of cdna_queue.kicks, which has
 *	another writer (the doorbell path) and so is an atomic of its own
 * @kp_kicks: in snapshots only: a copy of cdna_queue.kp_kicks
 * @irqs: interrupts raised for this queue
 */
struct cdna_queue_stats {
	struct u64_stats_sync syncp;
	u64 packets;
	u64 bytes;
	u64 drops[CDNA_DROP_MAX];
	u64 kicks;
	u64 kp_kicks;
	u64 irqs;
};

/* ------------------------------------------------------------------ */
/* Protection: how the engine reaches guest memory                     */
/* ------------------------------------------------------------------ */

enum cdna_protect_mode {
	CDNA_PROTECT_CHECKED,	/* validate + pin through VFIO */
	CDNA_PROTECT_IOMMU,	/* per-context IOMMU domain */
};

/**
 * struct cdna_ring_map - a guest range mapped for host CPU access
 * @iova: guest DMA address of the first byte
 * @len: length in bytes
 * @vaddr: kernel virtual address of the first byte (vmap of the pages)
 * @npages: pages in @pages
 * @pages: the pinned pages
 *
 * Rings and shared areas stay mapped while their queue is enabled.
 */
struct cdna_ring_map {
	u64 iova;
	size_t len;
	void *vaddr;
	unsigned int npages;
	struct page **pages;
};

/* Largest guest buffer the engine accepts (a TX fragment, an RX buffer). */
#define CDNA_BUF_MAX_LEN	65536
#define CDNA_BUF_MAX_PAGES	(DIV_ROUND_UP(CDNA_BUF_MAX_LEN, PAGE_SIZE) + 1)

struct cdna_pin;
struct seq_file;

/*
 * How the engine will use a buffer (struct cdna_protect_ops.get_buf):
 * data goes into it (RX); a device DMAs it, so the guest's own pages or
 * nothing, never a bounce page; the caller must not wait on VFIO (a
 * thread that serves other contexts too): a buffer that needs a page
 * pinned or a copy through vfio_dma_rw() fails with -EAGAIN instead, and
 * the engine retries it where it may wait.
 */
#define CDNA_BUF_WRITE		BIT(0)
#define CDNA_BUF_DEVICE		BIT(1)
#define CDNA_BUF_NOWAIT		BIT(2)

/**
 * struct cdna_buf - one validated guest buffer, host-owned description
 * @iova: guest DMA address
 * @len: length in bytes
 * @offset: offset of @iova in its first page
 * @npages: pages in @pages
 * @pages: pinned pages covering [iova, iova + len)
 * @pins: the protection's handle of each page (pin cache entries); with
 *	struct cdna_protect_ops.dev_iova a NULL entry is a page the
 *	protection could not map: the device's DMA there is stopped
 * @unmapped: pages of @pins that are NULL (dev_iova protections only)
 * @dma: with CDNA_BUF_DEVICE and a device attached to the checked
 *	protection (.dev_attach), that device's DMA address of each page
 *	(its start), kept mapped while the pin stays cached (the engine
 *	syncs each use: bidirectional for a writable pin, to-device for a
 *	read-only one); or DMA_MAPPING_ERROR: the engine maps the page
 *	itself for the use.
 *	dev_iova protections leave it unset.
 */
struct cdna_buf {
	u64 iova;
	u32 len;
	u32 offset;
	unsigned int npages;
	unsigned int unmapped;
	struct page *pages[CDNA_BUF_MAX_PAGES];
	struct cdna_pin *pins[CDNA_BUF_MAX_PAGES];
	dma_addr_t dma[CDNA_BUF_MAX_PAGES];
};

/**
 * struct cdna_protect_ops - one DMA protection implementation
 * @name: "checked" or "iommu"
 * @open: prepare for a VM that opened the device (may sleep)
 * @close: drop every pin and mapping (the VM closed the device)
 * @map_ring: pin and map [iova, iova + len) for host access; -EFAULT if
 *	any part is not memory the VM mapped for DMA
 * @unmap_ring: undo @map_ring
 * @get_buf: validate and pin a buffer (@flags: CDNA_BUF_*); fills @buf.
 *	Never sleeps for long; with CDNA_BUF_NOWAIT never calls into VFIO
 *	(-EAGAIN where it would have to).
 * @put_buf: release a buffer from @get_buf (lazily: pins stay cached)
 * @dma_unmap: the VM unmapped [iova, iova + len): drop every pin in it,
 *	stopping the queues whose rings lie there; returns when nothing is
 *	pinned in the range any more.  Never called with ctx->lock held.
 * @pinned_pages: pages currently pinned for this context
 * @pin_stats: pin cache hits, misses and evictions
 * @flush: drop every cached pin (engine exclusion held)
 * @dev_iova: a device gets guest addresses as they are, translated by
 *	an IOMMU domain the protection fills: the engine maps no guest
 *	page with the DMA API, and a NULL pin of @get_buf is a page the
 *	domain does not map (the device's access there faults)
 * @dev_attach: optional: @dev does the context's DMA from now until
 *	@dev_detach (engine exclusion held; a VM holds the context)
 * @dev_detach: optional: @dev does no DMA for the context any more (its
 *	queues are stopped; engine exclusion held)
 * @host_alloc: allocate @size bytes of zeroed host memory that the
 *	device attached (or @dev) reads and writes: *@cpu for the CPU,
 *	*@dma for the device (engine exclusion held)
 * @host_free: free what @host_alloc gave
 * @show: optional: print the protection's state into debugfs
 *
 * All ops but @pinned_pages, @pin_stats and @show sleep.  @get_buf,
 * @put_buf, @flush, @dev_attach, @dev_detach, @host_alloc and @host_free
 * are called by the engine with the context's engine exclusion (struct
 * cdna_engine_ops.ctx_lock) held.
 */
struct cdna_protect_ops {
	const char *name;
	bool dev_iova;
	int (*open)(struct cdna_ctx *ctx);
	void (*close)(struct cdna_ctx *ctx);
	int (*map_ring)(struct cdna_ctx *ctx, u64 iova, size_t len,
			struct cdna_ring_map *map);
	void (*unmap_ring)(struct cdna_ctx *ctx, struct cdna_ring_map *map);
	int (*get_buf)(struct cdna_ctx *ctx, u64 iova, u32 len,
		       unsigned int flags, struct cdna_buf *buf);
	void (*put_buf)(struct cdna_ctx *ctx, struct cdna_buf *buf);
	void (*dma_unmap)(struct cdna_ctx *ctx, u64 iova, u64 len);
	u64 (*pinned_pages)(struct cdna_ctx *ctx);
	void (*pin_stats)(struct cdna_ctx *ctx, u64 *hits, u64 *misses,
			  u64 *evictions);
	void (*flush)(struct cdna_ctx *ctx);
	int (*dev_attach)(struct cdna_ctx *ctx, struct device *dev);
	void (*dev_detach)(struct cdna_ctx *ctx, struct device *dev);
	int (*host_alloc)(struct cdna_ctx *ctx, struct device *dev,
			  size_t size, void **cpu, dma_addr_t *dma);
	void (*host_free)(struct cdna_ctx *ctx, struct device *dev,
			  size_t size, void *cpu, dma_addr_t dma);
	void (*show)(struct cdna_ctx *ctx, struct seq_file *s);
};

extern const struct cdna_protect_ops cdna_protect_checked_ops;
extern const struct cdna_protect_ops cdna_protect_iommu_ops;

void cdna_iommu_totals(unsigned int *domains, unsigned long *guest_pages);

int cdna_protect_pin_ring(struct cdna_ctx *ctx, u64 iova, size_t len,
			  struct cdna_ring_map *map);
void cdna_protect_unpin_ring(struct cdna_ctx *ctx, struct cdna_ring_map *map);

/* ------------------------------------------------------------------ */
/* Queues                                                              */
/* ------------------------------------------------------------------ */

/**
 * struct cdna_txd - a TX descriptor as the engine validates it: a host
 * copy of struct cdna_tx_desc, read once from guest memory
 * @addr: guest DMA address of the fragment
 * @len: fragment length
 * @flags: CDNA_TXD_*
 * @gso_size: MSS
 * @csum_start: offset where checksumming starts
 * @csum_offset: where the checksum goes, from @csum_start
 * @hdr_len: GSO header length (a hint)
 */
struct cdna_txd {
	u64 addr;
	u32 len;
	u16 flags;
	u16 gso_size;
	u16 csum_start;
	u16 csum_offset;
	u16 hdr_len;
};

/**
 * struct cdna_rxd - host copy of a struct cdna_rx_desc
 * @addr: guest DMA address of the buffer
 * @len: buffer size
 */
struct cdna_rxd {
	u64 addr;
	u32 len;
};

/*
 * RX descriptors the engine holds read but not yet completed: at most
 * CDNA_MAX_RX_FRAGS, kept by ring position (index & (CDNA_RX_SHADOW - 1))
 * so that a completion that consumes fewer than were read leaves the rest
 * where the next frame looks for them.
 */
#define CDNA_RX_SHADOW		32	/* a power of 2 >= CDNA_MAX_RX_FRAGS */

/**
 * struct cdna_queue - one RX or TX queue of a context
 * @ctx: owning context
 * @index: queue number in the ABI (RX = 2 * qp, TX = 2 * qp + 1)
 * @is_tx: TX queue
 * @cfg_desc: descriptor ring address as last written by the guest
 * @cfg_cpl: completion ring address as last written by the guest
 * @cfg_shm: shared index area address as last written by the guest
 * @cfg_size: ring size as last written by the guest
 * @cfg_rx_buf: RX only: CDNA_QREG_RX_BUF_SIZE as the device took it, 0
 *	for the backend's default (cdna_regs_rx_buf())
 * @enabled: rings mapped and the engine may process the queue.  Set by
 *	vf_regs.c (smp_store_release) after ops->queue_enable succeeded;
 *	cleared (WRITE_ONCE) before ops->queue_disable, which returns only
 *	when the engine no longer touches the queue.  Both are called with
 *	ctx->lock held.
 * @desc: mapped descriptor ring
 * @cpl: mapped completion ring
 * @shm: mapped shared index area
 * @mask: ring size - 1
 * @next_desc: next descriptor the device will read (free running)
 * @cons: completions written (free running), mirrored to shm->dev.cons
 * @stats: counters
 * @kicks: doorbell writes seen for this queue (vf_regs.c, under ctx->lock)
 * @kp_kicks: kicks through the kick page (kick.c, KVM's vCPU threads)
 * @running: the engine processes the queue (rings mapped); written under
 *	the engine exclusion with WRITE_ONCE, read locklessly by the
 *	backend's receive path
 * @features: driver-acked features the ring rules follow (event index,
 *	moderation); set by the backend when it starts the context
 * @size: ring entries, fixed while @running
 * @fetch: next descriptor to read from guest memory; descriptors
 *	[@next_desc, @fetch) are host copies in @shadow
 * @irq_cons: @cons when the interrupt rule was last evaluated
 * @shadow: host copies of the descriptors [@next_desc, @fetch), read once.
 *	TX: the packet in hand, @shadow.tx[i] is descriptor @next_desc + i
 *	(a TX packet always completes every descriptor read for it).  RX:
 *	descriptor i is @shadow.rx[i & (CDNA_RX_SHADOW - 1)], see
 *	cdna_queue_rxd(); @fetch - @next_desc <= CDNA_MAX_RX_FRAGS.
 * @eng_priv: the backend's per-queue state (the software engine's
 *	struct cdna_sw_queue), from ops->ctx_add to ops->ctx_del
 * @coal_lock: protects @coal_count and @coal_armed (engine vs. timer)
 * @coal_count: completions covered by the armed timer
 * @coal_armed: @coal_timer will raise the vector
 * @coal_timer: interrupt moderation (CDNA_F_IRQ_COAL usecs)
 *
 * The cfg_* fields and @enabled are protected by ctx->lock.  The ring maps,
 * cursors, @running and @shadow are protected by the context's engine
 * exclusion (ops->ctx_lock).  These are the guest ring's state, shared by
 * every backend through the ring library (queue.c); what only one backend
 * needs lives in its @eng_priv.
 */
struct cdna_queue {
	struct cdna_ctx *ctx;
	unsigned int index;
	bool is_tx;

	u64 cfg_desc;
	u64 cfg_cpl;
	u64 cfg_shm;
	u32 cfg_size;
	u32 cfg_rx_buf;
	bool enabled;

	struct cdna_ring_map desc;
	struct cdna_ring_map cpl;
	struct cdna_ring_map shm;
	u32 mask;
	u32 next_desc;
	u32 cons;

	struct cdna_queue_stats stats;
	atomic64_t kicks;
	atomic64_t kp_kicks;

	bool running;
	u64 features;
	u32 size;
	u32 fetch;
	u32 irq_cons;
	union {
		struct cdna_txd tx[CDNA_MAX_TX_FRAGS];
		struct cdna_rxd rx[CDNA_RX_SHADOW];
	} shadow;
	void *eng_priv;

	spinlock_t coal_lock;	/* coal_count, coal_armed */
	u32 coal_count;
	bool coal_armed;
	struct hrtimer coal_timer;
};

/**
 * cdna_queue_rxd() - the host copy of a fetched RX descriptor
 * @q: a running RX queue
 * @idx: ring index (free running), in [@q->next_desc, @q->fetch)
 *
 * Return: the copy cdna_queue_fetch_rx() made of descriptor @idx.
 */
static inline const struct cdna_rxd *cdna_queue_rxd(const struct cdna_queue *q,
						    u32 idx)
{
	return &q->shadow.rx[idx & (CDNA_RX_SHADOW - 1)];
}

/* ------------------------------------------------------------------ */
/* Data path internals: pin cache, engine (pincache.c, engine*.c)      */
/* ------------------------------------------------------------------ */

#define CDNA_PINCACHE_HASH_BITS	10

/**
 * struct cdna_pin - one guest page pinned through vfio_pin_pages()
 * @hnode: entry in cdna_pincache.hash while cached
 * @lru: entry in cdna_pincache.lru (the clock) while cached
 * @gfn: guest page frame number (IOVA >> PAGE_SHIFT)
 * @page: the pinned page
 * @users: buffers using the page (plus transient holds while unpinning)
 * @writable: pinned with IOMMU_WRITE
 * @ref: used since the clock hand last passed
 * @dead: the VFIO pin is (being) dropped; the last user frees the entry
 * @dma: the page's DMA API mapping for the cache's device, if @dma_mapped
 * @dma_mapped: @dma is valid (cdna_pincache_dma_map())
 *
 * Protected, like the whole cache, by the context's engine exclusion.
 */
struct cdna_pin {
	struct hlist_node hnode;
	struct list_head lru;
	u64 gfn;
	struct page *page;
	unsigned int users;
	bool writable;
	bool ref;
	bool dead;
	bool dma_mapped;
	dma_addr_t dma;
};

/**
 * struct cdna_pincache - a context's cache of pinned guest pages
 * @vdev: the VFIO device pins are taken through
 * @hash: cached pins by gfn
 * @lru: every cached pin, the clock: newest first, the hand at the tail
 * @nr_pins: pins in @hash (and on @lru); read without the exclusion
 * @max_pins: bound beyond which unused pins are evicted
 * @syncp: the counters below are read without the exclusion
 * @hits: lookups that found the page pinned
 * @misses: lookups that had to pin it
 * @evictions: unused pins dropped to respect @max_pins
 * @dma_dev: the device cached pins are mapped for, NULL when none
 *	(cdna_pincache_dma_attach())
 *
 * The context's engine exclusion (struct cdna_engine_ops.ctx_lock), which
 * every user of the cache holds, protects it; the cache has no lock.
 */
struct cdna_pincache {
	struct vfio_device *vdev;
	struct device *dma_dev;
	DECLARE_HASHTABLE(hash, CDNA_PINCACHE_HASH_BITS);
	struct list_head lru;
	unsigned int nr_pins;
	unsigned int max_pins;
	struct u64_stats_sync syncp;
	u64_stats_t hits;
	u64_stats_t misses;
	u64_stats_t evictions;
};

/* ------------------------------------------------------------------ */
/* Interrupts                                                          */
/* ------------------------------------------------------------------ */

/**
 * struct cdna_irq - one MSI-X vector of a context
 * @trigger: eventfd QEMU gave through VFIO_DEVICE_SET_IRQS (KVM irqfd)
 * @masked: the user masked the vector through SET_IRQS (ACTION_MASK)
 * @pending: an event arrived while masked; signalled on unmask
 * @count: interrupts signalled
 * @lost: events that found no trigger installed
 *
 * All fields are protected by ctx->irq_lock.
 */
struct cdna_irq {
	struct eventfd_ctx *trigger;
	bool masked;
	bool pending;
	u64 count;
	u64 lost;
};

#define CDNA_MAX_VECTORS	CDNA_MSIX_NUM_VECTORS(CDNA_MAX_QUEUE_PAIRS)

/* ------------------------------------------------------------------ */
/* Contexts                                                            */
/* ------------------------------------------------------------------ */

/*
 * Context lifecycle.  Transitions (ctx.c, cdna_ctx_set_state()):
 *   CREATED -> OPEN           a VM opened the VFIO device
 *   OPEN -> RUNNING           the driver set DRIVER_OK
 *   OPEN/RUNNING -> ERROR     the device hit an error (NEEDS_RESET)
 *   OPEN/RUNNING/ERROR -> RESETTING
 *                             reset (STATUS = 0, VFIO_DEVICE_RESET) or close
 *   RESETTING -> OPEN         reset done
 *   RESETTING -> CLOSED       the VM closed the device
 *   CLOSED -> OPEN            opened again
 *   CREATED/CLOSED -> DESTROYED  mdev removed
 * Anything else is refused (-EINVAL) and logged with dev_dbg.
 */
enum cdna_ctx_state {
	CDNA_CTX_CREATED,
	CDNA_CTX_OPEN,
	CDNA_CTX_RUNNING,
	CDNA_CTX_RESETTING,
	CDNA_CTX_ERROR,
	CDNA_CTX_CLOSED,
	CDNA_CTX_DESTROYED,
};

const char *cdna_ctx_state_name(enum cdna_ctx_state state);

/* Coalescing registers, in the order of the ABI. */
enum cdna_coal {
	CDNA_COAL_RX_USECS,
	CDNA_COAL_RX_FRAMES,
	CDNA_COAL_TX_USECS,
	CDNA_COAL_TX_FRAMES,
	CDNA_COAL_MAX,
};

#define CDNA_MAX_COAL_USECS	10000	/* CDNA_REG_MAX_COAL_USECS */
#define CDNA_MAX_COAL_FRAMES	CDNA_MAX_RING_SIZE
#define CDNA_LINK_SPEED		10000	/* Mbit/s reported in LINK_SPEED */
#define CDNA_DEFAULT_MTU	1500

struct cdna_mig_file;

/**
 * struct cdna_ctx_mig - a context's VFIO migration state (mig.c); all
 *	fields are protected by ctx->lock
 * @state: enum vfio_device_mig_state
 * @quiesced: the engine must not run the context (left RUNNING for a
 *	migration); cdna_regs_dma_update() honours it
 * @saved: the state was saved since the context stopped: a return to
 *	RUNNING is a cancelled migration
 * @pending_vectors: vectors that owe the guest an interrupt on resume
 * @save: the stream file of STOP_COPY, or NULL
 * @resume: the stream file of RESUMING, or NULL
 * @saves: states saved
 * @resumes: states restored
 * @failures: streams refused
 */
struct cdna_ctx_mig {
	enum vfio_device_mig_state state;
	bool quiesced;
	bool saved;
	u32 pending_vectors;
	struct cdna_mig_file *save;
	struct cdna_mig_file *resume;
	u64 saves;
	u64 resumes;
	u64 failures;
};

/**
 * struct cdna_ctx - a context: one VF, one VM
 * @vdev: the VFIO device (must be first for vfio_alloc_device)
 * @mdev: the mdev instance this context is; freed by the mdev core once
 *	cdna_mdev_remove() returned, so only valid while the context is on
 *	nic->ctx_list (readers that only hold a reference use @uuid)
 * @uuid: copy of the mdev UUID, fixed for the life of the context
 * @nic: the NIC the context lives on
 * @node: entry in nic->ctx_list, protected by nic->lock
 * @lock: protects everything below that is not marked otherwise:
 *	state, registers, queue configuration, config space, the
 *	host-side settings (mac, vlan, trusted, link_up writes)
 * @state: lifecycle state
 * @name: user-visible name given by the control plane; empty until named
 *	(the mdev UUID, dev_name(mdev_dev(@mdev)), always identifies it)
 * @mac: MAC address presented to the guest and used for demux; changes
 *	only while the context is not open, so the engine may cache it
 *	from ops->ctx_start on
 * @vlan: VLAN inserted on TX/stripped on RX, 0 for none
 * @trusted: may send with any source MAC
 * @spoofchk: check the source MAC on TX (off acts like @trusted)
 * @link_mode: enum cdna_link_mode set by the control plane
 * @incoming: created as the destination of a migration: may share its
 *	MAC with one context that is not incoming (cdna_nic_mac_taken_locked())
 * @tx_rate: TX rate limit in Mbit/s, 0 for none (the engine enforces it)
 * @deleting: the control plane is deleting the context: refuse opens,
 *	keep a forced-off context stopped
 * @backend_lost: the engine's device went away under the context
 *	(cdna_ctx_backend_lost()): the link stays down; set once, read
 *	with READ_ONCE
 * @link_up: link state seen by the guest, from @link_mode (and the
 *	uplink's carrier for auto); written under @lock, read locklessly
 *	(READ_ONCE) by the engine
 * @engine_started: ops->ctx_start was called and not yet undone
 * @protect: DMA protection implementation (fixed at creation)
 * @protect_priv: its per-context state
 * @strategy: enum cdna_strategy of an iommu context (fixed at
 *	creation)
 * @iommu_faults: device DMAs to a page the context's IOMMU domain did not
 *	map (the engine counts the slots it posted so; the IOMMU driver's
 *	fault reports add to it)
 * @eng_priv: the backend's per-context state, from nic->ops->ctx_add to
 *	nic->ops->ctx_del
 * @nqp: queue pairs of this function (from the mdev type)
 * @nvec: MSI-X vectors of this function, CDNA_MSIX_NUM_VECTORS(@nqp)
 * @queues: 2 * @nqp queues
 * @irq_lock: protects @irqs and @req_trigger; taken from any context
 *	(cdna_irq_signal() is called by the engine in softirq/kthread
 *	context), never held while sleeping.  Nests inside @lock.
 * @irqs: @nvec vectors
 * @req_trigger: eventfd for VFIO_PCI_REQ_IRQ_INDEX (device request)
 * @cfg: emulated PCI config space
 * @cfg_wmask: writable bits of the first 256 bytes of @cfg
 * @dev_features: offered features
 * @drv_features: features the driver acked
 * @status: CDNA_REG_STATUS without CDNA_STATUS_NEEDS_RESET
 * @num_qp: CDNA_REG_NUM_QUEUE_PAIRS
 * @mtu: CDNA_REG_MTU; written under @lock with WRITE_ONCE (also while
 *	running), read by the engine for every TX packet
 * @max_mtu: CDNA_REG_MAX_MTU: CDNA_MAX_MTU bounded by the uplink's MTU,
 *	which it follows (cdna_ctx_update_mtu()); written with WRITE_ONCE
 * @coal: coalescing registers, indexed by enum cdna_coal
 * @event_lock: protects @needs_reset, @error_cause, @error_queue and
 *	@ctrl_cause, which the engine sets from any context
 *	(cdna_ctx_raise_error()).  Nests inside @lock.
 * @needs_reset: CDNA_STATUS_NEEDS_RESET
 * @error_cause: CDNA_REG_ERROR_CAUSE
 * @error_queue: CDNA_REG_ERROR_QUEUE
 * @ctrl_cause: CDNA_REG_CTRL_CAUSE
 * @error_work: moves the context to ERROR after cdna_ctx_raise_error()
 * @bad_reg_access: register accesses refused or ignored (atomic: also
 *	bumped by the region read/write path before taking @lock)
 * @resets: resets done
 * @tx_throttled: times its TX rate held it back (the engine counts)
 * @mig: live migration state
 * @kick: the kick page machinery while opened with KVM, else NULL (kick.c;
 *	set and cleared under @lock)
 * @kick_addr: CDNA_REG_KICK_PAGE_HI/LO as written (@lock)
 * @kick_status: CDNA_REG_KICK_PAGE_STATUS (@lock)
 * @debugfs: this context's debugfs directory
 */
struct cdna_ctx {
	struct vfio_device vdev;
	struct mdev_device *mdev;
	guid_t uuid;
	struct cdna_nic *nic;
	struct list_head node;

	struct mutex lock;		/* see above */
	enum cdna_ctx_state state;
	char name[IFNAMSIZ];
	u8 mac[ETH_ALEN];
	u16 vlan;
	bool trusted;
	bool spoofchk;
	u8 link_mode;
	u32 tx_rate;
	bool incoming;
	bool deleting;
	bool backend_lost;
	bool link_up;
	bool engine_started;

	const struct cdna_protect_ops *protect;
	void *protect_priv;
	u8 strategy;
	atomic64_t iommu_faults;
	void *eng_priv;

	unsigned int nqp;
	unsigned int nvec;
	struct cdna_queue *queues;

	spinlock_t irq_lock;		/* see above */
	struct cdna_irq irqs[CDNA_MAX_VECTORS];
	struct eventfd_ctx *req_trigger;

	u8 cfg[CDNA_CFG_SPACE_SIZE];
	u8 cfg_wmask[PCI_CFG_SPACE_SIZE];
	u64 dev_features;
	u64 drv_features;
	u32 status;
	u32 num_qp;
	u32 mtu;
	u32 max_mtu;
	u32 coal[CDNA_COAL_MAX];

	spinlock_t event_lock;		/* see above */
	bool needs_reset;
	u32 error_cause;
	u32 error_queue;
	u32 ctrl_cause;
	struct work_struct error_work;

	atomic64_t bad_reg_access;
	u64 resets;
	atomic64_t tx_throttled;

	struct cdna_ctx_mig mig;
	struct cdna_kick *kick;
	u64 kick_addr;
	u32 kick_status;

	struct dentry *debugfs;
};

static inline struct cdna_ctx *cdna_vdev_to_ctx(struct vfio_device *vdev)
{
	return container_of(vdev, struct cdna_ctx, vdev);
}

/* ------------------------------------------------------------------ */
/* NICs                                                                */
/* ------------------------------------------------------------------ */

#define CDNA_NUM_MDEV_TYPES	4	/* 1, 2, 4, 8 queue pairs */

/**
 * struct cdna_nic - an attached uplink
 * @dev: our device, parent of the mdev instances (class "cdna",
 *	name "cdna-<ifname>"); its release frees the NIC
 * @parent: mdev parent embedded for mdev_register_parent()
 * @types: mdev types "cdna-1qp" .. "cdna-8qp" (sysfs_name "1qp" ..: the
 *	mdev core prefixes the class name)
 * @type_list: pointers to @types for mdev_register_parent()
 * @uplink: the uplink net_device (a reference is held); NULL once the NIC
 *	is revoked (written under @lock, after the NIC left the list)
 * @uplink_tracker: tracks that reference
 * @ifname: the uplink's name, followed on NETDEV_CHANGENAME (debugfs
 *	directory name); written with cdna_nics_lock and @lock held, read
 *	with either (the device name "cdna-<ifname>" stays the one of attach)
 * @node: entry in the global NIC list, protected by cdna_nics_lock
 * @lock: protects @ctx_list, @nctx, @nopen, @detaching, @defs and @ndefs
 * @ctx_list: contexts on this NIC
 * @nctx: number of contexts
 * @max_ctx: contexts (and pending definitions) the NIC may hold
 * @defs: pending context definitions (struct cdna_ctx_def.node)
 * @ndefs: entries on @defs
 * @nopen: contexts a VM holds open
 * @detaching: detach started: no new context, no new open
 * @ops: the backend driving this NIC (engine.h), chosen at attach by
 *	cdna_engine_select() and fixed for the life of the NIC
 * @eng_priv: the backend's instance, from ops->create to ops->destroy
 * @caps: what the backend can do, filled by ops->create
 * @debugfs: this NIC's debugfs directory
 * @release_work: the second half of a detach, when VMs still hold
 *	contexts of the revoked NIC (nic.c)
 */
struct cdna_nic {
	struct device dev;
	struct mdev_parent parent;
	struct mdev_type types[CDNA_NUM_MDEV_TYPES];
	struct mdev_type *type_list[CDNA_NUM_MDEV_TYPES];
	struct net_device *uplink;
	netdevice_tracker uplink_tracker;
	char ifname[IFNAMSIZ];
	struct list_head node;

	struct mutex lock;		/* see above */
	struct list_head ctx_list;
	unsigned int nctx;
	unsigned int max_ctx;
	struct list_head defs;
	unsigned int ndefs;
	unsigned int nopen;
	bool detaching;

	const struct cdna_engine_ops *ops;
	void *eng_priv;
	struct cdna_engine_caps caps;
	struct dentry *debugfs;
	struct work_struct release_work;
};

static inline struct cdna_nic *cdna_parent_to_nic(struct mdev_parent *parent)
{
	return container_of(parent, struct cdna_nic, parent);
}

/**
 * struct cdna_ctx_def - a context defined by the control plane, waiting
 *	for its mdev instance (CDNA_CMD_CTX_NEW, then a write of @uuid to
 *	the type's "create" node; the mdev probe consumes it)
 * @node: entry in nic->defs, protected by nic->lock
 * @uuid: the mdev UUID
 * @name: context name
 * @mac: MAC address
 * @vlan: VLAN, 0 for none
 * @nqp: queue pairs; the mdev type written must match
 * @protect: enum cdna_protect
 * @strategy: enum cdna_strategy
 * @trusted: may send any source MAC
 * @spoofchk: check the source MAC on TX
 * @tx_rate: TX rate limit in Mbit/s, 0 for none
 * @link_mode: enum cdna_link_mode
 * @incoming: the destination of a migration (struct cdna_ctx.incoming)
 */
struct cdna_ctx_def {
	struct list_head node;
	guid_t uuid;
	char name[IFNAMSIZ];
	u8 mac[ETH_ALEN];
	u16 vlan;
	unsigned int nqp;
	u8 protect;
	u8 strategy;
	bool trusted;
	bool spoofchk;
	u32 tx_rate;
	u8 link_mode;
	bool incoming;
};

#define CDNA_MAX_TX_RATE	1000000		/* Mbit/s: 1 Tbit/s */

/* Which fields of a struct cdna_ctx_settings are set. */
#define CDNA_SET_NAME		BIT(0)
#define CDNA_SET_MAC		BIT(1)
#define CDNA_SET_VLAN		BIT(2)
#define CDNA_SET_TRUST		BIT(3)
#define CDNA_SET_SPOOFCHK	BIT(4)
#define CDNA_SET_TX_RATE	BIT(5)
#define CDNA_SET_LINK		BIT(6)
#define CDNA_SET_PROTECT	BIT(7)	/* protection and strategy (idle) */
/* Only while no VM holds the context (MAC and VLAN: always). */
#define CDNA_SET_IDLE_ONLY	BIT(31)

/**
 * struct cdna_ctx_settings - a change to a context's host-side settings,
 *	from CDNA_CMD_CTX_SET (netlink.c) or a sysfs write (vf_sysfs.c);
 *	both go through cdna_ctx_apply()
 * @mask: CDNA_SET_* of the fields below that are to change
 * @name: new name
 * @mac: new MAC address
 * @vlan: new VLAN, 0 for none
 * @trusted: may send any source MAC
 * @spoofchk: check the source MAC on TX
 * @tx_rate: TX rate limit in Mbit/s, 0 for none
 * @link_mode: enum cdna_link_mode
 * @protect: enum cdna_protect
 * @strategy: enum cdna_strategy (iommu protection)
 */
struct cdna_ctx_settings {
	u32 mask;
	char name[IFNAMSIZ];
	u8 mac[ETH_ALEN];
	u16 vlan;
	bool trusted;
	bool spoofchk;
	u32 tx_rate;
	u8 link_mode;
	u8 protect;
	u8 strategy;
};

/* ------------------------------------------------------------------ */
/* Calls into the engine: the only way across the line (engine.h)      */
/* ------------------------------------------------------------------ */

static inline const struct cdna_engine_ops *cdna_eng_ops(struct cdna_ctx *ctx)
{
	return ctx->nic->ops;
}

static inline void cdna_eng_ctx_start(struct cdna_ctx *ctx)
{
	cdna_eng_ops(ctx)->ctx_start(ctx);
}

static inline void cdna_eng_ctx_stop(struct cdna_ctx *ctx)
{
	cdna_eng_ops(ctx)->ctx_stop(ctx);
}

static inline int cdna_eng_ctx_open(struct cdna_ctx *ctx)
{
	const struct cdna_engine_ops *ops = cdna_eng_ops(ctx);

	return ops->ctx_open ? ops->ctx_open(ctx) : 0;
}

static inline void cdna_eng_ctx_close(struct cdna_ctx *ctx)
{
	const struct cdna_engine_ops *ops = cdna_eng_ops(ctx);

	if (ops->ctx_close)
		ops->ctx_close(ctx);
}

static inline void cdna_eng_ctx_reset(struct cdna_ctx *ctx)
{
	const struct cdna_engine_ops *ops = cdna_eng_ops(ctx);

	if (ops->ctx_reset)
		ops->ctx_reset(ctx);
}

static inline void cdna_eng_lock(struct cdna_ctx *ctx)
{
	cdna_eng_ops(ctx)->ctx_lock(ctx);
}

static inline void cdna_eng_unlock(struct cdna_ctx *ctx)
{
	cdna_eng_ops(ctx)->ctx_unlock(ctx);
}

static inline void cdna_eng_release_locked(struct cdna_ctx *ctx)
{
	cdna_eng_ops(ctx)->release_locked(ctx);
}

static inline void cdna_eng_dma_unmap_locked(struct cdna_ctx *ctx, u64 iova,
					     u64 len)
{
	cdna_eng_ops(ctx)->dma_unmap_locked(ctx, iova, len);
}

static inline int cdna_eng_queue_enable(struct cdna_queue *q)
{
	return cdna_eng_ops(q->ctx)->queue_enable(q);
}

static inline void cdna_eng_queue_disable(struct cdna_queue *q)
{
	cdna_eng_ops(q->ctx)->queue_disable(q);
}

static inline void cdna_eng_kick(struct cdna_queue *q)
{
	cdna_eng_ops(q->ctx)->kick(q);
}

static inline int cdna_eng_set_filter(struct cdna_ctx *ctx, const u8 *mac,
				      u16 vlan, struct netlink_ext_ack *extack)
{
	const struct cdna_engine_ops *ops = cdna_eng_ops(ctx);

	return ops->set_filter ? ops->set_filter(ctx, mac, vlan, extack) : 0;
}

static inline void cdna_eng_set_tx_policy(struct cdna_ctx *ctx)
{
	const struct cdna_engine_ops *ops = cdna_eng_ops(ctx);

	if (ops->set_tx_policy)
		ops->set_tx_policy(ctx);
}

static inline void cdna_eng_irq_update(struct cdna_ctx *ctx,
				       unsigned int vector)
{
	const struct cdna_engine_ops *ops = cdna_eng_ops(ctx);

	if (ops->irq_update)
		ops->irq_update(ctx, vector);
}

void cdna_queue_stats_read(struct cdna_queue *q, struct cdna_queue_stats *st);

/**
 * cdna_eng_queue_stats() - a snapshot of a queue's counters
 * @q: the queue
 * @st: filled with packets, bytes, drops, irqs and kicks (BAR, kick page)
 *
 * Any process context; does not sleep.
 */
static inline void cdna_eng_queue_stats(struct cdna_queue *q,
					struct cdna_queue_stats *st)
{
	const struct cdna_engine_ops *ops = cdna_eng_ops(q->ctx);

	if (ops->queue_stats)
		ops->queue_stats(q, st);
	else
		cdna_queue_stats_read(q, st);
	st->kicks = atomic64_read(&q->kicks);
	st->kp_kicks = atomic64_read(&q->kp_kicks);
}

/* The global NIC list (nic.c).  Lock order: cdna_nics_lock, nic->lock,
 * ctx->lock, rtnl_lock is never held while taking them.  cdna_nics_lock
 * also makes context names unique on the host: every writer of a name
 * (definition, mdev probe) holds it, so the mdev probe takes it and
 * nothing may wait for a probe or an mdev removal (mdev_unregister_parent())
 * while holding it.
 */
extern struct mutex cdna_nics_lock;
extern struct list_head cdna_nics;

/**
 * struct cdna_param_uint - a module parameter bounded to [@min, @max]
 * @val: the variable (read with READ_ONCE, written with WRITE_ONCE)
 * @min: smallest value accepted
 * @max: largest value accepted
 *
 * module_param_cb(name, &cdna_param_uint_ops, &param, perm): a value out
 * of range is refused with a message, at load and through sysfs.
 */
struct cdna_param_uint {
	unsigned int *val;
	unsigned int min;
	unsigned int max;
};

extern const struct kernel_param_ops cdna_param_uint_ops;

/* nic.c */
int cdna_nic_init(void);
void cdna_nic_exit(void);
int cdna_nic_attach(struct net_device *uplink, unsigned int max_ctx,
		    struct netlink_ext_ack *extack);
struct cdna_nic *cdna_nic_find_locked(const char *ifname,
				      const struct net_device *uplink);
int cdna_nic_detach_name(const char *ifname, bool force);
int cdna_nic_ctx_define(struct cdna_nic *nic, struct cdna_ctx_def *def,
			struct netlink_ext_ack *extack);
int cdna_nic_ctx_undefine(struct cdna_nic *nic, const guid_t *uuid);
struct cdna_ctx_def *cdna_nic_def_find_locked(struct cdna_nic *nic,
					      const char *name,
					      const guid_t *uuid);
bool cdna_nic_mac_taken_locked(struct cdna_nic *nic, struct cdna_ctx *self,
			       const u8 *mac, bool incoming);
bool cdna_nic_mac_is_uplink(struct cdna_nic *nic, const u8 *mac);
bool cdna_nic_name_taken(struct cdna_ctx *self, const char *name);
void cdna_nic_link_update(struct cdna_nic *nic);
void cdna_nic_detach_all(void);
int cdna_nic_ctx_add(struct cdna_nic *nic, struct cdna_ctx *ctx);
void cdna_nic_ctx_del(struct cdna_nic *nic, struct cdna_ctx *ctx);
int cdna_nic_ctx_open(struct cdna_nic *nic);
void cdna_nic_ctx_close(struct cdna_nic *nic);
unsigned int cdna_nic_type_nqp(struct cdna_nic *nic, struct mdev_type *type);

/* ctx.c */
int cdna_ctx_init(struct cdna_ctx *ctx, struct cdna_nic *nic,
		  unsigned int nqp);
void cdna_ctx_fini(struct cdna_ctx *ctx);
int cdna_ctx_set_state(struct cdna_ctx *ctx, enum cdna_ctx_state state);
int cdna_ctx_open(struct cdna_ctx *ctx);
void cdna_ctx_close(struct cdna_ctx *ctx);
void cdna_ctx_reset(struct cdna_ctx *ctx);
void cdna_ctx_regs_init(struct cdna_ctx *ctx);
void cdna_ctx_error(struct cdna_ctx *ctx, u32 cause, u32 queue);
void cdna_ctx_raise_error(struct cdna_ctx *ctx, u32 cause, u32 queue);
void cdna_ctx_backend_lost(struct cdna_ctx *ctx, u32 cause);
void cdna_ctx_set_link(struct cdna_ctx *ctx, bool up);
bool cdna_ctx_name_valid(const char *name);
int cdna_ctx_apply(struct cdna_ctx *ctx, const struct cdna_ctx_settings *set,
		   struct netlink_ext_ack *extack);
bool cdna_ctx_is_open(struct cdna_ctx *ctx);
void cdna_ctx_apply_def(struct cdna_ctx *ctx, const struct cdna_ctx_def *def);
void cdna_ctx_update_link(struct cdna_ctx *ctx);
void cdna_ctx_update_mtu(struct cdna_ctx *ctx);
void cdna_ctx_set_tx_policy(struct cdna_ctx *ctx, bool trusted, bool spoofchk,
			    u32 tx_rate);
int cdna_ctx_delete_begin(struct cdna_ctx *ctx, bool force);

/* netlink.c */
int cdna_nl_init(void);
void cdna_nl_exit(void);
void cdna_nl_event(struct cdna_ctx *ctx, enum cdna_event event);

/* vf.c */
extern struct mdev_driver cdna_mdev_driver;

/* vf_sysfs.c */
extern const struct attribute_group *cdna_vf_sysfs_groups[];

/* vf_cfg.c */
void cdna_cfg_init(struct cdna_ctx *ctx);
int cdna_cfg_read(struct cdna_ctx *ctx, u32 off, void *buf, u32 len);
int cdna_cfg_write(struct cdna_ctx *ctx, u32 off, const void *buf, u32 len);
bool cdna_cfg_bus_master(struct cdna_ctx *ctx);

/* vf_regs.c */
u32 cdna_regs_read(struct cdna_ctx *ctx, u32 off);
void cdna_regs_write(struct cdna_ctx *ctx, u32 off, u32 val);
void cdna_regs_dma_update(struct cdna_ctx *ctx);
u32 cdna_regs_rx_buf(struct cdna_ctx *ctx, struct cdna_queue *q);
u32 cdna_regs_rx_buf_take(struct cdna_ctx *ctx, u32 val);

/* irq.c */
void cdna_irq_signal(struct cdna_ctx *ctx, unsigned int vector);
int cdna_irq_get_info(struct cdna_ctx *ctx, struct vfio_irq_info *info);
int cdna_irq_set(struct cdna_ctx *ctx, struct vfio_irq_set *hdr, void *data);
void cdna_irq_request(struct cdna_ctx *ctx, unsigned int count);
void cdna_irq_release_all(struct cdna_ctx *ctx);
u64 cdna_irq_count(struct cdna_ctx *ctx, unsigned int vector);

/* queue.c: the guest-ring library every backend uses */
void cdna_queue_init(struct cdna_queue *q);
int cdna_queue_map(struct cdna_queue *q);
void cdna_queue_restore(struct cdna_queue *q, u32 next_desc, u32 cons);
void cdna_queue_unmap(struct cdna_queue *q);
void cdna_queue_cancel_irq(struct cdna_queue *q);
bool cdna_queue_read_prod(struct cdna_queue *q, u32 *prod);
void cdna_queue_fetch_tx(struct cdna_queue *q, struct cdna_txd *d);
const struct cdna_rxd *cdna_queue_fetch_rx(struct cdna_queue *q);
void cdna_queue_complete(struct cdna_queue *q, const struct cdna_cpl *cpl,
			 u16 ndesc);
void cdna_queue_publish(struct cdna_queue *q);
u16 cdna_queue_drop_status(enum cdna_drop_reason r);
bool cdna_queue_arm_kick(struct cdna_queue *q, bool want);
bool cdna_queue_overlaps(const struct cdna_queue *q, u64 iova, u64 len);

/* kick.c: the kick page (CDNA_F_KICK_PAGE) */
struct kvm;
void cdna_kick_open(struct cdna_ctx *ctx, struct kvm *kvm);
void cdna_kick_close(struct cdna_ctx *ctx);
void cdna_kick_set(struct cdna_ctx *ctx, u64 gpa);
void cdna_kick_reset(struct cdna_ctx *ctx);
u64 cdna_kick_rearms(struct cdna_ctx *ctx);
int cdna_kick_drop_tracking(struct cdna_ctx *ctx);
long cdna_kick_sweep_timeout(void);

/* pincache.c */
int cdna_buf_span(u64 iova, u32 len, struct cdna_buf *buf, u64 *first,
		  u64 *last);
void cdna_pincache_init(struct cdna_pincache *pc, struct vfio_device *vdev,
			unsigned int max_pins);
int cdna_pincache_get(struct cdna_pincache *pc, u64 iova, u32 len,
		      unsigned int flags, struct cdna_buf *buf);
enum cdna_drop_reason cdna_pincache_drop_reason(int err);
void cdna_pincache_put(struct cdna_pincache *pc, struct cdna_buf *buf);
void cdna_pincache_invalidate(struct cdna_pincache *pc, u64 iova, u64 len);
void cdna_pincache_dma_attach(struct cdna_pincache *pc, struct device *dev);
void cdna_pincache_dma_detach(struct cdna_pincache *pc);
void cdna_pincache_dma_map(struct cdna_pincache *pc, struct cdna_buf *buf);
unsigned int cdna_pincache_pinned(struct cdna_pincache *pc);
void cdna_pincache_stats(struct cdna_pincache *pc, u64 *hits, u64 *misses,
			 u64 *evictions);
s64 cdna_pins_total_read(void);
void cdna_pins_total_add(s64 n);

/* mig.c */
void cdna_mig_init(struct cdna_ctx *ctx);
void cdna_mig_reset(struct cdna_ctx *ctx);
const char *cdna_mig_state_name(struct cdna_ctx *ctx);
#ifndef CDNA_HAVE_MIG_GET_DATA_SIZE
int cdna_mig_device_feature(struct vfio_device *vdev, u32 flags,
			    void __user *arg, size_t argsz);
#endif

/* debugfs.c */
void cdna_debugfs_init(void);
void cdna_debugfs_exit(void);
void cdna_debugfs_nic_add(struct cdna_nic *nic);
void cdna_debugfs_nic_del(struct cdna_nic *nic);
void cdna_debugfs_nic_rename(struct cdna_nic *nic);
void cdna_debugfs_ctx_add(struct cdna_ctx *ctx);
void cdna_debugfs_ctx_del(struct cdna_ctx *ctx);

#endif /* _CDNA_H */
