/* The opcode table, generated from vm/opcodes.def with an X-macro: one
 * row per opcode with its mnemonic and the kind of each operand field. */
#include "vm/opcodes.h"

#define KIND_X MMR_K_X
#define KIND_R MMR_K_R
#define KIND_W MMR_K_W
#define KIND_K MMR_K_K
#define KIND_J MMR_K_J
#define KIND_F MMR_K_F
#define KIND_L MMR_K_L
#define KIND_U MMR_K_U
#define KIND_Q MMR_K_Q
#define KIND_N MMR_K_N
#define KIND_C MMR_K_C
#define KIND_P MMR_K_P
#define KIND_D MMR_K_D

const mmr_opinfo mmr_opinfo_table[MMR_NOPCODES] = {
#define OP(name, mnem, m, a, b, c) \
    [MMR_I_##name] = { mnem, KIND_##m, KIND_##a, KIND_##b, KIND_##c },
#include "vm/opcodes.def"
#undef OP
};
