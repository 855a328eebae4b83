/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * cdna: Concurrent Direct Network Access for KVM - the ABI.
 *
 * This header is the only contract between the host module (cdna.ko), the
 * guest driver (cdna_vf.ko), the admin tool (cdnactl) and the tests.  It
 * holds two things:
 *
 *  1. The VF device model: what a VM sees of its context, a PCI network
 *     function.  Everything here could be implemented by NIC hardware.
 *     docs/vf-device.md explains it.
 *  2. The generic netlink family "cdna" (see the end of the file).
 *
 * All multi-byte values in registers and in guest memory are little endian.
 */
#ifndef _UAPI_LINUX_CDNA_H
#define _UAPI_LINUX_CDNA_H

#include <linux/types.h>

/* ABI version of the VF device model, read from CDNA_REG_VERSION. */
#define CDNA_ABI_MAJOR			1
#define CDNA_ABI_MINOR			0
#define CDNA_ABI_VERSION		((CDNA_ABI_MAJOR << 16) | CDNA_ABI_MINOR)

/*
 * PCI identity.  cdna owns no PCI-SIG vendor ID; 0xcd0a is absent from the
 * public PCI ID database, so no real product answers to it.  A hardware
 * implementation would carry its vendor's IDs and keep the class, the BAR
 * layout and the registers below.
 */
#define CDNA_PCI_VENDOR_ID		0xcd0a
#define CDNA_PCI_DEVICE_ID		0x0001
#define CDNA_PCI_SUBSYS_VENDOR_ID	CDNA_PCI_VENDOR_ID
#define CDNA_PCI_SUBSYS_ID		0x0001
#define CDNA_PCI_REVISION		0x01
#define CDNA_PCI_CLASS			0x020000	/* Ethernet controller */

/*
 * BARs.  BAR0 holds the registers and the doorbells; every access to it is
 * trapped.  BAR2 holds only the MSI-X table and PBA, which the VMM emulates
 * itself, so the BAR2 region is never accessed through the device.
 */
#define CDNA_BAR_REGS			0
#define CDNA_BAR_REGS_SIZE		0x4000
#define CDNA_BAR_MSIX			2
#define CDNA_BAR_MSIX_SIZE		0x1000
#define CDNA_MSIX_TABLE_OFFSET		0x0000
#define CDNA_MSIX_PBA_OFFSET		0x0800

/* Limits. */
#define CDNA_MAX_QUEUE_PAIRS		8
#define CDNA_MIN_RING_SIZE		64
#define CDNA_MAX_RING_SIZE		4096
#define CDNA_MIN_MTU			68
#define CDNA_MAX_MTU			9000
#define CDNA_MAX_TX_FRAGS		18	/* descriptors per TX packet */
#define CDNA_MAX_RX_FRAGS		18	/* buffers per RX packet */
#define CDNA_MAX_TX_LEN			65535	/* bytes per TX packet (GSO) */
#define CDNA_MIN_GSO_SIZE		8	/* smallest TX MSS (gso_size) */

/*
 * MSI-X vector map: vector 0 signals control events (link change, device
 * error); vector 1 + i serves both queues of queue pair i.
 */
#define CDNA_MSIX_CTRL_VECTOR		0
#define CDNA_MSIX_QP_VECTOR(qp)		(1 + (qp))
#define CDNA_MSIX_NUM_VECTORS(nqp)	(1 + (nqp))

/*
 * BAR0 register map.  Registers are 32 bits wide and must be accessed with
 * naturally aligned 32-bit reads and writes; other accesses are refused.
 * Reads of unassigned offsets return 0, writes to them and to read-only
 * registers are ignored; the device counts both (host-side statistics).
 */
