// SPDX-License-Identifier: GPL-2.0
/*
 * dp_tx_test: what a context may put on the uplink, driven by a userspace
 * VFIO "guest" and checked on the wire.
 *
 * Each test gets a fresh one-queue-pair context on the uplink $CDNA_NIC (a
 * veth whose peer is $CDNA_PEER, both in L1; set up by the wrapper
 * selftests/tests/dp_tx.sh), programs a TX ring in memory it mapped for DMA
 * and posts frames.  A packet socket on the peer (ETH_P_ALL, with the VLAN
 * tag the stack took off in PACKET_AUXDATA) sees every frame that leaves
 * the uplink.  Covered:
 *
 *  - VLAN tags: an untrusted context cannot send 802.1Q/802.1ad/QinQ frames
 *    (untagged context: nothing tagged leaves; VLAN context: nothing leaves
 *    with a tag inside its own), a trusted one can;
 *  - MTU: MAX_MTU and the frames the engine passes follow the uplink's MTU,
 *    also when it changes; a driver's MTU write takes effect at once, while
 *    the context runs;
 *  - GSO: the MSS has a floor, frames keep SKB_GSO_DODGY (the stack's own
 *    GSO check, tcp_gso_segment(), runs on them: seen through a kprobe);
 *  - a frame the uplink's qdisc drops completes as an error, counted.
 *
 * The tests change the uplink's and the peer's MTU and qdisc; the teardown
 * puts them back.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
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
#define RING			256
#define TXQ			CDNA_QUEUE_TX(0)
#define RXQ			CDNA_QUEUE_RX(0)
#define BUF_IOVA		(DMA_IOVA + 0x100000)	/* frames, 64 KiB each */
#define NBUF			16
#define BUF_SIZE		0x10000
#define ETH_P_CDNA_TEST		0x88b5		/* IEEE local experimental */
#define WAIT_MS			3000
#define QUIET_MS		300
#define IP_TCP_HLEN		40		/* IPv4 + TCP, no options */
#define FEATURES		(F(CDNA_F_VERSION_1) | F(CDNA_F_CSUM) | \
				 F(CDNA_F_TSO4) | F(CDNA_F_TSO6))

FIXTURE(tx) {
	struct cdna_vfio v;
	char uuid[40];
	struct cdna_vfio_dma dma;
	uint8_t mac[ETH_ALEN];
	uint8_t peer_mac[ETH_ALEN];
	int tap;
	uint32_t prod;
	uint32_t cons;
	unsigned int next_buf;
	unsigned int tag;
	int nic_mtu;		/* to restore, 0 if untouched */
	int peer_mtu;
	bool qdisc;		/* a root qdisc was installed on the uplink */
	bool kprobe;		/* the kprobe of tx_gso_keeps_dodgy exists */
};

/* One frame seen on the peer. */
struct seen {
	uint8_t data[65536];
	ssize_t len;
	bool tagged;		/* the stack took a VLAN tag off (auxdata) */
	uint16_t tci;
	uint16_t tpid;
};

/* ---- memory: TX ring at DMA_IOVA, RX ring (unused) at + 64 KiB -------- */

static void *at(FIXTURE_DATA(tx) *self, uint64_t iova)
{
	return (char *)self->dma.vaddr + (iova - self->dma.iova);
}

static uint64_t desc_iova(unsigned int q)
{
	return DMA_IOVA + (uint64_t)(q & 1) * 0x10000 * 4;
}

static uint64_t cpl_iova(unsigned int q)
{
	return desc_iova(q) + 0x10000;
}

static uint64_t shm_iova(unsigned int q)
{
	return desc_iova(q) + 0x20000;
}

static struct cdna_queue_shm *shm(FIXTURE_DATA(tx) *self, unsigned int q)
{
	return at(self, shm_iova(q));
}

static uint64_t buf_alloc(FIXTURE_DATA(tx) *self)
{
	uint64_t iova = BUF_IOVA + (uint64_t)(self->next_buf++ % NBUF) *
			BUF_SIZE;

	memset(at(self, iova), 0, BUF_SIZE);
	return iova;
}

