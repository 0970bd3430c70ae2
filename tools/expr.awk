# tools/expr.awk - the one evaluator of expressions in cowlab's data files:
# the bounds of the expectation tables (support/ID/expect.tsv) and the
# answers of quiz check blocks. Data is never handed to awk, a shell or
# gnuplot as code: an expression is parsed here, by a small grammar, over
# names whose values the caller gives.
#
# Load it with -f beside your own program (POSIX awk; mawk and gawk):
#   awk -f tools/expr.awk -f yours.awk
# and call
#   value = expr_eval(text, vars)      vars: an array name -> number
# After the call, expr_error is "" on success, else one line saying what
# is wrong ("unknown name 'X'", "expected ')' at ...").
#
# Grammar (C's precedence; comparisons and logic give 1 or 0):
#   or      := and { "||" and }
#   and     := cmp { "&&" cmp }
#   cmp     := sum [ ("<" | "<=" | ">" | ">=" | "==" | "!=") sum ]
#   sum     := product { ("+" | "-") product }
#   product := unary { ("*" | "/" | "%") unary }
#   unary   := ("-" | "!") unary | primary
#   primary := NUMBER | NAME | FUNC "(" or { "," or } ")" | "(" or ")"
#   NUMBER  := digits [ "." digits ]        NAME := letter { letter | digit | "_" }
#   FUNC    := min | max | floor | ceil     ("/" divides exactly: floor() it)

function expr_eval(text, vars,    value) {
	expr_error = ""
	expr_ntok = 0
	if (!expr_tokenize(text))
		return ""
	if (expr_ntok == 0) {
		expr_error = "empty expression"
		return ""
	}
	expr_pos = 1
	value = expr_or(vars)
	if (expr_error == "" && expr_pos <= expr_ntok)
		expr_fail("unexpected '" expr_tok[expr_pos] "'")
	return expr_error == "" ? value : ""
}

function expr_fail(why) {
	if (expr_error == "")
		expr_error = why
}

# Split text into expr_tok[1..expr_ntok]; 0 (and expr_error) on a bad character.
function expr_tokenize(text,    c, two, m) {
	while (text != "") {
		c = substr(text, 1, 1)
		two = substr(text, 1, 2)
		if (c == " " || c == "\t") {
			text = substr(text, 2)
			continue
		}
		if (match(text, /^[0-9]+(\.[0-9]+)?/) || match(text, /^[A-Za-z_][A-Za-z0-9_]*/)) {
			m = RLENGTH
		} else if (two == "||" || two == "&&" || two == "<=" || two == ">=" || two == "==" || two == "!=") {
			m = 2
		} else if (index("+-*/%()<>!,", c) > 0) {
			m = 1
		} else {
			expr_error = "character '" c "' is not part of an expression"
			return 0
		}
		expr_tok[++expr_ntok] = substr(text, 1, m)
		text = substr(text, m + 1)
	}
	return 1
}

function expr_peek() {
	return expr_pos <= expr_ntok ? expr_tok[expr_pos] : ""
}

function expr_or(vars,    v, r) {
	v = expr_and(vars)
	while (expr_error == "" && expr_peek() == "||") {
		expr_pos++
		r = expr_and(vars)
		v = (v != 0 || r != 0) ? 1 : 0
	}
	return v
}

function expr_and(vars,    v, r) {
	v = expr_cmp(vars)
	while (expr_error == "" && expr_peek() == "&&") {
		expr_pos++
		r = expr_cmp(vars)
		v = (v != 0 && r != 0) ? 1 : 0
	}
	return v
}

function expr_cmp(vars,    v, op, r) {
	v = expr_sum(vars)
	op = expr_peek()
	if (expr_error == "" && (op == "<" || op == "<=" || op == ">" || op == ">=" || op == "==" || op == "!=")) {
		expr_pos++
		r = expr_sum(vars)
		if (op == "<") v = (v < r)
		else if (op == "<=") v = (v <= r)
		else if (op == ">") v = (v > r)
		else if (op == ">=") v = (v >= r)
		else if (op == "==") v = (v == r)
		else v = (v != r)
	}
	return v
}

function expr_sum(vars,    v, op) {
	v = expr_product(vars)
	while (expr_error == "" && ((op = expr_peek()) == "+" || op == "-")) {
		expr_pos++
		if (op == "+") v += expr_product(vars)
		else v -= expr_product(vars)
	}
	return v
}

function expr_product(vars,    v, op, r) {
	v = expr_unary(vars)
	while (expr_error == "" && ((op = expr_peek()) == "*" || op == "/" || op == "%")) {
		expr_pos++
		r = expr_unary(vars)
		if (op == "*") {
			v *= r
		} else if (r == 0) {
			expr_fail("division by zero")
		} else if (op == "/") {
			v /= r
		} else {
			v %= r
		}
	}
	return v
}

function expr_unary(vars,    op) {
	op = expr_peek()
	if (op == "-") {
		expr_pos++
		return -expr_unary(vars)
	}
	if (op == "!") {
		expr_pos++
		return expr_unary(vars) == 0 ? 1 : 0
	}
	return expr_primary(vars)
}

function expr_primary(vars,    t, v, args, n) {
	t = expr_peek()
	if (t == "") {
		expr_fail("expression ends too early")
		return 0
	}
	expr_pos++
	if (t ~ /^[0-9]/)
		return t + 0
	if (t == "(") {
		v = expr_or(vars)
		expr_expect(")")
		return v
	}
	if (t ~ /^[A-Za-z_]/) {
		if (expr_peek() == "(" && (t == "min" || t == "max" || t == "floor" || t == "ceil")) {
			expr_pos++
			n = 0
			args[++n] = expr_or(vars)
			while (expr_error == "" && expr_peek() == ",") {
				expr_pos++
				args[++n] = expr_or(vars)
			}
			expr_expect(")")
			return expr_call(t, args, n)
		}
		if (!(t in vars)) {
			expr_fail("unknown name '" t "'")
			return 0
		}
		return vars[t] + 0
	}
	expr_fail("unexpected '" t "'")
	return 0
}

function expr_expect(t) {
	if (expr_error != "")
		return
	if (expr_peek() != t)
		expr_fail("expected '" t "'" (expr_peek() == "" ? " at the end" : " before '" expr_peek() "'"))
	else
		expr_pos++
}

function expr_call(name, args, n,    v, i) {
	if (expr_error != "")
		return 0
	if (name == "floor" || name == "ceil") {
		if (n != 1) {
			expr_fail(name "() takes one value")
			return 0
		}
		v = int(args[1])
		if (name == "floor" && v > args[1]) v--
		if (name == "ceil" && v < args[1]) v++
		return v
	}
	v = args[1]
	for (i = 2; i <= n; i++) {
		if (name == "min" && args[i] < v) v = args[i]
		if (name == "max" && args[i] > v) v = args[i]
	}
	return v
}
