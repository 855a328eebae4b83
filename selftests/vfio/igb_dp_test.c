// SPDX-License-Identifier: GPL-2.0
/*
 * igb_dp_test: the data path of a context on the igb SR-IOV backend,
 * driven by a userspace VFIO "guest" (cdna_vfio.[ch]) in the igb L1.
 * $CDNA_NIC is an igb PF attached with the igb backend, $CDNA_PEER the
 * other igb port on the same wire (selftests/tests/igb_dp.sh sets both).
 *
 * The NIC reads TX frames from and writes RX frames into the guest's own
 * pages (the host copies nothing), so the bytes checked here went through
 * the VF's DMA:
 * - frames the guest sends (one fragment, several, one crossing a page)
 *   reach the peer port byte for byte;
 * - frames the peer sends reach the guest's buffers byte for byte, and
 *   the NIC writes nothing after the frame nor around the buffer;
 * - TX and RX descriptors pointing outside the VM's DMA memory (wholly or
 *   in part), at read-only memory (RX), at a buffer smaller than the
 *   queue's hardware buffer size or crossing a page (RX), or asking for an
 *   offload the device does not offer (TX), are refused with an error
 *   completion and a counter before the NIC sees them: nothing reaches the
 *   wire, and the canaries around the VM's memory stay intact;
 * - the NIC steers by MAC and VLAN: frames for another context, and
 *   broadcasts on its VLAN, never reach this one's rings.
 *
 * With $CDNA_PROTECT set ("iommu" or "iommu strategy single-use", given
 * to `cdnactl ctx set UUID protect ...` before the context opens) the
 * context's VF sits in an IOMMU domain of its own that maps only the
 * VM's memory: an RX descriptor outside the VM is not refused but goes to
 * the NIC, whose DMA the IOMMU stops; the guest still gets the error
 * completion, the fault is counted (iommu_faults), and the canaries stay
 * intact.  A TX packet with a page outside the VM is refused as with the
 * check (the NIC would send it, with what it could not read).  A descriptor in the host window of the domain (its hardware
 * rings) is refused outright.
 */
#include <arpa/inet.h>
#include <sched.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>

#include "cdna_vfio.h"
#include "kselftest_harness.h"

#define F(bit)			(1ULL << (bit))
#define PAGE			4096UL
#define DMA_IOVA		0x100000ULL
#define DMA_SIZE		(4UL << 20)
#define GUARD			(64 * PAGE)	/* not mapped for DMA */
#define RO_IOVA			0x1000000ULL	/* device may read only */
#define RO_SIZE			0x10000UL
#define UNMAPPED_IOVA		0x40000000ULL
#define RING			256
#define RXQ			CDNA_QUEUE_RX(0)
#define TXQ			CDNA_QUEUE_TX(0)
/* RX slots: one page each, canary | 2048-byte buffer | canary. */
#define SLOT_BASE		(DMA_IOVA + 0x100000)
#define SLOT_PAD		1024
#define BUF_LEN			2048	/* the backend's default RX buffer */
#define NSLOT			64
#define TX_BASE			(DMA_IOVA + 0x200000)
#define CANARY			0xa5
#define UNTOUCHED		0xee
#define ETH_P_CDNA_TEST		0x88b5
#define WAIT_MS			3000
#define QUIET_MS		300
#define FEATURES		F(CDNA_F_VERSION_1)

FIXTURE(igb) {
	struct cdna_vfio v;
	char uuid[40];
	uint8_t *mem;			/* GUARD | DMA_SIZE | GUARD */
	void *ro;
	uint8_t mac[ETH_ALEN];
	uint8_t peer_mac[ETH_ALEN];
	int peer_ifindex;
	int raw;
	uint32_t prod[2];
	uint32_t cons[2];
	unsigned int tag;
};

/* ---- protection ------------------------------------------------------- */

/* The context runs with iommu protection ($CDNA_PROTECT). */
static bool iommu_mode(void)
{
	const char *p = getenv("CDNA_PROTECT");

	return p && !strncmp(p, "iommu", 5);
}

/* ---- memory --------------------------------------------------------- */

