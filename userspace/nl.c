// SPDX-License-Identifier: GPL-2.0
/*
 * cdnactl: generic netlink over libmnl.
 *
 * One socket, the family id resolved once, extended acks enabled: a
 * kernel error is printed as "Error: <extack message>" (naming the
 * attribute the kernel pointed at, by its cdnactl keyword), or as the
 * errno's text when the kernel gave no message.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include <linux/cdna.h>

#include "cdnactl.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK		11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK		10
#endif

static struct {
	struct mnl_socket *sk;
	uint16_t family;
	uint32_t mcgrp;		/* the "events" multicast group */
	uint32_t seq;
	uint32_t portid;
	char req[8192];
	char *buf;
	size_t bufsz;
} nl;

/* The cdnactl keyword of a request attribute, for error messages. */
static const char *const nl_attr_kw[CDNA_ATTR_MAX + 1] = {
	[CDNA_ATTR_IFNAME]		= "dev",
	[CDNA_ATTR_IFINDEX]		= "dev",
	[CDNA_ATTR_NIC_MAX_CTX]		= "max_ctx",
	[CDNA_ATTR_NIC]			= "nic",
	[CDNA_ATTR_CTX_NAME]		= "name",
	[CDNA_ATTR_CTX_UUID]		= "uuid",
	[CDNA_ATTR_CTX_MAC]		= "mac",
	[CDNA_ATTR_CTX_VLAN]		= "vlan",
	[CDNA_ATTR_CTX_QUEUE_PAIRS]	= "queues",
	[CDNA_ATTR_CTX_PROTECT]		= "protect",
	[CDNA_ATTR_CTX_TRUST]		= "trust",
	[CDNA_ATTR_CTX_SPOOFCHK]	= "spoofchk",
	[CDNA_ATTR_CTX_TX_RATE]		= "rate",
	[CDNA_ATTR_CTX_LINK]		= "link",
	[CDNA_ATTR_FORCE]		= "force",
	[CDNA_ATTR_CTX_INCOMING]	= "incoming",
	[CDNA_ATTR_CTX_STRATEGY]	= "strategy",
};

static int nl_family_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nlattr *a, *g, *ga;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID &&
		    mnl_attr_get_payload_len(a) >= sizeof(uint16_t))
			*(uint16_t *)data = mnl_attr_get_u16(a);
		if (mnl_attr_get_type(a) != CTRL_ATTR_MCAST_GROUPS)
			continue;
		mnl_attr_for_each_nested(g, a) {
			const char *name = NULL;
			uint32_t id = 0;

			mnl_attr_for_each_nested(ga, g) {
				if (mnl_attr_get_type(ga) == CTRL_ATTR_MCAST_GRP_ID)
					id = mnl_attr_get_u32(ga);
				if (mnl_attr_get_type(ga) == CTRL_ATTR_MCAST_GRP_NAME)
					name = mnl_attr_get_str(ga);
			}
			if (name && !strcmp(name, CDNA_GENL_MCGRP_EVENTS))
				nl.mcgrp = id;
		}
	}
	return MNL_CB_OK;
}

static struct nlmsghdr *nl_put_header(uint16_t type, uint8_t cmd,
				      uint8_t version, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nl.req);
	struct genlmsghdr *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ++nl.seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = version;
	return nlh;
}

/*
 * Why is the family missing?  It is registered in the initial network
 * namespace only (not netns-aware): from another one it does not exist
 * even with cdna.ko loaded.  /sys/module is the same in every namespace.
 */
static void nl_explain_no_family(void)
{
	char self[64] = "", init[64] = "";
	ssize_t n;

	if (access("/sys/module/cdna", F_OK)) {
		fprintf(stderr, "Error: the \"%s\" generic netlink family is not "
			"available: cdna.ko is not loaded.\n", CDNA_GENL_NAME);
		return;
	}
	n = readlink("/proc/self/ns/net", self, sizeof(self) - 1);
	if (n > 0)
		self[n] = 0;
	n = readlink("/proc/1/ns/net", init, sizeof(init) - 1);
	if (n > 0)
		init[n] = 0;
	if (self[0] && init[0] && strcmp(self, init)) {
		fprintf(stderr, "Error: the \"%s\" generic netlink family exists "
			"only in the initial network namespace, and cdnactl runs "
			"in another one (%s): run it outside this namespace.\n",
			CDNA_GENL_NAME, self);
		return;
	}
	fprintf(stderr, "Error: cdna.ko is loaded but its \"%s\" generic netlink "
		"family is not available%s.\n", CDNA_GENL_NAME,
		init[0] ? "" : " (is cdnactl in another network namespace? "
		"The family exists only in the initial one)");
}

