// SPDX-License-Identifier: GPL-2.0
/*
 * vf_regs_test: the VF as a VM sees it, driven from userspace through VFIO.
 *
 * Every test gets a fresh context (mdev instance) of the variant's queue
 * pair count on the uplink named by $CDNA_NIC (default cdnaup0, attached
 * by the wrapper selftests/tests/vf_regs.sh; host settings go through
 * $CDNA_CTL, the control tool), opens it like QEMU does and
 * checks the PCI presentation, the VFIO ioctls and the register ABI,
 * including everything a hostile guest could write.  The host's counters
 * (debugfs stats) must account for every refused access.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <linux/pci_regs.h>

#include "../vfio/cdna_vfio.h"
#include "kselftest_harness.h"

#define F(bit)			(1ULL << (bit))
#define DMA_IOVA		0x100000ULL
#define DMA_SIZE		(1024 * 1024)
#define UNMAPPED_IOVA		0x40000000ULL
#define IRQ_WAIT_MS		2000

static int64_t stat_of(struct cdna_vfio *v, const char *name)
{
	int64_t val = -1;

	if (cdna_stat(v->nic, v->uuid, name, &val))
		return -1;
	return val;
}

static void state_of(struct cdna_vfio *v, char *buf, size_t size)
{
	if (cdna_debugfs_read(v->nic, v->uuid, "state", buf, size))
		snprintf(buf, size, "?");
	buf[strcspn(buf, "\n")] = '\0';
}

FIXTURE(vf) {
	struct cdna_vfio v;
	char uuid[40];
	unsigned int nqp;
	struct cdna_vfio_dma dma;
	struct timespec t0;
};

static double secs_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) + (t.tv_nsec - t0->tv_nsec) / 1e9;
}

FIXTURE_VARIANT(vf) {
	unsigned int nqp;
};

FIXTURE_VARIANT_ADD(vf, qp1) { .nqp = 1 };
FIXTURE_VARIANT_ADD(vf, qp2) { .nqp = 2 };
FIXTURE_VARIANT_ADD(vf, qp8) { .nqp = 8 };

FIXTURE_SETUP(vf)
{
	char path[128];
	int ret;

	snprintf(path, sizeof(path), "/sys/class/cdna/cdna-%s", cdna_test_nic());
	if (access(path, F_OK))
		SKIP(return, "no NIC %s attached (run through vf_regs.sh)",
		     cdna_test_nic());

	clock_gettime(CLOCK_MONOTONIC, &self->t0);
	self->nqp = variant->nqp;
	ret = cdna_mdev_create(cdna_test_nic(), variant->nqp, self->uuid,
			       sizeof(self->uuid));
	ASSERT_EQ(0, ret) TH_LOG("creating a cdna-%uqp mdev: %s",
				 variant->nqp, strerror(-ret));
	ret = cdna_vfio_open(&self->v, cdna_test_nic(), self->uuid);
	if (ret) {
		cdna_mdev_remove(self->uuid);
		ASSERT_EQ(0, ret) TH_LOG("opening %s: %s", self->uuid,
					 strerror(-ret));
	}
}

FIXTURE_TEARDOWN(vf)
{
	char state[32];

	if (self->dma.vaddr)
		cdna_vfio_dma_free(&self->v, &self->dma);
	if (self->v.device >= 0) {
		cdna_vfio_close(&self->v);
		state_of(&self->v, state, sizeof(state));
		EXPECT_STREQ("closed", state);
	}
	if (cdna_mdev_exists(self->uuid))
		EXPECT_EQ(0, cdna_mdev_remove(self->uuid));
	EXPECT_FALSE(cdna_mdev_exists(self->uuid));
	/* The testbed is slow: say where the time goes. */
	fprintf(stderr, "#      %s: %.2f s\n", _metadata->name,
		secs_since(&self->t0));
}

/* Bring the function to FEATURES_OK with @features (VERSION_1 added). */
static int bringup(struct cdna_vfio *v, uint64_t features)
{
	return cdna_vfio_negotiate(v, features | F(CDNA_F_VERSION_1));
}

static int driver_ok(struct cdna_vfio *v)
{
	uint32_t st = cdna_vfio_rd32(v, CDNA_REG_STATUS);

	return cdna_vfio_reg_write(v, CDNA_REG_STATUS,
				   st | CDNA_STATUS_DRIVER_OK);
}

/* Ring addresses inside the DMA buffer for queue q. */
static void ring_addrs(struct cdna_vfio_dma *dma, unsigned int q,
		       uint64_t *desc, uint64_t *cpl, uint64_t *shm)
{
	uint64_t base = dma->iova + (uint64_t)q * 0x10000;

	*desc = base;
	*cpl = base + 0x8000;
	*shm = base + 0xf000;
}

static int queue_setup_mapped(struct cdna_vfio *v, struct cdna_vfio_dma *dma,
			      unsigned int q, uint32_t size)
{
	uint64_t desc, cpl, shm;

	ring_addrs(dma, q, &desc, &cpl, &shm);
	return cdna_vfio_queue_setup(v, q, desc, cpl, shm, size);
}

TEST_F(vf, device_info)
{
	struct cdna_vfio *v = &self->v;
	struct vfio_region_info ri = { .argsz = sizeof(ri) };
	unsigned int i;

	EXPECT_EQ(VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET,
		  v->info.flags);
	EXPECT_EQ(VFIO_PCI_NUM_REGIONS, v->info.num_regions);
	EXPECT_EQ(VFIO_PCI_NUM_IRQS, v->info.num_irqs);

	for (i = 0; i < VFIO_PCI_NUM_REGIONS; i++) {
		uint64_t size = 0;

		if (i == VFIO_PCI_CONFIG_REGION_INDEX)
			size = 4096;
		else if (i == VFIO_PCI_BAR0_REGION_INDEX + CDNA_BAR_REGS)
			size = CDNA_BAR_REGS_SIZE;
		else if (i == VFIO_PCI_BAR0_REGION_INDEX + CDNA_BAR_MSIX)
			size = CDNA_BAR_MSIX_SIZE;
		EXPECT_EQ(size, v->regions[i].size) TH_LOG("region %u", i);
		/* Everything is trapped: no mmap. */
		EXPECT_EQ(size ? VFIO_REGION_INFO_FLAG_READ |
			  VFIO_REGION_INFO_FLAG_WRITE : 0,
			  v->regions[i].flags) TH_LOG("region %u", i);
	}
	ri.index = VFIO_PCI_NUM_REGIONS;
	EXPECT_EQ(-1, ioctl(v->device, VFIO_DEVICE_GET_REGION_INFO, &ri));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(CDNA_MSIX_NUM_VECTORS(self->nqp), v->nvec);
}

TEST_F(vf, irq_info)
{
	struct vfio_irq_info info;
	static const struct {
		uint32_t index;
		int err;
		uint32_t flags;
		uint32_t count;	/* ~0: nvec */
	} want[] = {
		{ VFIO_PCI_INTX_IRQ_INDEX, 0, 0, 0 },
		{ VFIO_PCI_MSI_IRQ_INDEX, 0, 0, 0 },
		{ VFIO_PCI_MSIX_IRQ_INDEX, 0, VFIO_IRQ_INFO_EVENTFD |
		  VFIO_IRQ_INFO_MASKABLE, ~0U },
		{ VFIO_PCI_ERR_IRQ_INDEX, EINVAL, 0, 0 },
		{ VFIO_PCI_REQ_IRQ_INDEX, 0, VFIO_IRQ_INFO_EVENTFD, 1 },
		{ VFIO_PCI_NUM_IRQS, EINVAL, 0, 0 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(want); i++) {
		int ret;

		memset(&info, 0, sizeof(info));
		info.argsz = sizeof(info);
		info.index = want[i].index;
		ret = ioctl(self->v.device, VFIO_DEVICE_GET_IRQ_INFO, &info);
		if (want[i].err) {
			EXPECT_EQ(-1, ret) TH_LOG("index %u", want[i].index);
			EXPECT_EQ(want[i].err, errno);
			continue;
		}
		ASSERT_EQ(0, ret) TH_LOG("index %u", want[i].index);
		EXPECT_EQ(want[i].flags, info.flags);
		EXPECT_EQ(want[i].count == ~0U ? self->v.nvec : want[i].count,
			  info.count) TH_LOG("index %u", want[i].index);
	}
}

TEST_F(vf, ioctl_argsz)
{
	struct cdna_vfio *v = &self->v;
	struct vfio_device_info di = { .argsz = 4 };
	struct vfio_region_info ri = { .argsz = 8, .index = 0 };
	struct vfio_irq_info ii = { .argsz = 8,
				    .index = VFIO_PCI_MSIX_IRQ_INDEX };
	struct vfio_irq_set is = { .argsz = 8,
				   .flags = VFIO_IRQ_SET_DATA_NONE |
					    VFIO_IRQ_SET_ACTION_TRIGGER,
				   .index = VFIO_PCI_MSIX_IRQ_INDEX };

	EXPECT_EQ(-1, ioctl(v->device, VFIO_DEVICE_GET_INFO, &di));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(v->device, VFIO_DEVICE_GET_REGION_INFO, &ri));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(v->device, VFIO_DEVICE_GET_IRQ_INFO, &ii));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(v->device, VFIO_DEVICE_SET_IRQS, &is));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(v->device, _IO(VFIO_TYPE, VFIO_BASE + 60)));
	EXPECT_EQ(ENOTTY, errno);
	/* A bad user pointer is -EFAULT, not a host problem. */
	EXPECT_EQ(-1, ioctl(v->device, VFIO_DEVICE_GET_INFO, (void *)8));
	EXPECT_EQ(EFAULT, errno);
}