static void *at(FIXTURE_DATA(igb) *self, uint64_t iova)
{
	if (iova >= RO_IOVA && iova < RO_IOVA + RO_SIZE)
		return (char *)self->ro + (iova - RO_IOVA);
	return self->mem + GUARD + (iova - DMA_IOVA);
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

static struct cdna_queue_shm *shm(FIXTURE_DATA(igb) *self, unsigned int q)
{
	return at(self, shm_iova(q));
}

static uint64_t slot_buf(unsigned int i)
{
	return SLOT_BASE + (uint64_t)i * PAGE + SLOT_PAD;
}

static unsigned int guard_damage(FIXTURE_DATA(igb) *self)
{
	unsigned int bad = 0;
	size_t i;

	for (i = 0; i < GUARD; i++)
		bad += (self->mem[i] != CANARY) +
		       (self->mem[GUARD + DMA_SIZE + i] != CANARY);
	return bad;
}

/* Offset of the first damaged guard byte (the second guard follows the first). */
static ssize_t guard_first_damage(FIXTURE_DATA(igb) *self)
{
	size_t i;

	for (i = 0; i < GUARD; i++)
		if (self->mem[i] != CANARY)
			return i;
	for (i = 0; i < GUARD; i++)
		if (self->mem[GUARD + DMA_SIZE + i] != CANARY)
			return GUARD + i;
	return -1;
}

static void slots_fill(FIXTURE_DATA(igb) *self)
{
	unsigned int i;

	for (i = 0; i < NSLOT; i++) {
		uint8_t *p = at(self, slot_buf(i)) - SLOT_PAD;

		memset(p, CANARY, PAGE);
		memset(p + SLOT_PAD, UNTOUCHED, BUF_LEN);
	}
	memset(self->ro, UNTOUCHED, RO_SIZE);
}

static unsigned int slot_canary_damage(FIXTURE_DATA(igb) *self,
				       unsigned int i)
{
	const uint8_t *p = (const uint8_t *)at(self, slot_buf(i)) - SLOT_PAD;
	unsigned int bad = 0, j;

	for (j = 0; j < SLOT_PAD; j++)
		bad += (p[j] != CANARY) + (p[SLOT_PAD + BUF_LEN + j] != CANARY);
	return bad;
}

static bool untouched(const uint8_t *b, size_t off, size_t len)
{
	size_t i;

	for (i = off; i < len; i++)
		if (b[i] != UNTOUCHED)
			return false;
	return true;
}

static int64_t stat_of(FIXTURE_DATA(igb) *self, const char *name)
{
	int64_t val = -1;

	if (cdna_stat(self->v.nic, self->uuid, name, &val))
		return -1;
	return val;
}

/* A counter of the igb backend's datapath/stats of the context. */
static int64_t dp_stat(FIXTURE_DATA(igb) *self, const char *name)
{
	size_t len = strlen(name);
	char buf[8192], *line, *save;
	int64_t val = -1;

	if (cdna_debugfs_read(self->v.nic, self->uuid, "datapath/stats", buf,
			      sizeof(buf)))
		return -1;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		if (!strncmp(line, name, len) && line[len] == ' ')
			val = strtoll(line + len + 1, NULL, 0);
	return val;
}

/* DMAs the IOMMU stopped; the checked protection has no such counter. */
static int64_t faults_of(FIXTURE_DATA(igb) *self)
{
	int64_t n = stat_of(self, "iommu_faults");

	return n < 0 ? 0 : n;
}

/* ---- rings ------------------------------------------------------------ */

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void publish(FIXTURE_DATA(igb) *self, unsigned int q)
{
	__atomic_store_n(&shm(self, q)->drv.prod, htole32(self->prod[q]),
			 __ATOMIC_RELEASE);
	cdna_vfio_reg_write(&self->v, CDNA_REG_DOORBELL(q), 1);
}

static bool next_cpl(FIXTURE_DATA(igb) *self, unsigned int q,
		     struct cdna_cpl *cpl, unsigned int timeout_ms)
{
	struct cdna_cpl *ring = at(self, cpl_iova(q));
	unsigned int waited = 0;

	while (le32toh(__atomic_load_n(&shm(self, q)->dev.cons,
				       __ATOMIC_ACQUIRE)) == self->cons[q]) {
		if (waited >= timeout_ms)
			return false;
		sleep_ms(1);
		waited++;
	}
	memcpy(cpl, &ring[self->cons[q] & (RING - 1)], sizeof(*cpl));
	self->cons[q]++;
	return true;
}

static void tx_desc(FIXTURE_DATA(igb) *self, uint64_t addr, uint32_t len,
		    uint16_t flags)
{
	struct cdna_tx_desc *ring = at(self, desc_iova(TXQ));
	struct cdna_tx_desc d = {
		.addr = htole64(addr),
		.len = htole32(len),
		.flags = htole16(flags),
	};

	ring[self->prod[TXQ]++ & (RING - 1)] = d;
}

static void rx_post(FIXTURE_DATA(igb) *self, uint64_t addr, uint32_t len)
{
	struct cdna_rx_desc *ring = at(self, desc_iova(RXQ));
	struct cdna_rx_desc d = {
		.addr = htole64(addr),
		.len = htole32(len),
	};

	ring[self->prod[RXQ]++ & (RING - 1)] = d;
}

/* ---- frames ------------------------------------------------------------- */

/* A test frame from @src to @dst with a fresh tag; returns the tag. */
static unsigned int frame_fill(FIXTURE_DATA(igb) *self, uint8_t *f,
			       size_t len, const uint8_t *dst,
			       const uint8_t *src)
{
	unsigned int tag = ++self->tag, i;
	uint16_t type = htons(ETH_P_CDNA_TEST);

	memcpy(f, dst, ETH_ALEN);
	memcpy(f + ETH_ALEN, src, ETH_ALEN);
	memcpy(f + 12, &type, 2);
	for (i = 14; i < len; i++)
		f[i] = (uint8_t)(tag * 13 + i);
	memcpy(f + 14, &tag, sizeof(tag));
	return tag;
}

static bool peer_send(FIXTURE_DATA(igb) *self, uint8_t *frame, size_t len)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_ifindex = self->peer_ifindex,
		.sll_halen = ETH_ALEN,
	};

	frame_fill(self, frame, len, self->mac, self->peer_mac);
	memcpy(sll.sll_addr, self->mac, ETH_ALEN);
	return sendto(self->raw, frame, len, 0, (struct sockaddr *)&sll,
		      sizeof(sll)) == (ssize_t)len;
}

/*
 * Wait up to @ms for a test frame with tag @tag on the peer; its length,
 * or -1.  Other test frames (earlier tags) are skipped.
 */
static ssize_t peer_recv(FIXTURE_DATA(igb) *self, unsigned int tag,
			 uint8_t *buf, size_t size, unsigned int ms)
{
	struct timespec t0, t;
	unsigned int got;
	ssize_t n;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		n = recv(self->raw, buf, size, MSG_DONTWAIT);
		if (n >= 18) {
			memcpy(&got, buf + 14, sizeof(got));
			if (got == tag && !memcmp(buf + ETH_ALEN, self->mac,
						 ETH_ALEN))
				return n;
			continue;
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((t.tv_sec - t0.tv_sec) * 1000 +
		    (t.tv_nsec - t0.tv_nsec) / 1000000 >= ms)
			return -1;
		sleep_ms(1);
	}
}

