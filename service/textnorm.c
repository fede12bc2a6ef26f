/* SPDX-License-Identifier: MIT */
/*
 * The matching form of a text (see textnorm.h): width, white space,
 * brackets, ASCII case and a table of traditional characters in one pass
 * over the code points, then the company-suffix pass over the result, in
 * place.  Neither pass ever makes the text longer: every mapping turns a
 * code point into one of the same or a shorter UTF-8 length (full-width
 * forms and CJK brackets, 3 bytes, become ASCII; the traditional and the
 * simplified characters of the table are all 3-byte BMP ideographs), and
 * the suffix pass only shortens.  Runs on every tip (20 000 characters at
 * most) and on every registry name at import: linear, no allocation in
 * textnorm_into().
 */
#include "service/textnorm.h"
#include "service/utf8.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/*
 * Traditional → simplified: every character of data/places.csv that has a
 * traditional form (東 鄉 區 縣 莊 澤 陽 鎮 晉 ...; 陵 沁 街 and most others
 * are the same in both), then the characters of the words the router and
 * the registry match on (檢測 報告編號 有限責任公司 洩漏 數據 樣品 ...).
 * Sorted by the traditional code point (bsearch).
 */
static const struct textnorm_map {
	uint32_t from;
	uint32_t to;
} trad_map[] = {
	{ 0x507d, 0x4f2a },	/* 偽 → 伪 */
	{ 0x52d9, 0x52a1 },	/* 務 → 务 */
	{ 0x5340, 0x533a },	/* 區 → 区 */
	{ 0x570d, 0x56f4 },	/* 圍 → 围 */
	{ 0x5831, 0x62a5 },	/* 報 → 报 */
	{ 0x5834, 0x573a },	/* 場 → 场 */
	{ 0x596a, 0x593a },	/* 奪 → 夺 */
	{ 0x5be6, 0x5b9e },	/* 實 → 实 */
	{ 0x5be7, 0x5b81 },	/* 寧 → 宁 */
	{ 0x5dba, 0x5cad },	/* 嶺 → 岭 */
	{ 0x5edf, 0x5e99 },	/* 廟 → 庙 */
	{ 0x5ee0, 0x5382 },	/* 廠 → 厂 */
	{ 0x5f35, 0x5f20 },	/* 張 → 张 */
	{ 0x64da, 0x636e },	/* 據 → 据 */
	{ 0x6578, 0x6570 },	/* 數 → 数 */
	{ 0x6649, 0x664b },	/* 晉 → 晋 */
	{ 0x66f8, 0x4e66 },	/* 書 → 书 */
	{ 0x6771, 0x4e1c },	/* 東 → 东 */
	{ 0x694a, 0x6768 },	/* 楊 → 杨 */
	{ 0x69cb, 0x6784 },	/* 構 → 构 */
	{ 0x6a19, 0x6807 },	/* 標 → 标 */
	{ 0x6a23, 0x6837 },	/* 樣 → 样 */
	{ 0x6a39, 0x6811 },	/* 樹 → 树 */
	{ 0x6a5f, 0x673a },	/* 機 → 机 */
	{ 0x6a6b, 0x6a2a },	/* 橫 → 横 */
	{ 0x6aa2, 0x68c0 },	/* 檢 → 检 */
	{ 0x6c23, 0x6c14 },	/* 氣 → 气 */
	{ 0x6d29, 0x6cc4 },	/* 洩 → 泄 */
	{ 0x6e2c, 0x6d4b },	/* 測 → 测 */
	{ 0x6e96, 0x51c6 },	/* 準 → 准 */
	{ 0x6e9d, 0x6c9f },	/* 溝 → 沟 */
	{ 0x6f64, 0x6da6 },	/* 潤 → 润 */
	{ 0x6fa4, 0x6cfd },	/* 澤 → 泽 */
	{ 0x6fdf, 0x6d4e },	/* 濟 → 济 */
	{ 0x71b1, 0x70ed },	/* 熱 → 热 */
	{ 0x71df, 0x8425 },	/* 營 → 营 */
	{ 0x74b0, 0x73af },	/* 環 → 环 */
	{ 0x7522, 0x4ea7 },	/* 產 → 产 */
	{ 0x7576, 0x5f53 },	/* 當 → 当 */
	{ 0x7642, 0x7597 },	/* 療 → 疗 */
	{ 0x767c, 0x53d1 },	/* 發 → 发 */
	{ 0x76e3, 0x76d1 },	/* 監 → 监 */
	{ 0x78bc, 0x7801 },	/* 碼 → 码 */
	{ 0x78da, 0x7816 },	/* 磚 → 砖 */
	{ 0x7926, 0x77ff },	/* 礦 → 矿 */
	{ 0x797f, 0x7984 },	/* 祿 → 禄 */
	{ 0x79ae, 0x793c },	/* 禮 → 礼 */
	{ 0x7bc4, 0x8303 },	/* 範 → 范 */
	{ 0x7bc9, 0x7b51 },	/* 築 → 筑 */
	{ 0x7d93, 0x7ecf },	/* 經 → 经 */
	{ 0x7de8, 0x7f16 },	/* 編 → 编 */
	{ 0x7e23, 0x53bf },	/* 縣 → 县 */
	{ 0x7fa9, 0x4e49 },	/* 義 → 义 */
	{ 0x8216, 0x94fa },	/* 舖 → 铺 */
	{ 0x838a, 0x5e84 },	/* 莊 → 庄 */
	{ 0x83ef, 0x534e },	/* 華 → 华 */
	{ 0x85e5, 0x836f },	/* 藥 → 药 */
	{ 0x8607, 0x82cf },	/* 蘇 → 苏 */
	{ 0x8655, 0x5904 },	/* 處 → 处 */
	{ 0x865b, 0x865a },	/* 虛 → 虚 */
	{ 0x865f, 0x53f7 },	/* 號 → 号 */
	{ 0x8853, 0x672f },	/* 術 → 术 */
	{ 0x88cf, 0x91cc },	/* 裏 → 里 */
	{ 0x88e1, 0x91cc },	/* 裡 → 里 */
	{ 0x8a08, 0x8ba1 },	/* 計 → 计 */
	{ 0x8a18, 0x8bb0 },	/* 記 → 记 */
	{ 0x8a66, 0x8bd5 },	/* 試 → 试 */
	{ 0x8a69, 0x8bd7 },	/* 詩 → 诗 */
	{ 0x8a8d, 0x8ba4 },	/* 認 → 认 */
	{ 0x8aa4, 0x8bef },	/* 誤 → 误 */
	{ 0x8b49, 0x8bc1 },	/* 證 → 证 */
	{ 0x8ca8, 0x8d27 },	/* 貨 → 货 */
	{ 0x8cac, 0x8d23 },	/* 責 → 责 */
	{ 0x8cc7, 0x8d44 },	/* 資 → 资 */
	{ 0x8cea, 0x8d28 },	/* 質 → 质 */
	{ 0x8eca, 0x8f66 },	/* 車 → 车 */
	{ 0x8f38, 0x8f93 },	/* 輸 → 输 */
	{ 0x8fb2, 0x519c },	/* 農 → 农 */
	{ 0x904b, 0x8fd0 },	/* 運 → 运 */
	{ 0x904e, 0x8fc7 },	/* 過 → 过 */
	{ 0x9109, 0x4e61 },	/* 鄉 → 乡 */
	{ 0x912d, 0x90d1 },	/* 鄭 → 郑 */
	{ 0x91ab, 0x533b },	/* 醫 → 医 */
	{ 0x92ea, 0x94fa },	/* 鋪 → 铺 */
	{ 0x92fc, 0x94a2 },	/* 鋼 → 钢 */
	{ 0x9304, 0x5f55 },	/* 錄 → 录 */
	{ 0x932f, 0x9519 },	/* 錯 → 错 */
	{ 0x937e, 0x949f },	/* 鍾 → 钟 */
	{ 0x93ae, 0x9547 },	/* 鎮 → 镇 */
	{ 0x9418, 0x949f },	/* 鐘 → 钟 */
	{ 0x945b, 0x77ff },	/* 鑛 → 矿 */
	{ 0x9580, 0x95e8 },	/* 門 → 门 */
	{ 0x958b, 0x5f00 },	/* 開 → 开 */
	{ 0x9673, 0x9648 },	/* 陳 → 陈 */
	{ 0x967d, 0x9633 },	/* 陽 → 阳 */
	{ 0x96aa, 0x9669 },	/* 險 → 险 */
	{ 0x96fb, 0x7535 },	/* 電 → 电 */
	{ 0x982d, 0x5934 },	/* 頭 → 头 */
	{ 0x99ac, 0x9a6c },	/* 馬 → 马 */
	{ 0x99d5, 0x9a7e },	/* 駕 → 驾 */
	{ 0x9a57, 0x9a8c },	/* 驗 → 验 */
	{ 0x9ad4, 0x4f53 },	/* 體 → 体 */
	{ 0x9cf3, 0x51e4 },	/* 鳳 → 凤 */
	{ 0x9f8d, 0x9f99 },	/* 龍 → 龙 */
};