TEST_F(vf, config_space)
{
	struct cdna_vfio *v = &self->v;
	uint8_t cfg[4096], ext[16] = {}, zero[16] = {};
	uint8_t pos, exp, msix;
	uint32_t bar, val;
	uint16_t w;

	ASSERT_EQ(0, cdna_vfio_cfg_read(v, 0, cfg, 256));
	EXPECT_EQ(CDNA_PCI_VENDOR_ID, cfg[0] | cfg[1] << 8);
	EXPECT_EQ(CDNA_PCI_DEVICE_ID, cfg[2] | cfg[3] << 8);
	EXPECT_EQ(PCI_STATUS_CAP_LIST, (cfg[6] | cfg[7] << 8) &
		  PCI_STATUS_CAP_LIST);
	EXPECT_EQ(CDNA_PCI_REVISION, cfg[PCI_REVISION_ID]);
	EXPECT_EQ(CDNA_PCI_CLASS, (uint32_t)(cfg[9] | cfg[10] << 8 |
					     cfg[11] << 16));
	EXPECT_EQ(PCI_HEADER_TYPE_NORMAL, cfg[PCI_HEADER_TYPE]);
	EXPECT_EQ(CDNA_PCI_SUBSYS_VENDOR_ID, cfg[0x2c] | cfg[0x2d] << 8);
	EXPECT_EQ(CDNA_PCI_SUBSYS_ID, cfg[0x2e] | cfg[0x2f] << 8);
	EXPECT_EQ(0, cfg[PCI_INTERRUPT_PIN]);

	/* Capability list: PCIe endpoint v2, then MSI-X, then the end. */
	exp = cfg[PCI_CAPABILITY_LIST];
	ASSERT_NE(0, exp);
	EXPECT_EQ(PCI_CAP_ID_EXP, cfg[exp]);
	w = cfg[exp + PCI_EXP_FLAGS] | cfg[exp + PCI_EXP_FLAGS + 1] << 8;
	EXPECT_EQ(2, w & PCI_EXP_FLAGS_VERS);
	EXPECT_EQ(PCI_EXP_TYPE_ENDPOINT, (w & PCI_EXP_FLAGS_TYPE) >> 4);
	msix = cfg[exp + 1];
	ASSERT_NE(0, msix);
	EXPECT_GE(msix, exp + PCI_CAP_EXP_ENDPOINT_SIZEOF_V2);
	EXPECT_EQ(PCI_CAP_ID_MSIX, cfg[msix]);
	EXPECT_EQ(0, cfg[msix + 1]);
	w = cfg[msix + PCI_MSIX_FLAGS] | cfg[msix + PCI_MSIX_FLAGS + 1] << 8;
	EXPECT_EQ(v->nvec - 1, w & PCI_MSIX_FLAGS_QSIZE);
	memcpy(&val, &cfg[msix + PCI_MSIX_TABLE], 4);
	EXPECT_EQ(CDNA_MSIX_TABLE_OFFSET | CDNA_BAR_MSIX, le32toh(val));
	memcpy(&val, &cfg[msix + PCI_MSIX_PBA], 4);
	EXPECT_EQ(CDNA_MSIX_PBA_OFFSET | CDNA_BAR_MSIX, le32toh(val));
	for (pos = exp; pos; pos = cfg[pos + 1])
		ASSERT_TRUE(pos == exp || pos == msix);

	/* The whole space at once; the extended space reads 0. */
	ASSERT_EQ(0, cdna_vfio_cfg_read(v, 0, cfg, sizeof(cfg)));
	ASSERT_EQ(0, cdna_vfio_cfg_read(v, 0x100, ext, sizeof(ext)));
	EXPECT_EQ(0, memcmp(ext, zero, sizeof(ext)));
	/* Odd sizes and offsets are fine inside, refused outside. */
	EXPECT_EQ(0, cdna_vfio_cfg_read(v, 3, ext, 7));
	EXPECT_EQ(0, memcmp(ext, &cfg[3], 7));
	EXPECT_EQ(-EINVAL, cdna_vfio_cfg_read(v, 4095, ext, 2));
	EXPECT_EQ(-EINVAL, cdna_vfio_cfg_read(v, 4096, ext, 1));

	/* BAR sizing. */
	bar = 0xffffffff;
	ASSERT_EQ(0, cdna_vfio_cfg_write(v, PCI_BASE_ADDRESS_0, &bar, 4));
	ASSERT_EQ(0, cdna_vfio_cfg_read(v, PCI_BASE_ADDRESS_0, &bar, 4));
	EXPECT_EQ((uint32_t)~(CDNA_BAR_REGS_SIZE - 1), le32toh(bar));
	bar = 0xffffffff;
	ASSERT_EQ(0, cdna_vfio_cfg_write(v, PCI_BASE_ADDRESS_2, &bar, 4));
	ASSERT_EQ(0, cdna_vfio_cfg_read(v, PCI_BASE_ADDRESS_2, &bar, 4));
	EXPECT_EQ((uint32_t)~(CDNA_BAR_MSIX_SIZE - 1), le32toh(bar));
	bar = 0xffffffff;
	ASSERT_EQ(0, cdna_vfio_cfg_write(v, PCI_BASE_ADDRESS_1, &bar, 4));
	ASSERT_EQ(0, cdna_vfio_cfg_read(v, PCI_BASE_ADDRESS_1, &bar, 4));
	EXPECT_EQ(0, bar);
	bar = 0xffffffff;
	ASSERT_EQ(0, cdna_vfio_cfg_write(v, PCI_ROM_ADDRESS, &bar, 4));
	ASSERT_EQ(0, cdna_vfio_cfg_read(v, PCI_ROM_ADDRESS, &bar, 4));
	EXPECT_EQ(0, bar);
	bar = htole32(0xfebf0000);
	ASSERT_EQ(0, cdna_vfio_cfg_write(v, PCI_BASE_ADDRESS_0, &bar, 4));
	ASSERT_EQ(0, cdna_vfio_cfg_read(v, PCI_BASE_ADDRESS_0, &bar, 4));
	EXPECT_EQ(0xfebf0000, le32toh(bar));
}

TEST_F(vf, config_writes_everywhere)
{
	struct cdna_vfio *v = &self->v;
	uint8_t before[4096], after[4096], ones[4096];
	unsigned int off, size;
	uint16_t cmd;

	ASSERT_EQ(0, cdna_vfio_cfg_read(v, 0, before, sizeof(before)));
	memset(ones, 0xff, sizeof(ones));
	/* Every offset with every access size; then one big write. */
	for (size = 1; size <= 4; size *= 2)
		for (off = 0; off + size <= sizeof(ones); off++)
			ASSERT_EQ(0, cdna_vfio_cfg_write(v, off, ones, size))
				TH_LOG("offset %u size %u", off, size);
	ASSERT_EQ(0, cdna_vfio_cfg_write(v, 0, ones, sizeof(ones)));
	EXPECT_EQ(-EINVAL, cdna_vfio_cfg_write(v, 4094, ones, 4));
	ASSERT_EQ(0, cdna_vfio_cfg_read(v, 0, after, sizeof(after)));

	/* Identity, capability structure and extended space do not move. */
	EXPECT_EQ(0, memcmp(before, after, PCI_COMMAND));
	EXPECT_EQ(0, memcmp(&before[PCI_STATUS], &after[PCI_STATUS], 6));
	EXPECT_EQ(before[PCI_HEADER_TYPE], after[PCI_HEADER_TYPE]);
	EXPECT_EQ(0, memcmp(&before[0x2c], &after[0x2c], 4));
	EXPECT_EQ(before[PCI_CAPABILITY_LIST], after[PCI_CAPABILITY_LIST]);
	EXPECT_EQ(0, after[PCI_INTERRUPT_PIN]);
	EXPECT_EQ(0, memcmp(&before[0x40], &after[0x40], 8));	/* EXP hdr */
	EXPECT_EQ(before[0x80], after[0x80]);			/* MSI-X */
	EXPECT_EQ(before[0x81], after[0x81]);
	EXPECT_EQ(before[0x82], after[0x82]);			/* QSIZE */
	EXPECT_EQ(0, memcmp(&before[0x84], &after[0x84], 8));	/* table */
	EXPECT_EQ(0, memcmp(&before[256], &after[256], 4096 - 256));

	/* Only the command bits a function without I/O BARs has. */
	cmd = after[PCI_COMMAND] | after[PCI_COMMAND + 1] << 8;
	EXPECT_EQ(PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
		  PCI_COMMAND_PARITY | PCI_COMMAND_SERR |
		  PCI_COMMAND_INTX_DISABLE, cmd);

	/* Registers are not config space: they are unchanged too. */
	EXPECT_EQ(CDNA_MAGIC, cdna_vfio_rd32(v, CDNA_REG_MAGIC));
	EXPECT_EQ(0, stat_of(v, "bad_reg_access"));
}

TEST_F(vf, regs_identity)
{
	struct cdna_vfio *v = &self->v;
	unsigned int mac[6];
	uint32_t lo, hi;
	char buf[64];

	EXPECT_EQ(CDNA_MAGIC, cdna_vfio_rd32(v, CDNA_REG_MAGIC));
	EXPECT_EQ(CDNA_ABI_VERSION, cdna_vfio_rd32(v, CDNA_REG_VERSION));
	EXPECT_EQ((uint32_t)CDNA_F_ALL,
		  cdna_vfio_rd32(v, CDNA_REG_DEV_FEATURES_LO));
	EXPECT_EQ((uint32_t)(CDNA_F_ALL >> 32),
		  cdna_vfio_rd32(v, CDNA_REG_DEV_FEATURES_HI));
	EXPECT_EQ(0, cdna_vfio_rd32(v, CDNA_REG_STATUS));
	EXPECT_EQ(CDNA_ERR_NONE, cdna_vfio_rd32(v, CDNA_REG_ERROR_CAUSE));
	EXPECT_EQ(0xffffffff, cdna_vfio_rd32(v, CDNA_REG_ERROR_QUEUE));
	EXPECT_EQ(self->nqp, cdna_vfio_rd32(v, CDNA_REG_MAX_QUEUE_PAIRS));
	EXPECT_EQ(self->nqp, cdna_vfio_rd32(v, CDNA_REG_NUM_QUEUE_PAIRS));
	EXPECT_EQ(CDNA_MAX_RING_SIZE, cdna_vfio_rd32(v, CDNA_REG_MAX_RING_SIZE));
	EXPECT_GE(cdna_vfio_rd32(v, CDNA_REG_MAX_MTU), 1500);
	EXPECT_LE(cdna_vfio_rd32(v, CDNA_REG_MAX_MTU), CDNA_MAX_MTU);
	EXPECT_EQ(1500, cdna_vfio_rd32(v, CDNA_REG_MTU));
	EXPECT_EQ(CDNA_LINK_UP, cdna_vfio_rd32(v, CDNA_REG_LINK));
	EXPECT_NE(0, cdna_vfio_rd32(v, CDNA_REG_LINK_SPEED));
	EXPECT_NE(0, cdna_vfio_rd32(v, CDNA_REG_MAX_COAL_USECS));

	/* The MAC the host shows is the MAC the function presents. */
	ASSERT_EQ(0, cdna_debugfs_read(v->nic, v->uuid, "mac", buf,
				       sizeof(buf)));
	ASSERT_EQ(6, sscanf(buf, "%x:%x:%x:%x:%x:%x", &mac[0], &mac[1],
			    &mac[2], &mac[3], &mac[4], &mac[5]));
	lo = cdna_vfio_rd32(v, CDNA_REG_MAC_LO);
	hi = cdna_vfio_rd32(v, CDNA_REG_MAC_HI);
	EXPECT_EQ(mac[0] | mac[1] << 8 | mac[2] << 16 | mac[3] << 24, lo);
	EXPECT_EQ(mac[4] | mac[5] << 8, hi);
	EXPECT_EQ(0, mac[0] & 1);	/* unicast */
}

