// SPDX-License-Identifier: GPL-2.0
/*
 * cdnactl: manage cdna NICs and contexts (generic netlink family "cdna").
 *
 *   cdnactl [ OPTIONS ] OBJECT { COMMAND | help }
 *
 * Objects and commands match by unambiguous prefix ("cdnactl c s" is
 * "cdnactl ctx show"); show is the default command.
 *
 *   cdnactl [ OPTIONS ] -batch FILE
 *
 * runs one command (OBJECT COMMAND ...) per line of FILE ("-": standard
 * input), like ip -batch: blank lines and "#" comments are skipped, words
 * are separated by blanks and may be quoted ("..." or '...'), and the first
 * command that fails stops the batch with its line number and status.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cdnactl.h"

static void cdnactl_usage(FILE *f)
{
	fprintf(f,
		"Usage: cdnactl [ OPTIONS ] OBJECT { COMMAND | help }\n"
		"where  OBJECT := { nic | ctx | monitor }\n"
		"       cdnactl [ OPTIONS ] -b[atch] FILE\n"
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

/* Run OBJECT COMMAND ...; return the status cdnactl exits with. */
static int cdnactl_run(int argc, char **argv)
{
	int (*fn)(int argc, char **argv) = NULL;
	unsigned int i, n = 0;

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
	return cdnactl_exit_status(fn(argc - 1, argv + 1));
}

#define CDNACTL_BATCH_MAX_ARGS	64

/*
 * Split @line into words in place: blanks separate, "..." and '...'
 * quote, an unquoted "#" at the start of a word ends the line.  Return the
 * number of words, or -1 (with a message) for an unterminated quote or
 * too many words.
 */
static int cdnactl_batch_split(char *line, char **argv)
{
	char *in = line, *out;
	int argc = 0;

	for (;;) {
		while (*in == ' ' || *in == '\t' || *in == '\n' || *in == '\r')
			in++;
		if (!*in || *in == '#')
			return argc;
		if (argc == CDNACTL_BATCH_MAX_ARGS) {
			cdnactl_usage_err("more than %d words on a line",
					  CDNACTL_BATCH_MAX_ARGS);
			return -1;
		}
		argv[argc++] = out = in;
		while (*in && *in != ' ' && *in != '\t' && *in != '\n' &&
		       *in != '\r') {
			if (*in == '"' || *in == '\'') {
				char q = *in++;

				while (*in && *in != q)
					*out++ = *in++;
				if (!*in) {
					cdnactl_usage_err("unterminated %c quote", q);
					return -1;
				}
				in++;
			} else {
				*out++ = *in++;
			}
		}
		if (*in)
			in++;
		*out = '\0';
	}
}

/* -batch FILE: one command per line; stop at the first that fails. */
static int cdnactl_batch(const char *file)
{
	char *argv[CDNACTL_BATCH_MAX_ARGS + 1];
	unsigned int lineno = 0;
	size_t size = 0;
	char *line = NULL;
	int argc, ret = 0;
	FILE *f;

	f = strcmp(file, "-") ? fopen(file, "r") : stdin;
	if (!f) {
		cdnactl_usage_err("cannot open \"%s\": %s", file,
				  strerror(errno));
		return CDNACTL_EXIT_USAGE;
	}
	while (getline(&line, &size, f) >= 0) {
		lineno++;
		argc = cdnactl_batch_split(line, argv);
		if (argc < 0) {
			ret = CDNACTL_EXIT_USAGE;
		} else if (argc > 0) {
			argv[argc] = NULL;
			ret = cdnactl_run(argc, argv);
		}
		fflush(stdout);
		if (ret) {
			cdnactl_err("%s:%u: command failed, batch stopped", file,
				    lineno);
			break;
		}
	}
	if (!ret && ferror(f)) {
		cdnactl_err("cannot read \"%s\": %s", file, strerror(errno));
		ret = CDNACTL_EXIT_FAILED;
	}
	free(line);
	if (f != stdin)
		fclose(f);
	return ret;
}

int main(int argc, char **argv)
{
	bool json = false, pretty = false;
	const char *batch = NULL;
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
		} else if (cdnactl_matches(opt, "batch")) {
			if (argc < 2) {
				cdnactl_usage_err("-batch needs a FILE (\"-\" for standard input)");
				return CDNACTL_EXIT_USAGE;
			}
			batch = argv[1];
			argc--;
			argv++;
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
	if (batch && argc > 0) {
		cdnactl_usage_err("-batch takes no command (\"%s\")", argv[0]);
		return CDNACTL_EXIT_USAGE;
	}

	pr_init(json, pretty, stdout);
	ret = batch ? cdnactl_batch(batch) : cdnactl_run(argc, argv);
	nl_close();
	return ret;
}
