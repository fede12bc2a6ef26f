/* SPDX-License-Identifier: MIT */
/*
 * The router (see router.h): one call per tip, everything it needs built
 * on the call's own scratch memory and freed before it returns.
 *
 * Steps:
 *   1. Normalise the tip's text (service/textnorm.h): summary, details and
 *      the institution field, each on its own and joined with '|'.
 *   2. Institution: the registry entries the tip names, in three tiers, the
 *      first that finds anything wins — (a) the institution field: a credit
 *      code or CMA number in it, the normalised name equal to it, the
 *      entry's core name inside it, or the field being part of exactly one
 *      entry's name; (b) a credit code or CMA number in the text; (c) a
 *      normalised name or core name inside the text.  The core name is the
 *      normalised name without the company suffix and without leading
 *      region names (山西省, 晋城市, a county), used only when it has at
 *      least 4 characters of which at least 2 are not generic trade words
 *      (检测, 技术, 质量, ...), so that "检验检测" can never match.  Inside
 *      the text a name found within a longer match is dropped.  Last, when
 *      no tier found a name: an abbreviation — the entry's trade name (字号,
 *      the core's first two characters) right before a testing trade word
 *      (华泰检测 for 高平市华泰检测有限公司), in the field, then the text.
 *   3. Places: a dictionary of gazetteer names scanned leftmost-longest
 *      (西河底 wins over 西河, 高平市 over 高平).  Short names that are also
 *      ordinary words or places elsewhere (河北, 东街, 周村, 三甲, 十里,
 *      ...; see risky_stems[]) count only with their suffix or right after
 *      their county's name (泽州周村); the city's own name, outside places
 *      that contain a stem (洛阳城, 潞城区, 平城区, 河北省) and phrases like
 *      提高平均 consume their text and give no signal; 城区 counts only as
 *      晋城城区 / 晋城市城区; 开发区 / 经开区 give both 城区 and the
 *      development-zone branch (a person decides).  A name shared by
 *      several counties is a signal for each.  A place name that names a
 *      road (泽州路, 高平东路) is no signal; 城区 on its own (not right after
 *      a place: 高平城区) is a candidate only beside another county.
 *   4. Combine the signals (router.h); write the reason.
 *   5. Domain: sum of the weights of the distinct domain keywords found
 *      (standard numbers like GB 19083 also match GB19083-2010, gb/t…, and
 *      — with 5 digits or more — the bare number); the highest domain wins
 *      when it scores at least 3 and no other domain ties with it.
 *      Violation: leftmost-longest keyword matches counted per type; the
 *      highest wins; a tie between a type and its category's generic type
 *      goes to the specific one, a tie inside one category to its generic
 *      type, a tie across categories to nobody.  The tipster's own choice
 *      wins over both.
 *   6. Priority: + epidemic domain, + alleged false report (the chosen
 *      type, or any keyword of a "false" type), + words of harm.
 *   7. Report numbers: those service/report_numbers.h finds in the
 *      summary and the details (the same numbers intake keeps as relation
 *      keys); the reason gives only their count.
 *
 * The reason names only reference-data vocabulary (registry names,
 * gazetteer names, keywords of the data files, codes), never the tipster's
 * own words, so it can be stored in the plaintext route_reason column.
 *
 * Cost: linear in the text for the dictionaries; the registry through a
 * hash of the first two characters of each core name, so 5 000 entries
 * cost one table build (about 10 000 entries) and a probe per text
 * position, not 5 000 substring searches.  Report numbers, institution
 * matches and listed names are capped (ROUTER_MAX_*, MAX_* below).
 */
#include "service/router.h"

#include <stdalign.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "service/report_numbers.h"
#include "service/textnorm.h"

#define MAX_SET			16	/* counties in one signal set */
#define MAX_INST_MATCHES	16
#define MAX_CODE_RUNS		256	/* alphanumeric runs compared */
#define MAX_PLACE_HITS		32	/* distinct place patterns kept */
#define MAX_LISTED		8	/* names listed in the reason */
#define INST_HASH_BITS		12
#define CORE_MIN_CHARS		4
#define CORE_MIN_DISTINCT	2
#define DOMAIN_MIN_SCORE	3
#define STANDARD_BARE_DIGITS	5
#define CMA_MIN_LEN		8
#define ZONE_COUNTY		"140502"	/* 城区: 开发区街道 is its unit */

/* ---------------------------------------------------------------------
 * Scratch memory of one call: a list of blocks, freed at once.
 */

struct scratch_block {
	struct scratch_block *next;
	size_t used;
	size_t cap;
	alignas(max_align_t) unsigned char data[];
};

struct scratch {
	struct scratch_block *head;
};

static void *
scratch_alloc(struct scratch *s, size_t n)
{
	struct scratch_block *b = s->head;
	size_t align = alignof(max_align_t), off, cap;

	if (n == 0)
		n = 1;
	if (b != NULL) {
		off = (b->used + align - 1) & ~(align - 1);
		if (off <= b->cap && b->cap - off >= n) {
			b->used = off + n;
			return b->data + off;
		}
	}
	cap = n > 32768 ? n : 32768;
	if ((b = malloc(sizeof(*b) + cap)) == NULL)
		return NULL;
	b->cap = cap;
	b->used = n;
	b->next = s->head;
	s->head = b;
	return b->data;
}

/* n elements of size sz, zeroed; NULL on overflow or out of memory. */
static void *
scratch_array(struct scratch *s, size_t n, size_t sz)
{
	void *p;

	if (sz != 0 && n > SIZE_MAX / sz)
		return NULL;
	if ((p = scratch_alloc(s, n * sz)) != NULL)
		memset(p, 0, n * sz);
	return p;
}

/* The normalised form of s in scratch memory ("" for NULL). */
static char *
scratch_norm(struct scratch *s, const char *src, size_t *outlen)
{
	size_t len = src != NULL ? strlen(src) : 0;
	char *d;

	if (len == SIZE_MAX || (d = scratch_alloc(s, len + 1)) == NULL)
		return NULL;
	*outlen = textnorm_into(d, src, len);
	return d;
}

/* a followed by b, normalised, in scratch memory. */
static char *
scratch_norm2(struct scratch *s, const char *a, const char *b, size_t *outlen)
{
	size_t la = strlen(a), lb = strlen(b);
	char *tmp, *d;

	if ((tmp = scratch_alloc(s, la + lb + 1)) == NULL)
		return NULL;
	memcpy(tmp, a, la);
	memcpy(tmp + la, b, lb);
	tmp[la + lb] = '\0';
	if ((d = scratch_alloc(s, la + lb + 1)) == NULL)
		return NULL;
	*outlen = textnorm_into(d, tmp, la + lb);
	return d;
}

static void
scratch_free(struct scratch *s)
{
	struct scratch_block *b, *next;

	for (b = s->head; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	s->head = NULL;
}

/* ---------------------------------------------------------------------
 * Small helpers.
 */

static bool
is_empty(const char *s)
{
	return s == NULL || *s == '\0';
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_lower_alnum(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z');
}

/* Bytes of the UTF-8 character that starts with lead byte c (1 if bad). */
static size_t
char_len(unsigned char c)
{
	if (c < 0xc0)
		return 1;
	if (c < 0xe0)
		return 2;
	if (c < 0xf0)
		return 3;
	return 4;
}

static bool
starts_with(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && memcmp(s, prefix, n) == 0;
}

static bool
ends_with(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len >= n && memcmp(s + len - n, suffix, n) == 0;
}

/* A set of bureau codes, in the order first added. */
struct code_set {
	size_t n;
	const char *v[MAX_SET];
};

static bool
set_has(const struct code_set *s, const char *code)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i], code) == 0)
			return true;
	return false;
}

static void
set_add(struct code_set *s, const char *code)
{
	if (!is_empty(code) && !set_has(s, code) && s->n < MAX_SET)
		s->v[s->n++] = code;
}

/* ---------------------------------------------------------------------
 * The reason: Chinese clauses joined by "；", truncated at a character
 * boundary with "…" if it would not fit.
 */

struct reason {
	char *buf;
	size_t cap;		/* usable bytes, NUL and "…" excluded */
	size_t len;
	bool truncated;
};

#define ELLIPSIS "…"

