/* Opcodes, generated from opcodes.def. Enumerators are MMR_I_<NAME>
 * (instruction), not MMR_OP_*: compiler/ast.h's mmr_op owns that prefix. */
#ifndef MMR_OPCODES_H
#define MMR_OPCODES_H
#include <stdint.h>

typedef enum mmr_opcode {
#define OP(name, mnem, m, a, b, c) MMR_I_##name,
#include "vm/opcodes.def"
#undef OP
    MMR_NOPCODES
} mmr_opcode;

/* Operand kinds, as letters in opcodes.def. */
typedef enum mmr_operand_kind {
    MMR_K_X, MMR_K_R, MMR_K_W, MMR_K_K, MMR_K_J, MMR_K_F, MMR_K_L, MMR_K_U,
    MMR_K_Q, MMR_K_N, MMR_K_C, MMR_K_P, MMR_K_D
} mmr_operand_kind;

typedef struct mmr_opinfo {
    const char *mnemonic;
    uint8_t m, a, b, c;   /* mmr_operand_kind of each field */
} mmr_opinfo;

extern const mmr_opinfo mmr_opinfo_table[MMR_NOPCODES];

/* Comparison codes (the m field of CMP/CMPK, low 4 bits of JCMPK). */
typedef enum mmr_cmp { MMR_CMP_EQ, MMR_CMP_NE, MMR_CMP_LT, MMR_CMP_LE, MMR_CMP_GT, MMR_CMP_GE, MMR_NCMP } mmr_cmp;
/* Jump polarities: jump when the truth value is / is not TRUE / FALSE. */
typedef enum mmr_pol { MMR_POL_TRUE, MMR_POL_FALSE, MMR_POL_NOT_TRUE, MMR_POL_NOT_FALSE, MMR_NPOL } mmr_pol;

typedef struct mmr_insn {
    uint8_t  op;
    uint8_t  m;
    uint16_t a;
    uint32_t b;
    uint32_t c;
} mmr_insn;

#endif