static int nl_open_common(bool quiet)
{
	struct nlmsghdr *nlh;
	int one = 1;

	nl.bufsz = 32768;	/* MNL_SOCKET_DUMP_SIZE */
	nl.buf = malloc(nl.bufsz);
	nl.sk = mnl_socket_open(NETLINK_GENERIC);
	if (!nl.buf || !nl.sk || mnl_socket_bind(nl.sk, 0, MNL_SOCKET_AUTOPID)) {
		if (!quiet)
			cdnactl_err("cannot open a generic netlink socket: %s",
				    strerror(errno));
		cdnactl_set_status(CDNACTL_EXIT_UNREACHABLE);
		return -1;
	}
	mnl_socket_setsockopt(nl.sk, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl.sk, NETLINK_CAP_ACK, &one, sizeof(one));
	nl.portid = mnl_socket_get_portid(nl.sk);
	nl.seq = (uint32_t)time(NULL);

	nlh = nl_put_header(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, 0);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, CDNA_GENL_NAME);
	if (nl_talk_quiet(nlh, nl_family_cb, &nl.family) || !nl.family) {
		if (!quiet)
			nl_explain_no_family();
		cdnactl_set_status(CDNACTL_EXIT_UNREACHABLE);
		return -1;
	}
	return 0;
}

int nl_open(void)
{
	return nl_open_common(false);
}

void nl_close(void)
{
	if (nl.sk)
		mnl_socket_close(nl.sk);
	free(nl.buf);
	memset(&nl, 0, sizeof(nl));
}

struct nlmsghdr *nl_request(uint8_t cmd, uint16_t flags)
{
	return nl_put_header(nl.family, cmd, CDNA_GENL_VERSION, flags);
}

void nl_put_name_or_uuid(struct nlmsghdr *nlh, const char *key)
{
	if (cdnactl_uuid_valid(key))
		mnl_attr_put_strz(nlh, CDNA_ATTR_CTX_UUID, key);
	else
		mnl_attr_put_strz(nlh, CDNA_ATTR_CTX_NAME, key);
}

/* Which request attribute starts at byte @off of the request? */
static const char *nl_attr_at(const struct nlmsghdr *req, uint32_t off)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, req, sizeof(struct genlmsghdr)) {
		if ((const char *)a - (const char *)req == (long)off) {
			unsigned int t = mnl_attr_get_type(a);

			return t <= CDNA_ATTR_MAX ? nl_attr_kw[t] : NULL;
		}
	}
	return NULL;
}

struct nl_err {
	const struct nlmsghdr *req;
	const char *msg;
	const char *attr;
	char msgbuf[256];
};

static int nl_error_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	struct nl_err *e = data;
	const struct nlattr *a;
	unsigned int off;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*err))) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (!err->error)
		return MNL_CB_STOP;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		off = sizeof(*err);
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += mnl_nlmsg_get_payload_len(&err->msg);
		mnl_attr_for_each(a, nlh, off) {
			switch (mnl_attr_get_type(a)) {
			case NLMSGERR_ATTR_MSG:
				snprintf(e->msgbuf, sizeof(e->msgbuf), "%s",
					 mnl_attr_get_str(a));
				e->msg = e->msgbuf;
				break;
			case NLMSGERR_ATTR_OFFS:
				e->attr = nl_attr_at(e->req,
						     mnl_attr_get_u32(a));
				break;
			}
		}
	}
	errno = -err->error;
	return MNL_CB_ERROR;
}

static void nl_print_error(const struct nl_err *e, int err)
{
	const char *msg = e->msg ? e->msg : strerror(err);

	cdnactl_set_status(CDNACTL_EXIT_FAILED);
	if (e->attr)
		fprintf(stderr, "Error: %s (%s).\n", msg, e->attr);
	else
		fprintf(stderr, "Error: %s.\n", msg);
}

/* Run the replies of one request; 1 when the last one was seen. */
static int nl_run(const char *buf, int len, uint32_t seq, struct nl_err *e,
		  int (*cb)(const struct nlmsghdr *nlh, void *data),
		  void *data)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	int ret;

	for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
		if (!mnl_nlmsg_portid_ok(nlh, nl.portid) ||
		    !mnl_nlmsg_seq_ok(nlh, seq))
			continue;	/* not ours (a stale reply) */
		switch (nlh->nlmsg_type) {
		case NLMSG_NOOP:
		case NLMSG_OVERRUN:
			continue;
		case NLMSG_ERROR:
			return nl_error_cb(nlh, e) == MNL_CB_STOP ? 1 : -1;
		case NLMSG_DONE:
			if (nlh->nlmsg_len >= mnl_nlmsg_size(sizeof(int)) &&
			    *(int *)mnl_nlmsg_get_payload(nlh) < 0) {
				errno = -*(int *)mnl_nlmsg_get_payload(nlh);
				return -1;
			}
			return 1;
		default:
			if (!cb)
				continue;
			ret = cb(nlh, data);
			if (ret == MNL_CB_ERROR)
				return -1;
			if (ret == MNL_CB_STOP)
				return 1;
		}
	}
	return 0;
}

