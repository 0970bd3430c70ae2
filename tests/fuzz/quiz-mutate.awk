# tests/fuzz/quiz-mutate.awk - one mutant of a seed quiz, for the fuzz loop
# over cowlab-quiz's parsers (tests/quiz-fuzz.bats).
#
#   CANARY=FILE LC_ALL=C awk -v seed=N -f quiz-mutate.awk SEED.md > MUTANT.md
#
# The same seed and quiz always give the same mutant (srand(seed); no time,
# no other randomness). Each mutant gets 1 to 3 mutations: the value of a
# line (after its "key:") replaced by a hostile one, a hostile check-block
# line inserted, a line of the quiz format inserted where it does not
# belong, a line deleted, doubled or swapped, a byte inserted, replaced or
# cut, CRLF line ends or a BOM, answers by the dozen. Hostile values are
# awk, shell, regular-expression and printf code, paths out of the lab's
# folder, non-finite and huge numbers, deep nesting, control characters and
# bytes that are not UTF-8. Code tries to create ENVIRON["CANARY"]: the
# test checks that it never appears.

function rnd(n) { return int(rand() * n) + 1 }

function hostile(   k, c) {
	c = ENVIRON["CANARY"]
	k = rnd(34)
	if (k == 1) return "system(\"touch " c "\") || 1"
	if (k == 2) return "`touch " c "`"
	if (k == 3) return "$(touch " c ")"
	if (k == 4) return "x'; touch " c "; '"
	if (k == 5) return "x\"; system(\"touch " c "\"); y=\""
	if (k == 6) return "getline < \"/etc/passwd\""
	if (k == 7) return "(\"touch " c "\" | getline x) || 1"
	if (k == 8) return "../../../../bin/sh -c 'touch " c "'"
	if (k == 9) return "/bin/sh"
	if (k == 10) return "1e999"
	if (k == 11) return "-1e999 / 0"
	if (k == 12) return "nan"
	if (k == 13) return "99999999999999999999999999"
	if (k == 14) return "1 / 0"
	if (k == 15) return "K % 0"
	if (k == 16) return sprintf("%80s", "") "(((((((((((((((((((((((((((((((((((((((((1)))))))))))))))))))))))))))))))))))))))))"
	if (k == 17) return "%s%s%n%d"
	if (k == 18) return "/(a*)*b|[[:alpha:]/"
	if (k == 19) return "count /$(touch " c ")/"
	if (k == 20) return "number /[/"
	if (k == 21) return "minor of phase=$(touch " c ")"
	if (k == 22) return "\033[31mred\033]0;title\007"
	if (k == 23) return "\377\376\200bad"
	if (k == 24) return "\357\273\277bom"
	if (k == 25) return sprintf("%3000s", "x")
	if (k == 26) return ""
	if (k == 27) return "-->"
	if (k == 28) return "fake-lab/../../x"
	if (k == 29) return "ENVIRON[\"PATH\"]"
	if (k == 30) return "K=1 N=$(touch " c ")"
	if (k == 31) return "src 300M"
	if (k == 32) return "../../" c
	if (k == 33) return "wrote_ok && @x"
	return "\\n\\t\\"
}

# A line of a check block, or of the quiz format, where it may not belong.
function stray(   k) {
	k = rnd(24)
	if (k == 1) return "expect: " hostile()
	if (k == 2) return "answer a: " hostile()
	if (k == 3) return "answer z: 1"
	if (k == 4) return "run: " hostile()
	if (k == 5) return "run: fake-lab " hostile()
	if (k == 6) return "let: x = " hostile()
	if (k == 7) return "set: " hostile()
	if (k == 8) return "file: " hostile()
	if (k == 9) return "drop: " hostile()
	if (k == 10) return "needs: " hostile()
	if (k == 11) return "scenario: " hostile()
	if (k == 12) return "row: " hostile()
	if (k == 13) return "row: fake-lab/wrote"
	if (k == 14) return hostile() ": 1"
	if (k == 15) return "<!-- check"
	if (k == 16) return "-->"
	if (k == 17) return "<!-- check: none " hostile() " -->"
	if (k == 18) return "## Question Answers"
	if (k == 19) return "# " hostile()
	if (k == 20) return "+ " hostile()
	if (k == 21) return "- " hostile()
	if (k == 22) return "## " hostile()
	if (k == 23) return "<!-- " hostile()
	return "let: " hostile() " = count /x/"
}

{ line[++n] = $0 }

END {
	srand(seed)
	for (m = rnd(3); m > 0; m--) {
		k = rnd(12)
		i = rnd(n)
		if (k <= 3) {			# a line's value becomes hostile
			j = index(line[i], ":")
			line[i] = j ? substr(line[i], 1, j) " " hostile() : hostile()
		} else if (k <= 5) {		# a stray line inserted
			for (j = n; j >= i; j--)
				line[j + 1] = line[j]
			n++
			line[i] = stray()
		} else if (k == 6 && n > 1) {	# a line deleted
			for (j = i; j < n; j++)
				line[j] = line[j + 1]
			n--
		} else if (k == 7) {		# a line doubled
			for (j = n; j >= i; j--)
				line[j + 1] = line[j]
			n++
		} else if (k == 8) {		# two lines swapped
			j = rnd(n)
			s = line[i]; line[i] = line[j]; line[j] = s
		} else if (k == 9) {		# a byte inserted (not newline, not NUL)
			b = rnd(255)
			if (b == 10) b = 9
			j = rnd(length(line[i]) + 1)
			line[i] = substr(line[i], 1, j - 1) sprintf("%c", b) substr(line[i], j)
		} else if (k == 10) {		# a byte replaced, or the line cut there
			j = rnd(length(line[i]) + 1)
			if (rand() < 0.5)
				line[i] = substr(line[i], 1, j - 1) sprintf("%c", rnd(254) + 1) substr(line[i], j + 1)
			else
				line[i] = substr(line[i], 1, j - 1)
		} else if (k == 11) {		# CRLF line ends, or a BOM first
			if (rand() < 0.5)
				for (j = 1; j <= n; j++)
					line[j] = line[j] "\r"
			else
				line[1] = "\357\273\277" line[1]
		} else {			# answers by the dozen
			s = ""
			for (j = rnd(40); j > 0; j--)
				s = s "\n- answer " j "\n"
			line[i] = line[i] s
		}
	}
	for (j = 1; j <= n; j++)
		print line[j]
}
