// SPDX-License-Identifier: GPL-2.0
/*
 * cdnactl: VFs of an SR-IOV PF for cdna's igb backend.
 *
 * Before `nic add` asks the kernel to attach an igb PF, cdnactl gives the
 * kernel VFs to hand to contexts, through sysfs only:
 *   - no VF yet: sriov_drivers_autoprobe = 0 (no VF driver grabs them),
 *     then sriov_numvfs = max_ctx (default: sriov_totalvfs);
 *   - every VF that no driver holds: driver_override = "cdna", probe.
 * A VF bound to another driver (igbvf, vfio-pci) is left alone.  Devices
 * without SR-IOV, or whose driver is not igb, are not touched: the kernel
 * gives them the software engine.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cdnactl.h"

static int sysfs_read_u32(const char *path, unsigned int *val)
{
	char buf[32];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = 0;
	*val = (unsigned int)strtoul(buf, NULL, 10);
	return 0;
}

static int sysfs_write(const char *path, const char *val)
{
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n < 0 ? -errno : 0;
}

/* The basename of the driver bound to sysfs device @dev into @buf. */
static bool sysfs_driver(const char *dev, char *buf, size_t size)
{
	char path[PATH_MAX], link[PATH_MAX];
	const char *base;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/driver", dev);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return false;
	link[n] = 0;
	base = strrchr(link, '/');
	base = base ? base + 1 : link;
	if (strlen(base) >= size)
		return false;
	memcpy(buf, base, strlen(base) + 1);
	return true;
}

/* Bind one VF (sysfs device directory @vf) to cdna unless a driver has it. */
static int sriov_bind_vf(const char *vf)
{
	char path[PATH_MAX], link[PATH_MAX], drv[64];
	const char *bdf;
	ssize_t n;
	int ret;

	if (sysfs_driver(vf, drv, sizeof(drv)))
		return 0;
	n = readlink(vf, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = 0;
	bdf = strrchr(link, '/');
	bdf = bdf ? bdf + 1 : link;
	if (snprintf(path, sizeof(path), "%s/driver_override", vf) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	ret = sysfs_write(path, "cdna");
	if (ret)
		return ret;
	ret = sysfs_write("/sys/bus/pci/drivers_probe", bdf);
	if (ret)
		return ret;
	if (!sysfs_driver(vf, drv, sizeof(drv)) || strcmp(drv, "cdna")) {
		cdnactl_err("VF %s did not bind to cdna (is cdna.ko loaded?)",
			    bdf);
		return -ENODEV;
	}
	return 0;
}

/**
 * cdnactl_sriov_prepare() - give an igb PF's VFs to cdna before attach
 * @ifname: the uplink
 * @nvfs: VFs to create if there are none, 0 for sriov_totalvfs
 *
 * Return: 0 (also for a device this does not apply to), or a negative
 * errno after a message.
 */
int cdnactl_sriov_prepare(const char *ifname, unsigned int nvfs)
{
	char dev[PATH_MAX], path[PATH_MAX + 32], drv[64];
	unsigned int total, cur, i;
	char num[16];
	int ret;

	snprintf(dev, sizeof(dev), "/sys/class/net/%s/device", ifname);
	if (!sysfs_driver(dev, drv, sizeof(drv)) || strcmp(drv, "igb"))
		return 0;
	snprintf(path, sizeof(path), "%s/sriov_totalvfs", dev);
	if (sysfs_read_u32(path, &total) || !total)
		return 0;
	snprintf(path, sizeof(path), "%s/sriov_numvfs", dev);
	ret = sysfs_read_u32(path, &cur);
	if (ret)
		goto err;
	if (!cur) {
		cur = nvfs && nvfs < total ? nvfs : total;
		snprintf(path, sizeof(path), "%s/sriov_drivers_autoprobe", dev);
		ret = sysfs_write(path, "0");
		if (ret)
			goto err;
		snprintf(path, sizeof(path), "%s/sriov_numvfs", dev);
		snprintf(num, sizeof(num), "%u", cur);
		ret = sysfs_write(path, num);
		if (ret)
			goto err;
	}
	for (i = 0; i < cur; i++) {
		snprintf(path, sizeof(path), "%s/virtfn%u", dev, i);
		if (access(path, F_OK))
			continue;
		ret = sriov_bind_vf(path);
		if (ret)
			return ret;
	}
	return 0;

err:
	cdnactl_err("%s: SR-IOV setup failed at %s: %s", ifname, path,
		    strerror(-ret));
	return ret;
}
