/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cdna host module: private header.
 *
 * Every struct shared between the files of cdna.ko and every cross-file
 * prototype lives here.  The object chain is
 *
 *   cdna_nic (an attached uplink; mdev parent; engine instance)
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
 *   queue.c    ring mapping, descriptor fetch/validate, completions
 *   engine.c   the software NIC engine over an uplink net_device
 *   debugfs.c  internals and fault-injection knobs
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

#include <linux/cdna.h>

#define CDNA_DRV_NAME		"cdna"
#define CDNA_MAX_CTX_PER_NIC	64
#define CDNA_CFG_SPACE_SIZE	4096	/* PCIe: extended space reads as 0 */
#define CDNA_RX_BACKLOG		1024	/* skbs queued per RX queue */

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
	CDNA_DROP_MAX,
};

extern const char * const cdna_drop_names[CDNA_DROP_MAX];

/**
 * struct cdna_queue_stats - per-queue counters, written by the engine only
 * @syncp: u64_stats sync for readers on 32-bit hosts
 * @packets: packets moved (TX: sent, RX: delivered to the guest)
 * @bytes: bytes moved
 * @drops: drops by reason
 * @kicks: doorbell writes seen for this queue (written by the doorbell
 *	path in vf_regs.c under ctx->lock, before cdna_queue_kick())
 * @irqs: interrupts raised for this queue
 */
struct cdna_queue_stats {
	struct u64_stats_sync syncp;
	u64 packets;
	u64 bytes;
	u64 drops[CDNA_DROP_MAX];
	u64 kicks;
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

#define CDNA_BUF_MAX_PAGES	(DIV_ROUND_UP(CDNA_MAX_TX_LEN, PAGE_SIZE) + 1)

/**
 * struct cdna_buf - one validated guest buffer, host-owned description
 * @iova: guest DMA address
 * @len: length in bytes
 * @offset: offset of @iova in its first page
 * @npages: pages in @pages
 * @pages: pinned pages covering [iova, iova + len)
 */
struct cdna_buf {
	u64 iova;
	u32 len;
	u32 offset;
	unsigned int npages;
	struct page *pages[CDNA_BUF_MAX_PAGES];
};

/**
 * struct cdna_protect_ops - one DMA protection implementation
 * @name: "checked" or "iommu"
 * @open: prepare for a VM that opened the device (may sleep)
 * @close: drop every pin and mapping (the VM closed the device)
 * @map_ring: pin and map [iova, iova + len) for host access; -EFAULT if
 *	any part is not memory the VM mapped for DMA
 * @unmap_ring: undo @map_ring
 * @get_buf: validate and pin a buffer; fills @buf.  Never sleeps for long.
 * @put_buf: release a buffer from @get_buf (lazily: pins stay cached)
 * @dma_unmap: the VM unmapped [iova, iova + len): drop every pin in it
 * @pinned_pages: pages currently pinned for this context
 */
struct cdna_protect_ops {
	const char *name;
	int (*open)(struct cdna_ctx *ctx);
	void (*close)(struct cdna_ctx *ctx);
	int (*map_ring)(struct cdna_ctx *ctx, u64 iova, size_t len,
			struct cdna_ring_map *map);
	void (*unmap_ring)(struct cdna_ctx *ctx, struct cdna_ring_map *map);
	int (*get_buf)(struct cdna_ctx *ctx, u64 iova, u32 len, bool write,
		       struct cdna_buf *buf);
	void (*put_buf)(struct cdna_ctx *ctx, struct cdna_buf *buf);
	void (*dma_unmap)(struct cdna_ctx *ctx, u64 iova, u64 len);
	u64 (*pinned_pages)(struct cdna_ctx *ctx);
};

extern const struct cdna_protect_ops cdna_protect_checked_ops;

/* ------------------------------------------------------------------ */
/* Queues                                                              */
/* ------------------------------------------------------------------ */

/**
 * struct cdna_queue - one RX or TX queue of a context
 * @ctx: owning context
 * @index: queue number in the ABI (RX = 2 * qp, TX = 2 * qp + 1)
 * @is_tx: TX queue
 * @cfg_desc: descriptor ring address as last written by the guest
 * @cfg_cpl: completion ring address as last written by the guest
 * @cfg_shm: shared index area address as last written by the guest
 * @cfg_size: ring size as last written by the guest
 * @enabled: rings mapped and the engine may process the queue.  Set by
 *	vf_regs.c (smp_store_release) after cdna_queue_enable() succeeded;
 *	cleared (WRITE_ONCE) before cdna_queue_disable(), which returns only
 *	when the engine no longer touches the queue.  Both are called with
 *	ctx->lock held.
 * @desc: mapped descriptor ring
 * @cpl: mapped completion ring
 * @shm: mapped shared index area
 * @mask: ring size - 1
 * @next_desc: next descriptor the device will read (free running)
 * @cons: completions written (free running), mirrored to shm->dev.cons
 * @rx_backlog: RX only: skbs waiting for guest buffers
 * @stats: counters
 *
 * The cfg_* fields and @enabled are protected by ctx->lock; the ring
 * cursors are owned by the engine thread while @enabled is set.
 */
struct cdna_queue {
	struct cdna_ctx *ctx;
	unsigned int index;
	bool is_tx;