#define CDNA_REG_MAGIC			0x000	/* RO: CDNA_MAGIC */
#define CDNA_REG_VERSION		0x004	/* RO: CDNA_ABI_VERSION */
#define CDNA_REG_DEV_FEATURES_LO	0x008	/* RO: device features 31..0 */
#define CDNA_REG_DEV_FEATURES_HI	0x00c	/* RO: device features 63..32 */
#define CDNA_REG_DRV_FEATURES_LO	0x010	/* RW: driver-acked features 31..0 */
#define CDNA_REG_DRV_FEATURES_HI	0x014	/* RW: driver-acked features 63..32 */
#define CDNA_REG_STATUS			0x018	/* RW: CDNA_STATUS_*; write 0 = reset */
#define CDNA_REG_ERROR_CAUSE		0x01c	/* RO: CDNA_ERR_* of the last error */
#define CDNA_REG_ERROR_QUEUE		0x020	/* RO: queue the error concerns, or ~0 */
#define CDNA_REG_CTRL_CAUSE		0x024	/* RC: CDNA_CTRL_CAUSE_* (read clears) */
#define CDNA_REG_MAX_QUEUE_PAIRS	0x028	/* RO: queue pairs of this function */
#define CDNA_REG_NUM_QUEUE_PAIRS	0x02c	/* RW: queue pairs the driver uses */
#define CDNA_REG_MAX_RING_SIZE		0x030	/* RO: CDNA_MAX_RING_SIZE */
#define CDNA_REG_MAX_MTU		0x034	/* RO: largest MTU allowed (may change) */
#define CDNA_REG_MTU			0x038	/* RW: MTU the driver uses */
#define CDNA_REG_MAC_LO			0x03c	/* RO: MAC bytes 0..3 (byte 0 in 7..0) */
#define CDNA_REG_MAC_HI			0x040	/* RO: MAC bytes 4..5 */
#define CDNA_REG_LINK			0x044	/* RO: CDNA_LINK_* */
#define CDNA_REG_LINK_SPEED		0x048	/* RO: link speed in Mbit/s */
#define CDNA_REG_RX_COAL_USECS		0x04c	/* RW: RX interrupt delay */
#define CDNA_REG_RX_COAL_FRAMES		0x050	/* RW: RX completions per interrupt */
#define CDNA_REG_TX_COAL_USECS		0x054	/* RW: TX interrupt delay */
#define CDNA_REG_TX_COAL_FRAMES		0x058	/* RW: TX completions per interrupt */
#define CDNA_REG_MAX_COAL_USECS		0x05c	/* RO: largest accepted delay */
/* CDNA_F_KICK_PAGE: the kick page (see CDNA_KICK_PAGE_* below). */
#define CDNA_REG_KICK_PAGE_LO		0x060	/* RW: its guest-physical address 31..0 */
#define CDNA_REG_KICK_PAGE_HI		0x064	/* RW: 63..32; a write of LO applies */
#define CDNA_REG_KICK_PAGE_STATUS	0x068	/* RO: CDNA_KICK_PAGE_* */

#define CDNA_MAGIC			0x414e4443	/* "CDNA" */

/*
 * Per-queue register blocks.  Queue q = 2 * qp is the RX queue of queue pair
 * qp, q = 2 * qp + 1 its TX queue.
 */
#define CDNA_QUEUE_RX(qp)		(2 * (qp))
#define CDNA_QUEUE_TX(qp)		(2 * (qp) + 1)
#define CDNA_MAX_QUEUES			(2 * CDNA_MAX_QUEUE_PAIRS)

#define CDNA_REG_QUEUE_BASE		0x400
#define CDNA_REG_QUEUE_STRIDE		0x40
#define CDNA_REG_QUEUE(q, reg)		(CDNA_REG_QUEUE_BASE + \
					 (q) * CDNA_REG_QUEUE_STRIDE + (reg))
#define CDNA_QREG_DESC_LO		0x00	/* RW: descriptor ring address */
#define CDNA_QREG_DESC_HI		0x04
#define CDNA_QREG_CPL_LO		0x08	/* RW: completion ring address */
#define CDNA_QREG_CPL_HI		0x0c
#define CDNA_QREG_SHM_LO		0x10	/* RW: struct cdna_queue_shm address */
#define CDNA_QREG_SHM_HI		0x14
#define CDNA_QREG_SIZE			0x18	/* RW: ring entries, a power of two */
#define CDNA_QREG_ENABLE		0x1c	/* RW: 1 = start; reads 1 while running */
#define CDNA_QREG_DROPS			0x20	/* RO: packets dropped by the device */
/*
 * RX queues, with CDNA_F_RX_BUF_SIZE: the bytes the device writes into each
 * RX buffer at most.  The driver may write its buffer size while the queue
 * is disabled; the device takes the largest size it can do that is not
 * larger (rounded down to its granularity, within its limits) and reads
 * back what it took, 0 written meaning its default.  Every RX buffer posted
 * must then be at least that large (else CDNA_CPL_ERR_LEN), a frame fills
 * each buffer up to that size before the next, and reading 0 means the
 * device has no fixed size: it fills each buffer up to its own len.
 */
#define CDNA_QREG_RX_BUF_SIZE		0x24

