/* SPDX-License-Identifier: MIT */
/*
 * bench_router: routing decisions per second (issue 6, "Speed").
 *
 * The full reference data (the embedded data/ files, loaded into a fresh
 * database as `tipline init` loads them: the whole gazetteer, keywords,
 * violation types) and a registry of 5 000 institutions — the test registry
 * tests/triage/institutions.csv and synthetic entries generated
 * deterministically (realistic names, valid GB 32100 credit codes, CMA
 * numbers, the six counties) — imported as `tipline institutions import`
 * does and read back with router_data_load().  Then every tip of the
 * labelled set tests/triage/labelled.tsv is routed with the prepared
 * router (router_route_prepared(), as intake does) over and over for at
 * least the given time.  Prints key=value lines: the registry size, the
 * preparation time, the accuracy on the labelled set with this registry
 * (for information: a bigger registry shares more trade names) and
 * routing_decisions_per_s.
 *
 * Usage: bench_router TRIAGE_DIR [SECONDS]  (default 3 seconds);
 * BENCH_ROUTER_VERBOSE=1 prints the misses and the accuracy per signal on
 * stderr.  Not a test: built by default, run by scripts/bench.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "service/institutions.h"
#include "service/router.h"
#include "storage/router_data.h"
#include "tests/helpers/labelled.h"

#define REGISTRY_SIZE	5000
#define DEFAULT_SECONDS	3.0
#define MIN_ROUNDS	5

static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A deterministic generator (the same registry on every run). */
static uint32_t
next_rand(uint32_t *x)
{
	*x = *x * 1103515245u + 12345u;
	return (*x >> 8) & 0xffffffu;
}

static const char *const regions[] = {
	"山西", "晋城市", "高平市", "阳城县", "陵川县", "沁水县", "泽州县", "",
};
static const char *const counties[] = {
	"140502", "140521", "140522", "140524", "140525", "140581",
};
/* Characters of trade names (字号). */
static const char *const brand_chars[] = {
	"鑫", "恒", "泰", "华", "宏", "达", "信", "诚", "正", "源", "博", "远",
	"瑞", "德", "金", "鼎", "立", "康", "绿", "天", "衡", "国", "中", "科",
	"安", "永", "精", "卓", "越", "通", "联", "盛", "兴", "隆", "昌", "鸿",
	"海", "晟", "嘉", "铭", "锐", "航", "宇", "凯", "顺", "祥", "和", "众",
	"益", "峰", "晨", "明", "辉", "佳", "新", "丰", "宝", "润", "捷", "力",
};
static const char *const trades[] = {
	"建设工程质量检测", "检测技术", "环境监测", "食品检测", "计量检测",
	"煤质化验", "安全技术检测", "机动车检测", "工程检测", "检验检测",
	"建材检测", "罐体检测", "碳排放核查技术服务", "产品质量检验",
};
static const char *const suffixes[] = {
	"有限公司", "有限责任公司", "股份有限公司",
};
static const char *const domains[] = {
	"medical_ppe", "food", "ppe", "building_materials",
	"dangerous_goods_tanks", "carbon_verification",
};
static const char code_alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Append to a growing buffer; -1 when out of memory. */
struct buf {
	char *s;
	size_t len;
	size_t cap;
};

static int buf_add(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
buf_add(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->s != NULL ? b->s + b->len : NULL,
		    b->s != NULL ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0)
			return -1;
		if (b->s != NULL && (size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return 0;
		}
		{
			size_t cap = b->cap ? b->cap * 2 : 1 << 20;
			char *ns;

			while (cap - b->len <= (size_t)n)
				cap *= 2;
			if ((ns = realloc(b->s, cap)) == NULL)
				return -1;
			b->s = ns;
			b->cap = cap;
		}
	}
}

/*
 * The registry: the test registry's lines, then synthetic ones up to
 * REGISTRY_SIZE rows.
 */
