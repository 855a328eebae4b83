// SPDX-License-Identifier: GPL-2.0
/*
 * dp_iso_test: one context must not stall another on the same NIC.
 *
 * Two one-queue-pair contexts on the uplink $CDNA_NIC (set up by
 * selftests/tests/dp_iso.sh), each opened through its own VFIO container
 * the way two QEMUs would.  The well-behaved one sends 1514-byte frames
 * from a few cached buffers as fast as the engine takes them; its TX rate
 * is measured alone, then while the hostile one, in a thread, does what
 * costs the shared engine thread most: 18-fragment 64 KiB frames over pages
 * never pinned before (every page a vfio_pin_pages() call), frames whose
 * checksum lies 60000 bytes in (a huge linear part before), and resets in
 * a loop (each one flushing its pin cache under its engine lock).  The
 * well-behaved context must keep at least half its rate, in one run.
 *
 * A VM that makes VFIO wait stalls only itself: the hostile context
 * unmaps a range of its DMA memory while open and maps it again over
 * userfaultfd-registered memory no page of which exists.  A frame posted
 * there must be copied through vfio_dma_rw() (the range was unmapped
 * once, so cdna pins nothing in it), whose copy faults and waits for
 * the VM's userfaultfd handler - as long as the VM likes.  The fault must
 * come from the context's own VFIO work, not from the engine thread that
 * every context shares: the good context keeps at least half its rate
 * while the fault is held, and the frame goes once it is resolved.
 *
 * Unit checks: a large frame with its checksum beyond the headers is
 * refused with ERR_OFFLOAD before any skb is allocated for it (debugfs
 * tx_skb_allocs), and the TX cost a queue is charged is visible (tx_cost).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <linux/if_ether.h>
#include <linux/userfaultfd.h>

#include "cdna_vfio.h"
#include "kselftest_harness.h"

#define F(bit)		(1ULL << (bit))
#define FEATURES	(F(CDNA_F_VERSION_1) | F(CDNA_F_CSUM) | \
			 F(CDNA_F_TSO4) | F(CDNA_F_TSO6))
#define GOOD_RING	256
#define HOST_RING	2048	/* a deep queue: a pass takes all it may */
#define RXQ		CDNA_QUEUE_RX(0)
#define TXQ		CDNA_QUEUE_TX(0)
#define RING_IOVA	0x100000ULL		/* rings: 2 queues x 128 KiB */
#define BUF_IOVA	0x200000ULL		/* data from here */
#define GOOD_SIZE	(4UL << 20)
#define GOOD_FRAME	1514
#define GOOD_NBUF	64			/* reused: stays pinned */
#define HOST_SIZE	(40UL << 20)
#define HOST_PAGES	((HOST_SIZE - (BUF_IOVA - RING_IOVA)) / 4096)
#define HOST_FRAG	3640			/* 18 of them: 65520 bytes */
#define FAR_LEN		65000
#define FAR_CSUM	60000
#define WAIT_MS		3000
#define STALL_IOVA	0x10000000ULL		/* beyond both contexts' memory */
#define STALL_SIZE	(64UL << 10)
#define ETH_P_CDNA_TEST	0x88b5

/* One context as a guest driver sees it. */
struct iso_ctx {
	struct cdna_vfio v;
	char uuid[40];
	struct cdna_vfio_dma dma;
	uint8_t mac[ETH_ALEN];
	uint32_t ring;		/* entries per ring */
	uint32_t prod;
	uint32_t cons;		/* completions read */
};

static unsigned int env_uint(const char *name, unsigned int def)
{
	const char *v = getenv(name);

	return v && *v ? (unsigned int)strtoul(v, NULL, 0) : def;
}

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void *at(struct iso_ctx *c, uint64_t iova)
{
	return (char *)c->dma.vaddr + (iova - c->dma.iova);
}

static uint64_t desc_iova(unsigned int q)
{
	return RING_IOVA + (uint64_t)q * 0x20000;
}

static uint64_t cpl_iova(unsigned int q)
{
	return desc_iova(q) + 0x10000;
}

static uint64_t shm_iova(unsigned int q)
{
	return desc_iova(q) + 0x1f000;
}

static struct cdna_queue_shm *shm(struct iso_ctx *c, unsigned int q)
{
	return at(c, shm_iova(q));
}