/*
 * Doorbells: a write of any value to CDNA_REG_DOORBELL(q) tells the device
 * that queue q has new descriptors (its producer index in shared memory
 * moved).  Drivers ring only when the device asked for it (EVENT_IDX).
 */
#define CDNA_REG_DOORBELL_BASE		0x2000
#define CDNA_REG_DOORBELL(q)		(CDNA_REG_DOORBELL_BASE + 4 * (q))

/*
 * Feature bits (64).  The driver reads the device features, writes the
 * subset it uses to DRV_FEATURES, then sets CDNA_STATUS_FEATURES_OK.  The
 * device refuses FEATURES_OK (it reads back clear and ERROR_CAUSE says
 * CDNA_ERR_FEATURES) when an acked bit is not offered or VERSION_1 is
 * missing.
 */
#define CDNA_F_VERSION_1		0	/* this ABI; must be acked */
#define CDNA_F_CSUM			1	/* TX: device completes partial csums */
#define CDNA_F_RX_CSUM			2	/* RX: device reports valid csums */
#define CDNA_F_TSO4			3	/* TX: device segments TCPv4 */
#define CDNA_F_TSO6			4	/* TX: device segments TCPv6 */
/* RX: the device may deliver coalesced TCP packets over several buffers. */
#define CDNA_F_RX_GSO			5
#define CDNA_F_EVENT_IDX		6	/* notification suppression */
#define CDNA_F_IRQ_COAL			7	/* interrupt moderation registers */
#define CDNA_F_MTU			8	/* driver may set CDNA_REG_MTU */
#define CDNA_F_LINK_IRQ			9	/* link changes raise vector 0 */
#define CDNA_F_KICK_PAGE		10	/* doorbells by a store to guest RAM */
#define CDNA_F_RX_BUF_SIZE		11	/* CDNA_QREG_RX_BUF_SIZE */
#define CDNA_F_ALL			((1ULL << 12) - 1)

/*
 * The kick page (CDNA_F_KICK_PAGE).  The driver gives the device a page of
 * its own RAM, page aligned and used for nothing else: it writes the
 * page's guest-physical address to KICK_PAGE_HI, then KICK_PAGE_LO (after
 * FEATURES_OK with the feature acked), and reads KICK_PAGE_STATUS.  If it
 * reads CDNA_KICK_PAGE_ON, a 32-bit store of any value (a single MOV) to
 * offset CDNA_KICK_PAGE_SLOT(q) of that page is queue q's doorbell; the
 * BAR doorbells keep working.  Any other status: the page is not in use,
 * ring the BAR doorbells.  Writing address 0 (or a reset) stops it; the
 * driver frees the page only after that.
 */
#define CDNA_KICK_PAGE_OFF		0	/* no kick page */
#define CDNA_KICK_PAGE_ON		1	/* stores to the page are doorbells */
#define CDNA_KICK_PAGE_NO_KVM		2	/* refused: the VMM gave no KVM */
#define CDNA_KICK_PAGE_BAD_ADDR		3	/* refused: not a page of guest RAM */
#define CDNA_KICK_PAGE_SIZE		4096
#define CDNA_KICK_PAGE_SLOT(q)		(4 * (q))

/* CDNA_REG_STATUS bits; the driver sets them in this order. */
#define CDNA_STATUS_ACKNOWLEDGE		0x01	/* driver found the device */
#define CDNA_STATUS_DRIVER		0x02	/* driver knows how to drive it */
#define CDNA_STATUS_FEATURES_OK		0x04	/* feature set accepted */
#define CDNA_STATUS_DRIVER_OK		0x08	/* queues configured, go */
#define CDNA_STATUS_NEEDS_RESET		0x40	/* device error: reset required */
#define CDNA_STATUS_FAILED		0x80	/* driver gave up */

/* CDNA_REG_ERROR_CAUSE values. */
#define CDNA_ERR_NONE			0
#define CDNA_ERR_FEATURES		1	/* bad feature set acked */
#define CDNA_ERR_QUEUE_CONFIG		2	/* bad ring address/size at enable */
#define CDNA_ERR_RING_UNMAPPED		3	/* ring memory was unmapped */
#define CDNA_ERR_RING_INDEX		4	/* producer index beyond the ring */
#define CDNA_ERR_STATE			5	/* register write illegal in state */
#define CDNA_ERR_DMA			6	/* ring access failed */

