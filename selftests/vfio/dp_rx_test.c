// SPDX-License-Identifier: GPL-2.0
/*
 * dp_rx_test: the receive path of a context, driven by a userspace VFIO
 * "guest" (cdna_vfio.[ch]) on the uplink $CDNA_NIC, a veth whose peer is
 * $CDNA_PEER (set up with a 9000-byte MTU by selftests/tests/dp_rx.sh).
 *
 * - Buffers and completions stay in step when a frame uses fewer buffers
 *   than the device read for it (a jumbo frame that needs more than
 *   CDNA_MAX_RX_FRAGS small buffers, then small frames): every frame is in
 *   exactly the buffers its completion names, nothing is written around
 *   or between them, and a buffer the device never checked is never
 *   completed as OK.
 * - An error completion ends at the buffer that failed; the frame comes
 *   in the buffers after it (include/uapi/linux/cdna.h, struct cdna_cpl).
 * - A TSO frame the guest sends to itself without RX_GSO is segmented
 *   within the RX queue's memory bound, for any gso_size.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "cdna_vfio.h"
#include "kselftest_harness.h"

#define F(bit)			(1ULL << (bit))
#define DMA_IOVA		0x100000ULL
#define DMA_SIZE		(4UL << 20)
#define RO_IOVA			0x1000000ULL	/* a read-only mapping */
#define RO_SIZE			0x10000UL
#define UNMAPPED_IOVA		0x40000000ULL
#define RING			256
#define RXQ			CDNA_QUEUE_RX(0)
#define TXQ			CDNA_QUEUE_TX(0)
/* RX slots: canary, 256-byte buffer, canary. */
#define SLOT_BASE		(DMA_IOVA + 0x100000)
#define SLOT_SIZE		512
#define SLOT_PAD		128
#define SMALL_BUF		256
#define NSLOT			40
#define TX_FRAME_IOVA		(DMA_IOVA + 0x200000)	/* 64 KiB */
#define CANARY			0xa5
#define UNTOUCHED		0xee
#define ETH_P_CDNA_TEST		0x88b5		/* IEEE local experimental */
#define WAIT_MS			3000
#define CDNA_RX_BACKLOG_MAX	1024	/* host: kmod/cdna.h CDNA_RX_BACKLOG */
#define FEATURES		(F(CDNA_F_VERSION_1) | F(CDNA_F_CSUM) | \
				 F(CDNA_F_TSO4) | F(CDNA_F_TSO6) | \
				 F(CDNA_F_RX_CSUM))

FIXTURE(rx) {
	struct cdna_vfio v;
	char uuid[40];
	struct cdna_vfio_dma dma;
	void *ro;			/* RO_SIZE bytes mapped at RO_IOVA */
	uint8_t mac[ETH_ALEN];
	uint8_t peer_mac[ETH_ALEN];
	int peer_ifindex;
	int raw;
	uint32_t prod[2];
	uint32_t cons[2];
	unsigned int tag;
	/* What was posted, in ring order. */
	uint64_t posted[NSLOT];
	unsigned int nposted;
};

/* ---- memory --------------------------------------------------------- */

static void *at(FIXTURE_DATA(rx) *self, uint64_t iova)
{
	if (iova >= RO_IOVA && iova < RO_IOVA + RO_SIZE)
		return (char *)self->ro + (iova - RO_IOVA);
	return (char *)self->dma.vaddr + (iova - self->dma.iova);
}

static uint64_t desc_iova(unsigned int q)
{
	return DMA_IOVA + (uint64_t)q * 0x10000;
}

static uint64_t cpl_iova(unsigned int q)
{
	return desc_iova(q) + 0x8000;
}

static uint64_t shm_iova(unsigned int q)
{
	return desc_iova(q) + 0xf000;
}

static struct cdna_queue_shm *shm(FIXTURE_DATA(rx) *self, unsigned int q)
{
	return at(self, shm_iova(q));
}

/* The 256-byte buffer of slot @i, in writable memory. */
static uint64_t slot_buf(unsigned int i)
{
	return SLOT_BASE + (uint64_t)i * SLOT_SIZE + SLOT_PAD;
}

/* The 256-byte buffer @i of the read-only mapping, with canaries. */
static uint64_t ro_buf(unsigned int i)
{
	return RO_IOVA + (uint64_t)i * SLOT_SIZE + SLOT_PAD;
}