/*
 * The peer sends a test frame to @dst, with an 802.1Q tag if @vid: the
 * frame (without the tag) is left in @frame; its length, or -1.
 */
static ssize_t peer_send_to(FIXTURE_DATA(igb) *self, uint8_t *frame,
			    size_t len, const uint8_t *dst, uint16_t vid)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_ifindex = self->peer_ifindex,
		.sll_halen = ETH_ALEN,
	};
	uint8_t wire[2048];
	size_t n = len;

	frame_fill(self, frame, len, dst, self->peer_mac);
	memcpy(wire, frame, 12);
	if (vid) {
		uint16_t tpid = htons(ETH_P_8021Q), tci = htons(vid);

		memcpy(wire + 12, &tpid, 2);
		memcpy(wire + 14, &tci, 2);
		memcpy(wire + 16, frame + 12, len - 12);
		n += 4;
	} else {
		memcpy(wire + 12, frame + 12, len - 12);
	}
	memcpy(sll.sll_addr, dst, ETH_ALEN);
	return sendto(self->raw, wire, n, 0, (struct sockaddr *)&sll,
		      sizeof(sll)) == (ssize_t)n ? (ssize_t)len : -1;
}

/* Did any frame from the context reach the peer within @ms? */
static bool peer_quiet(FIXTURE_DATA(igb) *self, unsigned int ms)
{
	uint8_t buf[2048];
	unsigned int i;
	ssize_t n;

	for (i = 0; i < ms; i++) {
		n = recv(self->raw, buf, sizeof(buf), MSG_DONTWAIT);
		if (n >= ETH_HLEN && !memcmp(buf + ETH_ALEN, self->mac,
					     ETH_ALEN))
			return false;
		if (n < 0)
			sleep_ms(1);
	}
	return true;
}

/* ---- setup ------------------------------------------------------------ */

static int peer_open(FIXTURE_DATA(igb) *self)
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

static int map_dma(FIXTURE_DATA(igb) *self, void *vaddr, uint64_t iova,
		   size_t size, uint32_t flags)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = flags,
		.vaddr = (uintptr_t)vaddr,
		.iova = iova,
		.size = size,
	};

	return ioctl(self->v.container, VFIO_IOMMU_MAP_DMA, &map) ? -errno : 0;
}

static void unmap_dma(FIXTURE_DATA(igb) *self, uint64_t iova, size_t size)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.iova = iova,
		.size = size,
	};

	ioctl(self->v.container, VFIO_IOMMU_UNMAP_DMA, &unmap);
}

static int bringup(FIXTURE_DATA(igb) *self)
{
	uint32_t st;
	int ret;

	ret = cdna_vfio_negotiate(&self->v, FEATURES);
	if (ret)
		return ret;
	if (cdna_vfio_queue_setup(&self->v, RXQ, desc_iova(RXQ), cpl_iova(RXQ),
				  shm_iova(RXQ), RING) != 1 ||
	    cdna_vfio_queue_setup(&self->v, TXQ, desc_iova(TXQ), cpl_iova(TXQ),
				  shm_iova(TXQ), RING) != 1)
		return -EIO;
	st = cdna_vfio_rd32(&self->v, CDNA_REG_STATUS);
	return cdna_vfio_reg_write(&self->v, CDNA_REG_STATUS,
				   st | CDNA_STATUS_DRIVER_OK);
}

FIXTURE_SETUP(igb)
{
	uint32_t lo, hi;
	char path[128];
	int ret;

	self->raw = -1;
	self->v.device = -1;
	snprintf(path, sizeof(path), "/sys/class/cdna/cdna-%s", cdna_test_nic());
	if (access(path, F_OK))
		SKIP(return, "no NIC %s attached (run through igb_dp.sh)",
		     cdna_test_nic());
	ASSERT_EQ(0, peer_open(self)) TH_LOG("raw socket on %s", cdna_test_peer());
	ret = cdna_mdev_create(cdna_test_nic(), 1, self->uuid, sizeof(self->uuid));
	ASSERT_EQ(0, ret) TH_LOG("creating an mdev: %s", strerror(-ret));
	if (iommu_mode()) {
		snprintf(path, sizeof(path), "ctx set %s protect %s", self->uuid,
			 getenv("CDNA_PROTECT"));
		ret = cdna_ctl(path);
		if (ret) {
			cdna_mdev_remove(self->uuid);
			self->uuid[0] = 0;
		}
		ASSERT_EQ(0, ret) TH_LOG("cdnactl %s failed", path);
	}
	ret = cdna_vfio_open(&self->v, cdna_test_nic(), self->uuid);
	if (ret) {
		/* No teardown after a failed setup: remove the mdev here. */
		cdna_mdev_remove(self->uuid);
		self->uuid[0] = 0;
	}
	ASSERT_EQ(0, ret) TH_LOG("opening a context: %s", strerror(-ret));

	self->mem = mmap(NULL, DMA_SIZE + 2 * GUARD, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->mem);
	memset(self->mem, CANARY, DMA_SIZE + 2 * GUARD);
	memset(self->mem + GUARD, 0, DMA_SIZE);
	ASSERT_EQ(0, map_dma(self, self->mem + GUARD, DMA_IOVA, DMA_SIZE,
			     VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE));
	self->ro = mmap(NULL, RO_SIZE, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->ro);
	ASSERT_EQ(0, map_dma(self, self->ro, RO_IOVA, RO_SIZE,
			     VFIO_DMA_MAP_FLAG_READ));
	ASSERT_EQ(0, cdna_vfio_msix_enable(&self->v));
	ASSERT_EQ(0, bringup(self));
	/* The VF is in the context's own domain exactly in iommu mode. */
	ASSERT_EQ(iommu_mode() ? 1 : -1, stat_of(self, "iommu_domain"));

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

static int write_file(const char *path, const char *val)
{
	FILE *f = fopen(path, "w");
	int ret;

	if (!f)
		return -1;
	ret = fputs(val, f) < 0 ? -1 : 0;
	if (fclose(f))
		ret = -1;
	return ret;
}

/* A module parameter of cdna.ko: read (@val NULL; -1 on error) or written. */
static long igb_param(const char *name, const char *val)
{
	char path[128], buf[32] = "";
	long cur = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/cdna/parameters/%s", name);
	if (val)
		return write_file(path, val);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fgets(buf, sizeof(buf), f))
		cur = strtol(buf, NULL, 0);
	fclose(f);
	return cur;
}

