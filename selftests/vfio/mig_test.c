// SPDX-License-Identifier: GPL-2.0
/*
 * mig_test: live migration of a context (VFIO migration v2), driven by a
 * userspace VFIO "guest" through VFIO_DEVICE_FEATURE, as a VMM does.
 *
 * Each test gets a source context and, as the destination of a migration
 * on the same host, an "incoming" context with the same MAC (both made
 * with cdnactl on $CDNA_NIC).  "Guest memory" is one buffer mapped at the
 * same IOVA in both containers: what a migration copies is already there.
 * Covered:
 *
 *  - the migration feature (STOP_COPY | P2P) and the MAC pairing rule;
 *  - a running function moves: registers, queues, coalescing, features,
 *    counters; after STOP the source completes nothing, the destination
 *    completes what was left at the saved indices and goes on;
 *  - a cancelled migration (STOP_COPY, then RUNNING) leaves the source
 *    running; a device reset ends a migration (state RUNNING, the stream
 *    is dead);
 *  - an idle function and one in the middle of its reset move as they are;
 *  - a corrupted stream, a wrong-version stream and a well-formed stream
 *    with impossible contents are refused with an errno, and the
 *    destination stays usable.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "cdna_vfio.h"
#include "kselftest_harness.h"

#define F(bit)			(1ULL << (bit))
#define DMA_IOVA		0x100000ULL
#define DMA_SIZE		(2UL << 20)
#define RING			256
#define TXQ			CDNA_QUEUE_TX(0)
#define RXQ			CDNA_QUEUE_RX(0)
#define BUF_IOVA		(DMA_IOVA + 0x100000)
#define FRAME_LEN		64
#define WAIT_MS			3000
#define QUIET_MS		300
#define MIG_MAC			"52:54:00:6d:69:01"
#define FEATURES		(F(CDNA_F_VERSION_1) | F(CDNA_F_CSUM) | \
				 F(CDNA_F_IRQ_COAL))

struct end {
	struct cdna_vfio v;
	char uuid[40];
	char name[16];
};

FIXTURE(mig) {
	struct end src;
	struct end dst;
	void *mem;		/* the guest memory, at DMA_IOVA in both */
	uint32_t prod;
};

/* ---- plumbing ------------------------------------------------------- */

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void *at(FIXTURE_DATA(mig) *self, uint64_t iova)
{
	return (char *)self->mem + (iova - DMA_IOVA);
}

static uint64_t desc_iova(unsigned int q)
{
	return DMA_IOVA + (uint64_t)(q & 1) * 0x40000;
}

static uint64_t cpl_iova(unsigned int q)
{
	return desc_iova(q) + 0x10000;
}

static uint64_t shm_iova(unsigned int q)
{
	return desc_iova(q) + 0x20000;
}

static uint32_t dev_cons(FIXTURE_DATA(mig) *self)
{
	struct cdna_queue_shm *s = at(self, shm_iova(TXQ));

	return le32toh(__atomic_load_n(&s->dev.cons, __ATOMIC_ACQUIRE));
}

static bool wait_cons(FIXTURE_DATA(mig) *self, uint32_t want, unsigned int ms)
{
	unsigned int waited;

	for (waited = 0; waited < ms; waited++) {
		if (dev_cons(self) == want)
			return true;
		sleep_ms(1);
	}
	return dev_cons(self) == want;
}

/* Post one broadcast frame on the TX ring; ring @e's doorbell. */
static void tx_post(FIXTURE_DATA(mig) *self, struct end *e)
{
	struct cdna_tx_desc *ring = at(self, desc_iova(TXQ));
	uint64_t buf = BUF_IOVA + (self->prod % 16) * 2048;
	uint8_t *f = at(self, buf);
	struct cdna_tx_desc d = {
		.addr = htole64(buf),
		.len = htole32(FRAME_LEN),
		.flags = htole16(CDNA_TXD_EOP),
	};
	struct cdna_queue_shm *s = at(self, shm_iova(TXQ));

	memset(f, 0, FRAME_LEN);
	memset(f, 0xff, 6);
	sscanf(MIG_MAC, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &f[6], &f[7], &f[8],
	       &f[9], &f[10], &f[11]);
	f[12] = 0x88;
	f[13] = 0xb5;
	f[14] = self->prod;
	ring[self->prod & (RING - 1)] = d;
	self->prod++;
	__atomic_store_n(&s->drv.prod, htole32(self->prod), __ATOMIC_RELEASE);
	cdna_vfio_reg_write(&e->v, CDNA_REG_DOORBELL(TXQ), 1);
}