/* Canaries around and a known pattern in every slot of both areas. */
static void slots_fill(FIXTURE_DATA(rx) *self)
{
	unsigned int i;

	for (i = 0; i < NSLOT; i++) {
		uint8_t *s = at(self, slot_buf(i)) - SLOT_PAD;

		memset(s, CANARY, SLOT_SIZE);
		memset(s + SLOT_PAD, UNTOUCHED, SMALL_BUF);
	}
	for (i = 0; i < RO_SIZE / SLOT_SIZE; i++) {
		uint8_t *s = at(self, ro_buf(i)) - SLOT_PAD;

		memset(s, CANARY, SLOT_SIZE);
		memset(s + SLOT_PAD, UNTOUCHED, SMALL_BUF);
	}
}

/* Number of bytes of the canaries of the buffer at @iova that changed. */
static unsigned int canary_damage(FIXTURE_DATA(rx) *self, uint64_t iova)
{
	const uint8_t *s = (const uint8_t *)at(self, iova) - SLOT_PAD;
	unsigned int i, bad = 0;

	for (i = 0; i < SLOT_PAD; i++)
		bad += (s[i] != CANARY) + (s[SLOT_PAD + SMALL_BUF + i] != CANARY);
	return bad;
}

static bool untouched(FIXTURE_DATA(rx) *self, uint64_t iova, size_t off,
		      size_t len)
{
	const uint8_t *b = at(self, iova);
	size_t i;

	for (i = off; i < len; i++)
		if (b[i] != UNTOUCHED)
			return false;
	return true;
}

/* ---- host counters ------------------------------------------------- */

static int64_t stat_of(FIXTURE_DATA(rx) *self, const char *name)
{
	int64_t val = -1;

	if (cdna_stat(self->v.nic, self->uuid, name, &val))
		return -1;
	return val;
}

/* "queue0 running .. backlog N backlog_bytes M" of datapath/stats. */
static int rx_backlog(FIXTURE_DATA(rx) *self, int64_t *skbs, int64_t *bytes)
{
	char path[256], buf[8192], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path),
		 "/sys/kernel/debug/cdna/%s/%s/datapath/stats", self->v.nic,
		 self->uuid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return -EIO;
	buf[n] = '\0';
	p = strstr(buf, "queue0 running");
	if (!p)
		return -ENOENT;
	p = strstr(p, " backlog ");
	if (!p)
		return -ENOENT;
	*skbs = strtoll(p + 9, &p, 10);
	p = strstr(p, " backlog_bytes ");
	if (!p)
		return -ENOENT;
	*bytes = strtoll(p + 15, NULL, 10);
	return 0;
}

static int64_t param_of(const char *name)
{
	char path[128], buf[32];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/module/cdna/parameters/%s", name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return strtoll(buf, NULL, 0);
}

/*
 * True on a KASAN kernel (make debug-kernel KASAN=1): its quarantine keeps
 * freed objects, so active slab objects say nothing about what is held.
 */
static bool kasan_kernel(void)
{
	static int kasan = -1;
	char line[256];
	FILE *f;

	if (kasan >= 0)
		return kasan;
	kasan = 0;
	f = fopen("/proc/kallsyms", "r");
	if (!f)
		return false;
	while (!kasan && fgets(line, sizeof(line), f))
		kasan = strstr(line, " kasan_report\n") != NULL;
	fclose(f);
	return kasan;
}

/*
 * Active objects of a slab cache, -1 if it is not listed (merged) or
 * the count means nothing (KASAN).
 */
static int64_t slab_active(const char *cache)
{
	char line[512], name[64];
	long long active;
	int64_t ret = -1;
	FILE *f;

	if (kasan_kernel())
		return -1;
	f = fopen("/proc/slabinfo", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %lld", name, &active) == 2 &&
		    !strcmp(name, cache))
			ret = active;
	fclose(f);
	return ret;
}

/* ---- rings ------------------------------------------------------------ */

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void publish_prod(FIXTURE_DATA(rx) *self, unsigned int q, uint32_t p)
{
	__atomic_store_n(&shm(self, q)->drv.prod, htole32(p), __ATOMIC_RELEASE);
}

static void kick(FIXTURE_DATA(rx) *self, unsigned int q)
{
	cdna_vfio_reg_write(&self->v, CDNA_REG_DOORBELL(q), 1);
}

static uint32_t dev_cons(FIXTURE_DATA(rx) *self, unsigned int q)
{
	return le32toh(__atomic_load_n(&shm(self, q)->dev.cons,
				       __ATOMIC_ACQUIRE));
}