static uint32_t dev_cons(struct iso_ctx *c)
{
	return le32toh(__atomic_load_n(&shm(c, TXQ)->dev.cons,
				       __ATOMIC_ACQUIRE));
}

static struct cdna_cpl *cpl_at(struct iso_ctx *c, uint32_t i)
{
	return (struct cdna_cpl *)at(c, cpl_iova(TXQ)) + (i & (c->ring - 1));
}

/* A "name value" line of a debugfs stats file; -1 if absent. */
static int64_t file_stat(const char *path, const char *name)
{
	static char buf[16384];
	size_t len = strlen(name);
	char *line, *save;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		if (!strncmp(line, name, len) && line[len] == ' ')
			return strtoll(line + len + 1, NULL, 0);
	return -1;
}

/* The context's datapath counters (kmod/sw/sw.c). */
static int64_t dp_stat(struct iso_ctx *c, const char *name)
{
	char path[256];

	snprintf(path, sizeof(path),
		 "/sys/kernel/debug/cdna/%s/%s/datapath/stats", c->v.nic,
		 c->uuid);
	return file_stat(path, name);
}

static int64_t eng_stat(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "/sys/kernel/debug/cdna/%s/engine/stats",
		 cdna_test_nic());
	return file_stat(path, name);
}

/* The context's own counters (queue1_drop_bad_offload, ...). */
static int64_t ctx_stat(struct iso_ctx *c, const char *name)
{
	int64_t val = -1;

	if (cdna_stat(c->v.nic, c->uuid, name, &val))
		return -1;
	return val;
}

static void tx_post(struct iso_ctx *c, const struct cdna_tx_desc *d,
		    unsigned int n)
{
	struct cdna_tx_desc *ring = at(c, desc_iova(TXQ));
	unsigned int i;

	for (i = 0; i < n; i++)
		ring[(c->prod + i) & (c->ring - 1)] = d[i];
	c->prod += n;
	/* Descriptors before prod (the ABI's wmb). */
	__atomic_store_n(&shm(c, TXQ)->drv.prod, htole32(c->prod),
			 __ATOMIC_RELEASE);
	cdna_vfio_reg_write(&c->v, CDNA_REG_DOORBELL(TXQ), 1);
}

static struct cdna_tx_desc txd(uint64_t addr, uint32_t len, uint16_t flags)
{
	struct cdna_tx_desc d = {
		.addr = htole64(addr),
		.len = htole32(len),
		.flags = htole16(flags),
	};

	return d;
}

/* Descriptors the device has not completed yet. */
static uint32_t in_flight(struct iso_ctx *c)
{
	return c->prod - dev_cons(c);
}

/* Reset, negotiate, program both queues, DRIVER_OK. */
static int bringup(struct iso_ctx *c)
{
	uint32_t st;
	int ret;

	ret = cdna_vfio_negotiate(&c->v, FEATURES);
	if (ret)
		return ret;
	memset(at(c, RING_IOVA), 0, 2 * 0x20000);
	if (cdna_vfio_queue_setup(&c->v, RXQ, desc_iova(RXQ), cpl_iova(RXQ),
				  shm_iova(RXQ), c->ring) != 1 ||
	    cdna_vfio_queue_setup(&c->v, TXQ, desc_iova(TXQ), cpl_iova(TXQ),
				  shm_iova(TXQ), c->ring) != 1)
		return -EIO;
	c->prod = 0;
	c->cons = 0;
	st = cdna_vfio_rd32(&c->v, CDNA_REG_STATUS);
	return cdna_vfio_reg_write(&c->v, CDNA_REG_STATUS,
				   st | CDNA_STATUS_DRIVER_OK);
}

