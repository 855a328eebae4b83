// SPDX-License-Identifier: GPL-2.0
/*
 * cdnactl: the "ctx" object - contexts (one mdev instance each).
 *
 * ctx add asks the kernel to define the context (CTX_NEW: it validates
 * everything and reserves name, MAC and UUID), writes the UUID to the mdev
 * type's "create" node the kernel named, and waits for the context to
 * appear; if the write fails it drops the definition again.  ctx del asks
 * the kernel (CTX_DEL refuses while a VM holds the context unless forced)
 * and writes 1 to the mdev's "remove" node, which for a forced delete
 * blocks until the VM releases the device: that step has a timeout.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include <linux/cdna.h>

#include "cdnactl.h"

#define CTX_DEFAULT_TIMEOUT	30	/* s: a VM releasing a forced context */
#define CTX_APPEAR_TIMEOUT_MS	5000

static const char *const ctx_drop_names[CDNA_STATS_DROP_MAX + 1] = {
	[CDNA_STATS_DROP_BAD_ADDR]	= "bad_addr",
	[CDNA_STATS_DROP_BAD_LEN]	= "bad_len",
	[CDNA_STATS_DROP_BAD_FLAGS]	= "bad_flags",
	[CDNA_STATS_DROP_BAD_OFFLOAD]	= "bad_offload",
	[CDNA_STATS_DROP_SPOOF]		= "spoof",
	[CDNA_STATS_DROP_NO_RXBUF]	= "no_rxbuf",
	[CDNA_STATS_DROP_LINK_DOWN]	= "link_down",
	[CDNA_STATS_DROP_PIN]		= "pin",
	[CDNA_STATS_DROP_NOMEM]		= "nomem",
	[CDNA_STATS_DROP_VLAN]		= "vlan_tag",
	[CDNA_STATS_DROP_UPLINK]	= "uplink_drop",
};

static void ctx_usage(FILE *f)
{
	fprintf(f,
		"Usage: cdnactl ctx add nic IFNAME name NAME [ mac MAC ] [ queues { 1 | 2 | 4 | 8 } ]\n"
		"                       [ protect { checked | iommu } [ strategy { persistent | single-use } ] ]\n"
		"                       [ vlan VID ] [ trust { on | off } ]\n"
		"                       [ spoofchk { on | off } ] [ rate MBIT ] [ link { auto | up | down } ]\n"
		"                       [ uuid UUID ] [ incoming ]\n"
		"       cdnactl ctx del [ name ] NAME [ force ] [ timeout SECS ]\n"
		"       cdnactl ctx show [ [ name ] NAME ] [ nic IFNAME ]\n"
		"       cdnactl ctx set [ name ] NAME [ mac MAC ] [ vlan VID ] [ link { auto | up | down } ]\n"
		"                       [ trust { on | off } ] [ spoofchk { on | off } ] [ rate MBIT ]\n"
		"                       [ protect { checked | iommu } [ strategy { persistent | single-use } ] ]\n"
		"       cdnactl ctx stats [ [ name ] NAME ] [ nic IFNAME ]\n"
		"       cdnactl ctx qemu-args [ name ] NAME\n"
		"       cdnactl ctx libvirt [ name ] NAME\n"
		"       cdnactl ctx help\n"
		"NAME is a context name (1-15 of [A-Za-z0-9._-]) or its UUID; add/show\n"
		"are also spelled new/list.  VID is 0..4094 (0: none), MBIT 0..1000000\n"
		"(0: unlimited), SECS 0..86400 (0: the default 30).\n");
}

/* ------------------------------------------------------------------ */
/* show                                                                */
/* ------------------------------------------------------------------ */

static const char *ctx_str(const struct nlattr **tb, int type)
{
	return tb[type] ? mnl_attr_get_str(tb[type]) : "";
}