#define NTRAD (sizeof(trad_map) / sizeof(trad_map[0]))

/* The canonical company suffix and the variants that become it. */
static const char suffix_canonical[] = "有限公司";
static const char *const suffix_variants[] = {
	"有限责任公司",
	"股份有限公司",
};
static const char suffix_drop_before[] = "股份";

static int
trad_cmp(const void *key, const void *elem)
{
	uint32_t k = *(const uint32_t *)key;
	const struct textnorm_map *m = elem;

	return k < m->from ? -1 : k > m->from ? 1 : 0;
}

/* Whether cp is white space to remove. */
static bool
is_space_cp(uint32_t cp)
{
	return (cp >= 0x09 && cp <= 0x0d) || cp == 0x20 || cp == 0x85 ||
	    cp == 0xa0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200b) ||
	    cp == 0x2028 || cp == 0x2029 || cp == 0x202f || cp == 0x205f ||
	    cp == 0x3000 || cp == 0xfeff;
}

/* The code point cp becomes; 0: drop it. */
static uint32_t
map_cp(uint32_t cp)
{
	const struct textnorm_map *m;

	if (cp == 0 || is_space_cp(cp))
		return 0;
	if (cp >= 0xff01 && cp <= 0xff5e)
		cp -= 0xfee0;
	switch (cp) {
	case '[': case 0x3010: case 0x3014: case 0x3016:
		return '(';
	case ']': case 0x3011: case 0x3015: case 0x3017:
		return ')';
	default:
		break;
	}
	if (cp >= 'A' && cp <= 'Z')
		return cp + ('a' - 'A');
	if (cp >= 0x4e00 && cp <= 0x9fff &&
	    (m = bsearch(&cp, trad_map, NTRAD, sizeof(trad_map[0]),
	    trad_cmp)) != NULL)
		return m->to;
	return cp;
}