static int ctx_open(struct iso_ctx *c, size_t dma_size, uint32_t ring)
{
	uint32_t lo, hi;
	int ret;

	c->v.device = -1;
	c->ring = ring;
	ret = cdna_mdev_create(cdna_test_nic(), 1, c->uuid, sizeof(c->uuid));
	if (ret)
		return ret;
	ret = cdna_vfio_open(&c->v, cdna_test_nic(), c->uuid);
	if (ret)
		return ret;
	ret = cdna_vfio_dma_alloc(&c->v, &c->dma, RING_IOVA, dma_size);
	if (ret)
		return ret;
	ret = cdna_vfio_msix_enable(&c->v);
	if (!ret)
		ret = bringup(c);
	if (ret)
		return ret;
	lo = cdna_vfio_rd32(&c->v, CDNA_REG_MAC_LO);
	hi = cdna_vfio_rd32(&c->v, CDNA_REG_MAC_HI);
	c->mac[0] = lo;
	c->mac[1] = lo >> 8;
	c->mac[2] = lo >> 16;
	c->mac[3] = lo >> 24;
	c->mac[4] = hi;
	c->mac[5] = hi >> 8;
	return 0;
}

static void ctx_close(struct iso_ctx *c)
{
	if (c->dma.vaddr)
		cdna_vfio_dma_free(&c->v, &c->dma);
	if (c->v.device >= 0)
		cdna_vfio_close(&c->v);
	if (c->uuid[0] && cdna_mdev_exists(c->uuid))
		cdna_mdev_remove(c->uuid);
}

/* Good frames: to a unicast MAC nobody has (the peer drops them). */
static void good_fill(struct iso_ctx *c)
{
	static const uint8_t dst[ETH_ALEN] = { 0x02, 0xcd, 0, 0, 0, 0x99 };
	uint16_t type = htons(ETH_P_CDNA_TEST);
	unsigned int i;

	for (i = 0; i < GOOD_NBUF; i++) {
		uint8_t *f = at(c, BUF_IOVA + (uint64_t)i * 2048);

		memcpy(f, dst, ETH_ALEN);
		memcpy(f + ETH_ALEN, c->mac, ETH_ALEN);
		memcpy(f + 12, &type, 2);
		memset(f + 14, (int)i, GOOD_FRAME - 14);
	}
}

/* The good context's TX completions per second over @ms; -1 on errors. */
static double good_rate(struct iso_ctx *c, unsigned int ms, uint64_t *bad)
{
	uint64_t t0 = now_us(), t, deadline = t0 + (uint64_t)ms * 1000;
	uint32_t first = c->cons, done;
	struct cdna_tx_desc d[32];
	unsigned int i, n;

	do {
		n = 0;
		while (n < 32 && in_flight(c) + n < c->ring - 1) {
			uint32_t slot = c->prod + n;

			d[n++] = txd(BUF_IOVA + (uint64_t)(slot % GOOD_NBUF) *
				     2048, GOOD_FRAME, CDNA_TXD_EOP);
		}
		if (n)
			tx_post(c, d, n);
		else
			usleep(100);
		t = now_us();
	} while (t < deadline);
	/* What completed within the window counts. */
	done = dev_cons(c);
	for (; c->cons != done; c->cons++)
		if (le16toh(cpl_at(c, c->cons)->status) != CDNA_CPL_OK)
			(*bad)++;
	/* Let the rest complete before the next phase. */
	for (i = 0; i < WAIT_MS && in_flight(c); i++)
		usleep(1000);
	done = dev_cons(c);
	for (; c->cons != done; c->cons++)
		if (le16toh(cpl_at(c, c->cons)->status) != CDNA_CPL_OK)
			(*bad)++;
	return (double)(done - first) * 1e6 / (double)(t - t0);
}

/* ---- the hostile context ------------------------------------------------ */

struct hostile {
	struct iso_ctx *c;
	volatile bool stop;
	unsigned int reset_ms;
	uint64_t next_page;
	uint64_t resets;
	uint64_t posted;
	int err;
};

/* A fresh page of the hostile context's memory, cycling. */
static uint64_t host_page(struct hostile *h)
{
	return BUF_IOVA + (h->next_page++ % HOST_PAGES) * 4096;
}

/* 18 fragments, each straddling two pages never used since the reset. */
static void host_many_frags(struct hostile *h)
{
	struct cdna_tx_desc d[CDNA_MAX_TX_FRAGS];
	unsigned int i;

	for (i = 0; i < CDNA_MAX_TX_FRAGS; i++) {
		uint64_t a = host_page(h) + 4096 - HOST_FRAG / 2;

		host_page(h);
		d[i] = txd(a, HOST_FRAG,
			   i == CDNA_MAX_TX_FRAGS - 1 ? CDNA_TXD_EOP : 0);
	}
	d[0].flags |= htole16(CDNA_TXD_CSUM | CDNA_TXD_GSO_TCPV4);
	d[0].csum_start = htole16(34);
	d[0].csum_offset = htole16(16);
	d[0].gso_size = htole16(1400);
	d[0].hdr_len = htole16(54);
	tx_post(h->c, d, CDNA_MAX_TX_FRAGS);
	h->posted++;
}