static int
make_registry(const char *test_csv, size_t test_len, struct buf *b)
{
	uint32_t x = 20221027u;
	size_t rows = 0;

	if (buf_add(b, "%.*s", (int)test_len, test_csv) != 0)
		return -1;
	if (b->len > 0 && b->s[b->len - 1] != '\n' && buf_add(b, "\n") != 0)
		return -1;
	for (size_t i = 0; i < b->len; i++)
		if (b->s[i] == '\n')
			rows++;
	rows = rows > 0 ? rows - 1 : 0;		/* the header */
	for (size_t i = 0; rows < REGISTRY_SIZE; i++, rows++) {
		const char *county = counties[next_rand(&x) % NELEM(counties)];
		char code[19];

		memcpy(code, "91", 2);
		memcpy(code + 2, county, 6);
		memcpy(code + 8, "MA0", 3);
		for (int k = 11; k < 17; k++)
			code[k] = code_alphabet[next_rand(&x) % 31];
		code[17] = '\0';
		code[17] = institutions_credit_code_check(code);
		code[18] = '\0';
		if (buf_add(b, "%s%s%s%s%s,%s,%02u0412%06zu,,%s,%s\n",
		    regions[next_rand(&x) % NELEM(regions)],
		    brand_chars[next_rand(&x) % NELEM(brand_chars)],
		    brand_chars[next_rand(&x) % NELEM(brand_chars)],
		    trades[next_rand(&x) % NELEM(trades)],
		    suffixes[next_rand(&x) % NELEM(suffixes)], code,
		    15 + (unsigned)(i % 9), i, county,
		    domains[next_rand(&x) % NELEM(domains)]) != 0)
			return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "tests/triage";
	double seconds = DEFAULT_SECONDS, t0, t1;
	char tmp[] = "/tmp/bench_router.XXXXXX";
	char path[1024], dbpath[128], err[512];
	struct labelled_set set;
	struct labelled_totals tot;
	struct router_data *data = NULL;
	struct router *rt = NULL;
	struct db *db = NULL;
	struct buf reg = { NULL, 0, 0 };
	char *test_csv;
	size_t test_len, rounds = 0, decisions = 0;
	int rc = 1;

	if (argc > 2) {
		char *end = NULL;

		errno = 0;
		seconds = strtod(argv[2], &end);
		if (errno != 0 || end == argv[2] || *end != '\0' ||
		    seconds <= 0 || seconds > 600) {
			fprintf(stderr, "usage: bench_router TRIAGE_DIR "
			    "[SECONDS]\n");
			return 2;
		}
	}
	snprintf(path, sizeof(path), "%s/labelled.tsv", dir);
	if (labelled_read(path, &set, err, sizeof(err)) != 0) {
		fprintf(stderr, "bench_router: %s\n", err);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/institutions.csv", dir);
	if ((test_csv = labelled_slurp(path, &test_len)) == NULL) {
		fprintf(stderr, "bench_router: %s: cannot read\n", path);
		labelled_free(&set);
		return 1;
	}
	if (make_registry(test_csv, test_len, &reg) != 0) {
		fprintf(stderr, "bench_router: out of memory\n");
		goto out;
	}
	if (labelled_db_open(tmp, dbpath, sizeof(dbpath), &db, err,
	    sizeof(err)) != 0 ||
	    labelled_import(db, reg.s, reg.len, err, sizeof(err)) != 0) {
		fprintf(stderr, "bench_router: %s\n", err);
		goto out;
	}
	if (router_data_load(db, &data) != STORAGE_OK) {
		fprintf(stderr, "bench_router: cannot load the data\n");
		goto out;
	}
	t0 = now_seconds();
	if (router_prepare(data, &rt) != 0) {
		fprintf(stderr, "bench_router: out of memory\n");
		goto out;
	}
	t1 = now_seconds();
	printf("registry_institutions=%zu\n", data->ninstitutions);
	printf("gazetteer_places=%zu\n", data->nplaces);
	printf("labelled_tips=%zu\n", set.n);
	printf("router_prepare_ms=%.1f\n", (t1 - t0) * 1000.0);
	if (labelled_score(rt, &set, getenv("BENCH_ROUTER_VERBOSE") != NULL ?
	    stderr : NULL, &tot) != 0) {
		fprintf(stderr, "bench_router: routing failed\n");
		goto out;
	}
	printf("accuracy_bureau_pct=%.1f\n", tot.bureau_expected > 0 ?
	    100.0 * (double)tot.bureau_right / (double)tot.bureau_expected :
	    100.0);
	printf("confident_wrong_routes=%zu\n", tot.confident_wrong);
	fflush(stdout);

	t0 = now_seconds();
	do {
		for (size_t i = 0; i < set.n; i++) {
			struct router_decision d;

			if (router_route_prepared(rt, &set.v[i].in, &d) != 0) {
				fprintf(stderr, "bench_router: routing "
				    "failed\n");
				goto out;
			}
			decisions++;
		}
		rounds++;
		t1 = now_seconds();
	} while (rounds < MIN_ROUNDS || t1 - t0 < seconds);
	printf("routing_rounds=%zu\n", rounds);
	printf("routing_us_per_decision=%.1f\n",
	    (t1 - t0) * 1e6 / (double)decisions);
	printf("routing_decisions_per_s=%.0f\n", (double)decisions / (t1 - t0));
	rc = 0;
out:
	router_free(&rt);
	router_data_free(&data);
	if (db != NULL)
		labelled_db_close(&db, tmp, dbpath);
	free(reg.s);
	free(test_csv);
	labelled_free(&set);
	return rc;
}