static int nl_talk_common(struct nlmsghdr *nlh, bool quiet,
			  int (*cb)(const struct nlmsghdr *nlh, void *data),
			  void *data)
{
	struct nl_err e = { .req = nlh };
	int ret, len;

	if (mnl_socket_sendto(nl.sk, nlh, nlh->nlmsg_len) < 0) {
		cdnactl_err("netlink send: %s", strerror(errno));
		return -1;
	}
	do {
		len = mnl_socket_recvfrom(nl.sk, nl.buf, nl.bufsz);
		if (len < 0) {
			e.msg = NULL;
			ret = -1;
			break;
		}
		ret = nl_run(nl.buf, len, nlh->nlmsg_seq, &e, cb, data);
	} while (!ret);
	if (ret < 0) {
		int err = errno;

		if (!quiet)
			nl_print_error(&e, err);
		errno = err;
		return -1;
	}
	return 0;
}

int nl_talk(struct nlmsghdr *nlh,
	    int (*cb)(const struct nlmsghdr *nlh, void *data), void *data)
{
	return nl_talk_common(nlh, false, cb, data);
}

int nl_talk_quiet(struct nlmsghdr *nlh,
		  int (*cb)(const struct nlmsghdr *nlh, void *data),
		  void *data)
{
	return nl_talk_common(nlh, true, cb, data);
}

int nl_parse(const struct nlmsghdr *nlh, const struct nlattr **tb)
{
	const struct nlattr *a;

	memset(tb, 0, sizeof(*tb) * (CDNA_ATTR_MAX + 1));
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		unsigned int t = mnl_attr_get_type(a);

		if (t <= CDNA_ATTR_MAX)
			tb[t] = a;
	}
	return 0;
}

int nl_parse_nested(const struct nlattr *nest, const struct nlattr **tb,
		    unsigned int max)
{
	const struct nlattr *a;

	memset(tb, 0, sizeof(*tb) * (max + 1));
	mnl_attr_for_each_nested(a, nest) {
		unsigned int t = mnl_attr_get_type(a);

		if (t <= max)
			tb[t] = a;
	}
	return 0;
}

int nl_monitor(int (*cb)(const struct nlmsghdr *nlh, void *data), void *data)
{
	int grp = (int)nl.mcgrp, len;

	if (!grp || mnl_socket_setsockopt(nl.sk, NETLINK_ADD_MEMBERSHIP, &grp,
					  sizeof(grp))) {
		cdnactl_err("cannot join the \"%s\" group: %s",
			    CDNA_GENL_MCGRP_EVENTS, grp ? strerror(errno) :
			    "not offered by the kernel");
		return -1;
	}
	for (;;) {
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)nl.buf;

		len = mnl_socket_recvfrom(nl.sk, nl.buf, nl.bufsz);
		if (len < 0) {
			if (errno == ENOBUFS || errno == EINTR)
				continue;
			cdnactl_err("netlink receive: %s", strerror(errno));
			return -1;
		}
		for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len))
			if (nlh->nlmsg_type == nl.family &&
			    cb(nlh, data) == MNL_CB_ERROR)
				return -1;
	}
}

static int nl_version_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[CDNA_ATTR_MAX + 1];

	nl_parse(nlh, tb);
	if (tb[CDNA_ATTR_VERSION])
		snprintf(data, 64, "%s", mnl_attr_get_str(tb[CDNA_ATTR_VERSION]));
	return MNL_CB_OK;
}

/**
 * cdnactl_print_version() - print cdnactl's version and cdna.ko's (-V)
 *
 * The kernel side's comes from CDNA_CMD_VERSION_GET; a module too old to
 * know it, or a family out of reach, is said so.
 *
 * Return: 0.
 */
int cdnactl_print_version(void)
{
	char kver[64] = "";

	printf("cdnactl %s, ", CDNACTL_VERSION);
	if (nl_open_common(true)) {
		printf("cdna.ko %s\n", access("/sys/module/cdna", F_OK) ?
		       "not loaded" : "not reachable from this network namespace");
	} else if (nl_talk_quiet(nl_request(CDNA_CMD_VERSION_GET, 0),
				 nl_version_cb, kver)) {
		/* EOPNOTSUPP: a cdna.ko older than CDNA_CMD_VERSION_GET */
		printf("cdna.ko (version unknown: %s)\n", strerror(errno));
	} else {
		printf("cdna.ko %s\n", kver[0] ? kver : "(no version in the reply)");
	}
	nl_close();
	cdnactl_exit_status(0);	/* forget the quiet errors */
	return 0;
}