/* One 65000-byte fragment whose checksum is 60000 bytes in. */
static struct cdna_tx_desc far_csum(uint64_t addr)
{
	struct cdna_tx_desc d = txd(addr, FAR_LEN, CDNA_TXD_EOP |
				    CDNA_TXD_CSUM | CDNA_TXD_GSO_TCPV4);

	d.csum_start = htole16(FAR_CSUM);
	d.csum_offset = htole16(16);
	d.gso_size = htole16(1400);
	d.hdr_len = htole16(FAR_CSUM + 20);
	return d;
}

static void host_far_csum(struct hostile *h)
{
	struct cdna_tx_desc d = far_csum(host_page(h));

	/* It spans 16 more pages. */
	h->next_page += 15;
	tx_post(h->c, &d, 1);
	h->posted++;
}

static void *hostile_thread(void *arg)
{
	struct hostile *h = arg;
	uint64_t next_reset = now_us() + h->reset_ms * 1000;
	unsigned int k = 0;

	while (!h->stop) {
		if (in_flight(h->c) + CDNA_MAX_TX_FRAGS < h->c->ring) {
			if (k++ % 4 == 3)
				host_far_csum(h);
			else
				host_many_frags(h);
			continue;
		}
		if (now_us() >= next_reset) {
			/* Both kinds: VFIO_DEVICE_RESET, then STATUS = 0. */
			if (cdna_vfio_reset(&h->c->v) || bringup(h->c)) {
				h->err = -EIO;
				break;
			}
			h->resets++;
			h->next_page = 0;
			next_reset = now_us() + h->reset_ms * 1000;
			continue;
		}
		usleep(500);
	}
	return NULL;
}

/* ---- a VM that makes VFIO wait ----------------------------------------- */

static bool next_cpl(struct iso_ctx *c, struct cdna_cpl *cpl);

struct stall {
	struct iso_ctx *c;
	void *mem;		/* STALL_IOVA's memory now, userfaultfd's */
	int uffd;
	bool mapped;
};

static int dma_map(struct iso_ctx *c, uint64_t iova, void *p, size_t size)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)p,
		.iova = iova,
		.size = size,
	};

	return ioctl(c->v.container, VFIO_IOMMU_MAP_DMA, &map) ? -errno : 0;
}

static int dma_unmap(struct iso_ctx *c, uint64_t iova, size_t size)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.iova = iova,
		.size = size,
	};

	return ioctl(c->v.container, VFIO_IOMMU_UNMAP_DMA, &unmap) ? -errno : 0;
}

/* A frame from @c to a unicast MAC nobody has, at @p. */
static void stall_frame(struct iso_ctx *c, uint8_t *p)
{
	static const uint8_t dst[ETH_ALEN] = { 0x02, 0xcd, 0, 0, 0, 0x98 };
	uint16_t type = htons(ETH_P_CDNA_TEST);

	memcpy(p, dst, ETH_ALEN);
	memcpy(p + ETH_ALEN, c->mac, ETH_ALEN);
	memcpy(p + 12, &type, 2);
	memset(p + 14, 0x5a, GOOD_FRAME - 14);
}

/*
 * STALL_IOVA: mapped, used by a frame, unmapped while the context is open,
 * then mapped again over memory that userfaultfd serves.  0 or -errno;
 * a kernel without userfaultfd for kernel faults gives -ENOSYS/-EPERM.
 */
