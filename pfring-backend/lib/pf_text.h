/*
 * pf_text.h - reading untrusted text: strict decimal numbers, and copies of
 * values that are safe to echo in messages.  Shared by the config file,
 * environment and device-name parsers.
 */
#ifndef PF_TEXT_H
#define PF_TEXT_H

#include <stddef.h>

/* Values echoed in messages are cut so the rest of the message still fits. */
#define PF_SHOW_MAX 64
#define PF_SHOW_BUF (PF_SHOW_MAX + 4)

static inline int pf_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f' ||
	       c == '\n';
}

static inline int pf_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Printable ASCII; locale-independent so behaviour does not depend on LANG. */
static inline int pf_is_print(char c)
{
	return c >= 0x20 && c <= 0x7e;
}

/*
 * Strict decimal: digits only, no sign, no blanks, no "0x".  Returns 0 with
 * *out set, -1 if s is not a number, -2 if it is above max.
 */
int pf_parse_udec(const char *s, unsigned long max, unsigned long *out);

/*
 * Copy s[0..n) for display into dst (dlen bytes, PF_SHOW_BUF fits any):
 * non-printable bytes become '?' and more than PF_SHOW_MAX bytes are cut
 * with "...".
 */
void pf_show(char *dst, size_t dlen, const char *s, size_t n);
void pf_show_str(char *dst, size_t dlen, const char *s);

#endif /* PF_TEXT_H */
