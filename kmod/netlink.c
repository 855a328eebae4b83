// SPDX-License-Identifier: GPL-2.0
/*
 * cdna: the generic netlink family "cdna" - the control plane.
 *
 *   NIC_ATTACH/DETACH/GET   uplinks (nic.c)
 *   CTX_NEW                 validate and define a context; the reply gives
 *                           the UUID and the mdev type's "create" node,
 *                           which userspace writes the UUID to (the mdev
 *                           probe consumes the definition)
 *   CTX_DEL                 drop a definition, or mark a context deleting
 *                           and reply with its mdev path (userspace writes
 *                           1 to <path>/remove)
 *   CTX_GET/SET/STATS       contexts (ctx.c), also those created directly
 *                           through the mdev sysfs nodes
 *   VERSION_GET             the module's version (anyone may ask)
 *   "events" group          context opened/closed/reset/error, link
 *
 * Every attribute is checked against one strict policy; errors carry an
 * extack message.  Who may do what, as with "ip link": anyone may read the
 * configuration (NIC_GET, CTX_GET); changing operations, the counters of
 * CTX_STATS (which read the protection's pin cache, a lock the data path
 * takes) and the "events" group (what VMs do, as it happens) need
 * CAP_NET_ADMIN.  Ops are serialised by the genetlink mutex; lookups hold
 * cdna_nics_lock, which keeps every listed NIC attached, and references
 * on a context and on its mdev (cdna_nl_ctx_find()).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/slab.h>
#include <linux/iommu.h>
#include <linux/pci.h>
#include <linux/if_vlan.h>
#include <net/genetlink.h>

#include "cdna.h"

#define CDNA_NL_SYSFS_CLASS	"/sys/class/" CDNA_DRV_NAME
#define CDNA_NL_MDEV_DEVICES	"/sys/bus/mdev/devices"

static struct genl_family cdna_nl_family;
static bool cdna_nl_registered;

static struct netlink_range_validation cdna_nl_rate_range = {
	.min = 0,
	.max = CDNA_MAX_TX_RATE,
};

/* Attributes a request may carry; output-only ones are NLA_UNSPEC and
 * therefore refused by strict validation.
 */
static const struct nla_policy cdna_nl_policy[CDNA_ATTR_MAX + 1] = {
	[CDNA_ATTR_IFNAME]		= { .type = NLA_NUL_STRING,
					    .len = IFNAMSIZ - 1 },
	[CDNA_ATTR_IFINDEX]		= NLA_POLICY_MIN(NLA_U32, 1),
	[CDNA_ATTR_NIC_MAX_CTX]		= NLA_POLICY_RANGE(NLA_U32, 1,
						CDNA_MAX_CTX_PER_NIC),
	[CDNA_ATTR_NIC]			= { .type = NLA_NUL_STRING,
					    .len = IFNAMSIZ - 1 },
	[CDNA_ATTR_CTX_NAME]		= { .type = NLA_NUL_STRING,
					    .len = IFNAMSIZ - 1 },
	[CDNA_ATTR_CTX_UUID]		= { .type = NLA_NUL_STRING,
					    .len = UUID_STRING_LEN },
	[CDNA_ATTR_CTX_MAC]		= NLA_POLICY_EXACT_LEN(ETH_ALEN),
	[CDNA_ATTR_CTX_VLAN]		= NLA_POLICY_MAX(NLA_U16, VLAN_N_VID - 2),
	[CDNA_ATTR_CTX_QUEUE_PAIRS]	= { .type = NLA_U32 },
	[CDNA_ATTR_CTX_PROTECT]		= NLA_POLICY_MAX(NLA_U8,
						CDNA_PROTECT_MODE_IOMMU),
	[CDNA_ATTR_CTX_TRUST]		= NLA_POLICY_MAX(NLA_U8, 1),
	[CDNA_ATTR_CTX_SPOOFCHK]	= NLA_POLICY_MAX(NLA_U8, 1),
	[CDNA_ATTR_CTX_TX_RATE]		= NLA_POLICY_FULL_RANGE(NLA_U32,
						&cdna_nl_rate_range),
	[CDNA_ATTR_CTX_LINK]		= NLA_POLICY_MAX(NLA_U8,
						CDNA_LINK_MODE_DOWN),
	[CDNA_ATTR_FORCE]		= { .type = NLA_FLAG },
	[CDNA_ATTR_CTX_INCOMING]	= { .type = NLA_FLAG },
	[CDNA_ATTR_CTX_STRATEGY]	= NLA_POLICY_MAX(NLA_U8,
						CDNA_STRATEGY_MODE_SINGLE_USE),
};

/* ------------------------------------------------------------------ */
/* Lookups                                                             */
/* ------------------------------------------------------------------ */

/* The NIC named by IFNAME or IFINDEX (attach/detach/get). */
static struct cdna_nic *cdna_nl_nic_from_attrs(struct genl_info *info)
{
	struct nlattr **tb = info->attrs;
	struct net_device *uplink;
	struct cdna_nic *nic;

	lockdep_assert_held(&cdna_nics_lock);
	if (tb[CDNA_ATTR_IFNAME]) {
		nic = cdna_nic_find_locked(nla_data(tb[CDNA_ATTR_IFNAME]), NULL);
		if (!nic)
			NL_SET_ERR_MSG_ATTR(info->extack, tb[CDNA_ATTR_IFNAME],
					    "uplink is not attached");
		return nic;
	}
	if (tb[CDNA_ATTR_IFINDEX]) {
		uplink = dev_get_by_index(&init_net,
					  nla_get_u32(tb[CDNA_ATTR_IFINDEX]));
		nic = uplink ? cdna_nic_find_locked(NULL, uplink) : NULL;
		dev_put(uplink);
		if (!nic)
			NL_SET_ERR_MSG_ATTR(info->extack, tb[CDNA_ATTR_IFINDEX],
					    "uplink is not attached");
		return nic;
	}
	NL_SET_ERR_MSG(info->extack, "uplink name or ifindex is required");
	return NULL;
}

/*
 * Drop the references of cdna_nl_ctx_find().  Caller still holds the
 * cdna_nics_lock it found the context with: the mdev's release drops a
 * reference on its mdev type, which lives in the NIC, and the NIC cannot
 * start its teardown while cdna_nics_lock is held.
 */
static void cdna_nl_ctx_put(struct cdna_ctx *ctx)
{
	lockdep_assert_held(&cdna_nics_lock);
	put_device(mdev_dev(ctx->mdev));
	put_device(&ctx->vdev.device);
}