static bool next_cpl(FIXTURE_DATA(rx) *self, unsigned int q,
		     struct cdna_cpl *cpl, unsigned int timeout_ms)
{
	struct cdna_cpl *ring = at(self, cpl_iova(q));
	unsigned int waited = 0;

	while (dev_cons(self, q) == self->cons[q]) {
		if (waited >= timeout_ms)
			return false;
		sleep_ms(1);
		waited++;
	}
	memcpy(cpl, &ring[self->cons[q] & (RING - 1)], sizeof(*cpl));
	self->cons[q]++;
	return true;
}

/* Post RX buffers without kicking, then publish them all at once. */
static void rx_post_all(FIXTURE_DATA(rx) *self, const uint64_t *addr,
			const uint32_t *len, unsigned int n)
{
	struct cdna_rx_desc *ring = at(self, desc_iova(RXQ));
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct cdna_rx_desc d = {
			.addr = htole64(addr[i]),
			.len = htole32(len[i]),
		};

		ring[self->prod[RXQ] & (RING - 1)] = d;
		self->prod[RXQ]++;
		if (self->nposted < NSLOT)
			self->posted[self->nposted++] = addr[i];
	}
	publish_prod(self, RXQ, self->prod[RXQ]);
	kick(self, RXQ);
}

/* ---- frames --------------------------------------------------------- */

static unsigned int frame_fill(FIXTURE_DATA(rx) *self, uint8_t *f, size_t len)
{
	unsigned int tag = ++self->tag, i;
	uint16_t type = htons(ETH_P_CDNA_TEST);

	memcpy(f, self->mac, ETH_ALEN);
	memcpy(f + ETH_ALEN, self->peer_mac, ETH_ALEN);
	memcpy(f + 12, &type, 2);
	for (i = 14; i < len; i++)
		f[i] = (uint8_t)(tag * 7 + i);
	memcpy(f + 14, &tag, sizeof(tag));
	return tag;
}

/* Send @len bytes from the peer to the context; false if it failed. */
static bool peer_send(FIXTURE_DATA(rx) *self, uint8_t *frame, size_t len)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_ifindex = self->peer_ifindex,
		.sll_halen = ETH_ALEN,
	};

	frame_fill(self, frame, len);
	memcpy(sll.sll_addr, self->mac, ETH_ALEN);
	return sendto(self->raw, frame, len, 0, (struct sockaddr *)&sll,
		      sizeof(sll)) == (ssize_t)len;
}

/* ---- setup ------------------------------------------------------------ */

static int bringup(FIXTURE_DATA(rx) *self, uint64_t features)
{
	uint32_t st;
	int ret;

	ret = cdna_vfio_negotiate(&self->v, features);
	if (ret)
		return ret;
	memset(at(self, desc_iova(RXQ)), 0, 2 * 0x10000);
	if (cdna_vfio_queue_setup(&self->v, RXQ, desc_iova(RXQ), cpl_iova(RXQ),
				  shm_iova(RXQ), RING) != 1 ||
	    cdna_vfio_queue_setup(&self->v, TXQ, desc_iova(TXQ), cpl_iova(TXQ),
				  shm_iova(TXQ), RING) != 1)
		return -EIO;
	memset(self->prod, 0, sizeof(self->prod));
	memset(self->cons, 0, sizeof(self->cons));
	self->nposted = 0;
	st = cdna_vfio_rd32(&self->v, CDNA_REG_STATUS);
	return cdna_vfio_reg_write(&self->v, CDNA_REG_STATUS,
				   st | CDNA_STATUS_DRIVER_OK);
}

static int peer_open(FIXTURE_DATA(rx) *self)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	struct ifreq ifr = {};
	int fd;

	fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_CDNA_TEST));
	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", cdna_test_peer());
	if (ioctl(fd, SIOCGIFINDEX, &ifr)) {
		close(fd);
		return -errno;
	}
	self->peer_ifindex = ifr.ifr_ifindex;
	if (ioctl(fd, SIOCGIFHWADDR, &ifr)) {
		close(fd);
		return -errno;
	}
	memcpy(self->peer_mac, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
	sll.sll_protocol = htons(ETH_P_CDNA_TEST);
	sll.sll_ifindex = self->peer_ifindex;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		close(fd);
		return -errno;
	}
	self->raw = fd;
	return 0;
}