	u64 cfg_desc;
	u64 cfg_cpl;
	u64 cfg_shm;
	u32 cfg_size;
	bool enabled;

	struct cdna_ring_map desc;
	struct cdna_ring_map cpl;
	struct cdna_ring_map shm;
	u32 mask;
	u32 next_desc;
	u32 cons;

	struct sk_buff_head rx_backlog;

	struct cdna_queue_stats stats;
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

/**
 * struct cdna_ctx - a context: one VF, one VM
 * @vdev: the VFIO device (must be first for vfio_alloc_device)
 * @mdev: the mdev instance this context is
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
 *	from cdna_engine_ctx_start() on
 * @vlan: VLAN inserted on TX/stripped on RX, 0 for none
 * @trusted: may send with any source MAC
 * @link_up: host-set link state (debugfs "link", later netlink); written
 *	under @lock, read locklessly (READ_ONCE) by the engine
 * @engine_started: cdna_engine_ctx_start() was called and not yet undone
 * @protect: DMA protection implementation
 * @protect_priv: its per-context state
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
 * @mtu: CDNA_REG_MTU
 * @max_mtu: CDNA_REG_MAX_MTU
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
 * @debugfs: this context's debugfs directory
 */
struct cdna_ctx {
	struct vfio_device vdev;
	struct mdev_device *mdev;
	struct cdna_nic *nic;
	struct list_head node;

	struct mutex lock;		/* see above */
	enum cdna_ctx_state state;
	char name[IFNAMSIZ];
	u8 mac[ETH_ALEN];
	u16 vlan;
	bool trusted;
	bool link_up;
	bool engine_started;

	const struct cdna_protect_ops *protect;
	void *protect_priv;

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
 * @uplink: the uplink net_device (a reference is held)
 * @uplink_tracker: tracks that reference
 * @ifname: uplink name at attach time (debugfs directory name)
 * @node: entry in the global NIC list, protected by cdna_nics_lock
 * @lock: protects @ctx_list, @nctx, @nopen and @detaching
 * @ctx_list: contexts on this NIC
 * @nctx: number of contexts
 * @nopen: contexts a VM holds open
 * @detaching: detach started: no new context, no new open
 * @engine: the engine instance (engine.c)
 * @debugfs: this NIC's debugfs directory
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
	unsigned int nopen;
	bool detaching;

	struct cdna_engine *engine;
	struct dentry *debugfs;
};

static inline struct cdna_nic *cdna_parent_to_nic(struct mdev_parent *parent)
{
	return container_of(parent, struct cdna_nic, parent);
}

/* nic.c */
int cdna_nic_init(void);
void cdna_nic_exit(void);
int cdna_nic_attach(struct net_device *uplink);
int cdna_nic_attach_name(const char *ifname);
int cdna_nic_detach_name(const char *ifname, bool force);
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
void cdna_ctx_set_link(struct cdna_ctx *ctx, bool up);
int cdna_ctx_set_mac(struct cdna_ctx *ctx, const u8 *mac);
bool cdna_ctx_is_open(struct cdna_ctx *ctx);

/* vf.c */
extern struct mdev_driver cdna_mdev_driver;

/* vf_cfg.c */
void cdna_cfg_init(struct cdna_ctx *ctx);
int cdna_cfg_read(struct cdna_ctx *ctx, u32 off, void *buf, u32 len);
int cdna_cfg_write(struct cdna_ctx *ctx, u32 off, const void *buf, u32 len);

/* vf_regs.c */
u32 cdna_regs_read(struct cdna_ctx *ctx, u32 off);
void cdna_regs_write(struct cdna_ctx *ctx, u32 off, u32 val);

/* irq.c */
void cdna_irq_signal(struct cdna_ctx *ctx, unsigned int vector);
int cdna_irq_get_info(struct cdna_ctx *ctx, struct vfio_irq_info *info);
int cdna_irq_set(struct cdna_ctx *ctx, struct vfio_irq_set *hdr, void *data);
void cdna_irq_request(struct cdna_ctx *ctx, unsigned int count);
void cdna_irq_release_all(struct cdna_ctx *ctx);
u64 cdna_irq_count(struct cdna_ctx *ctx, unsigned int vector);

/* queue.c: the engine side of a queue */
int cdna_queue_enable(struct cdna_queue *q);
void cdna_queue_disable(struct cdna_queue *q);
void cdna_queue_kick(struct cdna_queue *q);

/* engine.c */
int cdna_engine_create(struct cdna_nic *nic);
void cdna_engine_destroy(struct cdna_nic *nic);
int cdna_engine_ctx_add(struct cdna_nic *nic, struct cdna_ctx *ctx);
void cdna_engine_ctx_del(struct cdna_nic *nic, struct cdna_ctx *ctx);
void cdna_engine_ctx_start(struct cdna_ctx *ctx);
void cdna_engine_ctx_stop(struct cdna_ctx *ctx);

/* debugfs.c */
void cdna_debugfs_init(void);
void cdna_debugfs_exit(void);
void cdna_debugfs_nic_add(struct cdna_nic *nic);
void cdna_debugfs_nic_del(struct cdna_nic *nic);
void cdna_debugfs_ctx_add(struct cdna_ctx *ctx);
void cdna_debugfs_ctx_del(struct cdna_ctx *ctx);

#endif /* _CDNA_H */
