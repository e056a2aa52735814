/*
 * check.h - the unit tests' assertions: each failed check prints
 * file:line with expected and actual values and the run continues, so one
 * run shows every failure; check_exit() gives the automake exit status.
 */
#ifndef CHECK_H
#define CHECK_H

#include <stdio.h>
#include <string.h>

static int n_checks, n_failed;

#define FAIL_AT(...)                                                    \
	do {                                                            \
		n_failed++;                                             \
		fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);         \
		fprintf(stderr, __VA_ARGS__);                           \
		fputc('\n', stderr);                                    \
	} while (0)

#define CHECK(cond)                                                     \
	do {                                                            \
		n_checks++;                                             \
		if (!(cond))                                            \
			FAIL_AT("check failed: %s", #cond);             \
	} while (0)

#define CHECK_INT(exp, act)                                             \
	do {                                                            \
		long long e_ = (long long)(exp), a_ = (long long)(act);  \
		n_checks++;                                             \
		if (e_ != a_)                                           \
			FAIL_AT("%s: expected %lld, got %lld", #act, e_, a_); \
	} while (0)

#define CHECK_STR(exp, act)                                             \
	do {                                                            \
		const char *e_ = (exp), *a_ = (act);                    \
		n_checks++;                                             \
		if (strcmp(e_, a_) != 0)                                \
			FAIL_AT("%s:\n  expected \"%s\"\n  got      \"%s\"", \
				#act, e_, a_);                          \
	} while (0)

static inline int
check_exit(const char *name)
{
	printf("%s: %d checks, %d failed\n", name, n_checks, n_failed);
	return n_failed == 0 ? 0 : 1;
}

#endif /* CHECK_H */