static void reason_add(struct reason *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
reason_add(struct reason *r, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (r->truncated)
		return;
	va_start(ap, fmt);
	n = vsnprintf(r->buf + r->len, r->cap - r->len + 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n <= r->cap - r->len) {
		r->len += (size_t)n;
		return;
	}
	/* Cut at the last character boundary that fits. */
	r->len = r->cap;
	while (r->len > 0 &&
	    ((unsigned char)r->buf[r->len] & 0xc0) == 0x80)
		r->len--;
	memcpy(r->buf + r->len, ELLIPSIS, sizeof(ELLIPSIS));
	r->len += sizeof(ELLIPSIS) - 1;
	r->truncated = true;
}

static void
reason_clause(struct reason *r)
{
	if (r->len > 0)
		reason_add(r, "；");
}

/* ---------------------------------------------------------------------
 * Names of bureaus and counties for the reason.
 */

static const struct router_bureau *
find_bureau(const struct router_data *d, const char *code)
{
	for (size_t i = 0; i < d->nbureaus; i++)
		if (d->bureaus[i].code != NULL &&
		    strcmp(d->bureaus[i].code, code) == 0)
			return &d->bureaus[i];
	return NULL;
}

/* Whether code is a county that has a bureau (a strong/weak target). */
static bool
is_county(const struct router_data *d, const char *code)
{
	const struct router_bureau *b;

	if (is_empty(code) || (b = find_bureau(d, code)) == NULL)
		return false;
	return !is_empty(b->county_code) && strcmp(b->county_code, code) == 0;
}

/* 高平市 for 140581; the bureau's name for other bureaus; else the code. */
static const char *
county_name(const struct router_data *d, const char *code)
{
	const struct router_bureau *b;

	for (size_t i = 0; i < d->nplaces; i++) {
		const struct router_place *p = &d->places[i];

		if (p->code != NULL && p->county_code != NULL &&
		    strcmp(p->code, code) == 0 &&
		    strcmp(p->county_code, code) == 0)
			return p->name;
	}
	if ((b = find_bureau(d, code)) != NULL && !is_empty(b->name))
		return b->name;
	return code;
}

static const char *
bureau_name(const struct router_data *d, const char *code)
{
	const struct router_bureau *b = find_bureau(d, code);

	return b != NULL && !is_empty(b->name) ? b->name : code;
}

/* "高平市、泽州县" for a set. */
static void
reason_set(struct reason *r, const struct router_data *d,
    const struct code_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		reason_add(r, "%s%s", i > 0 ? "、" : "",
		    county_name(d, s->v[i]));
}

/* ---------------------------------------------------------------------
 * Dictionaries scanned leftmost-longest: places and violation keywords.
 */

enum pat_kind {
	PAT_PLACE,		/* a place of one or more counties */
	PAT_ZONE,		/* the development zone: 城区 + the branch */
	PAT_CITY,		/* 晋城, 晋城市: no signal, noted */
	PAT_NEUTRAL,		/* no signal (outside, ordinary word) */
	PAT_KEYWORD,		/* a violation keyword; ref = violation */
};

struct pat {
	const char *s;		/* normalised */
	size_t len;
	enum pat_kind kind;
	const char *label;	/* PAT_PLACE: the place's name, 高都镇 */
	const char *county;	/* PAT_PLACE */
	bool county_level;	/* PAT_PLACE: the place is the county */
	bool former;
	size_t ref;		/* PAT_KEYWORD: violation index */
	const char *keyword;	/* PAT_KEYWORD: the keyword as in the data */
};

struct dict {
	struct pat *v;
	size_t n;
	size_t cap;
};

static int
dict_add(struct dict *d, const struct pat *p)
{
	if (p->len == 0)
		return 0;
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 256;
		struct pat *v;

		if (cap > SIZE_MAX / sizeof(*v) ||
		    (v = realloc(d->v, cap * sizeof(*v))) == NULL)
			return -1;
		d->v = v;
		d->cap = cap;
	}
	d->v[d->n++] = *p;
	return 0;
}

static int
pat_cmp(const void *a, const void *b)
{
	const struct pat *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->s, y->s, n);

	if (c != 0)
		return c;
	return x->len < y->len ? -1 : x->len > y->len ? 1 : 0;
}

static void
dict_sort(struct dict *d)
{
	if (d->n > 1)
		qsort(d->v, d->n, sizeof(d->v[0]), pat_cmp);
}

/*
 * The index of the first of the longest patterns that text[i..] starts
 * with, or SIZE_MAX.  Patterns with the same text follow it.
 */
