# tools/plot/prepare.awk - check one of cowlab's TSV files and reduce it to
# the small data files that the gnuplot scripts beside it draw.
#
# Called by cowplot as: LC_ALL=C awk -v charfrac=F -f prepare.awk < INPUT
# with the strings in the environment, where awk does not interpret them
# (-v would expand backslashes): COWPLOT_KIND, COWPLOT_SRC (the input's name
# for messages), COWPLOT_DIR (where to write), COWPLOT_TITLE, COWPLOT_NOTE,
# COWPLOT_MACHINE.
# The header is the first line that is neither blank nor a '#' comment (a
# UTF-8 byte order mark before it is dropped); it has tabs (TSV) or, without
# any tab, commas (CSV). Columns are found by header name, never by position.
# Any problem prints ONE line "cowplot: SRC: what" on stderr and exits 1. On
# success it writes, in dir, data files (*.dat) and meta.gp: gnuplot
# assignments of values derived from the data (labels, counts, ranges),
# loaded by the kind's script.
#
# The input is hostile (a lecturer plots files that students send): no byte
# of it may become gnuplot code. meta.gp holds only lines of the form
#   name = NUMBER | name[N] = NUMBER | name = 'STRING' | array name[N]
# (several joined by "; "): every string goes through gq(), every number
# through num(), which lets through only finite numbers that awk printed.
# tests/fuzz/plot-check-meta.awk checks this grammar on every fuzzed input.
# Portable awk (mawk is Debian's default): no gawk extensions.

BEGIN {
	kind = ENVIRON["COWPLOT_KIND"]
	src = clean_text(ENVIRON["COWPLOT_SRC"])
	dir = ENVIRON["COWPLOT_DIR"]
	# Byte values, for checking UTF-8 (the C locale makes one character
	# one byte).
	for (i = 1; i < 256; i++)
		ord[sprintf("%c", i)] = i
	FS = "\t"
	header = 0
}

function fail(msg) {
	if (!bad)
		printf "cowplot: %s: %s\n", src, clean_text(msg) > "/dev/stderr"
	bad = 1
	exit 1
}

# A message quotes data: control characters (a newline would make two lines,
# an escape sequence would reach the terminal) become '?'.
function clean_text(s) {
	gsub(/[\001-\037\177]/, "?", s)
	return s
}

# A string for the figure: valid UTF-8 without control characters (an SVG
# with them is not XML). Every byte that is not part of a valid UTF-8
# sequence, and every control character (C0, DEL, C1) or noncharacter
# U+FFFE/U+FFFF, becomes U+FFFD, the replacement character.
function utf8_clean(s,   out, i, n, c, b, need, lo, hi, j, ok, seq) {
	if (s ~ /^[ -~]*$/)
		return s
	out = ""
	n = length(s)
	for (i = 1; i <= n; i++) {
		c = substr(s, i, 1)
		b = (c in ord) ? ord[c] : 0
		if (b >= 32 && b < 127) {
			out = out c
			continue
		}
		# lead byte: how many continuation bytes, and the range of the
		# first one (no overlong forms, no surrogates, nothing past U+10FFFF)
		need = 0; lo = 128; hi = 191
		if (b >= 194 && b <= 223) need = 1
		else if (b == 224) { need = 2; lo = 160 }
		else if (b >= 225 && b <= 236 || b == 238 || b == 239) need = 2
		else if (b == 237) { need = 2; hi = 159 }
		else if (b == 240) { need = 3; lo = 144 }
		else if (b >= 241 && b <= 243) need = 3
		else if (b == 244) { need = 3; hi = 143 }
		ok = need > 0 && i + need <= n
		for (j = 1; ok && j <= need; j++) {
			c = substr(s, i + j, 1)
			b = (c in ord) ? ord[c] : 0
			if (b < (j == 1 ? lo : 128) || b > (j == 1 ? hi : 191))
				ok = 0
		}
		seq = substr(s, i, need + 1)
		# C1 controls (U+0080..U+009F) and U+FFFE, U+FFFF
		if (ok && (seq ~ /^\302[\200-\237]$/ || seq == "\357\277\276" || seq == "\357\277\277"))
			ok = 0
		if (ok) {
			out = out seq
			i += need
		} else
			out = out "\357\277\275"
	}
	return out
}

function isnum(s) {
	return s ~ /^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/
}