/* CDNA_REG_CTRL_CAUSE bits: why vector 0 fired. */
#define CDNA_CTRL_CAUSE_LINK		0x1
#define CDNA_CTRL_CAUSE_ERROR		0x2

/* CDNA_REG_LINK bits. */
#define CDNA_LINK_UP			0x1

/*
 * Rings.  Each queue has three areas in guest memory, configured through
 * its register block before CDNA_QREG_ENABLE is written:
 *
 *  - a descriptor ring of SIZE entries, written by the driver;
 *  - a completion ring of SIZE entries of struct cdna_cpl, written by the
 *    device;
 *  - a struct cdna_queue_shm holding the indices.
 *
 * Indices are free-running 32-bit counters; the slot of index i is
 * i & (SIZE - 1).  The driver publishes descriptors by writing them and
 * then storing the new producer index (drv.prod).  The device reads each
 * descriptor once, consumes descriptors in ring order and writes one
 * completion per packet, in order, then stores the new completion count
 * (dev.cons).  drv.prod - (descriptors completed) never exceeds SIZE; a
 * larger value is a CDNA_ERR_RING_INDEX error.
 *
 * Notification suppression (CDNA_F_EVENT_IDX), in the style of virtio's
 * event index: the driver rings the doorbell after moving prod from old to
 * new only if (u32)(new - dev.kick_event - 1) < (u32)(new - old); the device
 * raises the queue's vector after moving cons from old to new only if
 * (u32)(new - drv.irq_event - 1) < (u32)(new - old).  Without EVENT_IDX the
 * driver rings on every publish and the device interrupts on every
 * completion batch.
 *
 * Ring addresses: descriptor and completion rings aligned to 64 bytes, the
 * shared area to 128; none may cross into memory the VM did not map for DMA.
 */
struct cdna_queue_shm {
	/* Written by the driver, read by the device. */
	struct {
		__le32 prod;		/* descriptors published */
		__le32 irq_event;	/* interrupt when cons passes this */
		__le32 rsvd[14];
	} drv;
	/* Written by the device, read by the driver. */
	struct {
		__le32 cons;		/* completions written */
		__le32 kick_event;	/* ring the doorbell when prod passes */
		__le32 rsvd[14];
	} dev;
};

/*
 * TX descriptor.  A packet is one or more consecutive descriptors, the last
 * with CDNA_TXD_EOP.  Offload fields are taken from the packet's first
 * descriptor only.
 */
struct cdna_tx_desc {
	__le64 addr;		/* guest DMA address of the fragment */
	__le32 len;		/* fragment length in bytes, > 0 */
	__le16 flags;		/* CDNA_TXD_* */
	__le16 gso_size;	/* MSS when a GSO flag is set */
	__le16 csum_start;	/* CDNA_TXD_CSUM: offset where summing starts */
	__le16 csum_offset;	/* CDNA_TXD_CSUM: where to store, from start */
	__le16 hdr_len;		/* GSO: length of the headers */
	__le16 rsvd;
	__le64 rsvd2;		/* pads the descriptor to 32 bytes */
};

#define CDNA_TXD_EOP			0x0001	/* last descriptor of a packet */
#define CDNA_TXD_CSUM			0x0002	/* complete a partial checksum */
#define CDNA_TXD_GSO_TCPV4		0x0004	/* segment as TCPv4 */
#define CDNA_TXD_GSO_TCPV6		0x0008	/* segment as TCPv6 */
#define CDNA_TXD_GSO_ECN		0x0010	/* TCP ECN (CWR) in a GSO packet */
#define CDNA_TXD_FLAGS_ALL		0x001f

/* RX descriptor: one buffer posted by the driver. */
struct cdna_rx_desc {
	__le64 addr;		/* guest DMA address of the buffer */
	__le32 len;		/* buffer size in bytes, >= CDNA_MIN_RX_BUF */
	__le32 rsvd;
};

#define CDNA_MIN_RX_BUF			256

/*
 * Completion.  One per packet, in descriptor order.  ndesc says how many
 * descriptors (TX fragments, RX buffers) the packet used, starting at the
 * first descriptor not yet completed.
 *
 * RX: the device writes a buffer only inside [addr, addr + len) and only
 * after it checked that the whole buffer is memory the VM mapped for
 * device writes; an OK completion names exactly the buffers that hold
 * the frame, in order, each filled before the next (the last one up to
 * len).  A buffer the device read but did not use (a frame that needed
 * more than CDNA_MAX_RX_FRAGS buffers is dropped; a frame may be split)
 * stays posted for the next frame.
 *
 * An RX completion with an error status carries no frame: its ndesc
 * buffers end with the one that was refused (status says why) and len is
 * 0.  The refused buffer was not written.  The buffers before it may hold
 * the start of the frame the device was placing (it copies while it
 * checks): their contents are undefined, the driver must not pass them up
 * and may post them again.  The frame itself is not lost: the device
 * tries it again in the buffers after the refused one.
 */
