#!/usr/bin/env bash
# tenant import (SPEC §2): RFC 4180 files as spreadsheets write them, each
# kind of bad file refused with the file, line and column named and
# nothing half-written, and 10,000 rows in one go.
. "$(dirname "$0")/../support/lib.sh"

DATA=$TOP/tests/data/import


# The names of the tenants with ids first..last, one a line, by id.
NAMES_IN='"\n".join(t["name"] for t in sorted(d, key=lambda t: t["id"]) if first <= t["id"] <= last)'

# Imports a file that must go in whole; checks the summary line and the
# names, byte for byte and in file order.  Sets $first and $last.
expect_import() {	# description file name...
	local what=$1 file=$DATA/$2 want got
	shift 2
	want=$(printf '%s\n' "$@")
	agent tenant import "$file"
	first='' last=''
	if [[ $out =~ ^imported\ ([0-9]+)\ tenants?\ \(ids\ ([0-9]+)-([0-9]+)\)$ ]]; then
		first=${BASH_REMATCH[2]}
		last=${BASH_REMATCH[3]}
	fi
	if [ "$rc" -ne 0 ] || [ -z "$first" ] ||
	    [ "${BASH_REMATCH[1]}" -ne $# ] ||
	    [ $((last - first + 1)) -ne $# ]; then
		not_ok "$what: imported $# tenants" "exit code $rc" \
		    "stdout: $out" "stderr: $err"
		return
	fi
	ok "$what: imported $# tenants"
	agent tenant list --json
	got=$(pyj "$out" "(lambda first, last: $NAMES_IN)($first, $last)")
	expect_eq "$what: the names, exactly" "$got" "$want"
}

# Imports a file that must be refused whole.  Each pattern is a problem
# that stderr must report as "FILE:LINE: ..." (an extended regex for
# what follows the file name).
expect_refused() {	# file pattern...
	local name=$1 file=$DATA/$1 p missing=() unnamed
	local file_re
	shift
	# shellcheck disable=SC2016
	file_re=$(printf '%s' "$file" | sed 's/[.[\*^$()+?{|]/\\&/g')
	agent tenant import "$file"
	import_err=$err
	if [ "$rc" -eq 1 ] && [[ $out != *imported* ]]; then
		ok "$name: exit 1, nothing imported"
	else
		not_ok "$name: exit 1, nothing imported" "exit code $rc" \
		    "stdout: $out" "stderr: $err"
	fi
	for p in "$@"; do
		printf '%s\n' "$err" | grep -Eq -- "^mscagent: $file_re$p" ||
		    missing+=("$p")
	done
	if [ ${#missing[@]} -eq 0 ]; then
		ok "$name: stderr names the file and the place"
	else
		not_ok "$name: stderr names the file and the place" \
		    "no line for: ${missing[*]}" "stderr:" "$err"
	fi
	unnamed=$(printf '%s\n' "$err" | grep -Fv -- "$file")
	expect_eq "$name: every stderr line names the file" "$unnamed" ""
	agent tenant list --json
	expect_eq "$name: the database holds the same tenants" "$out" "$before"
}

make_config
agent init
expect_rc "init" 0

# ---- files that import ----

expect_import "BOM, CRLF, quoted commas and quotes, Unicode" \
    bom-crlf-quoted-unicode.csv \
    "Acme, Inc." \
    'The "Best" Company' \
    "Müller & Söhne — 株式会社 🚀" \
    "شركة, الاختبار" \
    $'Zeta "Quoted", Ltd. \xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa7'
bom_first=$first
agent tenant list --json
expect_eq "BOM file: every field of every row as written" \
    "$(pyj "$out" "[(t['customer_admin'], t['msp_admin'], t['workloads'], t['edition'], t['suspended'], {w: l['expires'] for w, l in t['licenses'].items() if l['expires']}, t['state']) for t in sorted(d, key=lambda t: t['id']) if t['id'] >= $bom_first]")" \
    "[('admin@acme.test', 'msp@partner.test', ['m365'], 'enterprise', False, {'m365': '2027-01-31'}, 'new'), ('admin@best.test', 'msp@partner.test', ['m365', 'endpoints'], 'enterprise', False, {'m365': '2027-03-01', 'endpoints': '2031-01-01'}, 'new'), ('admin@mueller.test', 'msp@partner.test', ['hybrid', 'gws'], 'enterprise', True, {}, 'new'), ('admin@arabic.test', 'msp@partner.test', ['gws'], 'standard', False, {'gws': '2028-02-29'}, 'new'), ('admin@zeta.test', 'msp@partner.test', ['endpoints'], 'enterprise', False, {'endpoints': '2027-12-31'}, 'new')]"
agent tenant show "$bom_first" --json
expect_eq "an imported tenant's history says where it came from" \
    "$(pyj "$out" '[(h["from"], h["to"], h["actor"]) for h in d["history"]]' \
        '"bom-crlf-quoted-unicode.csv" in d["history"][0]["detail"]')" \
    "[('new', 'new', 'import')]
True"

expect_import "no BOM, LF line ends" no-bom-lf.csv \
    "Plain One" 'Plain "Two"' "חברת בדיקה"
expect_import "columns in another order" columns-reordered.csv \
    "Reordered Ltd" "Second, Reordered"
agent tenant list --json
expect_eq "reordered columns land in the right fields" \
    "$(pyj "$out" "[(t['customer_admin'], t['msp_admin'], t['workloads'], t['edition'], t['suspended'], t['licenses'].get('m365', {}).get('expires')) for t in d if $first <= t['id'] <= $last]")" \
    "[('admin@reordered.test', 'msp@reordered.test', ['m365'], 'enterprise', True, '2027-05-05'), ('admin@second.test', 'msp@reordered.test', ['gws', 'endpoints'], 'standard', False, None)]"
expect_import "without the optional columns" optional-columns-absent.csv \
    "Minimal One" $'Cafe\xcc\x81 Minimal'
agent tenant list --json
expect_eq "absent optional columns: no licences, not suspended" \
    "$(pyj "$out" "[(t['suspended'], [l['expires'] for l in t['licenses'].values()]) for t in d if $first <= t['id'] <= $last]")" \
    "[(False, [None]), (False, [None])]"
expect_import "blank lines skipped, no newline at the end" \
    blank-lines-no-final-newline.csv "First Blank" "Second Blank"

# ---- files that are refused whole ----

agent tenant list --json
before=$out

expect_refused bad-date-line-3.csv ':3: column 6 \(licenses\): .*2027-02-29'
expect_refused unknown-workload-line-2.csv \
    ':2: column 4 \(workloads\): .*exchange'
expect_refused licence-for-missing-workload-line-2.csv \
    ':2: column 6 \(licenses\): .*gws'
expect_refused bad-suspended-line-2.csv ':2: column 7 \(suspended\): .*maybe'
expect_refused invalid-utf8-name-line-3.csv ':3: column 1 \(name\): .*UTF-8'
expect_refused overlong-utf8-name-line-2.csv ':2: column 1 \(name\): .*UTF-8'
expect_refused escape-char-name-line-2.csv ':2: column 1 \(name\): .*control'
expect_refused control-char-edition-line-3.csv \
    ':3: column 5 \(edition\): .*control'
expect_refused name-257-bytes-line-2.csv ':2: column 1 \(name\): .*long'
expect_refused nul-byte-name-line-2.csv ':2: character [0-9]+: NUL'
expect_refused newline-in-quoted-name-line-2.csv \
    ':2: column 1 \(name\): .*control' ':4: column 4 \(workloads\): '
expect_refused wrong-field-count-line-3.csv ':3: .*fields'
expect_refused unterminated-quote-line-3.csv ':3: character [0-9]+: .*quote'
expect_refused unknown-column-6.csv ':1: column 6: .*colour'
expect_refused duplicate-name-column-3.csv ':1: column 3: .*name'
expect_refused missing-edition-column.csv ':1: .*edition'
expect_refused empty.csv ':1: .*empty'
expect_refused header-only.csv '.*header'
expect_refused several-bad-rows-lines-2-4-5.csv \
    ':2: column 6 \(licenses\): ' ':4: column 4 \(workloads\): ' \
    ':5: column 7 \(suspended\): '
expect_eq "several bad rows: one problem line each, none for the good row" \
    "$(printf '%s\n' "$import_err" | grep -Eo 'lines-2-4-5\.csv:[0-9]+:' | paste -sd' ')" \
    "lines-2-4-5.csv:2: lines-2-4-5.csv:4: lines-2-4-5.csv:5:"

agent tenant import "$T/no-such-file.csv"
if [ "$rc" -eq 1 ] && [[ $err == "mscagent: "*"$T/no-such-file.csv"* ]] &&
    [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ]; then
	ok "a missing file: exit 1, one line naming it"
else
	not_ok "a missing file: exit 1, one line naming it" "exit code $rc" \
	    "stderr: $err"
fi
agent tenant import
expect_rc "tenant import without a file exits 1" 1
agent tenant import "$DATA/no-bom-lf.csv" "$DATA/no-bom-lf.csv"
expect_rc "tenant import with two files exits 1" 1
agent tenant list --json
expect_eq "the refused imports left the database as it was" "$out" "$before"

# ---- 10,000 rows ----

count_before=$(pyj "$before" 'len(d)')
awk 'BEGIN {
	print "name,customer_admin,msp_admin,workloads,edition,licenses,suspended\r"
	for (i = 1; i <= 10000; i++)
		printf "\"Bulk %05d — Ünïcode, \"\"株式会社\"\"\",admin%d@bulk.test," \
		    "msp@partner.test,\"m365,endpoints\",enterprise," \
		    "m365=2027-03-01;endpoints=2031-01-01,no\r\n", i, i
}' >"$T/bulk.csv"
start=$(date +%s.%N)
agent tenant import "$T/bulk.csv"
end=$(date +%s.%N)
echo "# import of 10000 rows took $(awk -v s="$start" -v e="$end" \
    'BEGIN { printf "%.2f", e - s }') s"
expect_match "10,000 rows import" "$rc $out" \
    '^0 imported 10000 tenants \(ids [0-9]+-[0-9]+\)$'
agent tenant list --json
expect_eq "tenant list --json has 10,000 more entries, names exact" \
    "$(pyj "$out" 'len(d)' \
        'sorted(t["name"] for t in d if t["name"].startswith("Bulk ")) == ["Bulk %05d — Ünïcode, \"株式会社\"" % i for i in range(1, 10001)]')" \
    "$((count_before + 10000))
True"