/*
 * Find a context by name or UUID on every NIC and take references on it
 * and on its mdev (cdna_nl_ctx_put()).  Caller holds cdna_nics_lock, which
 * keeps ctx->nic attached.  The context is found on nic->ctx_list under
 * nic->lock, where it is until cdna_mdev_remove() returned: both objects
 * are alive when their references are taken, and stay allocated until
 * cdna_nl_ctx_put(), even if the mdev is removed in between (the context
 * then is DESTROYED, and changing it changes nothing anyone uses).
 */
static struct cdna_ctx *cdna_nl_ctx_find(const char *name, const guid_t *uuid)
{
	struct cdna_nic *nic;
	struct cdna_ctx *ctx;

	lockdep_assert_held(&cdna_nics_lock);
	list_for_each_entry(nic, &cdna_nics, node) {
		mutex_lock(&nic->lock);
		list_for_each_entry(ctx, &nic->ctx_list, node) {
			if ((name && !strcmp(ctx->name, name)) ||
			    (uuid && guid_equal(&ctx->uuid, uuid))) {
				get_device(&ctx->vdev.device);
				get_device(mdev_dev(ctx->mdev));
				mutex_unlock(&nic->lock);
				return ctx;
			}
		}
		mutex_unlock(&nic->lock);
	}
	return NULL;
}

/* The NIC holding a pending definition by name or UUID, or NULL. */
static struct cdna_nic *cdna_nl_def_nic(const char *name, const guid_t *uuid)
{
	struct cdna_nic *nic;
	bool found;

	lockdep_assert_held(&cdna_nics_lock);
	list_for_each_entry(nic, &cdna_nics, node) {
		mutex_lock(&nic->lock);
		found = cdna_nic_def_find_locked(nic, name, uuid);
		mutex_unlock(&nic->lock);
		if (found)
			return nic;
	}
	return NULL;
}

/*
 * The NAME or UUID of a ctx request.  Return: 0, -EINVAL with an extack
 * message if neither is there or the UUID is malformed.
 */
static int cdna_nl_ctx_key(struct genl_info *info, const char **name,
			   guid_t *uuid, bool *by_uuid)
{
	struct nlattr **tb = info->attrs;

	*name = NULL;
	*by_uuid = false;
	if (tb[CDNA_ATTR_CTX_UUID]) {
		if (guid_parse(nla_data(tb[CDNA_ATTR_CTX_UUID]), uuid)) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[CDNA_ATTR_CTX_UUID],
					    "malformed UUID");
			return -EINVAL;
		}
		*by_uuid = true;
		return 0;
	}
	if (tb[CDNA_ATTR_CTX_NAME]) {
		*name = nla_data(tb[CDNA_ATTR_CTX_NAME]);
		return 0;
	}
	NL_SET_ERR_MSG(info->extack, "context name or UUID is required");
	return -EINVAL;
}

/* ------------------------------------------------------------------ */
/* Messages                                                            */
/* ------------------------------------------------------------------ */

static int cdna_nl_put_mdev_path(struct sk_buff *skb, const guid_t *uuid)
{
	char path[sizeof(CDNA_NL_MDEV_DEVICES) + UUID_STRING_LEN + 2];

	snprintf(path, sizeof(path), CDNA_NL_MDEV_DEVICES "/%pUl", uuid);
	return nla_put_string(skb, CDNA_ATTR_CTX_MDEV_PATH, path);
}

static int cdna_nl_put_uuid(struct sk_buff *skb, const guid_t *uuid)
{
	char buf[UUID_STRING_LEN + 1];

	snprintf(buf, sizeof(buf), "%pUl", uuid);
	return nla_put_string(skb, CDNA_ATTR_CTX_UUID, buf);
}

