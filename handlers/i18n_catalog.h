/* SPDX-License-Identifier: MIT */
/*
 * The translation tables compiled into the binary: po/po2c.py writes
 * po_catalog.c from the catalogs msgfmt compiled out of po/LANG.po.  Each
 * catalog is sorted by msgid in strcmp() order.  Read through i18n.h only.
 */
#ifndef HANDLERS_I18N_CATALOG_H
#define HANDLERS_I18N_CATALOG_H

#include <stddef.h>

struct i18n_entry {
	const char *msgid;
	const char *msgstr;
};

struct i18n_catalog {
	const char *lang;		/* "zh_CN" */
	const struct i18n_entry *entries;
	size_t count;
};

extern const struct i18n_catalog i18n_catalogs[];
extern const size_t i18n_catalog_count;

#endif
