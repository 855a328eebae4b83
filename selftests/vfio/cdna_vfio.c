// SPDX-License-Identifier: GPL-2.0
/*
 * cdna_vfio: a userspace VFIO "guest" for cdna contexts (see cdna_vfio.h).
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <linux/kvm.h>
#include <linux/pci_regs.h>

#include "cdna_vfio.h"

#define CDNA_SYSFS_CLASS	"/sys/class/cdna"
#define CDNA_SYSFS_MDEV		"/sys/bus/mdev/devices"
#define CDNA_DEBUGFS		"/sys/kernel/debug/cdna"
#define CDNA_VFIO_OFFSET_SHIFT	40

static int cdna_write_file(const char *path, const char *val)
{
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	if (n < 0) {
		n = -errno;
		close(fd);
		return n;
	}
	close(fd);
	return n == (ssize_t)strlen(val) ? 0 : -EIO;
}

static int cdna_read_file(const char *path, char *buf, size_t size)
{
	ssize_t n, total = 0;
	int fd;

	if (!size)
		return -EINVAL;
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	while ((size_t)total < size - 1) {
		n = read(fd, buf + total, size - 1 - total);
		if (n < 0) {
			n = -errno;
			close(fd);
			return n;
		}
		if (!n)
			break;
		total += n;
	}
	buf[total] = '\0';
	close(fd);
	return 0;
}

int cdna_mdev_create(const char *nic, unsigned int nqp, char *uuid,
		     size_t uuid_size)
{
	char path[PATH_MAX], id[64];
	int ret;

	ret = cdna_read_file("/proc/sys/kernel/random/uuid", id, sizeof(id));
	if (ret)
		return ret;
	id[strcspn(id, "\n")] = '\0';
	if (strlen(id) >= uuid_size)
		return -ENOSPC;
	snprintf(path, sizeof(path),
		 CDNA_SYSFS_CLASS "/cdna-%s/mdev_supported_types/cdna-%uqp/create",
		 nic, nqp);
	ret = cdna_write_file(path, id);
	if (ret)
		return ret;
	strcpy(uuid, id);
	return 0;
}

int cdna_mdev_remove(const char *uuid)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), CDNA_SYSFS_MDEV "/%s/remove", uuid);
	return cdna_write_file(path, "1");
}

bool cdna_mdev_exists(const char *uuid)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), CDNA_SYSFS_MDEV "/%s", uuid);
	return access(path, F_OK) == 0;
}

int cdna_debugfs_read(const char *nic, const char *uuid, const char *file,
		      char *buf, size_t size)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), CDNA_DEBUGFS "/%s/%s/%s", nic, uuid, file);
	return cdna_read_file(path, buf, size);
}

int cdna_debugfs_write(const char *nic, const char *uuid, const char *file,
		       const char *val)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), CDNA_DEBUGFS "/%s/%s/%s", nic, uuid, file);
	return cdna_write_file(path, val);
}

const char *cdna_test_env(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v && *v ? v : def;
}

const char *cdna_test_nic(void)
{
	return cdna_test_env("CDNA_NIC", "cdnaup0");
}

const char *cdna_test_peer(void)
{
	return cdna_test_env("CDNA_PEER", "cdnapeer0");
}

int cdna_ctl(const char *args)
{
	const char *ctl = cdna_test_env("CDNA_CTL", "cdnactl");
	char *copy, *argv[32], *save, *tok;
	unsigned int argc = 0;
	int status;
	pid_t pid;

	copy = strdup(args);
	if (!copy)
		return -ENOMEM;
	argv[argc++] = (char *)ctl;
	for (tok = strtok_r(copy, " ", &save); tok && argc < 31;
	     tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	argv[argc] = NULL;

	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		free(copy);
		return -errno;
	}
	if (!pid) {
		execvp(argv[0], argv);
		_exit(127);
	}
	free(copy);
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	if (!WIFEXITED(status))
		return -EINTR;
	return WEXITSTATUS(status) == 127 ? -ENOENT : WEXITSTATUS(status);
}

int cdna_ctx_set_link(const char *uuid, bool up)
{
	char args[96];

	snprintf(args, sizeof(args), "ctx set %s link %s", uuid,
		 up ? "up" : "down");
	return cdna_ctl(args);
}

int cdna_ctx_set_mac(const char *uuid, const char *mac)
{
	char args[96];

	snprintf(args, sizeof(args), "ctx set %s mac %s", uuid, mac);
	return cdna_ctl(args);
}

int cdna_stat(const char *nic, const char *uuid, const char *name,
	      int64_t *val)
{
	size_t len = strlen(name);
	char *buf, *line, *save;
	int ret;

	buf = malloc(65536);
	if (!buf)
		return -ENOMEM;
	ret = cdna_debugfs_read(nic, uuid, "stats", buf, 65536);
	if (ret)
		goto out_free;
	ret = -ENOENT;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, name, len) && line[len] == ' ') {
			*val = strtoll(line + len + 1, NULL, 0);
			ret = 0;
			break;
		}
	}
out_free:
	free(buf);
	return ret;
}

static int cdna_vfio_group_of(const char *uuid)
{
	char path[PATH_MAX], link[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), CDNA_SYSFS_MDEV "/%s/iommu_group", uuid);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = '\0';
	return atoi(basename(link));
}

int cdna_vfio_open(struct cdna_vfio *v, const char *nic, const char *uuid)
{
	return cdna_vfio_open_kvm(v, nic, uuid, -1);
}

int cdna_vfio_open_kvm(struct cdna_vfio *v, const char *nic, const char *uuid,
		       int kvm_vfio)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	char nic_copy[sizeof(v->nic)], uuid_copy[sizeof(v->uuid)];
	char path[64];
	unsigned int i;
	int group_id, ret;

	/* @nic and @uuid may point into @v (reopening). */
	snprintf(nic_copy, sizeof(nic_copy), "%s", nic);
	snprintf(uuid_copy, sizeof(uuid_copy), "%s", uuid);
	memset(v, 0, sizeof(*v));
	v->container = v->group = v->device = v->req_fd = -1;
	for (i = 0; i < CDNA_VFIO_MAX_VECTORS; i++)
		v->irq_fd[i] = -1;
	memcpy(v->uuid, uuid_copy, sizeof(v->uuid));
	memcpy(v->nic, nic_copy, sizeof(v->nic));
	uuid = v->uuid;

	group_id = cdna_vfio_group_of(uuid);
	if (group_id < 0)
		return group_id;

	v->container = open("/dev/vfio/vfio", O_RDWR);
	if (v->container < 0)
		goto err_errno;
	if (ioctl(v->container, VFIO_GET_API_VERSION) != VFIO_API_VERSION) {
		ret = -EPROTO;
		goto err_close;
	}
	snprintf(path, sizeof(path), "/dev/vfio/%d", group_id);
	v->group = open(path, O_RDWR);
	if (v->group < 0)
		goto err_errno;
	if (ioctl(v->group, VFIO_GROUP_GET_STATUS, &status))
		goto err_errno;
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		ret = -EBUSY;
		goto err_close;
	}
	if (ioctl(v->group, VFIO_GROUP_SET_CONTAINER, &v->container))
		goto err_errno;
	if (ioctl(v->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU) &&
	    ioctl(v->container, VFIO_SET_IOMMU, VFIO_TYPE1_IOMMU))
		goto err_errno;
	if (kvm_vfio >= 0) {
		/* The group joins the VM: the device opens with its KVM. */
		int32_t gfd = v->group;
		struct kvm_device_attr attr = {
			.group = KVM_DEV_VFIO_GROUP,
			.attr = KVM_DEV_VFIO_GROUP_ADD,
			.addr = (uintptr_t)&gfd,
		};

		if (ioctl(kvm_vfio, KVM_SET_DEVICE_ATTR, &attr))
			goto err_errno;
	}
	v->device = ioctl(v->group, VFIO_GROUP_GET_DEVICE_FD, uuid);
	if (v->device < 0)
		goto err_errno;

	v->info.argsz = sizeof(v->info);
	if (ioctl(v->device, VFIO_DEVICE_GET_INFO, &v->info))
		goto err_errno;
	for (i = 0; i < VFIO_PCI_NUM_REGIONS && i < v->info.num_regions; i++) {
		v->regions[i].argsz = sizeof(v->regions[i]);
		v->regions[i].index = i;
		if (ioctl(v->device, VFIO_DEVICE_GET_REGION_INFO,
			  &v->regions[i]))
			goto err_errno;
	}
	{
		struct vfio_irq_info irq = {
			.argsz = sizeof(irq),
			.index = VFIO_PCI_MSIX_IRQ_INDEX,
		};

		if (ioctl(v->device, VFIO_DEVICE_GET_IRQ_INFO, &irq))
			goto err_errno;
		v->nvec = irq.count;
		if (v->nvec > CDNA_VFIO_MAX_VECTORS) {
			ret = -ERANGE;
			goto err_close;
		}
	}
	return 0;

