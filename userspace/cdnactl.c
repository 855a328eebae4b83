// SPDX-License-Identifier: GPL-2.0
/*
 * cdnactl: manage cdna NICs and contexts (generic netlink family "cdna").
 *
 *   cdnactl [ OPTIONS ] OBJECT { COMMAND | help }
 *
 * Objects and commands match by unambiguous prefix ("cdnactl c s" is
 * "cdnactl ctx show"); show is the default command.
 */
#include <stdlib.h>
#include <string.h>

#include "cdnactl.h"

static void cdnactl_usage(FILE *f)
{
	fprintf(f,
		"Usage: cdnactl [ OPTIONS ] OBJECT { COMMAND | help }\n"
		"where  OBJECT := { nic | ctx | monitor }\n"
		"       OPTIONS := { -j[son] | -p[retty] | -V[ersion] | -h[elp] }\n");
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} cdnactl_objects[] = {
	{ "nic", cdnactl_nic },
	{ "ctx", cdnactl_ctx },
	{ "monitor", cdnactl_monitor },
};

int main(int argc, char **argv)
{
	bool json = false, pretty = false;
	int (*fn)(int argc, char **argv) = NULL;
	unsigned int i, n = 0;
	int ret;

	argc--;
	argv++;
	while (argc > 0 && argv[0][0] == '-' && argv[0][1]) {
		const char *opt = argv[0] + 1;

		if (*opt == '-')
			opt++;
		if (cdnactl_matches(opt, "json")) {
			json = true;
		} else if (cdnactl_matches(opt, "pretty")) {
			pretty = true;
		} else if (cdnactl_matches(opt, "Version")) {
			return cdnactl_print_version();
		} else if (cdnactl_matches(opt, "help")) {
			cdnactl_usage(stdout);
			return 0;
		} else {
			cdnactl_usage_err("option \"%s\" is unknown, try \"cdnactl -help\"",
					  argv[0]);
			return CDNACTL_EXIT_USAGE;
		}
		argc--;
		argv++;
	}
	if (argc < 1 || !strcmp(argv[0], "help")) {
		cdnactl_usage(argc < 1 ? stderr : stdout);
		return argc < 1 ? CDNACTL_EXIT_USAGE : 0;
	}
	for (i = 0; i < sizeof(cdnactl_objects) / sizeof(cdnactl_objects[0]);
	     i++) {
		if (cdnactl_matches(argv[0], cdnactl_objects[i].name)) {
			fn = cdnactl_objects[i].fn;
			n++;
		}
	}
	if (n != 1) {
		cdnactl_usage_err("object \"%s\" is %s, try \"cdnactl help\"",
				  argv[0], n ? "ambiguous" : "unknown");
		return CDNACTL_EXIT_USAGE;
	}

	pr_init(json, pretty, stdout);
	ret = fn(argc - 1, argv + 1);
	nl_close();
	return cdnactl_exit_status(ret);
}