static int64_t stat_of(FIXTURE_DATA(tx) *self, const char *name)
{
	int64_t val = -1;

	if (cdna_stat(self->v.nic, self->uuid, name, &val))
		return -1;
	return val;
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* ---- the TX ring ------------------------------------------------------- */

static uint32_t dev_cons(FIXTURE_DATA(tx) *self)
{
	return le32toh(__atomic_load_n(&shm(self, TXQ)->dev.cons,
				       __ATOMIC_ACQUIRE));
}

static bool next_cpl(FIXTURE_DATA(tx) *self, struct cdna_cpl *cpl)
{
	struct cdna_cpl *ring = at(self, cpl_iova(TXQ));
	unsigned int waited = 0;

	while (dev_cons(self) == self->cons) {
		if (waited++ >= WAIT_MS)
			return false;
		sleep_ms(1);
	}
	memcpy(cpl, &ring[self->cons & (RING - 1)], sizeof(*cpl));
	self->cons++;
	return true;
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

/* Post one packet of one descriptor; its completion status, or -1. */
static int tx_one(FIXTURE_DATA(tx) *self, struct cdna_tx_desc d)
{
	struct cdna_tx_desc *ring = at(self, desc_iova(TXQ));
	struct cdna_cpl cpl;

	ring[self->prod & (RING - 1)] = d;
	self->prod++;
	__atomic_store_n(&shm(self, TXQ)->drv.prod, htole32(self->prod),
			 __ATOMIC_RELEASE);
	cdna_vfio_reg_write(&self->v, CDNA_REG_DOORBELL(TXQ), 1);
	if (!next_cpl(self, &cpl))
		return -1;
	if (le16toh(cpl.ndesc) != 1)
		return -2;
	return le16toh(cpl.status);
}

/* ---- frames ------------------------------------------------------------ */

/*
 * An Ethernet frame of @len bytes from the context to the peer at @iova:
 * @ntags VLAN tags (@tpid, VID @vid; inner ones 802.1Q VID @vid + 1), then
 * ETH_P_CDNA_TEST and a tag number identifying the frame.
 */
static unsigned int test_frame(FIXTURE_DATA(tx) *self, uint64_t iova,
			       size_t len, unsigned int ntags, uint16_t tpid,
			       uint16_t vid)
{
	uint8_t *f = at(self, iova);
	unsigned int tag = ++self->tag, off = 12, i;

	memcpy(f, self->peer_mac, ETH_ALEN);
	memcpy(f + ETH_ALEN, self->mac, ETH_ALEN);
	for (i = 0; i < ntags; i++, off += 4) {
		uint16_t t = htons(i ? ETH_P_8021Q : tpid);
		uint16_t tci = htons(vid + i);

		memcpy(f + off, &t, 2);
		memcpy(f + off + 2, &tci, 2);
	}
	f[off] = ETH_P_CDNA_TEST >> 8;
	f[off + 1] = ETH_P_CDNA_TEST & 0xff;
	for (i = off + 2; i < len; i++)
		f[i] = (uint8_t)(tag * 7 + i);
	memcpy(f + off + 2, &tag, sizeof(tag));
	return tag;
}

/*
 * A TCPv4 frame with @payload bytes after the headers at @iova; the TCP
 * sequence number is the returned tag.  Checksums are left to the offload.
 */
static unsigned int tcp_frame(FIXTURE_DATA(tx) *self, uint64_t iova,
			      size_t payload)
{
	uint8_t *f = at(self, iova);
	unsigned int tag = ++self->tag;
	uint16_t tot = htons(IP_TCP_HLEN + payload);
	uint32_t seq = htonl(tag);
	size_t i;

	memcpy(f, self->peer_mac, ETH_ALEN);
	memcpy(f + ETH_ALEN, self->mac, ETH_ALEN);
	f[12] = 0x08;
	f[13] = 0x00;
	f[14] = 0x45;				/* IPv4, IHL 5 */
	memcpy(f + 16, &tot, 2);
	f[20] = 0x40;				/* DF */
	f[22] = 64;				/* TTL */
	f[23] = 6;				/* TCP */
	f[26] = 10; f[29] = 1;			/* 10.0.0.1 */
	f[30] = 10; f[33] = 2;			/* 10.0.0.2 */
	f[34] = 0x9c; f[35] = 0x40;		/* ports 40000 -> 5201 */
	f[36] = 0x14; f[37] = 0x51;
	memcpy(f + 38, &seq, 4);
	f[46] = 5 << 4;				/* doff 5 */
	f[47] = 0x18;				/* PSH ACK */
	f[48] = 0xff;				/* window */
	for (i = 0; i < payload; i++)
		f[ETH_HLEN + IP_TCP_HLEN + i] = (uint8_t)(tag + i);
	return tag;
}

/* The descriptor of a TCPv4 GSO frame of @payload bytes with MSS @mss. */
static struct cdna_tx_desc tso_desc(uint64_t iova, size_t payload,
				    uint16_t mss)
{
	struct cdna_tx_desc d = txd(iova, ETH_HLEN + IP_TCP_HLEN + payload,
				    CDNA_TXD_EOP | CDNA_TXD_CSUM |
				    CDNA_TXD_GSO_TCPV4);

	d.csum_start = htole16(ETH_HLEN + 20);
	d.csum_offset = htole16(16);
	d.gso_size = htole16(mss);
	d.hdr_len = htole16(ETH_HLEN + IP_TCP_HLEN);
	return d;
}

/* ---- the wire: every frame from the context that reaches the peer ----- */

static int tap_open(FIXTURE_DATA(tx) *self)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	struct ifreq ifr = {};
	int fd, one = 1;

	fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", cdna_test_peer());
	if (ioctl(fd, SIOCGIFHWADDR, &ifr))
		goto fail;
	memcpy(self->peer_mac, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
	if (ioctl(fd, SIOCGIFINDEX, &ifr))
		goto fail;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = ifr.ifr_ifindex;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) ||
	    setsockopt(fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof(one)))
		goto fail;
	self->tap = fd;
	return 0;
fail:
	close(fd);
	return -errno;
}

