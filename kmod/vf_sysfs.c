// SPDX-License-Identifier: GPL-2.0
/*
 * cdna: per-mdev settings attributes.
 *
 * Each context's mdev device carries the control plane's settings as sysfs
 * attributes (/sys/bus/mdev/devices/UUID/{mac,name,vlan,trust,spoofchk,
 * rate,link}), the attributes `mdevctl modify --addattr` and the "attrs" of
 * an mdevctl JSON file name: mdevctl writes them, in order, right after it
 * created the device, so a context it persisted comes back with its
 * settings.  They read at any time and write only while no VM holds the
 * context (-EBUSY).  A write goes through cdna_ctx_apply(), the function
 * CDNA_CMD_CTX_SET uses, so both validate alike and announce the same
 * events; the reason of a refusal is logged, as netlink would report it.
 *
 * The attributes are the mdev driver's dev_groups: the driver core adds
 * them once cdna_mdev_probe() returned and removes them, waiting for
 * writers in progress, before cdna_mdev_remove() runs, so the context in
 * the device's drvdata is alive in every callback.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device.h>
#include <linux/sysfs.h>
#include <linux/kstrtox.h>
#include <linux/string.h>
#include <net/netlink.h>

#include "cdna.h"

static const char * const cdna_vf_sysfs_link_names[] = {
	[CDNA_LINK_MODE_AUTO]	= "auto",
	[CDNA_LINK_MODE_UP]	= "up",
	[CDNA_LINK_MODE_DOWN]	= "down",
};

static struct cdna_ctx *cdna_vf_sysfs_ctx(struct device *dev)
{
	return dev_get_drvdata(dev);
}

/*
 * Parse @buf (one value, a trailing newline allowed) into @set for the
 * attribute @attr.  Return: 0 or -EINVAL.
 */
static int cdna_vf_sysfs_parse(const char *attr, const char *buf,
			       struct cdna_ctx_settings *set)
{
	char val[32];
	int ret;

	/* Longer than any valid value: refused whole, never truncated. */
	if (strscpy(val, buf, sizeof(val)) < 0)
		return -EINVAL;
	strim(val);

	if (!strcmp(attr, "mac")) {
		set->mask = CDNA_SET_MAC;
		return strlen(val) == 17 && mac_pton(val, set->mac) ?
		       0 : -EINVAL;
	}
	if (!strcmp(attr, "name")) {
		set->mask = CDNA_SET_NAME;
		if (strscpy(set->name, val, sizeof(set->name)) < 0)
			return -EINVAL;
		return 0;
	}
	if (!strcmp(attr, "vlan")) {
		set->mask = CDNA_SET_VLAN;
		return kstrtou16(val, 10, &set->vlan);
	}
	if (!strcmp(attr, "trust")) {
		set->mask = CDNA_SET_TRUST;
		return kstrtobool(val, &set->trusted);
	}
	if (!strcmp(attr, "spoofchk")) {
		set->mask = CDNA_SET_SPOOFCHK;
		return kstrtobool(val, &set->spoofchk);
	}
	if (!strcmp(attr, "rate")) {
		set->mask = CDNA_SET_TX_RATE;
		return kstrtou32(val, 10, &set->tx_rate);
	}
	if (!strcmp(attr, "link")) {
		set->mask = CDNA_SET_LINK;
		ret = match_string(cdna_vf_sysfs_link_names,
				   ARRAY_SIZE(cdna_vf_sysfs_link_names), val);
		if (ret < 0)
			return -EINVAL;
		set->link_mode = ret;
		return 0;
	}
	return -EINVAL;
}

static ssize_t cdna_vf_sysfs_store(struct device *dev,
				   struct device_attribute *attr,
				   const char *buf, size_t count)
{
	struct cdna_ctx *ctx = cdna_vf_sysfs_ctx(dev);
	struct cdna_ctx_settings set = {};
	struct netlink_ext_ack extack = {};
	int ret;

	ret = cdna_vf_sysfs_parse(attr->attr.name, buf, &set);
	if (ret) {
		dev_info_ratelimited(dev, "%s: malformed value\n",
				     attr->attr.name);
		return ret;
	}
	/* A sysfs write is a setup step: refused whole while a VM runs. */
	set.mask |= CDNA_SET_IDLE_ONLY;

	/* Names are unique on the host; cdna_ctx_apply() needs the lock. */
	mutex_lock(&cdna_nics_lock);
	ret = cdna_ctx_apply(ctx, &set, &extack);
	mutex_unlock(&cdna_nics_lock);
	if (ret) {
		dev_info_ratelimited(dev, "%s: %s (%d)\n", attr->attr.name,
				     extack._msg ?: "refused", ret);
		return ret;
	}
	return count;
}

static ssize_t cdna_vf_sysfs_show(struct device *dev,
				  struct device_attribute *attr, char *buf)
{
	struct cdna_ctx *ctx = cdna_vf_sysfs_ctx(dev);
	const char *name = attr->attr.name;
	ssize_t len = -EINVAL;

	mutex_lock(&ctx->lock);
	if (!strcmp(name, "mac"))
		len = sysfs_emit(buf, "%pM\n", ctx->mac);
	else if (!strcmp(name, "name"))
		len = sysfs_emit(buf, "%s\n", ctx->name);
	else if (!strcmp(name, "vlan"))
		len = sysfs_emit(buf, "%u\n", ctx->vlan);
	else if (!strcmp(name, "trust"))
		len = sysfs_emit(buf, "%s\n", ctx->trusted ? "on" : "off");
	else if (!strcmp(name, "spoofchk"))
		len = sysfs_emit(buf, "%s\n", ctx->spoofchk ? "on" : "off");
	else if (!strcmp(name, "rate"))
		len = sysfs_emit(buf, "%u\n", ctx->tx_rate);
	else if (!strcmp(name, "link") &&
		 ctx->link_mode < ARRAY_SIZE(cdna_vf_sysfs_link_names))
		len = sysfs_emit(buf, "%s\n",
				 cdna_vf_sysfs_link_names[ctx->link_mode]);
	mutex_unlock(&ctx->lock);
	return len;
}

#define CDNA_VF_SYSFS_ATTR(_name)					\
	struct device_attribute cdna_vf_sysfs_attr_##_name =		\
		__ATTR(_name, 0644, cdna_vf_sysfs_show, cdna_vf_sysfs_store)

static CDNA_VF_SYSFS_ATTR(mac);
static CDNA_VF_SYSFS_ATTR(name);
static CDNA_VF_SYSFS_ATTR(vlan);
static CDNA_VF_SYSFS_ATTR(trust);
static CDNA_VF_SYSFS_ATTR(spoofchk);
static CDNA_VF_SYSFS_ATTR(rate);
static CDNA_VF_SYSFS_ATTR(link);

static struct attribute *cdna_vf_sysfs_attrs[] = {
	&cdna_vf_sysfs_attr_mac.attr,
	&cdna_vf_sysfs_attr_name.attr,
	&cdna_vf_sysfs_attr_vlan.attr,
	&cdna_vf_sysfs_attr_trust.attr,
	&cdna_vf_sysfs_attr_spoofchk.attr,
	&cdna_vf_sysfs_attr_rate.attr,
	&cdna_vf_sysfs_attr_link.attr,
	NULL,
};

static const struct attribute_group cdna_vf_sysfs_group = {
	.attrs = cdna_vf_sysfs_attrs,
};

/* The mdev driver's .driver.dev_groups (vf.c). */
const struct attribute_group *cdna_vf_sysfs_groups[] = {
	&cdna_vf_sysfs_group,
	NULL,
};
