/*
 * pf_text.c - strict decimal numbers and printable copies of untrusted text.
 */
#include "pf_text.h"

#include <string.h>

/* strtoul would take "-1" (as ULONG_MAX), leading blanks and hex. */
int pf_parse_udec(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;
	int over = 0;

	if (*s == '\0')
		return -1;
	for (; *s; s++) {
		unsigned int d;

		if (!pf_is_digit(*s))
			return -1;
		d = (unsigned int)(*s - '0');
		/* Keep scanning after overflow so "999...9x" is still "not a number". */
		if (!over && (d > max || v > (max - d) / 10))
			over = 1;
		else if (!over)
			v = v * 10 + d;
	}
	if (over)
		return -2;
	*out = v;
	return 0;
}

/* A message never carries control characters to a terminal or log. */
void pf_show(char *dst, size_t dlen, const char *s, size_t n)
{
	size_t i, o = 0;

	if (dlen == 0)
		return;
	for (i = 0; i < n && o + 1 < dlen; i++) {
		if (i == PF_SHOW_MAX) {
			const char *dots = "...";
			while (*dots && o + 1 < dlen)
				dst[o++] = *dots++;
			break;
		}
		dst[o++] = pf_is_print(s[i]) ? s[i] : '?';
	}
	dst[o] = '\0';
}

void pf_show_str(char *dst, size_t dlen, const char *s)
{
	pf_show(dst, dlen, s, strlen(s));
}