/* The next frame from the context within @timeout_ms; false if none. */
static bool tap_next(FIXTURE_DATA(tx) *self, struct seen *s, int timeout_ms)
{
	struct pollfd pfd = { .fd = self->tap, .events = POLLIN };
	char ctl[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
	struct sockaddr_ll from;
	struct iovec iov = { s->data, sizeof(s->data) };
	struct msghdr msg = {
		.msg_name = &from, .msg_namelen = sizeof(from),
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl, .msg_controllen = sizeof(ctl),
	};
	struct cmsghdr *c;

	while (poll(&pfd, 1, timeout_ms) > 0) {
		msg.msg_namelen = sizeof(from);
		msg.msg_controllen = sizeof(ctl);
		s->len = recvmsg(self->tap, &msg, 0);
		if (s->len < ETH_HLEN || from.sll_pkttype == PACKET_OUTGOING ||
		    memcmp(s->data + ETH_ALEN, self->mac, ETH_ALEN))
			continue;
		s->tagged = false;
		for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
			struct tpacket_auxdata aux;

			if (c->cmsg_level != SOL_PACKET ||
			    c->cmsg_type != PACKET_AUXDATA)
				continue;
			memcpy(&aux, CMSG_DATA(c), sizeof(aux));
			s->tagged = aux.tp_status & TP_STATUS_VLAN_VALID;
			s->tci = aux.tp_vlan_tci;
			s->tpid = aux.tp_status & TP_STATUS_VLAN_TPID_VALID ?
				  aux.tp_vlan_tpid : ETH_P_8021Q;
		}
		return true;
	}
	return false;
}

static bool is_tag_type(const uint8_t *p)
{
	uint16_t t = p[0] << 8 | p[1];

	return t == ETH_P_8021Q || t == ETH_P_8021AD || t == 0x9100 ||
	       t == 0x9200 || t == 0x9300;
}

/* The tag number of a test_frame() as seen on the wire, or 0. */
static unsigned int seen_tag(const struct seen *s)
{
	unsigned int off = 12, tag;

	while (off + 4 <= (size_t)s->len && is_tag_type(s->data + off))
		off += 4;
	if (off + 6 > (size_t)s->len || s->data[off] != ETH_P_CDNA_TEST >> 8 ||
	    s->data[off + 1] != (ETH_P_CDNA_TEST & 0xff))
		return 0;
	memcpy(&tag, s->data + off + 2, sizeof(tag));
	return tag;
}

/* Wait for the test frame @tag on the wire. */
static bool tap_find(FIXTURE_DATA(tx) *self, struct seen *s, unsigned int tag)
{
	while (tap_next(self, s, WAIT_MS))
		if (seen_tag(s) == tag)
			return true;
	return false;
}

/* Frames from the context with a VLAN tag in their data (not the outer). */
static unsigned int tap_count_inner_tags(FIXTURE_DATA(tx) *self, bool outer)
{
	static struct seen s;
	unsigned int n = 0;

	while (tap_next(self, &s, QUIET_MS))
		if ((outer && s.tagged) || is_tag_type(s.data + 12))
			n++;
	return n;
}