static void ctx_print(const struct nlattr **tb)
{
	char mac[18] = "";
	uint8_t v;

	if (tb[CDNA_ATTR_CTX_MAC] &&
	    mnl_attr_get_payload_len(tb[CDNA_ATTR_CTX_MAC]) == 6)
		cdnactl_format_mac(mnl_attr_get_payload(tb[CDNA_ATTR_CTX_MAC]),
				   mac);
	pr_open_object(NULL);
	pr_string("name", "%s:", ctx_str(tb, CDNA_ATTR_CTX_NAME));
	pr_string("nic", " nic %s", ctx_str(tb, CDNA_ATTR_NIC));
	pr_string("uuid", " uuid %s", ctx_str(tb, CDNA_ATTR_CTX_UUID));
	pr_string("state", " state %s", ctx_str(tb, CDNA_ATTR_CTX_STATE));
	if (tb[CDNA_ATTR_CTX_MIG_STATE])
		pr_string("migration", " migration %s",
			  ctx_str(tb, CDNA_ATTR_CTX_MIG_STATE));
	pr_bool("incoming", NULL, !!tb[CDNA_ATTR_CTX_INCOMING]);
	if (tb[CDNA_ATTR_CTX_INCOMING])
		pr_text(" incoming");
	pr_string("mac", " mac %s", mac);
	if (tb[CDNA_ATTR_CTX_QUEUE_PAIRS])
		pr_u64("queue_pairs", " queues %llu",
		       mnl_attr_get_u32(tb[CDNA_ATTR_CTX_QUEUE_PAIRS]));
	if (tb[CDNA_ATTR_CTX_PROTECT]) {
		v = mnl_attr_get_u8(tb[CDNA_ATTR_CTX_PROTECT]);
		pr_string("protect", " protect %s",
			  v < 2 ? cdnactl_protect_names[v] : "unknown");
	}
	if (tb[CDNA_ATTR_CTX_STRATEGY]) {
		v = mnl_attr_get_u8(tb[CDNA_ATTR_CTX_STRATEGY]);
		pr_string("strategy", " strategy %s",
			  v < 2 ? cdnactl_strategy_names[v] : "unknown");
	}
	if (tb[CDNA_ATTR_CTX_LINK]) {
		v = mnl_attr_get_u8(tb[CDNA_ATTR_CTX_LINK]);
		pr_string("link", " link %s",
			  v < 3 ? cdnactl_link_names[v] : "unknown");
	}
	if (tb[CDNA_ATTR_CTX_LINK_UP]) {
		/* "link" is the mode, as "cdnactl ctx set link" takes it;
		 * "link_up" what the guest sees now (text: in parentheses).
		 */
		bool up = mnl_attr_get_u8(tb[CDNA_ATTR_CTX_LINK_UP]);

		pr_bool("link_up", NULL, up);
		pr_text(" (%s)", up ? "up" : "down");
	}
	if (tb[CDNA_ATTR_CTX_VLAN])
		pr_u64("vlan", " vlan %llu",
		       mnl_attr_get_u16(tb[CDNA_ATTR_CTX_VLAN]));
	if (tb[CDNA_ATTR_CTX_TRUST])
		pr_bool("trust", " trust %s",
			mnl_attr_get_u8(tb[CDNA_ATTR_CTX_TRUST]));
	if (tb[CDNA_ATTR_CTX_SPOOFCHK])
		pr_bool("spoofchk", " spoofchk %s",
			mnl_attr_get_u8(tb[CDNA_ATTR_CTX_SPOOFCHK]));
	if (tb[CDNA_ATTR_CTX_TX_RATE])
		pr_u64("rate", " rate %llu",
		       mnl_attr_get_u32(tb[CDNA_ATTR_CTX_TX_RATE]));
	pr_string("mdev", "\n    mdev %s",
		  ctx_str(tb, CDNA_ATTR_CTX_MDEV_PATH));
	pr_close_object();
	pr_newline();
}

static int ctx_show_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[CDNA_ATTR_MAX + 1];

	(void)data;
	nl_parse(nlh, tb);
	if (tb[CDNA_ATTR_CTX_UUID])
		ctx_print(tb);
	return MNL_CB_OK;
}

/* Send a GET (one NAME/UUID, or a dump filtered by @nic) to @cb. */
static int ctx_get(const char *key, const char *nic, bool quiet,
		   int (*cb)(const struct nlmsghdr *nlh, void *data),
		   void *data)
{
	struct nlmsghdr *nlh;

	nlh = nl_request(CDNA_CMD_CTX_GET, key ? 0 : NLM_F_DUMP);
	if (key)
		nl_put_name_or_uuid(nlh, key);
	if (nic)
		mnl_attr_put_strz(nlh, CDNA_ATTR_NIC, nic);
	return quiet ? nl_talk_quiet(nlh, cb, data) : nl_talk(nlh, cb, data);
}

