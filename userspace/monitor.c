// SPDX-License-Identifier: GPL-2.0
/*
 * cdnactl: the "monitor" object - print the kernel's events as they come
 * (the "events" multicast group): a context opened, closed, reset, in
 * error, its link changed.  One line per event; with -j one JSON object
 * per line, like "ip -j monitor".
 *
 *   cdnactl [-j] monitor
 */
#include <string.h>
#include <libmnl/libmnl.h>

#include <linux/cdna.h>

#include "cdnactl.h"

static const char *const monitor_event_names[] = {
	[CDNA_EVENT_CTX_OPENED]	= "opened",
	[CDNA_EVENT_CTX_CLOSED]	= "closed",
	[CDNA_EVENT_CTX_RESET]	= "reset",
	[CDNA_EVENT_CTX_ERROR]	= "error",
	[CDNA_EVENT_LINK]	= "link",
	[CDNA_EVENT_MIG_START]	= "migration_start",
	[CDNA_EVENT_MIG_DONE]	= "migration_done",
	[CDNA_EVENT_MIG_FAILED]	= "migration_failed",
};

static int monitor_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[CDNA_ATTR_MAX + 1];
	uint8_t ev;

	(void)data;
	nl_parse(nlh, tb);
	if (!tb[CDNA_ATTR_EVENT])
		return MNL_CB_OK;
	ev = mnl_attr_get_u8(tb[CDNA_ATTR_EVENT]);
	pr_open_object(NULL);
	pr_string("event", "%s",
		  ev < sizeof(monitor_event_names) / sizeof(monitor_event_names[0]) ?
		  monitor_event_names[ev] : "unknown");
	if (tb[CDNA_ATTR_CTX_NAME])
		pr_string("name", " %s", mnl_attr_get_str(tb[CDNA_ATTR_CTX_NAME]));
	if (tb[CDNA_ATTR_NIC])
		pr_string("nic", " nic %s", mnl_attr_get_str(tb[CDNA_ATTR_NIC]));
	if (tb[CDNA_ATTR_CTX_UUID])
		pr_string("uuid", " uuid %s",
			  mnl_attr_get_str(tb[CDNA_ATTR_CTX_UUID]));
	if (tb[CDNA_ATTR_CTX_STATE])
		pr_string("state", " state %s",
			  mnl_attr_get_str(tb[CDNA_ATTR_CTX_STATE]));
	if (tb[CDNA_ATTR_CTX_MIG_STATE])
		pr_string("migration", " migration %s",
			  mnl_attr_get_str(tb[CDNA_ATTR_CTX_MIG_STATE]));
	if (tb[CDNA_ATTR_CTX_LINK_UP]) {
		bool up = mnl_attr_get_u8(tb[CDNA_ATTR_CTX_LINK_UP]);

		pr_bool("link_up", NULL, up);
		pr_text(" link %s", up ? "up" : "down");
	}
	pr_close_object();
	pr_finish();	/* one line (one JSON document) per event */
	return MNL_CB_OK;
}

int cdnactl_monitor(int argc, char **argv)
{
	if (argc > 0 && !strcmp(argv[0], "help")) {
		printf("Usage: cdnactl [ -j ] monitor\n");
		return 0;
	}
	if (argc > 0) {
		if (!cdnactl_misplaced_option(argv[0]))
			cdnactl_usage_err("unknown option \"%s\"", argv[0]);
		return -1;
	}
	if (nl_open())
		return -1;
	return nl_monitor(monitor_cb, NULL);
}