static void tap_drain(FIXTURE_DATA(tx) *self)
{
	static struct seen s;

	while (tap_next(self, &s, 50))
		;
}

/* ---- host side: MTUs, qdisc, kprobe ----------------------------------- */

static int if_mtu(const char *ifname, int set)
{
	struct ifreq ifr = {};
	int fd, ret;

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_mtu = set;
	ret = ioctl(fd, set ? SIOCSIFMTU : SIOCGIFMTU, &ifr);
	if (ret)
		ret = -errno;
	close(fd);
	return ret ? ret : ifr.ifr_mtu;
}

/* Set the uplink's (and the peer's) MTU, remembering the old ones. */
static int set_mtus(FIXTURE_DATA(tx) *self, int nic, int peer)
{
	if (!self->nic_mtu)
		self->nic_mtu = if_mtu(cdna_test_nic(), 0);
	if (!self->peer_mtu)
		self->peer_mtu = if_mtu(cdna_test_peer(), 0);
	if (self->nic_mtu <= 0 || self->peer_mtu <= 0)
		return -EIO;
	if ((peer && if_mtu(cdna_test_peer(), peer) < 0) ||
	    if_mtu(cdna_test_nic(), nic) < 0)
		return -EIO;
	return 0;
}

/* Wait until a register reads @val (the host follows the uplink by work). */
static uint32_t wait_reg(FIXTURE_DATA(tx) *self, uint32_t reg, uint32_t val)
{
	unsigned int waited;
	uint32_t got = 0;

	for (waited = 0; waited < WAIT_MS; waited += 10) {
		got = cdna_vfio_rd32(&self->v, reg);
		if (got == val)
			break;
		sleep_ms(10);
	}
	return got;
}

static int sh(const char *fmt, const char *arg)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), fmt, arg);
	return system(cmd);
}

static const char *tracefs(void)
{
	if (!access("/sys/kernel/tracing/kprobe_events", W_OK))
		return "/sys/kernel/tracing";
	if (!access("/sys/kernel/debug/tracing/kprobe_events", W_OK))
		return "/sys/kernel/debug/tracing";
	return NULL;
}

static int write_file(const char *dir, const char *file, const char *val,
		      bool append)
{
	char path[256];
	int fd, ret = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY | (append ? O_APPEND : O_TRUNC));
	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* kprobe_profile names a probe by its event name, without the group. */
#define KPROBE_EVENT	"cdna_tx_tcp_gso"
#define KPROBE		"cdna_dp_tx/" KPROBE_EVENT

/* Hits of the kprobe on tcp_gso_segment(), or -1. */
static long kprobe_hits(void)
{
	char path[256], line[256];
	long hits = -1;
	FILE *f;

	if (!tracefs())
		return -1;
	snprintf(path, sizeof(path), "%s/kprobe_profile", tracefs());
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char name[128];
		long n;

		if (sscanf(line, "%127s %ld", name, &n) == 2 &&
		    !strcmp(name, KPROBE_EVENT))
			hits = n;
	}
	fclose(f);
	return hits;
}

static void kprobe_remove(void)
{
	const char *t = tracefs();

	if (!t)
		return;
	write_file(t, "events/" KPROBE "/enable", "0", false);
	write_file(t, "kprobe_events", "-:" KPROBE "\n", true);
}

static int kprobe_add(void)
{
	const char *t = tracefs();

	if (!t)
		return -ENOENT;
	kprobe_remove();
	if (write_file(t, "kprobe_events", "p:" KPROBE " tcp_gso_segment\n",
		       true) ||
	    write_file(t, "events/" KPROBE "/enable", "1", false))
		return -EIO;
	return 0;
}

/* ---- setup ------------------------------------------------------------ */

static int bringup(FIXTURE_DATA(tx) *self, uint64_t features)
{
	uint32_t st;
	int ret;

	ret = cdna_vfio_negotiate(&self->v, features);
	if (ret)
		return ret;
	memset(at(self, DMA_IOVA), 0, BUF_IOVA - DMA_IOVA);
	if (cdna_vfio_queue_setup(&self->v, RXQ, desc_iova(RXQ), cpl_iova(RXQ),
				  shm_iova(RXQ), RING) != 1 ||
	    cdna_vfio_queue_setup(&self->v, TXQ, desc_iova(TXQ), cpl_iova(TXQ),
				  shm_iova(TXQ), RING) != 1)
		return -EIO;
	self->prod = 0;
	self->cons = 0;
	st = cdna_vfio_rd32(&self->v, CDNA_REG_STATUS);
	return cdna_vfio_reg_write(&self->v, CDNA_REG_STATUS,
				   st | CDNA_STATUS_DRIVER_OK);
}

