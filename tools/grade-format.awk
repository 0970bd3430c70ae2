# tools/grade-format.awk - one student's grading result in the format an
# autograding platform reads (junit, gradescope, vpl, autolab, json).
# Run by tools/grade-format, with LC_ALL=C (every string is bytes here),
# never by hand:
#
#   awk -f grade-format.awk part=visibility VISIBILITY part=model MODEL \
#       part=tap TAP part=report REPORT
#
# VISIBILITY  the instructor's lines "PATTERN<TAB>VISIBILITY" (may be empty)
# MODEL       one line per planned check, in the plan's order, made by
#             grade-format from the grader's records:
#             ID<TAB>POINTS<TAB>RESULT<TAB>REASON<TAB>NAME, RESULT one of pass,
#             fail, skip (REASON says why) or none (no record: never ran)
# TAP         bats' own TAP of the checks: only the diagnostics under each
#             check are read (the feedback); nothing in it is counted
# REPORT      the grader's report: its comment lines before the TAP (build,
#             missing files, warnings) are the run's general output
# ENVIRON: GF_FORMAT (check: only read VISIBILITY), GF_STUDENT, GF_SECONDS.
#
# The score is the sum of the points of the checks whose RESULT is pass:
# the grader's records, never a line of TAP. Every value read here is data:
# it is escaped for the output's syntax (XML, JSON, VPL's markers), bytes
# that are not UTF-8 become U+FFFD, control characters are escaped (JSON)
# or replaced (XML, VPL, text), and no value is ever evaluated.

BEGIN {
	FS = "\t"
	format = ENVIRON["GF_FORMAT"]
	student = ENVIRON["GF_STUDENT"]
	seconds = ENVIRON["GF_SECONDS"] + 0
	REPLACEMENT = "\357\277\275"	# U+FFFD in UTF-8
	FEEDBACK_MAX = 4096		# bytes of feedback kept per check
	for (i = 1; i < 256; i++) {
		c = sprintf("%c", i)
		ord[c] = i
	}
	checks = 0
	header_done = 0
}