/* A read-only DMA mapping (device may read, not write) at RO_IOVA. */
static int ro_map(FIXTURE_DATA(rx) *self)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ,
		.iova = RO_IOVA,
		.size = RO_SIZE,
	};
	void *p = aligned_alloc(4096, RO_SIZE);

	if (!p)
		return -ENOMEM;
	memset(p, 0, RO_SIZE);
	map.vaddr = (uintptr_t)p;
	if (ioctl(self->v.container, VFIO_IOMMU_MAP_DMA, &map)) {
		free(p);
		return -errno;
	}
	self->ro = p;
	return 0;
}

static void ro_unmap(FIXTURE_DATA(rx) *self)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.iova = RO_IOVA,
		.size = RO_SIZE,
	};

	if (!self->ro)
		return;
	ioctl(self->v.container, VFIO_IOMMU_UNMAP_DMA, &unmap);
	free(self->ro);
	self->ro = NULL;
}

FIXTURE_SETUP(rx)
{
	uint32_t lo, hi;
	char path[128];
	int ret;

	self->raw = -1;
	self->v.device = -1;
	snprintf(path, sizeof(path), "/sys/class/cdna/cdna-%s", cdna_test_nic());
	if (access(path, F_OK))
		SKIP(return, "no NIC %s attached (run through dp_rx.sh)",
		     cdna_test_nic());
	ASSERT_EQ(0, peer_open(self)) TH_LOG("raw socket on %s", cdna_test_peer());
	ret = cdna_mdev_create(cdna_test_nic(), 1, self->uuid, sizeof(self->uuid));
	ASSERT_EQ(0, ret) TH_LOG("creating an mdev: %s", strerror(-ret));
	ret = cdna_vfio_open(&self->v, cdna_test_nic(), self->uuid);
	ASSERT_EQ(0, ret) TH_LOG("opening %s: %s", self->uuid, strerror(-ret));
	ASSERT_EQ(0, cdna_vfio_dma_alloc(&self->v, &self->dma, DMA_IOVA,
					 DMA_SIZE));
	ASSERT_EQ(0, ro_map(self));
	ASSERT_EQ(0, cdna_vfio_msix_enable(&self->v));
	ASSERT_EQ(0, bringup(self, FEATURES));

	lo = cdna_vfio_rd32(&self->v, CDNA_REG_MAC_LO);
	hi = cdna_vfio_rd32(&self->v, CDNA_REG_MAC_HI);
	self->mac[0] = lo;
	self->mac[1] = lo >> 8;
	self->mac[2] = lo >> 16;
	self->mac[3] = lo >> 24;
	self->mac[4] = hi;
	self->mac[5] = hi >> 8;
	slots_fill(self);
}

FIXTURE_TEARDOWN(rx)
{
	ro_unmap(self);
	if (self->dma.vaddr)
		cdna_vfio_dma_free(&self->v, &self->dma);
	if (self->v.device >= 0)
		cdna_vfio_close(&self->v);
	if (self->uuid[0] && cdna_mdev_exists(self->uuid))
		EXPECT_EQ(0, cdna_mdev_remove(self->uuid));
	if (self->raw >= 0)
		close(self->raw);
}

/*
 * Check an OK completion: the frame's @len bytes are in exactly the
 * @ndesc buffers the completion names (from posted[@first]), the rest of
 * the last one is untouched, and every one is writable memory.
 */
static void expect_frame_in(struct __test_metadata *_metadata,
			    FIXTURE_DATA(rx) *self, const struct cdna_cpl *cpl,
			    unsigned int first, const uint8_t *frame,
			    size_t len)
{
	unsigned int i, nd = le16toh(cpl->ndesc);
	size_t off = 0;

	ASSERT_EQ(CDNA_CPL_OK, le16toh(cpl->status));
	ASSERT_EQ(len, le32toh(cpl->len));
	ASSERT_EQ((len + SMALL_BUF - 1) / SMALL_BUF, nd);
	ASSERT_LE(first + nd, self->nposted);
	for (i = first; i < first + nd; i++, off += SMALL_BUF) {
		size_t chunk = len - off < SMALL_BUF ? len - off : SMALL_BUF;
		uint64_t b = self->posted[i];

		EXPECT_FALSE(b >= RO_IOVA && b < RO_IOVA + RO_SIZE)
			TH_LOG("buffer %u (read-only) completed OK", i);
		EXPECT_EQ(0, memcmp(at(self, b), frame + off, chunk))
			TH_LOG("buffer %u does not hold bytes %zu.. of the frame",
			       i, off);
		EXPECT_TRUE(untouched(self, b, chunk, SMALL_BUF))
			TH_LOG("buffer %u written past the frame", i);
	}
}