struct cdna_cpl {
	__le32 len;		/* RX: packet bytes written; TX: bytes sent */
	__le16 ndesc;		/* descriptors consumed, >= 1 */
	__le16 status;		/* CDNA_CPL_* */
	__le16 flags;		/* RX: CDNA_RXC_* */
	__le16 gso_size;	/* RX with CDNA_RXC_GSO_*: MSS */
	__le16 csum_start;	/* RX with CDNA_RXC_CSUM_PARTIAL */
	__le16 csum_offset;	/* RX with CDNA_RXC_CSUM_PARTIAL */
};

/* Completion status: zero is success, anything else an error reason. */
#define CDNA_CPL_OK			0
#define CDNA_CPL_ERR_ADDR		1	/* buffer not in the VM's DMA memory */
#define CDNA_CPL_ERR_LEN		2	/* zero, too long or too many frags */
#define CDNA_CPL_ERR_FLAGS		3	/* unknown or inconsistent flags */
#define CDNA_CPL_ERR_SPOOF		4	/* source MAC not the context's */
#define CDNA_CPL_ERR_OFFLOAD		5	/* checksum/GSO fields out of range */
#define CDNA_CPL_ERR_DROPPED		6	/* dropped (link, VLAN tag, uplink) */

/* RX completion flags. */
#define CDNA_RXC_CSUM_VALID		0x0001	/* L4 checksum verified */
#define CDNA_RXC_GSO_TCPV4		0x0002	/* coalesced TCPv4, see gso_size */
#define CDNA_RXC_GSO_TCPV6		0x0004	/* coalesced TCPv6, see gso_size */
/* Checksum not yet computed: only with RX_GSO, for peers on the same host. */
#define CDNA_RXC_CSUM_PARTIAL		0x0008

/*
 * Generic netlink family "cdna".  Every attribute is commented with its
 * type.  Commands that change state need CAP_NET_ADMIN; errors carry an
 * extack message naming the offending attribute.
 *
 * Contexts are mdev instances.  CDNA_CMD_CTX_NEW defines a context (name,
 * MAC, queues, ...) under a UUID and returns the UUID and the path of the
 * mdev type's "create" node; the mdev instance itself is created by writing
 * the UUID there (cdnactl does both), exactly as for any mdev.  An mdev
 * created directly through sysfs becomes a context with default settings.
 */
#define CDNA_GENL_NAME			"cdna"
#define CDNA_GENL_VERSION		1
#define CDNA_GENL_MCGRP_EVENTS		"events"

enum cdna_cmd {
	CDNA_CMD_UNSPEC,
	CDNA_CMD_NIC_ATTACH,	/* IFNAME or IFINDEX */
	CDNA_CMD_NIC_DETACH,	/* IFNAME or IFINDEX, [FORCE] */
	CDNA_CMD_NIC_GET,	/* [IFNAME|IFINDEX]; dump without */
	/* NIC, NAME, [UUID MAC VLAN QUEUE_PAIRS PROTECT TRUST SPOOFCHK
	 * TX_RATE LINK INCOMING STRATEGY]
	 */
	CDNA_CMD_CTX_NEW,
	CDNA_CMD_CTX_DEL,	/* NAME or UUID, [FORCE] */
	CDNA_CMD_CTX_GET,	/* [NAME|UUID]; dump without (filter by NIC) */
	CDNA_CMD_CTX_SET,	/* NAME or UUID + attributes to change */
	CDNA_CMD_CTX_STATS,	/* NAME or UUID; dump without */
	CDNA_CMD_EVENT,		/* multicast: EVENT + NAME/UUID/NIC [LINK_UP] */
	CDNA_CMD_VERSION_GET,	/* no attributes; reply: VERSION (anyone) */
	__CDNA_CMD_MAX,
};

#define CDNA_CMD_MAX			(__CDNA_CMD_MAX - 1)