# A gnuplot string literal: single quotes, in which gnuplot expands
# nothing (no backslash escapes, no `command`, no @macro); a quote inside is
# written twice. The text is made valid UTF-8 without control characters
# first (so no line break either).
function gq(s) {
	s = utf8_clean(s)
	gsub(/'/, "''", s)
	return "'" s "'"
}

function need(name, what) {
	if (!(name in col))
		fail("no " name " column in the header (" what ")")
}

function field(name) {
	return $(col[name])
}

# The largest magnitude drawn: far above anything cowlab's tools write (a
# count of faults, a size in bytes), and far enough below the largest double
# that the scaling done here and in gnuplot stays finite.
function num(name,   v, x) {
	v = $(col[name])
	if (!isnum(v))
		fail("line " NR ": " name " is not a number: \"" v "\"")
	x = v + 0
	if (x != x || x - x != 0)
		fail("line " NR ": " name " is not a finite number: \"" v "\"")
	if (x > 1e18 || x < -1e18)
		fail("line " NR ": " name " is too large to draw (above 1e18): \"" v "\"")
	return x
}

# A number that cannot be negative (a time, a count, a size).
function nonneg(name,   v) {
	v = num(name)
	if (v < 0)
		fail("line " NR ": " name " is negative: " v)
	return v
}

function opt(name, dflt,   v) {
	if (!(name in col))
		return dflt
	v = $(col[name])
	return v == "" ? dflt : v
}

function meta(line) {
	print line > (dir "/meta.gp")
}

function out(file, line) {
	print line > (dir "/" file)
}

# Sort a[1..n] (numbers) in place: insertion sort, the inputs are small.
function sortnum(a, n,   i, j, v) {
	for (i = 2; i <= n; i++) {
		v = a[i]
		for (j = i - 1; j >= 1 && a[j] > v; j--)
			a[j + 1] = a[j]
		a[j + 1] = v
	}
}

# Median of the values stored as list[key, 1..count[key]].
function median(list, count, key,   n, i, v) {
	n = count[key]
	for (i = 1; i <= n; i++)
		v[i] = list[key, i]
	sortnum(v, n)
	if (n % 2)
		return v[(n + 1) / 2]
	return (v[n / 2] + v[n / 2 + 1]) / 2
}

function array_decl(name, n) {
	meta("array " name "[" (n > 0 ? n : 1) "]")
}

# A round tic step (1, 2 or 5 times a power of ten) giving about n tics
# up to max, so that a short panel does not get crowded. The power of ten
# comes from a logarithm, not from a loop (which would never end on inf);
# max is finite and at most 1e18 (num()); tiny values get step 1e-9.
function nice_step(max, n,   raw, p, m) {
	if (!(max > 1e-9))
		return max > 0 ? 1e-9 : 1
	raw = max / n
	p = exp(log(10) * int(log(raw) / log(10) + (raw < 1 ? -1 : 0)))
	# rounding of log(): bring p to the power of ten at or below raw
	if (p * 10 <= raw) p *= 10
	if (p > raw) p /= 10
	m = raw / p
	if (m <= 2) return 2 * p
	if (m <= 5) return 5 * p
	return 10 * p
}

# The top of a panel's y range: 15% above its largest value (1 when all
# values are 0, so that the panel still has a range).
function panel_top(max) {
	return max > 0 ? max * 1.15 : 1
}

function human_bytes(b) {
	if (b >= 1073741824 && b % 1073741824 == 0) return (b / 1073741824) " GiB"
	if (b >= 1048576 && b % 1048576 == 0) return (b / 1048576) " MiB"
	if (b >= 1024 && b % 1024 == 0) return (b / 1024) " KiB"
	if (b >= 1073741824) return sprintf("%.1f GiB", b / 1073741824)
	if (b >= 1048576) return sprintf("%.1f MiB", b / 1048576)
	if (b >= 1024) return sprintf("%.1f KiB", b / 1024)
	return b " bytes"
}

# ---- processes over time (timeline, memory) --------------------------------

function proc_setup() {
	need("time_s", "time in seconds: a cowsample TSV")
	need("pid", "process id: a cowsample TSV")
	need("event", "start|sample|fork|exec|exit|mark: a cowsample TSV")
	need("phase", "latest phase mark: a cowsample TSV")
}

# Reads the columns shared by timeline and memory; returns the process index.
function proc_row(   p, ev, role, t, i) {
	t = nonneg("time_s")
	p = field("pid")
	if (p !~ /^[0-9]+$/)
		fail("line " NR ": pid is not a process id: \"" p "\"")
	ev = field("event")
	if (ev !~ /^(start|sample|fork|exec|exit|mark)$/)
		fail("line " NR ": unknown event \"" ev "\" (start|sample|fork|exec|exit|mark)")
	if (!(p in pidx)) {
		pidx[p] = ++np
		ppid[np] = p
	}
	i = pidx[p]
	role = opt("role", "-")
	if (role != "-" && !(i in prole))
		prole[i] = role
	if (!(i in pcomm) && opt("comm", "-") != "-")
		pcomm[i] = opt("comm", "-")
	if (nrows == 0 || t < tmin) tmin = t
	if (nrows == 0 || t > tmax) tmax = t
	nrows++
	row_t = t
	row_ev = ev
	if (ev == "mark" && field("phase") != "-" && field("phase") != "") {
		nm++
		mark_t[nm] = t
		mark_s[nm] = field("phase")
		mark_role[nm] = role
	}
	return i
}

function proc_label(i) {
	if (i in prole)
		return prole[i] " (pid " ppid[i] ")"
	if (i in pcomm)
		return pcomm[i] " (pid " ppid[i] ")"
	return "pid " ppid[i]
}

# Time unit: milliseconds for short runs (a batch lab takes well under a
# second), seconds otherwise.
function time_unit() {
	if (tmax <= 2) {
		tscale = 1000
		meta("tscale = 1000; tunit = 'ms'")
	} else {
		tscale = 1
		meta("tscale = 1; tunit = 's'")
	}
	xlo = tmin * tscale
	xhi = tmax * tscale
	if (xhi <= xlo)
		xhi = xlo + 1
	meta("xmin = " xlo "; xmax = " xhi)
}

# Phase marks become vertical lines with a label in a strip above the plot.
# Each label is a horizontal text that starts at its line (or ends at it near
# the right edge); labels that would overlap go to the next lane up. charfrac
# is the width of one character as a fraction of the plot's width.
# Is the interval lo..hi free in lane j of the label strip?
function lane_free(j, lo, hi,   m) {
	for (m = 1; m <= lane_n[j]; m++)
		if (lo < lane_hi[j, m] && hi > lane_lo[j, m])
			return 0
	return 1
}

function place_marks(   i, j, k, n, order, x, w, lo, hi, lanes, seen, key, span, fit_l, fit_r) {
	span = xhi - xlo
	n = 0
	for (i = 1; i <= nm; i++)
		order[++n] = i
	# order marks by time (stable)
	for (i = 2; i <= n; i++) {
		k = order[i]
		for (j = i - 1; j >= 1 && mark_t[order[j]] > mark_t[k]; j--)
			order[j + 1] = order[j]
		order[j + 1] = k
	}
	lanes = 0
	placed = 0
	for (i = 1; i <= n; i++) {
		k = order[i]
		x = mark_t[k] * tscale
		# The same phase announced twice at (almost) the same time: one label.
		key = mark_s[k]
		if ((key in seen) && x - seen[key] < 2 * charfrac * span)
			continue
		seen[key] = x
		# A label starts at its line (left-aligned) or ends at it (right-
		# aligned), whichever fits in a lower lane; left first.
		w = (length(mark_s[k]) + 1.5) * charfrac * span
		fit_l = x + w <= xhi
		fit_r = x - w >= xlo
		if (!fit_l && !fit_r)
			fit_l = 1	# wider than the graph: start at the line anyway
		for (j = 1; ; j++) {
			if (fit_l && lane_free(j, x, x + w)) {
				lo = x; hi = x + w; align = "left"
				break
			}
			if (fit_r && lane_free(j, x - w, x)) {
				lo = x - w; hi = x; align = "right"
				break
			}
		}
		lane_n[j]++
		lane_lo[j, lane_n[j]] = lo
		lane_hi[j, lane_n[j]] = hi
		if (j > lanes)
			lanes = j
		placed++
		pm_x[placed] = x
		pm_s[placed] = mark_s[k]
		pm_lane[placed] = j
		pm_align[placed] = align
	}
	meta("nmarks = " placed "; nlanes = " lanes)
	array_decl("mark_x", placed)
	array_decl("mark_text", placed)
	array_decl("mark_lane", placed)
	array_decl("mark_align", placed)
	for (i = 1; i <= placed; i++) {
		meta("mark_x[" i "] = " pm_x[i] "; mark_text[" i "] = " gq(pm_s[i]) \
			"; mark_lane[" i "] = " pm_lane[i] "; mark_align[" i "] = " gq(pm_align[i]))
	}
}

function proc_meta(   i) {
	meta("nproc = " np)
	array_decl("plabel", np)
	for (i = 1; i <= np; i++)
		meta("plabel[" i "] = " gq(proc_label(i)))
	meta("progname = " gq(1 in pcomm ? pcomm[1] : "the program"))
}

# ---- timeline ---------------------------------------------------------------

function timeline_setup() {
	proc_setup()
	need("min_flt", "minor faults: a cowsample TSV")
	need("maj_flt", "major faults: a cowsample TSV")
}

function timeline_row(   i, mn, mj) {
	i = proc_row()
	mn = nonneg("min_flt")
	mj = nonneg("maj_flt")
	rows[i, ++cnt[i]] = row_t " " mn " " mj
	if (mj > 0)
		hasmaj[i] = 1
	if (row_ev == "fork" || row_ev == "exec" || row_ev == "exit") {
		nev[row_ev]++
		evrows[row_ev, nev[row_ev]] = row_t " " mn
	}
}

function timeline_finish(   i, j, n, e, ne, f) {
	time_unit()
	for (i = 1; i <= np; i++) {
		f = "proc_" i ".dat"
		for (j = 1; j <= cnt[i]; j++) {
			split(rows[i, j], v, " ")
			out(f, (v[1] * tscale) " " v[2] " " v[3])
		}
		close(dir "/" f)
	}
	proc_meta()
	n = 0
	for (i = 1; i <= np; i++)
		if (i in hasmaj)
			majlist[++n] = i
	meta("nmaj = " n)
	array_decl("majidx", n)
	# (an empty list still gets one valid entry: gnuplot evaluates the
	# options of an empty "for" once)
	if (n == 0)
		meta("majidx[1] = 1")
	for (i = 1; i <= n; i++)
		meta("majidx[" i "] = " majlist[i])
	ne = split("fork exec exit", evname, " ")
	for (e = 1; e <= ne; e++) {
		f = "ev_" evname[e] ".dat"
		for (j = 1; j <= nev[evname[e]]; j++) {
			split(evrows[evname[e], j], v, " ")
			out(f, (v[1] * tscale) " " v[2])
		}
		meta("n" evname[e] " = " (nev[evname[e]] + 0))
	}
	place_marks()
}

# ---- faultmap ---------------------------------------------------------------
# cowsample --faults rows: one point per fault, x its time, y its page index
# in one mapping (the lab's buffer: the anonymous mapping with the most
# pages that faulted, not the widest: the sanitizer's shadow is wider; a
# mapping is told apart from another of the same name by its start, the
# address less the offset in pages), one panel per process, colour by kind.
# Phase marks: the time of each step's last fault (the TSV has no mark rows).

function faultmap_setup(   i) {
	need("time_s", "time in seconds: a cowsample --faults TSV")
	need("pid", "process id: a cowsample --faults TSV")
	need("kind", "kind of fault: a cowsample --faults TSV")
	need("address", "faulting address: a cowsample --faults TSV")
	need("mapping", "the mapping's name: a cowsample --faults TSV")
	need("offset", "page index in the mapping: a cowsample --faults TSV")
	need("phase", "the step's phase: a cowsample --faults TSV")
	nfk = split("zero-fill zero-page cow-copy reuse file-minor file-major shared-write " \
		    "huge-zero-fill huge-cow-copy spurious major unknown", fkname, " ")
	for (i = 1; i <= nfk; i++)
		fkidx[fkname[i]] = i
	fm_page = ENVIRON["COWPLOT_PAGESIZE"] + 0
	if (fm_page <= 0)
		fm_page = 4096
}

# "0x7f..." as a number (user addresses stay below 2^53: exact), or -1.
function hexval(s,   i, v, n) {
	s = tolower(s)
	if (s !~ /^0x[0-9a-f]+$/ || length(s) > 18)
		return -1
	v = 0
	n = length(s)
	for (i = 3; i <= n; i++)
		v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
	return v
}

function faultmap_row(   p, i, t, k, a, off, m, ph, role, key, kid) {
	t = nonneg("time_s")
	p = field("pid")
	if (p !~ /^[0-9]+$/)
		fail("line " NR ": pid is not a process id: \"" p "\"")
	k = field("kind")
	if (!(k in fkidx))
		fail("line " NR ": unknown kind \"" k "\"")
	a = hexval(field("address"))
	if (a < 0)
		fail("line " NR ": address is not 0x and hexadecimal digits: \"" field("address") "\"")
	off = field("offset")
	m = field("mapping")
	ph = field("phase")
	role = opt("role", "-")
	if (!(p in pidx)) {
		pidx[p] = ++np
		ppid[np] = p
	}
	i = pidx[p]
	if (role != "-" && !(i in prole))
		prole[i] = role
	if (nrows == 0 || t < tmin) tmin = t
	if (nrows == 0 || t > tmax) tmax = t
	nrows++
	if (ph != "-" && ph != "" && ph != "exit" && ph != "running") {
		if (!((i, ph) in phend)) {
			nph[i]++
			phname[i, nph[i]] = ph
		}
		if (!((i, ph) in phend) || t > phend[i, ph])
			phend[i, ph] = t
	}
	if (off == "-")
		return
	if (off !~ /^[0-9]+$/ || length(off) > 15)
		fail("line " NR ": offset is not a page index: \"" off "\"")
	off += 0
	key = m SUBSEP sprintf("%.0f", a - off * fm_page)
	if (!(key in keyid)) {
		keyid[key] = ++nkeys
		kname[nkeys] = m
	}
	kid = keyid[key]
	krows[kid]++
	if (!((kid, off) in kseen)) {
		kseen[kid, off] = 1
		kpages[kid]++
	}
	if (!(kid in kext) || off + 1 > kext[kid])
		kext[kid] = off + 1
	fm[++nfm] = kid " " i " " fkidx[k] " " off " " t
}

function faultmap_finish(   best, j, i, v, f, npan, pan, panof, n, m, pk, kk, base, last, used) {
	if (nfm == 0)
		fail("no row names a mapping and a page index (offset is \"-\" everywhere)")
	best = 0
	for (j = 1; j <= nkeys; j++) {
		if (kname[j] != "[anon]")
			continue
		if (!best || kpages[j] > kpages[best] ||
		    (kpages[j] == kpages[best] && krows[j] > krows[best]))
			best = j
	}
	if (!best)
		for (j = 1; j <= nkeys; j++)
			if (!best || krows[j] > krows[best])
				best = j
	time_unit()
	npan = 0
	for (n = 1; n <= nfm; n++) {
		split(fm[n], v, " ")
		if (v[1] + 0 != best)
			continue
		i = v[2] + 0
		if (!(i in panof)) {
			panof[i] = ++npan
			pan[npan] = i
		}
		f = "fm_" panof[i] "_" v[3] ".dat"
		out(f, (v[5] * tscale) " " v[4])
		used[panof[i], v[3] + 0] = 1
	}
	meta("mapname = " gq(kname[best]) "; mappages = " kext[best] "; npan = " npan "; nfk = " nfk)
	array_decl("plabel", npan)
	array_decl("npk", npan)
	array_decl("pkind", npan * nfk)
	array_decl("klabel", nfk)
	for (kk = 1; kk <= nfk; kk++)
		meta("klabel[" kk "] = " gq(fkname[kk]))
	for (j = 1; j <= npan; j++) {
		meta("plabel[" j "] = " gq(proc_label(pan[j])))
		pk = 0
		base = (j - 1) * nfk
		for (kk = 1; kk <= nfk; kk++)
			if ((j, kk) in used)
				meta("pkind[" (base + (++pk)) "] = " kk)
		meta("npk[" j "] = " pk)
	}
	# The marks: each step's last fault, in the panel of its process. A
	# label (vertical: one line high across) too close to the one before
	# it is left out, its line stays.
	m = 0
	for (j = 1; j <= npan; j++) {
		last = ""
		for (n = 1; n <= nph[pan[j]]; n++) {
			m++
			mk_t[m] = phend[pan[j], phname[pan[j], n]] * tscale
			mk_s[m] = phname[pan[j], n]
			mk_p[m] = j
			if (last != "" && mk_t[m] - last < 1.6 * charfrac * (xhi - xlo))
				mk_s[m] = ""
			else
				last = mk_t[m]
		}
	}
	meta("nmk = " m)
	array_decl("mk_t", m)
	array_decl("mk_s", m)
	array_decl("mk_p", m)
	for (n = 1; n <= m; n++)
		meta("mk_t[" n "] = " mk_t[n] "; mk_s[" n "] = " gq(mk_s[n]) "; mk_p[" n "] = " mk_p[n])
}

# ---- memory -----------------------------------------------------------------

function memory_setup() {
	proc_setup()
	need("rss_kb", "resident set size: a cowsample TSV")
	need("shared_dirty_kb", "record the run with cowsample --smaps")
	need("private_dirty_kb", "record the run with cowsample --smaps")
}

# smaps_rollup is read at phase marks and at a slower rate than the fault
# counters: rows in between leave those columns empty or "-", or (cowsample)
# repeat the last reading.
function smaps_value(name,   v) {
	v = field(name)
	if (v == "" || v == "-")
		return ""
	return nonneg(name)
}

function memory_row(   i, rss, sd, pd) {
	i = proc_row()
	rss = nonneg("rss_kb")
	if (rss > maxkb) maxkb = rss
	if (rss > maxrss) maxrss = rss
	mrss[i, ++nrss[i]] = row_t " " rss
	sd = smaps_value("shared_dirty_kb")
	pd = smaps_value("private_dirty_kb")
	# Only real readings are drawn: drawn, a repeated value would hold an
	# old value up to a later time. cowsample reads smaps_rollup at every
	# event row (start, fork, exec, exit, mark) and on a sample row at most
	# every 100 ms (SMAPS_PERIOD_S in tools/lib/sampler_smaps.c); so a
	# sample row is a reading when its values changed or when 100 ms have
	# passed since the process's last reading (times are printed to the
	# microsecond: a repeat can seem up to 1 us later than it is).
	if (sd != "" && pd != "" && row_ev == "sample" && (i in last_sd) &&
	    sd == last_sd[i] && pd == last_pd[i] && row_t - last_read[i] < 0.100001)
		sd = ""
	if (sd != "" && pd != "") {
		last_sd[i] = sd
		last_pd[i] = pd
		last_read[i] = row_t
		msm[i, ++nsm[i]] = row_t " " sd " " pd
		nsmaps++
		if (sd > maxkb) maxkb = sd
		if (pd > maxkb) maxkb = pd
		if (sd > maxsd) maxsd = sd
		if (pd > maxpd) maxpd = pd
	}
}

function memory_finish(   i, j, div, f) {
	if (nsmaps == 0)
		fail("no Shared_Dirty/Private_Dirty values in any row (record the run with cowsample --smaps)")
	time_unit()
	if (maxkb >= 2048) {
		div = 1024
		meta("munit = 'MiB'")
	} else {
		div = 1
		meta("munit = 'KiB'")
	}
	# Each panel's y range ends a little above its largest value (never on
	# a tic, so that the top tic label stays clear of the panel above).
	meta("rss_step = " nice_step(maxrss / div, 3) "; rss_top = " panel_top(maxrss / div))
	meta("sd_step = " nice_step(maxsd / div, 3) "; sd_top = " panel_top(maxsd / div))
	meta("pd_step = " nice_step(maxpd / div, 3) "; pd_top = " panel_top(maxpd / div))
	for (i = 1; i <= np; i++) {
		f = "rss_" i ".dat"
		for (j = 1; j <= nrss[i]; j++) {
			split(mrss[i, j], v, " ")
			out(f, (v[1] * tscale) " " (v[2] / div))
		}
		close(dir "/" f)
		f = "smaps_" i ".dat"
		if (nsm[i] == 0)
			out(f, "NaN NaN NaN")
		for (j = 1; j <= nsm[i]; j++) {
			split(msm[i, j], v, " ")
			out(f, (v[1] * tscale) " " (v[2] / div) " " (v[3] / div))
		}
		close(dir "/" f)
	}
	proc_meta()
	place_marks()
}

# ---- forkcost ---------------------------------------------------------------

function forkcost_setup() {
	need("size_kib", "touched memory in KiB: a fork_bench TSV")
	need("method", "fork|fork-thp|vfork|posix_spawn: a fork_bench TSV")
	need("latency_us", "latency in microseconds: a fork_bench TSV")
}

function forkcost_row(   s, m, l) {
	s = num("size_kib")
	l = num("latency_us")
	m = field("method")
	if (m == "")
		fail("line " NR ": empty method")
	if (s <= 0)
		fail("line " NR ": size_kib must be positive for a log scale: " s)
	if (l <= 0)
		fail("line " NR ": latency_us must be positive for a log scale: " l)
	if (!(m in midx)) {
		midx[m] = ++nmeth
		mname[nmeth] = m
	}
	if (!(s in sseen)) {
		sseen[s] = 1
		sizes[++nsizes] = s
	}
	lat[m SUBSEP s, ++nlat[m SUBSEP s]] = l
	nrows++
}

function method_label(m) {
	if (m == "fork") return "fork(), 4 KiB pages"
	if (m == "fork-thp") return "fork(), transparent huge pages"
	if (m == "vfork") return "vfork()"
	if (m == "posix_spawn") return "posix_spawn()"
	return m
}

function forkcost_finish(   order, n, i, j, k, m, s, f, known, multi, key) {
	sortnum(sizes, nsizes)
	# Methods in the order the lesson tells them, then any others.
	n = split("fork fork-thp vfork posix_spawn", known, " ")
	k = 0
	for (i = 1; i <= n; i++)
		if (known[i] in midx)
			order[++k] = known[i]
	for (i = 1; i <= nmeth; i++)
		if (mname[i] !~ /^(fork|fork-thp|vfork|posix_spawn)$/)
			order[++k] = mname[i]
	meta("nmeth = " k)
	array_decl("mlabel", k)
	array_decl("mkey", k)
	for (i = 1; i <= k; i++) {
		m = order[i]
		meta("mlabel[" i "] = " gq(method_label(m)) "; mkey[" i "] = " gq(m))
		f = "method_" i ".dat"
		for (j = 1; j <= nsizes; j++) {
			s = sizes[j]
			if ((m SUBSEP s) in nlat)
				out(f, (s / 1024) " " (median(lat, nlat, m SUBSEP s) / 1e6))
		}
		close(dir "/" f)
	}
	# fork_bench writes one row per size and method: the median of its
	# --repeat runs. Several rows for one point: their median is drawn.
	multi = 0
	for (key in nlat)
		if (nlat[key] > 1)
			multi = 1
	meta("whatpoint = " gq(multi ? "median of the rows per point" : "median of the runs"))
	meta("nsizes = " nsizes)
	array_decl("size_mib", nsizes)
	array_decl("size_text", nsizes)
	for (j = 1; j <= nsizes; j++)
		meta("size_mib[" j "] = " (sizes[j] / 1024) "; size_text[" j "] = " gq(human_bytes(sizes[j] * 1024)))
}

# ---- faultcost --------------------------------------------------------------

function faultcost_setup() {
	need("kind", "demand-zero|cow|reuse: a fork_bench --fault-cost TSV")
	need("ns_per_fault", "nanoseconds per fault: a fork_bench --fault-cost TSV")
}

function faultcost_row(   k, ns, r) {
	k = field("kind")
	if (k == "")
		fail("line " NR ": empty kind")
	ns = num("ns_per_fault")
	if (ns < 0)
		fail("line " NR ": ns_per_fault is negative: " ns)
	if (!(k in kidx)) {
		kidx[k] = ++nkind
		kname[nkind] = k
	}
	cost[k, ++ncost[k]] = ns
	if ("runs" in col) {
		r = num("runs")
		if (r < 1 || r != int(r))
			fail("line " NR ": runs is not a count of runs: " r)
		runs_seen[r] = 1
		nruns_rows++
	}
	if ("pages" in col) {
		pg = num("pages")
		pages_seen[pg] = 1
		if (pg > maxpages) maxpages = pg
	}
	nrows++
}

# A known kind's name and, on a second line, what it is; another kind
# (from the data) is shown as it is, on one line.
function kind_label(k) {
	if (k == "demand-zero") return "demand-zero"
	if (k == "cow") return "copy-on-write"
	if (k == "reuse") return "reuse"
	return k
}

function kind_note(k) {
	if (k == "demand-zero") return "(first touch)"
	if (k == "cow") return "(write after fork)"
	if (k == "reuse") return "(write after the child exits)"
	return ""
}

function faultcost_finish(   order, n, i, k, known, npg, p, nr, r, runs, multi) {
	n = split("demand-zero cow reuse", known, " ")
	k = 0
	for (i = 1; i <= n; i++)
		if (known[i] in kidx)
			order[++k] = known[i]
	for (i = 1; i <= nkind; i++)
		if (kname[i] !~ /^(demand-zero|cow|reuse)$/)
			order[++k] = kname[i]
	meta("nkind = " k)
	array_decl("klabel", k)
	array_decl("knote", k)
	array_decl("kkey", k)
	for (i = 1; i <= k; i++) {
		meta("klabel[" i "] = " gq(kind_label(order[i])) "; knote[" i "] = " gq(kind_note(order[i])) \
			"; kkey[" i "] = " gq(order[i]))
		out("bars.dat", i " " (median(cost, ncost, order[i]) / 1000))
	}
	# What one bar is: the median of its runs (fork_bench --repeat), one
	# run, or the median of several rows of that kind.
	nr = 0
	for (r in runs_seen) {
		nr++
		runs = r
	}
	multi = 0
	for (i = 1; i <= k; i++)
		if (ncost[order[i]] > 1)
			multi = 1
	if (multi)
		meta("whatbar = 'median of the rows per kind'")
	else if (nr == 1 && nruns_rows == nrows)
		meta("whatbar = " gq(runs == 1 ? "one run" : "median of " runs " runs"))
	else if (nr > 1 && nruns_rows == nrows)
		meta("whatbar = 'median of its runs'")
	else
		meta("whatbar = 'one run'")
	npg = 0
	for (p in pages_seen)
		npg++
	if (npg == 1)
		meta("pagestext = " gq(maxpages " pages per kind"))
	else if (npg > 1)
		meta("pagestext = " gq("up to " maxpages " pages per kind"))
	else
		meta("pagestext = ''")
}

# ---- copy -------------------------------------------------------------------

function copy_setup() {
	need("method", "cp|mmap|read|copy_file_range|sendfile: an mmap_copy benchmark TSV")
	need("size_bytes", "file size: an mmap_copy benchmark TSV")
	need("wall_s", "wall time in seconds: an mmap_copy benchmark TSV")
	need("ratio_to_cp", "time relative to cp: an mmap_copy benchmark TSV")
	need("min_flt", "minor faults: an mmap_copy benchmark TSV")
	need("maj_flt", "major faults: an mmap_copy benchmark TSV")
	need("cache", "warm|cold: an mmap_copy benchmark TSV")
}

function copy_row(   m, c, key) {
	m = field("method")
	c = field("cache")
	if (m == "")
		fail("line " NR ": empty method")
	if (c == "")
		fail("line " NR ": empty cache (warm|cold)")
	if (!(m in midx)) {
		midx[m] = ++nmeth
		mname[nmeth] = m
	}
	if (!(c in cidx)) {
		cidx[c] = ++ncache
		cname[ncache] = c
	}
	key = m SUBSEP c
	n = ++nrun[key]
	wall[key, n] = nonneg("wall_s")
	ratio[key, n] = nonneg("ratio_to_cp")
	minf[key, n] = nonneg("min_flt")
	majf[key, n] = nonneg("maj_flt")
	sz = nonneg("size_bytes")
	if (sz == 0)
		fail("line " NR ": size_bytes is 0: nothing was copied")
	size_seen[sz] = 1
	if (sz > maxsize) maxsize = sz
	nrows++
}

function copy_finish(   order, corder, known, n, i, j, k, kc, m, c, key, s, nsz, f, mj, nr) {
	n = split("cp read copy_file_range sendfile mmap", known, " ")
	k = 0
	for (i = 1; i <= n; i++)
		if (known[i] in midx)
			order[++k] = known[i]
	for (i = 1; i <= nmeth; i++)
		if (mname[i] !~ /^(cp|read|copy_file_range|sendfile|mmap)$/)
			order[++k] = mname[i]
	kc = 0
	if ("warm" in cidx) corder[++kc] = "warm"
	if ("cold" in cidx) corder[++kc] = "cold"
	for (i = 1; i <= ncache; i++)
		if (cname[i] != "warm" && cname[i] != "cold")
			corder[++kc] = cname[i]
	meta("nmeth = " k "; ncache = " kc)
	array_decl("mname", k)
	for (i = 1; i <= k; i++)
		meta("mname[" i "] = " gq(order[i]))
	array_decl("cname", kc)
	array_decl("cmajor", kc)
	for (j = 1; j <= kc; j++) {
		c = corder[j]
		f = "copy_" j ".dat"
		mj = 0
		for (i = 1; i <= k; i++) {
			key = order[i] SUBSEP c
			if (!(key in nrun))
				continue
			w = median(wall, nrun, key)
			mn = median(minf, nrun, key)
			mjv = median(majf, nrun, key)
			out(f, i " " w " " median(ratio, nrun, key) " " mn " " mjv)
			# The fault bars (log scale) only where there is one:
			# gnuplot 5.4 crashes on labels whose points are all
			# undefined, which the script's own test (count >= 1)
			# made of a file with one row and no fault of a kind.
			if (mn >= 1)
				out("minor_" j ".dat", i " " mn)
			if (mjv >= 1) {
				out("major_" j ".dat", i " " mjv)
				mj = 1
			}
			if (w > wall_max) wall_max = w
			if (mn > fault_max) fault_max = mn
			if (mjv > fault_max) fault_max = mjv
		}
		close(dir "/" f)
		out("minor_" j ".dat", "")
		out("major_" j ".dat", "")
		close(dir "/minor_" j ".dat")
		close(dir "/major_" j ".dat")
		meta("cname[" j "] = " gq(c == "warm" ? "warm cache" : c == "cold" ? "cold cache" : c) \
			"; cmajor[" j "] = " mj)
		# Rows per bar: bench-copy writes one per method and cache state,
		# already the median of its paired runs (the figure's note says
		# how many); several rows for one bar are reduced to their median.
		for (i = 1; i <= k; i++)
			if ((order[i] SUBSEP c) in nrun && nrun[order[i] SUBSEP c] > nr)
				nr = nrun[order[i] SUBSEP c]
	}
	meta("whatbar = " gq(nr > 1 ? "median of the rows per bar" : ""))
	meta("wall_max = " (wall_max > 0 ? wall_max : 1) "; fault_max = " (fault_max > 1 ? fault_max : 1))
	nsz = 0
	for (s in size_seen)
		nsz++
	meta("sizetext = " gq(nsz == 1 ? "a " human_bytes(maxsize) " file" : "files up to " human_bytes(maxsize)))
}

# ---- copyread ---------------------------------------------------------------
# The copy-on-read lab run at several numbers of objects (tools/plot.mk's
# media-copy-on-read, via tools/lines-tsv): per run and layout, the pages
# the reader copied (its copy-on-write faults). One line per layout, x the
# objects read; several rows for one point: their median.

function copyread_setup() {
	need("objects", "objects read: a table of copy_on_read runs (tools/lines-tsv)")
	need("layout", "read-inline|read-separate: a table of copy_on_read runs")
	need("copied_pages", "pages the reader copied: a table of copy_on_read runs")
}

function copyread_row(   m, l, c) {
	m = nonneg("objects")
	c = nonneg("copied_pages")
	l = field("layout")
	if (l == "")
		fail("line " NR ": empty layout")
	if (!(l in lidx)) {
		lidx[l] = ++nlay
		lname[nlay] = l
	}
	if (!(m in mseen)) {
		mseen[m] = 1
		objs[++nobjs] = m
	}
	cp[l SUBSEP m, ++ncp[l SUBSEP m]] = c
	if (m > objmax) objmax = m
	if (c > cpmax) cpmax = c
	nrows++
}

function layout_label(l) {
	if (l == "read-inline") return "counts inside the objects (read-inline)"
	if (l == "read-separate") return "counts in a separate array (read-separate)"
	return l
}

function copyread_finish(   order, known, n, i, j, k, l, f, m, in_v, sep_v, ratio) {
	sortnum(objs, nobjs)
	n = split("read-inline read-separate", known, " ")
	k = 0
	for (i = 1; i <= n; i++)
		if (known[i] in lidx)
			order[++k] = known[i]
	for (i = 1; i <= nlay; i++)
		if (lname[i] !~ /^(read-inline|read-separate)$/)
			order[++k] = lname[i]
	meta("nlay = " k)
	array_decl("llabel", k)
	for (i = 1; i <= k; i++) {
		l = order[i]
		meta("llabel[" i "] = " gq(layout_label(l)))
		f = "layout_" i ".dat"
		for (j = 1; j <= nobjs; j++)
			if ((l SUBSEP objs[j]) in ncp)
				out(f, objs[j] " " median(cp, ncp, l SUBSEP objs[j]))
		close(dir "/" f)
	}
	# The lesson in one number: inline against separate at the most objects
	# read where both were measured (and the separate layout copied some).
	ratio = ""
	for (j = nobjs; j >= 1 && ratio == ""; j--) {
		m = objs[j]
		if (("read-inline" SUBSEP m) in ncp && ("read-separate" SUBSEP m) in ncp) {
			in_v = median(cp, ncp, "read-inline" SUBSEP m)
			sep_v = median(cp, ncp, "read-separate" SUBSEP m)
			if (sep_v > 0)
				ratio = sprintf("%s objects read: inline copied %s pages, separate %s: %.1f times fewer", \
					m, in_v, sep_v, in_v / sep_v)
		}
	}
	meta("ratiotext = " gq(ratio))
	meta("xmax = " (objmax > 0 ? objmax * 1.05 : 1) "; ymax = " panel_top(cpmax))
	meta("whatpoint = " gq(multi_rows(ncp) ? "; a point: the median of its rows" : ""))
}

# Does any key of count have more than one row?
function multi_rows(count,   key) {
	for (key in count)
		if (count[key] > 1)
			return 1
	return 0
}

# ---- snapshot ---------------------------------------------------------------
# The snapshot lab run at several write rates (tools/plot.mk's
# media-snapshot-rates, via tools/lines-tsv): its memory: lines, one per
# chunk of the save, with the rate (pages the parent writes per chunk).
# Left: the copy-on-write memory (the saver's Private_Dirty, what Redis
# reports) per rate; right: the anonymous part of both processes' RSS.

function snapshot_setup() {
	need("updates", "pages the parent writes per chunk: a table of snapshot runs (tools/lines-tsv)")
	need("chunk", "chunk of the save: a table of snapshot runs")
	need("child_private_dirty_kb", "the saver's Private_Dirty: a table of snapshot runs")
	need("parent_anon_kb", "the parent's anonymous RSS: a table of snapshot runs")
	need("child_anon_kb", "the saver's anonymous RSS: a table of snapshot runs")
	sn_page = ENVIRON["COWPLOT_PAGESIZE"] + 0
	if (sn_page <= 0)
		sn_page = 4096
}

function snapshot_row(   u, c, key) {
	u = nonneg("updates")
	c = nonneg("chunk")
	if (!(u in ridx)) {
		ridx[u] = 1
		rates[++nrate] = u
	}
	key = u SUBSEP c
	if (key in sn_seen)
		fail("line " NR ": a second row for updates " u " chunk " c)
	sn_seen[key] = 1
	if (!(c in cseen)) {
		cseen[c] = 1
		snchunks[++nsnchunks] = c
	}
	sn_cow[key] = nonneg("child_private_dirty_kb")
	sn_prss[key] = nonneg("parent_anon_kb")
	sn_crss[key] = nonneg("child_anon_kb")
	if (sn_cow[key] > cowmax) cowmax = sn_cow[key]
	if (sn_prss[key] > rssmax) rssmax = sn_prss[key]
	if (sn_crss[key] > rssmax) rssmax = sn_crss[key]
	if (c > chmax) chmax = c
	nrows++
}

function snapshot_finish(   i, j, u, key, f, div, big) {
	sortnum(rates, nrate)
	sortnum(snchunks, nsnchunks)
	big = cowmax > rssmax ? cowmax : rssmax
	if (big >= 2048) {
		div = 1024
		meta("munit = 'MiB'")
	} else {
		div = 1
		meta("munit = 'KiB'")
	}
	meta("nrate = " nrate "; xmax = " (chmax > 0 ? chmax : 1))
	meta("cow_top = " panel_top(cowmax / div) "; rss_top = " panel_top(rssmax / div))
	array_decl("rlabel", nrate)
	for (i = 1; i <= nrate; i++) {
		u = rates[i]
		meta("rlabel[" i "] = " gq(sprintf("%s pages (%s) written per chunk", u, human_bytes(u * sn_page))))
		f = "rate_" i ".dat"
		for (j = 1; j <= nsnchunks; j++) {
			key = u SUBSEP snchunks[j]
			if (key in sn_seen)
				out(f, snchunks[j] " " (sn_cow[key] / div) " " (sn_prss[key] / div) " " (sn_crss[key] / div))
		}
		close(dir "/" f)
	}
}

# ---- driver -----------------------------------------------------------------

# Before the header: blank lines and '#' comments (a BOM first).
!header {
	if (NR == 1)
		sub(/^\357\273\277/, "")
	sub(/\r$/, "")
	if ($0 ~ /^[ \t]*$/ || $0 ~ /^#/)
		next
	header = 1
	# the separator: tabs (TSV) unless the header has commas and no tab
	if ($0 !~ /\t/ && $0 ~ /,/)
		FS = ","
	$0 = $0
	ncol = NF
	meta("usertitle = " gq(ENVIRON["COWPLOT_TITLE"]))
	meta("machine = " gq(ENVIRON["COWPLOT_MACHINE"]))
	meta("note = " gq(ENVIRON["COWPLOT_NOTE"]))
	for (i = 1; i <= NF; i++)
		col[$i] = i
	if (kind == "timeline") timeline_setup()
	else if (kind == "memory") memory_setup()
	else if (kind == "forkcost") forkcost_setup()
	else if (kind == "faultcost") faultcost_setup()
	else if (kind == "copy") copy_setup()
	else if (kind == "faultmap") faultmap_setup()
	else if (kind == "copyread") copyread_setup()
	else if (kind == "snapshot") snapshot_setup()
	else fail("unknown kind " kind)
	next
}

/^[ \t\r]*$/ || /^#/ { next }

{
	sub(/\r$/, "")
	if (NF != ncol)
		fail("line " NR ": " NF " fields where the header has " ncol)
	if (kind == "timeline") timeline_row()
	else if (kind == "memory") memory_row()
	else if (kind == "forkcost") forkcost_row()
	else if (kind == "faultcost") faultcost_row()
	else if (kind == "faultmap") faultmap_row()
	else if (kind == "copyread") copyread_row()
	else if (kind == "snapshot") snapshot_row()
	else copy_row()
}

END {
	if (bad)
		exit 1
	if (!header)
		fail("empty (no header line)")
	if (nrows == 0)
		fail("no data rows below the header")
	if (kind == "timeline") timeline_finish()
	else if (kind == "memory") memory_finish()
	else if (kind == "forkcost") forkcost_finish()
	else if (kind == "faultcost") faultcost_finish()
	else if (kind == "faultmap") faultmap_finish()
	else if (kind == "copyread") copyread_finish()
	else if (kind == "snapshot") snapshot_finish()
	else copy_finish()
	close(dir "/meta.gp")
}