static void expect_canaries(struct __test_metadata *_metadata,
			    FIXTURE_DATA(rx) *self)
{
	unsigned int i;

	for (i = 0; i < NSLOT; i++)
		EXPECT_EQ(0, canary_damage(self, slot_buf(i)))
			TH_LOG("canaries of slot %u", i);
	for (i = 0; i < RO_SIZE / SLOT_SIZE; i++)
		EXPECT_EQ(0, canary_damage(self, ro_buf(i)))
			TH_LOG("canaries of read-only slot %u", i);
}

/* ---- RX buffers and completions in step ------------------------------- */

/*
 * 40 buffers of 256 bytes; a 9000-byte frame (36 buffers, more than
 * CDNA_MAX_RX_FRAGS: dropped after the device read 18 descriptors), then
 * two 300-byte frames: each is in exactly the two buffers its completion
 * names, in ring order, and nothing else is written.
 */
TEST_F(rx, jumbo_then_small_in_step)
{
	static uint8_t jumbo[9000], a[300], b[300];
	uint64_t addr[NSLOT];
	uint32_t len[NSLOT];
	struct cdna_cpl cpl;
	unsigned int i, first = 0;
	int64_t drops0;

	for (i = 0; i < NSLOT; i++) {
		addr[i] = slot_buf(i);
		len[i] = SMALL_BUF;
	}
	drops0 = stat_of(self, "queue0_drop_no_rxbuf");
	rx_post_all(self, addr, len, NSLOT);

	ASSERT_TRUE(peer_send(self, jumbo, sizeof(jumbo)))
		TH_LOG("sending 9000 bytes on %s: %s (MTU?)", cdna_test_peer(),
		       strerror(errno));
	/* The jumbo frame gets no completion: wait for its drop. */
	for (i = 0; i < WAIT_MS &&
	     stat_of(self, "queue0_drop_no_rxbuf") == drops0; i++)
		sleep_ms(1);
	ASSERT_EQ(drops0 + 1, stat_of(self, "queue0_drop_no_rxbuf"));
	ASSERT_EQ(self->cons[RXQ], dev_cons(self, RXQ));

	ASSERT_TRUE(peer_send(self, a, sizeof(a)));
	ASSERT_TRUE(next_cpl(self, RXQ, &cpl, WAIT_MS));
	expect_frame_in(_metadata, self, &cpl, first, a, sizeof(a));
	first += le16toh(cpl.ndesc);

	ASSERT_TRUE(peer_send(self, b, sizeof(b)));
	ASSERT_TRUE(next_cpl(self, RXQ, &cpl, WAIT_MS));
	expect_frame_in(_metadata, self, &cpl, first, b, sizeof(b));
	first += le16toh(cpl.ndesc);

	/* The first frame is still where its completion said. */
	EXPECT_EQ(0, memcmp(at(self, slot_buf(0)), a, SMALL_BUF));
	EXPECT_EQ(0, memcmp(at(self, slot_buf(1)), a + SMALL_BUF,
			    sizeof(a) - SMALL_BUF));
	/* Nothing more completed, nothing else written. */
	sleep_ms(200);
	EXPECT_EQ(self->cons[RXQ], dev_cons(self, RXQ));
	for (i = first; i < NSLOT; i++)
		EXPECT_TRUE(untouched(self, slot_buf(i), 0, SMALL_BUF))
			TH_LOG("buffer %u written, never completed", i);
	expect_canaries(_metadata, self);
	EXPECT_EQ(0, cdna_vfio_rd32(&self->v, CDNA_REG_STATUS) &
		     CDNA_STATUS_NEEDS_RESET);
}

/*
 * The same, with the third and fourth buffers in memory the VM mapped
 * read-only: they are refused (ERR_ADDR, one completion each, ending at
 * the bad buffer), never completed OK, and the second small frame lands
 * in the two buffers after them.
 */
