/* SPDX-License-Identifier: MIT */
/*
 * Building the campaign summary table (see report.h for what each cell
 * counts, the rounding and the total): the counted cases are sorted by
 * domain, bureau and institution, so that each institution of a bureau is
 * seen once per domain and each bureau's money is rounded once per domain;
 * the joint departments are split, cleaned (valid UTF-8, no control
 * characters) and de-duplicated.  A campaign's few hundred cases make one
 * sort and one pass; every text and the rendered output have a hard
 * maximum.  report_render() hands the finished table to a renderer.
 */
#include "service/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "service/calendar.h"
#include "service/report_render.h"
#include "service/report_xlsx.h"

/* 、(U+3001), ，(U+FF0C), ；(U+FF1B) and the ideographic space U+3000. */
#define REPORT_SEP		"\xe3\x80\x81"
#define REPORT_SEP_LEN		3
#define REPORT_FULL_COMMA	"\xef\xbc\x8c"
#define REPORT_FULL_SEMI	"\xef\xbc\x9b"
#define REPORT_IDEO_SPACE	"\xe3\x80\x80"
#define REPORT_REPLACEMENT	"\xef\xbf\xbd"	/* U+FFFD */

const char *const report_column_names[REPORT_NCOLUMNS] = {
	"重点领域",
	"部门联合情况",
	"检查机构数",
	"存在违法违规行为的机构",
	"其中出具不实/虚假报告",
	"责令改正/整改",
	"撤销/注销",
	"罚没款(万元)",
	"移送公安司法机关(起)",
};

/* A counted case with the index of its domain. */
struct report_item {
	size_t				 domain;
	const struct report_store_case	*c;
};

/* A '、'-joined list of distinct names with a hard maximum. */
struct report_joint {
	char	*buf;
	size_t	 len;
	bool	 full;
};

bool
report_format_from_name(const char *name, enum report_format *f)
{
	if (name == NULL)
		return false;
	if (strcmp(name, "html") == 0)
		*f = REPORT_FORMAT_HTML;
	else if (strcmp(name, "csv") == 0)
		*f = REPORT_FORMAT_CSV;
	else if (strcmp(name, "xlsx") == 0)
		*f = REPORT_FORMAT_XLSX;
	else
		return false;
	return true;
}

int64_t
report_centiwan_from_fen(int64_t fen)
{
	/* 1 万元 = 10,000 元 = 1,000,000 fen; 0.01 万元 = 10,000 fen. */
	if (fen <= 0)
		return 0;
	return fen / 10000 + (fen % 10000 >= 5000 ? 1 : 0);
}

void
report_today(char made_on[11])
{
	calendar_format_date(calendar_day_from_time(time(NULL)), made_on, 11);
}

void
report_format_centiwan(int64_t centiwan, char *buf, size_t buflen)
{
	snprintf(buf, buflen, "%lld.%02lld", (long long)(centiwan / 100),
	    (long long)(centiwan % 100));
}