TEST_F(vf, bad_access_sizes)
{
	struct cdna_vfio *v = &self->v;
	static const struct {
		uint64_t off;
		size_t len;
	} bad[] = {
		{ CDNA_REG_MAGIC, 1 }, { CDNA_REG_MAGIC, 2 },
		{ CDNA_REG_MAGIC, 8 }, { CDNA_REG_STATUS + 1, 4 },
		{ CDNA_REG_STATUS + 2, 4 }, { CDNA_REG_STATUS, 3 },
		{ CDNA_BAR_REGS_SIZE, 4 }, { CDNA_BAR_REGS_SIZE - 2, 4 },
		{ 1ULL << 39, 4 },
	};
	uint8_t buf[8] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	int64_t bad0 = stat_of(v, "bad_reg_access");
	unsigned int i;

	ASSERT_EQ(0, bad0);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-EINVAL, cdna_vfio_region_read(v,
				VFIO_PCI_BAR0_REGION_INDEX, bad[i].off, buf,
				bad[i].len)) TH_LOG("read %zu at 0x%llx",
				bad[i].len, (unsigned long long)bad[i].off);
		EXPECT_EQ(-EINVAL, cdna_vfio_region_write(v,
				VFIO_PCI_BAR0_REGION_INDEX, bad[i].off, buf,
				bad[i].len)) TH_LOG("write %zu at 0x%llx",
				bad[i].len, (unsigned long long)bad[i].off);
	}
	/* Nothing reached a register. */
	EXPECT_EQ(0, cdna_vfio_rd32(v, CDNA_REG_STATUS));
	EXPECT_EQ(0, cdna_vfio_rd32(v, CDNA_REG_DRV_FEATURES_LO));
	EXPECT_EQ(2 * ARRAY_SIZE(bad), stat_of(v, "bad_reg_access"));

	/* Regions the function does not have. */
	EXPECT_EQ(-EINVAL, cdna_vfio_region_read(v, VFIO_PCI_BAR1_REGION_INDEX,
						 0, buf, 4));
	EXPECT_EQ(-EINVAL, cdna_vfio_region_write(v, VFIO_PCI_ROM_REGION_INDEX,
						  0, buf, 4));
	EXPECT_EQ(-EINVAL, cdna_vfio_region_read(v, VFIO_PCI_VGA_REGION_INDEX,
						 0, buf, 4));
	EXPECT_EQ(-EINVAL, cdna_vfio_region_read(v, VFIO_PCI_NUM_REGIONS,
						 0, buf, 4));
	/* BAR2 (MSI-X, emulated by the VMM) reads 0 and takes writes. */
	EXPECT_EQ(8, cdna_vfio_region_write(v, VFIO_PCI_BAR2_REGION_INDEX,
					    0, buf, 8));
	EXPECT_EQ(8, cdna_vfio_region_read(v, VFIO_PCI_BAR2_REGION_INDEX,
					   0x7fc, buf, 8));
	EXPECT_EQ(0, buf[0] | buf[7]);
	EXPECT_EQ(-EINVAL, cdna_vfio_region_read(v, VFIO_PCI_BAR2_REGION_INDEX,
						 CDNA_BAR_MSIX_SIZE - 4, buf,
						 8));
}

TEST_F(vf, unknown_offsets)
{
	struct cdna_vfio *v = &self->v;
	uint32_t offs[16];
	unsigned int n = 0, i;

	offs[n++] = CDNA_REG_KICK_PAGE_STATUS + 4;
	offs[n++] = 0x100;
	offs[n++] = CDNA_REG_QUEUE_BASE - 4;
	offs[n++] = CDNA_REG_QUEUE(0, 0x24);
	offs[n++] = CDNA_REG_QUEUE(0, CDNA_REG_QUEUE_STRIDE - 4);
	offs[n++] = CDNA_REG_QUEUE(CDNA_MAX_QUEUES, 0);
	offs[n++] = 0x1000;
	offs[n++] = CDNA_REG_DOORBELL(CDNA_MAX_QUEUES);
	offs[n++] = CDNA_BAR_REGS_SIZE - 4;
	if (self->nqp < CDNA_MAX_QUEUE_PAIRS) {
		offs[n++] = CDNA_REG_QUEUE(2 * self->nqp, CDNA_QREG_SIZE);
		offs[n++] = CDNA_REG_QUEUE(2 * self->nqp, CDNA_QREG_ENABLE);
		offs[n++] = CDNA_REG_DOORBELL(2 * self->nqp);
	}

	for (i = 0; i < n; i++) {
		EXPECT_EQ(0, cdna_vfio_reg_write(v, offs[i], 0xffffffff));
		EXPECT_EQ(0, cdna_vfio_rd32(v, offs[i]))
			TH_LOG("offset 0x%x", offs[i]);
	}
	EXPECT_EQ(n, stat_of(v, "bad_reg_access"));
	EXPECT_EQ(0, cdna_vfio_rd32(v, CDNA_REG_STATUS));
	/* Ignored writes are not device errors. */
	EXPECT_EQ(CDNA_ERR_NONE, cdna_vfio_rd32(v, CDNA_REG_ERROR_CAUSE));
}

TEST_F(vf, read_only_writes)
{
	static const uint32_t ro[] = {
		CDNA_REG_MAGIC, CDNA_REG_VERSION, CDNA_REG_DEV_FEATURES_LO,
		CDNA_REG_DEV_FEATURES_HI, CDNA_REG_ERROR_CAUSE,
		CDNA_REG_ERROR_QUEUE, CDNA_REG_CTRL_CAUSE,
		CDNA_REG_MAX_QUEUE_PAIRS, CDNA_REG_MAX_RING_SIZE,
		CDNA_REG_MAX_MTU, CDNA_REG_MAC_LO, CDNA_REG_MAC_HI,
		CDNA_REG_LINK, CDNA_REG_LINK_SPEED, CDNA_REG_MAX_COAL_USECS,
		CDNA_REG_QUEUE(0, CDNA_QREG_DROPS), CDNA_REG_KICK_PAGE_STATUS,
	};
	struct cdna_vfio *v = &self->v;
	uint32_t before[ARRAY_SIZE(ro)];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ro); i++)
		before[i] = cdna_vfio_rd32(v, ro[i]);
	for (i = 0; i < ARRAY_SIZE(ro); i++)
		EXPECT_EQ(0, cdna_vfio_reg_write(v, ro[i], ~before[i]));
	for (i = 0; i < ARRAY_SIZE(ro); i++)
		EXPECT_EQ(before[i], cdna_vfio_rd32(v, ro[i]))
			TH_LOG("register 0x%x", ro[i]);
	EXPECT_EQ(ARRAY_SIZE(ro), stat_of(v, "bad_reg_access"));
}

TEST_F(vf, feature_negotiation)
{
	struct cdna_vfio *v = &self->v;
	static const uint64_t refused[] = {
		F(CDNA_F_VERSION_1) | (CDNA_F_ALL + 1),	/* first bit unknown */
		F(CDNA_F_VERSION_1) | F(63),
		F(CDNA_F_VERSION_1) | F(32),
		F(CDNA_F_CSUM),			/* VERSION_1 missing */
		0,
		~0ULL,
	};
	uint32_t st;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(refused); i++) {
		EXPECT_EQ(-EPROTO, cdna_vfio_negotiate(v, refused[i]))
			TH_LOG("features 0x%llx",
			       (unsigned long long)refused[i]);
		st = cdna_vfio_rd32(v, CDNA_REG_STATUS);
		EXPECT_EQ(CDNA_STATUS_ACKNOWLEDGE | CDNA_STATUS_DRIVER, st);
		EXPECT_EQ(CDNA_ERR_FEATURES,
			  cdna_vfio_rd32(v, CDNA_REG_ERROR_CAUSE));
		/* Refusing is not a device error: no NEEDS_RESET. */
		EXPECT_EQ(0, st & CDNA_STATUS_NEEDS_RESET);
		/* DRIVER_OK cannot follow a refused FEATURES_OK. */
		EXPECT_EQ(0, driver_ok(v));
		EXPECT_EQ(0, cdna_vfio_rd32(v, CDNA_REG_STATUS) &
			  CDNA_STATUS_DRIVER_OK);
	}

	/* The driver may correct its set without a reset. */
	ASSERT_EQ(0, cdna_vfio_reg_write(v, CDNA_REG_DRV_FEATURES_LO,
					 (uint32_t)CDNA_F_ALL));
	ASSERT_EQ(0, cdna_vfio_reg_write(v, CDNA_REG_DRV_FEATURES_HI, 0));
	ASSERT_EQ(0, cdna_vfio_reg_write(v, CDNA_REG_STATUS,
					 CDNA_STATUS_ACKNOWLEDGE |
					 CDNA_STATUS_DRIVER |
					 CDNA_STATUS_FEATURES_OK));
	EXPECT_TRUE(cdna_vfio_rd32(v, CDNA_REG_STATUS) &
		    CDNA_STATUS_FEATURES_OK);

	/* Every offered feature, then features are frozen. */
	ASSERT_EQ(0, cdna_vfio_negotiate(v, CDNA_F_ALL));
	EXPECT_EQ((uint32_t)CDNA_F_ALL,
		  cdna_vfio_rd32(v, CDNA_REG_DRV_FEATURES_LO));
	EXPECT_EQ(0, cdna_vfio_reg_write(v, CDNA_REG_DRV_FEATURES_LO, 1));
	EXPECT_EQ(0, cdna_vfio_reg_write(v, CDNA_REG_DRV_FEATURES_HI, 1));
	EXPECT_EQ((uint32_t)CDNA_F_ALL,
		  cdna_vfio_rd32(v, CDNA_REG_DRV_FEATURES_LO));
	EXPECT_EQ(0, cdna_vfio_rd32(v, CDNA_REG_DRV_FEATURES_HI));
	EXPECT_EQ(CDNA_ERR_STATE, cdna_vfio_rd32(v, CDNA_REG_ERROR_CAUSE));
}

