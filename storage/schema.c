/* SPDX-License-Identifier: MIT */
/*
 * The schema of the whole design, as ordered migrations.
 *
 * Plaintext columns are limited to what queues and reports need: bureau,
 * domain, violation type, institution, status, dates, sizes, detected types.
 * Everything a tipster wrote is in *_sealed columns: record_seal() output
 * under the tip's content key, bound to the row's identity.  Content keys
 * live only in key_slots.  Keyed hashes (receipt, nonce, mail dedup,
 * attachment MAC) use service keys that are themselves wrapped in key_slots
 * (tip_id NULL, purpose naming the key).
 */
#include "storage/schema.h"

static const char migration_1[] =
	/* Reference data ------------------------------------------------ */
	"CREATE TABLE bureaus ("
	"  code TEXT PRIMARY KEY,"
	"  name_zh TEXT NOT NULL,"
	"  name_en TEXT NOT NULL,"
	"  parent_code TEXT REFERENCES bureaus(code),"
	"  county_code TEXT,"			/* NULL: city bureau, sections, zone */
	"  email TEXT"
	") STRICT;"
	"CREATE TABLE places ("			/* the gazetteer */
	"  id INTEGER PRIMARY KEY,"
	"  code TEXT,"				/* town code (9 digits) or county code */
	"  county_code TEXT NOT NULL,"
	"  kind TEXT NOT NULL,"			/* 县/市/区, 镇, 乡, 街道, former */
	"  name TEXT NOT NULL,"
	"  short_name TEXT,"			/* name without 镇/乡/街道 suffix */
	"  status TEXT NOT NULL DEFAULT 'current',"	/* current | former */
	"  UNIQUE (county_code, name)"
	") STRICT;"
	"CREATE TABLE domains ("
	"  code TEXT PRIMARY KEY,"
	"  name_zh TEXT NOT NULL,"
	"  name_en TEXT NOT NULL,"
	"  position INTEGER NOT NULL,"
	"  epidemic INTEGER NOT NULL DEFAULT 0"	/* raises priority */
	") STRICT;"
	"CREATE TABLE domain_keywords ("
	"  domain TEXT NOT NULL REFERENCES domains(code),"
	"  keyword TEXT NOT NULL,"
	"  weight INTEGER NOT NULL,"
	"  PRIMARY KEY (domain, keyword)"
	") STRICT;"
	"CREATE TABLE violation_types ("
	"  code TEXT PRIMARY KEY,"
	"  category TEXT NOT NULL,"		/* inaccurate | false | other */
	"  article_2021 TEXT,"
	"  article_2025 TEXT,"
	"  name_zh TEXT NOT NULL,"
	"  name_en TEXT NOT NULL"
	") STRICT;"
	"CREATE TABLE violation_keywords ("
	"  violation TEXT NOT NULL REFERENCES violation_types(code),"
	"  keyword TEXT NOT NULL,"
	"  PRIMARY KEY (violation, keyword)"
	") STRICT;"
	"CREATE TABLE campaigns ("
	"  code TEXT PRIMARY KEY,"
	"  name_zh TEXT NOT NULL,"
	"  name_en TEXT NOT NULL,"
	"  starts_on TEXT,"
	"  ends_on TEXT"
	") STRICT;"
	"CREATE TABLE campaign_domains ("
	"  campaign TEXT NOT NULL REFERENCES campaigns(code),"
	"  domain TEXT NOT NULL REFERENCES domains(code),"
	"  position INTEGER NOT NULL,"
	"  PRIMARY KEY (campaign, domain)"
	") STRICT;"
	"CREATE TABLE deadline_rules ("
	"  rule_id TEXT NOT NULL,"
	"  applies_from TEXT NOT NULL,"
	"  applies_until TEXT,"
	"  kind TEXT NOT NULL,"
	"  trigger TEXT NOT NULL,"
	"  limit_value INTEGER,"
	"  unit TEXT,"				/* working_days | days | years */
	"  extension INTEGER,"
	"  extension_unit TEXT,"
	"  extension_condition TEXT,"
	"  paused_by TEXT,"
	"  source TEXT NOT NULL,"
	"  note TEXT,"
	"  PRIMARY KEY (rule_id, applies_from)"
	") STRICT;"
	"CREATE TABLE calendar_days ("		/* exceptions to Mon-Fri */
	"  date TEXT PRIMARY KEY,"		/* YYYY-MM-DD */
	"  kind TEXT NOT NULL CHECK (kind IN ('holiday','workday'))"
	") STRICT;"
	"CREATE TABLE institutions ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL,"
	"  name_norm TEXT NOT NULL,"
	"  credit_code TEXT UNIQUE,"
	"  cma_cert_no TEXT,"
	"  address TEXT,"
	"  county_code TEXT,"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL"
	") STRICT;"
	"CREATE INDEX institutions_name_norm ON institutions(name_norm);"
	"CREATE INDEX institutions_cma ON institutions(cma_cert_no);"
	"CREATE TABLE institution_domains ("
	"  institution_id INTEGER NOT NULL REFERENCES institutions(id) ON DELETE CASCADE,"
	"  domain TEXT NOT NULL REFERENCES domains(code),"
	"  PRIMARY KEY (institution_id, domain)"
	") STRICT;"
	/* Staff ---------------------------------------------------------- */
	"CREATE TABLE users ("
	"  id INTEGER PRIMARY KEY,"
	"  login TEXT NOT NULL UNIQUE,"
	"  role TEXT NOT NULL CHECK (role IN ('admin','triage','officer','auditor')),"
	"  bureau TEXT REFERENCES bureaus(code),"
	"  pw_hash TEXT NOT NULL,"
	"  must_change INTEGER NOT NULL DEFAULT 1,"
	"  disabled INTEGER NOT NULL DEFAULT 0,"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL,"
	"  CHECK (role <> 'officer' OR bureau IS NOT NULL)"
	") STRICT;"
	"CREATE TABLE sessions ("
	"  token_hash BLOB PRIMARY KEY,"
	"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  csrf_token TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  last_seen INTEGER NOT NULL"
	") STRICT;"
	/* Cases ---------------------------------------------------------- */
	"CREATE TABLE cases ("
	"  id INTEGER PRIMARY KEY,"
	"  public_id TEXT NOT NULL UNIQUE,"		/* C-2022-000001 */
	"  institution_id INTEGER NOT NULL REFERENCES institutions(id),"
	"  campaign TEXT REFERENCES campaigns(code),"
	"  domain TEXT REFERENCES domains(code),"
	"  bureau TEXT NOT NULL REFERENCES bureaus(code),"
	"  status TEXT NOT NULL DEFAULT 'verifying' CHECK (status IN"
	"    ('verifying','filed','not_filed','decided','closed')),"
	"  not_filed_reason TEXT,"
	"  joint_departments TEXT,"
	"  violation_found INTEGER NOT NULL DEFAULT 0,"
	"  false_report INTEGER NOT NULL DEFAULT 0,"	/* 0 none, 1 inaccurate, 2 false */
	"  false_report_kind TEXT REFERENCES violation_types(code),"
	"  rectify_ordered INTEGER NOT NULL DEFAULT 0,"
	"  qualification_revoked INTEGER NOT NULL DEFAULT 0,"
	"  fines_fen INTEGER NOT NULL DEFAULT 0 CHECK (fines_fen >= 0),"
	"  confiscated_fen INTEGER NOT NULL DEFAULT 0 CHECK (confiscated_fen >= 0),"
	"  referred_police INTEGER NOT NULL DEFAULT 0,"
	"  seriously_dishonest INTEGER NOT NULL DEFAULT 0,"
	"  credit_published_on TEXT,"
	"  filed_on TEXT,"
	"  decided_on TEXT,"
	"  closed_on TEXT,"
	"  created_by INTEGER REFERENCES users(id),"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL"
	") STRICT;"
	"CREATE INDEX cases_bureau ON cases(bureau, status);"
	"CREATE INDEX cases_institution ON cases(institution_id);"
	"CREATE TABLE case_events ("
	"  id INTEGER PRIMARY KEY,"
	"  case_id INTEGER NOT NULL REFERENCES cases(id),"
	"  user_id INTEGER REFERENCES users(id),"
	"  at INTEGER NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  detail TEXT"
	") STRICT;"
	/* Tips ----------------------------------------------------------- */
	"CREATE TABLE tips ("
	"  id INTEGER PRIMARY KEY,"
	"  public_id TEXT NOT NULL UNIQUE,"		/* T-2022-000123 */
	"  uid BLOB NOT NULL UNIQUE,"			/* 16 random bytes: AD */
	"  channel TEXT NOT NULL CHECK (channel IN ('web','api','email','staff')),"
	"  status TEXT NOT NULL DEFAULT 'received' CHECK (status IN"
	"    ('received','triaged','verifying','filed','not_filed',"
	"     'transferred','invalid','closed')),"
	"  bureau TEXT NOT NULL REFERENCES bureaus(code),"
	"  domain TEXT REFERENCES domains(code),"
	"  violation TEXT REFERENCES violation_types(code),"
	"  institution_id INTEGER REFERENCES institutions(id),"
	"  campaign TEXT REFERENCES campaigns(code),"
	"  case_id INTEGER REFERENCES cases(id),"
	"  priority INTEGER NOT NULL DEFAULT 0,"
	"  route_reason TEXT,"
	"  needs_review INTEGER NOT NULL DEFAULT 0,"
	"  real_name INTEGER NOT NULL DEFAULT 0,"	/* tipster gave contact data */
	"  occurred_on TEXT,"
	"  received_at INTEGER NOT NULL,"
	"  received_on TEXT NOT NULL,"			/* local date: rules in force */
	"  updated_at INTEGER NOT NULL,"
	"  wo_12315 TEXT,"				/* national work-order number */
	"  receipt_hash BLOB NOT NULL UNIQUE,"
	"  nonce_hash BLOB UNIQUE,"			/* form double-submit guard */
	"  dedup_hash BLOB UNIQUE,"			/* mail Message-ID + body */
	"  record_sealed BLOB NOT NULL"			/* the tipster's text, sealed */
	") STRICT;"
	"CREATE INDEX tips_bureau ON tips(bureau, status, received_at);"
	"CREATE INDEX tips_received ON tips(received_at);"
	"CREATE INDEX tips_institution ON tips(institution_id);"
	"CREATE INDEX tips_case ON tips(case_id);"
	"CREATE TABLE tip_relations ("
	"  tip_id INTEGER NOT NULL REFERENCES tips(id),"
	"  related_id INTEGER NOT NULL REFERENCES tips(id),"
	"  reason TEXT NOT NULL,"
	"  PRIMARY KEY (tip_id, related_id)"
	") STRICT;"
	"CREATE TABLE key_slots ("
	"  id INTEGER PRIMARY KEY,"
	"  tip_id INTEGER REFERENCES tips(id),"		/* NULL: a service key */
	"  purpose TEXT NOT NULL,"			/* content | receipt_mac | ... */
	"  kind TEXT NOT NULL,"				/* master | bureau_box */
	"  key_id TEXT NOT NULL,"			/* master key id / bureau */
	"  wrapped BLOB NOT NULL,"
	"  created_at INTEGER NOT NULL"
	") STRICT;"
	"CREATE INDEX key_slots_tip ON key_slots(tip_id);"
	"CREATE UNIQUE INDEX key_slots_service ON key_slots(purpose, kind, key_id)"
	"  WHERE tip_id IS NULL;"
	"CREATE TABLE messages ("
	"  id INTEGER PRIMARY KEY,"
	"  tip_id INTEGER NOT NULL REFERENCES tips(id),"
	"  sender TEXT NOT NULL CHECK (sender IN ('bureau','tipster')),"
	"  user_id INTEGER REFERENCES users(id),"
	"  at INTEGER NOT NULL,"
	"  body_sealed BLOB NOT NULL"
	") STRICT;"
	"CREATE INDEX messages_tip ON messages(tip_id, at);"
	"CREATE TABLE attachments ("
	"  id INTEGER PRIMARY KEY,"
	"  tip_id INTEGER NOT NULL REFERENCES tips(id),"
	"  message_id INTEGER REFERENCES messages(id),"
	"  blob_name TEXT NOT NULL UNIQUE,"
	"  size INTEGER NOT NULL,"
	"  detected_type TEXT NOT NULL,"
	"  is_original_mail INTEGER NOT NULL DEFAULT 0,"
	"  content_mac BLOB NOT NULL,"			/* keyed hash: relatives */
	"  name_sealed BLOB NOT NULL,"
	"  created_at INTEGER NOT NULL"
	") STRICT;"
	"CREATE INDEX attachments_tip ON attachments(tip_id);"
	"CREATE INDEX attachments_mac ON attachments(content_mac);"
	"CREATE TABLE deadline_events ("			/* pauses, extensions */
	"  id INTEGER PRIMARY KEY,"
	"  tip_id INTEGER REFERENCES tips(id),"
	"  case_id INTEGER REFERENCES cases(id),"
	"  rule_id TEXT NOT NULL,"
	"  kind TEXT NOT NULL CHECK (kind IN ('pause','resume','extend','restart')),"
	"  on_date TEXT NOT NULL,"
	"  note TEXT,"
	"  user_id INTEGER REFERENCES users(id),"
	"  at INTEGER NOT NULL"
	") STRICT;"
	"CREATE TABLE outbox ("
	"  id INTEGER PRIMARY KEY,"
	"  tip_id INTEGER REFERENCES tips(id),"
	"  recipient_sealed BLOB NOT NULL,"
	"  body_sealed BLOB NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  sent_at INTEGER"
	") STRICT;"
	/* Audit ---------------------------------------------------------- */
	"CREATE TABLE audit ("
	"  id INTEGER PRIMARY KEY,"
	"  at INTEGER NOT NULL,"
	"  user TEXT,"
	"  action TEXT NOT NULL,"
	"  object TEXT,"
	"  reason TEXT,"
	"  prev_hash BLOB NOT NULL,"
	"  hash BLOB NOT NULL"
	") STRICT;"
	"CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
	"  BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;"
	"CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
	"  BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;"
	/* Facts about this store (creation time, data version). */
	"CREATE TABLE meta ("
	"  key TEXT PRIMARY KEY,"
	"  value TEXT NOT NULL"
	") STRICT;";

