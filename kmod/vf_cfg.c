// SPDX-License-Identifier: GPL-2.0
/*
 * cdna: the VF's emulated PCI config space.
 *
 * A PCI Express endpoint with two 32-bit memory BARs (BAR0 registers, BAR2
 * MSI-X table and PBA) and a capability list: the PCIe capability (v2),
 * then MSI-X.  No INTx, no MSI, no ROM.  Writes go through a byte mask of
 * writable bits, which also gives BAR sizing its usual behaviour (write
 * all ones, read back the size mask).  The extended space reads as 0.
 *
 * Bus Master Enable is honoured: while PCI_COMMAND_MASTER is clear the
 * engine does not run the context (vf_regs.c, cdna_regs_dma_update()), so
 * the function neither reads nor writes guest memory.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/pci_regs.h>

#include "cdna.h"

#define CDNA_CAP_EXP		0x40	/* PCIe capability */
#define CDNA_CAP_MSIX		0x80	/* MSI-X capability */

/* Command register bits the driver may change (no I/O BARs). */
#define CDNA_CFG_COMMAND_WMASK	(PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | \
				 PCI_COMMAND_PARITY | PCI_COMMAND_SERR | \
				 PCI_COMMAND_INTX_DISABLE)

#define CDNA_CFG_DEVCTL_WMASK	(PCI_EXP_DEVCTL_CERE | PCI_EXP_DEVCTL_NFERE | \
				 PCI_EXP_DEVCTL_FERE | PCI_EXP_DEVCTL_URRE | \
				 PCI_EXP_DEVCTL_RELAX_EN | \
				 PCI_EXP_DEVCTL_PAYLOAD | \
				 PCI_EXP_DEVCTL_EXT_TAG | \
				 PCI_EXP_DEVCTL_PHANTOM | \
				 PCI_EXP_DEVCTL_AUX_PME | \
				 PCI_EXP_DEVCTL_NOSNOOP_EN | \
				 PCI_EXP_DEVCTL_READRQ)

#define CDNA_CFG_LNKCTL_WMASK	(PCI_EXP_LNKCTL_ASPMC | PCI_EXP_LNKCTL_RCB | \
				 PCI_EXP_LNKCTL_CCC | PCI_EXP_LNKCTL_ES)

static_assert(CDNA_CAP_EXP + PCI_CAP_EXP_ENDPOINT_SIZEOF_V2 <= CDNA_CAP_MSIX);
static_assert(CDNA_CAP_MSIX + PCI_CAP_MSIX_SIZEOF <= PCI_CFG_SPACE_SIZE);
static_assert(CDNA_MSIX_TABLE_OFFSET + CDNA_MAX_VECTORS * PCI_MSIX_ENTRY_SIZE <=
	      CDNA_MSIX_PBA_OFFSET);

static void cdna_cfg_set16(struct cdna_ctx *ctx, u32 off, u16 val, u16 wmask)
{
	put_unaligned_le16(val, &ctx->cfg[off]);
	put_unaligned_le16(wmask, &ctx->cfg_wmask[off]);
}

static void cdna_cfg_set32(struct cdna_ctx *ctx, u32 off, u32 val, u32 wmask)
{
	put_unaligned_le32(val, &ctx->cfg[off]);
	put_unaligned_le32(wmask, &ctx->cfg_wmask[off]);
}

/* A 32-bit non-prefetchable memory BAR of @size bytes (a power of two). */
static void cdna_cfg_set_bar(struct cdna_ctx *ctx, unsigned int bar, u32 size)
{
	cdna_cfg_set32(ctx, PCI_BASE_ADDRESS_0 + 4 * bar,
		       PCI_BASE_ADDRESS_SPACE_MEMORY |
		       PCI_BASE_ADDRESS_MEM_TYPE_32, ~(size - 1));
}

/**
 * cdna_cfg_init() - build the config space of a freshly reset function
 * @ctx: the context; caller holds ctx->lock or owns @ctx exclusively
 */