/* Open the context and bring it up; read its MAC. */
static int ctx_open(FIXTURE_DATA(tx) *self, uint64_t features)
{
	uint32_t lo, hi;
	int ret;

	ret = cdna_vfio_open(&self->v, cdna_test_nic(), self->uuid);
	if (ret)
		return ret;
	ret = cdna_vfio_dma_alloc(&self->v, &self->dma, DMA_IOVA, DMA_SIZE);
	if (!ret)
		ret = cdna_vfio_msix_enable(&self->v);
	if (!ret)
		ret = bringup(self, features);
	lo = cdna_vfio_rd32(&self->v, CDNA_REG_MAC_LO);
	hi = cdna_vfio_rd32(&self->v, CDNA_REG_MAC_HI);
	self->mac[0] = lo;
	self->mac[1] = lo >> 8;
	self->mac[2] = lo >> 16;
	self->mac[3] = lo >> 24;
	self->mac[4] = hi;
	self->mac[5] = hi >> 8;
	return ret;
}

static void ctx_close(FIXTURE_DATA(tx) *self)
{
	if (self->dma.vaddr)
		cdna_vfio_dma_free(&self->v, &self->dma);
	memset(&self->dma, 0, sizeof(self->dma));
	if (self->v.device >= 0)
		cdna_vfio_close(&self->v);
	self->v.device = -1;
}

FIXTURE_SETUP(tx)
{
	char path[128];
	int ret;

	self->tap = -1;
	self->v.device = -1;
	snprintf(path, sizeof(path), "/sys/class/cdna/cdna-%s", cdna_test_nic());
	if (access(path, F_OK))
		SKIP(return, "no NIC %s attached (run through dp_tx.sh)",
		     cdna_test_nic());
	ASSERT_EQ(0, tap_open(self)) TH_LOG("packet socket on %s", cdna_test_peer());
	ret = cdna_mdev_create(cdna_test_nic(), 1, self->uuid, sizeof(self->uuid));
	ASSERT_EQ(0, ret) TH_LOG("creating an mdev: %s", strerror(-ret));
	ret = ctx_open(self, FEATURES);
	ASSERT_EQ(0, ret) TH_LOG("opening %s: %s", self->uuid, strerror(-ret));
	tap_drain(self);
}

FIXTURE_TEARDOWN(tx)
{
	if (self->kprobe)
		kprobe_remove();
	if (self->qdisc)
		sh("tc qdisc del dev %s root 2>/dev/null", cdna_test_nic());
	if (self->nic_mtu > 0)
		if_mtu(cdna_test_nic(), self->nic_mtu);
	if (self->peer_mtu > 0)
		if_mtu(cdna_test_peer(), self->peer_mtu);
	ctx_close(self);
	if (self->uuid[0] && cdna_mdev_exists(self->uuid))
		EXPECT_EQ(0, cdna_mdev_remove(self->uuid));
	if (self->tap >= 0)
		close(self->tap);
}

/* ---- VLAN tags ---------------------------------------------------------- */

static const uint16_t tag_types[] = { ETH_P_8021Q, ETH_P_8021AD, 0x9100 };
#define NTYPES	(sizeof(tag_types) / sizeof(tag_types[0]))

