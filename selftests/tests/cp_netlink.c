// SPDX-License-Identifier: GPL-2.0
/*
 * cp_netlink: the "cdna" generic netlink family with raw requests that
 * cdnactl never sends - missing, oversized, wrong-type, unknown and
 * output-only attributes, out-of-range values, reserved header bytes -
 * each answered with a specific errno and extack (message, offset or
 * missing type), plus pending definitions, a mismatched mdev type, a
 * definition whose MAC the uplink took, the "events" multicast group, what
 * an unprivileged user may do, and reads racing with deletions.  Runs in
 * L1; loads cdna.ko itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <poll.h>
#include <pthread.h>
#include <grp.h>
#include <time.h>
#include <sys/wait.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/cdna.h>

/* The harness compares signed expectations with unsigned values. */
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"

#define NIC	"cpnl0"
#define PEER	"cpnl1"

struct reply {
	int error;
	char msg[256];
	int offs;		/* -1: none */
	int miss_type;		/* -1: none */
	char uuid[64];
	char create[256];
	char mdev[256];
	int event;		/* -1: none */
	int link_up;
};

FIXTURE(nl) {
	struct mnl_socket *sk;
	uint16_t family;
	uint32_t mcgrp;
	uint32_t seq;
	char buf[65536];
	char req[4096];
};

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	FIXTURE_DATA(nl) *self = data;
	struct nlattr *a, *g, *ga;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID)
			self->family = mnl_attr_get_u16(a);
		if (mnl_attr_get_type(a) != CTRL_ATTR_MCAST_GROUPS)
			continue;
		mnl_attr_for_each_nested(g, a) {
			uint32_t id = 0;
			const char *name = NULL;

			mnl_attr_for_each_nested(ga, g) {
				if (mnl_attr_get_type(ga) == CTRL_ATTR_MCAST_GRP_ID)
					id = mnl_attr_get_u32(ga);
				if (mnl_attr_get_type(ga) == CTRL_ATTR_MCAST_GRP_NAME)
					name = mnl_attr_get_str(ga);
			}
			if (name && !strcmp(name, CDNA_GENL_MCGRP_EVENTS))
				self->mcgrp = id;
		}
	}
	return MNL_CB_OK;
}

static struct nlmsghdr *req(FIXTURE_DATA(nl) *self, uint16_t type,
			    uint8_t cmd, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(self->req);
	struct genlmsghdr *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ++self->seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = CDNA_GENL_VERSION;
	return nlh;
}

static void parse_attrs(const struct nlmsghdr *nlh, struct reply *r)
{
	struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		switch (mnl_attr_get_type(a)) {
		case CDNA_ATTR_CTX_UUID:
			snprintf(r->uuid, sizeof(r->uuid), "%s", mnl_attr_get_str(a));
			break;
		case CDNA_ATTR_CTX_CREATE_PATH:
			snprintf(r->create, sizeof(r->create), "%s", mnl_attr_get_str(a));
			break;
		case CDNA_ATTR_CTX_MDEV_PATH:
			snprintf(r->mdev, sizeof(r->mdev), "%s", mnl_attr_get_str(a));
			break;
		case CDNA_ATTR_EVENT:
			r->event = mnl_attr_get_u8(a);
			break;
		case CDNA_ATTR_CTX_LINK_UP:
			r->link_up = mnl_attr_get_u8(a);
			break;
		}
	}
}

/* Send @nlh; collect the answer (error + extack, or reply attributes). */
static int talk(FIXTURE_DATA(nl) *self, struct nlmsghdr *nlh, struct reply *r)
{
	int len, done = 0;

	memset(r, 0, sizeof(*r));
	r->offs = r->miss_type = r->event = -1;
	if (mnl_socket_sendto(self->sk, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	while (!done) {
		const struct nlmsghdr *m = (const void *)self->buf;

		len = mnl_socket_recvfrom(self->sk, self->buf, sizeof(self->buf));
		if (len < 0)
			return -errno;
		for (; mnl_nlmsg_ok(m, len); m = mnl_nlmsg_next(m, &len)) {
			if (m->nlmsg_seq != nlh->nlmsg_seq)
				continue;
			if (m->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = mnl_nlmsg_get_payload(m);
				unsigned int off = sizeof(*e);
				struct nlattr *a;

				r->error = e->error;
				done = 1;
				if (!(m->nlmsg_flags & NLM_F_ACK_TLVS))
					break;
				if (!(m->nlmsg_flags & NLM_F_CAPPED))
					off += mnl_nlmsg_get_payload_len(&e->msg);
				mnl_attr_for_each(a, m, off) {
					if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG)
						snprintf(r->msg, sizeof(r->msg), "%s",
							 mnl_attr_get_str(a));
					if (mnl_attr_get_type(a) == NLMSGERR_ATTR_OFFS)
						r->offs = mnl_attr_get_u32(a);
					if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MISS_TYPE)
						r->miss_type = mnl_attr_get_u32(a);
				}
				break;
			}
			if (m->nlmsg_type == NLMSG_DONE) {
				done = 1;
				break;
			}
			parse_attrs(m, r);
		}
	}
	return r->error;
}