err_errno:
	ret = -errno;
err_close:
	cdna_vfio_close(v);
	return ret;
}

void cdna_vfio_close(struct cdna_vfio *v)
{
	unsigned int i;

	for (i = 0; i < CDNA_VFIO_MAX_VECTORS; i++) {
		if (v->irq_fd[i] >= 0)
			close(v->irq_fd[i]);
		v->irq_fd[i] = -1;
	}
	if (v->req_fd >= 0)
		close(v->req_fd);
	if (v->device >= 0)
		close(v->device);
	if (v->group >= 0)
		close(v->group);
	if (v->container >= 0)
		close(v->container);
	v->req_fd = v->device = v->group = v->container = -1;
}

ssize_t cdna_vfio_region_read(struct cdna_vfio *v, unsigned int index,
			      uint64_t off, void *buf, size_t len)
{
	ssize_t n;

	n = pread(v->device, buf, len,
		  ((off_t)index << CDNA_VFIO_OFFSET_SHIFT) + off);
	return n < 0 ? -errno : n;
}

ssize_t cdna_vfio_region_write(struct cdna_vfio *v, unsigned int index,
			       uint64_t off, const void *buf, size_t len)
{
	ssize_t n;

	n = pwrite(v->device, buf, len,
		   ((off_t)index << CDNA_VFIO_OFFSET_SHIFT) + off);
	return n < 0 ? -errno : n;
}