/* Caller holds cdna_nics_lock. */
static int cdna_nl_nic_fill(struct sk_buff *skb, struct cdna_nic *nic,
			    u32 portid, u32 seq, int flags)
{
	char path[sizeof(CDNA_NL_SYSFS_CLASS) + IFNAMSIZ + 8];
	unsigned int nctx, max_ctx;
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &cdna_nl_family, flags,
			  CDNA_CMD_NIC_GET);
	if (!hdr)
		return -EMSGSIZE;
	mutex_lock(&nic->lock);
	nctx = nic->nctx;
	max_ctx = nic->max_ctx;
	mutex_unlock(&nic->lock);
	snprintf(path, sizeof(path), CDNA_NL_SYSFS_CLASS "/%s",
		 dev_name(&nic->dev));
	if (nla_put_string(skb, CDNA_ATTR_IFNAME, nic->uplink->name) ||
	    nla_put_u32(skb, CDNA_ATTR_IFINDEX, nic->uplink->ifindex) ||
	    nla_put_u32(skb, CDNA_ATTR_NIC_NUM_CTX, nctx) ||
	    nla_put_u32(skb, CDNA_ATTR_NIC_MAX_CTX, max_ctx) ||
	    nla_put_string(skb, CDNA_ATTR_NIC_MDEV_PARENT, path) ||
	    nla_put_string(skb, CDNA_ATTR_NIC_BACKEND, nic->ops->name)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/* The settings of a context or a definition, in one shape. */
struct cdna_nl_ctx_info {
	const char *nic;
	const char *name;
	const guid_t *uuid;
	const u8 *mac;
	u16 vlan;
	u32 nqp;
	u8 protect;
	u8 strategy;
	bool trusted;
	bool spoofchk;
	u32 tx_rate;
	u8 link_mode;
	bool link_up;
	bool incoming;
	const char *state;
	const char *mig_state;
};

static int cdna_nl_ctx_info_put(struct sk_buff *skb,
				const struct cdna_nl_ctx_info *ci)
{
	if (nla_put_string(skb, CDNA_ATTR_NIC, ci->nic) ||
	    nla_put_string(skb, CDNA_ATTR_CTX_NAME, ci->name) ||
	    cdna_nl_put_uuid(skb, ci->uuid) ||
	    nla_put(skb, CDNA_ATTR_CTX_MAC, ETH_ALEN, ci->mac) ||
	    nla_put_u16(skb, CDNA_ATTR_CTX_VLAN, ci->vlan) ||
	    nla_put_u32(skb, CDNA_ATTR_CTX_QUEUE_PAIRS, ci->nqp) ||
	    nla_put_u8(skb, CDNA_ATTR_CTX_PROTECT, ci->protect) ||
	    (ci->protect == CDNA_PROTECT_MODE_IOMMU &&
	     nla_put_u8(skb, CDNA_ATTR_CTX_STRATEGY, ci->strategy)) ||
	    nla_put_u8(skb, CDNA_ATTR_CTX_TRUST, ci->trusted) ||
	    nla_put_u8(skb, CDNA_ATTR_CTX_SPOOFCHK, ci->spoofchk) ||
	    nla_put_u32(skb, CDNA_ATTR_CTX_TX_RATE, ci->tx_rate) ||
	    nla_put_u8(skb, CDNA_ATTR_CTX_LINK, ci->link_mode) ||
	    nla_put_u8(skb, CDNA_ATTR_CTX_LINK_UP, ci->link_up) ||
	    nla_put_string(skb, CDNA_ATTR_CTX_STATE, ci->state) ||
	    (ci->incoming && nla_put_flag(skb, CDNA_ATTR_CTX_INCOMING)) ||
	    (ci->mig_state &&
	     nla_put_string(skb, CDNA_ATTR_CTX_MIG_STATE, ci->mig_state)) ||
	    cdna_nl_put_mdev_path(skb, ci->uuid))
		return -EMSGSIZE;
	return 0;
}

/*
 * Caller holds cdna_nics_lock (ctx->nic->ifname) and a reference on @ctx.
 * The settings are copied under ctx->lock, which is held only for that:
 * a reader (anyone may read) never holds it while building the message.
 */
static int cdna_nl_ctx_fill(struct sk_buff *skb, struct cdna_ctx *ctx,
			    u32 portid, u32 seq, int flags)
{
	struct cdna_nl_ctx_info ci;
	char name[IFNAMSIZ];
	u8 mac[ETH_ALEN];
	void *hdr;
	int ret;

	lockdep_assert_held(&cdna_nics_lock);
	hdr = genlmsg_put(skb, portid, seq, &cdna_nl_family, flags,
			  CDNA_CMD_CTX_GET);
	if (!hdr)
		return -EMSGSIZE;
	mutex_lock(&ctx->lock);
	strscpy(name, ctx->name, sizeof(name));
	ether_addr_copy(mac, ctx->mac);
	ci = (struct cdna_nl_ctx_info) {
		.nic = ctx->nic->ifname,
		.name = name,
		.uuid = &ctx->uuid,
		.mac = mac,
		.vlan = ctx->vlan,
		.nqp = ctx->nqp,
		.protect = ctx->protect == &cdna_protect_iommu_ops ?
			   CDNA_PROTECT_MODE_IOMMU : CDNA_PROTECT_MODE_CHECKED,
		.strategy = ctx->strategy,
		.trusted = ctx->trusted,
		.spoofchk = ctx->spoofchk,
		.tx_rate = ctx->tx_rate,
		.link_mode = ctx->link_mode,
		.link_up = ctx->link_up,
		.state = ctx->deleting ? "deleting" :
			 cdna_ctx_state_name(ctx->state),
		.incoming = ctx->incoming,
		.mig_state = cdna_mig_state_name(ctx),
	};
	mutex_unlock(&ctx->lock);
	ret = cdna_nl_ctx_info_put(skb, &ci);
	if (ret) {
		genlmsg_cancel(skb, hdr);
		return ret;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/* Caller holds nic->lock. */
static int cdna_nl_def_fill(struct sk_buff *skb, struct cdna_nic *nic,
			    struct cdna_ctx_def *def, u32 portid, u32 seq,
			    int flags)
{
	struct cdna_nl_ctx_info ci = {
		.nic = nic->ifname,
		.name = def->name,
		.uuid = &def->uuid,
		.mac = def->mac,
		.vlan = def->vlan,
		.nqp = def->nqp,
		.protect = def->protect,
		.strategy = def->strategy,
		.trusted = def->trusted,
		.spoofchk = def->spoofchk,
		.tx_rate = def->tx_rate,
		.link_mode = def->link_mode,
		.incoming = def->incoming,
		.state = "defined",
	};
	void *hdr;

	lockdep_assert_held(&nic->lock);
	hdr = genlmsg_put(skb, portid, seq, &cdna_nl_family, flags,
			  CDNA_CMD_CTX_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (cdna_nl_ctx_info_put(skb, &ci)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/* A snapshot of one queue's counters, from its backend. */
static void cdna_nl_queue_read(struct cdna_queue *q, struct cdna_queue_stats *st)
{
	cdna_eng_queue_stats(q, st);
}

static_assert(CDNA_STATS_DROP_MAX == CDNA_DROP_MAX);

static int cdna_nl_put_drops(struct sk_buff *skb, const u64 *drops)
{
	struct nlattr *nest;
	unsigned int i;

	nest = nla_nest_start(skb, CDNA_STATS_DROPS);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < CDNA_DROP_MAX; i++)
		if (nla_put_u64_64bit(skb, i + 1, drops[i], CDNA_STATS_PAD))
			return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int cdna_nl_put_queue_stats(struct sk_buff *skb, unsigned int index,
				   const struct cdna_queue_stats *st)
{
	struct nlattr *nest;

	nest = nla_nest_start(skb, CDNA_ATTR_QUEUE_STATS);
	if (!nest ||
	    nla_put_u32(skb, CDNA_STATS_QUEUE, index) ||
	    nla_put_u64_64bit(skb, CDNA_STATS_PACKETS, st->packets,
			      CDNA_STATS_PAD) ||
	    nla_put_u64_64bit(skb, CDNA_STATS_BYTES, st->bytes,
			      CDNA_STATS_PAD) ||
	    nla_put_u64_64bit(skb, CDNA_STATS_KICKS, st->kicks,
			      CDNA_STATS_PAD) ||
	    nla_put_u64_64bit(skb, CDNA_STATS_KICK_PAGE_KICKS, st->kp_kicks,
			      CDNA_STATS_PAD) ||
	    nla_put_u64_64bit(skb, CDNA_STATS_IRQS, st->irqs, CDNA_STATS_PAD) ||
	    cdna_nl_put_drops(skb, st->drops))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/* Caller holds ctx->lock. */
static int cdna_nl_put_stats(struct sk_buff *skb, struct cdna_ctx *ctx)
{
	struct cdna_queue_stats st, sum = {};
	u64 pinned = 0, hits = 0, misses = 0, evictions = 0, irqs = 0;
	unsigned long flags;
	struct nlattr *nest;
	unsigned int i, r;

	lockdep_assert_held(&ctx->lock);
	for (i = 0; i < 2 * ctx->nqp; i++) {
		cdna_nl_queue_read(&ctx->queues[i], &st);
		sum.packets += st.packets;
		sum.bytes += st.bytes;
		sum.kicks += st.kicks;
		sum.kp_kicks += st.kp_kicks;
		for (r = 0; r < CDNA_DROP_MAX; r++)
			sum.drops[r] += st.drops[r];
	}
	spin_lock_irqsave(&ctx->irq_lock, flags);
	for (i = 0; i < ctx->nvec; i++)
		irqs += ctx->irqs[i].count;
	spin_unlock_irqrestore(&ctx->irq_lock, flags);
	if (cdna_ctx_is_open(ctx) && ctx->protect_priv) {
		if (ctx->protect->pinned_pages)
			pinned = ctx->protect->pinned_pages(ctx);
		if (ctx->protect->pin_stats)
			ctx->protect->pin_stats(ctx, &hits, &misses,
						&evictions);
	}

	nest = nla_nest_start(skb, CDNA_ATTR_STATS);
	if (!nest ||
	    nla_put_u64_64bit(skb, CDNA_STATS_PACKETS, sum.packets,
			      CDNA_STATS_PAD) ||
	    nla_put_u64_64bit(skb, CDNA_STATS_BYTES, sum.bytes,
			      CDNA_STATS_PAD) ||
	    nla_put_u64_64bit(skb, CDNA_STATS_KICKS, sum.kicks,
			      CDNA_STATS_PAD) ||
	    nla_put_u64_64bit(skb, CDNA_STATS_IRQS, irqs, CDNA_STATS_PAD) ||
	    nla_put_u64_64bit(skb, CDNA_STATS_PINNED_PAGES, pinned,
			      CDNA_STATS_PAD) ||
	    nla_put_u64_64bit(skb, CDNA_STATS_PIN_HITS, hits, CDNA_STATS_PAD) ||
	    nla_put_u64_64bit(skb, CDNA_STATS_PIN_MISSES, misses,
			      CDNA_STATS_PAD) ||
	    nla_put_u64_64bit(skb, CDNA_STATS_BAD_REG,
			      atomic64_read(&ctx->bad_reg_access),
			      CDNA_STATS_PAD) ||
	    nla_put_u64_64bit(skb, CDNA_STATS_RESETS, ctx->resets,
			      CDNA_STATS_PAD) ||
	    nla_put_u64_64bit(skb, CDNA_STATS_TX_THROTTLED,
			      atomic64_read(&ctx->tx_throttled),
			      CDNA_STATS_PAD) ||
	    nla_put_u64_64bit(skb, CDNA_STATS_KICK_PAGE_KICKS, sum.kp_kicks,
			      CDNA_STATS_PAD) ||
	    nla_put_u64_64bit(skb, CDNA_STATS_KICK_PAGE_REARMS,
			      cdna_kick_rearms(ctx), CDNA_STATS_PAD) ||
	    nla_put_u64_64bit(skb, CDNA_STATS_IOMMU_FAULTS,
			      atomic64_read(&ctx->iommu_faults),
			      CDNA_STATS_PAD) ||
	    nla_put_u32(skb, CDNA_STATS_KICK_PAGE_STATUS, ctx->kick_status) ||
	    cdna_nl_put_drops(skb, sum.drops))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);

	for (i = 0; i < 2 * ctx->nqp; i++) {
		cdna_nl_queue_read(&ctx->queues[i], &st);
		if (cdna_nl_put_queue_stats(skb, i, &st))
			return -EMSGSIZE;
	}
	return 0;
}

static int cdna_nl_stats_fill(struct sk_buff *skb, struct cdna_ctx *ctx,
			      u32 portid, u32 seq, int flags)
{
	void *hdr;
	int ret;

	hdr = genlmsg_put(skb, portid, seq, &cdna_nl_family, flags,
			  CDNA_CMD_CTX_STATS);
	if (!hdr)
		return -EMSGSIZE;
	mutex_lock(&ctx->lock);
	ret = nla_put_string(skb, CDNA_ATTR_NIC, ctx->nic->ifname) ||
	      nla_put_string(skb, CDNA_ATTR_CTX_NAME, ctx->name) ||
	      cdna_nl_put_uuid(skb, &ctx->uuid) ||
	      nla_put_string(skb, CDNA_ATTR_CTX_STATE,
			     cdna_ctx_state_name(ctx->state)) ||
	      cdna_nl_put_stats(skb, ctx) ? -EMSGSIZE : 0;
	mutex_unlock(&ctx->lock);
	if (ret) {
		genlmsg_cancel(skb, hdr);
		return ret;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/* ------------------------------------------------------------------ */
/* NIC commands                                                        */
/* ------------------------------------------------------------------ */

static int cdna_nl_nic_attach(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **tb = info->attrs;
	struct net_device *uplink;
	u32 max_ctx = 0;
	int ret;

	if (tb[CDNA_ATTR_IFNAME]) {
		uplink = dev_get_by_name(&init_net,
					 nla_data(tb[CDNA_ATTR_IFNAME]));
	} else if (tb[CDNA_ATTR_IFINDEX]) {
		uplink = dev_get_by_index(&init_net,
					  nla_get_u32(tb[CDNA_ATTR_IFINDEX]));
	} else {
		NL_SET_ERR_MSG(info->extack,
			       "uplink name or ifindex is required");
		return -EINVAL;
	}
	if (!uplink) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[CDNA_ATTR_IFNAME] ?:
				    tb[CDNA_ATTR_IFINDEX],
				    "no such network device");
		return -ENODEV;
	}
	if (tb[CDNA_ATTR_NIC_MAX_CTX])
		max_ctx = nla_get_u32(tb[CDNA_ATTR_NIC_MAX_CTX]);

	ret = cdna_nic_attach(uplink, max_ctx, info->extack);
	switch (ret) {
	case 0:
		break;
	case -EOPNOTSUPP:
		/* The backend selection said why. */
		if (info->extack->_msg)
			break;
		NL_SET_ERR_MSG(info->extack,
			       "uplink is not an Ethernet device");
		break;
	case -EEXIST:
		NL_SET_ERR_MSG(info->extack, "uplink is already attached");
		break;
	case -EBUSY:
		NL_SET_ERR_MSG(info->extack,
			       "uplink has an rx_handler already (bridge, bond or macvlan port?)");
		break;
	default:
		NL_SET_ERR_MSG(info->extack, "attaching the uplink failed");
		break;
	}
	dev_put(uplink);
	return ret;
}

static int cdna_nl_nic_detach(struct sk_buff *skb, struct genl_info *info)
{
	bool force = nla_get_flag(info->attrs[CDNA_ATTR_FORCE]);
	char ifname[IFNAMSIZ];
	struct cdna_nic *nic;
	int ret;

	mutex_lock(&cdna_nics_lock);
	nic = cdna_nl_nic_from_attrs(info);
	if (nic)
		strscpy(ifname, nic->uplink->name, sizeof(ifname));
	mutex_unlock(&cdna_nics_lock);
	if (!nic)
		return -ENODEV;

	ret = cdna_nic_detach_name(ifname, force);
	if (ret == -EBUSY)
		NL_SET_ERR_MSG(info->extack,
			       "NIC has contexts (delete them first or use force)");
	else if (ret == -ENODEV)
		NL_SET_ERR_MSG(info->extack, "uplink is not attached");
	return ret;
}

static int cdna_nl_nic_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct cdna_nic *nic;
	struct sk_buff *msg;
	int ret;

	msg = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	mutex_lock(&cdna_nics_lock);
	nic = cdna_nl_nic_from_attrs(info);
	ret = nic ? cdna_nl_nic_fill(msg, nic, info->snd_portid, info->snd_seq,
				     0) : -ENODEV;
	mutex_unlock(&cdna_nics_lock);
	if (ret) {
		nlmsg_free(msg);
		return ret;
	}
	return genlmsg_reply(msg, info);
}

static int cdna_nl_nic_get_dumpit(struct sk_buff *skb,
				  struct netlink_callback *cb)
{
	struct cdna_nic *nic;
	long idx = 0;

	mutex_lock(&cdna_nics_lock);
	list_for_each_entry(nic, &cdna_nics, node) {
		if (idx++ < cb->args[0])
			continue;
		if (cdna_nl_nic_fill(skb, nic, NETLINK_CB(cb->skb).portid,
				     cb->nlh->nlmsg_seq, NLM_F_MULTI)) {
			idx--;
			break;
		}
	}
	mutex_unlock(&cdna_nics_lock);
	cb->args[0] = idx;
	return skb->len;
}

/* ------------------------------------------------------------------ */
/* Context commands                                                    */
/* ------------------------------------------------------------------ */

/* MAC checks of CTX_NEW (CTX_SET checks in cdna_ctx_apply(), alike). */
static int cdna_nl_check_mac(struct genl_info *info, const u8 *mac)
{
	struct nlattr *attr = info->attrs[CDNA_ATTR_CTX_MAC];

	if (is_multicast_ether_addr(mac)) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "MAC address is multicast");
		return -EINVAL;
	}
	if (!is_valid_ether_addr(mac)) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr, "invalid MAC address");
		return -EINVAL;
	}
	return 0;
}

/* Is there an IOMMU that could translate for this uplink? */
static bool cdna_nl_have_iommu(struct net_device *uplink)
{
	struct device *parent = uplink ? uplink->dev.parent : NULL;

	if (parent && device_iommu_mapped(parent))
		return true;
	return iommu_present(&pci_bus_type);
}

static int cdna_nl_ctx_new(struct sk_buff *skb, struct genl_info *info)
{
	char path[sizeof(CDNA_NL_SYSFS_CLASS) + IFNAMSIZ + 64];
	struct nlattr **tb = info->attrs;
	struct cdna_ctx_def *def;
	struct cdna_nic *nic;
	struct sk_buff *msg;
	bool random_mac;
	void *hdr;
	int ret;
	u32 nqp;

	if (GENL_REQ_ATTR_CHECK(info, CDNA_ATTR_NIC) ||
	    GENL_REQ_ATTR_CHECK(info, CDNA_ATTR_CTX_NAME))
		return -EINVAL;
	def = kzalloc(sizeof(*def), GFP_KERNEL);
	if (!def)
		return -ENOMEM;

	if (!cdna_ctx_name_valid(nla_data(tb[CDNA_ATTR_CTX_NAME]))) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[CDNA_ATTR_CTX_NAME],
				    "context name must be 1-15 of [A-Za-z0-9._-]");
		ret = -EINVAL;
		goto err_free;
	}
	nla_strscpy(def->name, tb[CDNA_ATTR_CTX_NAME], sizeof(def->name));

	if (tb[CDNA_ATTR_CTX_UUID]) {
		if (guid_parse(nla_data(tb[CDNA_ATTR_CTX_UUID]), &def->uuid)) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[CDNA_ATTR_CTX_UUID],
					    "malformed UUID");
			ret = -EINVAL;
			goto err_free;
		}
	} else {
		guid_gen(&def->uuid);
	}

	random_mac = !tb[CDNA_ATTR_CTX_MAC];
	if (random_mac) {
		eth_random_addr(def->mac);
	} else {
		memcpy(def->mac, nla_data(tb[CDNA_ATTR_CTX_MAC]), ETH_ALEN);
		ret = cdna_nl_check_mac(info, def->mac);
		if (ret)
			goto err_free;
	}

	nqp = tb[CDNA_ATTR_CTX_QUEUE_PAIRS] ?
	      nla_get_u32(tb[CDNA_ATTR_CTX_QUEUE_PAIRS]) : 1;
	if (!nqp || nqp > CDNA_MAX_QUEUE_PAIRS) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[CDNA_ATTR_CTX_QUEUE_PAIRS],
				    "queue pairs out of range (1..8)");
		ret = -ERANGE;
		goto err_free;
	}
	if (!is_power_of_2(nqp)) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[CDNA_ATTR_CTX_QUEUE_PAIRS],
				    "queue pairs must be 1, 2, 4 or 8");
		ret = -EINVAL;
		goto err_free;
	}
	def->nqp = nqp;

	if (tb[CDNA_ATTR_CTX_VLAN])
		def->vlan = nla_get_u16(tb[CDNA_ATTR_CTX_VLAN]);
	if (tb[CDNA_ATTR_CTX_PROTECT])
		def->protect = nla_get_u8(tb[CDNA_ATTR_CTX_PROTECT]);
	if (tb[CDNA_ATTR_CTX_STRATEGY]) {
		if (def->protect != CDNA_PROTECT_MODE_IOMMU) {
			NL_SET_ERR_MSG_ATTR(info->extack,
					    tb[CDNA_ATTR_CTX_STRATEGY],
					    "a mapping strategy is for iommu protection only");
			ret = -EINVAL;
			goto err_free;
		}
		def->strategy = nla_get_u8(tb[CDNA_ATTR_CTX_STRATEGY]);
	}
	def->trusted = tb[CDNA_ATTR_CTX_TRUST] &&
		       nla_get_u8(tb[CDNA_ATTR_CTX_TRUST]);
	def->spoofchk = !tb[CDNA_ATTR_CTX_SPOOFCHK] ||
			nla_get_u8(tb[CDNA_ATTR_CTX_SPOOFCHK]);
	if (tb[CDNA_ATTR_CTX_TX_RATE])
		def->tx_rate = nla_get_u32(tb[CDNA_ATTR_CTX_TX_RATE]);
	if (tb[CDNA_ATTR_CTX_LINK])
		def->link_mode = nla_get_u8(tb[CDNA_ATTR_CTX_LINK]);
	def->incoming = nla_get_flag(tb[CDNA_ATTR_CTX_INCOMING]);
	if (def->incoming && random_mac) {
		NL_SET_ERR_MSG(info->extack,
			       "an incoming context needs the MAC of the VM it receives");
		ret = -EINVAL;
		goto err_free;
	}

	msg = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg) {
		ret = -ENOMEM;
		goto err_free;
	}

	mutex_lock(&cdna_nics_lock);
	nic = cdna_nic_find_locked(nla_data(tb[CDNA_ATTR_NIC]), NULL);
	if (!nic) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[CDNA_ATTR_NIC],
				    "unknown NIC (not attached)");
		ret = -ENODEV;
		goto err_unlock;
	}
	if (nqp > nic->caps.max_qp) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[CDNA_ATTR_CTX_QUEUE_PAIRS],
				    "more queue pairs than the NIC's backend offers per context");
		ret = -EOPNOTSUPP;
		goto err_unlock;
	}
	if (def->protect == CDNA_PROTECT_MODE_IOMMU &&
	    !(nic->caps.flags & CDNA_ENG_CAP_DMA)) {
		/* An IOMMU does not constrain what a CPU copies. */
		NL_SET_ERR_MSG_ATTR(info->extack, tb[CDNA_ATTR_CTX_PROTECT],
				    "iommu protection needs a NIC that does the DMA itself (igb backend); this NIC's backend copies with the CPU");
		ret = -EOPNOTSUPP;
		goto err_unlock;
	}
	if (def->protect == CDNA_PROTECT_MODE_IOMMU &&
	    !cdna_nl_have_iommu(nic->uplink)) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[CDNA_ATTR_CTX_PROTECT],
				    "iommu protection needs an IOMMU, and this host has none (or it is off)");
		ret = -EOPNOTSUPP;
		goto err_unlock;
	}

	/*
	 * The reply is complete before the definition is handed over: from
	 * cdna_nic_ctx_define() on, @def is the NIC's, and an mdev probe may
	 * consume and free it as soon as nic->lock drops.  Nothing reads
	 * @def after that, and nothing can fail any more.
	 */
	snprintf(path, sizeof(path),
		 CDNA_NL_SYSFS_CLASS "/%s/mdev_supported_types/%s-%uqp/create",
		 dev_name(&nic->dev), CDNA_DRV_NAME, nqp);
	hdr = genlmsg_put_reply(msg, info, &cdna_nl_family, 0,
				CDNA_CMD_CTX_NEW);
	if (!hdr ||
	    nla_put_string(msg, CDNA_ATTR_NIC, nic->ifname) ||
	    nla_put_string(msg, CDNA_ATTR_CTX_NAME, def->name) ||
	    cdna_nl_put_uuid(msg, &def->uuid) ||
	    nla_put_string(msg, CDNA_ATTR_CTX_CREATE_PATH, path) ||
	    cdna_nl_put_mdev_path(msg, &def->uuid)) {
		ret = -EMSGSIZE;
		goto err_unlock;
	}

	ret = cdna_nic_ctx_define(nic, def, info->extack);
	if ((ret == -EEXIST || ret == -EADDRINUSE) && random_mac) {
		/* A random MAC collided: one more draw. */
		eth_random_addr(def->mac);
		ret = cdna_nic_ctx_define(nic, def, info->extack);
	}
	if (ret)
		goto err_unlock;
	def = NULL;	/* the NIC's now */
	mutex_unlock(&cdna_nics_lock);
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_unlock:
	mutex_unlock(&cdna_nics_lock);
	nlmsg_free(msg);
