/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cdna_vfio: a userspace VFIO "guest" for cdna contexts.
 *
 * Opens a context (an mdev instance) the way QEMU does - VFIO container
 * with the type1 IOMMU, group, device file - and drives the VF ABI of
 * include/uapi/linux/cdna.h directly: region reads and writes, BAR0
 * registers, MSI-X eventfds, DMA mappings of test buffers.  Tests run in
 * L1 (the KVM host) and need no guest.
 *
 * Every function returns 0 or a negative errno unless it says otherwise;
 * none of them exits or asserts, so tests decide what a failure means.
 */
#ifndef _CDNA_VFIO_H
#define _CDNA_VFIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/vfio.h>
#include <linux/cdna.h>

#define CDNA_VFIO_MAX_VECTORS	CDNA_MSIX_NUM_VECTORS(CDNA_MAX_QUEUE_PAIRS)

/* An opened context. */
struct cdna_vfio {
	char uuid[40];
	char nic[32];			/* uplink ifname (debugfs directory) */
	int container;
	int group;
	int device;
	struct vfio_device_info info;
	struct vfio_region_info regions[VFIO_PCI_NUM_REGIONS];
	unsigned int nvec;		/* MSI-X vectors */
	int irq_fd[CDNA_VFIO_MAX_VECTORS];	/* eventfds, -1 if none */
	int req_fd;			/* request eventfd, -1 if none */
};

/* A buffer mapped for device DMA. */
struct cdna_vfio_dma {
	void *vaddr;
	uint64_t iova;
	size_t size;
};

/* mdev instances through sysfs and the debugfs knobs. */
int cdna_mdev_create(const char *nic, unsigned int nqp, char *uuid,
		     size_t uuid_size);
int cdna_mdev_remove(const char *uuid);
bool cdna_mdev_exists(const char *uuid);
int cdna_debugfs_read(const char *nic, const char *uuid, const char *file,
		      char *buf, size_t size);
int cdna_debugfs_write(const char *nic, const char *uuid, const char *file,
		       const char *val);
/*
 * Run the control tool: $CDNA_CTL (default "cdnactl" on $PATH) with the
 * space-separated @args.  Return: its exit status (0 = success), or a
 * negative errno if it could not run.
 */
int cdna_ctl(const char *args);
/* Context settings through the control tool; 0 or its exit status. */
int cdna_ctx_set_link(const char *uuid, bool up);
int cdna_ctx_set_mac(const char *uuid, const char *mac);
/* A "name value" line of a context's debugfs stats; -ENOENT if absent. */
/* $NAME if set and not empty, else @def. */
const char *cdna_test_env(const char *name, const char *def);
/* The tests' uplink and its veth peer: $CDNA_NIC, $CDNA_PEER (the testbed's
 * wrappers set them), else cdnaup0 and cdnapeer0.
 */
const char *cdna_test_nic(void);
const char *cdna_test_peer(void);

int cdna_stat(const char *nic, const char *uuid, const char *name,
	      int64_t *val);

/* Container, group and device; undone by cdna_vfio_close(). */
int cdna_vfio_open(struct cdna_vfio *v, const char *nic, const char *uuid);
/*
 * The same, the group first added to a KVM VM through its kvm-vfio device
 * @kvm_vfio (KVM_DEV_TYPE_VFIO; -1: none), so that the device opens with
 * that VM (as QEMU opens it), which the kick page needs.
 */
int cdna_vfio_open_kvm(struct cdna_vfio *v, const char *nic, const char *uuid,
		       int kvm_vfio);
void cdna_vfio_close(struct cdna_vfio *v);

/* Region access at an offset inside region @index (pread/pwrite). */
ssize_t cdna_vfio_region_read(struct cdna_vfio *v, unsigned int index,
			      uint64_t off, void *buf, size_t len);
ssize_t cdna_vfio_region_write(struct cdna_vfio *v, unsigned int index,
			       uint64_t off, const void *buf, size_t len);

/* Config space. */
int cdna_vfio_cfg_read(struct cdna_vfio *v, uint64_t off, void *buf,
		       size_t len);
int cdna_vfio_cfg_write(struct cdna_vfio *v, uint64_t off, const void *buf,
			size_t len);

/* BAR0 registers: 32-bit, little endian. */
int cdna_vfio_reg_read(struct cdna_vfio *v, uint32_t off, uint32_t *val);
int cdna_vfio_reg_write(struct cdna_vfio *v, uint32_t off, uint32_t val);
/* Convenience: the value, or 0xffffffff if the read failed. */
uint32_t cdna_vfio_rd32(struct cdna_vfio *v, uint32_t off);

/* Function-level operations. */
int cdna_vfio_reset(struct cdna_vfio *v);	/* VFIO_DEVICE_RESET */
/*
 * Enable memory decoding and bus mastering in PCI_COMMAND (as a driver's
 * probe does), reset (STATUS = 0), ACKNOWLEDGE, DRIVER, write @features,
 * FEATURES_OK.
 * Return: 0, or -EPROTO if the device refused the features.
 */
int cdna_vfio_negotiate(struct cdna_vfio *v, uint64_t features);

/* Set or clear PCI_COMMAND_MASTER (Bus Master Enable). */
int cdna_vfio_bus_master(struct cdna_vfio *v, bool on);
/* Program queue @q and write ENABLE = 1; return ENABLE read back (0/1). */
int cdna_vfio_queue_setup(struct cdna_vfio *v, unsigned int q,
			  uint64_t desc, uint64_t cpl, uint64_t shm,
			  uint32_t size);

/* Interrupts. */
int cdna_vfio_irq_set(struct cdna_vfio *v, uint32_t index, uint32_t flags,
		      uint32_t start, uint32_t count, const void *data,
		      size_t data_size);
/* One new eventfd per MSI-X vector (count from the device). */
int cdna_vfio_msix_enable(struct cdna_vfio *v);
int cdna_vfio_msix_disable(struct cdna_vfio *v);
int cdna_vfio_req_enable(struct cdna_vfio *v);
/*
 * Wait up to @timeout_ms for eventfd @fd; return the count read (0 on
 * timeout) or a negative errno.
 */
int64_t cdna_vfio_eventfd_wait(int fd, int timeout_ms);

/* DMA: anonymous memory mapped at @iova through VFIO_IOMMU_MAP_DMA. */
int cdna_vfio_dma_alloc(struct cdna_vfio *v, struct cdna_vfio_dma *dma,
			uint64_t iova, size_t size);
int cdna_vfio_dma_free(struct cdna_vfio *v, struct cdna_vfio_dma *dma);

#endif /* _CDNA_VFIO_H */
