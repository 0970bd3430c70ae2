# tests/fuzz/plot-mutate.awk - one mutant of a seed table, for the fuzz loop
# over cowplot's input (tests/cowplot-fuzz.bats).
#
#   LC_ALL=C awk -v seed=N -f plot-mutate.awk SEED.tsv > MUTANT.tsv
#
# The same seed and table always give the same mutant (srand(seed); no time,
# no other randomness). Each mutant gets 1 to 3 mutations: a field replaced
# by a hostile value (non-finite and huge numbers, quotes, gnuplot and shell
# code, control characters, bytes that are not UTF-8, a long text), a line
# deleted, doubled or swapped, a field dropped, a byte inserted, replaced or
# cut, a comment or BOM put first, tabs turned into commas. Code values try
# to create ENVIRON["CANARY"]: the test checks that it never appears.

function rnd(n) { return int(rand() * n) + 1 }

function hostile(   k, c) {
	c = ENVIRON["CANARY"]
	k = rnd(30)
	if (k == 1) return "1e999"
	if (k == 2) return "-1e999"
	if (k == 3) return "nan"
	if (k == 4) return "inf"
	if (k == 5) return "-0"
	if (k == 6) return "0"
	if (k == 7) return "1e18"
	if (k == 8) return "1e19"
	if (k == 9) return "1e-320"
	if (k == 10) return ""
	if (k == 11) return "-"
	if (k == 12) return "99999999999999999999"
	if (k == 13) return "0x10"
	if (k == 14) return "x'\"`@titles"
	if (k == 15) return "x\"; system(\"touch " c "\"); y=\""
	if (k == 16) return "x'; system('touch " c "'); y='"
	if (k == 17) return "`touch " c "`"
	if (k == 18) return "$(touch " c ")"
	if (k == 19) return "\033[31mred\033]0;title\007"
	if (k == 20) return "\377\376\200bad"
	if (k == 21) return "\302\205\355\240\200\357\277\277"
	if (k == 22) return "\357\273\277bom"
	if (k == 23) return sprintf("%600s", "x")
	if (k == 24) return "#"
	if (k == 25) return ","
	if (k == 26) return "a\rb"
	if (k == 27) return "\\n\\t\\"
	if (k == 28) return "1.5"
	if (k == 29) return "-1"
	return "1e-9"
}

{ line[++n] = $0 }

END {
	srand(seed)
	for (m = rnd(3); m > 0; m--) {
		k = rnd(11)
		i = rnd(n)
		if (k <= 3) {			# a field becomes a hostile value
			nf = split(line[i], f, "\t")
			f[rnd(nf)] = hostile()
			s = f[1]
			for (j = 2; j <= nf; j++)
				s = s "\t" f[j]
			line[i] = s
		} else if (k == 4 && n > 1) {	# a line deleted
			for (j = i; j < n; j++)
				line[j] = line[j + 1]
			n--
		} else if (k == 5) {		# a line doubled
			for (j = n; j >= i; j--)
				line[j + 1] = line[j]
			n++
		} else if (k == 6) {		# two lines swapped
			j = rnd(n)
			s = line[i]; line[i] = line[j]; line[j] = s
		} else if (k == 7) {		# a field dropped
			sub(/\t[^\t]*$/, "", line[i])
		} else if (k == 8) {		# a byte inserted (not newline, not NUL)
			b = rnd(255)
			if (b == 10) b = 9
			j = rnd(length(line[i]) + 1)
			line[i] = substr(line[i], 1, j - 1) sprintf("%c", b) substr(line[i], j)
		} else if (k == 9) {		# a byte replaced, or the line cut there
			j = rnd(length(line[i]) + 1)
			if (rand() < 0.5)
				line[i] = substr(line[i], 1, j - 1) sprintf("%c", rnd(254) + 1) substr(line[i], j + 1)
			else
				line[i] = substr(line[i], 1, j - 1)
		} else if (k == 10) {		# a comment or a BOM first
			line[1] = (rand() < 0.5 ? "# comment\n" : "\357\273\277") line[1]
		} else {			# a CSV
			for (j = 1; j <= n; j++)
				gsub(/\t/, ",", line[j])
		}
	}
	for (j = 1; j <= n; j++)
		print line[j]
}
