/* A compiled ruleset: everything `eval`, `run` and `disasm` need, and
 * exactly what a .mmrc file stores. Built by the compiler or the .mmrc
 * loader; all strings and arrays live in the program's arena. */
#ifndef MMR_PROGRAM_H
#define MMR_PROGRAM_H
#include <stdint.h>
#include <stddef.h>
#include "util/arena.h"
#include "util/diag.h"
#include "vm/value.h"
#include "vm/opcodes.h"

/* Limits the compiler enforces and the verifier checks again. One rule
 * index must fit the 16-bit operand of FIRE (vm/opcodes.def). */
#define MMR_MAX_RULES 65535u
#define MMR_MAX_NUDGES 1000000     /* max_nudges is 1..this (grammar/parser.y) */

typedef struct mmr_slot {        /* one input register: a signal or trait */
    const char *name;
    uint8_t type;                /* mmr_type from compiler/ast.h */
    uint8_t is_trait;
} mmr_slot;

typedef struct mmr_prog_template {
    const char *id, *title, *body, *tone, *category;  /* NULL when absent */
} mmr_prog_template;

typedef struct mmr_prog_rule {
    const char *name;
    const char *description;     /* may be NULL */
    const char *category;        /* resolved: the rule's or the template's */
    int32_t  priority;
    int64_t  cooldown_s;
    uint32_t template_index;
    /* FIRE passes nargs values; arg_names[i] names the placeholder filled
     * by value i (a `with` binding, or a signal/trait of that name). */
    uint32_t nargs;
    const char **arg_names;
    const char *file; int line, col;   /* declaration place, for messages */
} mmr_prog_rule;

/* Where a traced condition sits. *_LEAF: one condition under and/or/not
 * (a comparison, in, between, is missing, a bool call, name or quantifier);
 * *_ALL: the whole `when`, `audience` or let expression. */
typedef enum mmr_cond_part {
    MMR_COND_WHEN_LEAF, MMR_COND_AUDIENCE_LEAF, MMR_COND_LET_LEAF,
    MMR_COND_WHEN_ALL, MMR_COND_AUDIENCE_ALL, MMR_COND_LET_ALL,
    /* Explain details, traced inside a condition (not counted by coverage):
     * KEY, one quantifier step (operand: the key; value: the predicate's
     * truth; text: the variable's name); INNER_LEAF, a condition inside a
     * quantifier's predicate; CALL, a builtin call (value: its result;
     * operands: its first three arguments). Details are numbered in
     * pre-order (a detail before those inside it) and traced in post-order;
     * cli/eval_explain.c rebuilds the tree from that. */
    MMR_COND_KEY, MMR_COND_INNER_LEAF, MMR_COND_CALL
} mmr_cond_part;
#define MMR_COND_IS_DETAIL(part) ((part) >= MMR_COND_KEY)

typedef struct mmr_prog_cond {   /* one explained condition (TRACE) */
    uint32_t rule;               /* rule index, or UINT32_MAX for a let */
    uint32_t let;                /* let index when rule == UINT32_MAX */
    const char *text;            /* canonical source text: "dining_txn_7d >= 3" */
    const char *file; int line, col;
    uint8_t part;                /* mmr_cond_part */
} mmr_prog_cond;

typedef struct mmr_prog_policy {
    int32_t max_nudges;          /* default 1 */
    int64_t window_s;            /* default 86400 */
    int32_t quiet_start_min;     /* -1 = no quiet hours */
    int32_t quiet_end_min;
    const char *timezone;        /* default "UTC" */
    /* ISO 4217 code for {x:money}; NULL when the policy sets none or sets
     * "INR" (the default), so those programs keep their .mmrc bytes */
    const char *currency;
    const char **categories;     /* resolved list (defaults filled in) */
    uint32_t ncategories;
} mmr_prog_policy;

typedef struct mmr_code {
    mmr_insn *insns;
    uint32_t n;
} mmr_code;

typedef struct mmr_program {
    mmr_arena arena;
    mmr_slot *slots;             uint32_t nslots;   /* signals first, then traits */
    const char **let_names;      uint32_t nlets;
    mmr_value *consts;           uint32_t nconsts;
    mmr_prog_template *templates; uint32_t ntemplates;
    mmr_prog_rule *rules;        uint32_t nrules;   /* sorted by name */
    mmr_prog_cond *conds;        uint32_t nconds;
    mmr_prog_policy policy;
    uint32_t nregs;              /* >= nslots + nlets */
    uint32_t max_call_depth;     /* deepest let nesting, for the return stack */
    /* code[0]: the fast code. code[1]: the same rules with TRACE after
     * every condition and no short-circuit, for --explain and coverage. */
    mmr_code code[2];
    /* rule evaluation order for selection: indexes by priority desc, name asc */
    uint32_t *by_priority;
} mmr_program;

mmr_program *mmr_program_new(void);
void mmr_program_free(mmr_program *p);
/* Slot index by name, or -1. Linear is fine: called once per schema. */
int mmr_program_find_slot(const mmr_program *p, const char *name);
int mmr_program_find_rule(const mmr_program *p, const char *name);
/* Fill by_priority from rules (priority desc, then name asc). */
int mmr_program_order_rules(mmr_program *p);

/* .mmrc files: magic "MMRC", format version, SHA-256-free FNV checksum
 * over the payload. load verifies everything (mmr_verify) before return. */
int mmr_program_save(const mmr_program *p, const char *path, mmr_diags *d);
int mmr_program_write(const mmr_program *p, unsigned char **out, size_t *len);
mmr_program *mmr_program_load(const char *path, mmr_diags *d);
mmr_program *mmr_program_read(const unsigned char *buf, size_t len, const char *name, mmr_diags *d);

/* Structural checks of a program, whatever its origin: operand kinds and
 * ranges from opcodes.def, jump targets, let graph, register layout. */
int mmr_verify(const mmr_program *p, const char *name, mmr_diags *d);

/* A policy time zone name as the checker accepts it: non-empty, letters,
 * digits and / _ - + (whether the zone exists is the engine's question). */
int mmr_timezone_name_ok(const char *z);

/* Readable listing (mmr disasm). */
void mmr_disasm(const mmr_program *p, int which_code, void *FILE_out);

#endif