/* Map the shared guest memory into @e's container at DMA_IOVA. */
static int map_mem(FIXTURE_DATA(mig) *self, struct end *e)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)self->mem,
		.iova = DMA_IOVA,
		.size = DMA_SIZE,
	};

	return ioctl(e->v.container, VFIO_IOMMU_MAP_DMA, &map) ? -errno : 0;
}

static void unmap_mem(struct end *e)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.iova = DMA_IOVA,
		.size = DMA_SIZE,
	};

	ioctl(e->v.container, VFIO_IOMMU_UNMAP_DMA, &unmap);
}

static int end_open(FIXTURE_DATA(mig) *self, struct end *e)
{
	int ret;

	ret = cdna_vfio_open(&e->v, cdna_test_nic(), e->uuid);
	if (!ret)
		ret = map_mem(self, e);
	if (!ret)
		ret = cdna_vfio_msix_enable(&e->v);
	return ret;
}

static void end_close(struct end *e)
{
	if (e->v.device < 0)
		return;
	unmap_mem(e);
	cdna_vfio_close(&e->v);
	e->v.device = -1;
}

static int ctx_add(struct end *e, const char *name, bool incoming)
{
	char args[256];
	FILE *f;

	f = fopen("/proc/sys/kernel/random/uuid", "r");
	if (!f || !fgets(e->uuid, sizeof(e->uuid), f)) {
		if (f)
			fclose(f);
		return -EIO;
	}
	fclose(f);
	e->uuid[strcspn(e->uuid, "\n")] = '\0';
	snprintf(e->name, sizeof(e->name), "%s", name);
	snprintf(args, sizeof(args), "ctx add nic %s name %s mac %s uuid %s%s",
		 cdna_test_nic(), name, MIG_MAC, e->uuid,
		 incoming ? " incoming" : "");
	return cdna_ctl(args);
}

static void ctx_del(struct end *e)
{
	char args[64];

	if (!e->name[0])
		return;
	snprintf(args, sizeof(args), "ctx del %s", e->name);
	cdna_ctl(args);
}

/* The driver's bring-up: features, both queues, DRIVER_OK. */
static int bringup(FIXTURE_DATA(mig) *self, struct end *e)
{
	int ret;

	ret = cdna_vfio_negotiate(&e->v, FEATURES);
	if (ret)
		return ret;
	memset(self->mem, 0, BUF_IOVA - DMA_IOVA);
	self->prod = 0;
	if (cdna_vfio_queue_setup(&e->v, RXQ, desc_iova(RXQ), cpl_iova(RXQ),
				  shm_iova(RXQ), RING) != 1 ||
	    cdna_vfio_queue_setup(&e->v, TXQ, desc_iova(TXQ), cpl_iova(TXQ),
				  shm_iova(TXQ), RING) != 1)
		return -EIO;
	return cdna_vfio_reg_write(&e->v, CDNA_REG_STATUS,
				   cdna_vfio_rd32(&e->v, CDNA_REG_STATUS) |
				   CDNA_STATUS_DRIVER_OK);
}

/* ---- the migration feature ------------------------------------------ */

/* Set the migration state; a stream fd (or -1) in *fd; 0 or -errno. */
static int mig_set(struct end *e, uint32_t state, int *fd)
{
	struct {
		struct vfio_device_feature f;
		struct vfio_device_feature_mig_state s;
	} b = {};

	b.f.argsz = sizeof(b);
	b.f.flags = VFIO_DEVICE_FEATURE_SET |
		    VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE;
	b.s.device_state = state;
	b.s.data_fd = -1;
	if (ioctl(e->v.device, VFIO_DEVICE_FEATURE, &b))
		return -errno;
	if (fd)
		*fd = b.s.data_fd;
	else if (b.s.data_fd >= 0)
		close(b.s.data_fd);
	return 0;
}

static int mig_get(struct end *e)
{
	struct {
		struct vfio_device_feature f;
		struct vfio_device_feature_mig_state s;
	} b = {};

	b.f.argsz = sizeof(b);
	b.f.flags = VFIO_DEVICE_FEATURE_GET |
		    VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE;
	if (ioctl(e->v.device, VFIO_DEVICE_FEATURE, &b))
		return -errno;
	return b.s.device_state;
}

