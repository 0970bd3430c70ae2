noinst_PROGRAMS += support/ksm/ksm
support_ksm_ksm_SOURCES = support/ksm/ksm.c

EXTRA_DIST += labs/ksm.md support/ksm/expect.tsv
TESTS += tests/ksm.bats
EXTRA_DIST += tests/ksm.bats

# make bench: a write to a merged page against one to a page already ours,
# the same run, five runs (root: KSM is switched on by the lab).
BENCH_TARGETS += bench-ksm
bench-ksm: support/ksm/ksm
	@echo "== ksm: ns per write, merged page (copy-on-write) against a private page, 5 runs"
	@for i in 1 2 3 4 5; do support/ksm/ksm --batch -n 4096 -w 1024; done | \
		$(AWK) '/^ksm: skipped/ { print; skipped = 1; exit } \
			/^cost:/ { split($$2, m, "="); split($$3, p, "="); r[++n] = m[2] / p[2]; \
				printf "merged %s ns, private %s ns: %.0fx\n", m[2], p[2], r[n] } \
			END { if (!skipped && n) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) \
				if (r[j] < r[i]) { t = r[i]; r[i] = r[j]; r[j] = t } \
				printf "median ratio merged/private: %.0fx\n", r[int((n + 1) / 2)] } }'