int cdna_vfio_cfg_read(struct cdna_vfio *v, uint64_t off, void *buf,
		       size_t len)
{
	ssize_t n = cdna_vfio_region_read(v, VFIO_PCI_CONFIG_REGION_INDEX,
					  off, buf, len);

	return n < 0 ? n : (size_t)n == len ? 0 : -EIO;
}

int cdna_vfio_cfg_write(struct cdna_vfio *v, uint64_t off, const void *buf,
			size_t len)
{
	ssize_t n = cdna_vfio_region_write(v, VFIO_PCI_CONFIG_REGION_INDEX,
					   off, buf, len);

	return n < 0 ? n : (size_t)n == len ? 0 : -EIO;
}

int cdna_vfio_reg_read(struct cdna_vfio *v, uint32_t off, uint32_t *val)
{
	uint32_t le;
	ssize_t n;

	n = cdna_vfio_region_read(v, VFIO_PCI_BAR0_REGION_INDEX, off, &le,
				  sizeof(le));
	if (n < 0)
		return n;
	if (n != sizeof(le))
		return -EIO;
	*val = le32toh(le);
	return 0;
}

int cdna_vfio_reg_write(struct cdna_vfio *v, uint32_t off, uint32_t val)
{
	uint32_t le = htole32(val);
	ssize_t n;

	n = cdna_vfio_region_write(v, VFIO_PCI_BAR0_REGION_INDEX, off, &le,
				   sizeof(le));
	if (n < 0)
		return n;
	return n == sizeof(le) ? 0 : -EIO;
}