TEST_F(vf, status_order)
{
	struct cdna_vfio *v = &self->v;
	const uint32_t ack = CDNA_STATUS_ACKNOWLEDGE, drv = CDNA_STATUS_DRIVER;
	char state[32];
	int64_t bad0;

	/* Out of order: refused, nothing set. */
	EXPECT_EQ(0, cdna_vfio_reg_write(v, CDNA_REG_STATUS,
					 CDNA_STATUS_DRIVER_OK));
	EXPECT_EQ(0, cdna_vfio_rd32(v, CDNA_REG_STATUS));
	EXPECT_EQ(CDNA_ERR_STATE, cdna_vfio_rd32(v, CDNA_REG_ERROR_CAUSE));
	EXPECT_EQ(0, cdna_vfio_reg_write(v, CDNA_REG_STATUS,
					 ack | CDNA_STATUS_FEATURES_OK));
	EXPECT_EQ(0, cdna_vfio_rd32(v, CDNA_REG_STATUS));
	EXPECT_EQ(0, cdna_vfio_reg_write(v, CDNA_REG_STATUS, drv));
	EXPECT_EQ(0, cdna_vfio_rd32(v, CDNA_REG_STATUS));

	/* Bits are never cleared except by reset. */
	EXPECT_EQ(0, cdna_vfio_reg_write(v, CDNA_REG_STATUS, ack | drv));
	EXPECT_EQ(0, cdna_vfio_reg_write(v, CDNA_REG_STATUS, ack));
	EXPECT_EQ(ack | drv, cdna_vfio_rd32(v, CDNA_REG_STATUS));

	/* NEEDS_RESET belongs to the device. */
	bad0 = stat_of(v, "bad_reg_access");
	EXPECT_EQ(0, cdna_vfio_reg_write(v, CDNA_REG_STATUS, ack | drv |
					 CDNA_STATUS_NEEDS_RESET | 0x30));
	EXPECT_EQ(ack | drv, cdna_vfio_rd32(v, CDNA_REG_STATUS));
	EXPECT_EQ(bad0 + 1, stat_of(v, "bad_reg_access"));

	/* The full walk runs the context; STATUS = 0 brings it back. */
	ASSERT_EQ(0, bringup(v, 0));
	ASSERT_EQ(0, driver_ok(v));
	EXPECT_EQ(ack | drv | CDNA_STATUS_FEATURES_OK | CDNA_STATUS_DRIVER_OK,
		  cdna_vfio_rd32(v, CDNA_REG_STATUS));
	state_of(v, state, sizeof(state));
	EXPECT_STREQ("running", state);
	EXPECT_EQ(0, cdna_vfio_reg_write(v, CDNA_REG_STATUS, 0));
	EXPECT_EQ(0, cdna_vfio_rd32(v, CDNA_REG_STATUS));
	state_of(v, state, sizeof(state));
	EXPECT_STREQ("open", state);
	EXPECT_EQ(CDNA_ERR_NONE, cdna_vfio_rd32(v, CDNA_REG_ERROR_CAUSE));
}

TEST_F_TIMEOUT(vf, reset_storm, 120)
{
	struct cdna_vfio *v = &self->v;
	const unsigned int rounds = 500;	/* 2 resets each */
	int64_t resets0, kicks0;
	unsigned int i, q;
	char state[32];

	ASSERT_EQ(0, cdna_vfio_dma_alloc(v, &self->dma, DMA_IOVA, DMA_SIZE));
	ASSERT_EQ(0, cdna_vfio_msix_enable(v));
	resets0 = stat_of(v, "resets");
	kicks0 = stat_of(v, "queue0_kicks");
	for (i = 0; i < rounds; i++) {
		q = i % (2 * self->nqp);
		ASSERT_EQ(0, bringup(v, F(CDNA_F_EVENT_IDX)));
		ASSERT_EQ(1, queue_setup_mapped(v, &self->dma, q, 256))
			TH_LOG("round %u: ERROR_CAUSE %u", i,
			       cdna_vfio_rd32(v, CDNA_REG_ERROR_CAUSE));
		ASSERT_EQ(0, driver_ok(v));
		ASSERT_EQ(0, cdna_vfio_reg_write(v, CDNA_REG_DOORBELL(q), 1));
		/* Alternate the guest's reset with the VMM's. */
		if (i & 1) {
			ASSERT_EQ(0, cdna_vfio_reg_write(v, CDNA_REG_STATUS, 0));
		} else {
			ASSERT_EQ(0, cdna_vfio_reset(v));
		}
		ASSERT_EQ(0, cdna_vfio_rd32(v, CDNA_REG_QUEUE(q,
							CDNA_QREG_ENABLE)));
	}
	/* bringup() resets once more per round. */
	EXPECT_EQ(resets0 + 2 * rounds, stat_of(v, "resets"));
	EXPECT_EQ(kicks0 + (rounds + 2 * self->nqp - 1) / (2 * self->nqp),
		  stat_of(v, "queue0_kicks"));
	EXPECT_EQ(0, stat_of(v, "bad_reg_access"));
	EXPECT_EQ(0, cdna_vfio_rd32(v, CDNA_REG_STATUS));
	EXPECT_EQ(0, cdna_vfio_rd32(v, CDNA_REG_DRV_FEATURES_LO));
	state_of(v, state, sizeof(state));
	EXPECT_STREQ("open", state);
	/* Triggers survive resets: the VMM owns them. */
	EXPECT_EQ(1, stat_of(v, "irq_vector0_trigger"));
	/* Resets do not leak pins (protection with accounting only). */
	if (stat_of(v, "pinned_pages") >= 0)
		EXPECT_EQ(0, stat_of(v, "pinned_pages"));
}

/* Expect NEEDS_RESET with @cause on @queue, a control interrupt, ERROR. */
static void expect_device_error(struct __test_metadata *_metadata,
				struct cdna_vfio *v, uint32_t cause,
				uint32_t queue)
{
	char state[32];

	EXPECT_TRUE(cdna_vfio_rd32(v, CDNA_REG_STATUS) &
		    CDNA_STATUS_NEEDS_RESET);
	EXPECT_EQ(cause, cdna_vfio_rd32(v, CDNA_REG_ERROR_CAUSE));
	EXPECT_EQ(queue, cdna_vfio_rd32(v, CDNA_REG_ERROR_QUEUE));
	EXPECT_EQ(CDNA_CTRL_CAUSE_ERROR,
		  cdna_vfio_rd32(v, CDNA_REG_CTRL_CAUSE));
	EXPECT_EQ(0, cdna_vfio_rd32(v, CDNA_REG_CTRL_CAUSE));	/* cleared */
	EXPECT_EQ(1, cdna_vfio_eventfd_wait(v->irq_fd[CDNA_MSIX_CTRL_VECTOR],
					    IRQ_WAIT_MS));
	state_of(v, state, sizeof(state));
	EXPECT_STREQ("error", state);
}

TEST_F(vf, queue_bad_config)
{
	struct cdna_vfio *v = &self->v;
	const uint64_t base = DMA_IOVA;
	const struct {
		uint64_t desc, cpl, shm;
		uint32_t size;
	} bad[] = {
		{ base, base + 0x8000, base + 0xf000, 0 },
		{ base, base + 0x8000, base + 0xf000, 32 },
		{ base, base + 0x8000, base + 0xf000, 63 },
		{ base, base + 0x8000, base + 0xf000, 100 },
		{ base, base + 0x8000, base + 0xf000, 8192 },
		{ base, base + 0x8000, base + 0xf000, 0x80000000 },
		{ base + 8, base + 0x8000, base + 0xf000, 64 },
		{ base, base + 0x8020, base + 0xf000, 64 },
		{ base, base + 0x8000, base + 0xf040, 64 },
		{ ~0ULL - 0x3f, base + 0x8000, base + 0xf000, 4096 },
		{ base, ~0ULL - 0x3f, base + 0xf000, 4096 },
		{ base, base + 0x8000, ~0ULL - 0x7f, 64 },
	};
	unsigned int i, q;
	int64_t bad0;

	ASSERT_EQ(0, cdna_vfio_dma_alloc(v, &self->dma, DMA_IOVA, DMA_SIZE));
	ASSERT_EQ(0, cdna_vfio_msix_enable(v));
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		q = (i + 1) % (2 * self->nqp);
		ASSERT_EQ(0, bringup(v, 0));
		bad0 = stat_of(v, "bad_reg_access");
		EXPECT_EQ(0, cdna_vfio_queue_setup(v, q, bad[i].desc,
						   bad[i].cpl, bad[i].shm,
						   bad[i].size))
			TH_LOG("case %u", i);
		expect_device_error(_metadata, v, CDNA_ERR_QUEUE_CONFIG, q);
		EXPECT_EQ(bad0 + 1, stat_of(v, "bad_reg_access"));

		/* In NEEDS_RESET nothing moves until a reset. */
		EXPECT_EQ(0, cdna_vfio_reg_write(v, CDNA_REG_QUEUE(q,
						 CDNA_QREG_SIZE), 64));
		EXPECT_EQ(0, cdna_vfio_reg_write(v, CDNA_REG_QUEUE(q,
						 CDNA_QREG_ENABLE), 1));
		EXPECT_EQ(0, cdna_vfio_rd32(v, CDNA_REG_QUEUE(q,
							CDNA_QREG_ENABLE)));
		EXPECT_EQ(0, driver_ok(v));
		EXPECT_EQ(0, cdna_vfio_rd32(v, CDNA_REG_STATUS) &
			  CDNA_STATUS_DRIVER_OK);
	}
	/* The reset clears the error; the queue then works. */
	ASSERT_EQ(0, bringup(v, 0));
	EXPECT_EQ(CDNA_ERR_NONE, cdna_vfio_rd32(v, CDNA_REG_ERROR_CAUSE));
	EXPECT_EQ(0xffffffff, cdna_vfio_rd32(v, CDNA_REG_ERROR_QUEUE));
	EXPECT_EQ(1, queue_setup_mapped(v, &self->dma, 0, 64));
	EXPECT_EQ(CDNA_ERR_NONE, cdna_vfio_rd32(v, CDNA_REG_ERROR_CAUSE));
}

