/* SPDX-License-Identifier: MIT */
/*
 * The allow-list of evidence types (contract.md, "Public HTTP"; issue
 * "Public web intake"): PDF; JPEG, PNG, GIF, WebP, HEIC, TIFF images; MP3,
 * M4A, WAV, AMR audio; MP4 and MOV video; Word, Excel, PowerPoint (old and
 * OOXML), OpenDocument text and spreadsheet, WPS; plain text and CSV; e-mail
 * messages; zip, rar and 7z archives (kept as they are, never unpacked).
 * Everything else, executables and scripts above all, is refused.  The
 * names are those libmagic 5.44 reports with MAGIC_MIME_TYPE.
 */
#include "service/evidence.h"

#include <stddef.h>
#include <string.h>

struct evidence_type {
	const char *mime;
	const char *label;
};

static const struct evidence_type evidence_types[] = {
	{ "application/pdf", "PDF 文档" },
	{ "image/jpeg", "JPEG 图片" },
	{ "image/png", "PNG 图片" },
	{ "image/gif", "GIF 图片" },
	{ "image/webp", "WebP 图片" },
	{ "image/heic", "HEIC 图片" },
	{ "image/heif", "HEIF 图片" },
	{ "image/tiff", "TIFF 图片" },
	{ "audio/mpeg", "MP3 音频" },
	{ "audio/x-m4a", "M4A 音频" },
	{ "audio/mp4", "M4A 音频" },
	{ "audio/x-wav", "WAV 音频" },
	{ "audio/wav", "WAV 音频" },
	{ "audio/amr", "AMR 音频" },
	{ "audio/x-amr", "AMR 音频" },
	{ "video/mp4", "MP4 视频" },
	{ "video/quicktime", "MOV 视频" },
	{ "video/3gpp", "3GP 视频" },
	{ "application/msword", "Word 文档" },
	{ "application/vnd.openxmlformats-officedocument.wordprocessingml."
	  "document", "Word 文档" },
	{ "application/vnd.ms-excel", "Excel 表格" },
	{ "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	  "Excel 表格" },
	{ "application/vnd.ms-powerpoint", "PowerPoint 演示文稿" },
	{ "application/vnd.openxmlformats-officedocument.presentationml."
	  "presentation", "PowerPoint 演示文稿" },
	{ "application/vnd.oasis.opendocument.text", "OpenDocument 文档" },
	{ "application/vnd.oasis.opendocument.spreadsheet",
	  "OpenDocument 表格" },
	{ "application/vnd.ms-office", "Office 文档" },
	{ "application/CDFV2", "Office/WPS 文档" },
	{ "application/x-ole-storage", "Office/WPS 文档" },
	{ "application/vnd.ms-works", "WPS 文档" },
	{ "text/plain", "文本" },
	{ "text/csv", "CSV 表格" },
	{ "message/rfc822", "电子邮件" },
	{ "application/zip", "ZIP 压缩包" },
	{ "application/x-rar", "RAR 压缩包" },
	{ "application/vnd.rar", "RAR 压缩包" },
	{ "application/x-7z-compressed", "7z 压缩包" },
};

static const struct evidence_type *
evidence_find(const char *mime)
{
	if (mime == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof(evidence_types) /
	    sizeof(evidence_types[0]); i++)
		if (strcmp(evidence_types[i].mime, mime) == 0)
			return &evidence_types[i];
	return NULL;
}

bool
evidence_type_allowed(const char *mime)
{
	return evidence_find(mime) != NULL;
}

const char *
evidence_type_label(const char *mime)
{
	const struct evidence_type *t = evidence_find(mime);

	return t != NULL ? t->label : NULL;
}