TEST_F(rx, unchecked_buffer_never_ok)
{
	static uint8_t jumbo[9000], a[300], b[300];
	uint64_t addr[NSLOT];
	uint32_t len[NSLOT];
	struct cdna_cpl cpl;
	unsigned int i, first = 0;
	int64_t bad0;

	for (i = 0; i < NSLOT; i++) {
		addr[i] = i == 2 || i == 3 ? ro_buf(i - 2) : slot_buf(i);
		len[i] = SMALL_BUF;
	}
	bad0 = stat_of(self, "queue0_drop_bad_addr");
	rx_post_all(self, addr, len, NSLOT);

	ASSERT_TRUE(peer_send(self, jumbo, sizeof(jumbo)));
	sleep_ms(200);
	ASSERT_TRUE(peer_send(self, a, sizeof(a)));
	ASSERT_TRUE(next_cpl(self, RXQ, &cpl, WAIT_MS));
	expect_frame_in(_metadata, self, &cpl, first, a, sizeof(a));
	first += le16toh(cpl.ndesc);

	ASSERT_TRUE(peer_send(self, b, sizeof(b)));
	for (i = 0; i < 2; i++) {
		ASSERT_TRUE(next_cpl(self, RXQ, &cpl, WAIT_MS));
		EXPECT_EQ(CDNA_CPL_ERR_ADDR, le16toh(cpl.status))
			TH_LOG("read-only buffer %u: status %u", first,
			       le16toh(cpl.status));
		EXPECT_EQ(1, le16toh(cpl.ndesc));
		EXPECT_EQ(0, le32toh(cpl.len));
		first += le16toh(cpl.ndesc);
	}
	ASSERT_TRUE(next_cpl(self, RXQ, &cpl, WAIT_MS));
	expect_frame_in(_metadata, self, &cpl, first, b, sizeof(b));
	first += le16toh(cpl.ndesc);
	EXPECT_EQ(6, first);
	EXPECT_EQ(bad0 + 2, stat_of(self, "queue0_drop_bad_addr"));

	EXPECT_TRUE(untouched(self, ro_buf(0), 0, SMALL_BUF));
	EXPECT_TRUE(untouched(self, ro_buf(1), 0, SMALL_BUF));
	sleep_ms(200);
	EXPECT_EQ(self->cons[RXQ], dev_cons(self, RXQ));
	for (i = first; i < NSLOT; i++)
		EXPECT_TRUE(untouched(self, slot_buf(i), 0, SMALL_BUF))
			TH_LOG("buffer %u written, never completed", i);
	expect_canaries(_metadata, self);
}

/*
 * Buffer k of a multi-buffer frame fails: the error completion names the
 * buffers up to and including k (those before it may hold the frame's
 * start), the ones after k are left for the next completion, which holds
 * the frame whole.  Bad address and bad length alike; a buffer refused for
 * its length is not written.
 */
TEST_F(rx, error_cpl_ends_at_bad_buffer)
{
	static const struct {
		uint64_t addr;
		uint32_t len;
		uint16_t status;
	} bad[] = {
		{ UNMAPPED_IOVA, SMALL_BUF, CDNA_CPL_ERR_ADDR },
		{ 0, 100, CDNA_CPL_ERR_LEN },	/* < CDNA_MIN_RX_BUF */
	};
	static uint8_t frame[600];
	uint64_t addr[8];
	uint32_t len[8];
	struct cdna_cpl cpl;
	unsigned int c, i;

	for (c = 0; c < sizeof(bad) / sizeof(bad[0]); c++) {
		ASSERT_EQ(0, bringup(self, FEATURES));
		slots_fill(self);
		for (i = 0; i < 8; i++) {
			addr[i] = slot_buf(i);
			len[i] = SMALL_BUF;
		}
		/* Buffer 1 of the frame's 3 is bad. */
		if (bad[c].addr)
			addr[1] = bad[c].addr;
		len[1] = bad[c].len;
		rx_post_all(self, addr, len, 8);

		ASSERT_TRUE(peer_send(self, frame, sizeof(frame)));
		ASSERT_TRUE(next_cpl(self, RXQ, &cpl, WAIT_MS));
		EXPECT_EQ(bad[c].status, le16toh(cpl.status)) TH_LOG("case %u", c);
		EXPECT_EQ(2, le16toh(cpl.ndesc)) TH_LOG("case %u", c);
		EXPECT_EQ(0, le32toh(cpl.len));
		/* The bad buffer was not written. */
		if (!bad[c].addr)
			EXPECT_TRUE(untouched(self, slot_buf(1), 0, SMALL_BUF));
		/* The frame, whole, in the three buffers after it. */
		ASSERT_TRUE(next_cpl(self, RXQ, &cpl, WAIT_MS));
		expect_frame_in(_metadata, self, &cpl, 2, frame, sizeof(frame));
		for (i = 5; i < 8; i++)
			EXPECT_TRUE(untouched(self, slot_buf(i), 0, SMALL_BUF));
		expect_canaries(_metadata, self);
	}
}