/* Offset of the last attribute added to @nlh (what extack should name). */
static int last_attr_off(struct nlmsghdr *nlh, struct nlattr *a)
{
	return (int)((char *)a - (char *)nlh);
}

static struct nlattr *put(struct nlmsghdr *nlh, uint16_t type, size_t len,
			  const void *data)
{
	struct nlattr *a = mnl_nlmsg_get_payload_tail(nlh);

	mnl_attr_put(nlh, type, len, data);
	return a;
}

static int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

FIXTURE_SETUP(nl)
{
	const char *repo = getenv("CDNA_REPO");
	const char *moddir = getenv("CDNA_MODDIR");	/* lib.sh: cdna_moddir */
	struct nlmsghdr *nlh;
	struct reply r;
	char cmd[512];
	int one = 1;

	/* The testbed sets it: the repo has the same path in L1. */
	ASSERT_NE(NULL, repo) TH_LOG("CDNA_REPO is not set (run it with selftests/vm/run)");
	snprintf(cmd, sizeof(cmd),
		 "modprobe -a vfio vfio_iommu_type1 mdev && "
		 "{ test -d /sys/module/cdna || insmod %s/kmod/cdna.ko; } && "
		 "ip link add " NIC " type veth peer name " PEER " && "
		 "ip link set " NIC " up && ip link set " PEER " up",
		 moddir ? moddir : repo);
	if (system(cmd))
		SKIP(return, "cannot load cdna.ko or create the veth");
	self->sk = mnl_socket_open(NETLINK_GENERIC);
	ASSERT_NE(NULL, self->sk);
	ASSERT_EQ(0, mnl_socket_bind(self->sk, 0, MNL_SOCKET_AUTOPID));
	mnl_socket_setsockopt(self->sk, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(self->sk, NETLINK_CAP_ACK, &one, sizeof(one));

	nlh = req(self, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0);
	((struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, CDNA_GENL_NAME);
	ASSERT_EQ(0, mnl_socket_sendto(self->sk, nlh, nlh->nlmsg_len) < 0);
	ASSERT_LT(0, mnl_socket_recvfrom(self->sk, self->buf, sizeof(self->buf)));
	family_cb((void *)self->buf, self);
	ASSERT_NE(0, self->family);
	ASSERT_NE(0, self->mcgrp);
	mnl_socket_recvfrom(self->sk, self->buf, sizeof(self->buf));	/* ack */

	nlh = req(self, self->family, CDNA_CMD_NIC_ATTACH, 0);
	mnl_attr_put_strz(nlh, CDNA_ATTR_IFNAME, NIC);
	ASSERT_EQ(0, talk(self, nlh, &r));
}

FIXTURE_TEARDOWN(nl)
{
	struct nlmsghdr *nlh;
	struct reply r;

	if (self->sk) {
		nlh = req(self, self->family, CDNA_CMD_NIC_DETACH, 0);
		mnl_attr_put_strz(nlh, CDNA_ATTR_IFNAME, NIC);
		mnl_attr_put(nlh, CDNA_ATTR_FORCE, 0, NULL);
		talk(self, nlh, &r);
		mnl_socket_close(self->sk);
	}
	if (system("ip link del " NIC " 2>/dev/null; rmmod cdna"))
		TH_LOG("cleanup: rmmod cdna failed");
}

TEST_F(nl, missing_attributes)
{
	struct nlmsghdr *nlh;
	struct reply r;

	nlh = req(self, self->family, CDNA_CMD_CTX_NEW, 0);
	mnl_attr_put_strz(nlh, CDNA_ATTR_CTX_NAME, "a");
	EXPECT_EQ(-EINVAL, talk(self, nlh, &r));
	EXPECT_EQ(CDNA_ATTR_NIC, r.miss_type);

	nlh = req(self, self->family, CDNA_CMD_CTX_NEW, 0);
	mnl_attr_put_strz(nlh, CDNA_ATTR_NIC, NIC);
	EXPECT_EQ(-EINVAL, talk(self, nlh, &r));
	EXPECT_EQ(CDNA_ATTR_CTX_NAME, r.miss_type);

	nlh = req(self, self->family, CDNA_CMD_NIC_ATTACH, 0);
	EXPECT_EQ(-EINVAL, talk(self, nlh, &r));
	EXPECT_STREQ("uplink name or ifindex is required", r.msg);

	nlh = req(self, self->family, CDNA_CMD_CTX_DEL, 0);
	EXPECT_EQ(-EINVAL, talk(self, nlh, &r));
	EXPECT_STREQ("context name or UUID is required", r.msg);
}

TEST_F(nl, bad_attributes)
{
	char longname[40];
	struct nlmsghdr *nlh;
	struct nlattr *a;
	struct reply r;
	uint32_t u32 = 1;
	uint8_t u8;

	/* MAC of 5 bytes (an exact-length policy: -ERANGE) */
	nlh = req(self, self->family, CDNA_CMD_CTX_NEW, 0);
	mnl_attr_put_strz(nlh, CDNA_ATTR_NIC, NIC);
	mnl_attr_put_strz(nlh, CDNA_ATTR_CTX_NAME, "a");
	a = put(nlh, CDNA_ATTR_CTX_MAC, 5, "\x52\x54\x00\x00\x01");
	EXPECT_EQ(-ERANGE, talk(self, nlh, &r));
	EXPECT_EQ(last_attr_off(nlh, a), r.offs);

	/* an interface name longer than IFNAMSIZ */
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = 0;
	nlh = req(self, self->family, CDNA_CMD_NIC_ATTACH, 0);
	a = put(nlh, CDNA_ATTR_IFNAME, sizeof(longname), longname);
	EXPECT_NE(0, talk(self, nlh, &r));
	EXPECT_EQ(last_attr_off(nlh, a), r.offs);

	/* a u32 where a u8 belongs */
	nlh = req(self, self->family, CDNA_CMD_CTX_NEW, 0);
	mnl_attr_put_strz(nlh, CDNA_ATTR_NIC, NIC);
	mnl_attr_put_strz(nlh, CDNA_ATTR_CTX_NAME, "a");
	a = put(nlh, CDNA_ATTR_CTX_PROTECT, sizeof(u32), &u32);
	EXPECT_EQ(-EINVAL, talk(self, nlh, &r));
	EXPECT_EQ(last_attr_off(nlh, a), r.offs);

	/* a string without its NUL */
	nlh = req(self, self->family, CDNA_CMD_CTX_NEW, 0);
	mnl_attr_put_strz(nlh, CDNA_ATTR_NIC, NIC);
	a = put(nlh, CDNA_ATTR_CTX_NAME, 4, "abcd");
	EXPECT_EQ(-EINVAL, talk(self, nlh, &r));
	EXPECT_EQ(last_attr_off(nlh, a), r.offs);

	/* an unknown attribute type */
	nlh = req(self, self->family, CDNA_CMD_NIC_GET, 0);
	mnl_attr_put_strz(nlh, CDNA_ATTR_IFNAME, NIC);
	a = put(nlh, CDNA_ATTR_MAX + 5, sizeof(u32), &u32);
	EXPECT_EQ(-EINVAL, talk(self, nlh, &r));
	EXPECT_EQ(last_attr_off(nlh, a), r.offs);

	/* an output-only attribute in a request */
	nlh = req(self, self->family, CDNA_CMD_CTX_SET, 0);
	mnl_attr_put_strz(nlh, CDNA_ATTR_CTX_NAME, "a");
	a = put(nlh, CDNA_ATTR_CTX_STATE, 5, "open");
	EXPECT_EQ(-EINVAL, talk(self, nlh, &r));
	EXPECT_EQ(last_attr_off(nlh, a), r.offs);

	/* the backend is the kernel's choice, not the request's */
	nlh = req(self, self->family, CDNA_CMD_NIC_ATTACH, 0);
	mnl_attr_put_strz(nlh, CDNA_ATTR_IFNAME, PEER);
	a = put(nlh, CDNA_ATTR_NIC_BACKEND, 9, "software");
	EXPECT_EQ(-EINVAL, talk(self, nlh, &r));
	EXPECT_EQ(last_attr_off(nlh, a), r.offs);

	/* out of range: link mode 7, VLAN 4095, max_ctx 0 */
	u8 = 7;
	nlh = req(self, self->family, CDNA_CMD_CTX_SET, 0);
	mnl_attr_put_strz(nlh, CDNA_ATTR_CTX_NAME, "a");
	a = put(nlh, CDNA_ATTR_CTX_LINK, 1, &u8);
	EXPECT_EQ(-ERANGE, talk(self, nlh, &r));
	EXPECT_EQ(last_attr_off(nlh, a), r.offs);

	nlh = req(self, self->family, CDNA_CMD_CTX_NEW, 0);
	mnl_attr_put_strz(nlh, CDNA_ATTR_NIC, NIC);
	mnl_attr_put_strz(nlh, CDNA_ATTR_CTX_NAME, "a");
	mnl_attr_put_u16(nlh, CDNA_ATTR_CTX_VLAN, 4095);
	EXPECT_EQ(-ERANGE, talk(self, nlh, &r));

	nlh = req(self, self->family, CDNA_CMD_NIC_ATTACH, 0);
	mnl_attr_put_strz(nlh, CDNA_ATTR_IFNAME, PEER);
	mnl_attr_put_u32(nlh, CDNA_ATTR_NIC_MAX_CTX, 0);
	EXPECT_EQ(-ERANGE, talk(self, nlh, &r));

	/* malformed UUID */
	nlh = req(self, self->family, CDNA_CMD_CTX_NEW, 0);
	mnl_attr_put_strz(nlh, CDNA_ATTR_NIC, NIC);
	mnl_attr_put_strz(nlh, CDNA_ATTR_CTX_NAME, "a");
	mnl_attr_put_strz(nlh, CDNA_ATTR_CTX_UUID, "not-a-uuid");
	EXPECT_EQ(-EINVAL, talk(self, nlh, &r));
	EXPECT_STREQ("malformed UUID", r.msg);

	/* reserved genetlink header bytes must be zero */
	nlh = req(self, self->family, CDNA_CMD_NIC_GET, 0);
	((struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->reserved = 1;
	mnl_attr_put_strz(nlh, CDNA_ATTR_IFNAME, NIC);
	EXPECT_EQ(-EINVAL, talk(self, nlh, &r));

	/* an unknown command */
	nlh = req(self, self->family, CDNA_CMD_MAX + 3, 0);
	EXPECT_EQ(-EOPNOTSUPP, talk(self, nlh, &r));
}

TEST_F(nl, ifindex_and_definitions)
{
	char path[300], ifindex[16];
	struct nlmsghdr *nlh;
	struct reply r, r2;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/net/%s/ifindex", NIC);
	f = fopen(path, "r");
	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(ifindex, sizeof(ifindex), f));
	fclose(f);
	nlh = req(self, self->family, CDNA_CMD_NIC_GET, 0);
	mnl_attr_put_u32(nlh, CDNA_ATTR_IFINDEX, atoi(ifindex));
	EXPECT_EQ(0, talk(self, nlh, &r));

	/* A definition without its mdev: visible, deletable, nothing left. */
	nlh = req(self, self->family, CDNA_CMD_CTX_NEW, 0);
	mnl_attr_put_strz(nlh, CDNA_ATTR_NIC, NIC);
	mnl_attr_put_strz(nlh, CDNA_ATTR_CTX_NAME, "pending");
	mnl_attr_put_u32(nlh, CDNA_ATTR_CTX_QUEUE_PAIRS, 2);
	ASSERT_EQ(0, talk(self, nlh, &r));
	EXPECT_EQ(36, strlen(r.uuid));
	EXPECT_NE(NULL, strstr(r.create, "/mdev_supported_types/cdna-2qp/create"));

	/* The wrong type for it: the probe refuses, the definition stays. */
	snprintf(path, sizeof(path),
		 "/sys/class/cdna/cdna-%s/mdev_supported_types/cdna-1qp/create",
		 NIC);
	EXPECT_NE(0, write_file(path, r.uuid));
	nlh = req(self, self->family, CDNA_CMD_CTX_GET, 0);
	mnl_attr_put_strz(nlh, CDNA_ATTR_CTX_UUID, r.uuid);
	EXPECT_EQ(0, talk(self, nlh, &r2));

	nlh = req(self, self->family, CDNA_CMD_CTX_DEL, 0);
	mnl_attr_put_strz(nlh, CDNA_ATTR_CTX_UUID, r.uuid);
	EXPECT_EQ(0, talk(self, nlh, &r2));
	EXPECT_STREQ("", r2.mdev);	/* nothing to remove */
	nlh = req(self, self->family, CDNA_CMD_CTX_GET, 0);
	mnl_attr_put_strz(nlh, CDNA_ATTR_CTX_NAME, "pending");
	EXPECT_EQ(-ENOENT, talk(self, nlh, &r2));

	nlh = req(self, self->family, CDNA_CMD_NIC_DETACH, 0);
	mnl_attr_put_u32(nlh, CDNA_ATTR_IFINDEX, atoi(ifindex));
	EXPECT_EQ(0, talk(self, nlh, &r));
	nlh = req(self, self->family, CDNA_CMD_NIC_GET, 0);
	mnl_attr_put_u32(nlh, CDNA_ATTR_IFINDEX, atoi(ifindex));
	EXPECT_EQ(-ENODEV, talk(self, nlh, &r));
}

TEST_F(nl, events)
{
	struct mnl_socket *ev;
	struct nlmsghdr *nlh;
	struct pollfd pfd;
	struct reply r, e;
	char path[300];
	int len, grp = self->mcgrp, found = 0;

	ev = mnl_socket_open(NETLINK_GENERIC);
	ASSERT_NE(NULL, ev);
	ASSERT_EQ(0, mnl_socket_bind(ev, 0, MNL_SOCKET_AUTOPID));
	ASSERT_EQ(0, mnl_socket_setsockopt(ev, NETLINK_ADD_MEMBERSHIP, &grp,
					   sizeof(grp)));

	nlh = req(self, self->family, CDNA_CMD_CTX_NEW, 0);
	mnl_attr_put_strz(nlh, CDNA_ATTR_NIC, NIC);
	mnl_attr_put_strz(nlh, CDNA_ATTR_CTX_NAME, "ev");
	mnl_attr_put_u8(nlh, CDNA_ATTR_CTX_LINK, CDNA_LINK_MODE_UP);
	ASSERT_EQ(0, talk(self, nlh, &r));
	ASSERT_EQ(0, write_file(r.create, r.uuid));

	nlh = req(self, self->family, CDNA_CMD_CTX_SET, 0);
	mnl_attr_put_strz(nlh, CDNA_ATTR_CTX_NAME, "ev");
	mnl_attr_put_u8(nlh, CDNA_ATTR_CTX_LINK, CDNA_LINK_MODE_DOWN);
	ASSERT_EQ(0, talk(self, nlh, &e));

	pfd.fd = mnl_socket_get_fd(ev);
	pfd.events = POLLIN;
	while (!found && poll(&pfd, 1, 2000) > 0) {
		const struct nlmsghdr *m = (const void *)self->buf;

		len = mnl_socket_recvfrom(ev, self->buf, sizeof(self->buf));
		for (; len > 0 && mnl_nlmsg_ok(m, len); m = mnl_nlmsg_next(m, &len)) {
			memset(&e, 0, sizeof(e));
			e.event = -1;
			parse_attrs(m, &e);
			if (e.event == CDNA_EVENT_LINK && !strcmp(e.uuid, r.uuid) &&
			    e.link_up == 0)
				found = 1;
		}
	}
	EXPECT_EQ(1, found);
	mnl_socket_close(ev);

	nlh = req(self, self->family, CDNA_CMD_CTX_DEL, 0);
	mnl_attr_put_strz(nlh, CDNA_ATTR_CTX_NAME, "ev");
	ASSERT_EQ(0, talk(self, nlh, &e));
	snprintf(path, sizeof(path), "%s/remove", e.mdev);
	EXPECT_EQ(0, write_file(path, "1"));
}

static int uplink_addr(const char *mac)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "ip link set " NIC " address %s", mac);
	return system(cmd);
}

/* The mdev probe refuses a definition whose MAC the uplink has taken since. */
TEST_F(nl, definition_mac_became_uplinks)
{
	static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc };
	char old[32] = "", path[300];
	struct nlmsghdr *nlh;
	struct reply r, r2;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/net/%s/address", NIC);
	f = fopen(path, "r");
	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(old, sizeof(old), f));
	fclose(f);
	old[strcspn(old, "\n")] = 0;

	nlh = req(self, self->family, CDNA_CMD_CTX_NEW, 0);
	mnl_attr_put_strz(nlh, CDNA_ATTR_NIC, NIC);
	mnl_attr_put_strz(nlh, CDNA_ATTR_CTX_NAME, "um");
	mnl_attr_put(nlh, CDNA_ATTR_CTX_MAC, sizeof(mac), mac);
	ASSERT_EQ(0, talk(self, nlh, &r));
	ASSERT_EQ(0, uplink_addr("52:54:00:aa:bb:cc"));
	EXPECT_NE(0, write_file(r.create, r.uuid));
	nlh = req(self, self->family, CDNA_CMD_CTX_GET, 0);
	mnl_attr_put_strz(nlh, CDNA_ATTR_CTX_UUID, r.uuid);
	EXPECT_EQ(0, talk(self, nlh, &r2));
	/* Still a definition: no mdev. */
	EXPECT_NE(0, access(r2.mdev, F_OK));

	/* Given back, the same definition is created. */
	ASSERT_EQ(0, uplink_addr(old));
	EXPECT_EQ(0, write_file(r.create, r.uuid));
	nlh = req(self, self->family, CDNA_CMD_CTX_DEL, 0);
	mnl_attr_put_strz(nlh, CDNA_ATTR_CTX_NAME, "um");
	ASSERT_EQ(0, talk(self, nlh, &r2));
	if (r2.mdev[0]) {
		snprintf(path, sizeof(path), "%s/remove", r2.mdev);
		EXPECT_EQ(0, write_file(path, "1"));
	}
}

