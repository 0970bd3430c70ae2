# tools/expect.awk - the expectation tables (support/ID/expect.tsv) read and
# checked; tools/cowlab-expect is its only caller. Load it after expr.awk:
#   awk -f tools/expr.awk -f tools/expect.awk -v mode=MODE ... FILES
# Nothing a table or a program prints is ever run as code: bounds are
# parsed by expr_eval, arguments are words handed on one by one.
#
# mode=rows|scenarios|lint, FILES: labs/slack.tsv then one table, with
#   -v lab=ID          the lab (row ids become ID/ROW)
#   -v machine="PAGE_SIZE=4096 HUGE_PAGES=512 SANITIZED=0"
#   rows       one line per row, bounds evaluated:
#              ID/ROW SCENARIO PHASE ROLE COUNTER LOW HIGH REQUIRES POINTS WHAT
#              (REQUIRES: the row's and its scenario's, or -)
#   scenarios  one line per scenario: NAME REQUIRES PARAMS ARG... (each
#              argument its own field, $NAME words replaced by the value)
#   params     one line per scenario: NAME PARAMS VARIED (PARAMS as drawn,
#              NAME=VALUE words or -; VARIED the names its 'vary' lines
#              draw, or -)
#   lint       nothing when the table is well-formed
#   -v seed=NUMBER     (optional) draw the parameters that 'vary' lines
#                      name from the seed (cowlab-expect --seed hashes the
#                      seed's text into this number); without it, every
#                      scenario keeps the values its PARAMS column gives
#   Errors: "FILE:LINE: what" on stderr, exit status 2.
#
# A 'vary' line gives a parameter of a scenario the range a seed draws it
# from: vary SCENARIO PARAM LOW HIGH STEP WHY, LOW, HIGH and STEP
# expressions of the slacks, the machine values and the scenario's other
# parameters (those of 'vary' lines above it as drawn); the value is
# LOW + STEP * i, i from the seed, at most HIGH. The PARAMS column's value
# must be one of them. Drawn in the table's order, so a range may depend on
# a parameter drawn above it (K below N).
#
# mode=check, FILES: the rows (as mode=rows printed them, one scenario's),
# then the program's output, with
#   -v status=N        the program's exit status
#   -v have="root thp zero-page ..."   what this machine has
#   Prints one line per row: ok|not ok|skip <TAB> ID/ROW <TAB> what was seen.
#   Counters, read from the output:
#     minor, major   the step's line "result: phase=P role=R pid=N minor=N major=N"
#                    (ROLE - : any role)
#     faults         minor + major of that line
#     finished       1 when the program exited 0 and printed the result line
#                    of every step its scenario's fault rows name, else 0
#     KIND.FIELD     FIELD of the first line "KIND: key=PHASE ... FIELD=V" (the
#                    line's first key=value names the step; role=R, when the
#                    line has one, must match ROLE); yes counts 1, no 0
#   Any other counter is measured by the grade harness only (tests/grade):
#   such a row is skipped here, saying so.

BEGIN {
	FS = "\t"
	split("root thp huge-zero-page zero-page no-zero-page", known, " ")
	for (i in known)
		known_req[known[i]] = 1
	n = split(machine, words, " ")
	for (i = 1; i <= n; i++)
		machine_names = machine_names " " substr(words[i], 1, index(words[i], "=") - 1)
	nerr = 0
	# printable ASCII, for the seed's hash of a parameter's name
	ASCII = " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~"
}

function err(msg) {
	printf "%s:%d: %s\n", FILENAME, FNR, msg > "/dev/stderr"
	nerr++
}

function valid_requires(text,    n, parts, i) {
	if (text == "-")
		return 1
	n = split(text, parts, ",")
	for (i = 1; i <= n; i++)
		if (!(parts[i] in known_req))
			return 0
	return 1
}

# The union of two REQUIRES lists (each - or a comma list).
function merge_requires(a, b) {
	if (a == "-") return b
	if (b == "-") return a
	return a "," b
}

function number_text(v) {
	return sprintf("%.15g", v)
}

