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
 *    destination stays usable;
 *  - version 2: the kick page (address and status) and each RX queue's
 *    RX buffer size move; with a KVM VM behind each end (a minimal one
 *    made here, its group added through the kvm-vfio device as QEMU does)
 *    the destination tracks the kick page in its own VM and a vCPU's
 *    store to it is a doorbell there; a kick page the destination cannot
 *    track leaves it usable with its status; a version 1 stream is still
 *    taken; a version 2 stream too short, or with an impossible kick page
 *    or RX buffer size, is refused.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/kvm.h>

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

/* The kick page in the VMs' RAM, and the RX buffer size the driver asks. */
#define KICK_GPA		0x1000ULL
#define VM_RAM			0x10000UL
#define RX_BUF			2048

struct end {
	struct cdna_vfio v;
	char uuid[40];
	char name[16];
};

/* A VM with one vCPU whose code stores to a kick page slot, then halts. */
struct vm {
	int kvm;
	int fd;
	int kvm_vfio;		/* its KVM_DEV_TYPE_VFIO device */
	int vcpu;
	struct kvm_run *run;
	size_t run_size;
	uint8_t *ram;		/* VM_RAM bytes at guest-physical 0 */
};

FIXTURE(mig) {
	struct end src;
	struct end dst;
	struct vm vm_src;
	struct vm vm_dst;
	void *mem;		/* the guest memory, at DMA_IOVA in both */
	uint32_t prod;
	uint64_t features;	/* what bringup() acks */
	uint64_t kick_gpa;	/* bringup() applies it if set */
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

/* Post one broadcast frame on the TX ring, no doorbell. */
static void tx_fill(FIXTURE_DATA(mig) *self)
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
}

/* Post one broadcast frame on the TX ring; ring @e's doorbell. */
static void tx_post(FIXTURE_DATA(mig) *self, struct end *e)
{
	tx_fill(self);
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

/* ---- a minimal KVM VM ----------------------------------------------- */

static void vm_destroy(struct vm *vm)
{
	if (vm->run)
		munmap(vm->run, vm->run_size);
	if (vm->ram)
		munmap(vm->ram, VM_RAM);
	if (vm->vcpu >= 0)
		close(vm->vcpu);
	if (vm->kvm_vfio >= 0)
		close(vm->kvm_vfio);
	if (vm->fd >= 0)
		close(vm->fd);
	if (vm->kvm >= 0)
		close(vm->kvm);
	memset(vm, 0, sizeof(*vm));
	vm->kvm = vm->fd = vm->kvm_vfio = vm->vcpu = -1;
}

/* 0, or -errno (-ENOENT: no /dev/kvm). */
static int vm_create(struct vm *vm)
{
	struct kvm_userspace_memory_region mr = {
		.slot = 0,
		.guest_phys_addr = 0,
		.memory_size = VM_RAM,
	};
	struct kvm_create_device cd = { .type = KVM_DEV_TYPE_VFIO };
	int ret, size;

	vm->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm < 0)
		return -errno;
	vm->fd = ioctl(vm->kvm, KVM_CREATE_VM, 0);
	if (vm->fd < 0)
		goto err;
	vm->ram = mmap(NULL, VM_RAM, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (vm->ram == MAP_FAILED) {
		vm->ram = NULL;
		goto err;
	}
	mr.userspace_addr = (uintptr_t)vm->ram;
	if (ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &mr))
		goto err;
	if (ioctl(vm->fd, KVM_CREATE_DEVICE, &cd))
		goto err;
	vm->kvm_vfio = cd.fd;
	vm->vcpu = ioctl(vm->fd, KVM_CREATE_VCPU, 0);
	if (vm->vcpu < 0)
		goto err;
	size = ioctl(vm->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size <= 0)
		goto err;
	vm->run_size = size;
	vm->run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       vm->vcpu, 0);
	if (vm->run == MAP_FAILED) {
		vm->run = NULL;
		goto err;
	}
	return 0;
err:
	ret = -errno;
	vm_destroy(vm);
	return ret ? ret : -EIO;
}

/*
 * The vCPU stores (one 32-bit MOV, as cdna_vf does) to queue @q's slot
 * of the kick page at KICK_GPA, in real mode, then halts.  0, or -errno,
 * or -EPROTO if it did not halt.
 */