enum cdna_attr {
	CDNA_ATTR_UNSPEC,
	CDNA_ATTR_PAD,
	CDNA_ATTR_IFNAME,		/* string: uplink name */
	CDNA_ATTR_IFINDEX,		/* u32: uplink ifindex */
	CDNA_ATTR_NIC_NUM_CTX,		/* u32: contexts on the NIC */
	CDNA_ATTR_NIC_MAX_CTX,		/* u32: contexts the NIC can hold */
	CDNA_ATTR_NIC_MDEV_PARENT,	/* string: sysfs path of the mdev parent */
	CDNA_ATTR_NIC,			/* string: uplink name of a context */
	CDNA_ATTR_CTX_NAME,		/* string: context name (<= 15 chars) */
	CDNA_ATTR_CTX_UUID,		/* string: mdev UUID, 36 chars */
	CDNA_ATTR_CTX_MAC,		/* binary: 6 bytes */
	CDNA_ATTR_CTX_VLAN,		/* u16: 0 = none, 1..4094 */
	CDNA_ATTR_CTX_QUEUE_PAIRS,	/* u32: 1, 2, 4 or 8 */
	CDNA_ATTR_CTX_PROTECT,		/* u8: enum cdna_protect */
	CDNA_ATTR_CTX_TRUST,		/* u8: 0/1, may send any source MAC */
	CDNA_ATTR_CTX_SPOOFCHK,		/* u8: 0/1, check source MAC on TX */
	CDNA_ATTR_CTX_TX_RATE,		/* u32: Mbit/s, 0 = unlimited */
	CDNA_ATTR_CTX_LINK,		/* u8: enum cdna_link_mode */
	CDNA_ATTR_CTX_STATE,		/* string: lifecycle state name */
	CDNA_ATTR_CTX_CREATE_PATH,	/* string: sysfs node to write UUID to */
	CDNA_ATTR_CTX_MDEV_PATH,	/* string: /sys/bus/mdev/devices/UUID */
	CDNA_ATTR_FORCE,		/* flag: tear down even if in use */
	CDNA_ATTR_STATS,		/* nest: CDNA_STATS_* of a context */
	CDNA_ATTR_QUEUE_STATS,		/* nest, repeated: one per queue */
	CDNA_ATTR_EVENT,		/* u8: enum cdna_event */
	CDNA_ATTR_CTX_LINK_UP,		/* u8: 0/1, the link the guest sees */
	CDNA_ATTR_VERSION,		/* string: cdna.ko's version */
	CDNA_ATTR_NIC_BACKEND,		/* string: the NIC's backend ("software") */
	CDNA_ATTR_CTX_INCOMING,		/* flag: the destination of a migration:
					 * may share the MAC of one other
					 * context, steers once it runs
					 */
	CDNA_ATTR_CTX_MIG_STATE,	/* string: VFIO migration state */
	CDNA_ATTR_CTX_STRATEGY,		/* u8: enum cdna_strategy, how an iommu
					 * context maps guest buffers
					 */
	__CDNA_ATTR_MAX,
};

#define CDNA_ATTR_MAX			(__CDNA_ATTR_MAX - 1)

/* Per-context and per-queue statistics (nested). */
enum cdna_stats_attr {
	CDNA_STATS_UNSPEC,
	CDNA_STATS_PAD,
	CDNA_STATS_QUEUE,		/* u32: queue number (ABI numbering) */
	CDNA_STATS_PACKETS,		/* u64 */
	CDNA_STATS_BYTES,		/* u64 */
	CDNA_STATS_DROPS,		/* nest: enum cdna_stats_drop, u64 */
	CDNA_STATS_KICKS,		/* u64: doorbells */
	CDNA_STATS_IRQS,		/* u64: interrupts signalled */
	CDNA_STATS_PINNED_PAGES,	/* u64: pages pinned for the context */
	CDNA_STATS_PIN_HITS,		/* u64: pin cache hits */
	CDNA_STATS_PIN_MISSES,		/* u64: pin cache misses */
	CDNA_STATS_BAD_REG,		/* u64: refused register accesses */
	CDNA_STATS_RESETS,		/* u64: device resets */
	CDNA_STATS_TX_THROTTLED,	/* u64: times the TX rate held it back */
	CDNA_STATS_KICK_PAGE_KICKS,	/* u64: doorbells through the kick page */
	CDNA_STATS_KICK_PAGE_REARMS,	/* u64: kick page tracking re-armed */
	CDNA_STATS_KICK_PAGE_STATUS,	/* u32: CDNA_KICK_PAGE_* */
	CDNA_STATS_IOMMU_FAULTS,	/* u64: device DMAs the context's IOMMU
					 * domain stopped (iommu protection)
					 */
	__CDNA_STATS_MAX,
};