TEST_F(vf, queue_enable_state)
{
	struct cdna_vfio *v = &self->v;

	ASSERT_EQ(0, cdna_vfio_dma_alloc(v, &self->dma, DMA_IOVA, DMA_SIZE));
	ASSERT_EQ(0, cdna_vfio_msix_enable(v));

	/* Before FEATURES_OK. */
	EXPECT_EQ(0, queue_setup_mapped(v, &self->dma, 1, 64));
	expect_device_error(_metadata, v, CDNA_ERR_STATE, 1);

	/* A queue beyond NUM_QUEUE_PAIRS. */
	if (self->nqp > 1) {
		ASSERT_EQ(0, bringup(v, 0));
		ASSERT_EQ(0, cdna_vfio_reg_write(v, CDNA_REG_NUM_QUEUE_PAIRS,
						 1));
		EXPECT_EQ(1, queue_setup_mapped(v, &self->dma, 1, 64));
		EXPECT_EQ(0, queue_setup_mapped(v, &self->dma, 2, 64));
		expect_device_error(_metadata, v, CDNA_ERR_STATE, 2);
	}

	/* Configuration is frozen while the queue runs. */
	ASSERT_EQ(0, bringup(v, 0));
	ASSERT_EQ(1, queue_setup_mapped(v, &self->dma, 0, 128));
	EXPECT_EQ(0, cdna_vfio_reg_write(v, CDNA_REG_QUEUE(0,
					 CDNA_QREG_DESC_LO), 0x12340000));
	EXPECT_EQ(0, cdna_vfio_reg_write(v, CDNA_REG_QUEUE(0,
					 CDNA_QREG_SIZE), 64));
	EXPECT_EQ((uint32_t)DMA_IOVA, cdna_vfio_rd32(v, CDNA_REG_QUEUE(0,
						     CDNA_QREG_DESC_LO)));
	EXPECT_EQ(128, cdna_vfio_rd32(v, CDNA_REG_QUEUE(0, CDNA_QREG_SIZE)));
	EXPECT_EQ(CDNA_ERR_STATE, cdna_vfio_rd32(v, CDNA_REG_ERROR_CAUSE));
	EXPECT_EQ(0, cdna_vfio_rd32(v, CDNA_REG_STATUS) &
		  CDNA_STATUS_NEEDS_RESET);
	/* NUM_QUEUE_PAIRS cannot change under enabled queues either. */
	EXPECT_EQ(0, cdna_vfio_reg_write(v, CDNA_REG_NUM_QUEUE_PAIRS, 1));
	EXPECT_EQ(self->nqp, cdna_vfio_rd32(v, CDNA_REG_NUM_QUEUE_PAIRS));
	/* ENABLE takes 0 or 1. */
	EXPECT_EQ(0, cdna_vfio_reg_write(v, CDNA_REG_QUEUE(0,
					 CDNA_QREG_ENABLE), 2));
	EXPECT_EQ(1, cdna_vfio_rd32(v, CDNA_REG_QUEUE(0, CDNA_QREG_ENABLE)));
	/* Disabling unfreezes. */
	EXPECT_EQ(0, cdna_vfio_reg_write(v, CDNA_REG_QUEUE(0,
					 CDNA_QREG_ENABLE), 0));
	EXPECT_EQ(0, cdna_vfio_rd32(v, CDNA_REG_QUEUE(0, CDNA_QREG_ENABLE)));
	EXPECT_EQ(0, cdna_vfio_reg_write(v, CDNA_REG_QUEUE(0,
					 CDNA_QREG_SIZE), 64));
	EXPECT_EQ(64, cdna_vfio_rd32(v, CDNA_REG_QUEUE(0, CDNA_QREG_SIZE)));
	/* Enabling and disabling after DRIVER_OK is allowed. */
	ASSERT_EQ(0, driver_ok(v));
	EXPECT_EQ(1, queue_setup_mapped(v, &self->dma, 0, 64));
	EXPECT_EQ(0, cdna_vfio_rd32(v, CDNA_REG_STATUS) &
		  CDNA_STATUS_NEEDS_RESET);
}

/* Every queue register of every queue reads its initial value, 0. */
static void expect_queue_regs_zero(struct __test_metadata *_metadata,
				   struct cdna_vfio *v, unsigned int nq,
				   const char *after)
{
	static const uint32_t regs[] = {
		CDNA_QREG_DESC_LO, CDNA_QREG_DESC_HI, CDNA_QREG_CPL_LO,
		CDNA_QREG_CPL_HI, CDNA_QREG_SHM_LO, CDNA_QREG_SHM_HI,
		CDNA_QREG_SIZE, CDNA_QREG_ENABLE,
	};
	unsigned int q, r;

	for (q = 0; q < nq; q++)
		for (r = 0; r < sizeof(regs) / sizeof(regs[0]); r++)
			EXPECT_EQ(0, cdna_vfio_rd32(v, CDNA_REG_QUEUE(q,
								regs[r])))
				TH_LOG("after %s: queue %u register 0x%02x",
				       after, q, regs[r]);
}

/* Program every queue register of every queue, some queues enabled. */
static void queue_regs_fill(struct __test_metadata *_metadata,
			    struct cdna_vfio *v, struct cdna_vfio_dma *dma,
			    unsigned int nq)
{
	unsigned int q;

	ASSERT_EQ(0, bringup(v, 0));
	for (q = 0; q < nq; q++) {
		if (q < 2) {
			ASSERT_EQ(1, queue_setup_mapped(v, dma, q, 64));
			continue;
		}
		/* Not enabled: the values just sit in the registers. */
		ASSERT_EQ(0, cdna_vfio_reg_write(v, CDNA_REG_QUEUE(q,
					CDNA_QREG_DESC_LO), 0x1000 * q));
		ASSERT_EQ(0, cdna_vfio_reg_write(v, CDNA_REG_QUEUE(q,
					CDNA_QREG_DESC_HI), q));
		ASSERT_EQ(0, cdna_vfio_reg_write(v, CDNA_REG_QUEUE(q,
					CDNA_QREG_CPL_LO), 0x2000 * q));
		ASSERT_EQ(0, cdna_vfio_reg_write(v, CDNA_REG_QUEUE(q,
					CDNA_QREG_CPL_HI), q));
		ASSERT_EQ(0, cdna_vfio_reg_write(v, CDNA_REG_QUEUE(q,
					CDNA_QREG_SHM_LO), 0x3000 * q));
		ASSERT_EQ(0, cdna_vfio_reg_write(v, CDNA_REG_QUEUE(q,
					CDNA_QREG_SHM_HI), q));
		ASSERT_EQ(0, cdna_vfio_reg_write(v, CDNA_REG_QUEUE(q,
					CDNA_QREG_SIZE), 128));
	}
	EXPECT_NE(0, cdna_vfio_rd32(v, CDNA_REG_QUEUE(0, CDNA_QREG_SIZE)));
	EXPECT_NE(0, cdna_vfio_rd32(v, CDNA_REG_QUEUE(nq - 1,
						      CDNA_QREG_DESC_LO)));
}

/* A reset returns the queue registers to 0, as every other register. */
TEST_F(vf, queue_regs_reset)
{
	struct cdna_vfio *v = &self->v;
	unsigned int nq = 2 * self->nqp;

	ASSERT_EQ(0, cdna_vfio_dma_alloc(v, &self->dma, DMA_IOVA, DMA_SIZE));
	ASSERT_EQ(0, cdna_vfio_msix_enable(v));

	queue_regs_fill(_metadata, v, &self->dma, nq);
	ASSERT_EQ(0, cdna_vfio_reg_write(v, CDNA_REG_STATUS, 0));
	expect_queue_regs_zero(_metadata, v, nq, "STATUS = 0");

	queue_regs_fill(_metadata, v, &self->dma, nq);
	ASSERT_EQ(0, driver_ok(v));
	ASSERT_EQ(0, cdna_vfio_reset(v));
	expect_queue_regs_zero(_metadata, v, nq, "VFIO_DEVICE_RESET");
	EXPECT_EQ(0, stat_of(v, "bad_reg_access"));
}

TEST_F(vf, queue_unmapped_memory)
{
	struct cdna_vfio *v = &self->v;

	if (stat_of(v, "pinned_pages") < 0)
		SKIP(return, "the DMA protection is not implemented yet");
	ASSERT_EQ(0, cdna_vfio_msix_enable(v));
	ASSERT_EQ(0, bringup(v, 0));
	/* Nothing is mapped at all. */
	EXPECT_EQ(0, cdna_vfio_queue_setup(v, 0, UNMAPPED_IOVA,
					   UNMAPPED_IOVA + 0x8000,
					   UNMAPPED_IOVA + 0xf000, 64));
	expect_device_error(_metadata, v, CDNA_ERR_QUEUE_CONFIG, 0);
	EXPECT_EQ(0, stat_of(v, "pinned_pages"));

	/* Rings that straddle the end of mapped memory. */
	ASSERT_EQ(0, cdna_vfio_dma_alloc(v, &self->dma, DMA_IOVA, DMA_SIZE));
	ASSERT_EQ(0, bringup(v, 0));
	EXPECT_EQ(0, cdna_vfio_queue_setup(v, 0, DMA_IOVA + DMA_SIZE - 0x400,
					   DMA_IOVA, DMA_IOVA + 0xf000, 4096));
	expect_device_error(_metadata, v, CDNA_ERR_QUEUE_CONFIG, 0);
	EXPECT_EQ(0, stat_of(v, "pinned_pages"));
}