static int ctx_show(int argc, char **argv)
{
	struct cdnactl_opts o = {};
	const char *key;
	int ret;

	if (cdnactl_parse_opts(argc, argv, 0, CDNACTL_OPT_NIC, true, &o) ||
	    nl_open())
		return -1;
	key = o.uuid ? o.uuid : o.name;
	pr_open_array(NULL);
	ret = ctx_get(key, o.nic, false, ctx_show_cb, NULL);
	if (ret)
		pr_discard();
	pr_close_array();
	pr_finish();
	return ret;
}

/* ------------------------------------------------------------------ */
/* sysfs steps                                                         */
/* ------------------------------------------------------------------ */

static int ctx_write_file(const char *path, const char *val)
{
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	if (n < 0) {
		n = -errno;
		close(fd);
		return (int)n;
	}
	close(fd);
	return 0;
}

/*
 * Write @val to @path in a child and wait up to @timeout seconds: writing
 * an mdev's "remove" blocks until a VM holding the device lets it go.
 * Return: 0, -ETIMEDOUT (the child keeps waiting), or -errno of the write.
 */
static int ctx_write_file_timeout(const char *path, const char *val,
				  unsigned int timeout)
{
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	unsigned int waited_ms = 0;
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return ctx_write_file(path, val);
	if (!pid) {
		/* The child may outlive us: let go of every inherited file
		 * (stdout/stderr, pipes) so nobody waits for it to close.
		 */
		int null = open("/dev/null", O_RDWR), fd;

		if (null >= 0) {
			dup2(null, STDIN_FILENO);
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
		}
		for (fd = STDERR_FILENO + 1; fd < 1024; fd++)
			close(fd);
		_exit(-ctx_write_file(path, val) & 0xff);
	}
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			break;
		if (r < 0)
			return -errno;
		if (waited_ms >= timeout * 1000)
			return -ETIMEDOUT;
		nanosleep(&ts, NULL);
		waited_ms += 50;
	}
	if (!WIFEXITED(status))
		return -EIO;
	return -WEXITSTATUS(status);
}

/* ------------------------------------------------------------------ */
/* add                                                                 */
/* ------------------------------------------------------------------ */

struct ctx_new_reply {
	char uuid[CDNACTL_UUID_LEN + 1];
	char create[512];
	char mdev[512];
	char state[32];
};

/* The context settings given on the command line, as attributes. */
static void ctx_put_settings(struct nlmsghdr *nlh, const struct cdnactl_opts *o)
{
	if (o->present & CDNACTL_OPT_MAC)
		mnl_attr_put(nlh, CDNA_ATTR_CTX_MAC, 6, o->mac);
	if (o->present & CDNACTL_OPT_QUEUES)
		mnl_attr_put_u32(nlh, CDNA_ATTR_CTX_QUEUE_PAIRS, o->queues);
	if (o->present & CDNACTL_OPT_PROTECT)
		mnl_attr_put_u8(nlh, CDNA_ATTR_CTX_PROTECT, o->protect);
	if (o->present & CDNACTL_OPT_STRATEGY)
		mnl_attr_put_u8(nlh, CDNA_ATTR_CTX_STRATEGY, o->strategy);
	if (o->present & CDNACTL_OPT_VLAN)
		mnl_attr_put_u16(nlh, CDNA_ATTR_CTX_VLAN, o->vlan);
	if (o->present & CDNACTL_OPT_TRUST)
		mnl_attr_put_u8(nlh, CDNA_ATTR_CTX_TRUST, o->trust);
	if (o->present & CDNACTL_OPT_SPOOFCHK)
		mnl_attr_put_u8(nlh, CDNA_ATTR_CTX_SPOOFCHK, o->spoofchk);
	if (o->present & CDNACTL_OPT_RATE)
		mnl_attr_put_u32(nlh, CDNA_ATTR_CTX_TX_RATE, o->rate);
	if (o->present & CDNACTL_OPT_LINK)
		mnl_attr_put_u8(nlh, CDNA_ATTR_CTX_LINK, o->link);
}