# ------------------------------------------------------------ table modes
mode != "check" && FILENAME == ARGV[1] {
	if (/^#/ || /^[ \t]*$/)
		next
	if (NF < 3 || $1 !~ /^[A-Z][A-Z0-9_]*$/ || $2 !~ /^[0-9]+$/ || $3 == "") {
		err("a slack is NAME <TAB> VALUE <TAB> why")
		next
	}
	if ($1 in slack) err("slack " $1 " twice")
	slack[$1] = $2 + 0
	next
}

mode != "check" && (/^#/ || /^[ \t]*$/) { next }

mode != "check" && $1 == "scenario" {
	if (NF != 5) { err("a scenario line has 5 fields (scenario NAME PARAMS ARGS REQUIRES), not " NF); next }
	name = $2
	if (name !~ /^[a-z0-9]+(-[a-z0-9]+)*$/) { err("scenario name '" name "' is not lower-case words joined by -"); next }
	if (name in sc_line) { err("scenario " name " twice"); next }
	sc_line[name] = FNR
	sc_order[++nsc] = name
	sc_params[name] = $3
	sc_args[name] = $4
	sc_req[name] = $5
	if (!valid_requires($5)) err("scenario " name ": unknown requirement in '" $5 "' (root, thp, huge-zero-page, zero-page, no-zero-page, or -)")
	np = split($3 == "-" ? "" : $3, words, " ")
	for (i = 1; i <= np; i++) {
		if (words[i] !~ /^[A-Z][A-Z0-9_]*=[0-9]+$/) { err("scenario " name ": parameter '" words[i] "' is not NAME=NUMBER"); continue }
		pname = substr(words[i], 1, index(words[i], "=") - 1)
		if (pname in slack || index(" " machine_names " ", " " pname " ")) err("scenario " name ": parameter " pname " hides a slack or machine value")
		param[name, pname] = substr(words[i], index(words[i], "=") + 1) + 0
		has_param[name, pname] = 1
		sc_pnames[name] = sc_pnames[name] " " pname
	}
	na = split($4, words, " ")
	for (i = 1; i <= na; i++)
		if (words[i] ~ /^\$/ && !((name, substr(words[i], 2)) in has_param))
			err("scenario " name ": argument " words[i] " names no parameter")
	next
}

mode != "check" && $1 == "row" {
	if (NF != 11) { err("a row line has 11 fields, not " NF); next }
	id = $2
	if (id !~ /^[a-z0-9]+(-[a-z0-9]+)*$/) { err("row id '" id "' is not lower-case words joined by -"); next }
	if (id in row_line) { err("row " id " twice"); next }
	row_line[id] = FNR
	row_order[++nrow] = id
	for (i = 3; i <= 11; i++)
		row[id, i] = $i
	if ($4 == "" || $5 == "" || $6 !~ /^[a-z][a-z_-]*(\.[a-z_]+)?$/) err("row " id ": empty phase or role, or a counter that is not a name")
	if (!valid_requires($9)) err("row " id ": unknown requirement in '" $9 "'")
	if ($10 !~ /^[0-9]+$/) err("row " id ": points '" $10 "' is not a number")
	if ($11 == "") err("row " id ": no WHAT sentence")
	next
}

mode != "check" && $1 == "vary" {
	if (NF != 7) { err("a vary line has 7 fields (vary SCENARIO PARAM LOW HIGH STEP WHY), not " NF); next }
	if (!($2 in sc_line)) { err("vary: no scenario " $2 " above this line"); next }
	if (!(($2, $3) in has_param)) { err("vary: scenario " $2 " has no parameter " $3); next }
	if (($2, $3) in varied) { err("vary: " $2 " " $3 " twice"); next }
	if ($7 == "") err("vary " $2 " " $3 ": no WHY sentence")
	varied[$2, $3] = ++nvary
	vary_line[nvary] = FNR
	vary_sc[nvary] = $2; vary_param[nvary] = $3
	vary_low[nvary] = $4; vary_high[nvary] = $5; vary_step[nvary] = $6
	next
}

mode != "check" {
	err("a line is a comment, 'scenario', 'vary' or 'row', not '" $1 "'")
	next
}

# A vary line's expression: the scenario's parameters as they are when it
# is drawn, less those drawn below it (a range depends only on what is
# drawn before it).
function vary_eval(expr, i, which,    vars, k, parts, n, v) {
	for (k in slack)
		vars[k] = slack[k]
	n = split(machine, parts, " ")
	for (k = 1; k <= n; k++)
		vars[substr(parts[k], 1, index(parts[k], "=") - 1)] = substr(parts[k], index(parts[k], "=") + 1) + 0
	for (k in has_param) {
		split(k, parts, SUBSEP)
		if (parts[1] == vary_sc[i] && !(k in varied && varied[k] >= i))
			vars[parts[2]] = param[k]
	}
	v = expr_eval(expr, vars)
	if (expr_error == "" && v != int(v))
		expr_error = "not a whole number (" number_text(v) ")"
	if (expr_error != "") {
		FNR = vary_line[i]
		err("vary " vary_sc[i] " " vary_param[i] ": " which " '" expr "': " expr_error)
		return ""
	}
	return v
}

# The seed's draw for KEY (lab/scenario/param): a hash of KEY mixed into
# the seed, then Park and Miller's generator; exact integers in awk's
# doubles (below 2^53), so every awk on every machine draws the same.
function seed_draw(key,    h, i, c) {
	h = seed % 2147483646 + 1
	for (i = 1; i <= length(key); i++) {
		c = index(ASCII, substr(key, i, 1)) + 31
		h = (h * 31 + c) % 2147483647
	}
	for (i = 0; i < 3; i++)
		h = (h % 2147483646 + 1) * 48271 % 2147483647
	return h
}

# The 'vary' lines, in order: checked (the PARAMS value in its range), and
# with a seed, drawn.
function draw_params(    i, lo, hi, st, sc, p, d, count) {
	for (i = 1; i <= nvary; i++) {
		sc = vary_sc[i]; p = vary_param[i]
		lo = vary_eval(vary_low[i], i, "LOW")
		hi = vary_eval(vary_high[i], i, "HIGH")
		st = vary_eval(vary_step[i], i, "STEP")
		if (lo == "" || hi == "" || st == "")
			continue
		FNR = vary_line[i]
		if (st < 1) { err("vary " sc " " p ": STEP " st " is not 1 or more"); continue }
		if (lo > hi) { err("vary " sc " " p ": LOW " lo " is above HIGH " hi); continue }
		count = int((hi - lo) / st) + 1
		if (seed == "") {
			d = param[sc, p]
			if (d < lo || d > hi || (d - lo) % st != 0)
				err("vary " sc " " p ": the scenario's " p "=" d " is not one of " lo ".." hi " in steps of " st)
		} else {
			param[sc, p] = lo + st * (seed_draw(lab "/" sc "/" p) % count)
		}
	}
}

# A scenario's parameters, NAME=VALUE words (as drawn), or -.
function params_text(sc,    n, names, i, out) {
	n = split(sc_pnames[sc], names, " ")
	out = ""
	for (i = 1; i <= n; i++)
		out = out (i > 1 ? " " : "") names[i] "=" number_text(param[sc, names[i]])
	return n ? out : "-"
}

# Evaluate EXPR for scenario SC; "" and an error on failure.
function bound(expr, sc, id, which,    vars, k, parts, v, i, n) {
	for (k in slack)
		vars[k] = slack[k]
	n = split(machine, parts, " ")
	for (i = 1; i <= n; i++)
		vars[substr(parts[i], 1, index(parts[i], "=") - 1)] = substr(parts[i], index(parts[i], "=") + 1) + 0
	for (k in has_param) {
		split(k, parts, SUBSEP)
		if (parts[1] == sc)
			vars[parts[2]] = param[k]
	}
	v = expr_eval(expr, vars)
	if (expr_error != "") {
		FNR = row_line[id]
		err("row " id ": " which " '" expr "': " expr_error)
		return ""
	}
	return number_text(v)
}

END {
	if (mode == "check") {
		check_end()
		exit
	}
	if (seed != "" && seed !~ /^[0-9]+$/)
		err("seed '" seed "' is not a number")
	draw_params()
	if (nerr > 0)
		exit 2
	n = split(machine, words, " ")
	for (i = 1; i <= nrow; i++) {
		id = row_order[i]
		sc = row[id, 3]
		if (!(sc in sc_line)) {
			FNR = row_line[id]
			err("row " id ": no scenario " sc)
			continue
		}
		low[id] = bound(row[id, 7], sc, id, "LOW")
		high[id] = bound(row[id, 8], sc, id, "HIGH")
		if (low[id] != "" && high[id] != "" && low[id] + 0 > high[id] + 0) {
			FNR = row_line[id]
			err("row " id ": LOW " low[id] " is above HIGH " high[id])
		}
	}
	if (nerr > 0)
		exit 2
	if (mode == "rows") {
		for (i = 1; i <= nrow; i++) {
			id = row_order[i]
			sc = row[id, 3]
			printf "%s/%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", lab, id, sc, row[id, 4], row[id, 5],
				row[id, 6], low[id], high[id], merge_requires(sc_req[sc], row[id, 9]), row[id, 10], row[id, 11]
		}
	} else if (mode == "params") {
		for (i = 1; i <= nsc; i++) {
			sc = sc_order[i]
			line = ""
			for (j = 1; j <= nvary; j++)
				if (vary_sc[j] == sc)
					line = line (line == "" ? "" : " ") vary_param[j]
			print sc "\t" params_text(sc) "\t" (line == "" ? "-" : line)
		}
	} else if (mode == "scenarios") {
		for (i = 1; i <= nsc; i++) {
			sc = sc_order[i]
			line = sc "\t" sc_req[sc] "\t" params_text(sc)
			na = split(sc_args[sc], words, " ")
			for (j = 1; j <= na; j++) {
				w = words[j]
				if (w ~ /^\$/)
					w = param[sc, substr(w, 2)]
				line = line "\t" w
			}
			print line
		}
	}
}

# ------------------------------------------------------------- check mode
mode == "check" && FILENAME == ARGV[1] {
	nrows++
	rid[nrows] = $1; rphase[nrows] = $3; rrole[nrows] = $4; rcounter[nrows] = $5
	rlow[nrows] = $6; rhigh[nrows] = $7; rreq[nrows] = $8
	if ($5 == "minor" || $5 == "major" || $5 == "faults")
		needed_step[$3, $4] = 1
	next
}

# The program's output: remember the first line of each kind and step.
mode == "check" {
	line = $0
	if (line !~ /^[a-z_-]+: [a-z_]+=/)
		next
	kind = substr(line, 1, index(line, ":") - 1)
	nw = split(substr(line, length(kind) + 3), words, " ")
	step = substr(words[1], index(words[1], "=") + 1)
	lrole = "-"
	for (i = 2; i <= nw; i++)
		if (words[i] ~ /^role=/)
			lrole = substr(words[i], 6)
	for (i = 2; i <= nw; i++) {
		if ((eq = index(words[i], "=")) == 0)
			continue
		key = kind SUBSEP step SUBSEP lrole SUBSEP substr(words[i], 1, eq - 1)
		if (!(key in seen))
			seen[key] = substr(words[i], eq + 1)
		key = kind SUBSEP step SUBSEP "-" SUBSEP substr(words[i], 1, eq - 1)
		if (!(key in seen))
			seen[key] = substr(words[i], eq + 1)
	}
}

# The value of FIELD on the first line KIND of STEP (and ROLE); "" if none.
function value_of(kind, step, role, field,    v) {
	if (!((kind SUBSEP step SUBSEP role SUBSEP field) in seen))
		return ""
	v = seen[kind, step, role, field]
	if (v == "yes") return 1
	if (v == "no") return 0
	return v ~ /^-?[0-9]+$/ ? v + 0 : ""
}

function has_all(requires,    n, parts, i) {
	if (requires == "-")
		return ""
	n = split(requires, parts, ",")
	for (i = 1; i <= n; i++)
		if (index(" " have " ", " " parts[i] " ") == 0)
			return parts[i]
	return ""
}

function check_end(    i, missing, c, v, m, k, parts, dot) {
	for (i = 1; i <= nrows; i++) {
		missing = has_all(rreq[i])
		if (missing != "") {
			printf "skip\t%s\tthis machine lacks %s\n", rid[i], missing
			continue
		}
		c = rcounter[i]
		v = ""
		if (c == "minor" || c == "major") {
			v = value_of("result", rphase[i], rrole[i], c)
		} else if (c == "faults") {
			v = value_of("result", rphase[i], rrole[i], "minor")
			m = value_of("result", rphase[i], rrole[i], "major")
			v = (v == "" || m == "") ? "" : v + m
		} else if (c == "finished") {
			v = status == 0 ? 1 : 0
			for (k in needed_step) {
				split(k, parts, SUBSEP)
				if (value_of("result", parts[1], parts[2], "minor") == "")
					v = 0
			}
		} else if ((dot = index(c, ".")) > 0) {
			v = value_of(substr(c, 1, dot - 1), rphase[i], rrole[i], substr(c, dot + 1))
		} else {
			printf "skip\t%s\t%s is measured by the grade harness only (tests/grade)\n", rid[i], c
			continue
		}
		if (v == "") {
			printf "not ok\t%s\tno %s for %s/%s in the output (exit status %d)\n", rid[i], c, rphase[i], rrole[i], status
		} else if (v + 0 < rlow[i] + 0 || v + 0 > rhigh[i] + 0) {
			printf "not ok\t%s\t%s %s/%s: %s, expected %s..%s\n", rid[i], c, rphase[i], rrole[i], v, rlow[i], rhigh[i]
		} else {
			printf "ok\t%s\t%s %s/%s: %s in %s..%s\n", rid[i], c, rphase[i], rrole[i], v, rlow[i], rhigh[i]
		}
	}
}
