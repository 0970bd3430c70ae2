# tools/install.mk: `make install` installs the whole kit.
#
# Every tool of the kit finds what it needs relative to itself (the registry,
# the tables, the lab programs, the graded suite: $HERE/.. is the source or
# build tree). So the installed kit is one such tree, KITDIR: the lab
# programs and tools as built, and the texts, quizzes, tables, figures,
# skeleton sources and graded suite as in the source tree. The commands in
# $(bindir) are wrappers that run the kit's own copy; cowsample and cowmap
# are installed there as programs too (tools/cowsample.mk, tools/cowmap.mk).
kitdir = $(pkglibexecdir)
# The commands a user types, each a wrapper of tools/NAME in the kit.
KIT_COMMANDS = cowlab cowlab-tmux cowlab-quiz cowplot cowlab-grade cowlab-skel cowlab-expect
# The kit's files from the source tree (shell patterns, relative to it).
KIT_FILES = labs/*.md labs/*.tsv quiz/*.md media/*.png media/*.svg \
	support/cowlab.h support/*/*.c support/*/*.h support/*/expect.tsv \
	tools/*.awk tools/*.sh tools/plot/*.gp tools/plot/*.awk \
	tools/skel/FILES tools/skel/Makefile tools/skel/README.md \
	tests/grade/*.bash tests/grade/*.bats tests/grade/*.awk
# The kit's executable files from the source tree that no automake variable
# installs (the graded suite's own programs).
KIT_EXECUTABLES = tests/grade/framewatch

dist_noinst_SCRIPTS += tools/cowlab
dist_man_MANS += tools/cowlab.1 tools/cowlab-grade.1 tools/cowlab-skel.1 tools/cowlab-expect.1
TESTS += tests/cowlab.bats
EXTRA_DIST += tests/installcheck.sh tests/cowlab.bats

install-exec-local:
	@set -e; \
	for p in $(bin_PROGRAMS) $(noinst_PROGRAMS); do \
	  $(MKDIR_P) "$(DESTDIR)$(kitdir)/$${p%/*}"; \
	  $(INSTALL_PROGRAM) "$$p" "$(DESTDIR)$(kitdir)/$$p"; \
	done; \
	for s in $(dist_bin_SCRIPTS) $(dist_noinst_SCRIPTS); do \
	  case $$s in tests/* | tools/install-deps) continue ;; esac; \
	  $(MKDIR_P) "$(DESTDIR)$(kitdir)/$${s%/*}"; \
	  $(INSTALL_SCRIPT) "$(srcdir)/$$s" "$(DESTDIR)$(kitdir)/$$s"; \
	done; \
	for s in $(KIT_EXECUTABLES); do \
	  $(MKDIR_P) "$(DESTDIR)$(kitdir)/$${s%/*}"; \
	  $(INSTALL_SCRIPT) "$(srcdir)/$$s" "$(DESTDIR)$(kitdir)/$$s"; \
	done; \
	$(MKDIR_P) "$(DESTDIR)$(bindir)"; \
	for c in $(KIT_COMMANDS); do \
	  printf '#!/bin/sh\n# %s: the cowlab kit is in %s\nexec '\''%s/tools/%s'\'' "$$@"\n' \
	    "$$c" "$(kitdir)" "$(kitdir)" "$$c" > "$(DESTDIR)$(bindir)/$$c"; \
	  chmod 755 "$(DESTDIR)$(bindir)/$$c"; \
	done

install-data-local:
	@set -e; cd "$(srcdir)"; \
	for f in $(KIT_FILES); do \
	  test -f "$$f" || continue; \
	  $(MKDIR_P) "$(DESTDIR)$(kitdir)/$${f%/*}"; \
	  $(INSTALL_DATA) "$$f" "$(DESTDIR)$(kitdir)/$$f"; \
	done

uninstall-local:
	for c in $(KIT_COMMANDS); do rm -f "$(DESTDIR)$(bindir)/$$c"; done
	rm -rf "$(DESTDIR)$(kitdir)"

# The installed kit works with no build or source tree (make distcheck runs
# this on its own install; so can anyone after make install).
installcheck-local:
	$(SHELL) $(srcdir)/tests/installcheck.sh "$(bindir)"