static int ctx_new_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[CDNA_ATTR_MAX + 1];
	struct ctx_new_reply *r = data;

	nl_parse(nlh, tb);
	if (tb[CDNA_ATTR_CTX_UUID])
		snprintf(r->uuid, sizeof(r->uuid), "%s",
			 mnl_attr_get_str(tb[CDNA_ATTR_CTX_UUID]));
	if (tb[CDNA_ATTR_CTX_CREATE_PATH])
		snprintf(r->create, sizeof(r->create), "%s",
			 mnl_attr_get_str(tb[CDNA_ATTR_CTX_CREATE_PATH]));
	if (tb[CDNA_ATTR_CTX_MDEV_PATH])
		snprintf(r->mdev, sizeof(r->mdev), "%s",
			 mnl_attr_get_str(tb[CDNA_ATTR_CTX_MDEV_PATH]));
	if (tb[CDNA_ATTR_CTX_STATE])
		snprintf(r->state, sizeof(r->state), "%s",
			 mnl_attr_get_str(tb[CDNA_ATTR_CTX_STATE]));
	return MNL_CB_OK;
}

/* Drop a definition or mark a context deleting; fills @r->mdev. */
static int ctx_del_request(const char *key, bool force, bool quiet,
			   struct ctx_new_reply *r)
{
	struct nlmsghdr *nlh;

	nlh = nl_request(CDNA_CMD_CTX_DEL, 0);
	nl_put_name_or_uuid(nlh, key);
	if (force)
		mnl_attr_put(nlh, CDNA_ATTR_FORCE, 0, NULL);
	return quiet ? nl_talk_quiet(nlh, ctx_new_cb, r) :
		       nl_talk(nlh, ctx_new_cb, r);
}

static int ctx_add(int argc, char **argv)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	struct ctx_new_reply r = {}, g;
	struct cdnactl_opts o = {};
	struct nlmsghdr *nlh;
	unsigned int ms;
	int ret;

	if (cdnactl_parse_opts(argc, argv,
			       CDNACTL_OPT_NIC | CDNACTL_OPT_NAME,
			       CDNACTL_OPT_MAC | CDNACTL_OPT_QUEUES |
			       CDNACTL_OPT_PROTECT | CDNACTL_OPT_STRATEGY |
			       CDNACTL_OPT_VLAN |
			       CDNACTL_OPT_TRUST | CDNACTL_OPT_SPOOFCHK |
			       CDNACTL_OPT_RATE | CDNACTL_OPT_LINK |
			       CDNACTL_OPT_UUID | CDNACTL_OPT_INCOMING, false,
			       &o) || nl_open())
		return -1;

	nlh = nl_request(CDNA_CMD_CTX_NEW, 0);
	mnl_attr_put_strz(nlh, CDNA_ATTR_NIC, o.nic);
	mnl_attr_put_strz(nlh, CDNA_ATTR_CTX_NAME, o.name);
	if (o.present & CDNACTL_OPT_UUID)
		mnl_attr_put_strz(nlh, CDNA_ATTR_CTX_UUID, o.uuid);
	if (o.present & CDNACTL_OPT_INCOMING)
		mnl_attr_put(nlh, CDNA_ATTR_CTX_INCOMING, 0, NULL);
	ctx_put_settings(nlh, &o);
	if (nl_talk(nlh, ctx_new_cb, &r))
		return -1;
	if (!r.uuid[0] || !r.create[0]) {
		cdnactl_err("the kernel's reply has no UUID or create path");
		return -1;
	}

	ret = ctx_write_file(r.create, r.uuid);
	if (ret) {
		struct ctx_new_reply d = {};

		cdnactl_err("creating mdev %s failed: writing %s: %s", r.uuid,
			    r.create, strerror(-ret));
		ctx_del_request(r.uuid, false, true, &d);
		return -1;
	}

	/* The probe consumed the definition: wait until it shows. */
	for (ms = 0; ms < CTX_APPEAR_TIMEOUT_MS; ms += 20) {
		memset(&g, 0, sizeof(g));
		if (!ctx_get(r.uuid, NULL, true, ctx_new_cb, &g) &&
		    g.state[0] && strcmp(g.state, "defined"))
			break;
		nanosleep(&ts, NULL);
	}
	if (ms >= CTX_APPEAR_TIMEOUT_MS) {
		cdnactl_err("context %s did not appear after creating its mdev",
			    r.uuid);
		return -1;
	}
	pr_open_array(NULL);
	ret = ctx_get(r.uuid, NULL, false, ctx_show_cb, NULL);
	if (ret)
		pr_discard();
	pr_close_array();
	pr_finish();
	return ret;
}