int
report_buf_add(struct report_buf *b, const void *p, size_t len)
{
	char *grown;
	size_t ncap;

	if (len > REPORT_OUTPUT_MAX || b->len > REPORT_OUTPUT_MAX - len)
		return -1;
	if (b->len + len + 1 > b->cap) {
		ncap = b->cap == 0 ? 4096 : b->cap;
		while (ncap < b->len + len + 1)
			ncap *= 2;
		if ((grown = realloc(b->data, ncap)) == NULL)
			return -1;
		b->data = grown;
		b->cap = ncap;
	}
	memcpy(b->data + b->len, p, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

void
report_buf_free(struct report_buf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

/*
 * Length of the valid UTF-8 sequence at s (n bytes left), 0 if none (RFC
 * 3629 section 4: no overlong forms, no surrogates, at most U+10FFFF).
 */
static size_t
report_utf8_len(const unsigned char *s, size_t n)
{
	size_t len, i;
	unsigned char lo = 0x80, hi = 0xbf;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		if (s[0] == 0xe0)
			lo = 0xa0;
		else if (s[0] == 0xed)
			hi = 0x9f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		if (s[0] == 0xf0)
			lo = 0x90;
		else if (s[0] == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

/* Whether s (n bytes left) starts with the separator lit of litlen. */
static bool
report_starts(const char *s, size_t n, const char *lit, size_t litlen)
{
	return n >= litlen && memcmp(s, lit, litlen) == 0;
}

/* Bytes of a separator at s (n bytes left), or 0. */
static size_t
report_sep_len(const char *s, size_t n)
{
	unsigned char c = (unsigned char)s[0];

	if (c == ',' || c == ';' || c < 0x20 || c == 0x7f)
		return 1;
	if (report_starts(s, n, REPORT_SEP, 3) ||
	    report_starts(s, n, REPORT_FULL_COMMA, 3) ||
	    report_starts(s, n, REPORT_FULL_SEMI, 3))
		return 3;
	return 0;
}

/* Whether name (n bytes) is already an item of j. */
static bool
report_joint_has(const struct report_joint *j, const char *name, size_t n)
{
	size_t pos = 0;

	while (pos < j->len) {
		const char *end = strstr(j->buf + pos, REPORT_SEP);
		size_t item = end != NULL ? (size_t)(end - (j->buf + pos)) :
		    j->len - pos;

		if (item == n && memcmp(j->buf + pos, name, n) == 0)
			return true;
		pos += item + (end != NULL ? REPORT_SEP_LEN : 0);
	}
	return false;
}

/*
 * Add one name (n bytes, clean UTF-8) unless it is there already; past
 * REPORT_JOINT_MAX further names are dropped and the list ends in "等".
 * 0 or -1 on allocation failure.
 */
static int
report_joint_add(struct report_joint *j, const char *name, size_t n)
{
	static const char more[] = REPORT_SEP "等";
	size_t need;

	if (n == 0 || j->full || report_joint_has(j, name, n))
		return 0;
	if (j->buf == NULL && (j->buf = malloc(REPORT_JOINT_MAX)) == NULL)
		return -1;
	need = j->len + (j->len > 0 ? REPORT_SEP_LEN : 0) + n;
	if (need + sizeof(more) > REPORT_JOINT_MAX) {
		if (j->len + sizeof(more) <= REPORT_JOINT_MAX) {
			memcpy(j->buf + j->len, more, sizeof(more));
			j->len += sizeof(more) - 1;
		}
		j->full = true;
		return 0;
	}
	if (j->len > 0) {
		memcpy(j->buf + j->len, REPORT_SEP, REPORT_SEP_LEN);
		j->len += REPORT_SEP_LEN;
	}
	memcpy(j->buf + j->len, name, n);
	j->len += n;
	j->buf[j->len] = '\0';
	return 0;
}

/*
 * Split text into names and add each to j: separators 、,，;； and control
 * characters; spaces (ASCII and U+3000) trimmed; bytes that are not UTF-8
 * become U+FFFD.  0 or -1 on allocation failure.
 */
static int
report_joint_add_text(struct report_joint *j, const char *text)
{
	char name[REPORT_JOINT_MAX];
	size_t n = 0, len, i = 0, sep, seq;

	if (text == NULL)
		return 0;
	len = strlen(text);
	while (i <= len) {
		sep = i < len ? report_sep_len(text + i, len - i) : 1;
		if (sep > 0) {
			/* Trim trailing spaces, then add. */
			while (n > 0 && name[n - 1] == ' ')
				n--;
			while (n >= 3 && memcmp(name + n - 3,
			    REPORT_IDEO_SPACE, 3) == 0)
				n -= 3;
			if (report_joint_add(j, name, n) != 0)
				return -1;
			n = 0;
			i += sep;
			continue;
		}
		if (n == 0 && (text[i] == ' ' ||
		    report_starts(text + i, len - i, REPORT_IDEO_SPACE, 3))) {
			i += text[i] == ' ' ? 1 : 3;
			continue;
		}
		seq = report_utf8_len((const unsigned char *)text + i,
		    len - i);
		if (n + 4 >= sizeof(name)) {	/* an overlong name: cut */
			i += seq > 0 ? seq : 1;
			continue;
		}
		if (seq == 0) {
			memcpy(name + n, REPORT_REPLACEMENT, 3);
			n += 3;
			i++;
		} else {
			memcpy(name + n, text + i, seq);
			n += seq;
			i += seq;
		}
	}
	return 0;
}

/* Move the joint list into row->joint ("" when empty). */
static int
report_joint_take(struct report_joint *j, struct report_row *row)
{
	if (j->buf == NULL && (j->buf = calloc(1, 1)) == NULL)
		return -1;
	row->joint = j->buf;
	memset(j, 0, sizeof(*j));
	return 0;
}

/* Whether a case counts in the table (see report.h). */
static bool
report_case_counts(const struct report_store_case *c)
{
	return strcmp(c->status, "filed") == 0 ||
	    strcmp(c->status, "not_filed") == 0 ||
	    strcmp(c->status, "decided") == 0 ||
	    strcmp(c->status, "closed") == 0;
}

/* Order: domain index, bureau, institution, case id. */
static int
report_cmp_item(const void *a, const void *b)
{
	const struct report_item *x = a, *y = b;
	int c;

	if (x->domain != y->domain)
		return x->domain < y->domain ? -1 : 1;
	if ((c = strcmp(x->c->bureau, y->c->bureau)) != 0)
		return c;
	if (x->c->institution_id != y->c->institution_id)
		return x->c->institution_id < y->c->institution_id ? -1 : 1;
	return (x->c->id > y->c->id) - (x->c->id < y->c->id);
}

/*
 * Count items[lo..hi) (one domain and bureau, sorted by institution) into
 * row.  -1 when the money overflows.
 */
static int
report_count_bureau(const struct report_item *items, size_t lo, size_t hi,
    struct report_row *row)
{
	int64_t fen = 0;
	size_t i = lo;

	while (i < hi) {
		int64_t inst = items[i].c->institution_id;
		bool violating = false, false_report = false, rectified = false,
		    revoked = false;

		for (; i < hi && items[i].c->institution_id == inst; i++) {
			const struct report_store_case *c = items[i].c;

			if (c->false_report > 0)
				false_report = true;
			if (c->violation_found || c->false_report > 0)
				violating = true;
			if (c->rectify_ordered)
				rectified = true;
			if (c->qualification_revoked)
				revoked = true;
			if (c->referred_police)
				row->referred++;
			if (c->fines_fen < 0 || c->confiscated_fen < 0 ||
			    __builtin_add_overflow(fen, c->fines_fen, &fen) ||
			    __builtin_add_overflow(fen, c->confiscated_fen,
			    &fen))
				return -1;
		}
		row->inspected++;
		row->violating += violating;
		row->false_report += false_report;
		row->rectified += rectified;
		row->revoked += revoked;
	}
	if (__builtin_add_overflow(row->money_centiwan,
	    report_centiwan_from_fen(fen), &row->money_centiwan) ||
	    __builtin_add_overflow(row->money_fen, fen, &row->money_fen))
		return -1;
	return 0;
}

/* Add row's numbers to the total.  -1 when the money overflows. */
static int
report_add_total(struct report_row *total, const struct report_row *row)
{
	total->inspected += row->inspected;
	total->violating += row->violating;
	total->false_report += row->false_report;
	total->rectified += row->rectified;
	total->revoked += row->revoked;
	total->referred += row->referred;
	if (__builtin_add_overflow(total->money_centiwan, row->money_centiwan,
	    &total->money_centiwan) ||
	    __builtin_add_overflow(total->money_fen, row->money_fen,
	    &total->money_fen))
		return -1;
	return 0;
}

int
report_summary_build(const struct report_store_domain *domains,
    size_t ndomains, const struct report_store_case *cases, size_t ncases,
    struct report_summary *s)
{
	struct report_item *items = NULL;
	struct report_joint joint, all;
	size_t nitems = 0, i, d, k;
	int rc = -1;

	memset(&joint, 0, sizeof(joint));
	memset(&all, 0, sizeof(all));
	s->rows = NULL;
	s->nrows = 0;
	memset(&s->total, 0, sizeof(s->total));
	snprintf(s->total.label, sizeof(s->total.label), "%s",
	    REPORT_TOTAL_LABEL);
	if (ndomains > 0 && (s->rows = calloc(ndomains, sizeof(*s->rows))) ==
	    NULL)
		goto out;
	if (ncases > 0 && (items = calloc(ncases, sizeof(*items))) == NULL)
		goto out;
	for (i = 0; i < ncases; i++) {
		if (!report_case_counts(&cases[i]))
			continue;
		for (d = 0; d < ndomains; d++)
			if (strcmp(cases[i].domain, domains[d].code) == 0)
				break;
		if (d == ndomains)
			continue;	/* no key domain of this campaign */
		items[nitems].domain = d;
		items[nitems].c = &cases[i];
		nitems++;
	}
	if (nitems > 1)
		qsort(items, nitems, sizeof(*items), report_cmp_item);

	for (d = 0, i = 0; d < ndomains; d++) {
		struct report_row *row = &s->rows[d];

		s->nrows++;
		snprintf(row->code, sizeof(row->code), "%s", domains[d].code);
		snprintf(row->label, sizeof(row->label), "%s",
		    domains[d].name_zh);
		/* Departments in case order: the items are sorted otherwise. */
		for (k = 0; k < ncases; k++)
			if (report_case_counts(&cases[k]) &&
			    strcmp(cases[k].domain, domains[d].code) == 0 &&
			    report_joint_add_text(&joint,
			    cases[k].joint_departments) != 0)
				goto out;
		while (i < nitems && items[i].domain == d) {
			size_t lo = i;

			while (i < nitems && items[i].domain == d &&
			    strcmp(items[i].c->bureau,
			    items[lo].c->bureau) == 0)
				i++;
			if (report_count_bureau(items, lo, i, row) != 0)
				goto out;
		}
		if (report_joint_take(&joint, row) != 0 ||
		    report_joint_add_text(&all, row->joint) != 0 ||
		    report_add_total(&s->total, row) != 0)
			goto out;
	}
	if (report_joint_take(&all, &s->total) != 0)
		goto out;
	rc = 0;
out:
	free(joint.buf);
	free(all.buf);
	free(items);
	if (rc != 0)
		report_summary_free(s);
	return rc;
}

void
report_summary_free(struct report_summary *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->nrows; i++)
		free(s->rows[i].joint);
	free(s->rows);
	free(s->total.joint);
	s->rows = NULL;
	s->nrows = 0;
	s->total.joint = NULL;
}

int
report_summary_load(struct db *db, const char *campaign, const char *bureau,
    const char *made_on, struct report_summary *s, char *err, size_t errlen)
{
	struct report_store_named named;
	struct report_store_domain *domains = NULL;
	struct report_store_case *cases = NULL;
	size_t ndomains = 0, ncases = 0;
	enum storage_status st;
	int rc = -1;

	memset(s, 0, sizeof(*s));
	st = report_store_campaign(db, campaign, &named);
	if (st == STORAGE_ERR_NOTFOUND) {
		snprintf(err, errlen, "unknown campaign \"%.64s\"", campaign);
		return 1;
	}
	if (st != STORAGE_OK)
		goto storage;
	snprintf(s->campaign, sizeof(s->campaign), "%s", named.code);
	snprintf(s->campaign_name, sizeof(s->campaign_name), "%s",
	    named.name_zh);
	snprintf(s->made_on, sizeof(s->made_on), "%s", made_on);
	st = report_store_bureau(db, bureau != NULL ? bureau :
	    REPORT_CITY_BUREAU, &named);
	if (st == STORAGE_ERR_NOTFOUND && bureau != NULL) {
		snprintf(err, errlen, "unknown bureau \"%.64s\"", bureau);
		return 1;
	}
	if (st != STORAGE_OK && st != STORAGE_ERR_NOTFOUND)
		goto storage;
	if (st == STORAGE_OK)
		snprintf(s->unit_name, sizeof(s->unit_name), "%s",
		    named.name_zh);
	if (bureau != NULL)
		snprintf(s->bureau, sizeof(s->bureau), "%s", bureau);
	if ((st = report_store_domains(db, campaign, &domains, &ndomains)) !=
	    STORAGE_OK)
		goto storage;
	if ((st = report_store_cases(db, campaign, bureau, &cases, &ncases)) !=
	    STORAGE_OK)
		goto storage;
	if (report_summary_build(domains, ndomains, cases, ncases, s) != 0) {
		snprintf(err, errlen, "cannot build the table (out of memory, "
		    "or a money sum too large)");
		goto out;
	}
	rc = 0;
	goto out;
storage:
	snprintf(err, errlen, "cannot read the campaign's data: %s",
	    storage_status_str(st));
out:
	free(domains);
	report_store_cases_free(&cases, ncases);
	return rc;
}

int
report_render(const struct report_summary *s, enum report_format f,
    struct report_buf *out, char *err, size_t errlen)
{
	int rc = -1;

	switch (f) {
	case REPORT_FORMAT_HTML:
		rc = report_render_html(s, out);
		break;
	case REPORT_FORMAT_CSV:
		rc = report_render_csv(s, out);
		break;
	case REPORT_FORMAT_XLSX:
		return report_xlsx_render(s, out, err, errlen);
	}
	if (rc != 0) {
		snprintf(err, errlen, "cannot render the table (out of memory "
		    "or over %u bytes)", REPORT_OUTPUT_MAX);
		report_buf_free(out);
	}
	return rc;
}
