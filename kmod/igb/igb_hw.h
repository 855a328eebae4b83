/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cdna igb backend: the 82576 virtual function as the hardware sees it.
 *
 * Register offsets inside a VF's BAR0, the mailbox protocol to the PF
 * driver and the advanced descriptor formats, as far as the backend uses
 * them.  Written from the 82576 datasheet's VF register map (the same
 * facts Linux's igbvf driver relies on).
 */
#ifndef _CDNA_IGB_HW_H
#define _CDNA_IGB_HW_H

#include <linux/bits.h>
#include <linux/types.h>

#define CDNA_IGB_VENDOR_ID		0x8086
#define CDNA_IGB_VF_DEVICE_ID		0x10ca	/* 82576 virtual function */
#define CDNA_IGB_VF_BAR_REGS		0
#define CDNA_IGB_VF_QUEUES		2	/* queue pairs of one 82576 VF */
#define CDNA_IGB_VF_VECTORS		3	/* MSI-X vectors of one VF */
#define CDNA_IGB_QUEUE_VECTORS		GENMASK(1, 0)	/* TX and RX of qp 0 */

/* ---- general registers ------------------------------------------------ */
#define CDNA_IGB_CTRL			0x0000
#define CDNA_IGB_CTRL_RST		BIT(26)	/* reset the VF's queues */
#define CDNA_IGB_STATUS			0x0008
#define CDNA_IGB_STATUS_LU		BIT(1)	/* link up */

/* ---- interrupts --------------------------------------------------------- */
#define CDNA_IGB_EICS			0x1520	/* cause set */
#define CDNA_IGB_EIMS			0x1524	/* mask set (enable) */
#define CDNA_IGB_EIMC			0x1528	/* mask clear (disable) */
#define CDNA_IGB_EIAC			0x152c	/* auto clear on MSI-X */
#define CDNA_IGB_EIAM			0x1530	/* auto mask on MSI-X */
#define CDNA_IGB_EICR			0x1580	/* cause, read clears */
#define CDNA_IGB_EITR(v)		(0x1680 + 4 * (v))	/* throttling */
#define CDNA_IGB_EITR_SHIFT		2	/* interval, in usecs */
#define CDNA_IGB_EITR_INTERVAL		GENMASK(14, 2)
#define CDNA_IGB_EITR_MAX_USECS		(CDNA_IGB_EITR_INTERVAL >> \
					 CDNA_IGB_EITR_SHIFT)
/*
 * Queue -> vector table: one byte per cause, the vector number with bit 7
 * set when valid.  Register i covers queues 2i and 2i + 1: byte 0 RX 2i,
 * byte 1 TX 2i, byte 2 RX 2i + 1, byte 3 TX 2i + 1.
 */
#define CDNA_IGB_IVAR(i)		(0x1700 + 4 * (i))
#define CDNA_IGB_IVAR_MISC		0x1740	/* byte 0: mailbox vector */
#define CDNA_IGB_IVAR_VALID		0x80

/* ---- mailbox ------------------------------------------------------------ */
#define CDNA_IGB_V2PMAILBOX		0x0c40
#define CDNA_IGB_MBX_REQ		BIT(0)	/* message for the PF posted */
#define CDNA_IGB_MBX_ACK		BIT(1)	/* PF message consumed */
#define CDNA_IGB_MBX_VFU		BIT(2)	/* buffer owned by the VF */
#define CDNA_IGB_MBX_PFU		BIT(3)	/* buffer owned by the PF */
#define CDNA_IGB_MBX_PFSTS		BIT(4)	/* PF posted a message */
#define CDNA_IGB_MBX_PFACK		BIT(5)	/* PF consumed our message */
#define CDNA_IGB_MBX_RSTI		BIT(6)	/* PF reset in progress */
#define CDNA_IGB_MBX_RSTD		BIT(7)	/* PF reset done */
/* The status bits that clear when read: kept by software until tested. */
#define CDNA_IGB_MBX_R2C		(CDNA_IGB_MBX_PFSTS | CDNA_IGB_MBX_PFACK | \
					 CDNA_IGB_MBX_RSTD)
#define CDNA_IGB_VMBMEM			0x0800	/* 16 words of message */
#define CDNA_IGB_MBX_WORDS		16

/* Message word 0: the request in the low bits, the answer in the top. */
#define CDNA_IGB_MSG_RESET		0x01	/* VF reset done: enable me */
#define CDNA_IGB_MSG_SET_LPE		0x05	/* largest frame to receive */
#define CDNA_IGB_MSG_ACK		BIT(31)
#define CDNA_IGB_MSG_NACK		BIT(30)
#define CDNA_IGB_MSG_CTS		BIT(29)
#define CDNA_IGB_MSG_ANSWER		(CDNA_IGB_MSG_ACK | CDNA_IGB_MSG_NACK | \
					 CDNA_IGB_MSG_CTS)