/* An untagged, untrusted context: no tagged frame leaves; trusted, it may. */
TEST_F(tx, vlan_tag_untagged_ctx)
{
	static struct seen s;
	unsigned int i, tag;
	char cmd[128];
	int64_t before;
	uint64_t a;

	before = stat_of(self, "queue1_drop_vlan_tag");
	for (i = 0; i < NTYPES; i++) {
		a = buf_alloc(self);
		test_frame(self, a, 200, 1, tag_types[i], 7);
		EXPECT_EQ(CDNA_CPL_ERR_DROPPED, tx_one(self, txd(a, 200,
							CDNA_TXD_EOP)))
			TH_LOG("tag type 0x%04x", tag_types[i]);
	}
	/* Two tags, 802.1ad outside. */
	a = buf_alloc(self);
	test_frame(self, a, 200, 2, ETH_P_8021AD, 7);
	EXPECT_EQ(CDNA_CPL_ERR_DROPPED, tx_one(self, txd(a, 200, CDNA_TXD_EOP)));
	EXPECT_EQ(before + NTYPES + 1, stat_of(self, "queue1_drop_vlan_tag"));
	EXPECT_EQ(0, tap_count_inner_tags(self, true));

	/* The wire is watched: an untagged frame is seen, untagged. */
	a = buf_alloc(self);
	tag = test_frame(self, a, 200, 0, 0, 0);
	EXPECT_EQ(CDNA_CPL_OK, tx_one(self, txd(a, 200, CDNA_TXD_EOP)));
	ASSERT_TRUE(tap_find(self, &s, tag));
	EXPECT_FALSE(s.tagged);

	/* Trusted, the same tagged frame leaves, and the tap sees its tag. */
	snprintf(cmd, sizeof(cmd), "ctx set %s trust on", self->uuid);
	ASSERT_EQ(0, cdna_ctl(cmd));
	a = buf_alloc(self);
	tag = test_frame(self, a, 200, 1, ETH_P_8021Q, 7);
	EXPECT_EQ(CDNA_CPL_OK, tx_one(self, txd(a, 200, CDNA_TXD_EOP)));
	ASSERT_TRUE(tap_find(self, &s, tag));
	EXPECT_TRUE(s.tagged);
	EXPECT_EQ(7, s.tci & 0xfff);
	EXPECT_EQ(before + NTYPES + 1, stat_of(self, "queue1_drop_vlan_tag"));
}

/* A context on VLAN 5: its frames leave tagged 5, never with its own tag. */
TEST_F(tx, vlan_tag_vlan_ctx)
{
	static struct seen s;
	char cmd[128];
	unsigned int i, tag;
	uint64_t a;

	/* The VLAN changes only while no VM holds the context. */
	ctx_close(self);
	snprintf(cmd, sizeof(cmd), "ctx set %s vlan 5", self->uuid);
	ASSERT_EQ(0, cdna_ctl(cmd));
	ASSERT_EQ(0, ctx_open(self, FEATURES));
	tap_drain(self);

	a = buf_alloc(self);
	tag = test_frame(self, a, 200, 0, 0, 0);
	EXPECT_EQ(CDNA_CPL_OK, tx_one(self, txd(a, 200, CDNA_TXD_EOP)));
	ASSERT_TRUE(tap_find(self, &s, tag));
	EXPECT_TRUE(s.tagged);
	EXPECT_EQ(5, s.tci & 0xfff);
	EXPECT_FALSE(is_tag_type(s.data + 12));

	for (i = 0; i < NTYPES; i++) {
		a = buf_alloc(self);
		test_frame(self, a, 200, 1, tag_types[i], 7);
		EXPECT_EQ(CDNA_CPL_ERR_DROPPED, tx_one(self, txd(a, 200,
							CDNA_TXD_EOP)))
			TH_LOG("tag type 0x%04x", tag_types[i]);
	}
	EXPECT_EQ(NTYPES, stat_of(self, "queue1_drop_vlan_tag"));
	/* No QinQ: nothing with a tag inside the context's own. */
	EXPECT_EQ(0, tap_count_inner_tags(self, false));
}

/* ---- MTU ---------------------------------------------------------------- */