/* igb_poll_usecs as it was before poll_window changed it, or -1. */
static long poll_usecs_saved = -1;
/* The backend's workqueue's CPUs, as they were, or "". */
#define WQ_CPUMASK	"/sys/devices/virtual/workqueue/cdna_igb/cpumask"
static char wq_cpumask_saved[64];

FIXTURE_TEARDOWN(igb)
{
	if (self->v.device >= 0)
		cdna_vfio_close(&self->v);
	if (self->mem && self->mem != MAP_FAILED) {
		unsigned int bad = guard_damage(self);

		/*
		 * Not EXPECT_EQ(...) TH_LOG(...): after a failed ASSERT the
		 * harness still has its trigger set and would print the log
		 * line for intact guards too.
		 */
		if (bad)
			TH_LOG("%u bytes around the VM's DMA memory were written (first at guard byte %zd)",
			       bad, guard_first_damage(self));
		EXPECT_EQ(0, bad);
		munmap(self->mem, DMA_SIZE + 2 * GUARD);
	}
	if (self->ro && self->ro != MAP_FAILED)
		munmap(self->ro, RO_SIZE);
	if (self->uuid[0] && cdna_mdev_exists(self->uuid))
		EXPECT_EQ(0, cdna_mdev_remove(self->uuid));
	if (self->raw >= 0)
		close(self->raw);
	if (poll_usecs_saved >= 0) {
		char v[24];

		snprintf(v, sizeof(v), "%ld", poll_usecs_saved);
		EXPECT_EQ(0, igb_param("igb_poll_usecs", v));
		poll_usecs_saved = -1;
	}
	if (wq_cpumask_saved[0]) {
		EXPECT_EQ(0, write_file(WQ_CPUMASK, wq_cpumask_saved));
		wq_cpumask_saved[0] = 0;
	}
}

/* ---- TX --------------------------------------------------------------- */

/* Send a frame of @len bytes at @iova in @nfrag fragments to the peer. */
static void tx_check(struct __test_metadata *_metadata, FIXTURE_DATA(igb) *self,
		     uint64_t iova, size_t len, unsigned int nfrag)
{
	uint8_t *f = at(self, iova), got[2048];
	struct cdna_cpl cpl;
	size_t off = 0, chunk = len / nfrag;
	unsigned int tag, i;
	ssize_t n;

	tag = frame_fill(self, f, len, self->peer_mac, self->mac);
	for (i = 0; i < nfrag; i++) {
		size_t l = i == nfrag - 1 ? len - off : chunk;

		tx_desc(self, iova + off, l, i == nfrag - 1 ? CDNA_TXD_EOP : 0);
		off += l;
	}
	publish(self, TXQ);
	ASSERT_TRUE(next_cpl(self, TXQ, &cpl, WAIT_MS))
		TH_LOG("no TX completion for a %zu-byte frame", len);
	ASSERT_EQ(CDNA_CPL_OK, le16toh(cpl.status));
	ASSERT_EQ(nfrag, le16toh(cpl.ndesc));
	n = peer_recv(self, tag, got, sizeof(got), WAIT_MS);
	ASSERT_EQ((ssize_t)len, n) TH_LOG("the peer got no %zu-byte frame", len);
	ASSERT_EQ(0, memcmp(got, f, len)) TH_LOG("frame bytes differ");
}

/* Frames of one fragment, of several, and one that crosses a page. */
TEST_F(igb, tx_zero_copy)
{
	int64_t before = stat_of(self, "queue1_packets");

	tx_check(_metadata, self, TX_BASE, 60, 1);
	tx_check(_metadata, self, TX_BASE + PAGE, 1000, 1);
	tx_check(_metadata, self, TX_BASE + 3 * PAGE - 700, 1400, 1);
	tx_check(_metadata, self, TX_BASE + 5 * PAGE + 64, 1514, 3);
	EXPECT_EQ(before + 4, stat_of(self, "queue1_packets"));
}

/*
 * Descriptors outside the VM, and an offload the device lacks: refused
 * before the NIC sees them, in iommu mode too.
 */
