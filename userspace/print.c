// SPDX-License-Identifier: GPL-2.0
/*
 * cdnactl: the one printing path.
 *
 * Commands describe what they print once, as keys and values inside
 * objects and arrays; this layer writes either text (each value through
 * its printf format; objects of an array end with a newline) or JSON (one
 * document per command, -p indents it).  A document is kept in memory
 * until pr_finish(), so that a command that fails half way (a dump the
 * kernel ends with an error) prints nothing at all on stdout.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cdnactl.h"

#define PR_MAX_DEPTH	16

static struct {
	bool json;
	bool pretty;
	FILE *f;			/* the document being written */
	FILE *out;			/* where pr_finish() puts it */
	char *buf;			/* f's memory, when f is a memstream */
	size_t len;
	bool discard;			/* the command failed: print nothing */
	int depth;
	bool first[PR_MAX_DEPTH];	/* nothing written yet at this depth */
	bool text_line;			/* text written on the current line */
} pr;

static void pr_open_doc(void)
{
	pr.buf = NULL;
	pr.len = 0;
	pr.f = open_memstream(&pr.buf, &pr.len);
	if (!pr.f)
		pr.f = pr.out;	/* unbuffered, then */
}

void pr_init(bool json, bool pretty, FILE *f)
{
	memset(&pr, 0, sizeof(pr));
	pr.json = json;
	pr.pretty = pretty;
	pr.out = f;
	pr.first[0] = true;
	pr_open_doc();
}

void pr_discard(void)
{
	pr.discard = true;
}

bool pr_is_json(void)
{
	return pr.json;
}

void pr_json_escape(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (c < 0x20)
				fprintf(f, "\\u%04x", c);
			else
				fputc(c, f);
		}
	}
	fputc('"', f);
}

static void pr_indent(void)
{
	int i;

	if (!pr.pretty)
		return;
	fputc('\n', pr.f);
	for (i = 0; i < pr.depth; i++)
		fputs("    ", pr.f);
}

/* JSON: the separator and the key of the next member. */
static void pr_json_member(const char *key)
{
	if (!pr.first[pr.depth])
		fputc(',', pr.f);
	pr.first[pr.depth] = false;
	if (pr.depth)
		pr_indent();
	if (key) {
		pr_json_escape(pr.f, key);
		fputs(pr.pretty ? ": " : ":", pr.f);
	}
}

static void pr_push(char c)
{
	fputc(c, pr.f);
	if (pr.depth < PR_MAX_DEPTH - 1)
		pr.depth++;
	pr.first[pr.depth] = true;
}

static void pr_pop(char c)
{
	bool empty = pr.first[pr.depth];

	if (pr.depth)
		pr.depth--;
	if (!empty)
		pr_indent();
	fputc(c, pr.f);
}

void pr_open_array(const char *key)
{
	if (pr.json) {
		pr_json_member(key);
		pr_push('[');
	}
}

void pr_close_array(void)
{
	if (pr.json)
		pr_pop(']');
}

void pr_open_object(const char *key)
{
	if (pr.json) {
		pr_json_member(key);
		pr_push('{');
	}
}

void pr_close_object(void)
{
	if (pr.json)
		pr_pop('}');
}

void pr_newline(void)
{
	if (!pr.json && pr.text_line) {
		fputc('\n', pr.f);
		pr.text_line = false;
	}
}

void pr_text(const char *fmt, ...)
{
	va_list ap;

	if (pr.json)
		return;
	va_start(ap, fmt);
	vfprintf(pr.f, fmt, ap);
	va_end(ap);
	pr.text_line = true;
}

void pr_string(const char *key, const char *fmt, const char *val)
{
	if (pr.json) {
		pr_json_member(key);
		pr_json_escape(pr.f, val);
	} else if (fmt) {
		pr_text(fmt, val);
	}
}

void pr_u64(const char *key, const char *fmt, uint64_t val)
{
	if (pr.json) {
		pr_json_member(key);
		fprintf(pr.f, "%llu", (unsigned long long)val);
	} else if (fmt) {
		pr_text(fmt, (unsigned long long)val);
	}
}

void pr_bool(const char *key, const char *fmt, bool val)
{
	if (pr.json) {
		pr_json_member(key);
		fputs(val ? "true" : "false", pr.f);
	} else if (fmt) {
		pr_text(fmt, val ? "on" : "off");
	}
}

/* End a document: a newline, and the next value starts a new one. */
void pr_finish(void)
{
	if (pr.json)
		fputc('\n', pr.f);
	else
		pr_newline();
	if (pr.f != pr.out) {
		fclose(pr.f);
		if (!pr.discard)
			fwrite(pr.buf, 1, pr.len, pr.out);
		free(pr.buf);
		pr_open_doc();
	}
	fflush(pr.out);
	pr.discard = false;
	pr.depth = 0;
	pr.first[0] = true;
	pr.text_line = false;
}

static int cdnactl_status;

void cdnactl_set_status(int status)
{
	cdnactl_status = status;
}

int cdnactl_exit_status(int ret)
{
	int status = cdnactl_status;

	cdnactl_status = 0;
	if (!ret)
		return 0;
	return status ? status : CDNACTL_EXIT_FAILED;
}

void cdnactl_usage_err(const char *fmt, ...)
{
	va_list ap;

	fputs("Error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(".\n", stderr);
	cdnactl_set_status(CDNACTL_EXIT_USAGE);
}

void cdnactl_err(const char *fmt, ...)
{
	va_list ap;

	fputs("Error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(".\n", stderr);
	cdnactl_set_status(CDNACTL_EXIT_FAILED);
}
