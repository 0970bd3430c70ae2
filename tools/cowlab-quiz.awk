# tools/cowlab-quiz.awk - the parts of cowlab-quiz that read text: the
# evaluation of check-block expressions (through tools/expr.awk), the
# reading of a lab's "result:" lines, and the rendering of a quiz's
# Markdown for the terminal. Loaded as
#   awk -f tools/expr.awk -f tools/cowlab-quiz.awk -v mode=MODE
# Nothing read here is ever run as code: expressions are parsed by
# expr_eval(), selectors and Markdown are compared and printed as text.
#
# mode=eval    input lines "v<TAB>NAME<TAB>NUMBER" (a value),
#              "e<TAB>EXPRESSION" and "c" (forget the values); for each
#              "e" line prints "ok<TAB>VALUE" or "error<TAB>what is wrong"
# mode=result  input: a lab's output; ENVIRON COWLAB_SELECT "key=value ...",
#              COWLAB_FIELD a field name; prints that field of the first
#              "result:" line whose words include every key=value
# mode=render  input: Markdown; -v width=N tty=0|1; prints it wrapped,
#              `code` and *emphasis* without their marks (bold and
#              underlined on a terminal), control characters removed. A
#              line "\034INDENT<TAB>LEAD" starts a block indented by
#              INDENT, LEAD written over the start of its first line.

BEGIN {
	if (mode == "eval" || mode == "result")
		FS = "\t"
}

# ------------------------------------------------------------------ eval
mode == "eval" && $0 == "c" {
	split("", quiz_vars)
	next
}

mode == "eval" && $1 == "v" {
	quiz_vars[$2] = $3 + 0
	next
}

mode == "eval" && $1 == "e" {
	quiz_value = expr_eval(substr($0, 3), quiz_vars)
	if (expr_error != "")
		print "error\t" expr_error
	else
		print "ok\t" quiz_number(quiz_value)
	next
}

function quiz_number(v) {
	return v == int(v) && v < 1e15 && v > -1e15 ? sprintf("%d", v) : sprintf("%.10g", v)
}

# ---------------------------------------------------------------- step
# mode=step: a row's counter KIND.FIELD, read as the expectation harness
# reads it (tools/expect.awk): the first line "KIND: KEY=STEP ..." of that
# step (and role=ROLE unless ROLE is -); yes/no are 1/0. ENVIRON
# COWLAB_KIND, COWLAB_STEP, COWLAB_ROLE, COWLAB_FIELD.
mode == "step" && !result_done && index($0, ENVIRON["COWLAB_KIND"] ": ") == 1 {
	n = split(substr($0, length(ENVIRON["COWLAB_KIND"]) + 3), words, " ")
	if (substr(words[1], index(words[1], "=") + 1) != ENVIRON["COWLAB_STEP"])
		next
	if (ENVIRON["COWLAB_ROLE"] != "-") {
		found = 0
		for (j = 2; j <= n; j++)
			if (words[j] == "role=" ENVIRON["COWLAB_ROLE"])
				found = 1
		if (!found)
			next
	}
	prefix = ENVIRON["COWLAB_FIELD"] "="
	for (j = 2; j <= n; j++)
		if (index(words[j], prefix) == 1) {
			v = substr(words[j], length(prefix) + 1)
			print v == "yes" ? 1 : v == "no" ? 0 : v
			result_done = 1
			next
		}
}

# ---------------------------------------------------------------- result
mode == "result" && !result_done && $0 ~ /^result: / {
	n = split($0, words, " ")
	want = split(ENVIRON["COWLAB_SELECT"], sel, " ")
	for (i = 1; i <= want; i++) {
		found = 0
		for (j = 2; j <= n; j++)
			if (words[j] == sel[i])
				found = 1
		if (!found)
			next
	}
	prefix = ENVIRON["COWLAB_FIELD"] "="
	for (j = 2; j <= n; j++)
		if (index(words[j], prefix) == 1) {
			print substr(words[j], length(prefix) + 1)
			result_done = 1
			next
		}
}