static int vm_kick(struct vm *vm, unsigned int q)
{
	uint16_t slot = KICK_GPA + CDNA_KICK_PAGE_SLOT(q);
	const uint8_t code[] = {
		0x66, 0xb8, 0x01, 0x00, 0x00, 0x00,	/* mov eax, 1 */
		0x66, 0xa3, slot & 0xff, slot >> 8,	/* mov [slot], eax */
		0xf4,					/* hlt */
	};
	struct kvm_sregs sregs;
	struct kvm_regs regs = { .rip = 0, .rflags = 2 };

	memcpy(vm->ram, code, sizeof(code));
	if (ioctl(vm->vcpu, KVM_GET_SREGS, &sregs))
		return -errno;
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	sregs.ds.base = 0;
	sregs.ds.selector = 0;
	if (ioctl(vm->vcpu, KVM_SET_SREGS, &sregs) ||
	    ioctl(vm->vcpu, KVM_SET_REGS, &regs) ||
	    ioctl(vm->vcpu, KVM_RUN, 0))
		return -errno;
	return vm->run->exit_reason == KVM_EXIT_HLT ? 0 : -EPROTO;
}

static int end_open_kvm(FIXTURE_DATA(mig) *self, struct end *e, struct vm *vm)
{
	int ret;

	ret = cdna_vfio_open_kvm(&e->v, cdna_test_nic(), e->uuid,
				 vm ? vm->kvm_vfio : -1);
	if (!ret)
		ret = map_mem(self, e);
	if (!ret)
		ret = cdna_vfio_msix_enable(&e->v);
	return ret;
}

