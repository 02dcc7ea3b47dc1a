/* Fuzz the .mmrc reader. Each input is read twice: as it is (header,
 * checksum and all), and with the header's length and checksum fixed up
 * so that mutations reach the payload parser and the verifier. Whatever is
 * accepted must also run on the VM, disassemble, and write back to the
 * same bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vm/program.h"
#include "vm/vm.h"
#include "compiler/ast.h"

static uint64_t fnv(const unsigned char *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) { h ^= p[i]; h *= 0x100000001b3ull; }
    return h;
}

static void exercise(const unsigned char *data, size_t size)
{
    mmr_diags d;
    mmr_diags_init(&d);
    mmr_program *p = mmr_program_read(data, size, "fuzz.mmrc", &d);
    if (!p) {
        if (d.errors == 0) abort();           /* a rejection must say why */
        mmr_diags_free(&d);
        return;
    }
    if (d.errors) abort();
    mmr_diags_free(&d);

    unsigned char *out = NULL;
    size_t n = 0;
    if (mmr_program_write(p, &out, &n) == 0) {
        if (n != size || memcmp(out, data, n) != 0) abort();   /* canonical */
        free(out);
    }
    mmr_vm vm;
    if (mmr_vm_init(&vm, p) == 0) {
        for (int traced = 0; traced < 2; traced++) {
            mmr_vm_clear_inputs(&vm);
            (void)mmr_vm_run(&vm, traced);
            for (uint32_t i = 0; i < p->nslots; i++)
                if (p->slots[i].type == MMR_T_NUMBER) vm.regs[i] = mmr_v_num((double)i);
                else if (p->slots[i].type == MMR_T_BOOL) vm.regs[i] = mmr_v_bool((int)(i & 1));
            (void)mmr_vm_run(&vm, traced);
        }
        mmr_vm_free(&vm);
    }
    FILE *devnull = fopen("/dev/null", "w");
    if (devnull) { mmr_disasm(p, -1, devnull); fclose(devnull); }
    mmr_program_free(p);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    exercise(data, size);
    if (size >= 24) {
        unsigned char *c = malloc(size);
        if (!c) return 0;
        memcpy(c, data, size);
        uint64_t plen = size - 24, sum = fnv(c + 24, size - 24);
        for (int i = 0; i < 8; i++) {
            c[8 + i] = (unsigned char)(plen >> (8 * i));
            c[16 + i] = (unsigned char)(sum >> (8 * i));
        }
        exercise(c, size);
        free(c);
    }
    return 0;
}
