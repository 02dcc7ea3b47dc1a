/* Minimal unit-test helpers: each test binary prints failures with their
 * place and ends with "NAME: N passed, N failed". */
#ifndef MMR_T_H
#define MMR_T_H
#include <stdio.h>
#include <string.h>
#include <math.h>

static int t_passed, t_failed;

#define T_CHECK(cond) do { if (cond) t_passed++; else { t_failed++; \
    fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); } } while (0)
#define T_EQ_INT(a, b) do { long long _a = (long long)(a), _b = (long long)(b); \
    if (_a == _b) t_passed++; else { t_failed++; \
    fprintf(stderr, "%s:%d: %s == %s: got %lld, want %lld\n", __FILE__, __LINE__, #a, #b, _a, _b); } } while (0)
#define T_EQ_NUM(a, b) do { double _a = (a), _b = (b); \
    if (_a == _b || (isnan(_a) && isnan(_b))) t_passed++; else { t_failed++; \
    fprintf(stderr, "%s:%d: %s == %s: got %.17g, want %.17g\n", __FILE__, __LINE__, #a, #b, _a, _b); } } while (0)
#define T_EQ_STR(a, b) do { const char *_a = (a), *_b = (b); \
    if (_a && _b && strcmp(_a, _b) == 0) t_passed++; else { t_failed++; \
    fprintf(stderr, "%s:%d: %s == %s:\n  got:  %s\n  want: %s\n", __FILE__, __LINE__, #a, #b, \
            _a ? _a : "(null)", _b ? _b : "(null)"); } } while (0)

#define T_DONE(name) (printf("%s: %d passed, %d failed\n", name, t_passed, t_failed), t_failed ? 1 : 0)

#endif
