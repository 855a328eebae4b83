// SPDX-License-Identifier: GPL-2.0
/*
 * cdnactl: placeholder until the control plane lands. Prints usage.
 */
#include <stdio.h>
#include <string.h>

static void cdnactl_usage(FILE *f)
{
	fprintf(f,
		"Usage: cdnactl [ OPTIONS ] OBJECT { COMMAND | help }\n"
		"where  OBJECT := { nic | ctx }\n"
		"       OPTIONS := { -j[son] | -p[retty] }\n");
}

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "help") || !strcmp(argv[1], "-h")) {
		cdnactl_usage(stdout);
		return 0;
	}
	fprintf(stderr, "Object \"%s\" is unknown, try \"cdnactl help\".\n", argv[1]);
	return 1;
}