/*
 * What nobody (uid 65534, no capability) may do: read the configuration
 * (NIC_GET, CTX_GET) but not the counters (CTX_STATS), not join "events",
 * not change anything.  The checks run in a child that dropped its
 * privileges; it exits with one bit per failed check.
 */
TEST_F(nl, unprivileged)
{
	struct nlmsghdr *nlh;
	struct reply r;
	int status, grp = self->mcgrp;
	pid_t pid;

	nlh = req(self, self->family, CDNA_CMD_CTX_NEW, 0);
	mnl_attr_put_strz(nlh, CDNA_ATTR_NIC, NIC);
	mnl_attr_put_strz(nlh, CDNA_ATTR_CTX_NAME, "priv");
	ASSERT_EQ(0, talk(self, nlh, &r));

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int bad = 0;

		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(0x80);
		mnl_socket_close(self->sk);
		self->sk = mnl_socket_open(NETLINK_GENERIC);
		if (!self->sk || mnl_socket_bind(self->sk, 0, MNL_SOCKET_AUTOPID))
			_exit(0x80);
		nlh = req(self, self->family, CDNA_CMD_NIC_GET, NLM_F_DUMP);
		bad |= talk(self, nlh, &r) ? 0x01 : 0;
		nlh = req(self, self->family, CDNA_CMD_CTX_GET, 0);
		mnl_attr_put_strz(nlh, CDNA_ATTR_CTX_NAME, "priv");
		bad |= talk(self, nlh, &r) ? 0x02 : 0;
		nlh = req(self, self->family, CDNA_CMD_CTX_STATS, 0);
		mnl_attr_put_strz(nlh, CDNA_ATTR_CTX_NAME, "priv");
		bad |= talk(self, nlh, &r) != -EPERM ? 0x04 : 0;
		nlh = req(self, self->family, CDNA_CMD_CTX_STATS, NLM_F_DUMP);
		bad |= talk(self, nlh, &r) != -EPERM ? 0x08 : 0;
		nlh = req(self, self->family, CDNA_CMD_CTX_SET, 0);
		mnl_attr_put_strz(nlh, CDNA_ATTR_CTX_NAME, "priv");
		mnl_attr_put_u8(nlh, CDNA_ATTR_CTX_LINK, CDNA_LINK_MODE_DOWN);
		bad |= talk(self, nlh, &r) != -EPERM ? 0x10 : 0;
		if (!mnl_socket_setsockopt(self->sk, NETLINK_ADD_MEMBERSHIP,
					   &grp, sizeof(grp)) || errno != EPERM)
			bad |= 0x20;
		_exit(bad);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	/* 1 NIC_GET, 2 CTX_GET, 4/8 CTX_STATS, 10 CTX_SET, 20 events */
	EXPECT_EQ(0, WEXITSTATUS(status));

	nlh = req(self, self->family, CDNA_CMD_CTX_DEL, 0);
	mnl_attr_put_strz(nlh, CDNA_ATTR_CTX_NAME, "priv");
	EXPECT_EQ(0, talk(self, nlh, &r));
}