/* ------------------------------------------------------------------ */
/* del                                                                 */
/* ------------------------------------------------------------------ */

static int ctx_del_one(const char *key, bool force, unsigned int timeout)
{
	struct ctx_new_reply r = {};
	char path[600];
	int ret;

	if (ctx_del_request(key, force, false, &r))
		return -1;
	if (!r.mdev[0])
		return 0;	/* it was only a definition */
	snprintf(path, sizeof(path), "%s/remove", r.mdev);
	ret = ctx_write_file_timeout(path, "1",
				     timeout ? timeout : CTX_DEFAULT_TIMEOUT);
	if (ret == -ENOENT)
		return 0;	/* removed meanwhile */
	if (ret == -ETIMEDOUT) {
		cdnactl_err("the VM holding %s did not release it within %u s; "
			    "the removal continues when it does", key,
			    timeout ? timeout : CTX_DEFAULT_TIMEOUT);
		return -1;
	}
	if (ret) {
		cdnactl_err("removing mdev %s failed: %s", r.mdev,
			    strerror(-ret));
		return -1;
	}
	return 0;
}

static int ctx_del(int argc, char **argv)
{
	struct cdnactl_opts o = {};

	if (cdnactl_parse_opts(argc, argv, CDNACTL_OPT_NAME,
			       CDNACTL_OPT_FORCE | CDNACTL_OPT_TIMEOUT, true,
			       &o) || nl_open())
		return -1;
	return ctx_del_one(o.uuid ? o.uuid : o.name,
			   o.present & CDNACTL_OPT_FORCE, o.timeout);
}

/* ------------------------------------------------------------------ */
/* set                                                                 */
/* ------------------------------------------------------------------ */

static int ctx_set(int argc, char **argv)
{
	const uint32_t settable = CDNACTL_OPT_MAC | CDNACTL_OPT_VLAN |
				  CDNACTL_OPT_LINK | CDNACTL_OPT_TRUST |
				  CDNACTL_OPT_SPOOFCHK | CDNACTL_OPT_RATE |
				  CDNACTL_OPT_PROTECT | CDNACTL_OPT_STRATEGY;
	struct cdnactl_opts o = {};
	struct nlmsghdr *nlh;

	if (cdnactl_parse_opts(argc, argv, CDNACTL_OPT_NAME, settable, true,
			       &o))
		return -1;
	if (!(o.present & settable)) {
		cdnactl_usage_err("nothing to set, try \"cdnactl ctx help\"");
		return -1;
	}
	if (nl_open())
		return -1;
	nlh = nl_request(CDNA_CMD_CTX_SET, 0);
	nl_put_name_or_uuid(nlh, o.uuid ? o.uuid : o.name);
	ctx_put_settings(nlh, &o);
	return nl_talk(nlh, NULL, NULL);
}

/* ------------------------------------------------------------------ */
/* stats                                                               */
/* ------------------------------------------------------------------ */

static void ctx_print_drops(const struct nlattr *nest, bool all)
{
	const struct nlattr *tb[CDNA_STATS_DROP_MAX + 1];
	char fmt[48];
	uint64_t v;
	int i;

	nl_parse_nested(nest, tb, CDNA_STATS_DROP_MAX);
	pr_open_object("drops");
	for (i = 1; i <= CDNA_STATS_DROP_MAX; i++) {
		v = tb[i] ? mnl_attr_get_u64(tb[i]) : 0;
		snprintf(fmt, sizeof(fmt), " %s %%llu", ctx_drop_names[i]);
		pr_u64(ctx_drop_names[i], all || v ? fmt : NULL, v);
	}
	pr_close_object();
}

static void ctx_print_counter(const struct nlattr **tb, int type,
			      const char *key, const char *fmt)
{
	pr_u64(key, fmt, tb[type] ? mnl_attr_get_u64(tb[type]) : 0);
}

