#include "cli.h"

int main(int argc, char **argv)
{
	struct knit_cli cli = { stdout, stderr };
	return knit_cli_run(argc, (const char **)argv, &cli);
}