TEST_F(vf, dma_unmap_under_queue)
{
	struct cdna_vfio *v = &self->v;

	ASSERT_EQ(0, cdna_vfio_dma_alloc(v, &self->dma, DMA_IOVA, DMA_SIZE));
	ASSERT_EQ(0, cdna_vfio_msix_enable(v));
	ASSERT_EQ(0, bringup(v, 0));
	ASSERT_EQ(1, queue_setup_mapped(v, &self->dma, 0, 64));
	ASSERT_EQ(0, driver_ok(v));
	/* The VM unmaps the rings under a running queue: .dma_unmap. */
	EXPECT_EQ(0, cdna_vfio_dma_free(v, &self->dma));
	/* The function still answers and resets cleanly. */
	EXPECT_EQ(CDNA_MAGIC, cdna_vfio_rd32(v, CDNA_REG_MAGIC));
	EXPECT_EQ(0, cdna_vfio_reg_write(v, CDNA_REG_STATUS, 0));
	EXPECT_EQ(0, cdna_vfio_rd32(v, CDNA_REG_STATUS));
	if (stat_of(v, "pinned_pages") >= 0)
		EXPECT_EQ(0, stat_of(v, "pinned_pages"));
}

/*
 * After an unmap, type1 removes the mapping only once our callback
 * returned; a ring pinned in between makes it call us again (ten times:
 * BUG).  A ring on a mapping made again is fine; a range unmapped again
 * under such a ring refuses rings while it stays mapped, and works again
 * once a reset saw it gone.
 */
TEST_F(vf, ring_repinned_after_unmap)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.iova = DMA_IOVA,
		.size = DMA_SIZE,
	};
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.iova = DMA_IOVA,
		.size = DMA_SIZE,
	};
	struct cdna_vfio *v = &self->v;

	if (stat_of(v, "pinned_pages") < 0)
		SKIP(return, "the DMA protection is not implemented yet");
	ASSERT_EQ(0, cdna_vfio_dma_alloc(v, &self->dma, DMA_IOVA, DMA_SIZE));
	ASSERT_EQ(0, cdna_vfio_msix_enable(v));
	map.vaddr = (uintptr_t)self->dma.vaddr;

	/* Unmapped under a running queue, mapped again at once. */
	ASSERT_EQ(0, bringup(v, 0));
	ASSERT_EQ(1, queue_setup_mapped(v, &self->dma, 0, 64));
	ASSERT_EQ(0, driver_ok(v));
	ASSERT_EQ(0, ioctl(v->container, VFIO_IOMMU_UNMAP_DMA, &unmap));
	ASSERT_EQ(0, ioctl(v->container, VFIO_IOMMU_MAP_DMA, &map));
	/* The new mapping takes a ring at once. */
	ASSERT_EQ(0, bringup(v, 0));
	EXPECT_EQ(1, queue_setup_mapped(v, &self->dma, 0, 64));

	/* Unmapped again under that ring: rings are refused there now. */
	ASSERT_EQ(0, ioctl(v->container, VFIO_IOMMU_UNMAP_DMA, &unmap));
	ASSERT_EQ(0, ioctl(v->container, VFIO_IOMMU_MAP_DMA, &map));
	ASSERT_EQ(0, bringup(v, 0));
	EXPECT_EQ(0, queue_setup_mapped(v, &self->dma, 0, 64));
	EXPECT_EQ(CDNA_ERR_QUEUE_CONFIG,
		  cdna_vfio_rd32(v, CDNA_REG_ERROR_CAUSE));

	/* Gone at a reset: forgotten, rings work again. */
	ASSERT_EQ(0, ioctl(v->container, VFIO_IOMMU_UNMAP_DMA, &unmap));
	ASSERT_EQ(0, bringup(v, 0));
	ASSERT_EQ(0, ioctl(v->container, VFIO_IOMMU_MAP_DMA, &map));
	ASSERT_EQ(0, bringup(v, 0));
	EXPECT_EQ(1, queue_setup_mapped(v, &self->dma, 0, 64));
	EXPECT_EQ(0, cdna_vfio_reg_write(v, CDNA_REG_STATUS, 0));
	EXPECT_EQ(0, stat_of(v, "pinned_pages"));
}

TEST_F(vf, doorbells)
{
	struct cdna_vfio *v = &self->v;
	unsigned int q;
	int64_t bad0, kicks;

	ASSERT_EQ(0, cdna_vfio_dma_alloc(v, &self->dma, DMA_IOVA, DMA_SIZE));
	ASSERT_EQ(0, bringup(v, 0));
	ASSERT_EQ(1, queue_setup_mapped(v, &self->dma, 1, 64));

	bad0 = stat_of(v, "bad_reg_access");
	/* Before DRIVER_OK, for queues that do not exist or are off. */
	EXPECT_EQ(0, cdna_vfio_reg_write(v, CDNA_REG_DOORBELL(1), 1));
	for (q = 2 * self->nqp; q < CDNA_MAX_QUEUES; q++)
		EXPECT_EQ(0, cdna_vfio_reg_write(v, CDNA_REG_DOORBELL(q), q));
	ASSERT_EQ(0, driver_ok(v));
	EXPECT_EQ(0, cdna_vfio_reg_write(v, CDNA_REG_DOORBELL(0), 1));
	EXPECT_EQ(bad0 + 2 + CDNA_MAX_QUEUES - 2 * self->nqp,
		  stat_of(v, "bad_reg_access"));
	EXPECT_EQ(0, stat_of(v, "queue1_kicks"));

	/* Kicks of a running queue count, any value. */
	for (q = 0; q < 10; q++)
		EXPECT_EQ(0, cdna_vfio_reg_write(v, CDNA_REG_DOORBELL(1),
						 0xdead0000 + q));
	kicks = stat_of(v, "queue1_kicks");
	EXPECT_EQ(10, kicks);
	EXPECT_EQ(bad0 + 2 + CDNA_MAX_QUEUES - 2 * self->nqp,
		  stat_of(v, "bad_reg_access"));
	/* Doorbells read 0. */
	EXPECT_EQ(0, cdna_vfio_rd32(v, CDNA_REG_DOORBELL(1)));
}

/*
 * The kick page needs KVM: a userspace VFIO driver (no VM behind the
 * device) is told so in KICK_PAGE_STATUS and keeps the BAR doorbells.
 */
TEST_F(vf, kick_page_without_kvm)
{
	struct cdna_vfio *v = &self->v;
	int64_t bad0;

	ASSERT_EQ(0, cdna_vfio_dma_alloc(v, &self->dma, DMA_IOVA, DMA_SIZE));
	EXPECT_TRUE(cdna_vfio_rd32(v, CDNA_REG_DEV_FEATURES_LO) &
		    F(CDNA_F_KICK_PAGE));
	EXPECT_EQ(CDNA_KICK_PAGE_OFF,
		  cdna_vfio_rd32(v, CDNA_REG_KICK_PAGE_STATUS));

	/* Not acked: the register is refused, nothing changes. */
	ASSERT_EQ(0, bringup(v, 0));
	bad0 = stat_of(v, "bad_reg_access");
	EXPECT_EQ(0, cdna_vfio_reg_write(v, CDNA_REG_KICK_PAGE_LO,
					 (uint32_t)DMA_IOVA));
	EXPECT_EQ(bad0 + 1, stat_of(v, "bad_reg_access"));
	EXPECT_EQ(0, cdna_vfio_rd32(v, CDNA_REG_KICK_PAGE_LO));
	EXPECT_EQ(CDNA_KICK_PAGE_OFF,
		  cdna_vfio_rd32(v, CDNA_REG_KICK_PAGE_STATUS));

	/* Acked, but no KVM: refused with NO_KVM, the doorbells work. */
	ASSERT_EQ(0, bringup(v, F(CDNA_F_KICK_PAGE)));
	EXPECT_EQ(0, cdna_vfio_reg_write(v, CDNA_REG_KICK_PAGE_HI, 0));
	EXPECT_EQ(0, cdna_vfio_reg_write(v, CDNA_REG_KICK_PAGE_LO,
					 (uint32_t)DMA_IOVA));
	EXPECT_EQ((uint32_t)DMA_IOVA,
		  cdna_vfio_rd32(v, CDNA_REG_KICK_PAGE_LO));
	EXPECT_EQ(CDNA_KICK_PAGE_NO_KVM,
		  cdna_vfio_rd32(v, CDNA_REG_KICK_PAGE_STATUS));
	EXPECT_EQ(0, stat_of(v, "kick_page_kicks"));
	ASSERT_EQ(1, queue_setup_mapped(v, &self->dma, 1, 64));
	ASSERT_EQ(0, driver_ok(v));
	EXPECT_EQ(0, cdna_vfio_reg_write(v, CDNA_REG_DOORBELL(1), 1));
	EXPECT_EQ(1, stat_of(v, "queue1_kicks"));
	/* Address 0 stops it; a reset clears everything. */
	EXPECT_EQ(0, cdna_vfio_reg_write(v, CDNA_REG_KICK_PAGE_LO, 0));
	EXPECT_EQ(CDNA_KICK_PAGE_OFF,
		  cdna_vfio_rd32(v, CDNA_REG_KICK_PAGE_STATUS));
	EXPECT_EQ(0, cdna_vfio_reg_write(v, CDNA_REG_KICK_PAGE_LO, 0x1000));
	ASSERT_EQ(0, cdna_vfio_reg_write(v, CDNA_REG_STATUS, 0));
	EXPECT_EQ(0, cdna_vfio_rd32(v, CDNA_REG_KICK_PAGE_LO));
	EXPECT_EQ(CDNA_KICK_PAGE_OFF,
		  cdna_vfio_rd32(v, CDNA_REG_KICK_PAGE_STATUS));
	EXPECT_EQ(bad0 + 1, stat_of(v, "bad_reg_access"));
}

