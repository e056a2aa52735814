/*
 * closeprobe.so - test probe, loaded with LD_PRELOAD into a libpcap program:
 * appends "activate <handle>" for every successful pcap_activate() and
 * "close <handle>" for every pcap_close() to the file named by
 * PCAP_PROBE_LOG, then calls the real function.  The tcpdump exit tests
 * read it to see that the capture handle was closed before the exit.
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct pcap pcap_t;

static void probe_log(const char *what, const void *p)
{
	const char *path = getenv("PCAP_PROBE_LOG");
	char line[96];
	int fd, n;

	if (path == NULL || *path == '\0')
		return;
	n = snprintf(line, sizeof(line), "%s %p\n", what, p);
	if (n <= 0 || (size_t)n >= sizeof(line))
		return;
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	if (write(fd, line, (size_t)n) != n)
		fprintf(stderr, "closeprobe: short write to %s\n", path);
	close(fd);
}

static void *real_fn(const char *name)
{
	void *f = dlsym(RTLD_NEXT, name);

	if (f == NULL) {
		fprintf(stderr, "closeprobe: no %s after the probe: %s\n", name, dlerror());
		abort();
	}
	return f;
}

int pcap_activate(pcap_t *p)
{
	int (*fn)(pcap_t *);
	void *f = real_fn("pcap_activate");
	int rc;

	memcpy(&fn, &f, sizeof(fn));
	rc = fn(p);
	if (rc >= 0)
		probe_log("activate", p);
	return rc;
}

void pcap_close(pcap_t *p)
{
	void (*fn)(pcap_t *);
	void *f = real_fn("pcap_close");

	memcpy(&fn, &f, sizeof(fn));
	probe_log("close", p);
	fn(p);
}
