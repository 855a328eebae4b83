// SPDX-License-Identifier: GPL-2.0
/*
 * cdnactl: the "nic" object - attached uplinks.
 *
 *   nic add [ dev ] IFNAME [ max_ctx N ]    (alias: attach)
 *   nic del [ dev ] IFNAME [ force [ timeout SECS ] ]   (alias: detach)
 *   nic show [ [ dev ] IFNAME ]             (alias: list)
 */
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <libmnl/libmnl.h>

#include <linux/cdna.h>

#include "cdnactl.h"

static void nic_usage(FILE *f)
{
	fprintf(f,
		"Usage: cdnactl nic add [ dev ] IFNAME [ max_ctx N ]\n"
		"       cdnactl nic del [ dev ] IFNAME [ force [ timeout SECS ] ]\n"
		"       cdnactl nic show [ [ dev ] IFNAME ]\n"
		"       cdnactl nic help\n"
		"add/del/show are also spelled attach/detach/list; del force detaches\n"
		"at once and takes the contexts away from their VMs (removed when each\n"
		"VM lets go; timeout waits up to SECS, 0..86400, default 30, for it).\n"
		"N is 1..64.\n");
}

static int nic_show_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[CDNA_ATTR_MAX + 1];

	(void)data;
	nl_parse(nlh, tb);
	if (!tb[CDNA_ATTR_IFNAME])
		return MNL_CB_OK;
	pr_open_object(NULL);
	pr_string("ifname", "%s:", mnl_attr_get_str(tb[CDNA_ATTR_IFNAME]));
	if (tb[CDNA_ATTR_IFINDEX])
		pr_u64("ifindex", " ifindex %llu",
		       mnl_attr_get_u32(tb[CDNA_ATTR_IFINDEX]));
	if (tb[CDNA_ATTR_NIC_NUM_CTX])
		pr_u64("contexts", " contexts %llu",
		       mnl_attr_get_u32(tb[CDNA_ATTR_NIC_NUM_CTX]));
	if (tb[CDNA_ATTR_NIC_MAX_CTX])
		pr_u64("max_ctx", " max_ctx %llu",
		       mnl_attr_get_u32(tb[CDNA_ATTR_NIC_MAX_CTX]));
	if (tb[CDNA_ATTR_NIC_BACKEND])
		pr_string("backend", " backend %s",
			  mnl_attr_get_str(tb[CDNA_ATTR_NIC_BACKEND]));
	if (tb[CDNA_ATTR_NIC_MDEV_PARENT])
		pr_string("mdev_parent", " mdev_parent %s",
			  mnl_attr_get_str(tb[CDNA_ATTR_NIC_MDEV_PARENT]));
	pr_close_object();
	pr_newline();
	return MNL_CB_OK;
}

static int nic_show(int argc, char **argv)
{
	struct cdnactl_opts o = {};
	struct nlmsghdr *nlh;
	int ret;

	if (cdnactl_parse_opts_pos(argc, argv, 0, 0, CDNACTL_OPT_DEV, &o) ||
	    nl_open())
		return -1;
	nlh = nl_request(CDNA_CMD_NIC_GET, o.dev ? 0 : NLM_F_DUMP);
	if (o.dev)
		mnl_attr_put_strz(nlh, CDNA_ATTR_IFNAME, o.dev);
	pr_open_array(NULL);
	ret = nl_talk(nlh, nic_show_cb, NULL);
	if (ret)
		pr_discard();
	pr_close_array();
	pr_finish();
	return ret;
}

static int nic_add(int argc, char **argv)
{
	struct cdnactl_opts o = {};
	struct nlmsghdr *nlh;

	if (cdnactl_parse_opts_pos(argc, argv, CDNACTL_OPT_DEV,
				   CDNACTL_OPT_MAX_CTX, CDNACTL_OPT_DEV, &o) ||
	    nl_open())
		return -1;
	nlh = nl_request(CDNA_CMD_NIC_ATTACH, 0);
	mnl_attr_put_strz(nlh, CDNA_ATTR_IFNAME, o.dev);
	if (o.present & CDNACTL_OPT_MAX_CTX)
		mnl_attr_put_u32(nlh, CDNA_ATTR_NIC_MAX_CTX, o.max_ctx);
	return nl_talk(nlh, NULL, NULL);
}

/*
 * After a forced detach the kernel removes the contexts VMs still hold
 * when they let go; the NIC's device goes last.  Wait for it.
 */
static int nic_wait_gone(const char *dev, unsigned int timeout)
{
	struct timespec ts = { 0, 100 * 1000 * 1000 };
	char path[96];
	unsigned int i;

	snprintf(path, sizeof(path), "/sys/class/cdna/cdna-%s", dev);
	for (i = 0; i < timeout * 10; i++) {
		if (access(path, F_OK))
			return 0;
		nanosleep(&ts, NULL);
	}
	if (access(path, F_OK))
		return 0;
	cdnactl_err("VMs still hold contexts of %s after %u s; they are removed when the VMs let go",
		    dev, timeout);
	return -1;
}

static int nic_del(int argc, char **argv)
{
	struct cdnactl_opts o = {};
	struct nlmsghdr *nlh;
	bool force;

	if (cdnactl_parse_opts_pos(argc, argv, CDNACTL_OPT_DEV,
				   CDNACTL_OPT_FORCE | CDNACTL_OPT_TIMEOUT,
				   CDNACTL_OPT_DEV, &o) || nl_open())
		return -1;
	force = o.present & CDNACTL_OPT_FORCE;
	/* With force the kernel revokes the contexts itself, at once. */
	nlh = nl_request(CDNA_CMD_NIC_DETACH, 0);
	mnl_attr_put_strz(nlh, CDNA_ATTR_IFNAME, o.dev);
	if (force)
		mnl_attr_put(nlh, CDNA_ATTR_FORCE, 0, NULL);
	if (nl_talk(nlh, NULL, NULL))
		return -1;
	if (force && (o.present & CDNACTL_OPT_TIMEOUT))
		return nic_wait_gone(o.dev, o.timeout);
	return 0;
}

int cdnactl_nic(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int argc, char **argv);
	} cmds[] = {
		{ "show", nic_show },
		{ "list", nic_show },
		{ "add", nic_add },
		{ "attach", nic_add },
		{ "del", nic_del },
		{ "detach", nic_del },
	};
	int (*fn)(int argc, char **argv) = NULL;
	unsigned int i;

	if (argc < 1)
		return nic_show(0, argv);
	if (!strcmp(argv[0], "help")) {
		nic_usage(stdout);
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
			cdnactl_usage_err("command \"%s\" is unknown, try \"cdnactl nic help\"",
					  argv[0]);
		return -1;
	}
	return fn(argc - 1, argv + 1);
}