err_free:
	kfree(def);
	return ret;
}

static int cdna_nl_ctx_del(struct sk_buff *skb, struct genl_info *info)
{
	bool force = nla_get_flag(info->attrs[CDNA_ATTR_FORCE]);
	struct cdna_nic *nic;
	struct cdna_ctx *ctx;
	struct sk_buff *msg;
	const char *name;
	bool by_uuid;
	guid_t uuid;
	void *hdr;
	int ret;

	ret = cdna_nl_ctx_key(info, &name, &uuid, &by_uuid);
	if (ret)
		return ret;
	msg = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &cdna_nl_family, 0,
				CDNA_CMD_CTX_DEL);
	if (!hdr) {
		ret = -EMSGSIZE;
		goto err_free;
	}

	mutex_lock(&cdna_nics_lock);
	ctx = cdna_nl_ctx_find(name, by_uuid ? &uuid : NULL);
	if (!ctx) {
		/* A definition not created yet: drop it. */
		nic = cdna_nl_def_nic(name, by_uuid ? &uuid : NULL);
		if (nic) {
			struct cdna_ctx_def *def;

			mutex_lock(&nic->lock);
			def = cdna_nic_def_find_locked(nic, name,
						       by_uuid ? &uuid : NULL);
			if (def)
				uuid = def->uuid;
			mutex_unlock(&nic->lock);
			ret = def ? cdna_nic_ctx_undefine(nic, &uuid) : -ENOENT;
		} else {
			ret = -ENOENT;
		}
		mutex_unlock(&cdna_nics_lock);
		if (ret) {
			NL_SET_ERR_MSG(info->extack, "no such context");
			goto err_free;
		}
		genlmsg_end(msg, hdr);
		return genlmsg_reply(msg, info);
	}

	ret = cdna_ctx_delete_begin(ctx, force);
	if (ret) {
		NL_SET_ERR_MSG(info->extack,
			       "context is in use by a VM (use force)");
	} else if (cdna_nl_put_uuid(msg, &ctx->uuid) ||
		   cdna_nl_put_mdev_path(msg, &ctx->uuid)) {
		ret = -EMSGSIZE;
	}
	cdna_nl_ctx_put(ctx);
	mutex_unlock(&cdna_nics_lock);
	if (ret)
		goto err_free;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free:
	nlmsg_free(msg);
	return ret;
}