/* ---- queues (VF queue n < 2) --------------------------------------------- */
#define CDNA_IGB_RDBAL(n)		(0x2800 + 0x100 * (n))
#define CDNA_IGB_RDBAH(n)		(0x2804 + 0x100 * (n))
#define CDNA_IGB_RDLEN(n)		(0x2808 + 0x100 * (n))
#define CDNA_IGB_SRRCTL(n)		(0x280c + 0x100 * (n))
#define CDNA_IGB_RDH(n)			(0x2810 + 0x100 * (n))
#define CDNA_IGB_RDT(n)			(0x2818 + 0x100 * (n))
#define CDNA_IGB_RXDCTL(n)		(0x2828 + 0x100 * (n))
#define CDNA_IGB_TDBAL(n)		(0x3800 + 0x100 * (n))
#define CDNA_IGB_TDBAH(n)		(0x3804 + 0x100 * (n))
#define CDNA_IGB_TDLEN(n)		(0x3808 + 0x100 * (n))
#define CDNA_IGB_TDH(n)			(0x3810 + 0x100 * (n))
#define CDNA_IGB_TDT(n)			(0x3818 + 0x100 * (n))
#define CDNA_IGB_TXDCTL(n)		(0x3828 + 0x100 * (n))
#define CDNA_IGB_QCTL_ENABLE		BIT(25)	/* RXDCTL / TXDCTL */
#define CDNA_IGB_RXDCTL_WTHRESH(x)	((x) << 16)

/* SRRCTL: packet buffer size in KiB units, one-buffer advanced layout. */
#define CDNA_IGB_SRRCTL_BSIZE_SHIFT	10
#define CDNA_IGB_SRRCTL_BSIZE_MASK	0x7f
#define CDNA_IGB_SRRCTL_ONEBUF		BIT(25)
#define CDNA_IGB_SRRCTL_DROP_EN		BIT(31)
#define CDNA_IGB_RX_BUF_UNIT		1024	/* SRRCTL granularity */

/* Ring lengths must be multiples of 128 bytes (8 descriptors). */
#define CDNA_IGB_RING_ALIGN		128

/* VF statistics (32-bit, wrapping). */
#define CDNA_IGB_VFGPRC			0x0f10	/* packets received */
#define CDNA_IGB_VFGPTC			0x0f14	/* packets sent */

/* ---- descriptors ----------------------------------------------------------- */

/**
 * struct cdna_igb_tx_desc - an advanced TX data descriptor (read format)
 * @addr: DMA address of the buffer
 * @cmd_type_len: length, descriptor type and command bits
 * @olinfo: payload length (<< CDNA_IGB_TXD_PAYLEN_SHIFT) and status; the
 *	NIC sets CDNA_IGB_TXD_STAT_DD here when it is done with a
 *	descriptor that had CDNA_IGB_TXD_RS
 */
struct cdna_igb_tx_desc {
	__le64 addr;
	__le32 cmd_type_len;
	__le32 olinfo;
};

#define CDNA_IGB_TXD_LEN_MASK		0xffff
#define CDNA_IGB_TXD_DTYP_DATA		(3U << 20)
#define CDNA_IGB_TXD_EOP		BIT(24)
#define CDNA_IGB_TXD_IFCS		BIT(25)
#define CDNA_IGB_TXD_RS			BIT(27)
#define CDNA_IGB_TXD_DEXT		BIT(29)
#define CDNA_IGB_TXD_PAYLEN_SHIFT	14
#define CDNA_IGB_TXD_STAT_DD		BIT(0)

/**
 * struct cdna_igb_rx_desc - an advanced one-buffer RX descriptor
 * @addr: read format: DMA address of the packet buffer; write-back:
 *	packet type and checksum information (unused)
 * @hdr_addr: read format: 0 (no header split); write-back: word 0
 *	extended status and errors, word 1 length and VLAN
 *
 * The NIC writes the write-back over the read format of the same slot.
 */
struct cdna_igb_rx_desc {
	__le64 addr;
	__le64 hdr_addr;
};

/* In the upper quadword of the write-back. */
#define CDNA_IGB_RXD_STAT_DD		BIT(0)
#define CDNA_IGB_RXD_STAT_EOP		BIT(1)
#define CDNA_IGB_RXD_ERR_FRAME		(BIT(24) | BIT(25) | BIT(26) | \
					 BIT(28) | BIT(31))
#define CDNA_IGB_RXD_LEN_SHIFT		32

#endif /* _CDNA_IGB_HW_H */