static size_t
dict_longest_at(const struct dict *d, const char *text, size_t len, size_t i)
{
	size_t cl = char_len((unsigned char)text[i]);
	size_t lo = 0, hi = d->n, best = SIZE_MAX, best_len = 0;

	if (cl > len - i)
		return SIZE_MAX;
	/* Lower bound of the first character. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct pat *p = &d->v[mid];
		size_t n = p->len < cl ? p->len : cl;
		int c = memcmp(p->s, text + i, n);

		if (c < 0 || (c == 0 && p->len < cl))
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t k = lo; k < d->n; k++) {
		const struct pat *p = &d->v[k];

		if (p->len < cl || memcmp(p->s, text + i, cl) != 0)
			break;
		if (p->len <= len - i && p->len > best_len &&
		    memcmp(p->s, text + i, p->len) == 0) {
			best = k;
			best_len = p->len;
		}
	}
	return best;
}

/*
 * Short names that are also ordinary words, or places outside the city
 * (jincheng-divisions.NOTES.md and a look at the list): as a bare stem no
 * signal; with their suffix (the full name) or right after their county's
 * name (泽州周村, 高平市三甲) a signal as usual.
 */
static const char *const risky_stems[] = {
	"潞城", "平城", "河北",				/* places elsewhere */
	"东街", "西街", "南街", "北街", "东城", "南城", "北城",	/* address words */
	"中村", "下村", "南村", "周村", "张村", "马村", "金村", "杨村",
	"原村", "郑村",					/* village names */
	"十里", "三甲", "河西", "山河", "礼义", "矿区", "南岭", "建宁",
	"神农", "崇文", "龙港",				/* ordinary words */
};

/* Text that contains a stem but is no signal: it consumes the stem. */
static const char *const neutral_phrases[] = {
	"城区",						/* any city's */
	"洛阳城", "潞城区", "潞城市", "平城区", "河北省", "凤城市", "建宁县",
	"龙港市", "周村区", "提高平", "高平均", "高平台", "高平衡", "高平方",
	"阳城区",
};

/* The city itself: no signal, noted in the reason. */
static const char *const city_names[] = { "晋城市", "晋城" };

/* 城区 as a county only in these forms. */
static const char *const chengqu_forms[] = {
	"晋城市城区", "晋城城区", "城区市场监督管理局", "城区市场监管局",
};

/* The development zone: a signal for 城区 and the branch both. */
static const char *const zone_words[] = {
	"开发区", "经开区", "经济开发区", "经济技术开发区",
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static bool
is_risky_stem(const char *s)
{
	for (size_t i = 0; i < NELEM(risky_stems); i++)
		if (strcmp(risky_stems[i], s) == 0)
			return true;
	return false;
}

/* Region prefixes stripped from names to get their core. */
struct prefix_set {
	const char **v;
	size_t *len;
	size_t n;
};

/* One call of router_route_prepared(). */
struct route_ctx {
	const struct router *rt;
	const struct router_data *d;
	const struct router_input *in;
	struct router_decision *out;
	struct scratch mem;		/* this call's */
	struct reason r;
	/* Normalised text: summary|details|institution, and its parts. */
	char *text;
	size_t text_len;
	char *body;		/* summary|details */
	size_t body_len;
	char *field;		/* institution as typed */
	size_t field_len;
	/* The same for codes (codes_text()). */
	char *body_codes;
	size_t body_codes_len;
	char *field_codes;
	size_t field_codes_len;
};

/* Add a place pattern for text s of county county. */
static int
add_place_pat(struct scratch *mem, struct dict *dict, const char *s,
    enum pat_kind kind, const struct router_place *place)
{
	struct pat p;

	memset(&p, 0, sizeof(p));
	if ((p.s = scratch_norm(mem, s, &p.len)) == NULL)
		return -1;
	p.kind = kind;
	if (place != NULL) {
		p.county = place->county_code;
		p.label = place->name;
		p.county_level = place->code != NULL &&
		    strcmp(place->code, place->county_code) == 0;
		p.former = place->former;
	}
	return dict_add(dict, &p);
}

/* The gazetteer as a dictionary (see the file comment, step 3). */
static int
build_place_dict(const struct router_data *d, struct scratch *mem,
    struct dict *dict)
{
	for (size_t i = 0; i < NELEM(neutral_phrases); i++)
		if (add_place_pat(mem, dict, neutral_phrases[i], PAT_NEUTRAL,
		    NULL) != 0)
			return -1;
	for (size_t i = 0; i < NELEM(city_names); i++)
		if (add_place_pat(mem, dict, city_names[i], PAT_CITY,
		    NULL) != 0)
			return -1;
	for (size_t i = 0; i < NELEM(zone_words); i++)
		if (add_place_pat(mem, dict, zone_words[i], PAT_ZONE,
		    NULL) != 0)
			return -1;
	for (size_t i = 0; i < d->nplaces; i++) {
		const struct router_place *p = &d->places[i];
		const char *cname, *cshort = NULL;
		struct pat q;

		if (is_empty(p->name) || is_empty(p->county_code) ||
		    !is_county(d, p->county_code))
			continue;
		if (p->code != NULL && strcmp(p->code, p->county_code) == 0) {
			/* The county itself; 城区 only in its long forms. */
			if (strcmp(p->name, "城区") == 0) {
				for (size_t k = 0; k < NELEM(chengqu_forms);
				    k++)
					if (add_place_pat(mem, dict,
					    chengqu_forms[k], PAT_PLACE,
					    p) != 0)
						return -1;
			} else if (add_place_pat(mem, dict, p->name, PAT_PLACE,
			    p) != 0)
				return -1;
			if (!is_empty(p->short_name) &&
			    add_place_pat(mem, dict, p->short_name, PAT_PLACE,
			    p) != 0)
				return -1;
			continue;
		}
		/* A town or street. */
		if (strstr(p->name, "开发区") != NULL) {
			if (add_place_pat(mem, dict, p->name, PAT_ZONE,
			    NULL) != 0)
				return -1;
			continue;
		}
		if (add_place_pat(mem, dict, p->name, PAT_PLACE, p) != 0)
			return -1;
		if (is_empty(p->short_name) ||
		    strcmp(p->short_name, p->name) == 0)
			continue;
		if (!is_risky_stem(p->short_name)) {
			if (add_place_pat(mem, dict, p->short_name, PAT_PLACE,
			    p) != 0)
				return -1;
			continue;
		}
		/* Risky: the bare stem is neutral, after its county a place. */
		if (add_place_pat(mem, dict, p->short_name, PAT_NEUTRAL,
		    NULL) != 0)
			return -1;
		cname = county_name(d, p->county_code);
		for (size_t k = 0; k < d->nplaces; k++)
			if (d->places[k].code != NULL &&
			    strcmp(d->places[k].code, p->county_code) == 0 &&
			    !is_empty(d->places[k].short_name))
				cshort = d->places[k].short_name;
		memset(&q, 0, sizeof(q));
		q.kind = PAT_PLACE;
		q.county = p->county_code;
		q.label = p->name;
		q.former = p->former;
		if ((q.s = scratch_norm2(mem, cname, p->short_name,
		    &q.len)) == NULL || dict_add(dict, &q) != 0)
			return -1;
		if (cshort != NULL &&
		    ((q.s = scratch_norm2(mem, cshort, p->short_name,
		    &q.len)) == NULL || dict_add(dict, &q) != 0))
			return -1;
	}
	dict_sort(dict);
	return 0;
}

/* One distinct place text found, for the reason and the weak set. */
struct place_hit {
	const char *text;	/* normalised text matched */
	size_t len;
	const char *label;	/* the place's name */
	struct code_set counties;
	bool county_level;
	bool former;
	bool zone;
};

struct place_result {
	size_t n;
	struct place_hit hits[MAX_PLACE_HITS];
	struct code_set weak;	/* counties (and the zone branch) */
	bool city_named;
	bool zone_named;
	bool bare_chengqu;	/* 城区 on its own, not after a place */
};

/*
 * Words that make a place name before them the name of a road (泽州路,
 * 泽州南路, 凤台街): roads are named after places elsewhere, so such a name
 * says nothing about where the conduct was.
 */
static const char *const road_words[] = {
	"路", "大街", "大道", "南路", "北路", "东路", "西路", "中路",
};

static bool
road_follows(const char *t, size_t len, size_t at)
{
	for (size_t k = 0; k < NELEM(road_words); k++)
		if (starts_with(t + at, len - at, road_words[k]))
			return true;
	/* 街 but not 街道 (东城街道 is a unit, matched whole). */
	return starts_with(t + at, len - at, "街") &&
	    !starts_with(t + at, len - at, "街道");
}

/* Scan the whole text for places (step 3). */
static void
scan_places(struct route_ctx *c, const struct dict *dict,
    struct place_result *res)
{
	size_t i = 0, last_end = SIZE_MAX;

	memset(res, 0, sizeof(*res));
	while (i < c->text_len) {
		size_t k = dict_longest_at(dict, c->text, c->text_len, i);
		size_t at = i;
		const struct pat *p;
		struct place_hit h;
		bool neutral = false, city = false, zone = false;

		if (k == SIZE_MAX) {
			i += char_len((unsigned char)c->text[i]);
			continue;
		}
		p = &dict->v[k];
		memset(&h, 0, sizeof(h));
		h.text = p->s;
		h.len = p->len;
		/* Every pattern with this text: union; caution wins. */
		for (size_t j = k; j < dict->n && pat_cmp(&dict->v[j], p) == 0;
		    j++) {
			const struct pat *q = &dict->v[j];

			switch (q->kind) {
			case PAT_PLACE:
				set_add(&h.counties, q->county);
				/* A current unit's name over a former one's. */
				if (h.label == NULL || (h.former &&
				    !q->former)) {
					h.label = q->label;
					h.county_level = q->county_level;
					h.former = q->former;
				}
				break;
			case PAT_ZONE:
				zone = true;
				break;
			case PAT_CITY:
				city = true;
				break;
			default:
				neutral = true;
				break;
			}
		}
		i += p->len;
		if (city) {
			res->city_named = true;
			last_end = i;
			continue;
		}
		if (neutral) {
			/*
			 * 城区 right after a place (高平城区, 阳城县城区) is
			 * that place's town centre; on its own it may be the
			 * district 城区 (泽州县和城区交界): see below.
			 */
			if (p->len == strlen("城区") &&
			    memcmp(p->s, "城区", p->len) == 0 &&
			    at != last_end && !ends_with(c->text, at, "县") &&
			    !ends_with(c->text, at, "市"))
				res->bare_chengqu = true;
			continue;
		}
		if (!zone && road_follows(c->text, c->text_len, i))
			continue;
		last_end = i;
		if (zone) {
			h.zone = true;
			h.counties.n = 0;
			if (is_county(c->d, ZONE_COUNTY))
				set_add(&h.counties, ZONE_COUNTY);
			if (find_bureau(c->d, ROUTER_ZONE_BUREAU) != NULL)
				set_add(&h.counties, ROUTER_ZONE_BUREAU);
			res->zone_named = true;
		}
		for (size_t j = 0; j < h.counties.n; j++)
			set_add(&res->weak, h.counties.v[j]);
		{
			bool seen = false;

			for (size_t j = 0; j < res->n; j++)
				if (res->hits[j].len == h.len &&
				    memcmp(res->hits[j].text, h.text,
				    h.len) == 0)
					seen = true;
			if (!seen && res->n < MAX_PLACE_HITS)
				res->hits[res->n++] = h;
		}
	}
	/*
	 * A bare 城区 beside other places: it may be the district, so it is a
	 * candidate too (two counties: a person decides).  Alone it is no
	 * signal (any town has a 城区).
	 */
	if (res->bare_chengqu && res->weak.n > 0 &&
	    is_county(c->d, ZONE_COUNTY) && !set_has(&res->weak, ZONE_COUNTY) &&
	    res->n < MAX_PLACE_HITS) {
		struct place_hit *h = &res->hits[res->n++];

		memset(h, 0, sizeof(*h));
		h->text = "城区";
		h->len = strlen("城区");
		h->label = "城区";
		h->county_level = true;
		set_add(&h->counties, ZONE_COUNTY);
		set_add(&res->weak, ZONE_COUNTY);
	}
}

/* "高都（泽州县高都镇）、巴公镇（泽州县）、高平（高平市）" */
static void
reason_places(struct route_ctx *c, const struct place_result *pr)
{
	size_t listed = 0, shown = 0;

	for (size_t i = 0; i < pr->n; i++) {
		const struct place_hit *h = &pr->hits[i];
		bool same;

		if (h->zone)
			continue;
		if (listed++ >= MAX_LISTED)
			continue;
		reason_add(&c->r, "%s%.*s", shown++ > 0 ? "、" : "",
		    (int)h->len, h->text);
		same = h->label != NULL && strlen(h->label) == h->len &&
		    memcmp(h->label, h->text, h->len) == 0;
		if (h->counties.n > 1) {
			reason_add(&c->r, "（");
			reason_set(&c->r, c->d, &h->counties);
			reason_add(&c->r, "）");
		} else if (h->county_level) {
			if (!same)
				reason_add(&c->r, "（%s）", h->label);
		} else if (h->counties.n == 1) {
			reason_add(&c->r, "（%s%s%s）",
			    county_name(c->d, h->counties.v[0]),
			    h->former ? "原" : "",
			    same && !h->former ? "" : h->label);
		}
	}
	if (listed > shown)
		reason_add(&c->r, "等");
}

/* ---------------------------------------------------------------------
 * The institution registry (step 2).
 */

enum inst_method {
	INST_NONE = 0,
	INST_BRAND,		/* trade name + a trade word: 华泰检测 */
	INST_PARTIAL,		/* the field is part of one registry name */
	INST_CORE,		/* core name */
	INST_NAME,		/* normalised name */
	INST_CMA,		/* CMA certificate number */
	INST_CREDIT,		/* unified social credit code */
};

static const char *
inst_method_zh(enum inst_method m)
{
	switch (m) {
	case INST_CREDIT:
		return "统一社会信用代码匹配";
	case INST_CMA:
		return "CMA资质认定证书编号匹配";
	case INST_NAME:
		return "名称匹配";
	case INST_CORE:
		return "名称（不含地名和公司后缀）匹配";
	case INST_PARTIAL:
		return "举报人填写的名称是登记名称的一部分";
	case INST_BRAND:
		return "字号简称匹配";
	default:
		return "";
	}
}

/* One registry entry, prepared for this call. */
struct inst_prep {
	const char *norm;
	size_t norm_len;
	size_t core_off;
	size_t core_len;	/* 0: shorter than CORE_MIN_CHARS */
	bool core_ok;		/* core_distinct() */
	size_t brand_off;	/* the trade name (字号): brand_of() */
	size_t brand_len;	/* 0: none */
	uint64_t cmask;		/* char_mask() of norm */
};

/*
 * A 64-bit summary of the characters of s[0..len): bit (last byte of the
 * character mod 64) for each.  A text whose mask has a bit that a name's
 * lacks cannot be inside that name, so the field's search through every
 * registry name (match_field()) skips almost all of them unread.
 */
static uint64_t
char_mask(const char *s, size_t len)
{
	uint64_t m = 0;

	for (size_t i = 0; i < len; i += char_len((unsigned char)s[i])) {
		size_t n = char_len((unsigned char)s[i]);
		size_t last = i + n <= len ? i + n - 1 : len - 1;

		m |= (uint64_t)1 << ((unsigned char)s[last] & 63);
	}
	return m;
}

struct inst_match {
	size_t inst;
	enum inst_method method;
	size_t start, end;	/* span in the scanned text */
};

struct inst_result {
	size_t n;
	struct inst_match m[MAX_INST_MATCHES];
};

/* Words too general to make a core name distinctive. */
#define W(s) { s, sizeof(s) - 1 }
static const struct {
	const char *s;
	size_t len;
} generic_words[] = {
	W("检验"), W("检测"), W("检定"), W("测试"), W("试验"), W("监测"),
	W("计量"), W("认证"), W("技术"), W("科技"), W("服务"), W("咨询"),
	W("质量"), W("工程"), W("建设"), W("建筑"), W("建材"), W("材料"),
	W("环境"), W("环保"), W("安全"), W("产品"), W("食品"), W("药品"),
	W("医疗"), W("器械"), W("中心"), W("研究院"), W("研究所"), W("研究"),
	W("有限"), W("股份"), W("集团"), W("分析"), W("化验"), W("评价"),
	W("评估"), W("综合"), W("机动车"), W("公司"), W("实验室"), W("能源"),
	W("煤炭"), W("煤质"), W("电力"), W("机械"), W("设备"), W("信息"),
	W("发展"), W("管理"), W("国际"), W("第三方"), W("公共"), W("专业"),
	W("山西"), W("晋城"), W("省"), W("市"), W("县"), W("区"), W("站"),
	W("所"), W("院"), W("("), W(")"),
};
#undef W

/* Code points of s[0..len) that are not part of a generic word. */
static size_t
distinct_chars(const char *s, size_t len)
{
	size_t i = 0, n = 0;

	while (i < len) {
		size_t skip = 0;

		for (size_t k = 0; k < NELEM(generic_words); k++) {
			size_t gl = generic_words[k].len;

			if (gl <= len - i && gl > skip &&
			    memcmp(s + i, generic_words[k].s, gl) == 0)
				skip = gl;
		}
		if (skip > 0) {
			i += skip;
			continue;
		}
		i += char_len((unsigned char)s[i]);
		n++;
	}
	return n;
}

/*
 * The core of a normalised name: without 有限公司/公司 at the end and
 * without leading region names, as *off and *clen; *clen is 0 when the
 * core is shorter than CORE_MIN_CHARS.  Whether it is distinctive enough
 * is core_distinct()'s question.
 */
static void
core_of(const struct prefix_set *ps, const char *s, size_t len, size_t *off,
    size_t *clen)
{
	size_t start = 0, end = len;
	bool again = true;

	if (ends_with(s, end, "有限公司"))
		end -= strlen("有限公司");
	else if (ends_with(s, end, "公司"))
		end -= strlen("公司");
	while (again) {
		again = false;
		for (size_t k = 0; k < ps->n; k++) {
			size_t pl = ps->len[k];

			if (pl > 0 && end - start > pl &&
			    memcmp(s + start, ps->v[k], pl) == 0) {
				start += pl;
				again = true;
				break;
			}
		}
	}
	*off = start;
	*clen = 0;
	if (textnorm_chars(s + start, end - start) >= CORE_MIN_CHARS)
		*clen = end - start;
}

/* Whether a core has at least CORE_MIN_DISTINCT non-generic characters. */
static bool
core_distinct(const char *core, size_t len)
{
	return len > 0 && distinct_chars(core, len) >= CORE_MIN_DISTINCT;
}



/*
 * The trade name (字号) of a core: its first two characters when neither
 * starts a generic word (华泰 of 华泰检测, 宏达 of 宏达建设工程质量检测), or
 * the first two inside a leading bracket (中科 of (中科)计量检测技术).  A
 * name like 产品质量检验所 has none.  People abbreviate a name to its
 * trade name and a trade word (华泰检测, 宏达检验, 正源监测): see
 * match_brands().
 */
static void
brand_of(const char *core, size_t len, size_t *off, size_t *blen)
{
	size_t i = 0, n = 0;

	*off = 0;
	*blen = 0;
	if (len > 0 && core[0] == '(')
		i = 1;
	*off = i;
	while (i < len && n < 2) {
		if (core[i] == '(' || core[i] == ')' ||
		    (unsigned char)core[i] < 0x80)
			return;
		for (size_t k = 0; k < NELEM(generic_words); k++) {
			size_t gl = generic_words[k].len;

			if (gl <= len - i &&
			    memcmp(core + i, generic_words[k].s, gl) == 0)
				return;
		}
		i += char_len((unsigned char)core[i]);
		n++;
	}
	if (n == 2)
		*blen = i - *off;
}

/*
 * Words that, right after a trade name, make it an abbreviated name: the
 * testing trade's own.  Not 公司 or 中心: 宏达公司 may well be the supplier
 * the tip is about, and a wrong registry match is a strong signal.
 */
static const char *const trade_words[] = {
	"检测", "检验", "监测", "化验", "质检", "测试", "试验", "检定", "计量",
	"认证", "核查", "实验室",
};

/* Region prefixes stripped from names: province, city, counties. */
static int
build_prefixes(const struct router_data *d, struct scratch *mem,
    struct prefix_set *ps)
{
	static const char *const fixed[] = {"山西省", "山西", "晋城市", "晋城"};
	size_t cap = NELEM(fixed) + 2 * d->nplaces, n = 0;

	if ((ps->v = scratch_array(mem, cap, sizeof(*ps->v))) == NULL ||
	    (ps->len = scratch_array(mem, cap, sizeof(*ps->len))) == NULL)
		return -1;
	for (size_t i = 0; i < NELEM(fixed); i++) {
		ps->v[n] = fixed[i];
		ps->len[n++] = strlen(fixed[i]);
	}
	for (size_t i = 0; i < d->nplaces; i++) {
		const struct router_place *p = &d->places[i];

		if (p->code == NULL || p->county_code == NULL ||
		    strcmp(p->code, p->county_code) != 0)
			continue;
		/* Longer first: 高平市 before 高平. */
		if (!is_empty(p->name)) {
			ps->v[n] = p->name;
			ps->len[n++] = strlen(p->name);
		}
		if (!is_empty(p->short_name)) {
			ps->v[n] = p->short_name;
			ps->len[n++] = strlen(p->short_name);
		}
	}
	ps->n = n;
	return 0;
}

/* Every registry entry's normalised name and core, once per data. */
static int
prepare_institutions(const struct router_data *d, struct scratch *mem,
    const struct prefix_set *ps, struct inst_prep **out)
{
	struct inst_prep *v;

	if ((v = scratch_array(mem, d->ninstitutions, sizeof(*v))) == NULL)
		return -1;
	for (size_t i = 0; i < d->ninstitutions; i++) {
		const struct router_institution *r = &d->institutions[i];

		if (!is_empty(r->name_norm)) {
			v[i].norm = r->name_norm;
			v[i].norm_len = strlen(r->name_norm);
		} else if ((v[i].norm = scratch_norm(mem, r->name,
		    &v[i].norm_len)) == NULL)
			return -1;
		core_of(ps, v[i].norm, v[i].norm_len, &v[i].core_off,
		    &v[i].core_len);
		v[i].core_ok = core_distinct(v[i].norm + v[i].core_off,
		    v[i].core_len);
		v[i].cmask = char_mask(v[i].norm, v[i].norm_len);
		if (v[i].core_len > 0) {
			brand_of(v[i].norm + v[i].core_off, v[i].core_len,
			    &v[i].brand_off, &v[i].brand_len);
			v[i].brand_off += v[i].core_off;
		}
	}
	*out = v;
	return 0;
}

/* Hash of the first two characters of s (which has at least two). */
static uint32_t
hash2(const char *s, size_t len)
{
	size_t n = char_len((unsigned char)s[0]);
	uint32_t h = 2166136261u;

	if (n < len)
		n += char_len((unsigned char)s[n]);
	if (n > len)
		n = len;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h & ((1u << INST_HASH_BITS) - 1);
}

/*
 * Heads and links of a chained hash over the core names, and the entries
 * whose core is too short to index (matched by their whole name).
 */
struct inst_index {
	size_t *head;		/* [1 << INST_HASH_BITS], SIZE_MAX: empty */
	size_t *next;		/* [ninstitutions] */
	size_t *unindexed;	/* entry numbers */
	size_t nunindexed;
};

/* A domain keyword in matching form. */
struct dkey {
	const char *s;
	size_t len;
	size_t domain;		/* index into data->domains */
	const char *orig;	/* as in the data, for the reason */
	int weight;
	bool standard;		/* a standard number: gb19083 */
	size_t num;		/* standard: offset of its number part */
};

/*
 * Everything about the data that does not depend on the tip, built once
 * by router_prepare() and only read afterwards (threads may share it).
 */
struct router {
	const struct router_data *d;
	struct scratch mem;
	struct prefix_set prefixes;
	struct inst_prep *inst;
	struct inst_index ix;
	struct inst_index bix;		/* over the trade names */
	struct dict places;
	struct dict vkeys;
	struct dkey *dkeys;
	size_t ndkeys;
};

static int
build_inst_index(size_t n, struct scratch *mem, const struct inst_prep *v,
    struct inst_index *ix)
{
	size_t nb = (size_t)1 << INST_HASH_BITS;

	if ((ix->head = scratch_array(mem, nb, sizeof(size_t))) == NULL ||
	    (ix->next = scratch_array(mem, n, sizeof(size_t))) == NULL ||
	    (ix->unindexed = scratch_array(mem, n, sizeof(size_t))) == NULL)
		return -1;
	for (size_t i = 0; i < nb; i++)
		ix->head[i] = SIZE_MAX;
	ix->nunindexed = 0;
	for (size_t i = n; i-- > 0;) {
		uint32_t h;

		if (v[i].core_len == 0) {
			if (v[i].norm_len > 0)
				ix->unindexed[ix->nunindexed++] = i;
			continue;
		}
		h = hash2(v[i].norm + v[i].core_off, v[i].core_len);
		ix->next[i] = ix->head[h];
		ix->head[h] = i;
	}
	return 0;
}

/* The chained hash over the trade names (head and next only). */
static int
build_brand_index(size_t n, struct scratch *mem, const struct inst_prep *v,
    struct inst_index *ix)
{
	size_t nb = (size_t)1 << INST_HASH_BITS;

	if ((ix->head = scratch_array(mem, nb, sizeof(size_t))) == NULL ||
	    (ix->next = scratch_array(mem, n, sizeof(size_t))) == NULL)
		return -1;
	for (size_t i = 0; i < nb; i++)
		ix->head[i] = SIZE_MAX;
	for (size_t i = n; i-- > 0;) {
		uint32_t h;

		if (v[i].brand_len == 0)
			continue;
		h = hash2(v[i].norm + v[i].brand_off, v[i].brand_len);
		ix->next[i] = ix->head[h];
		ix->head[h] = i;
	}
	return 0;
}

static void
add_match(struct inst_result *res, size_t inst, enum inst_method m,
    size_t start, size_t end)
{
	for (size_t i = 0; i < res->n; i++) {
		if (res->m[i].inst != inst)
			continue;
		if (m > res->m[i].method) {
			res->m[i].method = m;
			res->m[i].start = start;
			res->m[i].end = end;
		}
		return;
	}
	if (res->n < MAX_INST_MATCHES) {
		res->m[res->n].inst = inst;
		res->m[res->n].method = m;
		res->m[res->n].start = start;
		res->m[res->n].end = end;
		res->n++;
	}
}

/* Case-insensitive equality of a registry code with a lower-case run. */
static bool
code_equal(const char *registry, const char *run, size_t len)
{
	size_t n = strlen(registry);

	if (n != len)
		return false;
	for (size_t i = 0; i < n; i++) {
		char a = registry[i];

		if (a >= 'A' && a <= 'Z')
			a = (char)(a - 'A' + 'a');
		if (a != run[i])
			return false;
	}
	return true;
}

/*
 * The text codes are looked for in: ASCII letters (lower case) and digits
 * of the raw text, full-width ones made ASCII, everything else one blank.
 * Unlike the normalised text it keeps blanks as separators, so that a
 * credit code followed by " 2022年" is still 18 characters long.
 */
static char *
codes_text(struct scratch *mem, const char *const *parts, size_t nparts,
    size_t *outlen)
{
	size_t total = 0, w = 0;
	char *d;

	for (size_t p = 0; p < nparts; p++)
		total += (parts[p] != NULL ? strlen(parts[p]) : 0) + 1;
	if ((d = scratch_alloc(mem, total + 1)) == NULL)
		return NULL;
	for (size_t p = 0; p < nparts; p++) {
		const char *s = parts[p] != NULL ? parts[p] : "";
		size_t len = strlen(s), i = 0;

		while (i < len) {
			uint32_t cp;
			size_t n = textnorm_decode(s, len, i, &cp);

			i += n > 0 ? n : 1;
			if (n > 0 && cp >= 0xff10 && cp <= 0xff5a)
				cp -= 0xfee0;		/* full-width */
			if (n > 0 && cp >= 'A' && cp <= 'Z')
				cp += 'a' - 'A';
			d[w++] = n > 0 && cp < 0x80 && is_lower_alnum(
			    (char)cp) ? (char)cp : ' ';
		}
		d[w++] = ' ';
	}
	d[w] = '\0';
	*outlen = w;
	return d;
}

/* Credit codes and CMA numbers among the alphanumeric runs of s. */
static void
match_codes(const struct route_ctx *c, const char *s, size_t len,
    struct inst_result *res)
{
	const struct router_data *d = c->d;
	size_t i = 0, runs = 0;

	while (i < len && runs < MAX_CODE_RUNS) {
		size_t start, rl, lead = 0;

		if (!is_lower_alnum(s[i])) {
			i++;
			continue;
		}
		start = i;
		while (i < len && is_lower_alnum(s[i]))
			i++;
		rl = i - start;
		if (rl < CMA_MIN_LEN || rl > 32)
			continue;
		runs++;
		/* "cma160412050123": letters before the digits. */
		while (lead < rl && !is_digit(s[start + lead]))
			lead++;
		for (size_t k = 0; k < d->ninstitutions; k++) {
			const struct router_institution *r =
			    &d->institutions[k];

			if (!is_empty(r->credit_code) &&
			    code_equal(r->credit_code, s + start, rl))
				add_match(res, k, INST_CREDIT, start, i);
			else if (!is_empty(r->cma_cert_no) &&
			    strlen(r->cma_cert_no) >= CMA_MIN_LEN &&
			    (code_equal(r->cma_cert_no, s + start, rl) ||
			    (lead > 0 && code_equal(r->cma_cert_no,
			    s + start + lead, rl - lead))))
				add_match(res, k, INST_CMA, start, i);
		}
	}
}

/*
 * Characters that often stand right before a name in a sentence (在华信检测
 * 做的, 找了华信检测, 一家华信检测) or end an address (米山镇华信检测,
 * 泽州路华信检测): a core name found after one of them, or after a
 * non-ideograph (punctuation, a digit, the start), or after a region name
 * (高平华信检测), starts there.  After any other ideograph it is the tail of
 * some other name (中华信检测 is not 华信检测) and not a match.
 */
static const char core_lead_chars[] =
    "在找是的去到被和跟让给由向对家叫报了说与及把从这那个位间所请经将为以"
    "于同其该某些镇乡市县区村路街道号楼";

static bool
core_left_boundary(const struct route_ctx *c, const char *s, size_t i)
{
	const struct prefix_set *ps = &c->rt->prefixes;
	size_t k = i;
	uint32_t cp;

	if (i == 0)
		return true;
	while (k > 0 && ((unsigned char)s[k - 1] & 0xc0) == 0x80)
		k--;
	if (k > 0)
		k--;
	if (textnorm_decode(s, i, k, &cp) == 0)
		return true;
	if (!((cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x3400 && cp <= 0x4dbf)))
		return true;
	{
		char ch[5] = {0};

		memcpy(ch, s + k, i - k < 4 ? i - k : 4);
		if (strstr(core_lead_chars, ch) != NULL)
			return true;
	}
	for (size_t p = 0; p < ps->n; p++)
		if (ends_with(s, i, ps->v[p]))
			return true;
	return false;
}

/* Names and core names inside s (tier a's containment and tier c). */
static void
match_names_inside(const struct route_ctx *c, const struct inst_prep *v,
    const struct inst_index *ix, const char *s, size_t len,
    struct inst_result *res)
{
	/* Entries with too short a core: their whole name. */
	for (size_t u = 0; u < ix->nunindexed; u++) {
		size_t k = ix->unindexed[u];
		const char *hit;

		if (v[k].norm_len > len)
			continue;
		if ((hit = memmem(s, len, v[k].norm, v[k].norm_len)) != NULL)
			add_match(res, k, INST_NAME, (size_t)(hit - s),
			    (size_t)(hit - s) + v[k].norm_len);
	}
	/* Core names through the index, one probe per position. */
	for (size_t i = 0; i < len;
	    i += char_len((unsigned char)s[i])) {
		size_t k;

		if (len - i < 2)
			break;
		for (k = ix->head[hash2(s + i, len - i)]; k != SIZE_MAX;
		    k = ix->next[k]) {
			const char *core = v[k].norm + v[k].core_off;
			size_t off = v[k].core_off;

			if (v[k].core_len > len - i ||
			    memcmp(s + i, core, v[k].core_len) != 0)
				continue;
			if (i >= off && v[k].norm_len <= len - (i - off) &&
			    memcmp(s + i - off, v[k].norm, v[k].norm_len) == 0)
				add_match(res, k, INST_NAME, i - off,
				    i - off + v[k].norm_len);
			else if (v[k].core_ok && core_left_boundary(c, s, i))
				add_match(res, k, INST_CORE, i,
				    i + v[k].core_len);
		}
	}
	/* A match inside another's longer span is the same words. */
	for (size_t a = 0; a < res->n;) {
		bool inside = false;

		for (size_t b = 0; b < res->n && !inside; b++) {
			const struct inst_match *x = &res->m[a];
			const struct inst_match *y = &res->m[b];

			inside = a != b && x->method < INST_CMA &&
			    y->method < INST_CMA && x->start >= y->start &&
			    x->end <= y->end &&
			    x->end - x->start < y->end - y->start;
		}
		if (inside)
			res->m[a] = res->m[--res->n];
		else
			a++;
	}
}

/*
 * Abbreviated names inside s: a registry entry's trade name followed by a
 * trade word (华泰检测, 宏达检验, 正源监测), starting where a name may start
 * (core_left_boundary()).  Every entry with that trade name matches, so a
 * trade name two institutions share names both (and a person decides when
 * their counties differ).  Tried only when no name matched.
 */
static void
match_brands(const struct route_ctx *c, const char *s, size_t len,
    struct inst_result *res)
{
	const struct inst_prep *v = c->rt->inst;
	const struct inst_index *ix = &c->rt->bix;

	for (size_t i = 0; i < len; i += char_len((unsigned char)s[i])) {
		if (len - i < 2)
			break;
		for (size_t k = ix->head[hash2(s + i, len - i)]; k != SIZE_MAX;
		    k = ix->next[k]) {
			size_t bl = v[k].brand_len, after = i + bl;
			bool trade = false;

			if (bl > len - i ||
			    memcmp(s + i, v[k].norm + v[k].brand_off, bl) != 0)
				continue;
			for (size_t w = 0; w < NELEM(trade_words) && !trade;
			    w++)
				trade = starts_with(s + after, len - after,
				    trade_words[w]);
			if (trade && core_left_boundary(c, s, i))
				add_match(res, k, INST_BRAND, i, after);
		}
	}
}

/* Tier (a): the institution field. */
static void
match_field(const struct route_ctx *c, const struct inst_prep *v,
    const struct inst_index *ix, struct inst_result *res)
{
	const struct router_data *d = c->d;
	size_t off, clen, partial = SIZE_MAX, npartial = 0;
	uint64_t fmask;

	if (c->field_len == 0)
		return;
	match_codes(c, c->field_codes, c->field_codes_len, res);
	core_of(&c->rt->prefixes, c->field, c->field_len, &off, &clen);
	if (!core_distinct(c->field + off, clen))
		clen = 0;
	fmask = char_mask(c->field + off, clen);
	for (size_t k = 0; k < d->ninstitutions; k++) {
		if (v[k].norm_len == c->field_len &&
		    memcmp(v[k].norm, c->field, c->field_len) == 0)
			add_match(res, k, INST_NAME, 0, c->field_len);
		else if (clen > 0 && v[k].core_len == clen &&
		    memcmp(v[k].norm + v[k].core_off, c->field + off,
		    clen) == 0)
			add_match(res, k, INST_CORE, 0, c->field_len);
		else if (clen > 0 && (fmask & ~v[k].cmask) == 0 &&
		    memmem(v[k].norm, v[k].norm_len,
		    c->field + off, clen) != NULL) {
			partial = k;
			npartial++;
		}
	}
	if (res->n == 0)
		match_names_inside(c, v, ix, c->field, c->field_len, res);
	if (res->n == 0 && npartial == 1)
		add_match(res, partial, INST_PARTIAL, 0, c->field_len);
	if (res->n == 0)
		match_brands(c, c->field, c->field_len, res);
}

/* ---------------------------------------------------------------------
 * Domain, violation, priority, report numbers (steps 5-7).
 */

/*
 * Whether a normalised keyword is a standard number ("gb19083",
 * "yy/t0969", "gb/t1499.2"); *num gets the offset of its number part.
 */
static bool
is_standard(const char *k, size_t len, size_t *num)
{
	size_t i = 0;

	while (i < len && ((k[i] >= 'a' && k[i] <= 'z') || k[i] == '/'))
		i++;
	if (i == 0 || i == len || !is_digit(k[i]))
		return false;
	*num = i;
	for (; i < len; i++)
		if (!is_digit(k[i]) && k[i] != '.')
			return false;
	return true;
}

/* Whether the standard number n (e.g. "19083") occurs as one in text. */
static bool
find_standard(const char *text, size_t len, const char *n, size_t nlen)
{
	size_t digits = 0;
	const char *p = text, *end = text + len;

	for (size_t i = 0; i < nlen; i++)
		if (is_digit(n[i]))
			digits++;
	while (p < end && (p = memmem(p, (size_t)(end - p), n, nlen)) != NULL) {
		size_t at = (size_t)(p - text), after = at + nlen;
		char before = at > 0 ? text[at - 1] : '\0';
		bool prefixed = (before >= 'a' && before <= 'z') ||
		    before == '/';

		if (!is_digit(before) && before != '.' &&
		    (after >= len || !is_digit(text[after])) &&
		    (prefixed || digits >= STANDARD_BARE_DIGITS))
			return true;
		p++;
	}
	return false;
}

/* Whether a domain keyword occurs in the text. */
static bool
dkey_found(const struct route_ctx *c, const struct dkey *k)
{
	if (k->len == 0)
		return false;
	if (k->standard)
		return find_standard(c->body, c->body_len, k->s + k->num,
		    k->len - k->num);
	return memmem(c->text, c->text_len, k->s, k->len) != NULL;
}

static const struct router_domain *
find_domain(const struct router_data *d, const char *code)
{
	for (size_t i = 0; i < d->ndomains; i++)
		if (strcmp(d->domains[i].code, code) == 0)
			return &d->domains[i];
	return NULL;
}

static const struct router_violation *
find_violation(const struct router_data *d, const char *code)
{
	for (size_t i = 0; i < d->nviolations; i++)
		if (strcmp(d->violations[i].code, code) == 0)
			return &d->violations[i];
	return NULL;
}

/* Step 5a: the domain; returns the chosen domain or NULL. */
static int
classify_domain(struct route_ctx *c, const struct router_domain **chosen)
{
	const struct router_data *d = c->d;
	const struct router *rt = c->rt;
	const struct router_domain *best = NULL, *given = NULL;
	int *score, best_score = 0;
	bool tie = false, *found;

	*chosen = NULL;
	if ((score = scratch_array(&c->mem, d->ndomains + 1,
	    sizeof(int))) == NULL ||
	    (found = scratch_array(&c->mem, rt->ndkeys + 1,
	    sizeof(bool))) == NULL)
		return -1;
	for (size_t k = 0; k < rt->ndkeys; k++)
		if ((found[k] = dkey_found(c, &rt->dkeys[k])))
			score[rt->dkeys[k].domain] += rt->dkeys[k].weight;
	for (size_t i = 0; i < d->ndomains; i++) {
		const struct router_domain *dom = &d->domains[i];

		if (score[i] > best_score) {
			best_score = score[i];
			best = dom;
			tie = false;
		} else if (score[i] == best_score && score[i] > 0)
			tie = true;
	}
	if (best_score < DOMAIN_MIN_SCORE || tie)
		best = NULL;
	if (!is_empty(c->in->domain))
		given = find_domain(d, c->in->domain);
	reason_clause(&c->r);
	if (given != NULL) {
		*chosen = given;
		reason_add(&c->r, "领域：%s（举报人选择", given->name);
		if (best != NULL && best != given)
			reason_add(&c->r, "；关键词更接近%s", best->name);
		reason_add(&c->r, "）");
		return 0;
	}
	if (!is_empty(c->in->domain))
		reason_add(&c->r, "举报人选择的领域代码无效，未采用；");
	if (best == NULL) {
		reason_add(&c->r, "领域：未能从关键词确定");
		return 0;
	}
	*chosen = best;
	reason_add(&c->r, "领域：%s（关键词：", best->name);
	{
		size_t listed = 0;

		for (size_t k = 0; k < rt->ndkeys && listed < MAX_LISTED; k++)
			if (found[k] && &d->domains[rt->dkeys[k].domain] ==
			    best)
				reason_add(&c->r, "%s%s", listed++ ? "、" : "",
				    rt->dkeys[k].orig);
	}
	reason_add(&c->r, "）");
	return 0;
}

/* Step 5b: the violation type; *false_alleged for the priority. */
static int
classify_violation(struct route_ctx *c, const struct router_violation **chosen,
    bool *false_alleged)
{
	const struct router_data *d = c->d;
	const struct dict *dict = &c->rt->vkeys;
	const struct router_violation *given = NULL, *best = NULL;
	int *score, best_score = 0;
	bool *seen_kw;
	size_t ntied = 0;

	*chosen = NULL;
	*false_alleged = false;
	if ((score = scratch_array(&c->mem, d->nviolations + 1,
	    sizeof(int))) == NULL ||
	    (seen_kw = scratch_array(&c->mem, dict->n + 1,
	    sizeof(bool))) == NULL)
		return -1;
	/* Count each distinct keyword once per type. */
	for (size_t i = 0; i < c->text_len;) {
		size_t k = dict_longest_at(dict, c->text, c->text_len, i);

		if (k == SIZE_MAX) {
			i += char_len((unsigned char)c->text[i]);
			continue;
		}
		for (size_t j = k; j < dict->n &&
		    pat_cmp(&dict->v[j], &dict->v[k]) == 0; j++) {
			if (seen_kw[j])
				continue;
			seen_kw[j] = true;
			score[dict->v[j].ref]++;
		}
		i += dict->v[k].len;
	}
	for (size_t i = 0; i < d->nviolations; i++) {
		if (score[i] > 0 &&
		    strcmp(d->violations[i].category, "false") == 0)
			*false_alleged = true;
		if (score[i] > best_score) {
			best_score = score[i];
			best = &d->violations[i];
		}
	}
	/* Ties (see the file comment). */
	if (best != NULL) {
		const char *cat = best->category;
		bool same_cat = true;
		const struct router_violation *specific = NULL;
		size_t nspecific = 0;

		for (size_t i = 0; i < d->nviolations; i++) {
			const struct router_violation *v = &d->violations[i];

			if (score[i] != best_score)
				continue;
			ntied++;
			if (strcmp(v->category, cat) != 0)
				same_cat = false;
			if (strcmp(v->code, v->category) != 0) {
				specific = v;
				nspecific++;
			}
		}
		if (ntied > 1) {
			if (!same_cat)
				best = NULL;
			else if (nspecific == 1)
				best = specific;
			else {
				best = find_violation(d, cat);
				if (best != NULL &&
				    strcmp(best->category, cat) != 0)
					best = NULL;
			}
		}
	}
	if (!is_empty(c->in->violation))
		given = find_violation(d, c->in->violation);
	reason_clause(&c->r);
	if (given != NULL) {
		*chosen = given;
		if (strcmp(given->category, "false") == 0)
			*false_alleged = true;
		reason_add(&c->r, "违法情形：%s（举报人选择", given->name);
		if (best != NULL && best != given)
			reason_add(&c->r, "；关键词更接近%s", best->name);
		reason_add(&c->r, "）");
	} else {
		if (!is_empty(c->in->violation))
			reason_add(&c->r, "举报人选择的违法情形代码无效，未采用；");
		if (best == NULL)
			reason_add(&c->r, "违法情形：未能从关键词确定");
		else {
			size_t listed = 0;

			*chosen = best;
			reason_add(&c->r, "违法情形：%s（关键词：", best->name);
			for (size_t j = 0; j < dict->n && listed < MAX_LISTED;
			    j++)
				if (seen_kw[j] &&
				    &d->violations[dict->v[j].ref] == best)
					reason_add(&c->r, "%s%s",
					    listed++ ? "、" : "",
					    dict->v[j].keyword);
			reason_add(&c->r, "）");
		}
	}
	return 0;
}

/* Words of harm (normalised; 洩漏 arrives as 泄漏). */
static const char *const harm_words[] = {
	"死亡", "中毒", "事故", "爆炸", "泄漏", "伤亡", "身亡",
};

/*
 * Step 7: report numbers in the text, found as at intake
 * (service/report_numbers.h), so that the count in the reason is the
 * count of the numbers that relate this tip to others.  -1 when out of
 * memory.
 */
static int
find_reports(const struct router_input *in, struct router_decision *out)
{
	const char *fields[] = { in->summary, in->details };

	for (size_t i = 0; i < NELEM(fields); i++)
		if (fields[i] != NULL && report_numbers_find(fields[i],
		    strlen(fields[i]), out->reports, &out->nreports) != 0)
			return -1;
	return 0;
}

/* ---------------------------------------------------------------------
 * Putting it together.
 */

/* The city queue with the given candidates; the common fallback. */
static void
to_city(struct router_decision *out, const struct code_set *cands)
{
	snprintf(out->bureau, sizeof(out->bureau), "%s", ROUTER_CITY_BUREAU);
	out->needs_review = true;
	out->ncandidates = 0;
	for (size_t i = 0; cands != NULL && i < cands->n &&
	    out->ncandidates < ROUTER_MAX_CANDIDATES; i++)
		snprintf(out->candidates[out->ncandidates++],
		    sizeof(out->candidates[0]), "%s", cands->v[i]);
}

static void
decide(struct route_ctx *c, const struct code_set *strong,
    const struct code_set *weak, bool have_inst, bool have_county)
{
	struct router_decision *out = c->out;

	if (strong->n == 1) {
		snprintf(out->bureau, sizeof(out->bureau), "%s", strong->v[0]);
		out->needs_review = false;
		out->basis = have_inst && have_county ?
		    ROUTER_BASIS_STRONG_AGREE : have_inst ?
		    ROUTER_BASIS_INSTITUTION : ROUTER_BASIS_COUNTY;
		reason_clause(&c->r);
		reason_add(&c->r, "分派至%s", bureau_name(c->d, out->bureau));
		return;
	}
	if (strong->n > 1) {
		to_city(out, strong);
		out->basis = ROUTER_BASIS_STRONG_CONFLICT;
		reason_clause(&c->r);
		reason_add(&c->r, "强信号不一致（");
		reason_set(&c->r, c->d, strong);
		reason_add(&c->r, "），转市局分流队列人工分派");
		return;
	}
	if (weak->n == 1) {
		snprintf(out->bureau, sizeof(out->bureau), "%s", weak->v[0]);
		out->needs_review = false;
		out->basis = ROUTER_BASIS_WEAK;
		reason_clause(&c->r);
		reason_add(&c->r, "分派至%s", bureau_name(c->d, out->bureau));
		return;
	}
	if (weak->n > 1) {
		to_city(out, weak);
		out->basis = ROUTER_BASIS_WEAK_CONFLICT;
		reason_clause(&c->r);
		reason_add(&c->r, "地点线索指向多个单位（");
		reason_set(&c->r, c->d, weak);
		reason_add(&c->r, "），转市局分流队列人工分派");
		return;
	}
	to_city(out, NULL);
	out->basis = ROUTER_BASIS_NONE;
	reason_clause(&c->r);
	reason_add(&c->r, "没有可确定县区的信息，转市局分流队列人工分派");
}

/* Steps 2-4: the bureau and the routing half of the reason. */
static int
route_bureau(struct route_ctx *c)
{
	const struct router_data *d = c->d;
	const struct router *rt = c->rt;
	const struct router_input *in = c->in;
	struct inst_result res;
	struct place_result places;
	struct code_set strong, weak, inst_counties;
	bool have_county = false, have_inst = false;

	memset(&strong, 0, sizeof(strong));
	memset(&weak, 0, sizeof(weak));
	memset(&inst_counties, 0, sizeof(inst_counties));
	memset(&res, 0, sizeof(res));

	/* The institution: tiers (a), (b), (c). */
	match_field(c, rt->inst, &rt->ix, &res);
	if (res.n == 0)
		match_codes(c, c->body_codes, c->body_codes_len, &res);
	if (res.n == 0)
		match_names_inside(c, rt->inst, &rt->ix, c->body, c->body_len,
		    &res);
	if (res.n == 0)
		match_brands(c, c->body, c->body_len, &res);
	if (res.n > 0) {
		have_inst = true;
		if (res.n == 1)
			c->out->institution_id =
			    d->institutions[res.m[0].inst].id;
		for (size_t i = 0; i < res.n; i++) {
			const struct router_institution *r =
			    &d->institutions[res.m[i].inst];

			if (is_county(d, r->county_code))
				set_add(&inst_counties, r->county_code);
		}
		reason_clause(&c->r);
		if (res.n == 1) {
			const struct router_institution *r =
			    &d->institutions[res.m[0].inst];

			if (is_county(d, r->county_code))
				reason_add(&c->r, "机构“%s”登记在%s（%s）",
				    r->name, county_name(d, r->county_code),
				    inst_method_zh(res.m[0].method));
			else
				reason_add(&c->r, "机构“%s”（%s）在名录中没有"
				    "登记所属县区", r->name,
				    inst_method_zh(res.m[0].method));
		} else {
			reason_add(&c->r, "机构名录匹配到%zu家：", res.n);
			for (size_t i = 0; i < res.n && i < MAX_LISTED; i++) {
				const struct router_institution *r =
				    &d->institutions[res.m[i].inst];

				reason_add(&c->r, "%s“%s”（%s，%s）",
				    i > 0 ? "、" : "", r->name,
				    is_county(d, r->county_code) ?
				    county_name(d, r->county_code) :
				    "未登记县区",
				    inst_method_zh(res.m[i].method));
			}
		}
		for (size_t i = 0; i < inst_counties.n; i++)
			set_add(&strong, inst_counties.v[i]);
	} else if (c->field_len > 0) {
		reason_clause(&c->r);
		reason_add(&c->r, "举报人填写的机构名称未在机构名录中找到");
	}

	/* The chosen county. */
	if (!is_empty(in->county)) {
		reason_clause(&c->r);
		if (is_county(d, in->county)) {
			have_county = true;
			reason_add(&c->r, "举报人选择的发生地：%s",
			    county_name(d, in->county));
			if (inst_counties.n > 0)
				reason_add(&c->r, "，%s",
				    set_has(&inst_counties, in->county) &&
				    inst_counties.n == 1 ? "一致" :
				    "与机构登记地不一致");
			set_add(&strong, in->county);
		} else
			reason_add(&c->r, "举报人选择的发生地代码无效，未采用");
	}

	/* Weak: places in the text. */
	scan_places(c, &rt->places, &places);
	for (size_t i = 0; i < places.weak.n; i++)
		set_add(&weak, places.weak.v[i]);
	if (places.n > 0 && places.n > (places.zone_named ? 1u : 0u)) {
		reason_clause(&c->r);
		reason_add(&c->r, "文中地名：");
		reason_places(c, &places);
	}
	if (places.zone_named) {
		reason_clause(&c->r);
		reason_add(&c->r, "文中提到开发区：请确认由开发区分局还是城区"
		    "办理");
	}
	if (places.city_named && places.weak.n == 0) {
		reason_clause(&c->r);
		reason_add(&c->r, "文中只提到晋城市，不指向具体县区");
	}

	/* Weak: the e-mail recipient. */
	if (!is_empty(in->hint_bureau)) {
		const struct router_bureau *b = find_bureau(d, in->hint_bureau);

		reason_clause(&c->r);
		if (b != NULL && (is_county(d, b->code) ||
		    strcmp(b->code, ROUTER_ZONE_BUREAU) == 0)) {
			set_add(&weak, b->code);
			reason_add(&c->r, "收件地址指向：%s",
			    bureau_name(d, b->code));
		} else if (b != NULL)
			reason_add(&c->r, "收件地址为%s，不指向县区",
			    bureau_name(d, b->code));
		else
			reason_add(&c->r, "收件地址的单位代码未知，未采用");
	}

	/* A weak signal never overrides a strong one: say how it compares. */
	if (strong.n > 0 && weak.n > 0) {
		bool agree = true;

		for (size_t i = 0; i < weak.n; i++)
			if (!set_has(&strong, weak.v[i]))
				agree = false;
		reason_clause(&c->r);
		reason_add(&c->r, "弱信号（文中地名、收件地址）只作参考（%s）",
		    agree ? "与强信号一致" : "与强信号不同，不改变分派");
	}
	decide(c, &strong, &weak, have_inst && inst_counties.n > 0,
	    have_county);
	return 0;
}

/* The out-of-memory answer: a person routes the tip. */
static void
route_failed(struct router_decision *out)
{
	struct reason r;

	memset(out, 0, sizeof(*out));
	to_city(out, NULL);
	out->basis = ROUTER_BASIS_NONE;
	r.buf = out->reason;
	r.cap = sizeof(out->reason) - sizeof(ELLIPSIS);
	r.len = 0;
	r.truncated = false;
	reason_add(&r, "自动分流未能完成（内存不足），转市局分流队列人工分派");
}

/* Build the domain keywords in matching form. */
static int
build_dkeys(struct router *rt)
{
	const struct router_data *d = rt->d;
	size_t n = 0;

	for (size_t i = 0; i < d->ndomains; i++)
		n += d->domains[i].nkeywords;
	if ((rt->dkeys = scratch_array(&rt->mem, n, sizeof(*rt->dkeys))) ==
	    NULL)
		return -1;
	for (size_t i = 0; i < d->ndomains; i++) {
		const struct router_domain *dom = &d->domains[i];

		for (size_t k = 0; k < dom->nkeywords; k++) {
			struct dkey *dk = &rt->dkeys[rt->ndkeys++];

			if (dom->keywords[k].text == NULL)
				return -1;
			dk->domain = i;
			dk->orig = dom->keywords[k].text;
			dk->weight = dom->keywords[k].weight;
			if ((dk->s = scratch_norm(&rt->mem, dk->orig,
			    &dk->len)) == NULL)
				return -1;
			dk->standard = is_standard(dk->s, dk->len, &dk->num);
		}
	}
	return 0;
}

/* Build the violation keyword dictionary. */
static int
build_vkeys(struct router *rt)
{
	const struct router_data *d = rt->d;

	for (size_t i = 0; i < d->nviolations; i++) {
		for (size_t k = 0; k < d->violations[i].nkeywords; k++) {
			struct pat p;

			memset(&p, 0, sizeof(p));
			p.kind = PAT_KEYWORD;
			p.ref = i;
			p.keyword = d->violations[i].keywords[k];
			if (p.keyword == NULL)
				return -1;
			if ((p.s = scratch_norm(&rt->mem, p.keyword,
			    &p.len)) == NULL || dict_add(&rt->vkeys, &p) != 0)
				return -1;
		}
	}
	dict_sort(&rt->vkeys);
	return 0;
}

/*
 * Prepare the data (see router.h): region prefixes, every registry
 * entry's normalised name and core with the hash index over the cores,
 * the gazetteer dictionary, the violation keyword dictionary and the
 * domain keywords in matching form.
 */
int
router_prepare(const struct router_data *data, struct router **out)
{
	static const struct router_data empty_data;
	struct router *rt;

	*out = NULL;
	if ((rt = calloc(1, sizeof(*rt))) == NULL)
		return -1;
	rt->d = data != NULL ? data : &empty_data;
	if (build_prefixes(rt->d, &rt->mem, &rt->prefixes) != 0 ||
	    prepare_institutions(rt->d, &rt->mem, &rt->prefixes,
	    &rt->inst) != 0 ||
	    build_inst_index(rt->d->ninstitutions, &rt->mem, rt->inst,
	    &rt->ix) != 0 ||
	    build_brand_index(rt->d->ninstitutions, &rt->mem, rt->inst,
	    &rt->bix) != 0 ||
	    build_place_dict(rt->d, &rt->mem, &rt->places) != 0 ||
	    build_vkeys(rt) != 0 || build_dkeys(rt) != 0) {
		router_free(&rt);
		return -1;
	}
	*out = rt;
	return 0;
}

/* Free a prepared router (see router.h). */
void
router_free(struct router **rt)
{
	if (rt == NULL || *rt == NULL)
		return;
	scratch_free(&(*rt)->mem);
	free((*rt)->places.v);
	free((*rt)->vkeys.v);
	free(*rt);
	*rt = NULL;
}

/* Route one tip with prepared data (see router.h). */
int
router_route_prepared(const struct router *rt, const struct router_input *in,
    struct router_decision *out)
{
	static const struct router_input empty_input;
	struct route_ctx c;
	const struct router_domain *dom = NULL;
	const struct router_violation *vio = NULL;
	bool false_alleged = false, harm = false;
	char *sum, *det;
	size_t sum_len, det_len;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	if (rt == NULL) {
		route_failed(out);
		return -1;
	}
	c.rt = rt;
	c.d = rt->d;
	c.in = in != NULL ? in : &empty_input;
	c.out = out;
	c.r.buf = out->reason;
	c.r.cap = sizeof(out->reason) - sizeof(ELLIPSIS);
	to_city(out, NULL);

	/* 1. The text. */
	if ((sum = scratch_norm(&c.mem, c.in->summary, &sum_len)) == NULL ||
	    (det = scratch_norm(&c.mem, c.in->details, &det_len)) == NULL ||
	    (c.field = scratch_norm(&c.mem, c.in->institution,
	    &c.field_len)) == NULL)
		goto fail;
	c.body_len = sum_len + 1 + det_len;
	c.text_len = c.body_len + 1 + c.field_len;
	if ((c.text = scratch_alloc(&c.mem, c.text_len + 1)) == NULL)
		goto fail;
	memcpy(c.text, sum, sum_len);
	c.text[sum_len] = '|';
	memcpy(c.text + sum_len + 1, det, det_len);
	c.text[c.body_len] = '|';
	memcpy(c.text + c.body_len + 1, c.field, c.field_len);
	c.text[c.text_len] = '\0';
	c.body = c.text;
	{
		const char *body_parts[] = { c.in->summary, c.in->details };

		if ((c.body_codes = codes_text(&c.mem, body_parts, 2,
		    &c.body_codes_len)) == NULL ||
		    (c.field_codes = codes_text(&c.mem, &c.in->institution, 1,
		    &c.field_codes_len)) == NULL)
			goto fail;
	}

	/* 2-4. The bureau. */
	if (route_bureau(&c) != 0)
		goto fail;

	/* 5. Domain and violation type. */
	if (classify_domain(&c, &dom) != 0 ||
	    classify_violation(&c, &vio, &false_alleged) != 0)
		goto fail;
	if (dom != NULL)
		snprintf(out->domain, sizeof(out->domain), "%s", dom->code);
	if (vio != NULL)
		snprintf(out->violation, sizeof(out->violation), "%s",
		    vio->code);

	/* 6. Priority. */
	for (size_t i = 0; i < NELEM(harm_words); i++)
		if (memmem(c.text, c.text_len, harm_words[i],
		    strlen(harm_words[i])) != NULL)
			harm = true;
	if (dom != NULL && dom->epidemic)
		out->priority += ROUTER_PRIORITY_EPIDEMIC;
	if (false_alleged)
		out->priority += ROUTER_PRIORITY_FALSE;
	if (harm)
		out->priority += ROUTER_PRIORITY_HARM;
	if (out->priority > 0) {
		reason_clause(&c.r);
		reason_add(&c.r, "优先级%d（", out->priority);
		{
			const char *sep = "";

			if (dom != NULL && dom->epidemic) {
				reason_add(&c.r, "疫情防控相关领域");
				sep = "、";
			}
			if (false_alleged) {
				reason_add(&c.r, "%s涉嫌出具虚假报告", sep);
				sep = "、";
			}
			if (harm)
				reason_add(&c.r, "%s提到伤亡、中毒、事故、爆炸或"
				    "泄漏", sep);
		}
		reason_add(&c.r, "）");
	}

	/* 7. Report numbers. */
	if (find_reports(c.in, out) != 0)
		goto fail;
	if (out->nreports > 0) {
		reason_clause(&c.r);
		reason_add(&c.r, "文中有%zu个检验检测报告编号，用于查找相关举报",
		    out->nreports);
	}
	rc = 0;
	goto done;
fail:
	route_failed(out);
done:
	scratch_free(&c.mem);
	return rc;
}

/* Route one tip, preparing the data for this call only (see router.h). */
int
router_route(const struct router_data *data, const struct router_input *in,
    struct router_decision *out)
{
	struct router *rt = NULL;
	int rc;

	if (router_prepare(data, &rt) != 0) {
		route_failed(out);
		return -1;
	}
	rc = router_route_prepared(rt, in, out);
	router_free(&rt);
	return rc;
}


/* A short English name of a basis (see router.h). */
const char *
router_basis_str(enum router_basis b)
{
	switch (b) {
	case ROUTER_BASIS_NONE:
		return "none";
	case ROUTER_BASIS_INSTITUTION:
		return "institution";
	case ROUTER_BASIS_COUNTY:
		return "county";
	case ROUTER_BASIS_STRONG_AGREE:
		return "strong-agree";
	case ROUTER_BASIS_STRONG_CONFLICT:
		return "strong-conflict";
	case ROUTER_BASIS_WEAK:
		return "weak";
	case ROUTER_BASIS_WEAK_CONFLICT:
		return "weak-conflict";
	}
	return "unknown";
}