# --- the instructor's visibility lines: the last one that matches wins.
part == "visibility" {
	if ($0 ~ /^[ \t]*(#|$)/)
		next
	if (NF != 2 || $2 !~ /^(visible|hidden|after_due_date|after_published)$/ || $1 == "") {
		printf "grade-format: visibility line %d: expected 'PATTERN<TAB>visible|hidden|after_due_date|after_published'\n", FNR >"/dev/stderr"
		failed = 2
		exit 2
	}
	vis_pattern[++visibilities] = $1
	vis_value[visibilities] = $2
	vis_used[visibilities] = 0
	next
}

# --- the model: one planned check per line.
part == "model" {
	if (NF < 5 || $2 !~ /^[0-9]+$/ || $3 !~ /^(pass|fail|skip|none)$/) {
		printf "grade-format: model line %d is malformed\n", FNR >"/dev/stderr"
		failed = 1
		exit 1
	}
	n = ++checks
	id[n] = $1
	points[n] = $2 + 0
	result[n] = $3
	reason[n] = $4
	nm = $5
	for (i = 6; i <= NF; i++)
		nm = nm " " $i
	name[n] = nm
	# "ROW: WHAT (P points)": the row id (lab/row) and the words.
	what[n] = nm
	sub(/ \([0-9]+ points?\)$/, "", what[n])
	row[n] = id[n]
	if (match(what[n], /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+: /)) {
		row[n] = substr(what[n], 1, RLENGTH - 2)
		what[n] = substr(what[n], RLENGTH + 1)
	}
	lab[n] = row[n]
	sub(/[\/.].*/, "", lab[n])
	visibility[n] = visibility_of(row[n])
	feedback[n] = ""
	if (!(nm in by_name))
		by_name[nm] = n
	next
}

# --- bats' TAP: the diagnostics under each check are its feedback.
part == "tap" {
	if ($0 ~ /^(not )?ok [0-9]+ /) {
		line = $0
		sub(/^(not )?ok [0-9]+ /, "", line)
		sub(/ # skip.*$/, "", line)
		sub(/ in [0-9]+ms$/, "", line)
		current = (line in by_name) ? by_name[line] : 0
		next
	}
	if (current && substr($0, 1, 2) == "# ") {
		line = substr($0, 3)
		# bats' own lines about where the check failed: not for students.
		if (line ~ /^\((from function|in test file) / || line ~ /^ (from function|in test file) / ||
			line ~ /^  `.*' failed( with status [0-9]+)?$/)
			next
		if (length(feedback[current]) < FEEDBACK_MAX)
			feedback[current] = feedback[current] (feedback[current] == "" ? "" : "\n") line
		else
			cut[current] = 1
		next
	}
	if ($0 !~ /^#/)
		current = 0
	next
}

# --- the report: its comment lines before the TAP are the general output.
part == "report" {
	if (header_done)
		next
	if ($0 ~ /^1\.\.[0-9]+$/ || $0 ~ /^(not )?ok [0-9]+ / || $0 ~ /^score: /) {
		header_done = 1
		next
	}
	if (length(general) < 16384)
		general = general (general == "" ? "" : "\n") $0
	next
}

END {
	if (failed)
		exit failed
	if (format == "check")
		exit 0
	for (v = 1; v <= visibilities; v++)
		if (!vis_used[v])
			printf "grade-format: visibility pattern '%s' matches no check\n", text(vis_pattern[v]) >"/dev/stderr"
	score = max_score = passed = failures = skipped = hidden_points = hidden_checks = 0
	for (n = 1; n <= checks; n++) {
		if (cut[n] || length(feedback[n]) > FEEDBACK_MAX)
			feedback[n] = substr(feedback[n], 1, FEEDBACK_MAX) "\n[feedback cut at " FEEDBACK_MAX " bytes]"
		if (result[n] == "none")
			reason[n] = "not run: the grading of this tree stopped before this check (time limit) or the check never started"
		max_score += points[n]
		if (result[n] == "pass") {
			score += points[n]
			passed++
		} else if (result[n] == "skip") {
			skipped++
		} else {
			failures++
		}
		if (visibility[n] != "visible") {
			hidden_checks++
			hidden_points += points[n]
		}
	}
	if (format == "json")
		json()
	else if (format == "gradescope")
		gradescope()
	else if (format == "junit")
		junit()
	else if (format == "vpl")
		vpl()
	else if (format == "autolab")
		autolab()
	else {
		printf "grade-format: unknown format '%s'\n", text(format) >"/dev/stderr"
		exit 2
	}
}

# visibility_of ROW: the last instructor line whose PATTERN is ROW, LAB/*
# (a prefix ending in '*') or '*'; visible when none.
function visibility_of(r,    v, p, found) {
	found = "visible"
	for (v = 1; v <= visibilities; v++) {
		p = vis_pattern[v]
		if (p == r || p == "*" ||
			(substr(p, length(p)) == "*" && substr(r, 1, length(p) - 1) == substr(p, 1, length(p) - 1))) {
			found = vis_value[v]
			vis_used[v] = 1
		}
	}
	return found
}

# outcome N: the check's result in words, with the reason of a skip.
function outcome(n) {
	if (result[n] == "pass")
		return "passed"
	if (result[n] == "skip")
		return "skipped: " reason[n]
	if (result[n] == "none")
		return reason[n]
	return "failed"
}

# detail N: what a student reads about check N beyond its outcome.
function detail(n,    d) {
	d = feedback[n]
	if (result[n] == "skip" || result[n] == "none")
		d = outcome(n) (d == "" ? "" : "\n" d)
	return d
}

# --- bytes to characters

# utf8 S [FORXML]: S with every byte that does not start a well-formed UTF-8
# sequence made U+FFFD; with FORXML also U+FFFE and U+FFFF, which XML 1.0
# does not allow.
function utf8(s, forxml,    out, i, len, c, need, lo, hi, j, b, ok) {
	if (s !~ /[\200-\377]/)
		return s
	out = ""
	len = length(s)
	for (i = 1; i <= len; i++) {
		c = ord[substr(s, i, 1)]
		if (c < 128) {
			out = out substr(s, i, 1)
			continue
		}
		need = 0; lo = 128; hi = 191
		if (c >= 194 && c <= 223) need = 1
		else if (c == 224) { need = 2; lo = 160 }
		else if (c == 237) { need = 2; hi = 159 }
		else if (c >= 225 && c <= 239) need = 2
		else if (c == 240) { need = 3; lo = 144 }
		else if (c >= 241 && c <= 243) need = 3
		else if (c == 244) { need = 3; hi = 143 }
		ok = need > 0 && i + need <= len
		for (j = 1; ok && j <= need; j++) {
			b = ord[substr(s, i + j, 1)]
			if (b < (j == 1 ? lo : 128) || b > (j == 1 ? hi : 191))
				ok = 0
		}
		if (ok && forxml && c == 239 && substr(s, i + 1, 1) == "\277" &&
			(substr(s, i + 2, 1) == "\276" || substr(s, i + 2, 1) == "\277"))
			ok = 0
		if (ok) {
			out = out substr(s, i, need + 1)
			i += need
		} else {
			out = out REPLACEMENT
		}
	}
	return out
}

# controls S REPLACE: S with every control character but tab and newline
# made REPLACE.
function controls(s, rep,    out, i, len, ch) {
	if (s !~ /[\001-\010\013-\037\177]/)
		return s
	out = ""
	len = length(s)
	for (i = 1; i <= len; i++) {
		ch = substr(s, i, 1)
		out = out (ch ~ /[\001-\010\013-\037\177]/ ? rep : ch)
	}
	return out
}

# text S: S for a plain-text line: UTF-8, controls (newlines too) made '?'.
function text(s) {
	s = controls(utf8(s), "?")
	gsub(/[\t\n]/, "?", s)
	return s
}

# jstr S: S as a JSON string, quotes included.
function jstr(s,    out, i, len, ch, c) {
	s = utf8(s)
	if (s ~ /[\\"\001-\037\177]/) {
		out = ""
		len = length(s)
		for (i = 1; i <= len; i++) {
			ch = substr(s, i, 1)
			c = ord[ch]
			if (ch == "\\") out = out "\\\\"
			else if (ch == "\"") out = out "\\\""
			else if (ch == "\n") out = out "\\n"
			else if (ch == "\t") out = out "\\t"
			else if (ch == "\r") out = out "\\r"
			else if (c < 32 || c == 127) out = out sprintf("\\u%04x", c)
			else out = out ch
		}
		s = out
	}
	return "\"" s "\""
}

# xml S [ATTR]: S as XML character data (ATTR: as an attribute's value, where
# tab and newline are written as references so that they survive).
function xml(s, attr) {
	s = controls(utf8(s, 1), REPLACEMENT)
	gsub(/&/, "\\&amp;", s)
	gsub(/</, "\\&lt;", s)
	gsub(/>/, "\\&gt;", s)
	gsub(/"/, "\\&quot;", s)
	gsub(/'/, "\\&apos;", s)
	if (attr) {
		gsub(/\t/, "\\&#9;", s)
		gsub(/\n/, "\\&#10;", s)
	}
	return s
}

# --- the formats

# json: cowlab's own record of a grading, every field of the model.
function json(    n, sep) {
	printf "{\n  \"format\": \"cowlab-grade\",\n  \"student\": %s,\n", jstr(student)
	printf "  \"score\": %d,\n  \"max_score\": %d,\n  \"execution_time\": %d,\n", score, max_score, seconds
	printf "  \"passed\": %d,\n  \"failed\": %d,\n  \"skipped\": %d,\n", passed, failures, skipped
	printf "  \"output\": %s,\n  \"tests\": [", jstr(general)
	sep = "\n"
	for (n = 1; n <= checks; n++) {
		printf "%s    {\"id\": %s, \"row\": %s, \"lab\": %s, \"name\": %s, \"what\": %s,", sep,
			jstr(id[n]), jstr(row[n]), jstr(lab[n]), jstr(name[n]), jstr(what[n])
		printf " \"points\": %d, \"max_points\": %d, \"status\": %s, \"reason\": %s,",
			result[n] == "pass" ? points[n] : 0, points[n],
			jstr(result[n] == "pass" ? "passed" : result[n] == "skip" ? "skipped" : result[n] == "none" ? "not_run" : "failed"),
			jstr(result[n] == "skip" || result[n] == "none" ? reason[n] : "")
		printf " \"feedback\": %s, \"visibility\": %s}", jstr(feedback[n]), jstr(visibility[n])
		sep = ",\n"
	}
	printf "\n  ]\n}\n"
}

# gradescope: results.json as Gradescope's autograder reads it.
function gradescope(    n, sep, out) {
	printf "{\n  \"score\": %d,\n  \"execution_time\": %d,\n", score, seconds
	out = general (general == "" ? "" : "\n") "cowlab-grade: " score "/" max_score " points"
	if (skipped)
		out = out "\n" skipped " of the checks could not be run here (see each one's reason)"
	printf "  \"output\": %s,\n  \"visibility\": \"visible\",\n  \"stdout_visibility\": \"hidden\",\n", jstr(out)
	printf "  \"tests\": ["
	sep = "\n"
	for (n = 1; n <= checks; n++) {
		printf "%s    {\"score\": %d, \"max_score\": %d, \"status\": %s, \"name\": %s, \"number\": %s,", sep,
			result[n] == "pass" ? points[n] : 0, points[n], jstr(result[n] == "pass" ? "passed" : "failed"),
			jstr(row[n] ": " what[n]), jstr(n "")
		printf " \"output\": %s, \"tags\": [%s], \"visibility\": %s}",
			jstr(detail(n)), jstr(lab[n]), jstr(visibility[n])
		sep = ",\n"
	}
	printf "\n  ]\n}\n"
}

# junit: one test suite per student, one test case per check (for GitLab's
# and Jenkins' test reports). It carries every check, hidden ones too: it
# is for pipelines of the course, where the kit is not secret.
function junit(    n, d, first) {
	printf "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	printf "<testsuites name=\"cowlab-grade\" tests=\"%d\" failures=\"%d\" errors=\"0\" skipped=\"%d\" time=\"%d\">\n",
		checks, failures, skipped, seconds
	printf "  <testsuite name=\"%s\" tests=\"%d\" failures=\"%d\" errors=\"0\" skipped=\"%d\" time=\"%d\">\n",
		xml(student, 1), checks, failures, skipped, seconds
	printf "    <properties>\n"
	printf "      <property name=\"score\" value=\"%d\"/>\n      <property name=\"max_score\" value=\"%d\"/>\n",
		score, max_score
	printf "    </properties>\n"
	for (n = 1; n <= checks; n++) {
		printf "    <testcase classname=\"cowlab.%s\" name=\"%s\" time=\"0\">", xml(lab[n], 1), xml(name[n], 1)
		if (result[n] == "skip") {
			printf "\n      <skipped message=\"%s\"/>\n    ", xml(reason[n], 1)
		} else if (result[n] != "pass") {
			d = detail(n)
			first = d
			sub(/\n.*/, "", first)
			printf "\n      <failure type=\"%s\" message=\"%s\">%s</failure>\n    ",
				result[n] == "none" ? "not-run" : "check-failed", xml(first, 1), xml(d)
		}
		printf "</testcase>\n"
	}
	printf "    <system-out>%s</system-out>\n", xml(general)
	printf "  </testsuite>\n</testsuites>\n"
}

# vpl_block S: S as the lines of a VPL preformatted block: each line starts
# with '>' (so none can be a 'Grade :=>>' line) and VPL's block markers in
# it are broken up.
function vpl_block(s,    n, i, parts) {
	s = controls(utf8(s), "?")
	gsub(/\t/, " ", s)
	gsub(/<\|--/, "< |--", s)
	gsub(/--\|>/, "--| >", s)
	gsub(/:=>>/, ":= >>", s)
	n = split(s, parts, "\n")
	print "<|--"
	for (i = 1; i <= n; i++)
		print ">" parts[i]
	print "--|>"
}

# vtext S: S for one line of VPL's output: text(S), VPL's markers broken up.
function vtext(s) {
	s = text(s)
	gsub(/<\|--/, "< |--", s)
	gsub(/--\|>/, "--| >", s)
	gsub(/:=>>/, ":= >>", s)
	return s
}

# vpl: Moodle VPL's evaluation output. Checks not visible are summed, not
# shown; the grade, the last line, is the points earned (set the activity's
# maximum grade to the total).
function vpl(    n) {
	print "Comment :=>>cowlab-grade: " vtext(student) ": " score "/" max_score " points"
	if (general != "")
		vpl_block(general)
	for (n = 1; n <= checks; n++) {
		if (visibility[n] != "visible")
			continue
		print "Comment :=>>-" vtext(row[n] ": " what[n]) ": " vtext(outcome(n)) " (" \
			(result[n] == "pass" ? points[n] : 0) "/" points[n] ")"
		if (feedback[n] != "" && result[n] != "pass")
			vpl_block(feedback[n])
	}
	if (hidden_checks)
		print "Comment :=>>" hidden_checks " more checks (" hidden_points " points) are shown after the due date"
	print "Grade :=>> " score
}

# autolab: feedback lines, then the last line, {"scores": {LAB: points}},
# one key per graded lab (name the assessment's problems after the labs).
function autolab(    n, sep, l, seen, order, labs) {
	print "cowlab-grade: " text(student) ": " score "/" max_score " points"
	labs = 0
	for (n = 1; n <= checks; n++) {
		if (!(lab[n] in seen)) {
			seen[lab[n]] = 0
			order[++labs] = lab[n]
		}
		if (result[n] == "pass")
			seen[lab[n]] += points[n]
		if (visibility[n] != "visible")
			continue
		print (result[n] == "pass" ? "PASS " : result[n] == "fail" ? "FAIL " : "SKIP ") \
			text(row[n] ": " what[n]) " (" (result[n] == "pass" ? points[n] : 0) "/" points[n] ")" \
			(result[n] == "skip" || result[n] == "none" ? ": " text(outcome(n)) : "")
		if (feedback[n] != "" && result[n] != "pass")
			print_indented(feedback[n])
	}
	if (hidden_checks)
		print hidden_checks " more checks (" hidden_points " points) are shown after the due date"
	printf "{\"scores\": {"
	sep = ""
	for (l = 1; l <= labs; l++) {
		printf "%s%s: %d", sep, jstr(order[l]), seen[order[l]]
		sep = ", "
	}
	printf "}}\n"
}

# print_indented S: S's lines, each indented (none can be the last line).
function print_indented(s,    n, i, parts) {
	s = controls(utf8(s), "?")
	n = split(s, parts, "\n")
	for (i = 1; i <= n; i++)
		print "    " parts[i]
}