/* ---- RX segmentation within the memory bound ---------------------------- */

/* A TCPv4 TSO frame of @len bytes from the context to itself. */
static void tso_frame(FIXTURE_DATA(rx) *self, uint8_t *f, size_t len)
{
	uint16_t v16;
	size_t i;

	memset(f, 0, 54);
	memcpy(f, self->mac, ETH_ALEN);
	memcpy(f + ETH_ALEN, self->mac, ETH_ALEN);
	v16 = htons(ETH_P_IP);
	memcpy(f + 12, &v16, 2);
	f[14] = 0x45;				/* IPv4, IHL 5 */
	v16 = htons(len - 14 > 0xffff ? 0xffff : len - 14);
	memcpy(f + 16, &v16, 2);
	f[22] = 64;				/* TTL */
	f[23] = 6;				/* TCP */
	f[26] = 10; f[29] = 1;			/* 10.0.0.1 */
	f[30] = 10; f[33] = 2;			/* 10.0.0.2 */
	f[34] = 0x30; f[35] = 0x39;		/* ports 12345 -> 80 */
	f[37] = 80;
	f[46] = 0x50;				/* doff 5 */
	f[47] = 0x10;				/* ACK */
	f[48] = 0xff; f[49] = 0xff;		/* window */
	for (i = 54; i < len; i++)
		f[i] = (uint8_t)i;
}

/* Send it with MSS @mss; return the TX completion status, -1 on timeout. */
static int tso_send(FIXTURE_DATA(rx) *self, size_t len, uint16_t mss)
{
	struct cdna_tx_desc *ring = at(self, desc_iova(TXQ));
	struct cdna_tx_desc d = {
		.addr = htole64(TX_FRAME_IOVA),
		.len = htole32(len),
		.flags = htole16(CDNA_TXD_EOP | CDNA_TXD_CSUM |
				 CDNA_TXD_GSO_TCPV4),
		.gso_size = htole16(mss),
		.csum_start = htole16(34),
		.csum_offset = htole16(16),
		.hdr_len = htole16(54),
	};
	struct cdna_cpl cpl;

	tso_frame(self, at(self, TX_FRAME_IOVA), len);
	ring[self->prod[TXQ] & (RING - 1)] = d;
	self->prod[TXQ]++;
	publish_prod(self, TXQ, self->prod[TXQ]);
	kick(self, TXQ);
	if (!next_cpl(self, TXQ, &cpl, WAIT_MS))
		return -1;
	return le16toh(cpl.status);
}

/* Sum of the RX queue's drops. */
static int64_t rx_drops(FIXTURE_DATA(rx) *self)
{
	static const char * const names[] = {
		"queue0_drop_no_rxbuf", "queue0_drop_bad_offload",
		"queue0_drop_nomem",
	};
	int64_t sum = 0;
	unsigned int i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		sum += stat_of(self, names[i]);
	return sum;
}

/*
 * What the RX queue holds once the engine took the frame off the backlog:
 * more than the frame itself (its segments) or a drop.
 */
static void wait_rx_settled(FIXTURE_DATA(rx) *self, int64_t drops0,
			    int64_t *skbs, int64_t *bytes)
{
	unsigned int waited;

	for (waited = 0; waited < 2 * WAIT_MS; waited += 5) {
		if (rx_backlog(self, skbs, bytes))
			return;
		if (*skbs > 1 || rx_drops(self) != drops0)
			break;
		sleep_ms(5);
	}
	/* A little longer, in case segments are still being queued. */
	sleep_ms(20);
	rx_backlog(self, skbs, bytes);
}

/*
 * A guest without RX_GSO sends TSO frames of 60,000 and 65,535 bytes to
 * its own MAC with gso_size 1..64: segmenting them for its RX queue (no
 * buffers posted) never holds more than CDNA_RX_BACKLOG skbs or
 * rx_backlog_bytes of truesize, nor the host memory to match.  Each frame
 * starts from an empty queue (a reset), then frames pile up without one,
 * also with an MSS of 536 (that any TX validation accepts).
 */
