#include "pack_report.h"
#include "util/strbuf.h"

void knit_pack_report(struct knit_cli *cli, const struct knit_pack *p, const char *filename)
{
	char size[32];
	struct strbuf sri = STRBUF_INIT;
	fprintf(cli->out, "package: %s@%s\n", p->name, p->version);
	for (size_t i = 0; i < p->n; i++) {
		knit_human_size(p->files[i].size, size, sizeof(size));
		fprintf(cli->out, "%9s  %s\n", size, p->files[i].path);
	}
	knit_integrity_format(&p->integrity, &sri);
	fprintf(cli->out, "name:          %s\n", p->name);
	fprintf(cli->out, "version:       %s\n", p->version);
	fprintf(cli->out, "filename:      %s\n", filename);
	knit_human_size(p->tgz.len, size, sizeof(size));
	fprintf(cli->out, "package size:  %s\n", size);
	knit_human_size(p->unpacked_size, size, sizeof(size));
	fprintf(cli->out, "unpacked size: %s\n", size);
	fprintf(cli->out, "shasum:        %s\n", p->shasum);
	fprintf(cli->out, "integrity:     %s\n", sri.buf);
	fprintf(cli->out, "total files:   %zu\n", p->n);
	strbuf_release(&sri);
}