/* CDNA_STATS_KICK_PAGE_STATUS as a word; "off" from an older cdna.ko. */
static const char *ctx_kick_page_status(const struct nlattr *a)
{
	static const char *const names[] = {
		[CDNA_KICK_PAGE_OFF] = "off",
		[CDNA_KICK_PAGE_ON] = "on",
		[CDNA_KICK_PAGE_NO_KVM] = "refused-no-kvm",
		[CDNA_KICK_PAGE_BAD_ADDR] = "refused-bad-address",
	};
	uint32_t v = a ? mnl_attr_get_u32(a) : CDNA_KICK_PAGE_OFF;

	return v < sizeof(names) / sizeof(names[0]) ? names[v] : "unknown";
}

static int ctx_stats_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[CDNA_ATTR_MAX + 1];
	const struct nlattr *st[CDNA_STATS_MAX + 1];
	const struct nlattr *a;
	uint32_t q;

	(void)data;
	nl_parse(nlh, tb);
	if (!tb[CDNA_ATTR_CTX_UUID] || !tb[CDNA_ATTR_STATS])
		return MNL_CB_OK;
	pr_open_object(NULL);
	pr_string("name", "%s:", ctx_str(tb, CDNA_ATTR_CTX_NAME));
	pr_string("nic", " nic %s", ctx_str(tb, CDNA_ATTR_NIC));
	pr_string("uuid", NULL, ctx_str(tb, CDNA_ATTR_CTX_UUID));
	pr_string("state", " state %s", ctx_str(tb, CDNA_ATTR_CTX_STATE));
	nl_parse_nested(tb[CDNA_ATTR_STATS], st, CDNA_STATS_MAX);
	pr_text("\n   ");
	ctx_print_counter(st, CDNA_STATS_PACKETS, "packets", " packets %llu");
	ctx_print_counter(st, CDNA_STATS_BYTES, "bytes", " bytes %llu");
	ctx_print_counter(st, CDNA_STATS_KICKS, "kicks", " kicks %llu");
	ctx_print_counter(st, CDNA_STATS_IRQS, "irqs", " irqs %llu");
	ctx_print_counter(st, CDNA_STATS_PINNED_PAGES, "pins_held",
			  " pins_held %llu");
	ctx_print_counter(st, CDNA_STATS_PIN_HITS, "pin_hits",
			  " pin_hits %llu");
	ctx_print_counter(st, CDNA_STATS_PIN_MISSES, "pin_misses",
			  " pin_misses %llu");
	ctx_print_counter(st, CDNA_STATS_BAD_REG, "bad_reg", " bad_reg %llu");
	ctx_print_counter(st, CDNA_STATS_RESETS, "resets", " resets %llu");
	ctx_print_counter(st, CDNA_STATS_TX_THROTTLED, "tx_throttled",
			  " tx_throttled %llu");
	ctx_print_counter(st, CDNA_STATS_IOMMU_FAULTS, "iommu_faults",
			  " iommu_faults %llu");
	pr_text("\n   ");
	pr_string("kick_page", " kick_page %s",
		  ctx_kick_page_status(st[CDNA_STATS_KICK_PAGE_STATUS]));
	ctx_print_counter(st, CDNA_STATS_KICK_PAGE_KICKS, "kick_page_kicks",
			  " kick_page_kicks %llu");
	ctx_print_counter(st, CDNA_STATS_KICK_PAGE_REARMS, "kick_page_rearms",
			  " kick_page_rearms %llu");
	pr_text("\n    drops:");
	if (st[CDNA_STATS_DROPS])
		ctx_print_drops(st[CDNA_STATS_DROPS], true);

	pr_open_array("queues");
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(a) != CDNA_ATTR_QUEUE_STATS)
			continue;
		nl_parse_nested(a, st, CDNA_STATS_MAX);
		q = st[CDNA_STATS_QUEUE] ? mnl_attr_get_u32(st[CDNA_STATS_QUEUE])
					 : 0;
		pr_open_object(NULL);
		pr_u64("queue", "\n    queue %llu", q);
		pr_string("type", " (%s", q & 1 ? "tx" : "rx");
		pr_u64("pair", "%llu)", q / 2);
		ctx_print_counter(st, CDNA_STATS_PACKETS, "packets",
				  " packets %llu");
		ctx_print_counter(st, CDNA_STATS_BYTES, "bytes", " bytes %llu");
		ctx_print_counter(st, CDNA_STATS_KICKS, "kicks", " kicks %llu");
		ctx_print_counter(st, CDNA_STATS_KICK_PAGE_KICKS,
				  "kick_page_kicks", " kick_page_kicks %llu");
		ctx_print_counter(st, CDNA_STATS_IRQS, "irqs", " irqs %llu");
		if (st[CDNA_STATS_DROPS])
			ctx_print_drops(st[CDNA_STATS_DROPS], false);
		pr_close_object();
	}
	pr_close_array();
	pr_close_object();
	pr_newline();
	return MNL_CB_OK;
}