static int end_open(FIXTURE_DATA(mig) *self, struct end *e)
{
	return end_open_kvm(self, e, NULL);
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

	ret = cdna_vfio_negotiate(&e->v, self->features);
	if (ret)
		return ret;
	memset(self->mem, 0, BUF_IOVA - DMA_IOVA);
	self->prod = 0;
	if ((self->features & F(CDNA_F_RX_BUF_SIZE)) &&
	    cdna_vfio_reg_write(&e->v, CDNA_REG_QUEUE(RXQ, CDNA_QREG_RX_BUF_SIZE),
				RX_BUF))
		return -EIO;
	if (cdna_vfio_queue_setup(&e->v, RXQ, desc_iova(RXQ), cpl_iova(RXQ),
				  shm_iova(RXQ), RING) != 1 ||
	    cdna_vfio_queue_setup(&e->v, TXQ, desc_iova(TXQ), cpl_iova(TXQ),
				  shm_iova(TXQ), RING) != 1)
		return -EIO;
	ret = cdna_vfio_reg_write(&e->v, CDNA_REG_STATUS,
				  cdna_vfio_rd32(&e->v, CDNA_REG_STATUS) |
				  CDNA_STATUS_DRIVER_OK);
	if (ret || !self->kick_gpa)
		return ret;
	ret = cdna_vfio_reg_write(&e->v, CDNA_REG_KICK_PAGE_HI,
				  self->kick_gpa >> 32);
	return ret ? ret : cdna_vfio_reg_write(&e->v, CDNA_REG_KICK_PAGE_LO,
					       (uint32_t)self->kick_gpa);
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

#ifndef VFIO_DEVICE_FEATURE_MIG_DATA_SIZE	/* VFIO's uapi since 6.2 */
struct vfio_device_feature_mig_data_size {
	__aligned_u64 stop_copy_length;
};

#define VFIO_DEVICE_FEATURE_MIG_DATA_SIZE 9
#endif

/*
 * A MIG_DATA_SIZE request with @flags (GET, SET, PROBE) and @argsz bytes
 * in all: the size told, or -errno.
 */
static int64_t mig_data_size_req(struct end *e, uint32_t flags, size_t argsz)
{
	struct {
		struct vfio_device_feature f;
		struct vfio_device_feature_mig_data_size d;
	} b = {};

	b.f.argsz = argsz;
	b.f.flags = flags | VFIO_DEVICE_FEATURE_MIG_DATA_SIZE;
	if (ioctl(e->v.device, VFIO_DEVICE_FEATURE, &b))
		return -errno;
	return b.d.stop_copy_length;
}

/* What @e says STOP_COPY will write (QEMU's downtime estimate); or -errno. */
static int64_t mig_data_size(struct end *e)
{
	return mig_data_size_req(e, VFIO_DEVICE_FEATURE_GET,
				 sizeof(struct vfio_device_feature) +
				 sizeof(struct vfio_device_feature_mig_data_size));
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
	self->vm_src.kvm = self->vm_src.fd = -1;
	self->vm_src.kvm_vfio = self->vm_src.vcpu = -1;
	self->vm_dst = self->vm_src;
	self->features = FEATURES;
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
	/* The VMs hold the groups (kvm-vfio): gone before the contexts. */
	if (self->vm_src.kvm >= 0)
		vm_destroy(&self->vm_src);
	if (self->vm_dst.kvm >= 0)
		vm_destroy(&self->vm_dst);
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

/*
 * Malformed MIG_DATA_SIZE requests are refused, on 6.1 (where cdna answers
 * the feature) as on 6.12 (the VFIO core): SET, a short argsz; a PROBE of
 * GET succeeds and writes nothing.  A feature nobody knows is refused too.
 */
TEST_F(mig, data_size_bad_requests)
{
	const size_t full = sizeof(struct vfio_device_feature) +
			    sizeof(struct vfio_device_feature_mig_data_size);
	struct vfio_device_feature f = {};

	EXPECT_GT(mig_data_size(&self->src), 0);
	EXPECT_EQ(-EINVAL, mig_data_size_req(&self->src,
					     VFIO_DEVICE_FEATURE_SET, full));
	EXPECT_EQ(-EINVAL, mig_data_size_req(&self->src,
					     VFIO_DEVICE_FEATURE_GET,
					     full - 1));
	EXPECT_EQ(-EINVAL, mig_data_size_req(&self->src,
					     VFIO_DEVICE_FEATURE_GET,
					     sizeof(struct vfio_device_feature)));
	EXPECT_EQ(0, mig_data_size_req(&self->src, VFIO_DEVICE_FEATURE_PROBE |
				       VFIO_DEVICE_FEATURE_GET, full));
	EXPECT_EQ(-EINVAL, mig_data_size_req(&self->src,
					     VFIO_DEVICE_FEATURE_PROBE |
					     VFIO_DEVICE_FEATURE_SET, full));

	/* A feature number no kernel defines: 6.1 asks cdna, 6.12 does not. */
	f.argsz = sizeof(f);
	f.flags = VFIO_DEVICE_FEATURE_GET | 0x3ff;
	EXPECT_EQ(-1, ioctl(self->src.v.device, VFIO_DEVICE_FEATURE, &f));
	EXPECT_TRUE(errno == ENOTTY || errno == EINVAL)
		TH_LOG("unknown feature: %s", strerror(errno));
	EXPECT_EQ(VFIO_DEVICE_STATE_RUNNING, mig_get(&self->src));
}

TEST_F(mig, running_function_moves)
{
	static uint8_t buf[STREAM_MAX];
	struct cdna_mig_header *h = (void *)buf;
	int64_t pk_src = -1, pk_dst = -1, size;
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

	/*
	 * The size the VMM is told is the size it reads, on 6.1 too (where
	 * cdna answers it, not the VFIO core): without it QEMU assumes
	 * 100 MiB and a guest under load never migrates.
	 */
	size = mig_data_size(&self->src);
	len = mig_save(&self->src, buf, sizeof(buf));
	ASSERT_GT(len, (ssize_t)sizeof(*h)) TH_LOG("save: %s", strerror(-len));
	EXPECT_EQ(len, size) TH_LOG("MIG_DATA_SIZE said %lld (%s)",
				    (long long)size,
				    size < 0 ? strerror(-size) : "");
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

/* ---- version 2: the kick page and the RX buffer size ----------------- */

static struct cdna_mig_ctx *stream_ctx(uint8_t *buf)
{
	return (struct cdna_mig_ctx *)(buf + sizeof(struct cdna_mig_header));
}

/* Rewrite a current stream of @len bytes as version 1; its length. */
static size_t to_v1(uint8_t *buf, size_t len)
{
	static uint8_t v1[STREAM_MAX];
	struct cdna_mig_header *h = (void *)buf;
	unsigned int i, nq = le32toh(h->num_queues);
	size_t n = sizeof(*h);

	memcpy(v1, buf, n);
	memcpy(v1 + n, stream_ctx(buf), CDNA_MIG_CTX_LEN_V1);
	n += CDNA_MIG_CTX_LEN_V1;
	for (i = 0; i < nq; i++) {
		memcpy(v1 + n, stream_queue(buf, i), CDNA_MIG_QUEUE_LEN_V1);
		n += CDNA_MIG_QUEUE_LEN_V1;
	}
	if (n > len)
		return 0;
	memcpy(buf, v1, n);
	h = (void *)buf;
	h->version = htole16(1);
	h->total_len = htole32(n);
	reseal(buf, n);
	return n;
}

static int64_t stat_of(struct end *e, const char *name)
{
	int64_t v = -1;

	if (cdna_stat(cdna_test_nic(), e->uuid, name, &v))
		return -1;
	return v;
}

/*
 * Both ends reopened with a KVM VM each, as two QEMUs hold them; SKIP
 * without /dev/kvm.  0 or -errno.
 */
static int ends_with_kvm(FIXTURE_DATA(mig) *self)
{
	int ret;

	end_close(&self->src);
	end_close(&self->dst);
	ret = vm_create(&self->vm_src);
	if (!ret)
		ret = vm_create(&self->vm_dst);
	if (!ret)
		ret = end_open_kvm(self, &self->src, &self->vm_src);
	if (!ret)
		ret = end_open_kvm(self, &self->dst, &self->vm_dst);
	return ret;
}

TEST_F(mig, kick_page_and_rx_buf_move)
{
	static uint8_t buf[STREAM_MAX];
	struct cdna_mig_header *h = (void *)buf;
	const uint32_t rxb = CDNA_REG_QUEUE(RXQ, CDNA_QREG_RX_BUF_SIZE);
	uint32_t src_rxb;
	int64_t kp0, bar0;
	ssize_t len;
	int ret, werr;

	if (access("/dev/kvm", R_OK | W_OK))
		SKIP(return, "no /dev/kvm: the kick page needs a KVM VM");
	ret = ends_with_kvm(self);
	ASSERT_EQ(0, ret) TH_LOG("two VMs holding the ends: %s", strerror(-ret));
	self->features = FEATURES | F(CDNA_F_KICK_PAGE) | F(CDNA_F_RX_BUF_SIZE);
	self->kick_gpa = KICK_GPA;
	ASSERT_EQ(0, bringup(self, &self->src));
	ASSERT_EQ(CDNA_KICK_PAGE_ON,
		  cdna_vfio_rd32(&self->src.v, CDNA_REG_KICK_PAGE_STATUS))
		TH_LOG("the source VM's kick page is not tracked");
	src_rxb = cdna_vfio_rd32(&self->src.v, rxb);
	/* A doorbell through the source's kick page, from its vCPU. */
	tx_fill(self);
	ASSERT_EQ(0, vm_kick(&self->vm_src, TXQ));
	ASSERT_TRUE(wait_cons(self, 1, WAIT_MS));
	EXPECT_EQ(1, stat_of(&self->src, "queue1_kick_page_kicks"));

	len = mig_save(&self->src, buf, sizeof(buf));
	ASSERT_GT(len, (ssize_t)sizeof(*h)) TH_LOG("save: %s", strerror(-len));
	EXPECT_EQ(2, le16toh(h->version));
	EXPECT_EQ(KICK_GPA, le64toh(stream_ctx(buf)->kick_page));
	EXPECT_EQ(CDNA_KICK_PAGE_ON, le32toh(stream_ctx(buf)->kick_status));
	/* What the device took (0 on a backend with no fixed size). */
	EXPECT_EQ(src_rxb, le32toh(stream_queue(buf, RXQ)->rx_buf_size));
	ASSERT_EQ(0, mig_load(&self->dst, buf, len, &werr));
	EXPECT_EQ(0, werr);

	/* The guest reads the same registers on the destination. */
	EXPECT_EQ((uint32_t)KICK_GPA,
		  cdna_vfio_rd32(&self->dst.v, CDNA_REG_KICK_PAGE_LO));
	EXPECT_EQ(0, cdna_vfio_rd32(&self->dst.v, CDNA_REG_KICK_PAGE_HI));
	EXPECT_EQ(CDNA_KICK_PAGE_ON,
		  cdna_vfio_rd32(&self->dst.v, CDNA_REG_KICK_PAGE_STATUS))
		TH_LOG("the destination does not track the kick page");
	EXPECT_EQ(src_rxb, cdna_vfio_rd32(&self->dst.v, rxb));
	ASSERT_EQ(0, mig_set(&self->dst, VFIO_DEVICE_STATE_RUNNING, NULL));

	/* A store by the destination VM's vCPU is a doorbell there. */
	kp0 = stat_of(&self->dst, "queue1_kick_page_kicks");
	bar0 = stat_of(&self->dst, "queue1_kicks");
	tx_fill(self);
	ASSERT_EQ(0, vm_kick(&self->vm_dst, TXQ));
	EXPECT_TRUE(wait_cons(self, 2, WAIT_MS));
	EXPECT_EQ(kp0 + 1, stat_of(&self->dst, "queue1_kick_page_kicks"))
		TH_LOG("the vCPU's store was no doorbell on the destination");
	EXPECT_EQ(bar0, stat_of(&self->dst, "queue1_kicks"));
}

/*
 * A kick page the destination cannot track (here: no KVM behind it)
 * leaves it usable: the guest reads the status, the BAR doorbells work.
 */
TEST_F(mig, kick_page_untracked_here)
{
	static uint8_t buf[STREAM_MAX];
	ssize_t len;
	int werr;

	self->features = FEATURES | F(CDNA_F_KICK_PAGE);
	self->kick_gpa = KICK_GPA;
	ASSERT_EQ(0, bringup(self, &self->src));
	tx_post(self, &self->src);
	ASSERT_TRUE(wait_cons(self, 1, WAIT_MS));
	len = mig_save(&self->src, buf, sizeof(buf));
	ASSERT_GT(len, 0);
	end_close(&self->src);
	/* As a source with KVM saves it. */
	stream_ctx(buf)->kick_status = htole32(CDNA_KICK_PAGE_ON);
	reseal(buf, len);
	ASSERT_EQ(0, mig_load(&self->dst, buf, len, &werr));
	EXPECT_EQ(0, werr);
	EXPECT_EQ((uint32_t)KICK_GPA,
		  cdna_vfio_rd32(&self->dst.v, CDNA_REG_KICK_PAGE_LO));
	EXPECT_EQ(CDNA_KICK_PAGE_NO_KVM,
		  cdna_vfio_rd32(&self->dst.v, CDNA_REG_KICK_PAGE_STATUS));
	ASSERT_EQ(0, mig_set(&self->dst, VFIO_DEVICE_STATE_RUNNING, NULL));
	tx_post(self, &self->dst);
	EXPECT_TRUE(wait_cons(self, 2, WAIT_MS))
		TH_LOG("the BAR doorbell does not work after the migration");
}

TEST_F(mig, version1_stream_accepted)
{
	static uint8_t buf[STREAM_MAX];
	ssize_t len;
	size_t len1;
	int werr;

	self->features = FEATURES | F(CDNA_F_KICK_PAGE) | F(CDNA_F_RX_BUF_SIZE);
	len = saved_running(_metadata, self, buf);
	ASSERT_GT(len, 0);
	len1 = to_v1(buf, len);
	ASSERT_GT(len1, 0);
	ASSERT_EQ(0, mig_load(&self->dst, buf, len1, &werr))
		TH_LOG("a version 1 stream was refused");
	EXPECT_EQ(0, werr);
	EXPECT_EQ(CDNA_KICK_PAGE_OFF,
		  cdna_vfio_rd32(&self->dst.v, CDNA_REG_KICK_PAGE_STATUS));
	EXPECT_EQ(0, cdna_vfio_rd32(&self->dst.v, CDNA_REG_KICK_PAGE_LO));
	ASSERT_EQ(0, mig_set(&self->dst, VFIO_DEVICE_STATE_RUNNING, NULL));
	EXPECT_NE(0, cdna_vfio_rd32(&self->dst.v, CDNA_REG_STATUS) &
		  CDNA_STATUS_DRIVER_OK);
	tx_post(self, &self->dst);
	EXPECT_TRUE(wait_cons(self, 2, WAIT_MS));
}

TEST_F(mig, version2_too_short_refused)
{
	static uint8_t buf[STREAM_MAX];
	struct cdna_mig_header *h = (void *)buf;
	ssize_t len = saved_running(_metadata, self, buf);
	size_t len1;
	int werr;

	ASSERT_GT(len, 0);
	/* The version 1 layout under a version 2 header. */
	len1 = to_v1(buf, len);
	ASSERT_GT(len1, 0);
	h->version = htole16(2);
	reseal(buf, len1);
	EXPECT_EQ(-EINVAL, mig_load(&self->dst, buf, len1, &werr));
	EXPECT_EQ(EINVAL, werr) TH_LOG("write: %s", strerror(werr));
	dst_usable(_metadata, self);
}

TEST_F(mig, bad_kick_page_refused)
{
	static uint8_t buf[STREAM_MAX];
	struct cdna_mig_ctx *m = stream_ctx(buf);
	ssize_t len;
	int werr;

	self->features = FEATURES | F(CDNA_F_KICK_PAGE);
	self->kick_gpa = KICK_GPA;
	len = saved_running(_metadata, self, buf);
	ASSERT_GT(len, 0);
	ASSERT_EQ(KICK_GPA, le64toh(m->kick_page));
	/* On, at an address that is no page. */
	m->kick_status = htole32(CDNA_KICK_PAGE_ON);
	m->kick_page = htole64(KICK_GPA + 0x234);
	reseal(buf, len);
	EXPECT_EQ(-EINVAL, mig_load(&self->dst, buf, len, &werr));
	EXPECT_EQ(0, werr);
	/* On at address 0. */
	m->kick_page = 0;
	reseal(buf, len);
	EXPECT_EQ(-EINVAL, mig_load(&self->dst, buf, len, &werr));
	/* A status no device reads. */
	m->kick_page = htole64(KICK_GPA);
	m->kick_status = htole32(CDNA_KICK_PAGE_BAD_ADDR + 1);
	reseal(buf, len);
	EXPECT_EQ(-EINVAL, mig_load(&self->dst, buf, len, &werr));
	/* A kick page without the feature acked. */
	m->kick_status = htole32(CDNA_KICK_PAGE_ON);
	m->drv_features = htole64(FEATURES);
	reseal(buf, len);
	EXPECT_EQ(-EINVAL, mig_load(&self->dst, buf, len, &werr));
	dst_usable(_metadata, self);
}

TEST_F(mig, bad_rx_buf_size_refused)
{
	static uint8_t buf[STREAM_MAX];
	struct cdna_mig_ctx *m = stream_ctx(buf);
	uint32_t src_rxb;
	ssize_t len;
	int werr;

	self->features = FEATURES | F(CDNA_F_RX_BUF_SIZE);
	ASSERT_EQ(0, bringup(self, &self->src));
	src_rxb = cdna_vfio_rd32(&self->src.v,
				 CDNA_REG_QUEUE(RXQ, CDNA_QREG_RX_BUF_SIZE));
	tx_post(self, &self->src);
	ASSERT_TRUE(wait_cons(self, 1, WAIT_MS));
	len = mig_save(&self->src, buf, sizeof(buf));
	ASSERT_GT(len, 0);
	end_close(&self->src);
	/* A TX queue has none. */
	stream_queue(buf, TXQ)->rx_buf_size = htole32(RX_BUF);
	reseal(buf, len);
	EXPECT_EQ(-EINVAL, mig_load(&self->dst, buf, len, &werr));
	EXPECT_EQ(0, werr);
	stream_queue(buf, TXQ)->rx_buf_size = 0;
	/* A size this backend would not take from a register write. */
	stream_queue(buf, RXQ)->rx_buf_size = htole32(UINT32_MAX);
	reseal(buf, len);
	EXPECT_EQ(-ERANGE, mig_load(&self->dst, buf, len, &werr));
	/* An RX buffer size without the feature acked. */
	stream_queue(buf, RXQ)->rx_buf_size = htole32(src_rxb ? src_rxb : 1);
	m->drv_features = htole64(FEATURES);
	reseal(buf, len);
	EXPECT_EQ(-EINVAL, mig_load(&self->dst, buf, len, &werr));
	dst_usable(_metadata, self);
}

TEST_HARNESS_MAIN