TEST_F(igb, tx_refused)
{
	static const struct {
		uint64_t addr;
		uint32_t len;
		uint16_t flags;
		uint16_t status;
	} bad[] = {
		{ UNMAPPED_IOVA, 100, CDNA_TXD_EOP, CDNA_CPL_ERR_ADDR },
		{ DMA_IOVA - 64, 128, CDNA_TXD_EOP, CDNA_CPL_ERR_ADDR },
		{ DMA_IOVA + DMA_SIZE - 64, 128, CDNA_TXD_EOP, CDNA_CPL_ERR_ADDR },
		{ DMA_IOVA + DMA_SIZE + PAGE, 100, CDNA_TXD_EOP, CDNA_CPL_ERR_ADDR },
		{ TX_BASE, 100, CDNA_TXD_EOP | CDNA_TXD_CSUM, CDNA_CPL_ERR_FLAGS },
		{ TX_BASE, 9000, CDNA_TXD_EOP, CDNA_CPL_ERR_LEN },
	};
	int64_t addr0 = stat_of(self, "queue1_drop_bad_addr");
	int64_t faults0 = faults_of(self);
	struct cdna_cpl cpl;
	unsigned int i;

	frame_fill(self, at(self, TX_BASE), 100, self->peer_mac, self->mac);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		tx_desc(self, bad[i].addr, bad[i].len, bad[i].flags);
		publish(self, TXQ);
		ASSERT_TRUE(next_cpl(self, TXQ, &cpl, WAIT_MS))
			TH_LOG("no completion for bad descriptor %u", i);
		EXPECT_EQ(bad[i].status, le16toh(cpl.status))
			TH_LOG("descriptor %u", i);
		EXPECT_EQ(1, le16toh(cpl.ndesc));
	}
	EXPECT_TRUE(peer_quiet(self, QUIET_MS))
		TH_LOG("a refused frame reached the wire");
	EXPECT_EQ(addr0 + 4, stat_of(self, "queue1_drop_bad_addr"));
	/*
	 * iommu too: a TX page outside the domain is refused before the
	 * NIC, which would send the frame anyway with the bytes it could
	 * not read.
	 */
	EXPECT_EQ(faults0, faults_of(self)) TH_LOG("TX sent to a fault");
	/* The queue goes on. */
	tx_check(_metadata, self, TX_BASE + PAGE, 200, 1);
}

/* ---- RX --------------------------------------------------------------- */

static void rx_expect(struct __test_metadata *_metadata,
		      FIXTURE_DATA(igb) *self, unsigned int slot,
		      const uint8_t *frame, size_t len)
{
	const uint8_t *b = at(self, slot_buf(slot));
	struct cdna_cpl cpl;

	ASSERT_TRUE(next_cpl(self, RXQ, &cpl, WAIT_MS))
		TH_LOG("no RX completion for a %zu-byte frame", len);
	ASSERT_EQ(CDNA_CPL_OK, le16toh(cpl.status));
	ASSERT_EQ(1, le16toh(cpl.ndesc));
	ASSERT_EQ(len, le32toh(cpl.len));
	EXPECT_EQ(0, memcmp(b, frame, len)) TH_LOG("slot %u: frame bytes", slot);
	EXPECT_TRUE(untouched(b, len, BUF_LEN))
		TH_LOG("slot %u written past the frame", slot);
	EXPECT_EQ(0, slot_canary_damage(self, slot)) TH_LOG("slot %u", slot);
}

TEST_F(igb, rx_zero_copy)
{
	static const size_t sizes[] = { 60, 1000, 1514, 61, 1500 };
	uint8_t frame[2048];
	unsigned int i;

	for (i = 0; i < 16; i++)
		rx_post(self, slot_buf(i), BUF_LEN);
	publish(self, RXQ);
	sleep_ms(50);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		ASSERT_TRUE(peer_send(self, frame, sizes[i]));
		rx_expect(_metadata, self, i, frame, sizes[i]);
	}
	EXPECT_EQ(0, stat_of(self, "queue0_drop_bad_addr"));
}

/*
 * A guest page the NIC uses packet after packet is mapped for the VF once
 * while its pin stays cached: no DMA API map, unmap and IOTLB
 * invalidation per packet (checked mode; iommu mode maps guest pages in
 * the context's domain, never with the DMA API).
 */
TEST_F(igb, dma_map_cached)
{
	int64_t maps0 = dp_stat(self, "dma_maps_per_use");
	int64_t miss0 = dp_stat(self, "pin_misses");
	uint8_t frame[2048];
	unsigned int i, round;

	ASSERT_LE(0, maps0) TH_LOG("no dma_maps_per_use in datapath/stats");
	for (i = 0; i < 16; i++)
		tx_check(_metadata, self, TX_BASE + 7 * PAGE, 200, 1);
	/* Four buffers, posted again after each round, as a driver does. */
	for (round = 0; round < 4; round++) {
		for (i = 0; i < 4; i++)
			rx_post(self, slot_buf(i), BUF_LEN);
		publish(self, RXQ);
		sleep_ms(50);
		for (i = 0; i < 4; i++) {
			ASSERT_TRUE(peer_send(self, frame, 300));
			rx_expect(_metadata, self, i, frame, 300);
		}
	}
	EXPECT_EQ(maps0, dp_stat(self, "dma_maps_per_use"));
	/* One TX page and four RX pages: pinned once each. */
	if (!iommu_mode())
		EXPECT_GE(miss0 + 5, dp_stat(self, "pin_misses"));
}

/*
 * Buffers the NIC must never write: outside the VM (wholly, or its
 * guard), read-only, too small for the queue's hardware buffer size,
 * crossing a page.  Each completes with an error in ring order (the frame
 * that met it is dropped); the good buffer after them gets the next frame.
 */