static int stall_setup(struct stall *st)
{
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	struct uffdio_api api = { .api = UFFD_API };
	struct cdna_tx_desc d;
	struct cdna_cpl cpl;
	void *first;
	int ret;

	first = mmap(NULL, STALL_SIZE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (first == MAP_FAILED)
		return -errno;
	ret = dma_map(st->c, STALL_IOVA, first, STALL_SIZE);
	if (ret)
		goto out_first;
	stall_frame(st->c, first);
	d = txd(STALL_IOVA, GOOD_FRAME, CDNA_TXD_EOP);
	tx_post(st->c, &d, 1);
	if (!next_cpl(st->c, &cpl) || le16toh(cpl.status) != CDNA_CPL_OK)
		ret = -EIO;
	/* Unmapped from an open context: cdna pins nothing there again. */
	if (dma_unmap(st->c, STALL_IOVA, STALL_SIZE) && !ret)
		ret = -errno;
	if (ret)
		goto out_first;

	/* Not UFFD_USER_MODE_ONLY: the kernel's own faults wait too. */
	st->uffd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (st->uffd < 0) {
		ret = -errno;
		goto out_first;
	}
	if (ioctl(st->uffd, UFFDIO_API, &api)) {
		ret = -errno;
		goto out_first;
	}
	st->mem = mmap(NULL, STALL_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (st->mem == MAP_FAILED) {
		st->mem = NULL;
		ret = -errno;
		goto out_first;
	}
	reg.range.start = (uintptr_t)st->mem;
	reg.range.len = STALL_SIZE;
	if (ioctl(st->uffd, UFFDIO_REGISTER, &reg)) {
		ret = -errno;
		goto out_first;
	}
	ret = dma_map(st->c, STALL_IOVA, st->mem, STALL_SIZE);
	st->mapped = !ret;
out_first:
	munmap(first, STALL_SIZE);
	return ret;
}

/* The address of the next fault userfaultfd reports; 0 on timeout. */
static uint64_t stall_fault(struct stall *st, int timeout_ms)
{
	struct pollfd pfd = { .fd = st->uffd, .events = POLLIN };
	struct uffd_msg msg;

	if (poll(&pfd, 1, timeout_ms) != 1 ||
	    read(st->uffd, &msg, sizeof(msg)) != sizeof(msg) ||
	    msg.event != UFFD_EVENT_PAGEFAULT)
		return 0;
	return msg.arg.pagefault.address;
}

/* Serve the page at @addr with a frame: the waiting copy goes on. */
static int stall_resolve(struct stall *st, uint64_t addr)
{
	static uint8_t page[4096] __attribute__((aligned(4096)));
	struct uffdio_copy copy = {
		.dst = addr & ~4095ULL,
		.src = (uintptr_t)page,
		.len = sizeof(page),
	};

	memset(page, 0, sizeof(page));
	if (copy.dst == (uintptr_t)st->mem)
		stall_frame(st->c, page);
	return ioctl(st->uffd, UFFDIO_COPY, &copy) ? -errno : 0;
}

static void stall_teardown(struct stall *st)
{
	if (st->uffd >= 0)
		close(st->uffd);
	st->uffd = -1;
	if (st->mapped)
		dma_unmap(st->c, STALL_IOVA, STALL_SIZE);
	st->mapped = false;
	if (st->mem)
		munmap(st->mem, STALL_SIZE);
	st->mem = NULL;
}

/* ---- tests ----------------------------------------------------------- */

FIXTURE(iso) {
	struct iso_ctx good;
	struct iso_ctx bad;
	struct stall st;
};

FIXTURE_SETUP(iso)
{
	char path[128];
	int ret;

	self->good.v.device = -1;
	self->bad.v.device = -1;
	self->st.c = &self->bad;
	self->st.uffd = -1;
	snprintf(path, sizeof(path), "/sys/class/cdna/cdna-%s", cdna_test_nic());
	if (access(path, F_OK))
		SKIP(return, "no NIC %s attached (run through dp_iso.sh)",
		     cdna_test_nic());
	ret = ctx_open(&self->good, GOOD_SIZE, GOOD_RING);
	ASSERT_EQ(0, ret) TH_LOG("good context: %s", strerror(-ret));
	ret = ctx_open(&self->bad, HOST_SIZE, HOST_RING);
	ASSERT_EQ(0, ret) TH_LOG("hostile context: %s", strerror(-ret));
	good_fill(&self->good);
}

FIXTURE_TEARDOWN(iso)
{
	/* First: a copy still waiting on the userfaultfd gets an error. */
	stall_teardown(&self->st);
	ctx_close(&self->bad);
	ctx_close(&self->good);
	/* Nothing of either VM stays pinned. */
	EXPECT_EQ(0, eng_stat("pins_total"));
}

/* Wait for the next completion of @c; false on timeout. */
static bool next_cpl(struct iso_ctx *c, struct cdna_cpl *cpl)
{
	unsigned int i;

	for (i = 0; i < WAIT_MS && dev_cons(c) == c->cons; i++)
		usleep(1000);
	if (dev_cons(c) == c->cons)
		return false;
	*cpl = *cpl_at(c, c->cons++);
	return true;
}

/*
 * A large frame whose checksum lies beyond its headers: refused before
 * anything is allocated for it.  The same frame with its checksum where
 * TCP's is gets an skb, and what it cost is charged to the queue.
 */
TEST_F(iso, far_csum_refused_unallocated)
{
	struct iso_ctx *c = &self->bad;
	int64_t allocs, offl, cost, deferrals;
	struct cdna_tx_desc d;
	struct cdna_cpl cpl;
	uint8_t *f;

	allocs = dp_stat(c, "tx_skb_allocs");
	cost = dp_stat(c, "tx_cost");
	offl = ctx_stat(c, "queue1_drop_bad_offload");
	ASSERT_LE(0, offl);

	/* An IPv4 frame from the context itself, to nobody. */
	f = at(c, BUF_IOVA);
	memset(f, 0x02, ETH_ALEN);
	memcpy(f + ETH_ALEN, c->mac, ETH_ALEN);
	f[12] = 0x08;
	f[13] = 0x00;
	f[14] = 0x45;

	d = far_csum(BUF_IOVA);
	tx_post(c, &d, 1);
	ASSERT_TRUE(next_cpl(c, &cpl));
	EXPECT_EQ(CDNA_CPL_ERR_OFFLOAD, le16toh(cpl.status));
	EXPECT_EQ(1, le16toh(cpl.ndesc));
	EXPECT_EQ(offl + 1, ctx_stat(c, "queue1_drop_bad_offload"));
	ASSERT_LE(0, allocs) TH_LOG("no tx_skb_allocs in datapath/stats");
	ASSERT_LE(0, cost) TH_LOG("no tx_cost in datapath/stats");
	EXPECT_EQ(allocs, dp_stat(c, "tx_skb_allocs"));
	/* Charged as a refused packet: no bytes, no pins. */
	EXPECT_GT(cost + 4096, dp_stat(c, "tx_cost"));

	/*
	 * Checksum at 34: the frame is built (whatever becomes of it).  Its
	 * pages are not pinned yet, so the engine thread hands it to the
	 * context's VFIO work, dropping the skb it had begun: one more.
	 */
	d.csum_start = htole16(34);
	d.hdr_len = htole16(54);
	cost = dp_stat(c, "tx_cost");
	deferrals = dp_stat(c, "vfio_deferrals");
	ASSERT_LE(0, deferrals) TH_LOG("no vfio_deferrals in datapath/stats");
	tx_post(c, &d, 1);
	ASSERT_TRUE(next_cpl(c, &cpl));
	deferrals = dp_stat(c, "vfio_deferrals") - deferrals;
	EXPECT_LE(1, deferrals);
	EXPECT_EQ(allocs + 1 + deferrals, dp_stat(c, "tx_skb_allocs"));
	EXPECT_LE(cost + FAR_LEN, dp_stat(c, "tx_cost"));
}

/*
 * The isolation proper.  CDNA_ISO_MS sets each measuring window
 * (default 3000 ms), CDNA_ISO_RESET_MS the hostile context's reset period
 * (default 5 ms).
 */
TEST_F_TIMEOUT(iso, hostile_neighbour_keeps_half, 180)
{
	unsigned int ms = env_uint("CDNA_ISO_MS", 3000);
	struct hostile h = {
		.c = &self->bad,
		.reset_ms = env_uint("CDNA_ISO_RESET_MS", 5),
	};
	int64_t skips0, allocs0, debt0;
	uint64_t bad = 0, hposted;
	double alone, shared;
	pthread_t t;

	good_rate(&self->good, 300, &bad);	/* warm the pin cache */
	alone = good_rate(&self->good, ms, &bad);
	ASSERT_LT(0, alone);

	skips0 = eng_stat("busy_skips");
	allocs0 = dp_stat(&self->bad, "tx_skb_allocs");
	debt0 = dp_stat(&self->bad, "tx_debt_passes");
	ASSERT_EQ(0, pthread_create(&t, NULL, hostile_thread, &h));
	usleep(300 * 1000);
	hposted = h.posted;
	shared = good_rate(&self->good, ms, &bad);
	hposted = h.posted - hposted;
	h.stop = true;
	pthread_join(t, NULL);

	TH_LOG("good alone %.0f frames/s, beside the hostile one %.0f frames/s (%.0f%%)",
	       alone, shared, 100.0 * shared / alone);
	TH_LOG("hostile: %llu resets, %llu packets posted in the window, %lld skbs, %lld debt passes; engine busy_skips %lld",
	       (unsigned long long)h.resets, (unsigned long long)hposted,
	       (long long)(dp_stat(&self->bad, "tx_skb_allocs") - allocs0),
	       (long long)(dp_stat(&self->bad, "tx_debt_passes") - debt0),
	       (long long)(eng_stat("busy_skips") - skips0));
	TH_LOG("hostile pins: misses %lld, evictions %lld",
	       (long long)dp_stat(&self->bad, "pin_misses"),
	       (long long)dp_stat(&self->bad, "pin_evictions"));

	EXPECT_EQ(0, h.err);
	EXPECT_EQ(0, bad) TH_LOG("good frames completed with an error");
	/* The hostile context really was busy. */
	EXPECT_LE(3, h.resets);
	EXPECT_LE(20, hposted);
	EXPECT_LE(0.5 * alone, shared);
}

/*
 * The hostile context's copy waits on its VM's userfaultfd for as long as
 * the VM likes (CDNA_ISO_MS, default 3000 ms, here); the good one keeps
 * half its rate meanwhile.
 */
TEST_F_TIMEOUT(iso, vfio_stall_stalls_only_its_context, 120)
{
	unsigned int ms = env_uint("CDNA_ISO_MS", 3000);
	struct stall *st = &self->st;
	int64_t deferrals0, skips0;
	uint64_t bad = 0, addr;
	double alone, stalled;
	struct cdna_tx_desc d;
	struct cdna_cpl cpl;
	int ret;

	good_rate(&self->good, 300, &bad);	/* warm the pin cache */
	alone = good_rate(&self->good, ms, &bad);
	ASSERT_LT(0, alone);

	ret = stall_setup(st);
	if (ret == -ENOSYS || ret == -EPERM)
		SKIP(return, "no userfaultfd for kernel faults here: %s",
		     strerror(-ret));
	ASSERT_EQ(0, ret) TH_LOG("stall setup: %s", strerror(-ret));
	deferrals0 = dp_stat(&self->bad, "vfio_deferrals");
	skips0 = eng_stat("vfio_skips");

	d = txd(STALL_IOVA, GOOD_FRAME, CDNA_TXD_EOP);
	tx_post(&self->bad, &d, 1);
	addr = stall_fault(st, WAIT_MS);
	EXPECT_EQ((uintptr_t)st->mem, addr)
		TH_LOG("the frame's copy did not fault on the VM's memory");
	if (addr) {
		stalled = good_rate(&self->good, ms, &bad);
		TH_LOG("good alone %.0f frames/s, while the hostile one's copy waits %.0f frames/s (%.0f%%)",
		       alone, stalled, 100.0 * stalled / alone);
		EXPECT_LE(0.5 * alone, stalled);
		/* Still waiting: nothing completed the frame meanwhile. */
		EXPECT_EQ(self->bad.cons, dev_cons(&self->bad));
		EXPECT_EQ(0, stall_resolve(st, addr));
		EXPECT_TRUE(next_cpl(&self->bad, &cpl));
		EXPECT_EQ(CDNA_CPL_OK, le16toh(cpl.status));
	}
	/* The context's VFIO work made the copy; the thread left it. */
	ASSERT_LE(0, deferrals0) TH_LOG("no vfio_deferrals in datapath/stats");
	ASSERT_LE(0, skips0) TH_LOG("no vfio_skips in engine/stats");
	EXPECT_LT(deferrals0, dp_stat(&self->bad, "vfio_deferrals"));
	EXPECT_LT(skips0, eng_stat("vfio_skips"));
	EXPECT_EQ(0, bad) TH_LOG("good frames completed with an error");
}

TEST_HARNESS_MAIN