#define CDNA_STATS_MAX			(__CDNA_STATS_MAX - 1)

/* Drop reasons: attribute types inside CDNA_STATS_DROPS (all u64). */
enum cdna_stats_drop {
	CDNA_STATS_DROP_UNSPEC,
	CDNA_STATS_DROP_BAD_ADDR,	/* buffer outside the VM's DMA memory */
	CDNA_STATS_DROP_BAD_LEN,	/* zero/too long/too many fragments */
	CDNA_STATS_DROP_BAD_FLAGS,	/* unknown or inconsistent flags */
	CDNA_STATS_DROP_BAD_OFFLOAD,	/* csum/GSO metadata out of range */
	CDNA_STATS_DROP_SPOOF,		/* TX source MAC not the context's */
	CDNA_STATS_DROP_NO_RXBUF,	/* RX: no guest buffer in time */
	CDNA_STATS_DROP_LINK_DOWN,	/* context link is down */
	CDNA_STATS_DROP_PIN,		/* pinning guest memory failed */
	CDNA_STATS_DROP_NOMEM,		/* host allocation failed */
	CDNA_STATS_DROP_VLAN,		/* TX: VLAN tag from an untrusted context */
	CDNA_STATS_DROP_UPLINK,		/* TX: the uplink refused it (qdisc drop) */
	__CDNA_STATS_DROP_MAX,
};

#define CDNA_STATS_DROP_MAX		(__CDNA_STATS_DROP_MAX - 1)

enum cdna_protect {
	CDNA_PROTECT_MODE_CHECKED,	/* hypervisor-checked descriptor enqueue */
	CDNA_PROTECT_MODE_IOMMU,	/* per-context IOMMU domain */
};

enum cdna_strategy {
	CDNA_STRATEGY_MODE_PERSISTENT,	/* map once, unmap when the VM unmaps */
	CDNA_STRATEGY_MODE_SINGLE_USE,	/* map per descriptor, unmap at its
					 * completion
					 */
};

enum cdna_link_mode {
	CDNA_LINK_MODE_AUTO,		/* follow the uplink */
	CDNA_LINK_MODE_UP,
	CDNA_LINK_MODE_DOWN,
};

enum cdna_event {
	CDNA_EVENT_CTX_OPENED,
	CDNA_EVENT_CTX_CLOSED,
	CDNA_EVENT_CTX_RESET,
	CDNA_EVENT_CTX_ERROR,
	CDNA_EVENT_LINK,		/* + CDNA_ATTR_CTX_LINK_UP */
	CDNA_EVENT_MIG_START,		/* left RUNNING for a migration */
	CDNA_EVENT_MIG_DONE,		/* state saved, or restored */
	CDNA_EVENT_MIG_FAILED,		/* stream refused, or cancelled */
};

/*
 * Migration state stream (VFIO migration v2, docs/vf-device.md).  What
 * read() returns in STOP_COPY and write() takes in RESUMING: one struct
 * cdna_mig_header, one struct cdna_mig_ctx, then num_queues struct
 * cdna_mig_queue (RX = 2 * qp, TX = 2 * qp + 1).  Little endian.  crc32
 * is the CRC-32 (IEEE 802.3, as zlib's crc32()) of every byte after the
 * header.  A stream whose magic, version, lengths, CRC or contents do not
 * fit the destination is refused.
 *
 * Versions: a device writes CDNA_MIG_VERSION and takes every version from
 * CDNA_MIG_VERSION_MIN up.  Version 2 appended the kick page to struct
 * cdna_mig_ctx and the RX buffer size to struct cdna_mig_queue; a version
 * 1 stream has the shorter sections (CDNA_MIG_CTX_LEN_V1 and
 * CDNA_MIG_QUEUE_LEN_V1 bytes: the same fields up to the ones marked "v2")
 * and is taken as having no kick page and the default RX buffer sizes.
 * Offsets in the comments are from the start of each struct.
 */
#define CDNA_MIG_MAGIC			0x474d4443	/* "CDMG" */
#define CDNA_MIG_VERSION		2
#define CDNA_MIG_VERSION_MIN		1
#define CDNA_MIG_NUM_DROPS		16	/* room for drop reasons */