/* MAX_MTU and what the engine passes follow the uplink's MTU. */
TEST_F(tx, mtu_bounded_by_uplink)
{
	static struct seen s;
	unsigned int tag;
	int64_t len0, off0;
	uint64_t a;

	ASSERT_EQ(0, set_mtus(self, 1500, 1500));
	EXPECT_EQ(1500, wait_reg(self, CDNA_REG_MAX_MTU, 1500));
	/* A larger MTU than the uplink's is refused. */
	ASSERT_EQ(0, bringup(self, FEATURES | F(CDNA_F_MTU)));
	EXPECT_EQ(0, cdna_vfio_reg_write(&self->v, CDNA_REG_MTU, 9000));
	EXPECT_EQ(1500, cdna_vfio_rd32(&self->v, CDNA_REG_MTU));

	/* The uplink shrinks under a running context. */
	ASSERT_EQ(0, set_mtus(self, 1280, 0));
	EXPECT_EQ(1280, wait_reg(self, CDNA_REG_MAX_MTU, 1280));
	len0 = stat_of(self, "queue1_drop_bad_len");
	off0 = stat_of(self, "queue1_drop_bad_offload");
	a = buf_alloc(self);
	test_frame(self, a, 1280 + ETH_HLEN + 1, 0, 0, 0);
	EXPECT_EQ(CDNA_CPL_ERR_LEN, tx_one(self, txd(a, 1280 + ETH_HLEN + 1,
						     CDNA_TXD_EOP)));
	a = buf_alloc(self);
	tag = test_frame(self, a, 1280 + ETH_HLEN, 0, 0, 0);
	EXPECT_EQ(CDNA_CPL_OK, tx_one(self, txd(a, 1280 + ETH_HLEN,
						CDNA_TXD_EOP)));
	ASSERT_TRUE(tap_find(self, &s, tag));
	EXPECT_EQ(1280 + ETH_HLEN, s.len);
	/* Segments too: headers plus MSS within the uplink's MTU. */
	a = buf_alloc(self);
	tcp_frame(self, a, 4000);
	EXPECT_EQ(CDNA_CPL_ERR_OFFLOAD,
		  tx_one(self, tso_desc(a, 4000, 1280 - IP_TCP_HLEN + 1)));
	EXPECT_EQ(CDNA_CPL_OK,
		  tx_one(self, tso_desc(a, 4000, 1280 - IP_TCP_HLEN)));
	EXPECT_EQ(len0 + 1, stat_of(self, "queue1_drop_bad_len"));
	EXPECT_EQ(off0 + 1, stat_of(self, "queue1_drop_bad_offload"));

	/* It grows: so does MAX_MTU. */
	ASSERT_EQ(0, set_mtus(self, 9000, 9000));
	EXPECT_EQ(CDNA_MAX_MTU, wait_reg(self, CDNA_REG_MAX_MTU, CDNA_MAX_MTU));
	EXPECT_EQ(0, cdna_vfio_reg_write(&self->v, CDNA_REG_MTU, 9000));
	EXPECT_EQ(9000, cdna_vfio_rd32(&self->v, CDNA_REG_MTU));
}

/* A driver's MTU write takes effect while the context runs. */
TEST_F(tx, mtu_live_change)
{
	static struct seen s;
	unsigned int tag;
	uint64_t a;

	ASSERT_EQ(0, set_mtus(self, 9000, 9000));
	ASSERT_EQ(CDNA_MAX_MTU, wait_reg(self, CDNA_REG_MAX_MTU, CDNA_MAX_MTU));
	ASSERT_EQ(0, bringup(self, FEATURES | F(CDNA_F_MTU)));
	ASSERT_EQ(1500, cdna_vfio_rd32(&self->v, CDNA_REG_MTU));

	a = buf_alloc(self);
	tag = test_frame(self, a, 4000, 0, 0, 0);
	EXPECT_EQ(CDNA_CPL_ERR_LEN, tx_one(self, txd(a, 4000, CDNA_TXD_EOP)));
	a = buf_alloc(self);
	tcp_frame(self, a, 20000);
	EXPECT_EQ(CDNA_CPL_ERR_OFFLOAD, tx_one(self, tso_desc(a, 20000, 4000)));

	/* ip link set mtu 9000 in a running guest. */
	ASSERT_EQ(0, cdna_vfio_reg_write(&self->v, CDNA_REG_MTU, 9000));
	ASSERT_NE(0, cdna_vfio_rd32(&self->v, CDNA_REG_STATUS) &
		     CDNA_STATUS_DRIVER_OK);
	a = buf_alloc(self);
	tag = test_frame(self, a, 4000, 0, 0, 0);
	EXPECT_EQ(CDNA_CPL_OK, tx_one(self, txd(a, 4000, CDNA_TXD_EOP)));
	ASSERT_TRUE(tap_find(self, &s, tag));
	EXPECT_EQ(4000, s.len);
	EXPECT_EQ(0, memcmp(s.data, at(self, a), 4000));
	a = buf_alloc(self);
	tcp_frame(self, a, 20000);
	EXPECT_EQ(CDNA_CPL_OK, tx_one(self, tso_desc(a, 20000, 4000)));

	/* And back down. */
	ASSERT_EQ(0, cdna_vfio_reg_write(&self->v, CDNA_REG_MTU, 1500));
	a = buf_alloc(self);
	test_frame(self, a, 4000, 0, 0, 0);
	EXPECT_EQ(CDNA_CPL_ERR_LEN, tx_one(self, txd(a, 4000, CDNA_TXD_EOP)));
}

/* ---- GSO ---------------------------------------------------------------- */