TEST_F(vf, num_queue_pairs_mtu_coalescing)
{
	struct cdna_vfio *v = &self->v;
	uint32_t max_mtu = cdna_vfio_rd32(v, CDNA_REG_MAX_MTU);
	int64_t bad0 = stat_of(v, "bad_reg_access");

	EXPECT_EQ(0, cdna_vfio_reg_write(v, CDNA_REG_NUM_QUEUE_PAIRS, 0));
	EXPECT_EQ(0, cdna_vfio_reg_write(v, CDNA_REG_NUM_QUEUE_PAIRS,
					 self->nqp + 1));
	EXPECT_EQ(self->nqp, cdna_vfio_rd32(v, CDNA_REG_NUM_QUEUE_PAIRS));
	EXPECT_EQ(0, cdna_vfio_reg_write(v, CDNA_REG_NUM_QUEUE_PAIRS, 1));
	EXPECT_EQ(1, cdna_vfio_rd32(v, CDNA_REG_NUM_QUEUE_PAIRS));

	/* MTU needs the MTU feature. */
	ASSERT_EQ(0, bringup(v, 0));
	EXPECT_EQ(0, cdna_vfio_reg_write(v, CDNA_REG_MTU, 1280));
	EXPECT_EQ(1500, cdna_vfio_rd32(v, CDNA_REG_MTU));
	ASSERT_EQ(0, bringup(v, F(CDNA_F_MTU)));
	EXPECT_EQ(0, cdna_vfio_reg_write(v, CDNA_REG_MTU, CDNA_MIN_MTU - 1));
	EXPECT_EQ(0, cdna_vfio_reg_write(v, CDNA_REG_MTU, max_mtu + 1));
	EXPECT_EQ(1500, cdna_vfio_rd32(v, CDNA_REG_MTU));
	EXPECT_EQ(0, cdna_vfio_reg_write(v, CDNA_REG_MTU, 1280));
	EXPECT_EQ(1280, cdna_vfio_rd32(v, CDNA_REG_MTU));
	EXPECT_EQ(0, cdna_vfio_reg_write(v, CDNA_REG_MTU, max_mtu));
	EXPECT_EQ(max_mtu, cdna_vfio_rd32(v, CDNA_REG_MTU));
	EXPECT_EQ(bad0 + 5, stat_of(v, "bad_reg_access"));

	/* Coalescing values are clamped, not refused. */
	EXPECT_EQ(0, cdna_vfio_reg_write(v, CDNA_REG_RX_COAL_USECS, ~0U));
	EXPECT_EQ(cdna_vfio_rd32(v, CDNA_REG_MAX_COAL_USECS),
		  cdna_vfio_rd32(v, CDNA_REG_RX_COAL_USECS));
	EXPECT_EQ(0, cdna_vfio_reg_write(v, CDNA_REG_TX_COAL_FRAMES, ~0U));
	EXPECT_EQ(CDNA_MAX_RING_SIZE,
		  cdna_vfio_rd32(v, CDNA_REG_TX_COAL_FRAMES));
	EXPECT_EQ(0, cdna_vfio_reg_write(v, CDNA_REG_TX_COAL_USECS, 50));
	EXPECT_EQ(50, cdna_vfio_rd32(v, CDNA_REG_TX_COAL_USECS));
	EXPECT_EQ(0, cdna_vfio_reg_write(v, CDNA_REG_RX_COAL_FRAMES, 16));
	EXPECT_EQ(16, cdna_vfio_rd32(v, CDNA_REG_RX_COAL_FRAMES));
	/* A reset puts everything back. */
	ASSERT_EQ(0, cdna_vfio_reg_write(v, CDNA_REG_STATUS, 0));
	EXPECT_EQ(0, cdna_vfio_rd32(v, CDNA_REG_RX_COAL_USECS));
	EXPECT_EQ(0, cdna_vfio_rd32(v, CDNA_REG_RX_COAL_FRAMES));
	EXPECT_EQ(1500, cdna_vfio_rd32(v, CDNA_REG_MTU));
	EXPECT_EQ(self->nqp, cdna_vfio_rd32(v, CDNA_REG_NUM_QUEUE_PAIRS));
}

TEST_F(vf, link_interrupt)
{
	struct cdna_vfio *v = &self->v;
	int fd0 = -1;
	int64_t irq0;

	ASSERT_EQ(0, cdna_vfio_msix_enable(v));
	fd0 = v->irq_fd[CDNA_MSIX_CTRL_VECTOR];

	/* Without LINK_IRQ: cause recorded, no interrupt. */
	ASSERT_EQ(0, bringup(v, 0));
	ASSERT_EQ(0, driver_ok(v));
	ASSERT_EQ(0, cdna_ctx_set_link(v->uuid, false));
	EXPECT_EQ(0, cdna_vfio_rd32(v, CDNA_REG_LINK));
	EXPECT_EQ(CDNA_CTRL_CAUSE_LINK, cdna_vfio_rd32(v, CDNA_REG_CTRL_CAUSE));
	EXPECT_EQ(0, cdna_vfio_eventfd_wait(fd0, 200));
	ASSERT_EQ(0, cdna_ctx_set_link(v->uuid, true));
	EXPECT_EQ(CDNA_LINK_UP, cdna_vfio_rd32(v, CDNA_REG_LINK));

	/* With LINK_IRQ: every change raises vector 0, once. */
	ASSERT_EQ(0, bringup(v, F(CDNA_F_LINK_IRQ)));
	ASSERT_EQ(0, driver_ok(v));
	irq0 = stat_of(v, "irq_vector0");
	ASSERT_EQ(0, cdna_ctx_set_link(v->uuid, false));
	EXPECT_EQ(1, cdna_vfio_eventfd_wait(fd0, IRQ_WAIT_MS));
	EXPECT_EQ(CDNA_CTRL_CAUSE_LINK, cdna_vfio_rd32(v, CDNA_REG_CTRL_CAUSE));
	EXPECT_EQ(0, cdna_vfio_rd32(v, CDNA_REG_CTRL_CAUSE));
	EXPECT_EQ(0, cdna_vfio_rd32(v, CDNA_REG_LINK));
	/* Writing the same state again is no change. */
	ASSERT_EQ(0, cdna_ctx_set_link(v->uuid, false));
	EXPECT_EQ(0, cdna_vfio_eventfd_wait(fd0, 200));
	ASSERT_EQ(0, cdna_ctx_set_link(v->uuid, true));
	EXPECT_EQ(1, cdna_vfio_eventfd_wait(fd0, IRQ_WAIT_MS));
	EXPECT_EQ(CDNA_LINK_UP, cdna_vfio_rd32(v, CDNA_REG_LINK));
	EXPECT_EQ(irq0 + 2, stat_of(v, "irq_vector0"));
}

TEST_F(vf, set_irqs_bad)
{
	struct cdna_vfio *v = &self->v;
	const uint32_t trig_fd = VFIO_IRQ_SET_DATA_EVENTFD |
				 VFIO_IRQ_SET_ACTION_TRIGGER;
	const uint32_t trig_none = VFIO_IRQ_SET_DATA_NONE |
				   VFIO_IRQ_SET_ACTION_TRIGGER;
	int32_t fds[CDNA_VFIO_MAX_VECTORS + 1];
	unsigned int i;
	int null_fd;

	ASSERT_EQ(0, cdna_vfio_msix_enable(v));
	for (i = 0; i <= v->nvec; i++)
		fds[i] = v->irq_fd[0];

	/* Indexes without interrupts, and beyond. */
	EXPECT_EQ(-EINVAL, cdna_vfio_irq_set(v, VFIO_PCI_INTX_IRQ_INDEX,
					     trig_fd, 0, 1, fds, 4));
	EXPECT_EQ(-EINVAL, cdna_vfio_irq_set(v, VFIO_PCI_MSI_IRQ_INDEX,
					     trig_fd, 0, 1, fds, 4));
	EXPECT_EQ(-EINVAL, cdna_vfio_irq_set(v, VFIO_PCI_ERR_IRQ_INDEX,
					     trig_fd, 0, 1, fds, 4));
	EXPECT_EQ(-EINVAL, cdna_vfio_irq_set(v, VFIO_PCI_NUM_IRQS,
					     trig_fd, 0, 1, fds, 4));
	EXPECT_EQ(-EINVAL, cdna_vfio_irq_set(v, 0xffffffff, trig_fd, 0, 1,
					     fds, 4));
	/* Ranges. */
	EXPECT_EQ(-EINVAL, cdna_vfio_irq_set(v, VFIO_PCI_MSIX_IRQ_INDEX,
					     trig_fd, v->nvec, 1, fds, 4));
	EXPECT_EQ(-EINVAL, cdna_vfio_irq_set(v, VFIO_PCI_MSIX_IRQ_INDEX,
					     trig_fd, 0, v->nvec + 1, fds,
					     4 * (v->nvec + 1)));
	EXPECT_EQ(-EINVAL, cdna_vfio_irq_set(v, VFIO_PCI_MSIX_IRQ_INDEX,
					     trig_fd, 1, 0xffffffff, fds, 4));
	EXPECT_EQ(-EINVAL, cdna_vfio_irq_set(v, VFIO_PCI_REQ_IRQ_INDEX,
					     trig_fd, 0, 2, fds, 8));
	/* Data shorter than count says. */
	EXPECT_EQ(-EINVAL, cdna_vfio_irq_set(v, VFIO_PCI_MSIX_IRQ_INDEX,
					     trig_fd, 0, v->nvec, fds, 2));
	/* Flags: unknown, two data types, two actions, mask on REQ. */
	EXPECT_EQ(-EINVAL, cdna_vfio_irq_set(v, VFIO_PCI_MSIX_IRQ_INDEX,
					     trig_none | 0x100, 0, 1, NULL, 0));
	EXPECT_EQ(-EINVAL, cdna_vfio_irq_set(v, VFIO_PCI_MSIX_IRQ_INDEX,
					     VFIO_IRQ_SET_DATA_BOOL |
					     VFIO_IRQ_SET_DATA_EVENTFD |
					     VFIO_IRQ_SET_ACTION_TRIGGER,
					     0, 1, fds, 4));
	EXPECT_EQ(-EINVAL, cdna_vfio_irq_set(v, VFIO_PCI_MSIX_IRQ_INDEX,
					     VFIO_IRQ_SET_DATA_NONE |
					     VFIO_IRQ_SET_ACTION_MASK |
					     VFIO_IRQ_SET_ACTION_TRIGGER,
					     0, 1, NULL, 0));
	EXPECT_EQ(-EINVAL, cdna_vfio_irq_set(v, VFIO_PCI_REQ_IRQ_INDEX,
					     VFIO_IRQ_SET_DATA_NONE |
					     VFIO_IRQ_SET_ACTION_MASK,
					     0, 1, NULL, 0));
	EXPECT_EQ(-EINVAL, cdna_vfio_irq_set(v, VFIO_PCI_MSIX_IRQ_INDEX,
					     VFIO_IRQ_SET_DATA_EVENTFD |
					     VFIO_IRQ_SET_ACTION_UNMASK,
					     0, 1, fds, 4));

	/* Bad eventfds change nothing: all or nothing. */
	fds[0] = v->irq_fd[1];	/* every function has >= 2 vectors */
	fds[1] = 1000000;
	EXPECT_EQ(-EBADF, cdna_vfio_irq_set(v, VFIO_PCI_MSIX_IRQ_INDEX,
					    trig_fd, 0, 2, fds, 8));
	null_fd = open("/dev/null", O_RDWR);
	ASSERT_LE(0, null_fd);
	fds[0] = null_fd;
	EXPECT_EQ(-EINVAL, cdna_vfio_irq_set(v, VFIO_PCI_MSIX_IRQ_INDEX,
					     trig_fd, 0, 1, fds, 4));
	fds[0] = -2;
	EXPECT_EQ(-EINVAL, cdna_vfio_irq_set(v, VFIO_PCI_MSIX_IRQ_INDEX,
					     trig_fd, 0, 1, fds, 4));
	close(null_fd);
	/* Vector 0 still fires its own eventfd. */
	EXPECT_EQ(0, cdna_vfio_irq_set(v, VFIO_PCI_MSIX_IRQ_INDEX, trig_none,
				       0, 1, NULL, 0));
	EXPECT_EQ(1, cdna_vfio_eventfd_wait(v->irq_fd[0], IRQ_WAIT_MS));
	for (i = 1; i < v->nvec; i++)
		EXPECT_EQ(0, cdna_vfio_eventfd_wait(v->irq_fd[i], 0));
}

