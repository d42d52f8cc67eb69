#!/usr/bin/env bash
# test_lookup.sh: `docket lookup` against a database with several
# instances (exact, partial, misspelt names, exit codes, no colour when
# piped), `docket export` as HTML (relative links that resolve, the search
# index as a script, export time on every page), Markdown and CSV, and the
# CSV round trip: export -> import into an empty database gives the same
# registry, formula-looking and apostrophe cells included.
set -u
bin=${DOCKET_BIN:?run through ctest}
tmp=$(mktemp -d "${TEST_TMP:-/tmp}/lookup-XXXXXX" 2>/dev/null || mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
check() { # check NAME EXPECTED-EXIT ACTUAL-EXIT
  if [ "$2" != "$3" ]; then echo "FAIL: $1: exit $3, expected $2"; fail=1
  else echo "ok: $1"; fi
}
has() { # has NAME FILE TEXT
  if grep -qF -- "$3" "$2"; then echo "ok: $1"
  else echo "FAIL: $1: no \"$3\" in $2"; sed -n 1,40p "$2"; fail=1; fi
}

db="$tmp/demo.db"
"$bin" --db "$db" demo >"$tmp/demo.out" 2>&1
check "demo" 0 $?
"$bin" --db "$db" demo >"$tmp/demo2.out" 2>&1
check "demo refuses a database with data" 2 $?

# Exact name in one instance: the card, dependency first, plain text.
"$bin" --db "$db" lookup loyalty_members --instance acme-prod >"$tmp/o" 2>&1
check "exact" 0 $?
head -1 "$tmp/o" | grep -q '^REQUIRED: hold campaigns if the file is missing$'
check "dependency on the first line" 0 $?
has "arrival and lateness" "$tmp/o" "05:00 UTC, missing after 07:00"
if grep -q $'\033' "$tmp/o"; then echo "FAIL: colour when piped"; fail=1; fi
# An empty --instance is a usage error that says what to do, never a
# sentence ending on an empty name.
"$bin" --db "$db" lookup customers --instance "" >"$tmp/o" 2>&1
check "empty --instance" 2 $?
has "empty --instance explained" "$tmp/o" "leave it out to look in every instance"
if grep -q ' in $' "$tmp/o"; then echo "FAIL: message ends on an empty name"; fail=1; fi
# Exact name in two instances: both cards, exit 0.
"$bin" --db "$db" lookup unsubscribes >"$tmp/o" 2>&1
check "exact in two instances" 0 $?
[ "$(grep -c '^REQUIRED' "$tmp/o")" = 2 ]
check "two cards" 0 $?
# Prefix with one match, and the same prefix in both instances.
"$bin" --db "$db" lookup unsub --instance acme-qa >"$tmp/o" 2>&1
check "prefix, one match" 0 $?
"$bin" --db "$db" lookup unsub >"$tmp/o" 2>&1
check "prefix, several matches, none exact" 1 $?
has "candidates listed" "$tmp/o" "unsubscribes  (acme-qa, REQUIRED)"
if grep -q '[0-9])' "$tmp/o" || grep -q 'Choose' "$tmp/o"; then
  echo "FAIL: a numbered choice on a pipe"; fail=1; fi

# On a terminal (stdin and stdout a tty, through script(1)'s pty): a
# numbered choice, and the chosen card.
if command -v script >/dev/null 2>&1; then
  printf '2\n' | script -qec "\"$bin\" --db \"$db\" lookup unsub" /dev/null \
    >"$tmp/tty" 2>&1
  check "terminal: a choice made" 0 $?
  tr -d '\r' <"$tmp/tty" | sed 's/\x1b\[[0-9;]*m//g' >"$tmp/o"
  has "terminal: numbered" "$tmp/o" "1) unsubscribes  (acme-prod, REQUIRED)"
  has "terminal: numbered 2" "$tmp/o" "2) unsubscribes  (acme-qa, REQUIRED)"
  has "terminal: prompt" "$tmp/o" "Choose 1-2"
  has "terminal: the chosen card" "$tmp/o" "unsubscribes  (acme-qa · "
  if grep -q "unsubscribes  (acme-prod · " "$tmp/o"; then
    echo "FAIL: terminal: the other card shown"; fail=1; fi
  printf '\n' | script -qec "\"$bin\" --db \"$db\" lookup unsub" /dev/null \
    >"$tmp/tty" 2>&1
  check "terminal: no choice" 1 $?
  printf '9\nx\n1\n' | script -qec "\"$bin\" --db \"$db\" lookup unsub" \
    /dev/null >"$tmp/tty" 2>&1
  check "terminal: a wrong number asks again" 0 $?
  tr -d '\r' <"$tmp/tty" | sed 's/\x1b\[[0-9;]*m//g' >"$tmp/o"
  has "terminal: asks again" "$tmp/o" "Choose a number from 1 to 2"
  has "terminal: the first card" "$tmp/o" "unsubscribes  (acme-prod · "
  printf '1\n' | script -qec "\"$bin\" --db \"$db\" lookup unsbuscribes --instance acme-qa" \
    /dev/null >"$tmp/tty" 2>&1
  check "terminal: a close name chosen" 0 $?
  tr -d '\r' <"$tmp/tty" | sed 's/\x1b\[[0-9;]*m//g' >"$tmp/o"
  has "terminal: did you mean" "$tmp/o" "1) unsubscribes  (acme-qa, REQUIRED)"
  has "terminal: its card" "$tmp/o" "unsubscribes  (acme-qa · "
else
  echo "skip: no script(1) for a terminal"
fi

# The card on a terminal: columns aligned by display width (a type longer
# than the type column too), no trailing blanks, the runbook without its
# Markdown, "Details:" the path, or the full address with base_url.
"$bin" --db "$db" lookup unsubscribes --instance acme-prod >"$tmp/o" 2>&1
check "card" 0 $?
python3 - "$tmp/o" <<'PY'
import sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
bad = [l for l in lines if l.endswith(" ")]
rows = lines[lines.index(next(l for l in lines if l.startswith("Columns ("))) + 1:]
rows = [l for l in rows if l.startswith("  ")]
# Where the flags start: after the type, the same column in every row.
def flags_at(l):
    for f in (" PK", " not-null", " PII", " consent"):
        if f in l[3:]:
            return min(l.index(x, 3) for x in (" PK", " not-null", " PII", " consent") if x in l[3:])
    return None
at = set(flags_at(l) for l in rows if flags_at(l) is not None)
ok = not bad and len(at) == 1 and any("timestamp with time zone" in l for l in rows)
if not ok: print("bad:", bad, at, rows)
sys.exit(0 if ok else 1)
PY
check "columns aligned, no trailing blanks" 0 $?
"$bin" --db "$db" lookup customers --instance acme-prod >"$tmp/o" 2>&1
if grep -qF '**' "$tmp/o"; then echo "FAIL: raw Markdown on the terminal"; fail=1; fi
if grep -q 'flat_file_csv' "$tmp/o"; then echo "FAIL: raw source"; fail=1; fi
has "source label" "$tmp/o" "Flat file (CSV)"
has "details path" "$tmp/o" "Details: /tables/acme-prod/customers"
printf '[server]\nbase_url = https://docket.example.com/\n' >"$tmp/base.ini"
"$bin" --config "$tmp/base.ini" --db "$db" lookup customers --instance acme-prod \
  >"$tmp/o" 2>&1
check "card with base_url" 0 $?
has "details url" "$tmp/o" "Details: https://docket.example.com/tables/acme-prod/customers"
# Substring.
"$bin" --db "$db" lookup _items --instance acme-prod >"$tmp/o" 2>&1
check "substring" 0 $?
has "substring found purchase_items" "$tmp/o" "purchase_items"
# Misspelt.
"$bin" --db "$db" lookup cusotmers --instance acme-prod >"$tmp/o" 2>&1
check "misspelt" 1 $?
has "suggestion" "$tmp/o" "customers  (acme-prod"
"$bin" --db "$db" lookup zzzzzzzzzz >"$tmp/o" 2>&1
check "nothing at all" 1 $?
"$bin" --db "$tmp/none.db" lookup customers >"$tmp/o" 2>&1
check "no database" 2 $?
"$bin" --db "$db" lookup >"$tmp/o" 2>&1
check "usage" 2 $?
"$bin" --db "$db" lookup customers --instance acme-prod --json >"$tmp/j" 2>&1
check "json" 0 $?
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["table"]=="customers" and d["rules"]["campaign_dependency"]=="required" and d["rules"]["source"]=="flat_file_csv"' "$tmp/j"
check "json parses" 0 $?
"$bin" --db "$db" tables --required >"$tmp/o" 2>&1
check "tables" 0 $?
has "tables lists required" "$tmp/o" "consent_preferences"

# Values a spreadsheet would run, and a leading apostrophe, must survive
# the CSV round trip exactly.
sqlite3 "$db" "UPDATE reg_columns SET description = '=HYPERLINK(\"x\")',
  example = '''=1+2' WHERE name = 'email';
  UPDATE reg_columns SET description = '-5 \"quoted\", with comma
and a line break', rule = '@rule' WHERE name = 'segment';
  UPDATE reg_tables SET runbook = '''apostrophe first' WHERE name = 'stores';"
check "edit fixture" 0 $?

for fmt in csv markdown html; do
  "$bin" --db "$db" export --format $fmt --out "$tmp/$fmt" >"$tmp/o" 2>&1
  check "export $fmt" 0 $?
done
"$bin" --db "$db" export --format pdf --out "$tmp/x" >"$tmp/o" 2>&1
check "export bad format" 2 $?

# CSV: exactly the import's columns; round trip into an empty database.
head -1 "$tmp/csv/acme-prod.csv" | tr -d '\r' >"$tmp/header"
has "csv header" "$tmp/header" "table,column,type,nullable,primary_key,description,example,pii,consent,consent_channel,rule,column_status,campaign_dependency"
has "csv neutralised" "$tmp/csv/acme-prod.csv" "\"'=HYPERLINK(\"\"x\"\")\""
db2="$tmp/empty.db"
"$bin" --db "$db2" org add acme >/dev/null && \
  "$bin" --db "$db2" instance add acme acme-prod --env production >/dev/null
check "empty database" 0 $?
"$bin" --db "$db2" import --instance acme-prod "$tmp/csv/acme-prod.csv" >"$tmp/o" 2>&1
check "import the export" 0 $?
q_tables="SELECT t.name, t.description, t.kind, t.source, t.cadence,
  t.expected_arrival, t.late_after_minutes, t.file_pattern,
  t.campaign_dependency, t.campaign_note, t.consent_relevant, t.owner,
  t.escalation, t.runbook, t.status FROM reg_tables t JOIN instances i
  ON i.id = t.instance_id WHERE i.name = 'acme-prod' ORDER BY t.name"
q_cols="SELECT t.name, c.position, c.name, c.type, c.nullable, c.primary_key,
  c.description, c.example, c.pii, c.consent, c.consent_channel, c.rule,
  c.status FROM reg_columns c JOIN reg_tables t ON t.id = c.table_id
  JOIN instances i ON i.id = t.instance_id WHERE i.name = 'acme-prod'
  ORDER BY t.name, c.position"
for q in "$q_tables" "$q_cols"; do
  sqlite3 -json "$db" "$q" >"$tmp/a.json"
  sqlite3 -json "$db2" "$q" >"$tmp/b.json"
  if cmp -s "$tmp/a.json" "$tmp/b.json"; then echo "ok: round trip"
  else echo "FAIL: round trip differs"; diff "$tmp/a.json" "$tmp/b.json" | head -20; fail=1; fi
done
"$bin" --db "$db2" import --instance acme-prod "$tmp/csv/acme-prod.csv" >"$tmp/o" 2>&1
has "second import changes nothing" "$tmp/o" "0 tables created, 0 updated; 0 columns added, 0 updated"
# A bad file: rejected with line numbers, nothing written.
printf 'table,column,type,nullable\nok_table,id,bigint,no\n1select,id,bigint,no\nt,x,varchr(3),perhaps\n' >"$tmp/bad.csv"
before=$(sqlite3 "$db2" "SELECT count(*) FROM registry_history")
"$bin" --db "$db2" import --instance acme-prod "$tmp/bad.csv" >"$tmp/o" 2>&1
check "bad import" 2 $?
has "bad import names the line" "$tmp/o" "bad.csv:3: table:"
has "bad import names the type" "$tmp/o" "bad.csv:4: type:"
[ "$(sqlite3 "$db2" "SELECT count(*) FROM registry_history")" = "$before" ]
check "bad import wrote nothing" 0 $?
printf 'table,column,colour\nt,c,red\n' >"$tmp/bad2.csv"
"$bin" --db "$db2" import --instance acme-prod "$tmp/bad2.csv" >"$tmp/o" 2>&1
check "unknown header" 2 $?
has "unknown header named" "$tmp/o" 'unknown column "colour"'

# HTML: every link relative and resolving, export time on every page.
python3 - "$tmp/html" <<'EOF'
import html.parser, os, sys, re
root = sys.argv[1]
bad = []
pages = 0
class P(html.parser.HTMLParser):
    def __init__(self, path):
        super().__init__(); self.path = path
    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k in ("href", "src") and v is not None:
                if re.match(r"^[a-z]+:|^/", v):
                    bad.append((self.path, v)); continue
                target = os.path.normpath(os.path.join(os.path.dirname(self.path), v.split("#")[0]))
                if not os.path.exists(target):
                    bad.append((self.path, v))
for d, _, files in os.walk(root):
    for f in files:
        if f.endswith(".html"):
            p = os.path.join(d, f); pages += 1
            text = open(p, encoding="utf-8").read()
            P(p).feed(text)
            if "made 20" not in text: bad.append((p, "no export time"))
idx = open(os.path.join(root, "search-index.js")).read()
if not idx.startswith("window.DOCKET_SEARCH_INDEX = ["): bad.append(("search-index.js", "global"))
if "search-index.js" not in open(os.path.join(root, "index.html")).read(): bad.append(("index", "script"))
if pages < 26: bad.append(("pages", pages))
for b in bad: print("FAIL:", b)
sys.exit(1 if bad else 0)
EOF
check "html export links" 0 $?
has "html has app.css" "$tmp/html/app.css" "{"
has "markdown index" "$tmp/markdown/index.md" "[customers](acme-prod/customers.md): **REQUIRED**"
has "markdown table" "$tmp/markdown/acme-prod/customers.md" "**REQUIRED: hold campaigns if the file is missing**"
# Readable times, nullability and examples, labels, no raw Markdown of
# the runbook in the history.
grep -Eq '^_Exported [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2} UTC_$' \
  "$tmp/markdown/acme-prod/customers.md"
check "markdown export time readable" 0 $?
grep -Eq 'made [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2} UTC\.' \
  "$tmp/html/acme-prod/customers.html"
check "html export time readable" 0 $?
has "markdown nullability" "$tmp/markdown/acme-prod/campaign_responses.md" "| not null |"
has "markdown example" "$tmp/markdown/acme-prod/campaign_responses.md" "SPRING26"
has "html nullability" "$tmp/html/acme-prod/campaign_responses.html" "not null"
has "html example" "$tmp/html/acme-prod/campaign_responses.html" "e.g. SPRING26"
has "markdown source label" "$tmp/markdown/acme-prod/customers.md" "Flat file (CSV)"
has "html source label" "$tmp/html/acme-prod/customers.html" "Flat file (CSV)"
if grep -q 'flat_file_csv\|flat\\_file\\_csv\|\\\*\\\*' "$tmp/markdown/acme-prod/customers.md" \
   "$tmp/html/acme-prod/customers.html"; then
  echo "FAIL: a raw value or escaped Markdown in the export"; fail=1; fi
has "csv keeps values" "$tmp/csv/acme-prod.csv" "flat_file_csv"

exit $fail