/*
 * Migration 2: what triage, cases, the acknowledgement outbox and related
 * tips need beyond migration 1.
 */
static const char migration_2[] =
	/* A decision not to file has its own date (the filing decision's
	 * deadline is met on it). */
	"ALTER TABLE cases ADD COLUMN not_filed_on TEXT;"
	/* Triage marks a tip as the duplicate of another. */
	"ALTER TABLE tips ADD COLUMN duplicate_of INTEGER REFERENCES tips(id);"
	/* A real-name tipster told of the filing decision (date). */
	"ALTER TABLE tips ADD COLUMN notified_on TEXT;"
	/* Keyed hash of the tipster's normalised contact: the same tipster's
	 * repeated tips (order 121), never the contact itself. */
	"ALTER TABLE tips ADD COLUMN contact_mac BLOB;"
	"CREATE INDEX tips_contact ON tips(contact_mac)"
	"  WHERE contact_mac IS NOT NULL;"
	"CREATE INDEX tips_duplicate ON tips(duplicate_of)"
	"  WHERE duplicate_of IS NOT NULL;"
	/* What staff did to a tip (route, confirm, invalid, duplicate,
	 * classify, case link and unlink, notice), for its history; every
	 * such change is also in the audit log. */
	"CREATE TABLE tip_events ("
	"  id INTEGER PRIMARY KEY,"
	"  tip_id INTEGER NOT NULL REFERENCES tips(id),"
	"  user_id INTEGER REFERENCES users(id),"
	"  at INTEGER NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  detail TEXT"
	") STRICT;"
	"CREATE INDEX tip_events_tip ON tip_events(tip_id, at);"
	/* Test report numbers (检验检测报告编号) found in a tip's text, as
	 * keyed hashes: tips naming the same report are related. */
	"CREATE TABLE tip_report_numbers ("
	"  tip_id INTEGER NOT NULL REFERENCES tips(id),"
	"  number_mac BLOB NOT NULL,"
	"  PRIMARY KEY (tip_id, number_mac)"
	") STRICT, WITHOUT ROWID;"
	"CREATE INDEX tip_report_numbers_mac ON tip_report_numbers(number_mac);"
	/* The acknowledgement outbox: retries with back-off. */
	"ALTER TABLE outbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE outbox ADD COLUMN next_at INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE outbox ADD COLUMN last_error TEXT;"
	"CREATE INDEX outbox_pending ON outbox(next_at) WHERE sent_at IS NULL;";

const char *const schema_migrations[] = {
	migration_1,
	migration_2,
};

const size_t schema_migration_count =
    sizeof(schema_migrations) / sizeof(schema_migrations[0]);