/* The MSS has a floor; a one-segment GSO frame goes as a plain frame. */
TEST_F(tx, gso_mss_bounds)
{
	static struct seen s;
	unsigned int mss;
	int64_t off0;
	uint64_t a;

	off0 = stat_of(self, "queue1_drop_bad_offload");
	a = buf_alloc(self);
	tcp_frame(self, a, 3000);
	for (mss = 1; mss < CDNA_MIN_GSO_SIZE; mss++) {
		EXPECT_EQ(CDNA_CPL_ERR_OFFLOAD,
			  tx_one(self, tso_desc(a, 3000, mss)))
			TH_LOG("MSS %u", mss);
	}
	EXPECT_EQ(off0 + CDNA_MIN_GSO_SIZE - 1,
		  stat_of(self, "queue1_drop_bad_offload"));
	EXPECT_EQ(CDNA_CPL_OK,
		  tx_one(self, tso_desc(a, 3000, CDNA_MIN_GSO_SIZE)));

	/* Payload within one MSS. */
	tap_drain(self);
	a = buf_alloc(self);
	tcp_frame(self, a, 500);
	EXPECT_EQ(CDNA_CPL_OK, tx_one(self, tso_desc(a, 500, 1000)));
	ASSERT_TRUE(tap_next(self, &s, WAIT_MS));
	EXPECT_EQ(ETH_HLEN + IP_TCP_HLEN + 500, s.len);
}

/*
 * A guest's GSO frame keeps SKB_GSO_DODGY: a veth uplink (TSO, but no
 * NETIF_F_GSO_ROBUST) then runs the stack's GSO check, tcp_gso_segment(),
 * before it takes the frame whole.  Without DODGY it would not.
 */
TEST_F(tx, gso_keeps_dodgy)
{
	static struct seen s;
	long hits0, hits;
	uint32_t seq;
	uint64_t a;
	int ret;

	ret = kprobe_add();
	if (ret)
		SKIP(return, "no kprobe on tcp_gso_segment (%s)",
		     strerror(-ret));
	self->kprobe = true;
	hits0 = kprobe_hits();
	ASSERT_LE(0, hits0);

	a = buf_alloc(self);
	seq = tcp_frame(self, a, 3000);
	EXPECT_EQ(CDNA_CPL_OK, tx_one(self, tso_desc(a, 3000, 1000)));
	/* Whole on the peer (the peer's packet socket does not segment). */
	ASSERT_TRUE(tap_next(self, &s, WAIT_MS));
	EXPECT_EQ(ETH_HLEN + IP_TCP_HLEN + 3000, s.len);
	EXPECT_EQ(htonl(seq), *(uint32_t *)(s.data + 38));
	hits = kprobe_hits();
	EXPECT_LT(hits0, hits) TH_LOG("tcp_gso_segment() hits %ld -> %ld",
				      hits0, hits);
}

/* ---- the uplink's qdisc drops the frame -------------------------------- */

TEST_F(tx, uplink_drop_is_an_error)
{
	static struct seen s;
	int64_t drops0, packets0;
	unsigned int tag;
	uint64_t a;

	if (sh("tc qdisc replace dev %s root pfifo limit 0", cdna_test_nic()))
		SKIP(return, "tc cannot install a pfifo qdisc");
	self->qdisc = true;
	drops0 = stat_of(self, "queue1_drop_uplink_drop");
	packets0 = stat_of(self, "queue1_packets");
	a = buf_alloc(self);
	test_frame(self, a, 200, 0, 0, 0);
	EXPECT_EQ(CDNA_CPL_ERR_DROPPED, tx_one(self, txd(a, 200, CDNA_TXD_EOP)));
	EXPECT_EQ(drops0 + 1, stat_of(self, "queue1_drop_uplink_drop"));
	EXPECT_EQ(packets0, stat_of(self, "queue1_packets"));

	ASSERT_EQ(0, sh("tc qdisc del dev %s root", cdna_test_nic()));
	self->qdisc = false;
	a = buf_alloc(self);
	tag = test_frame(self, a, 200, 0, 0, 0);
	EXPECT_EQ(CDNA_CPL_OK, tx_one(self, txd(a, 200, CDNA_TXD_EOP)));
	EXPECT_TRUE(tap_find(self, &s, tag));
	EXPECT_EQ(packets0 + 1, stat_of(self, "queue1_packets"));
}

TEST_HARNESS_MAIN