/* Save @e's state into @buf; its length or -errno.  Leaves it in STOP. */
static ssize_t mig_save(struct end *e, void *buf, size_t size)
{
	ssize_t n, len = 0;
	int fd = -1, ret;

	ret = mig_set(e, VFIO_DEVICE_STATE_STOP_COPY, &fd);
	if (ret)
		return ret;
	if (fd < 0)
		return -EBADF;
	while ((n = read(fd, (char *)buf + len, size - len)) > 0)
		len += n;
	if (n < 0)
		len = -errno;
	close(fd);
	ret = mig_set(e, VFIO_DEVICE_STATE_STOP, NULL);
	return ret ? ret : len;
}

/*
 * Load @len bytes into @e: RESUMING, write, STOP.  0, or the errno of the
 * write (*werr) or of the arc to STOP (the return value).
 */
static int mig_load(struct end *e, const void *buf, size_t len, int *werr)
{
	int fd = -1, ret;

	*werr = 0;
	ret = mig_set(e, VFIO_DEVICE_STATE_RESUMING, &fd);
	if (ret)
		return ret;
	if (write(fd, buf, len) != (ssize_t)len)
		*werr = errno;
	close(fd);
	return mig_set(e, VFIO_DEVICE_STATE_STOP, NULL);
}

/* The CRC the stream carries (zlib's crc32 of the bytes after the header). */
static uint32_t crc32_ieee(const uint8_t *p, size_t len)
{
	uint32_t c = 0xffffffff;
	unsigned int k;

	while (len--) {
		c ^= *p++;
		for (k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0xedb88320 : c >> 1;
	}
	return ~c;
}

static void reseal(uint8_t *buf, size_t len)
{
	struct cdna_mig_header *h = (void *)buf;

	h->crc32 = htole32(crc32_ieee(buf + sizeof(*h), len - sizeof(*h)));
}

#define STREAM_MAX	8192

static struct cdna_mig_queue *stream_queue(uint8_t *buf, unsigned int q)
{
	return (struct cdna_mig_queue *)(buf + sizeof(struct cdna_mig_header) +
					 sizeof(struct cdna_mig_ctx)) + q;
}

FIXTURE_SETUP(mig)
{
	char path[128];
	int ret;

	self->src.v.device = -1;
	self->dst.v.device = -1;
	snprintf(path, sizeof(path), "/sys/class/cdna/cdna-%s", cdna_test_nic());
	if (access(path, F_OK))
		SKIP(return, "no NIC %s attached (run through mig.sh)",
		     cdna_test_nic());
	self->mem = aligned_alloc(4096, DMA_SIZE);
	ASSERT_NE(NULL, self->mem);
	memset(self->mem, 0, DMA_SIZE);
	ASSERT_EQ(0, ctx_add(&self->src, "migsrc", false));
	ASSERT_EQ(0, ctx_add(&self->dst, "migdst", true))
		TH_LOG("an incoming context with the source's MAC is refused");
	ret = end_open(self, &self->src);
	ASSERT_EQ(0, ret) TH_LOG("opening the source: %s", strerror(-ret));
	ret = end_open(self, &self->dst);
	ASSERT_EQ(0, ret) TH_LOG("opening the destination: %s", strerror(-ret));
}

FIXTURE_TEARDOWN(mig)
{
	end_close(&self->src);
	end_close(&self->dst);
	ctx_del(&self->src);
	ctx_del(&self->dst);
	free(self->mem);
}

/* ---- tests ------------------------------------------------------------ */

TEST_F(mig, feature_and_pairing)
{
	struct {
		struct vfio_device_feature f;
		struct vfio_device_feature_migration m;
	} b = {};
	struct end third = {};
	char args[96];

	b.f.argsz = sizeof(b);
	b.f.flags = VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_MIGRATION;
	ASSERT_EQ(0, ioctl(self->src.v.device, VFIO_DEVICE_FEATURE, &b));
	EXPECT_EQ(VFIO_MIGRATION_STOP_COPY | VFIO_MIGRATION_P2P, b.m.flags);
	EXPECT_EQ(VFIO_DEVICE_STATE_RUNNING, mig_get(&self->src));

	/* Only one pairing: no second context, incoming or not, on the MAC. */
	EXPECT_NE(0, ctx_add(&third, "migthird", false));
	EXPECT_NE(0, ctx_add(&third, "migthird", true));
	snprintf(args, sizeof(args), "ctx add nic %s name migfour incoming",
		 cdna_test_nic());
	EXPECT_NE(0, cdna_ctl(args))
		TH_LOG("an incoming context without a MAC was accepted");
}

TEST_F(mig, running_function_moves)
{
	static uint8_t buf[STREAM_MAX];
	struct cdna_mig_header *h = (void *)buf;
	int64_t pk_src = -1, pk_dst = -1;
	ssize_t len;
	unsigned int i;
	int werr;

	ASSERT_EQ(0, bringup(self, &self->src));
	ASSERT_EQ(0, cdna_vfio_reg_write(&self->src.v, CDNA_REG_TX_COAL_USECS,
					 50));
	for (i = 0; i < 5; i++)
		tx_post(self, &self->src);
	ASSERT_TRUE(wait_cons(self, 5, WAIT_MS));
	ASSERT_EQ(0, cdna_stat(cdna_test_nic(), self->src.uuid, "queue1_packets",
			       &pk_src));

	/* Stopped: a frame posted now stays in the ring. */
	ASSERT_EQ(0, mig_set(&self->src, VFIO_DEVICE_STATE_RUNNING_P2P, NULL));
	tx_post(self, &self->src);
	sleep_ms(QUIET_MS);
	EXPECT_EQ(5, dev_cons(self)) TH_LOG("the source completed after STOP");

	len = mig_save(&self->src, buf, sizeof(buf));
	ASSERT_GT(len, (ssize_t)sizeof(*h)) TH_LOG("save: %s", strerror(-len));
	EXPECT_EQ(CDNA_MIG_MAGIC, le32toh(h->magic));
	EXPECT_EQ(CDNA_MIG_VERSION, le16toh(h->version));
	EXPECT_EQ(len, le32toh(h->total_len));
	EXPECT_EQ(5, le32toh(stream_queue(buf, TXQ)->cons));
	EXPECT_EQ(5, le32toh(stream_queue(buf, TXQ)->next_desc));

	ASSERT_EQ(0, mig_load(&self->dst, buf, len, &werr));
	EXPECT_EQ(0, werr);
	EXPECT_EQ(VFIO_DEVICE_STATE_STOP, mig_get(&self->dst));
	/* Registers the guest sees, before the destination runs. */
	EXPECT_EQ(cdna_vfio_rd32(&self->src.v, CDNA_REG_STATUS),
		  cdna_vfio_rd32(&self->dst.v, CDNA_REG_STATUS));
	EXPECT_EQ(FEATURES & 0xffffffff,
		  cdna_vfio_rd32(&self->dst.v, CDNA_REG_DRV_FEATURES_LO));
	EXPECT_EQ(50, cdna_vfio_rd32(&self->dst.v, CDNA_REG_TX_COAL_USECS));
	EXPECT_EQ(1, cdna_vfio_rd32(&self->dst.v,
				    CDNA_REG_QUEUE(TXQ, CDNA_QREG_ENABLE)));
	EXPECT_EQ(RING, cdna_vfio_rd32(&self->dst.v,
				       CDNA_REG_QUEUE(TXQ, CDNA_QREG_SIZE)));
	EXPECT_EQ((uint32_t)cpl_iova(TXQ),
		  cdna_vfio_rd32(&self->dst.v,
				 CDNA_REG_QUEUE(TXQ, CDNA_QREG_CPL_LO)));
	sleep_ms(QUIET_MS);
	EXPECT_EQ(5, dev_cons(self)) TH_LOG("the destination ran in STOP");

	/* Running: the frame left behind completes, then new ones. */
	ASSERT_EQ(0, mig_set(&self->dst, VFIO_DEVICE_STATE_RUNNING, NULL));
	EXPECT_TRUE(wait_cons(self, 6, WAIT_MS))
		TH_LOG("cons %u: the left frame did not complete", dev_cons(self));
	tx_post(self, &self->dst);
	EXPECT_TRUE(wait_cons(self, 7, WAIT_MS));
	ASSERT_EQ(0, cdna_stat(cdna_test_nic(), self->dst.uuid, "queue1_packets",
			       &pk_dst));
	EXPECT_EQ(pk_src + 2, pk_dst) TH_LOG("counters did not continue");

	/* The source, stopped and then closed, holds nothing. */
	end_close(&self->src);
	pk_src = -1;
	EXPECT_EQ(0, cdna_stat(cdna_test_nic(), self->src.uuid, "pinned_pages",
			       &pk_src));
	EXPECT_EQ(0, pk_src);
}

TEST_F(mig, cancel_keeps_source)
{
	static uint8_t buf[STREAM_MAX];
	ssize_t len;

	ASSERT_EQ(0, bringup(self, &self->src));
	tx_post(self, &self->src);
	ASSERT_TRUE(wait_cons(self, 1, WAIT_MS));
	len = mig_save(&self->src, buf, sizeof(buf));
	ASSERT_GT(len, 0);
	ASSERT_EQ(0, mig_set(&self->src, VFIO_DEVICE_STATE_RUNNING, NULL));
	tx_post(self, &self->src);
	EXPECT_TRUE(wait_cons(self, 2, WAIT_MS))
		TH_LOG("the source does not run after a cancel");
	EXPECT_NE(0, cdna_vfio_rd32(&self->src.v, CDNA_REG_STATUS) &
		  CDNA_STATUS_DRIVER_OK);
}

TEST_F(mig, reset_ends_migration)
{
	int fd = -1;
	char c;

	ASSERT_EQ(0, bringup(self, &self->src));
	ASSERT_EQ(0, mig_set(&self->src, VFIO_DEVICE_STATE_STOP_COPY, &fd));
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, cdna_vfio_reset(&self->src.v));
	EXPECT_EQ(VFIO_DEVICE_STATE_RUNNING, mig_get(&self->src));
	EXPECT_EQ(-1, read(fd, &c, 1));
	EXPECT_EQ(ENODEV, errno);
	close(fd);
	/* And the function comes up again. */
	ASSERT_EQ(0, bringup(self, &self->src));
	tx_post(self, &self->src);
	EXPECT_TRUE(wait_cons(self, 1, WAIT_MS));
}