/* Encode cp (valid, not a surrogate) at d; returns the bytes written. */
static size_t
encode_cp(char *d, uint32_t cp)
{
	unsigned char *u = (unsigned char *)d;

	if (cp < 0x80) {
		u[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		u[0] = (unsigned char)(0xc0 | (cp >> 6));
		u[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		u[0] = (unsigned char)(0xe0 | (cp >> 12));
		u[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	u[0] = (unsigned char)(0xf0 | (cp >> 18));
	u[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
	u[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
	u[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * Decode one code point (see textnorm.h): the strict UTF-8 of RFC 3629,
 * section 4 — no overlong forms, no surrogates, nothing above U+10FFFF.
 */
size_t
textnorm_decode(const char *s, size_t len, size_t i, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s + i;

	if (i >= len)
		return 0;
	if (u[0] == 0) {	/* utf8_seq refuses NUL; here it is a character */
		*cp = 0;
		return 1;
	}
	return utf8_seq(u, len - i, cp);
}

/*
 * The suffix pass, in place over s[0..len): each variant becomes the
 * canonical suffix, and a 股份 right before an emitted canonical suffix is
 * dropped, so that no variant can reappear in the result (idempotence).
 */
static size_t
canonical_suffixes(char *s, size_t len)
{
	size_t canon_len = sizeof(suffix_canonical) - 1;
	size_t drop_len = sizeof(suffix_drop_before) - 1;
	size_t r = 0, w = 0;

	while (r < len) {
		bool matched = false;

		for (size_t k = 0; k < sizeof(suffix_variants) /
		    sizeof(suffix_variants[0]); k++) {
			size_t vl = strlen(suffix_variants[k]);

			if (len - r >= vl &&
			    memcmp(s + r, suffix_variants[k], vl) == 0) {
				while (w >= drop_len && memcmp(s + w - drop_len,
				    suffix_drop_before, drop_len) == 0)
					w -= drop_len;
				memcpy(s + w, suffix_canonical, canon_len);
				w += canon_len;
				r += vl;
				matched = true;
				break;
			}
		}
		if (!matched)
			s[w++] = s[r++];
	}
	s[w] = '\0';
	return w;
}

/*
 * Normalise (see textnorm.h).  The first pass writes dst from src; the
 * second rewrites dst in place.
 */
size_t
textnorm_into(char *dst, const char *src, size_t len)
{
	size_t i = 0, w = 0;

	if (src == NULL)
		len = 0;
	while (i < len) {
		uint32_t cp;
		size_t n = textnorm_decode(src, len, i, &cp);

		if (n == 0) {
			i++;		/* an invalid byte: dropped */
			continue;
		}
		i += n;
		if ((cp = map_cp(cp)) != 0)
			w += encode_cp(dst + w, cp);
	}
	dst[w] = '\0';
	return canonical_suffixes(dst, w);
}

/* Normalise into a new string (see textnorm.h). */
char *
textnorm_dup(const char *src, size_t len, size_t *outlen)
{
	char *dst;
	size_t n;

	if (src == NULL)
		len = 0;
	if (len == SIZE_MAX || (dst = malloc(len + 1)) == NULL)
		return NULL;
	n = textnorm_into(dst, src, len);
	if (outlen != NULL)
		*outlen = n;
	return dst;
}

/* Count code points (see textnorm.h). */
size_t
textnorm_chars(const char *s, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	return n;
}