/*
 * Reads racing with deletions: one thread adds a context (definition,
 * then its mdev) and deletes it again (ctx del, then the mdev's remove),
 * over and over; two others read it by name and dump every context, with
 * CTX_GET and CTX_STATS.  Every answer must be "no such context" or name
 * one of the UUIDs the writer used (a freed mdev read through a stale
 * pointer shows garbage, or the slab poison with slub_debug=P), and the
 * kernel log must stay clean (the testbed checks it).
 */
#define RACE_SECONDS	5
#define RACE_MAX_UUIDS	4096

static char race_uuids[RACE_MAX_UUIDS][40];
static int race_nuuids;
static pthread_mutex_t race_lock = PTHREAD_MUTEX_INITIALIZER;
static volatile int race_stop;

struct racer {
	FIXTURE_DATA(nl) *t;
	int reads;		/* answers that named a context */
	int enoent;
	int bad;
	int rounds;		/* writer: contexts created and deleted */
	char why[300];
};

static int race_known(const char *uuid)
{
	int i, n, found = 0;

	pthread_mutex_lock(&race_lock);
	n = race_nuuids;
	for (i = 0; i < n && !found; i++)
		found = !strcmp(race_uuids[i], uuid);
	pthread_mutex_unlock(&race_lock);
	return found;
}