TEST_F(mig, idle_function_moves)
{
	static uint8_t buf[STREAM_MAX];
	ssize_t len;
	int werr;

	len = mig_save(&self->src, buf, sizeof(buf));
	ASSERT_GT(len, 0);
	ASSERT_EQ(0, mig_load(&self->dst, buf, len, &werr));
	ASSERT_EQ(0, mig_set(&self->dst, VFIO_DEVICE_STATE_RUNNING, NULL));
	EXPECT_EQ(0, cdna_vfio_rd32(&self->dst.v, CDNA_REG_STATUS));
	/* A driver finds a fresh function and brings it up. */
	ASSERT_EQ(0, bringup(self, &self->dst));
	tx_post(self, &self->dst);
	EXPECT_TRUE(wait_cons(self, 1, WAIT_MS));
}

TEST_F(mig, mid_reset_function_moves)
{
	static uint8_t buf[STREAM_MAX];
	uint32_t partial = CDNA_STATUS_ACKNOWLEDGE | CDNA_STATUS_DRIVER;
	ssize_t len;
	int werr;

	ASSERT_EQ(0, bringup(self, &self->src));
	/* The driver resets the function and is half way up again. */
	ASSERT_EQ(0, cdna_vfio_reg_write(&self->src.v, CDNA_REG_STATUS, 0));
	ASSERT_EQ(0, cdna_vfio_reg_write(&self->src.v, CDNA_REG_STATUS,
					 CDNA_STATUS_ACKNOWLEDGE));
	ASSERT_EQ(0, cdna_vfio_reg_write(&self->src.v, CDNA_REG_STATUS,
					 partial));
	len = mig_save(&self->src, buf, sizeof(buf));
	ASSERT_GT(len, 0);
	ASSERT_EQ(0, mig_load(&self->dst, buf, len, &werr));
	ASSERT_EQ(0, mig_set(&self->dst, VFIO_DEVICE_STATE_RUNNING, NULL));
	EXPECT_EQ(partial, cdna_vfio_rd32(&self->dst.v, CDNA_REG_STATUS));
	EXPECT_EQ(0, cdna_vfio_rd32(&self->dst.v,
				    CDNA_REG_QUEUE(TXQ, CDNA_QREG_ENABLE)));
	/* The driver goes on where it was. */
	ASSERT_EQ(0, cdna_vfio_reg_write(&self->dst.v, CDNA_REG_DRV_FEATURES_LO,
					 (uint32_t)FEATURES));
	ASSERT_EQ(0, cdna_vfio_reg_write(&self->dst.v, CDNA_REG_STATUS,
					 partial | CDNA_STATUS_FEATURES_OK));
	EXPECT_NE(0, cdna_vfio_rd32(&self->dst.v, CDNA_REG_STATUS) &
		  CDNA_STATUS_FEATURES_OK);
}