struct cdna_mig_header {
	__le32 magic;			/* 0: CDNA_MIG_MAGIC */
	__le16 version;			/* 4: CDNA_MIG_VERSION */
	__le16 header_len;		/* 6: sizeof(struct cdna_mig_header) */
	__le32 total_len;		/* 8: bytes in the whole stream */
	__le32 crc32;			/* 12: of the bytes after the header */
	__le32 num_queues;		/* 16: 2 * queue pairs of the function */
	__le32 reserved;		/* 20: 0 */
};					/* 24 bytes */

/* Context state in the stream (struct cdna_mig_ctx.state). */
enum cdna_mig_ctx_state {
	CDNA_MIG_CTX_OPEN,		/* driver not (yet) running */
	CDNA_MIG_CTX_RUNNING,		/* DRIVER_OK was accepted */
	CDNA_MIG_CTX_ERROR,		/* NEEDS_RESET */
};

#define CDNA_MIG_CFG_LEN		256	/* PCI config space saved */

struct cdna_mig_ctx {
	__le64 dev_features;		/* 0: DEV_FEATURES offered */
	__le64 drv_features;		/* 8: DRV_FEATURES */
	__le32 status;			/* 16: STATUS without NEEDS_RESET */
	__le32 num_qp;			/* 20: NUM_QUEUE_PAIRS */
	__le32 mtu;			/* 24: MTU */
	__le32 state;			/* 28: enum cdna_mig_ctx_state */
	__le32 coal[4];			/* 32: RX/TX COAL_USECS/FRAMES */
	__le32 error_cause;		/* 48: ERROR_CAUSE */
	__le32 error_queue;		/* 52: ERROR_QUEUE */
	__le32 ctrl_cause;		/* 56: CTRL_CAUSE not yet read */
	__le32 pending_vectors;		/* 60: bit n: vector n owes an interrupt */
	__u8 mac[6];			/* 64: MAC (the destination's must match) */
	__le16 vlan;			/* 70: host VLAN (informational) */
	__u8 link_up;			/* 72: LINK as the guest last saw it */
	__u8 needs_reset;		/* 73: NEEDS_RESET */
	__u8 reserved[6];		/* 74: 0 */
	__le64 bad_reg_access;		/* 80: counters that continue */
	__le64 resets;			/* 88 */
	__le64 tx_throttled;		/* 96 */
	__u8 cfg[CDNA_MIG_CFG_LEN];	/* 104: PCI config space */
	/* v2, at CDNA_MIG_CTX_LEN_V1: */
	__le64 kick_page;		/* 360: KICK_PAGE_HI:LO as written */
	/*
	 * 368: KICK_PAGE_STATUS on the source.  Not OFF: the driver applied
	 * kick_page (a write of KICK_PAGE_LO), and the destination applies
	 * it again as that write does, with its own VM; ON requires a page
	 * aligned address, not 0.
	 */
	__le32 kick_status;
	__le32 reserved2;		/* 372: 0 */
};					/* 376 bytes */

#define CDNA_MIG_CTX_LEN_V1		360

#define CDNA_MIG_Q_ENABLED		(1U << 0)	/* ENABLE = 1 */

struct cdna_mig_queue {
	__le64 desc;			/* 0: DESC_LO/HI */
	__le64 cpl;			/* 8: CPL_LO/HI */
	__le64 shm;			/* 16: SHM_LO/HI */
	__le32 size;			/* 24: SIZE */
	__le32 flags;			/* 28: CDNA_MIG_Q_* */
	__le32 next_desc;		/* 32: oldest descriptor not completed */
	__le32 cons;			/* 36: completions written (dev.cons) */
	__le64 packets;			/* 40: counters that continue */
	__le64 bytes;			/* 48 */
	__le64 kicks;			/* 56 */
	__le64 irqs;			/* 64 */
	__le64 drops[CDNA_MIG_NUM_DROPS]; /* 72: by enum cdna_stats_drop - 1 */
	/* v2, at CDNA_MIG_QUEUE_LEN_V1: */
	/*
	 * 200: RX queues: RX_BUF_SIZE as the device took it from the
	 * driver, 0 for the device's default (and always 0 for TX); the
	 * destination must be able to take exactly this size.
	 */
	__le32 rx_buf_size;
	__le32 reserved;		/* 204: 0 */
};					/* 208 bytes */

#define CDNA_MIG_QUEUE_LEN_V1		200

#endif /* _UAPI_LINUX_CDNA_H */