uint32_t cdna_vfio_rd32(struct cdna_vfio *v, uint32_t off)
{
	uint32_t val;

	return cdna_vfio_reg_read(v, off, &val) ? 0xffffffff : val;
}

int cdna_vfio_reset(struct cdna_vfio *v)
{
	return ioctl(v->device, VFIO_DEVICE_RESET) ? -errno : 0;
}

int cdna_vfio_bus_master(struct cdna_vfio *v, bool on)
{
	uint16_t cmd;
	int ret;

	ret = cdna_vfio_cfg_read(v, PCI_COMMAND, &cmd, sizeof(cmd));
	if (ret)
		return ret;
	cmd = le16toh(cmd) | PCI_COMMAND_MEMORY;
	if (on)
		cmd |= PCI_COMMAND_MASTER;
	else
		cmd &= ~PCI_COMMAND_MASTER;
	cmd = htole16(cmd);
	return cdna_vfio_cfg_write(v, PCI_COMMAND, &cmd, sizeof(cmd));
}

int cdna_vfio_negotiate(struct cdna_vfio *v, uint64_t features)
{
	uint32_t st = CDNA_STATUS_ACKNOWLEDGE;
	int ret;

	ret = cdna_vfio_bus_master(v, true);
	if (!ret)
		ret = cdna_vfio_reg_write(v, CDNA_REG_STATUS, 0);
	if (!ret)
		ret = cdna_vfio_reg_write(v, CDNA_REG_STATUS, st);
	st |= CDNA_STATUS_DRIVER;
	if (!ret)
		ret = cdna_vfio_reg_write(v, CDNA_REG_STATUS, st);
	if (!ret)
		ret = cdna_vfio_reg_write(v, CDNA_REG_DRV_FEATURES_LO,
					  (uint32_t)features);
	if (!ret)
		ret = cdna_vfio_reg_write(v, CDNA_REG_DRV_FEATURES_HI,
					  (uint32_t)(features >> 32));
	st |= CDNA_STATUS_FEATURES_OK;
	if (!ret)
		ret = cdna_vfio_reg_write(v, CDNA_REG_STATUS, st);
	if (ret)
		return ret;
	return cdna_vfio_rd32(v, CDNA_REG_STATUS) & CDNA_STATUS_FEATURES_OK ?
	       0 : -EPROTO;
}

int cdna_vfio_queue_setup(struct cdna_vfio *v, unsigned int q,
			  uint64_t desc, uint64_t cpl, uint64_t shm,
			  uint32_t size)
{
	const struct {
		uint32_t reg;
		uint32_t val;
	} w[] = {
		{ CDNA_QREG_DESC_LO, (uint32_t)desc },
		{ CDNA_QREG_DESC_HI, (uint32_t)(desc >> 32) },
		{ CDNA_QREG_CPL_LO, (uint32_t)cpl },
		{ CDNA_QREG_CPL_HI, (uint32_t)(cpl >> 32) },
		{ CDNA_QREG_SHM_LO, (uint32_t)shm },
		{ CDNA_QREG_SHM_HI, (uint32_t)(shm >> 32) },
		{ CDNA_QREG_SIZE, size },
		{ CDNA_QREG_ENABLE, 1 },
	};
	uint32_t val;
	unsigned int i;
	int ret;

	for (i = 0; i < sizeof(w) / sizeof(w[0]); i++) {
		ret = cdna_vfio_reg_write(v, CDNA_REG_QUEUE(q, w[i].reg),
					  w[i].val);
		if (ret)
			return ret;
	}
	ret = cdna_vfio_reg_read(v, CDNA_REG_QUEUE(q, CDNA_QREG_ENABLE), &val);
	return ret ? ret : (int)val;
}