TEST_F(igb, rx_refused)
{
	const struct {
		uint64_t addr;
		uint32_t len;
		uint16_t status;
	} bad[] = {
		{ UNMAPPED_IOVA, BUF_LEN, CDNA_CPL_ERR_ADDR },
		{ DMA_IOVA - PAGE + 1024, BUF_LEN, CDNA_CPL_ERR_ADDR },
		{ DMA_IOVA + DMA_SIZE + 1024, BUF_LEN, CDNA_CPL_ERR_ADDR },
		{ RO_IOVA + 1024, BUF_LEN, CDNA_CPL_ERR_ADDR },
		{ slot_buf(1), BUF_LEN / 2, CDNA_CPL_ERR_LEN },
		{ slot_buf(2) + 2048, BUF_LEN, CDNA_CPL_ERR_ADDR },
	};
	const unsigned int nbad = sizeof(bad) / sizeof(bad[0]);
	int64_t addr0 = stat_of(self, "queue0_drop_bad_addr");
	int64_t len0 = stat_of(self, "queue0_drop_bad_len");
	int64_t faults0 = faults_of(self);
	uint8_t frame[2048];
	struct cdna_cpl cpl;
	unsigned int i;

	for (i = 0; i < nbad; i++)
		rx_post(self, bad[i].addr, bad[i].len);
	rx_post(self, slot_buf(3), BUF_LEN);
	publish(self, RXQ);
	sleep_ms(50);
	for (i = 0; i < nbad; i++) {
		ASSERT_TRUE(peer_send(self, frame, 200 + i));
		ASSERT_TRUE(next_cpl(self, RXQ, &cpl, WAIT_MS))
			TH_LOG("no completion for bad buffer %u", i);
		EXPECT_EQ(bad[i].status, le16toh(cpl.status)) TH_LOG("buffer %u", i);
		EXPECT_EQ(1, le16toh(cpl.ndesc));
		EXPECT_EQ(0, le32toh(cpl.len));
	}
	ASSERT_TRUE(peer_send(self, frame, 300));
	rx_expect(_metadata, self, 3, frame, 300);
	/* Nothing written where the refused buffers pointed. */
	EXPECT_TRUE(untouched(self->ro, 0, RO_SIZE));
	EXPECT_TRUE(untouched(at(self, slot_buf(1)), 0, BUF_LEN));
	EXPECT_EQ(0, slot_canary_damage(self, 1));
	EXPECT_EQ(0, slot_canary_damage(self, 2));
	EXPECT_EQ(addr0 + 5, stat_of(self, "queue0_drop_bad_addr"));
	EXPECT_EQ(len0 + 1, stat_of(self, "queue0_drop_bad_len"));
	/* iommu: the four outside the VM or read-only reached the NIC. */
	EXPECT_EQ(faults0 + (iommu_mode() ? 4 : 0), faults_of(self))
		TH_LOG("DMAs the IOMMU stopped");
}

/*
 * CDNA_F_RX_BUF_SIZE: the device takes a driver's RX buffer size rounded
 * down to what SRRCTL can do, within its limits, and then fills each
 * buffer up to that size: a 1500-byte frame in 1 KiB buffers takes two.
 */
TEST_F(igb, rx_buf_size)
{
	const uint32_t reg = CDNA_REG_QUEUE(RXQ, CDNA_QREG_RX_BUF_SIZE);
	uint8_t frame[2048];
	struct cdna_cpl cpl;
	const uint8_t *b;
	uint32_t st;

	/* Without the feature the register says nothing. */
	EXPECT_EQ(0, cdna_vfio_rd32(&self->v, reg));
	ASSERT_EQ(0, cdna_vfio_negotiate(&self->v, FEATURES |
					 F(CDNA_F_RX_BUF_SIZE)));
	EXPECT_EQ(BUF_LEN, cdna_vfio_rd32(&self->v, reg));
	EXPECT_EQ(0, cdna_vfio_rd32(&self->v,
				    CDNA_REG_QUEUE(TXQ, CDNA_QREG_RX_BUF_SIZE)));
	cdna_vfio_reg_write(&self->v, reg, 3000);
	EXPECT_EQ(2048, cdna_vfio_rd32(&self->v, reg));
	cdna_vfio_reg_write(&self->v, reg, 100);
	EXPECT_EQ(1024, cdna_vfio_rd32(&self->v, reg));
	cdna_vfio_reg_write(&self->v, reg, 0);
	EXPECT_EQ(BUF_LEN, cdna_vfio_rd32(&self->v, reg));
	cdna_vfio_reg_write(&self->v, reg, 1024);
	ASSERT_EQ(1024, cdna_vfio_rd32(&self->v, reg));

	memset(self->prod, 0, sizeof(self->prod));
	memset(self->cons, 0, sizeof(self->cons));
	ASSERT_EQ(1, cdna_vfio_queue_setup(&self->v, RXQ, desc_iova(RXQ),
					   cpl_iova(RXQ), shm_iova(RXQ), RING));
	ASSERT_EQ(1, cdna_vfio_queue_setup(&self->v, TXQ, desc_iova(TXQ),
					   cpl_iova(TXQ), shm_iova(TXQ), RING));
	st = cdna_vfio_rd32(&self->v, CDNA_REG_STATUS);
	ASSERT_EQ(0, cdna_vfio_reg_write(&self->v, CDNA_REG_STATUS,
					 st | CDNA_STATUS_DRIVER_OK));
	/* Written while enabled: refused, the size stays. */
	cdna_vfio_reg_write(&self->v, reg, 2048);
	EXPECT_EQ(1024, cdna_vfio_rd32(&self->v, reg));

	rx_post(self, slot_buf(0), 1024);
	rx_post(self, slot_buf(1), 1024);
	publish(self, RXQ);
	sleep_ms(50);
	ASSERT_TRUE(peer_send(self, frame, 1500));
	ASSERT_TRUE(next_cpl(self, RXQ, &cpl, WAIT_MS));
	ASSERT_EQ(CDNA_CPL_OK, le16toh(cpl.status));
	ASSERT_EQ(2, le16toh(cpl.ndesc));
	ASSERT_EQ(1500, le32toh(cpl.len));
	b = at(self, slot_buf(0));
	EXPECT_EQ(0, memcmp(b, frame, 1024));
	EXPECT_TRUE(untouched(b, 1024, BUF_LEN)) TH_LOG("buffer 0 overrun");
	b = at(self, slot_buf(1));
	EXPECT_EQ(0, memcmp(b, frame + 1024, 1500 - 1024));
	EXPECT_TRUE(untouched(b, 1500 - 1024, BUF_LEN));
	EXPECT_EQ(0, slot_canary_damage(self, 0));
	EXPECT_EQ(0, slot_canary_damage(self, 1));
}