TEST_F(vf, irq_replace_mask_loopback)
{
	struct cdna_vfio *v = &self->v;
	const uint32_t trig_fd = VFIO_IRQ_SET_DATA_EVENTFD |
				 VFIO_IRQ_SET_ACTION_TRIGGER;
	const uint32_t none = VFIO_IRQ_SET_DATA_NONE;
	unsigned int last = v->nvec - 1, i;
	int32_t fd_b, fd_none = -1;
	uint8_t bools[CDNA_VFIO_MAX_VECTORS] = {};
	int64_t n0;

	/* Replacing eventfds many times, as QEMU does. */
	for (i = 0; i < 5; i++)
		ASSERT_EQ(0, cdna_vfio_msix_enable(v));
	n0 = stat_of(v, "irq_vector0");

	/* DATA_BOOL fires the selected vectors only. */
	bools[last] = 1;
	ASSERT_EQ(0, cdna_vfio_irq_set(v, VFIO_PCI_MSIX_IRQ_INDEX,
				       VFIO_IRQ_SET_DATA_BOOL |
				       VFIO_IRQ_SET_ACTION_TRIGGER,
				       0, v->nvec, bools, v->nvec));
	EXPECT_EQ(1, cdna_vfio_eventfd_wait(v->irq_fd[last], IRQ_WAIT_MS));
	if (last)
		EXPECT_EQ(0, cdna_vfio_eventfd_wait(v->irq_fd[0], 0));

	/* A new eventfd on vector 0 only: the old one goes quiet. */
	fd_b = eventfd(0, EFD_NONBLOCK);
	ASSERT_LE(0, fd_b);
	ASSERT_EQ(0, cdna_vfio_irq_set(v, VFIO_PCI_MSIX_IRQ_INDEX, trig_fd,
				       0, 1, &fd_b, 4));
	ASSERT_EQ(0, cdna_vfio_irq_set(v, VFIO_PCI_MSIX_IRQ_INDEX,
				       none | VFIO_IRQ_SET_ACTION_TRIGGER,
				       0, 1, NULL, 0));
	EXPECT_EQ(1, cdna_vfio_eventfd_wait(fd_b, IRQ_WAIT_MS));
	EXPECT_EQ(0, cdna_vfio_eventfd_wait(v->irq_fd[0], 0));

	/* Masked: pending, delivered once on unmask. */
	ASSERT_EQ(0, cdna_vfio_irq_set(v, VFIO_PCI_MSIX_IRQ_INDEX,
				       none | VFIO_IRQ_SET_ACTION_MASK,
				       0, 1, NULL, 0));
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, cdna_vfio_irq_set(v, VFIO_PCI_MSIX_IRQ_INDEX,
					       none |
					       VFIO_IRQ_SET_ACTION_TRIGGER,
					       0, 1, NULL, 0));
	EXPECT_EQ(0, cdna_vfio_eventfd_wait(fd_b, 100));
	ASSERT_EQ(0, cdna_vfio_irq_set(v, VFIO_PCI_MSIX_IRQ_INDEX,
				       none | VFIO_IRQ_SET_ACTION_UNMASK,
				       0, 1, NULL, 0));
	EXPECT_EQ(1, cdna_vfio_eventfd_wait(fd_b, IRQ_WAIT_MS));
	EXPECT_EQ(n0 + 2, stat_of(v, "irq_vector0"));

	/* fd -1 releases: the event is lost, and counted as such. */
	ASSERT_EQ(0, cdna_vfio_irq_set(v, VFIO_PCI_MSIX_IRQ_INDEX, trig_fd,
				       0, 1, &fd_none, 4));
	EXPECT_EQ(0, stat_of(v, "irq_vector0_trigger"));
	ASSERT_EQ(0, cdna_vfio_irq_set(v, VFIO_PCI_MSIX_IRQ_INDEX,
				       none | VFIO_IRQ_SET_ACTION_TRIGGER,
				       0, 1, NULL, 0));
	EXPECT_EQ(0, cdna_vfio_eventfd_wait(fd_b, 100));
	EXPECT_EQ(1, stat_of(v, "irq_vector0_lost"));
	close(fd_b);

	/* count 0 + DATA_NONE releases every vector. */
	ASSERT_EQ(0, cdna_vfio_msix_enable(v));
	ASSERT_EQ(0, cdna_vfio_msix_disable(v));
	for (i = 0; i < v->nvec; i++) {
		char name[32];

		snprintf(name, sizeof(name), "irq_vector%u_trigger", i);
		EXPECT_EQ(0, stat_of(v, name));
	}
}

struct remove_job {
	char uuid[40];
	int ret;
};

static void *remove_thread(void *arg)
{
	struct remove_job *job = arg;

	job->ret = cdna_mdev_remove(job->uuid);
	return NULL;
}

TEST_F(vf, remove_while_open)
{
	struct cdna_vfio *v = &self->v;
	struct remove_job job;
	pthread_t thread;
	char state[32];
	int64_t n;

	ASSERT_EQ(0, cdna_vfio_req_enable(v));
	/* The loopback trigger reaches the request eventfd. */
	ASSERT_EQ(0, cdna_vfio_irq_set(v, VFIO_PCI_REQ_IRQ_INDEX,
				       VFIO_IRQ_SET_DATA_NONE |
				       VFIO_IRQ_SET_ACTION_TRIGGER,
				       0, 1, NULL, 0));
	EXPECT_EQ(1, cdna_vfio_eventfd_wait(v->req_fd, IRQ_WAIT_MS));

	/* Removal waits for the VM and asks it to let go. */
	snprintf(job.uuid, sizeof(job.uuid), "%s", self->uuid);
	job.ret = 1;
	ASSERT_EQ(0, pthread_create(&thread, NULL, remove_thread, &job));
	n = cdna_vfio_eventfd_wait(v->req_fd, 10000);
	EXPECT_LE(1, n);
	/* The bus link goes first; the device waits for us. */
	EXPECT_EQ(1, job.ret);
	state_of(v, state, sizeof(state));
	EXPECT_STREQ("open", state);
	EXPECT_EQ(CDNA_MAGIC, cdna_vfio_rd32(v, CDNA_REG_MAGIC));

	cdna_vfio_close(v);
	ASSERT_EQ(0, pthread_join(thread, NULL));
	EXPECT_EQ(0, job.ret);
	EXPECT_FALSE(cdna_mdev_exists(self->uuid));
}

TEST_F(vf, host_settings)
{
	struct cdna_vfio *v = &self->v;
	char other[40], buf[64];
	int ret;

	/* The MAC cannot change under a VM. */
	EXPECT_NE(0, cdna_ctx_set_mac(v->uuid, "02:00:00:00:00:01"));
	cdna_vfio_close(v);
	/* Multicast and zero are no station addresses. */
	EXPECT_NE(0, cdna_ctx_set_mac(v->uuid, "03:00:00:00:00:01"));
	EXPECT_NE(0, cdna_ctx_set_mac(v->uuid, "00:00:00:00:00:00"));
	EXPECT_EQ(0, cdna_ctx_set_mac(v->uuid, "02:cd:0a:00:00:01"));

	/* No two contexts of a NIC share a MAC. */
	ret = cdna_mdev_create(v->nic, 1, other, sizeof(other));
	ASSERT_EQ(0, ret);
	EXPECT_NE(0, cdna_ctx_set_mac(other, "02:cd:0a:00:00:01"));
	EXPECT_EQ(0, cdna_mdev_remove(other));

	/* Reopened, the function presents the new MAC. */
	ASSERT_EQ(0, cdna_vfio_open(v, v->nic, self->uuid));
	EXPECT_EQ(0x000acd02, cdna_vfio_rd32(v, CDNA_REG_MAC_LO));
	EXPECT_EQ(0x0100, cdna_vfio_rd32(v, CDNA_REG_MAC_HI));
	ASSERT_EQ(0, cdna_debugfs_read(v->nic, v->uuid, "mac", buf,
				       sizeof(buf)));
	EXPECT_STREQ("02:cd:0a:00:00:01\n", buf);
	state_of(v, buf, sizeof(buf));
	EXPECT_STREQ("open", buf);
}

TEST_HARNESS_MAIN