static int cdna_nl_ctx_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct cdna_nic *nic;
	struct cdna_ctx *ctx;
	struct sk_buff *msg;
	const char *name;
	bool by_uuid;
	guid_t uuid;
	int ret;

	ret = cdna_nl_ctx_key(info, &name, &uuid, &by_uuid);
	if (ret)
		return ret;
	msg = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	mutex_lock(&cdna_nics_lock);
	ctx = cdna_nl_ctx_find(name, by_uuid ? &uuid : NULL);
	if (ctx) {
		ret = cdna_nl_ctx_fill(msg, ctx, info->snd_portid,
				       info->snd_seq, 0);
		cdna_nl_ctx_put(ctx);
	} else {
		nic = cdna_nl_def_nic(name, by_uuid ? &uuid : NULL);
		ret = -ENOENT;
		if (nic) {
			struct cdna_ctx_def *def;

			mutex_lock(&nic->lock);
			def = cdna_nic_def_find_locked(nic, name,
						       by_uuid ? &uuid : NULL);
			if (def)
				ret = cdna_nl_def_fill(msg, nic, def,
						       info->snd_portid,
						       info->snd_seq, 0);
			mutex_unlock(&nic->lock);
		}
		if (ret == -ENOENT)
			NL_SET_ERR_MSG(info->extack, "no such context");
	}
	mutex_unlock(&cdna_nics_lock);
	if (ret) {
		nlmsg_free(msg);
		return ret;
	}
	return genlmsg_reply(msg, info);
}