void cdna_cfg_init(struct cdna_ctx *ctx)
{
	u32 exp = CDNA_CAP_EXP, msix = CDNA_CAP_MSIX;

	memset(ctx->cfg, 0, sizeof(ctx->cfg));
	memset(ctx->cfg_wmask, 0, sizeof(ctx->cfg_wmask));

	/* Type 0 header. */
	cdna_cfg_set16(ctx, PCI_VENDOR_ID, CDNA_PCI_VENDOR_ID, 0);
	cdna_cfg_set16(ctx, PCI_DEVICE_ID, CDNA_PCI_DEVICE_ID, 0);
	cdna_cfg_set16(ctx, PCI_COMMAND, 0, CDNA_CFG_COMMAND_WMASK);
	cdna_cfg_set16(ctx, PCI_STATUS, PCI_STATUS_CAP_LIST, 0);
	put_unaligned_le32(CDNA_PCI_CLASS << 8 | CDNA_PCI_REVISION,
			   &ctx->cfg[PCI_CLASS_REVISION]);
	ctx->cfg_wmask[PCI_CACHE_LINE_SIZE] = 0xff;
	ctx->cfg_wmask[PCI_LATENCY_TIMER] = 0xff;
	ctx->cfg[PCI_HEADER_TYPE] = PCI_HEADER_TYPE_NORMAL;
	cdna_cfg_set_bar(ctx, CDNA_BAR_REGS, CDNA_BAR_REGS_SIZE);
	cdna_cfg_set_bar(ctx, CDNA_BAR_MSIX, CDNA_BAR_MSIX_SIZE);
	cdna_cfg_set16(ctx, PCI_SUBSYSTEM_VENDOR_ID, CDNA_PCI_SUBSYS_VENDOR_ID,
		       0);
	cdna_cfg_set16(ctx, PCI_SUBSYSTEM_ID, CDNA_PCI_SUBSYS_ID, 0);
	ctx->cfg[PCI_CAPABILITY_LIST] = exp;
	ctx->cfg_wmask[PCI_INTERRUPT_LINE] = 0xff;
	ctx->cfg[PCI_INTERRUPT_PIN] = 0;	/* no INTx */

	/* PCI Express capability, version 2, endpoint, 2.5 GT/s x1. */
	ctx->cfg[exp + PCI_CAP_LIST_ID] = PCI_CAP_ID_EXP;
	ctx->cfg[exp + PCI_CAP_LIST_NEXT] = msix;
	cdna_cfg_set16(ctx, exp + PCI_EXP_FLAGS,
		       2 | (PCI_EXP_TYPE_ENDPOINT << 4), 0);
	cdna_cfg_set32(ctx, exp + PCI_EXP_DEVCAP, 0, 0);
	cdna_cfg_set16(ctx, exp + PCI_EXP_DEVCTL,
		       PCI_EXP_DEVCTL_RELAX_EN | PCI_EXP_DEVCTL_NOSNOOP_EN |
		       (2 << 12) /* max read request 512 */,
		       CDNA_CFG_DEVCTL_WMASK);
	cdna_cfg_set32(ctx, exp + PCI_EXP_LNKCAP,
		       PCI_EXP_LNKCAP_SLS_2_5GB | (1 << 4), 0);
	cdna_cfg_set16(ctx, exp + PCI_EXP_LNKCTL, 0, CDNA_CFG_LNKCTL_WMASK);
	cdna_cfg_set16(ctx, exp + PCI_EXP_LNKSTA,
		       PCI_EXP_LNKSTA_CLS_2_5GB | (1 << PCI_EXP_LNKSTA_NLW_SHIFT),
		       0);
	cdna_cfg_set32(ctx, exp + PCI_EXP_LNKCAP2, PCI_EXP_LNKCAP2_SLS_2_5GB, 0);
	cdna_cfg_set16(ctx, exp + PCI_EXP_LNKCTL2, PCI_EXP_LNKCTL2_TLS_2_5GT, 0);

	/* MSI-X: table and PBA in BAR2. */
	ctx->cfg[msix + PCI_CAP_LIST_ID] = PCI_CAP_ID_MSIX;
	ctx->cfg[msix + PCI_CAP_LIST_NEXT] = 0;
	cdna_cfg_set16(ctx, msix + PCI_MSIX_FLAGS, ctx->nvec - 1,
		       PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
	cdna_cfg_set32(ctx, msix + PCI_MSIX_TABLE,
		       CDNA_MSIX_TABLE_OFFSET | CDNA_BAR_MSIX, 0);
	cdna_cfg_set32(ctx, msix + PCI_MSIX_PBA,
		       CDNA_MSIX_PBA_OFFSET | CDNA_BAR_MSIX, 0);
}

/**
 * cdna_cfg_bus_master() - may the function master the bus (do DMA)?
 * @ctx: the context; caller holds ctx->lock
 *
 * Return: PCI_COMMAND_MASTER is set.
 */
bool cdna_cfg_bus_master(struct cdna_ctx *ctx)
{
	lockdep_assert_held(&ctx->lock);
	return get_unaligned_le16(&ctx->cfg[PCI_COMMAND]) & PCI_COMMAND_MASTER;
}

/**
 * cdna_cfg_read() - read config space
 * @ctx: the context; caller holds ctx->lock
 * @off: offset
 * @buf: where to copy
 * @len: bytes, any size and alignment (the VMM reads 256 bytes at once)
 *
 * Return: 0, or -EINVAL if the range leaves the config space.
 */
int cdna_cfg_read(struct cdna_ctx *ctx, u32 off, void *buf, u32 len)
{
	lockdep_assert_held(&ctx->lock);

	if (off >= CDNA_CFG_SPACE_SIZE || len > CDNA_CFG_SPACE_SIZE - off)
		return -EINVAL;
	memcpy(buf, &ctx->cfg[off], len);
	return 0;
}

/**
 * cdna_cfg_write() - write config space
 * @ctx: the context; caller holds ctx->lock
 * @off: offset
 * @buf: the bytes to write
 * @len: bytes, any size and alignment
 *
 * Only writable bits change; read-only bits, the extended space and
 * unimplemented registers ignore writes.
 *
 * Return: 0, or -EINVAL if the range leaves the config space.
 */
int cdna_cfg_write(struct cdna_ctx *ctx, u32 off, const void *buf, u32 len)
{
	bool master = cdna_cfg_bus_master(ctx);
	const u8 *src = buf;
	u32 i;

	if (off >= CDNA_CFG_SPACE_SIZE || len > CDNA_CFG_SPACE_SIZE - off)
		return -EINVAL;
	for (i = 0; i < len && off + i < PCI_CFG_SPACE_SIZE; i++) {
		u8 wmask = ctx->cfg_wmask[off + i];

		ctx->cfg[off + i] = (ctx->cfg[off + i] & ~wmask) |
				    (src[i] & wmask);
	}
	if (cdna_cfg_bus_master(ctx) != master)
		cdna_regs_dma_update(ctx);
	return 0;
}
