/* copy_bench.h - the other ways to copy (copy_methods.c), for copy_bench.c. */
#ifndef COPY_BENCH_H
#define COPY_BENCH_H

struct copy;
enum method { METHOD_MMAP, METHOD_READ, METHOD_COPY_FILE_RANGE, METHOD_SENDFILE };
int method_by_name(const char *name);
const char *method_name(int method);
void copy_by_method(struct copy *c, int method);

#endif