/*
 * Dump every context (and definition) of every NIC, or of the NIC in
 * CDNA_ATTR_NIC.  cb->args[0] counts entries already sent.
 */
static int cdna_nl_ctx_dump(struct sk_buff *skb, struct netlink_callback *cb,
			    bool stats)
{
	struct nlattr *filter = cdna_genl_dumpit_attrs(cb)[CDNA_ATTR_NIC];
	u32 portid = NETLINK_CB(cb->skb).portid;
	u32 seq = cb->nlh->nlmsg_seq;
	struct cdna_ctx_def *def;
	struct cdna_nic *nic;
	struct cdna_ctx *ctx;
	long idx = 0;
	int ret = 0;

	mutex_lock(&cdna_nics_lock);
	list_for_each_entry(nic, &cdna_nics, node) {
		if (filter && strcmp(nic->ifname, nla_data(filter)))
			continue;
		mutex_lock(&nic->lock);
		list_for_each_entry(ctx, &nic->ctx_list, node) {
			if (idx++ < cb->args[0])
				continue;
			ret = stats ?
			      cdna_nl_stats_fill(skb, ctx, portid, seq,
						 NLM_F_MULTI) :
			      cdna_nl_ctx_fill(skb, ctx, portid, seq,
					       NLM_F_MULTI);
			if (ret)
				break;
		}
		list_for_each_entry(def, &nic->defs, node) {
			if (ret || stats)
				break;
			if (idx++ < cb->args[0])
				continue;
			ret = cdna_nl_def_fill(skb, nic, def, portid, seq,
					       NLM_F_MULTI);
		}
		mutex_unlock(&nic->lock);
		if (ret) {
			idx--;
			break;
		}
	}
	mutex_unlock(&cdna_nics_lock);
	cb->args[0] = idx;
	return skb->len;
}