/*
 * The NIC steers by MAC and VLAN (VMDq pools): a frame for another context
 * (its MAC), and a broadcast on another context's VLAN, never reach this
 * context's rings; a broadcast on its own untagged network does.
 * igb_dp.sh creates that other context (CDNA_OTHER_MAC, CDNA_OTHER_VLAN).
 */
TEST_F(igb, steering)
{
	static const uint8_t bcast[ETH_ALEN] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff
	};
	const char *omac_s = getenv("CDNA_OTHER_MAC");
	const char *ovid_s = getenv("CDNA_OTHER_VLAN");
	uint8_t frame[2048], omac[ETH_ALEN];
	unsigned int m[ETH_ALEN], i;
	struct cdna_cpl cpl;
	uint16_t ovid;

	if (!omac_s || !ovid_s ||
	    sscanf(omac_s, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3],
		   &m[4], &m[5]) != ETH_ALEN)
		SKIP(return, "no other context (CDNA_OTHER_MAC, CDNA_OTHER_VLAN)");
	for (i = 0; i < ETH_ALEN; i++)
		omac[i] = m[i];
	ovid = atoi(ovid_s);
	for (i = 0; i < 4; i++)
		rx_post(self, slot_buf(i), BUF_LEN);
	publish(self, RXQ);
	sleep_ms(50);

	ASSERT_EQ(200, peer_send_to(self, frame, 200, omac, ovid));
	ASSERT_EQ(200, peer_send_to(self, frame, 200, omac, 0));
	ASSERT_EQ(200, peer_send_to(self, frame, 200, bcast, ovid));
	EXPECT_FALSE(next_cpl(self, RXQ, &cpl, QUIET_MS))
		TH_LOG("a frame for the other context reached this one (%u bytes)",
		       le32toh(cpl.len));

	ASSERT_EQ(300, peer_send_to(self, frame, 300, bcast, 0));
	rx_expect(_metadata, self, 0, frame, 300);
	ASSERT_TRUE(peer_send(self, frame, 400));
	rx_expect(_metadata, self, 1, frame, 400);
}

/* The VM unmaps memory holding posted RX buffers: the NIC lets go of them. */
TEST_F(igb, rx_dma_unmap)
{
	uint8_t frame[2048];
	struct cdna_cpl cpl;
	unsigned int i;

	ASSERT_EQ(0, map_dma(self, self->ro, RO_IOVA + RO_SIZE, RO_SIZE,
			     VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE));
	for (i = 0; i < 4; i++)
		rx_post(self, RO_IOVA + RO_SIZE + i * PAGE + 1024, BUF_LEN);
	rx_post(self, slot_buf(0), BUF_LEN);
	publish(self, RXQ);
	sleep_ms(50);
	unmap_dma(self, RO_IOVA + RO_SIZE, RO_SIZE);
	/*
	 * The unmap restarted the hardware queue empty; the engine reposts
	 * the guest's buffers after .dma_unmap returns.  A frame arriving
	 * before that finds no buffer and is dropped by the NIC, as on any
	 * NIC with an empty ring, so let the repost reach it first.
	 */
	sleep_ms(50);
	/* The buffers in the unmapped range are read again and refused. */
	for (i = 0; i < 4; i++) {
		ASSERT_TRUE(peer_send(self, frame, 100));
		ASSERT_TRUE(next_cpl(self, RXQ, &cpl, WAIT_MS));
		EXPECT_EQ(CDNA_CPL_ERR_ADDR, le16toh(cpl.status)) TH_LOG("buffer %u", i);
	}
	ASSERT_TRUE(peer_send(self, frame, 400));
	rx_expect(_metadata, self, 0, frame, 400);
	/* iommu: nothing is mapped there any more; each write faulted. */
	if (iommu_mode())
		EXPECT_LE(4, faults_of(self));
	EXPECT_TRUE(untouched(self->ro, 0, RO_SIZE));
}

/*
 * iommu mode: the top of the domain's aperture holds the NIC's own rings;
 * a descriptor there is refused before the NIC sees it (no fault).
 */
TEST_F(igb, iommu_window)
{
	int64_t win = stat_of(self, "iommu_window_first");
	int64_t addr0 = stat_of(self, "queue1_drop_bad_addr");
	int64_t faults0 = faults_of(self);
	struct cdna_cpl cpl;

	if (!iommu_mode())
		SKIP(return, "the context has no IOMMU domain (CDNA_PROTECT unset)");
	ASSERT_LT(0, win);
	tx_desc(self, (uint64_t)win, 100, CDNA_TXD_EOP);
	publish(self, TXQ);
	ASSERT_TRUE(next_cpl(self, TXQ, &cpl, WAIT_MS));
	EXPECT_EQ(CDNA_CPL_ERR_ADDR, le16toh(cpl.status));
	EXPECT_EQ(addr0 + 1, stat_of(self, "queue1_drop_bad_addr"));
	EXPECT_EQ(faults0, faults_of(self)) TH_LOG("refused, not sent");
	EXPECT_TRUE(peer_quiet(self, QUIET_MS));
	tx_check(_metadata, self, TX_BASE + PAGE, 200, 1);
}