int cdna_vfio_irq_set(struct cdna_vfio *v, uint32_t index, uint32_t flags,
		      uint32_t start, uint32_t count, const void *data,
		      size_t data_size)
{
	struct vfio_irq_set *set;
	size_t argsz = sizeof(*set) + data_size;
	int ret = 0;

	set = calloc(1, argsz);
	if (!set)
		return -ENOMEM;
	set->argsz = argsz;
	set->flags = flags;
	set->index = index;
	set->start = start;
	set->count = count;
	if (data_size)
		memcpy(set->data, data, data_size);
	if (ioctl(v->device, VFIO_DEVICE_SET_IRQS, set))
		ret = -errno;
	free(set);
	return ret;
}

int cdna_vfio_msix_enable(struct cdna_vfio *v)
{
	int32_t fds[CDNA_VFIO_MAX_VECTORS];
	unsigned int i;
	int ret;

	for (i = 0; i < v->nvec; i++) {
		if (v->irq_fd[i] < 0)
			v->irq_fd[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (v->irq_fd[i] < 0)
			return -errno;
		fds[i] = v->irq_fd[i];
	}
	ret = cdna_vfio_irq_set(v, VFIO_PCI_MSIX_IRQ_INDEX,
				VFIO_IRQ_SET_DATA_EVENTFD |
				VFIO_IRQ_SET_ACTION_TRIGGER,
				0, v->nvec, fds, v->nvec * sizeof(fds[0]));
	return ret;
}

int cdna_vfio_msix_disable(struct cdna_vfio *v)
{
	return cdna_vfio_irq_set(v, VFIO_PCI_MSIX_IRQ_INDEX,
				 VFIO_IRQ_SET_DATA_NONE |
				 VFIO_IRQ_SET_ACTION_TRIGGER, 0, 0, NULL, 0);
}

int cdna_vfio_req_enable(struct cdna_vfio *v)
{
	int32_t fd;

	if (v->req_fd < 0)
		v->req_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (v->req_fd < 0)
		return -errno;
	fd = v->req_fd;
	return cdna_vfio_irq_set(v, VFIO_PCI_REQ_IRQ_INDEX,
				 VFIO_IRQ_SET_DATA_EVENTFD |
				 VFIO_IRQ_SET_ACTION_TRIGGER, 0, 1, &fd,
				 sizeof(fd));
}

int64_t cdna_vfio_eventfd_wait(int fd, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	uint64_t count;
	int ret;

	ret = poll(&pfd, 1, timeout_ms);
	if (ret < 0)
		return -errno;
	if (!ret)
		return 0;
	if (read(fd, &count, sizeof(count)) != sizeof(count))
		return errno == EAGAIN ? 0 : -errno;
	return (int64_t)count;
}

int cdna_vfio_dma_alloc(struct cdna_vfio *v, struct cdna_vfio_dma *dma,
			uint64_t iova, size_t size)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.iova = iova,
		.size = size,
	};
	void *p;

	p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	memset(p, 0, size);
	map.vaddr = (uintptr_t)p;
	if (ioctl(v->container, VFIO_IOMMU_MAP_DMA, &map)) {
		int ret = -errno;

		munmap(p, size);
		return ret;
	}
	dma->vaddr = p;
	dma->iova = iova;
	dma->size = size;
	return 0;
}

int cdna_vfio_dma_free(struct cdna_vfio *v, struct cdna_vfio_dma *dma)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.iova = dma->iova,
		.size = dma->size,
	};
	int ret = 0;

	if (!dma->vaddr)
		return 0;
	if (ioctl(v->container, VFIO_IOMMU_UNMAP_DMA, &unmap))
		ret = -errno;
	munmap(dma->vaddr, dma->size);
	dma->vaddr = NULL;
	return ret;
}