static int ctx_stats(int argc, char **argv)
{
	struct cdnactl_opts o = {};
	struct nlmsghdr *nlh;
	const char *key;
	int ret;

	if (cdnactl_parse_opts(argc, argv, 0, CDNACTL_OPT_NIC, true, &o) ||
	    nl_open())
		return -1;
	key = o.uuid ? o.uuid : o.name;
	nlh = nl_request(CDNA_CMD_CTX_STATS, key ? 0 : NLM_F_DUMP);
	if (key)
		nl_put_name_or_uuid(nlh, key);
	if (o.nic)
		mnl_attr_put_strz(nlh, CDNA_ATTR_NIC, o.nic);
	pr_open_array(NULL);
	ret = nl_talk(nlh, ctx_stats_cb, NULL);
	if (ret)
		pr_discard();
	pr_close_array();
	pr_finish();
	return ret;
}

/* ------------------------------------------------------------------ */
/* qemu-args, libvirt                                                  */
/* ------------------------------------------------------------------ */

static int ctx_snippet(int argc, char **argv, bool libvirt)
{
	struct ctx_new_reply r = {};
	struct cdnactl_opts o = {};
	char buf[700];

	if (cdnactl_parse_opts(argc, argv, CDNACTL_OPT_NAME, 0, true, &o) ||
	    nl_open())
		return -1;
	if (ctx_get(o.uuid ? o.uuid : o.name, NULL, false, ctx_new_cb, &r))
		return -1;
	if (!strcmp(r.state, "defined")) {
		cdnactl_err("context \"%s\" has no mdev instance yet",
			    o.uuid ? o.uuid : o.name);
		return -1;
	}
	if (libvirt)
		snprintf(buf, sizeof(buf),
			 "<hostdev mode='subsystem' type='mdev' model='vfio-pci'>"
			 "<source><address uuid='%s'/></source></hostdev>",
			 r.uuid);
	else
		snprintf(buf, sizeof(buf), "-device vfio-pci,sysfsdev=%s",
			 r.mdev);
	pr_open_object(NULL);
	pr_string(libvirt ? "libvirt" : "qemu_args", "%s", buf);
	pr_close_object();
	pr_finish();
	return 0;
}

static int ctx_qemu_args(int argc, char **argv)
{
	return ctx_snippet(argc, argv, false);
}

static int ctx_libvirt(int argc, char **argv)
{
	return ctx_snippet(argc, argv, true);
}

int cdnactl_ctx(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int argc, char **argv);
	} cmds[] = {
		{ "show", ctx_show },
		{ "list", ctx_show },
		{ "add", ctx_add },
		{ "new", ctx_add },
		{ "del", ctx_del },
		{ "set", ctx_set },
		{ "stats", ctx_stats },
		{ "qemu-args", ctx_qemu_args },
		{ "libvirt", ctx_libvirt },
	};
	int (*fn)(int argc, char **argv) = NULL;
	unsigned int i;

	if (argc < 1)
		return ctx_show(0, argv);
	if (!strcmp(argv[0], "help")) {
		ctx_usage(stdout);
		return 0;
	}
	/* Like ip(8): the first command in table order that the
	 * argument abbreviates wins ("s" is show, "st" stats).
	 */
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]) && !fn; i++)
		if (cdnactl_matches(argv[0], cmds[i].name))
			fn = cmds[i].fn;
	if (!fn) {
		if (!cdnactl_misplaced_option(argv[0]))
			cdnactl_usage_err("command \"%s\" is unknown, try \"cdnactl ctx help\"",
					  argv[0]);
		return -1;
	}
	return fn(argc - 1, argv + 1);
}