TEST_F_TIMEOUT(rx, segmentation_bounded, 600)
{
	static const size_t lens[] = { 60000, 65535 };
	int64_t limit = param_of("rx_backlog_bytes");
	int64_t skbs, bytes, drops0, slab0, slab;
	unsigned int mss, l, sent = 0, segmented = 0;
	int st;

	ASSERT_LT(0, limit);
	slab0 = slab_active("skbuff_head_cache");
	for (mss = 1; mss <= 64; mss++) {
		for (l = 0; l < 2; l++) {
			ASSERT_EQ(0, bringup(self, FEATURES));
			drops0 = rx_drops(self);
			st = tso_send(self, lens[l], mss);
			ASSERT_LE(0, st) TH_LOG("no TX completion");
			/* A TX path that refuses tiny MSS is fine too. */
			if (st != CDNA_CPL_OK) {
				EXPECT_EQ(CDNA_CPL_ERR_OFFLOAD, st);
				continue;
			}
			sent++;
			wait_rx_settled(self, drops0, &skbs, &bytes);
			ASSERT_EQ(0, rx_backlog(self, &skbs, &bytes));
			ASSERT_LE(skbs, CDNA_RX_BACKLOG_MAX)
				TH_LOG("%zu bytes, MSS %u: %lld skbs held",
				       lens[l], mss, (long long)skbs);
			ASSERT_LE(bytes, limit)
				TH_LOG("%zu bytes, MSS %u: %lld bytes held",
				       lens[l], mss, (long long)bytes);
			/* Segmented within the bound, or dropped. */
			EXPECT_TRUE(skbs > 1 || rx_drops(self) > drops0)
				TH_LOG("%zu bytes, MSS %u: neither held nor dropped",
				       lens[l], mss);
			/* An skb held is an skb counted. */
			EXPECT_TRUE(skbs <= 1 || bytes > 0);
			segmented += skbs > 1;
			slab = slab_active("skbuff_head_cache");
			if (slab0 >= 0 && slab >= 0)
				EXPECT_LE(slab - slab0, CDNA_RX_BACKLOG_MAX + 512)
					TH_LOG("skbuff_head_cache grew by %lld",
					       (long long)(slab - slab0));
		}
	}
	TH_LOG("%u frames sent, %u segmented within the bound", sent,
	       segmented);

	/* Without resets: frames pile up, the bound holds. */
	ASSERT_EQ(0, bringup(self, FEATURES));
	for (mss = 64; mss >= 8; mss -= 8) {
		drops0 = rx_drops(self);
		st = tso_send(self, 65535, mss);
		ASSERT_LE(0, st);
		if (st != CDNA_CPL_OK)
			continue;
		wait_rx_settled(self, drops0, &skbs, &bytes);
		ASSERT_EQ(0, rx_backlog(self, &skbs, &bytes));
		ASSERT_LE(skbs, CDNA_RX_BACKLOG_MAX);
		ASSERT_LE(bytes, limit);
	}
	/*
	 * An MSS any TX path takes: 122 segments a frame, ten frames pile
	 * up past CDNA_RX_BACKLOG; the bound holds and the excess is dropped.
	 */
	ASSERT_EQ(0, bringup(self, FEATURES));
	for (l = 0; l < 10; l++) {
		drops0 = rx_drops(self);
		ASSERT_EQ(CDNA_CPL_OK, tso_send(self, 65535, 536));
		wait_rx_settled(self, drops0, &skbs, &bytes);
		ASSERT_EQ(0, rx_backlog(self, &skbs, &bytes));
		ASSERT_LE(skbs, CDNA_RX_BACKLOG_MAX)
			TH_LOG("frame %u of MSS 536: %lld skbs held", l,
			       (long long)skbs);
		ASSERT_LE(bytes, limit);
	}
	EXPECT_LT(0, stat_of(self, "queue0_drop_no_rxbuf"));
	/* A normal MSS still gets through to a queue that has room. */
	ASSERT_EQ(0, bringup(self, FEATURES));
	drops0 = rx_drops(self);
	st = tso_send(self, 60000, 1448);
	ASSERT_EQ(CDNA_CPL_OK, st);
	wait_rx_settled(self, drops0, &skbs, &bytes);
	EXPECT_EQ((60000 - 54 + 1447) / 1448, skbs);
	EXPECT_EQ(drops0, rx_drops(self));
	EXPECT_LT(0, bytes);
}

TEST_HARNESS_MAIN