static int cdna_nl_ctx_get_dumpit(struct sk_buff *skb,
				  struct netlink_callback *cb)
{
	return cdna_nl_ctx_dump(skb, cb, false);
}

static int cdna_nl_ctx_set(struct sk_buff *skb, struct genl_info *info)
{
	struct cdna_ctx_settings set = {};
	struct nlattr **tb = info->attrs;
	struct cdna_ctx *ctx;
	const char *name;
	bool by_uuid;
	guid_t uuid;
	int ret;

	ret = cdna_nl_ctx_key(info, &name, &uuid, &by_uuid);
	if (ret)
		return ret;
	if (tb[CDNA_ATTR_CTX_QUEUE_PAIRS] || tb[CDNA_ATTR_NIC]) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    tb[CDNA_ATTR_CTX_QUEUE_PAIRS] ?:
				    tb[CDNA_ATTR_NIC],
				    "NIC and queue pairs are fixed at creation");
		return -EOPNOTSUPP;
	}
	if (tb[CDNA_ATTR_CTX_STRATEGY] && !tb[CDNA_ATTR_CTX_PROTECT]) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[CDNA_ATTR_CTX_STRATEGY],
				    "a mapping strategy comes with protect iommu");
		return -EINVAL;
	}
	if (tb[CDNA_ATTR_CTX_PROTECT]) {
		set.mask |= CDNA_SET_PROTECT;
		set.protect = nla_get_u8(tb[CDNA_ATTR_CTX_PROTECT]);
		if (tb[CDNA_ATTR_CTX_STRATEGY])
			set.strategy = nla_get_u8(tb[CDNA_ATTR_CTX_STRATEGY]);
		if (set.protect != CDNA_PROTECT_MODE_IOMMU && set.strategy) {
			NL_SET_ERR_MSG_ATTR(info->extack,
					    tb[CDNA_ATTR_CTX_STRATEGY],
					    "a mapping strategy is for iommu protection only");
			return -EINVAL;
		}
	}
	if (by_uuid && tb[CDNA_ATTR_CTX_NAME]) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[CDNA_ATTR_CTX_NAME],
				    "a context cannot be renamed");
		return -EOPNOTSUPP;
	}
	if (tb[CDNA_ATTR_CTX_MAC]) {
		set.mask |= CDNA_SET_MAC;
		memcpy(set.mac, nla_data(tb[CDNA_ATTR_CTX_MAC]), ETH_ALEN);
	}
	if (tb[CDNA_ATTR_CTX_VLAN]) {
		set.mask |= CDNA_SET_VLAN;
		set.vlan = nla_get_u16(tb[CDNA_ATTR_CTX_VLAN]);
	}
	if (tb[CDNA_ATTR_CTX_TRUST]) {
		set.mask |= CDNA_SET_TRUST;
		set.trusted = nla_get_u8(tb[CDNA_ATTR_CTX_TRUST]);
	}
	if (tb[CDNA_ATTR_CTX_SPOOFCHK]) {
		set.mask |= CDNA_SET_SPOOFCHK;
		set.spoofchk = nla_get_u8(tb[CDNA_ATTR_CTX_SPOOFCHK]);
	}
	if (tb[CDNA_ATTR_CTX_TX_RATE]) {
		set.mask |= CDNA_SET_TX_RATE;
		set.tx_rate = nla_get_u32(tb[CDNA_ATTR_CTX_TX_RATE]);
	}
	if (tb[CDNA_ATTR_CTX_LINK]) {
		set.mask |= CDNA_SET_LINK;
		set.link_mode = nla_get_u8(tb[CDNA_ATTR_CTX_LINK]);
	}

	mutex_lock(&cdna_nics_lock);
	ctx = cdna_nl_ctx_find(name, by_uuid ? &uuid : NULL);
	if (!ctx) {
		NL_SET_ERR_MSG(info->extack, "no such context");
		ret = -ENOENT;
		goto out_unlock;
	}
	if ((set.mask & CDNA_SET_PROTECT) &&
	    set.protect == CDNA_PROTECT_MODE_IOMMU &&
	    (ctx->nic->caps.flags & CDNA_ENG_CAP_DMA) &&
	    !cdna_nl_have_iommu(ctx->nic->uplink)) {
		NL_SET_ERR_MSG(info->extack,
			       "iommu protection needs an IOMMU, and this host has none (or it is off)");
		ret = -EOPNOTSUPP;
	} else {
		ret = cdna_ctx_apply(ctx, &set, info->extack);
	}
	cdna_nl_ctx_put(ctx);