/* Check every context a reply names; count it. */
static void race_check(struct racer *rc, const struct nlmsghdr *m)
{
	const char *name = NULL, *uuid = NULL;
	struct nlattr *a;

	mnl_attr_for_each(a, m, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(a) == CDNA_ATTR_CTX_NAME)
			name = mnl_attr_get_str(a);
		if (mnl_attr_get_type(a) == CDNA_ATTR_CTX_UUID)
			uuid = mnl_attr_get_str(a);
	}
	rc->reads++;
	if (!name || !uuid || strcmp(name, "race") || !race_known(uuid)) {
		if (!rc->bad++)
			snprintf(rc->why, sizeof(rc->why), "a reply named %s %s",
				 name ?: "(no name)", uuid ?: "(no uuid)");
	}
}

/* Send @nlh, check every context in the answer; the errno or 0. */
static int race_talk(struct racer *rc, struct nlmsghdr *nlh)
{
	FIXTURE_DATA(nl) *t = rc->t;
	int len;

	if (mnl_socket_sendto(t->sk, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		const struct nlmsghdr *m = (const void *)t->buf;

		len = mnl_socket_recvfrom(t->sk, t->buf, sizeof(t->buf));
		if (len < 0)
			return -errno;
		for (; mnl_nlmsg_ok(m, len); m = mnl_nlmsg_next(m, &len)) {
			if (m->nlmsg_type == NLMSG_ERROR)
				return ((const struct nlmsgerr *)
					mnl_nlmsg_get_payload(m))->error;
			if (m->nlmsg_type == NLMSG_DONE)
				return 0;
			race_check(rc, m);
		}
	}
}

static struct nlmsghdr *race_req(FIXTURE_DATA(nl) *t, uint8_t cmd,
				 uint16_t flags)
{
	struct nlmsghdr *nlh = req(t, t->family, cmd, flags);

	/*
	 * A doit ends with its ack (after the reply) or its error; a dump
	 * with NLMSG_DONE (no ack: NLM_F_ACK would add nothing after it).
	 */
	if (flags & NLM_F_DUMP)
		nlh->nlmsg_flags &= ~NLM_F_ACK;
	return nlh;
}

static void *race_reader(void *arg)
{
	static const uint8_t cmds[] = { CDNA_CMD_CTX_GET, CDNA_CMD_CTX_STATS };
	struct racer *rc = arg;
	struct nlmsghdr *nlh;
	unsigned int i = 0;
	int ret;

	while (!race_stop) {
		uint8_t cmd = cmds[i % 2];

		if (i++ & 2) {
			nlh = race_req(rc->t, cmd, NLM_F_DUMP);
		} else {
			nlh = race_req(rc->t, cmd, 0);
			mnl_attr_put_strz(nlh, CDNA_ATTR_CTX_NAME, "race");
		}
		ret = race_talk(rc, nlh);
		if (ret == -ENOENT) {
			rc->enoent++;
		} else if (ret) {
			if (!rc->bad++)
				snprintf(rc->why, sizeof(rc->why),
					 "cmd %u: %s", cmd, strerror(-ret));
		}
	}
	return NULL;
}

static int race_reply(struct racer *rc, struct nlmsghdr *nlh, struct reply *r)
{
	return talk(rc->t, nlh, r);
}

static void *race_writer(void *arg)
{
	struct racer *rc = arg;
	struct nlmsghdr *nlh;
	char uuid[40], path[300];
	struct reply r;
	FILE *f;

	while (!race_stop && race_nuuids < RACE_MAX_UUIDS) {
		f = fopen("/proc/sys/kernel/random/uuid", "r");
		if (!f || !fgets(uuid, sizeof(uuid), f)) {
			if (f)
				fclose(f);
			snprintf(rc->why, sizeof(rc->why), "no random UUID");
			rc->bad++;
			break;
		}
		fclose(f);
		uuid[strcspn(uuid, "\n")] = 0;
		pthread_mutex_lock(&race_lock);
		strcpy(race_uuids[race_nuuids++], uuid);
		pthread_mutex_unlock(&race_lock);

		nlh = req(rc->t, rc->t->family, CDNA_CMD_CTX_NEW, 0);
		mnl_attr_put_strz(nlh, CDNA_ATTR_NIC, NIC);
		mnl_attr_put_strz(nlh, CDNA_ATTR_CTX_NAME, "race");
		mnl_attr_put_strz(nlh, CDNA_ATTR_CTX_UUID, uuid);
		if (race_reply(rc, nlh, &r) || write_file(r.create, uuid)) {
			snprintf(rc->why, sizeof(rc->why), "creating %s failed", uuid);
			rc->bad++;
			break;
		}
		nlh = req(rc->t, rc->t->family, CDNA_CMD_CTX_DEL, 0);
		mnl_attr_put_strz(nlh, CDNA_ATTR_CTX_NAME, "race");
		if (race_reply(rc, nlh, &r) || !r.mdev[0]) {
			snprintf(rc->why, sizeof(rc->why), "ctx del %s failed", uuid);
			rc->bad++;
			break;
		}
		snprintf(path, sizeof(path), "%s/remove", r.mdev);
		if (write_file(path, "1")) {
			snprintf(rc->why, sizeof(rc->why), "deleting %s failed", uuid);
			rc->bad++;
			break;
		}
		rc->rounds++;
	}
	race_stop = 1;
	return NULL;
}

TEST_F(nl, reads_race_deletions)
{
	struct racer rc[3] = {};
	pthread_t th[3];
	struct nlmsghdr *nlh;
	struct reply r;
	int i, reads = 0;

	for (i = 0; i < 3; i++) {
		rc[i].t = calloc(1, sizeof(*rc[i].t));
		ASSERT_NE(NULL, rc[i].t);
		rc[i].t->family = self->family;
		rc[i].t->sk = mnl_socket_open(NETLINK_GENERIC);
		ASSERT_NE(NULL, rc[i].t->sk);
		ASSERT_EQ(0, mnl_socket_bind(rc[i].t->sk, 0, MNL_SOCKET_AUTOPID));
	}
	race_stop = 0;
	ASSERT_EQ(0, pthread_create(&th[0], NULL, race_writer, &rc[0]));
	for (i = 1; i < 3; i++)
		ASSERT_EQ(0, pthread_create(&th[i], NULL, race_reader, &rc[i]));
	sleep(RACE_SECONDS);
	race_stop = 1;
	for (i = 0; i < 3; i++) {
		pthread_join(th[i], NULL);
		if (rc[i].bad)
			TH_LOG("thread %d: %d bad, first: %s", i, rc[i].bad, rc[i].why);
		EXPECT_EQ(0, rc[i].bad);
		if (i)
			reads += rc[i].reads;
		mnl_socket_close(rc[i].t->sk);
		free(rc[i].t);
	}
	TH_LOG("%d contexts created and deleted, %d read, %d + %d not found",
	       rc[0].rounds, reads, rc[1].enoent, rc[2].enoent);
	/* The race ran: contexts came and went while being read. */
	EXPECT_LT(2, rc[0].rounds);
	EXPECT_LT(0, reads);

	/* Nothing is left. */
	nlh = req(self, self->family, CDNA_CMD_CTX_GET, 0);
	mnl_attr_put_strz(nlh, CDNA_ATTR_CTX_NAME, "race");
	EXPECT_EQ(-ENOENT, talk(self, nlh, &r));
}

TEST_HARNESS_MAIN
