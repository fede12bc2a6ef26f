/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: config_parse_text() on arbitrary INI text.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "service/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config c;
	char err[CONFIG_ERR_MAX];
	char *text;

	if (size > 64 * 1024)
		return 0;
	if ((text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	config_defaults(&c);
	(void)config_parse_text(&c, text, "fuzz.ini", err, sizeof(err));
	free(text);
	return 0;
}