out_unlock:
	mutex_unlock(&cdna_nics_lock);
	return ret;
}

static int cdna_nl_ctx_stats_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct cdna_ctx *ctx;
	struct sk_buff *msg;
	const char *name;
	bool by_uuid;
	guid_t uuid;
	int ret;

	ret = cdna_nl_ctx_key(info, &name, &uuid, &by_uuid);
	if (ret)
		return ret;
	msg = nlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	mutex_lock(&cdna_nics_lock);
	ctx = cdna_nl_ctx_find(name, by_uuid ? &uuid : NULL);
	if (ctx) {
		ret = cdna_nl_stats_fill(msg, ctx, info->snd_portid,
					 info->snd_seq, 0);
		cdna_nl_ctx_put(ctx);
	} else {
		NL_SET_ERR_MSG(info->extack, "no such context");
		ret = -ENOENT;
	}
	mutex_unlock(&cdna_nics_lock);
	if (ret) {
		nlmsg_free(msg);
		return ret;
	}
	return genlmsg_reply(msg, info);
}

static int cdna_nl_ctx_stats_dumpit(struct sk_buff *skb,
				    struct netlink_callback *cb)
{
	return cdna_nl_ctx_dump(skb, cb, true);
}

/* ------------------------------------------------------------------ */
/* Events                                                              */
/* ------------------------------------------------------------------ */

/**
 * cdna_nl_event() - tell the "events" group about a context
 * @ctx: the context
 * @event: what happened
 *
 * Caller holds ctx->lock (for the name and state).  Does nothing without
 * listeners; allocates with GFP_ATOMIC so that no caller of the state
 * machine has to care where it runs.
 */
void cdna_nl_event(struct cdna_ctx *ctx, enum cdna_event event)
{
	struct sk_buff *msg;
	void *hdr;

	lockdep_assert_held(&ctx->lock);
	if (!READ_ONCE(cdna_nl_registered) ||
	    !genl_has_listeners(&cdna_nl_family, &init_net, 0))
		return;
	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_ATOMIC);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &cdna_nl_family, 0, CDNA_CMD_EVENT);
	if (!hdr ||
	    nla_put_u8(msg, CDNA_ATTR_EVENT, event) ||
	    nla_put_string(msg, CDNA_ATTR_NIC, ctx->nic->ifname) ||
	    nla_put_string(msg, CDNA_ATTR_CTX_NAME, ctx->name) ||
	    cdna_nl_put_uuid(msg, &ctx->uuid) ||
	    nla_put_string(msg, CDNA_ATTR_CTX_STATE,
			   cdna_ctx_state_name(ctx->state)) ||
	    nla_put_string(msg, CDNA_ATTR_CTX_MIG_STATE,
			   cdna_mig_state_name(ctx)) ||
	    nla_put_u8(msg, CDNA_ATTR_CTX_LINK_UP, ctx->link_up)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	genlmsg_multicast(&cdna_nl_family, msg, 0, 0, GFP_ATOMIC);
}

/* VERSION_GET: the module's version (the tree's VERSION); anyone may ask. */
static int cdna_nl_version_get(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(nla_total_size(sizeof(CDNA_VERSION)), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &cdna_nl_family, 0,
				CDNA_CMD_VERSION_GET);
	if (!hdr || nla_put_string(msg, CDNA_ATTR_VERSION, CDNA_VERSION)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/* ------------------------------------------------------------------ */
/* Family                                                              */
/* ------------------------------------------------------------------ */

/*
 * The operations.  Changing ones and CTX_STATS need CAP_NET_ADMIN
 * (GENL_ADMIN_PERM); every one is validated strictly against
 * cdna_nl_policy.
 */
static const struct genl_ops cdna_nl_ops[] = {
	{
		.cmd	= CDNA_CMD_NIC_ATTACH,
		.doit	= cdna_nl_nic_attach,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= CDNA_CMD_NIC_DETACH,
		.doit	= cdna_nl_nic_detach,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= CDNA_CMD_NIC_GET,
		.doit	= cdna_nl_nic_get_doit,
		.dumpit	= cdna_nl_nic_get_dumpit,
	},
	{
		.cmd	= CDNA_CMD_CTX_NEW,
		.doit	= cdna_nl_ctx_new,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= CDNA_CMD_CTX_DEL,
		.doit	= cdna_nl_ctx_del,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= CDNA_CMD_CTX_GET,
		.doit	= cdna_nl_ctx_get_doit,
		.dumpit	= cdna_nl_ctx_get_dumpit,
	},
	{
		.cmd	= CDNA_CMD_CTX_SET,
		.doit	= cdna_nl_ctx_set,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= CDNA_CMD_CTX_STATS,
		.doit	= cdna_nl_ctx_stats_doit,
		.dumpit	= cdna_nl_ctx_stats_dumpit,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= CDNA_CMD_VERSION_GET,
		.doit	= cdna_nl_version_get,
	},
};

/* Joining "events" needs CAP_NET_ADMIN: it tells what the VMs do. */
static const struct genl_multicast_group cdna_nl_mcgrps[] = {
	{ .name = CDNA_GENL_MCGRP_EVENTS, .flags = GENL_MCAST_CAP_NET_ADMIN, },
};

static struct genl_family cdna_nl_family = {
	.name		= CDNA_GENL_NAME,
	.version	= CDNA_GENL_VERSION,
	.maxattr	= CDNA_ATTR_MAX,
	.policy		= cdna_nl_policy,
	.netnsok	= false,
	.module		= THIS_MODULE,
	.ops		= cdna_nl_ops,
	.n_ops		= ARRAY_SIZE(cdna_nl_ops),
	/* Every op is new: reserved header fields are validated. */
	.resv_start_op	= CDNA_CMD_NIC_ATTACH,
	.mcgrps		= cdna_nl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(cdna_nl_mcgrps),
};

/**
 * cdna_nl_init() - register the generic netlink family
 *
 * Return: 0 or a negative errno.
 */
int cdna_nl_init(void)
{
	int ret;

	ret = genl_register_family(&cdna_nl_family);
	if (!ret)
		WRITE_ONCE(cdna_nl_registered, true);
	return ret;
}

/**
 * cdna_nl_exit() - unregister the generic netlink family
 */
void cdna_nl_exit(void)
{
	WRITE_ONCE(cdna_nl_registered, false);
	genl_unregister_family(&cdna_nl_family);
}
