# tools/lab-data.awk - the checker of tools/lab-data (see there for the
# markers). Reads one lab text; prints it (rewritten with -v update=1) on
# stdout and one line per problem on stderr. Exit: 0 all tied to data, 1
# problems found, 2 a marker names a file that cannot be read.
# Values from the texts and the data files are only compared and copied:
# none is ever run or evaluated.

function problem(msg) {
	printf "%s:%d: %s\n", textname, NR, msg > "/dev/stderr"
	bad = 1
}

# Load FILE's rows into ROW[i, key] (nrows of them); cached by name.
function load(file,    path, line, n, i, k, w, hdr, nh, tag, rest, nw, words, eq, got) {
	if (file == loaded)
		return nrows >= 0
	loaded = file
	nrows = 0
	split("", ROW)
	split("", FLINE)
	nflines = 0
	if (file ~ /(^|\/)\.\.(\/|$)/ || file ~ /^\//) {
		problem("data file " file ": must be a path under media/")
		nrows = -1
		return 0
	}
	path = media "/" file
	nh = 0
	got = 0
	while ((getline line < path) > 0) {
		got = 1
		FLINE[++nflines] = line
		if (file ~ /\.tsv$/) {
			if (line ~ /^#/)
				continue
			if (nh == 0) {
				nh = split(line, hdr, "\t")
				continue
			}
			n = split(line, w, "\t")
			nrows++
			for (i = 1; i <= nh && i <= n; i++)
				ROW[nrows, hdr[i]] = w[i]
		} else if (match(line, /^[A-Za-z][A-Za-z0-9 _-]*: /)) {
			tag = substr(line, 1, RLENGTH - 2)
			rest = substr(line, RLENGTH + 1)
			nw = split(rest, words, " ")
			k = 0
			for (i = 1; i <= nw; i++)
				if (index(words[i], "=") > 1)
					k++
			if (k == 0)
				continue
			nrows++
			ROW[nrows, "line"] = tag
			for (i = 1; i <= nw; i++) {
				eq = index(words[i], "=")
				if (eq > 1)
					ROW[nrows, substr(words[i], 1, eq - 1)] = substr(words[i], eq + 1)
			}
		}
	}
	close(path)
	if (!got) {
		problem("data file " path ": missing or empty")
		nrows = -1
		missing = 1
		return 0
	}
	return 1
}

# The number of decimals written in the number text T.
function decimals(t,    d) {
	d = index(t, ".")
	return d ? length(t) - d : 0
}

# Resolve a number marker's words (ARGW[2..nargs]) against the loaded rows:
# sets VALUE and returns 1, or reports and returns 0.
function resolve(nargs,    i, w, eq, nsel, selk, selv, field, agg, scale, op, r, ok, j, v, hits, istsv, nf, fw, n, lw) {
	nsel = 0; field = ""; agg = ""; op = ""; scale = 1
	istsv = ARGW[1] ~ /\.tsv$/
	for (i = 2; i <= nargs; i++) {
		w = ARGW[i]
		eq = index(w, "=")
		if (eq > 1) {
			nsel++
			selk[nsel] = substr(w, 1, eq - 1)
			selv[nsel] = substr(w, eq + 1)
		} else if (w == "min" || w == "max")
			agg = w
		else if (w ~ /^[\/*][0-9]+(\.[0-9]+)?$/) {
			op = substr(w, 1, 1)
			scale = substr(w, 2) + 0
		} else if (field == "")
			field = w
		else {
			problem("marker: unexpected word '" w "'")
			return 0
		}
	}
	if (field == "") {
		problem("marker names no field of " ARGW[1])
		return 0
	}
	# find=W1+W2+... N: in a plain table, the line whose first words are
	# W1 W2 ..., its N-th word
	if (nsel == 1 && selk[1] == "find") {
		if (field !~ /^[0-9]+$/) {
			problem("find= needs a word number, not '" field "'")
			return 0
		}
		nf = split(selv[1], fw, "+")
		hits = 0
		for (r = 1; r <= nflines; r++) {
			n = split(FLINE[r], lw, " ")
			ok = n >= field + 0 && n >= nf
			for (j = 1; j <= nf && ok; j++)
				if (lw[j] != fw[j])
					ok = 0
			if (ok) {
				hits++
				VALUE = lw[field + 0] + 0
			}
		}
		if (hits != 1) {
			problem(hits " lines of " ARGW[1] " start with " selv[1] " (" MARKER ")")
			return 0
		}
		if (op == "/") VALUE = VALUE / scale
		else if (op == "*") VALUE = VALUE * scale
		return 1
	}
	if (!istsv) {		# result: lines unless the marker says which
		for (j = 1; j <= nsel; j++)
			if (selk[j] == "line")
				break
		if (j > nsel) {
			nsel++
			selk[nsel] = "line"
			selv[nsel] = "result"
		}
	}
	hits = 0
	for (r = 1; r <= nrows; r++) {
		ok = 1
		for (j = 1; j <= nsel && ok; j++)
			if (!((r, selk[j]) in ROW) || ROW[r, selk[j]] != selv[j])
				ok = 0
		if (!ok || !((r, field) in ROW))
			continue
		v = ROW[r, field] + 0
		hits++
		if (hits == 1 || (agg == "min" && v < VALUE) || (agg == "max" && v > VALUE))
			VALUE = v
	}
	if (hits == 0) {
		problem("no row of " ARGW[1] " matches the marker (" MARKER ")")
		return 0
	}
	if (hits > 1 && agg == "") {
		problem(hits " rows of " ARGW[1] " match the marker (" MARKER "): add a KEY=VALUE, or min/max")
		return 0
	}
	if (op == "/")
		VALUE = VALUE / scale
	else if (op == "*")
		VALUE = VALUE * scale
	return 1
}

# Report what looks measured in prose that no marker covers.
function scan(s,    t) {
	t = s
	while (match(t, /(minor|major)=[0-9]+/)) {
		problem("fault count '" substr(t, RSTART, RLENGTH) "' has no data marker")
		t = substr(t, RSTART + RLENGTH)
	}
	t = s
	while (match(t, /[0-9]+(\.[0-9]+)?( |-)?(µs|us|ms|ns|s)([^A-Za-z0-9]|$)/)) {
		problem("time '" substr(t, RSTART, RLENGTH) "' has no data marker")
		t = substr(t, RSTART + RLENGTH)
	}
	t = s
	while (match(t, /PFNs? [0-9a-f]*[0-9][0-9a-f][0-9a-f]+/)) {
		problem("frame number '" substr(t, RSTART, RLENGTH) "' has no data marker")
		t = substr(t, RSTART + RLENGTH)
	}
}

# The fenced block that starts at this line: read it (and its closing
# fence) with getline, check or replace it.
function block(fence, file, nargs,    lines, n, line, i, j, want, nwant, pats, np, p, tag, conds, nc, c, ok, closed) {
	n = 0
	closed = 0
	while ((getline line) > 0) {
		if (line ~ /^```/) { closed = 1; break }
		lines[++n] = line
	}
	if (file == "") {		# no marker: a command, or an error
		if (fence !~ /^```(sh|console|c|make|python)$/ && !nodata)
			problem("example output (" fence " block) has no data marker: keep the real output under media/ and name it")
		print fence
		for (i = 1; i <= n; i++)
			print lines[i]
		if (closed) print line
		return
	}
	nwant = 0
	np = 0
	for (i = 2; i <= nargs; i++)
		if (ARGW[i] ~ /^lines=/)
			pats[++np] = substr(ARGW[i], 7)
		else
			problem("block marker: unexpected word '" ARGW[i] "'")
	if (load(file)) {
		for (i = 1; i <= nflines; i++) {
			ok = np == 0
			for (p = 1; p <= np && !ok; p++) {
				c = index(pats[p], ":")
				tag = c ? substr(pats[p], 1, c) : pats[p]
				if (substr(FLINE[i], 1, length(tag)) != tag)
					continue
				nc = c ? split(substr(pats[p], c + 1), conds, ",") : 0
				ok = 1
				for (j = 1; j <= nc; j++)
					if (conds[j] != "" && index(" " FLINE[i] " ", " " conds[j] " ") == 0)
						ok = 0
			}
			if (ok)
				want[++nwant] = FLINE[i]
		}
		if (nwant == 0)
			problem("block: no line of " file " is selected")
		else if (!update) {
			ok = nwant == n
			for (i = 1; i <= n && ok; i++)
				if (lines[i] != want[i])
					ok = 0
			if (!ok)
				problem("block differs from " file (np ? " (its selected lines)" : "") \
					(n != nwant ? ": " n " lines, the data has " nwant : ": first at line " NR - n + i - 2))
		}
	}
	print fence
	if (update && nwant > 0)
		for (i = 1; i <= nwant; i++)
			print want[i]
	else
		for (i = 1; i <= n; i++)
			print lines[i]
	if (closed) print line
}

BEGIN {
	loaded = ""
	nrows = -1
	bad = 0
	missing = 0
	blockfile = ""
}

# A marker alone on its line: the block after it is data (or needs none).
/^<!-- (data|no data):.*-->[ \t]*$/ {
	print
	if ($0 ~ /^<!-- no data:/) {
		nodata = 1
		next
	}
	m = $0
	sub(/^<!-- data:[ \t]*/, "", m)
	sub(/[ \t]*-->[ \t]*$/, "", m)
	blockargs = split(m, BLOCKW, /[ \t]+/)
	blockfile = BLOCKW[1]
	next
}

/^```/ {
	if (blockfile != "") {
		for (i = 1; i <= blockargs; i++)
			ARGW[i] = BLOCKW[i]
		block($0, blockfile, blockargs)
	} else
		block($0, "", 0)
	blockfile = ""
	nodata = 0
	next
}

{
	if (blockfile != "" && $0 !~ /^[ \t]*$/) {
		problem("a block marker must be followed by a fenced block")
		blockfile = ""
	}
	nodata = 0
	rest = $0
	out = ""
	prose = ""
	while (match(rest, /<!-- (data|no data):[^>]*-->/)) {
		seg = substr(rest, 1, RSTART - 1)
		MARKER = substr(rest, RSTART, RLENGTH)
		rest = substr(rest, RSTART + RLENGTH)
		m = MARKER
		if (m ~ /^<!-- no data:/) {
			# the number (and unit) just before it needs no data
			if (match(seg, /[0-9]+(\.[0-9]+)?( |-)?(µs|us|ms|ns|s|MiB|KiB|GiB|kB)?`?$/))
				prose = prose substr(seg, 1, RSTART - 1)
			else
				problem("'no data' marker after no number")
			out = out seg MARKER
			continue
		}
		sub(/^<!-- data:[ \t]*/, "", m)
		sub(/[ \t]*-->$/, "", m)
		nargs = split(m, ARGW, /[ \t]+/)
		if (nargs >= 2 && (ARGW[2] == "contains" || ARGW[2] == "line")) {
			if (!match(seg, /`[^`]+`$/)) {
				problem("'" ARGW[2] "' marker after no code span")
				out = out seg MARKER
				continue
			}
			span = substr(seg, RSTART + 1, RLENGTH - 2)
			head = substr(seg, 1, RSTART - 1)
			prose = prose head
			if (ARGW[2] == "contains") {
				if (load(ARGW[1])) {
					for (i = 1; i <= nflines; i++)
						if (index(FLINE[i], span))
							break
					if (i > nflines)
						problem("'" span "' is not in " ARGW[1])
				}
				out = out seg MARKER
				continue
			}
			# line: a TAG: k=v ... span, checked field by field against
			# the row of the same TAG, phase and role
			newspan = span
			spantag = ""
			if (match(span, /^[A-Za-z][A-Za-z0-9 _-]*: /)) {
				spantag = substr(span, 1, RLENGTH - 2)
				nw = split(substr(span, RLENGTH + 1), words, " ")
			}
			if (spantag == "")
				problem("'line' marker after a span that is not a 'TAG: key=value' line")
			else if (load(ARGW[1])) {
				tag = spantag
				hits = 0
				for (r = 1; r <= nrows; r++) {
					if (ROW[r, "line"] != tag)
						continue
					ok = 1
					for (i = 1; i <= nw; i++) {
						eq = index(words[i], "=")
						k = substr(words[i], 1, eq - 1)
						if (eq > 1 && (k == "phase" || k == "role" || k == "mode" || k == "event" || k == "kind") && ROW[r, k] != substr(words[i], eq + 1))
							ok = 0
					}
					if (ok) { hits++; hr = r }
				}
				if (hits != 1)
					problem("'" span "': " hits " lines of " ARGW[1] " have its tag, phase and role")
				else {
					newspan = tag ":"
					for (i = 1; i <= nw; i++) {
						eq = index(words[i], "=")
						k = substr(words[i], 1, eq - 1)
						if (eq > 1 && ((hr, k) in ROW)) {
							if (!update && ROW[hr, k] != substr(words[i], eq + 1))
								problem("'" words[i] "' in '" span "': " ARGW[1] " says " k "=" ROW[hr, k])
							words[i] = k "=" ROW[hr, k]
						} else if (eq > 1)
							problem("'" words[i] "': no such field in the line of " ARGW[1])
						newspan = newspan " " words[i]
					}
				}
			}
			out = out head "`" (update ? newspan : span) "`" MARKER
			continue
		}
		# a number marker
		if (!match(seg, /[0-9]+(\.[0-9]+)?( |-)?(µs|us|ms|ns|s|MiB|KiB|GiB|kB|%)?`?$/)) {
			problem("data marker after no number (" MARKER ")")
			out = out seg MARKER
			continue
		}
		tail = substr(seg, RSTART)
		head = substr(seg, 1, RSTART - 1)
		h2 = head
		sub(/(minor|major)=$/, "", h2)
		prose = prose h2
		match(tail, /^[0-9]+(\.[0-9]+)?/)
		num = substr(tail, 1, RLENGTH)
		after = substr(tail, RLENGTH + 1)
		if (load(ARGW[1]) && resolve(nargs)) {
			want = sprintf("%." decimals(num) "f", VALUE)
			if (want != num && !update)
				problem(num " does not match " ARGW[1] ": the data says " want " (" MARKER ")")
			if (update)
				num = want
		}
		out = out head num after MARKER
	}
	prose = prose rest
	scan(prose)
	print out rest
}

END {
	if (blockfile != "")
		problem("a block marker at the end of the text")
	exit missing ? 2 : bad
}