/* After a refused stream the destination is reset and usable. */
static void dst_usable(struct __test_metadata *_metadata,
		       FIXTURE_DATA(mig) *self)
{
	EXPECT_EQ(VFIO_DEVICE_STATE_STOP, mig_get(&self->dst));
	ASSERT_EQ(0, mig_set(&self->dst, VFIO_DEVICE_STATE_RUNNING, NULL));
	EXPECT_EQ(0, cdna_vfio_rd32(&self->dst.v, CDNA_REG_STATUS));
	ASSERT_EQ(0, bringup(self, &self->dst));
	tx_post(self, &self->dst);
	EXPECT_TRUE(wait_cons(self, 1, WAIT_MS))
		TH_LOG("the destination does not work after a refused stream");
}

static ssize_t saved_running(struct __test_metadata *_metadata,
			     FIXTURE_DATA(mig) *self, uint8_t *buf)
{
	ssize_t len;

	if (bringup(self, &self->src))
		return -EIO;
	tx_post(self, &self->src);
	if (!wait_cons(self, 1, WAIT_MS))
		return -ETIMEDOUT;
	len = mig_save(&self->src, buf, STREAM_MAX);
	/* The source is done with the memory: the destination starts over. */
	end_close(&self->src);
	return len;
}

TEST_F(mig, corrupt_stream_refused)
{
	static uint8_t buf[STREAM_MAX];
	ssize_t len = saved_running(_metadata, self, buf);
	int werr;

	ASSERT_GT(len, 0);
	buf[sizeof(struct cdna_mig_header) + 40] ^= 0x10;
	EXPECT_EQ(-EBADMSG, mig_load(&self->dst, buf, len, &werr));
	EXPECT_EQ(0, werr);
	dst_usable(_metadata, self);
}

