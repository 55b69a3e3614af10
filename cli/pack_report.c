#include "pack_report.h"
#include "util/strbuf.h"

/* "93 B", "1.2 kB", "3.4 MB": decimal units, as npm prints them */
static void human_size(unsigned long long n, char *buf, size_t size)
{
	if (n < 1000)
		snprintf(buf, size, "%llu B", n);
	else if (n < 1000000)
		snprintf(buf, size, "%.1f kB", (double)n / 1e3);
	else
		snprintf(buf, size, "%.1f MB", (double)n / 1e6);
}

void knit_pack_report(struct knit_cli *cli, const struct knit_pack *p, const char *filename)
{
	char size[32];
	struct strbuf sri = STRBUF_INIT;
	fprintf(cli->out, "package: %s@%s\n", p->name, p->version);
	for (size_t i = 0; i < p->n; i++) {
		human_size(p->files[i].size, size, sizeof(size));
		fprintf(cli->out, "%9s  %s\n", size, p->files[i].path);
	}
	knit_integrity_format(&p->integrity, &sri);
	fprintf(cli->out, "name:          %s\n", p->name);
	fprintf(cli->out, "version:       %s\n", p->version);
	fprintf(cli->out, "filename:      %s\n", filename);
	human_size(p->tgz.len, size, sizeof(size));
	fprintf(cli->out, "package size:  %s\n", size);
	human_size(p->unpacked_size, size, sizeof(size));
	fprintf(cli->out, "unpacked size: %s\n", size);
	fprintf(cli->out, "shasum:        %s\n", p->shasum);
	fprintf(cli->out, "integrity:     %s\n", sri.buf);
	fprintf(cli->out, "total files:   %zu\n", p->n);
	strbuf_release(&sri);
}
