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

/* Run OBJECT COMMAND ...; 0, or the status cdnactl would exit with. */
static int cdnactl_run(int argc, char **argv)
{
	int (*fn)(int argc, char **argv) = NULL;
	unsigned int i, n = 0;

	if (argc < 1 || !strcmp(argv[0], "help")) {
		cdnactl_usage(argc < 1 ? stderr : stdout);
		return argc < 1;
	}
	for (i = 0; i < sizeof(cdnactl_objects) / sizeof(cdnactl_objects[0]);
	     i++) {
		if (cdnactl_matches(argv[0], cdnactl_objects[i].name)) {
			fn = cdnactl_objects[i].fn;
			n++;
		}
	}
	if (n != 1) {
		cdnactl_err("object \"%s\" is %s, try \"cdnactl help\"", argv[0],
			    n ? "ambiguous" : "unknown");
		return 1;
	}
	return fn(argc - 1, argv + 1) ? 1 : 0;
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
			cdnactl_err("more than %d words on a line",
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
					cdnactl_err("unterminated %c quote", q);
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
		cdnactl_err("cannot open \"%s\": %s", file, strerror(errno));
		return 1;
	}
	while (getline(&line, &size, f) >= 0) {
		lineno++;
		argc = cdnactl_batch_split(line, argv);
		if (argc < 0) {
			ret = 1;
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
		ret = 1;
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
				cdnactl_err("-batch needs a FILE (\"-\" for standard input)");
				return 1;
			}
			batch = argv[1];
			argc--;
			argv++;
		} else if (cdnactl_matches(opt, "Version")) {
			printf("cdnactl (cdna netlink family v%d)\n",
			       1);
			return 0;
		} else if (cdnactl_matches(opt, "help")) {
			cdnactl_usage(stdout);
			return 0;
		} else {
			cdnactl_err("option \"%s\" is unknown, try \"cdnactl -help\"",
				    argv[0]);
			return 1;
		}
		argc--;
		argv++;
	}
	if (batch && argc > 0) {
		cdnactl_err("-batch takes no command (\"%s\")", argv[0]);
		return 1;
	}

	pr_init(json, pretty, stdout);
	ret = batch ? cdnactl_batch(batch) : cdnactl_run(argc, argv);
	nl_close();
	return ret;
}