TEST_F(mig, truncated_stream_refused)
{
	static uint8_t buf[STREAM_MAX];
	ssize_t len = saved_running(_metadata, self, buf);
	int werr;

	ASSERT_GT(len, 0);
	EXPECT_EQ(-EINVAL, mig_load(&self->dst, buf, len - 8, &werr));
	dst_usable(_metadata, self);
}

TEST_F(mig, wrong_version_refused)
{
	static uint8_t buf[STREAM_MAX];
	ssize_t len = saved_running(_metadata, self, buf);
	struct cdna_mig_header *h = (void *)buf;
	int werr;

	ASSERT_GT(len, 0);
	h->version = htole16(CDNA_MIG_VERSION + 1);
	EXPECT_NE(0, mig_load(&self->dst, buf, len, &werr));
	EXPECT_EQ(EPROTONOSUPPORT, werr) TH_LOG("write: %s", strerror(werr));
	dst_usable(_metadata, self);
}

TEST_F(mig, impossible_contents_refused)
{
	static uint8_t buf[STREAM_MAX];
	ssize_t len = saved_running(_metadata, self, buf);
	struct cdna_mig_ctx *m = (void *)(buf + sizeof(struct cdna_mig_header));
	int werr;

	ASSERT_GT(len, 0);
	/* Well sealed, but a ring of 3 entries. */
	stream_queue(buf, TXQ)->size = htole32(3);
	reseal(buf, len);
	EXPECT_EQ(-EINVAL, mig_load(&self->dst, buf, len, &werr));
	EXPECT_EQ(0, werr);
	/* Another MAC: not this context's VM. */
	stream_queue(buf, TXQ)->size = htole32(RING);
	m->mac[5] ^= 1;
	reseal(buf, len);
	EXPECT_EQ(-EINVAL, mig_load(&self->dst, buf, len, &werr));
	dst_usable(_metadata, self);
}

TEST_HARNESS_MAIN