# ---------------------------------------------------------------- render
# Paragraphs are separated by blank lines; lines starting a list item or a
# fenced code block start a new line; everything else is joined and
# wrapped to the width.
mode == "render" && substr($0, 1, 1) == "\034" {
	# A new block: "\034INDENT<TAB>LEAD", separated by a blank line.
	render_flush()
	in_fence = 0
	indent = substr($0, 2, index($0, "\t") - 2) + 0
	lead = substr($0, index($0, "\t") + 1)
	if (render_any)
		print ""
	render_printed = 0
	render_blank = 0
	next
}

mode == "render" {
	line = $0
	gsub(/[\001-\010\013-\037\177]/, "", line)	# no terminal controls from a file
	gsub(/\t/, "    ", line)
	if (line ~ /^```/) {
		render_flush()
		in_fence = !in_fence
		next
	}
	if (in_fence) {
		render_emit(render_pad(indent + 4) line)
		next
	}
	if (line ~ /^[ ]*$/) {
		render_flush()
		render_blank = 1
		next
	}
	if (line ~ /^[ ]*([-*+]|[0-9]+\.) /)
		render_flush()
	if (render_blank && render_printed)
		render_emit("")
	render_blank = 0
	render_para = render_para == "" ? line : render_para " " line
	next
}

END {
	if (mode == "render")
		render_flush()
}

function render_pad(n,    s) {
	s = ""
	while (n-- > 0)
		s = s " "
	return s
}

function render_emit(s) {
	if (!render_printed && lead != "")
		s = lead substr(s, length(lead) + 1)
	print s
	render_printed = 1
	render_any = 1
}

# Inline marks: `code`, **strong**, *emphasis*, [text](url). Visible text
# and the terminal's escape sequences are kept apart (escapes are \034 ..
# \035 pairs while wrapping) so that the width counts only what shows.
function render_inline(s,    out, c, i, j, rest, text) {
	out = ""
	while (s != "") {
		c = substr(s, 1, 1)
		if (c == "\\" && length(s) > 1) {
			out = out substr(s, 2, 1)
			s = substr(s, 3)
		} else if (c == "`" && (j = index(substr(s, 2), "`")) > 0) {
			text = substr(s, 2, j - 1)
			out = out (tty ? "\034B" text "\034N" : "'" text "'")
			s = substr(s, j + 2)
		} else if (substr(s, 1, 2) == "**" && (j = index(substr(s, 3), "**")) > 1) {
			text = substr(s, 3, j - 1)
			out = out (tty ? "\034B" text "\034N" : text)
			s = substr(s, j + 4)
		} else if (c == "*" && substr(s, 2, 1) != " " && (j = index(substr(s, 2), "*")) > 1) {
			text = substr(s, 2, j - 1)
			out = out (tty ? "\034U" text "\034N" : text)
			s = substr(s, j + 2)
		} else if (c == "[" && match(s, /^\[[^]]*\]\([^)]*\)/)) {
			rest = substr(s, 1, RLENGTH)
			i = index(rest, "](")
			out = out substr(rest, 2, i - 2) " (" substr(rest, i + 2, length(rest) - i - 2) ")"
			s = substr(s, RLENGTH + 1)
		} else {
			out = out c
			s = substr(s, 2)
		}
	}
	return out
}

function render_visible(s) {
	gsub(/\034[BUN]/, "", s)
	return length(s)
}

function render_escapes(s) {
	gsub(/\034B/, "\033[1m", s)
	gsub(/\034U/, "\033[4m", s)
	gsub(/\034N/, "\033[0m", s)
	return s
}

function render_flush(    text, n, w, i, cur, hang, pad, item) {
	if (render_para == "")
		return
	text = render_para
	render_para = ""
	hang = 0
	if (match(text, /^[ ]*([-*+]|[0-9]+\.) /)) {
		item = substr(text, 1, RLENGTH)
		sub(/^[ ]*/, "", item)
		hang = length(item)
	}
	sub(/^[ ]+/, "", text)
	text = render_inline(text)
	n = split(text, w, " ")
	pad = render_pad(indent)
	cur = ""
	for (i = 1; i <= n; i++) {
		if (w[i] == "")
			continue
		if (cur != "" && render_visible(cur) + 1 + render_visible(w[i]) > width - indent) {
			render_emit(pad render_escapes(cur))
			cur = render_pad(hang) w[i]
		} else {
			cur = cur == "" ? w[i] : cur " " w[i]
		}
	}
	if (cur != "")
		render_emit(pad render_escapes(cur))
}