/* Wait for the next TX completion without sleeping (the poll window). */
static bool spin_cpl(FIXTURE_DATA(igb) *self, struct cdna_cpl *cpl)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (le32toh(__atomic_load_n(&shm(self, TXQ)->dev.cons,
				       __ATOMIC_ACQUIRE)) == self->cons[TXQ]) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((t.tv_sec - t0.tv_sec) * 1000 +
		    (t.tv_nsec - t0.tv_nsec) / 1000000 > WAIT_MS)
			return false;
	}
	return next_cpl(self, TXQ, cpl, 0);
}

/* Is the guest asked to kick at its next publish (kick_event == prod)? */
static bool kick_wanted(FIXTURE_DATA(igb) *self)
{
	return le32toh(__atomic_load_n(&shm(self, TXQ)->dev.kick_event,
				       __ATOMIC_ACQUIRE)) == self->prod[TXQ];
}

/* Send a 100-byte frame with a doorbell and wait for it (no sleep). */
static void poll_kicked(struct __test_metadata *_metadata,
			FIXTURE_DATA(igb) *self, uint8_t *f, unsigned int *tag)
{
	struct cdna_cpl cpl;

	*tag = frame_fill(self, f, 100, self->peer_mac, self->mac);
	tx_desc(self, TX_BASE + 8 * PAGE, 100, CDNA_TXD_EOP);
	publish(self, TXQ);
	ASSERT_TRUE(spin_cpl(self, &cpl));
	ASSERT_EQ(CDNA_CPL_OK, le16toh(cpl.status));
}

/*
 * After work the pass keeps polling for igb_poll_usecs with kicks off: a
 * frame published then without a doorbell goes out, and the guest is
 * asked for a kick again only when the window has passed.  With polling
 * off, the pass asks for the kick at once.
 */
TEST_F(igb, poll_window)
{
	uint8_t *f = at(self, TX_BASE + 8 * PAGE), got[256];
	int64_t passes = dp_stat(self, "poll_passes");
	unsigned int tag, tag2, try;
	struct cdna_cpl cpl;
	cpu_set_t cpu0;
	FILE *mf;

	/*
	 * This process plays the guest's vCPU: on CPU 0, and the passes on
	 * CPU 1, so that the poll has a CPU of its own (on this process's,
	 * it would keep it from publishing until the window ends).
	 */
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		SKIP(return, "one CPU: the poll would share it with its producer");
	mf = fopen(WQ_CPUMASK, "r");
	ASSERT_NE(NULL, mf) TH_LOG("no %s", WQ_CPUMASK);
	if (!fgets(wq_cpumask_saved, sizeof(wq_cpumask_saved), mf))
		wq_cpumask_saved[0] = 0;
	fclose(mf);
	ASSERT_NE(0, wq_cpumask_saved[0]);
	ASSERT_EQ(0, write_file(WQ_CPUMASK, "2"));
	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(cpu0), &cpu0));

	poll_usecs_saved = igb_param("igb_poll_usecs", NULL);
	ASSERT_LE(0, poll_usecs_saved) TH_LOG("no igb_poll_usecs parameter");
	ASSERT_LE(0, passes) TH_LOG("no poll_passes in datapath/stats");
	/* 10 ms: far longer than this process needs to publish again. */
	ASSERT_EQ(0, igb_param("igb_poll_usecs", "10000"));

	/*
	 * A frame with a doorbell, then at once one without.  The second
	 * finds the window open unless this process lost the CPU for 10 ms
	 * in between (the kick is wanted again): then it rings, and tries
	 * again.
	 */
	for (try = 0; try < 3; try++) {
		poll_kicked(_metadata, self, f, &tag);
		if (!kick_wanted(self))
			break;
		TH_LOG("try %u: kick wanted at once (poll_passes %lld -> %lld; polls ended: window %lld, resched %lld)",
		       try, (long long)passes,
		       (long long)dp_stat(self, "poll_passes"),
		       (long long)dp_stat(self, "poll_end_window"),
		       (long long)dp_stat(self, "poll_end_resched"));
		ASSERT_EQ(100, peer_recv(self, tag, got, sizeof(got), WAIT_MS));
	}
	ASSERT_LT(try, 3) TH_LOG("the pass asked for a kick at once, 3 times");
	tag2 = frame_fill(self, f + 256, 120, self->peer_mac, self->mac);
	tx_desc(self, TX_BASE + 8 * PAGE + 256, 120, CDNA_TXD_EOP);
	__atomic_store_n(&shm(self, TXQ)->drv.prod, htole32(self->prod[TXQ]),
			 __ATOMIC_RELEASE);
	ASSERT_TRUE(spin_cpl(self, &cpl))
		TH_LOG("a frame published in the poll window was not sent");
	EXPECT_EQ(CDNA_CPL_OK, le16toh(cpl.status));
	EXPECT_EQ(100, peer_recv(self, tag, got, sizeof(got), WAIT_MS));
	EXPECT_EQ(120, peer_recv(self, tag2, got, sizeof(got), WAIT_MS));
	EXPECT_LT(passes, dp_stat(self, "poll_passes"));
	/* The window over, the next publish must kick. */
	sleep_ms(200);
	EXPECT_TRUE(kick_wanted(self));

	/* No polling: a kick is asked for as soon as the pass is done. */
	ASSERT_EQ(0, igb_param("igb_poll_usecs", "0"));
	passes = dp_stat(self, "poll_passes");
	poll_kicked(_metadata, self, f, &tag);
	sleep_ms(20);	/* the pass asks for the kick after it completes */
	EXPECT_TRUE(kick_wanted(self));
	EXPECT_EQ(100, peer_recv(self, tag, got, sizeof(got), WAIT_MS));
	EXPECT_EQ(passes, dp_stat(self, "poll_passes"));
}

TEST_HARNESS_MAIN
