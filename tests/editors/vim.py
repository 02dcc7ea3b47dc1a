#!/usr/bin/env python3
"""Checks editors/vim/syntax/mmr.vim against the annotated TextMate cases
(tests/editors/cases/*.test.mmr): vim opens each case file with
editors/vim on its runtimepath (so ftdetect must pick the file type), dumps
the syntax groups at every character, and each annotation's scope must map
to the vim group found there. Prints one FAIL line per miss and
"N passed, N failed"."""
import glob
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
# TextMate scope (most specific first) -> vim group that must be on the stack
GROUPS = [
    ('punctuation.definition.string', 'mmrString'),
    ('punctuation.definition.comment', 'mmrComment'),
    ('meta.placeholder', 'mmrPlaceholder'),
    ('variable.other.placeholder', 'mmrPlaceholder'),
    ('support.function.format', 'mmrPlaceholder'),
    ('constant.character.escape', 'mmrEscape'),
    ('string.quoted.double', 'mmrString'),
    ('comment.line', 'mmrComment'),
    ('storage.type', 'mmrDeclaration'),
    ('entity.name.function', 'mmrDeclName'),
    ('constant.numeric.duration', 'mmrDuration'),
    ('constant.numeric.time', 'mmrTime'),
    ('constant.numeric.percentage', 'mmrPercentage'),
    ('constant.numeric.mmr', 'mmrNumber'),
    ('constant.language.boolean', 'mmrBoolean'),
    ('keyword.operator.word', 'mmrOperatorWord'),
    ('keyword.operator', 'mmrOperator'),
    ('keyword.other.field', 'mmrField'),
    ('keyword.other.mmr', 'mmrKeyword'),
    ('support.type', 'mmrType'),
    ('support.function.builtin', 'mmrFunction'),
    ('invalid.illegal.number', 'mmrBadNumber'),
    ('invalid.illegal.operator', 'mmrOtherLang'),
    ('punctuation.separator.colon', None),
]
ANN = re.compile(r'^#(\s*)(\^+|<-+)\s+(.*)$')


def vim_groups(path, tmp):
    """{(line, col): [group, ...]} for every character of the file."""
    out = os.path.join(tmp, 'syn.txt')
    script = os.path.join(tmp, 'dump.vim')
    with open(script, 'w') as f:
        f.write('\n'.join([
            'set nocompatible',
            'let &runtimepath = "%s," . &runtimepath' % os.path.join(ROOT, 'editors/vim'),
            'filetype on', 'syntax on',
            'edit %s' % path,
            'let out = ["filetype " . &filetype]',
            'for l in range(1, line("$"))',
            '  for c in range(1, len(getline(l)))',
            '    call add(out, l . " " . c . " " . join(map(synstack(l, c), "synIDattr(v:val, \\"name\\")"), " "))',
            '  endfor',
            'endfor',
            'call writefile(out, "%s")' % out,
            'qa!', '']))
    subprocess.run(['vim', '-Nu', 'NONE', '-i', 'NONE', '-es', '-S', script],
                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
    groups, ft = {}, None
    for ln in open(out, encoding='utf-8'):
        parts = ln.split()
        if parts[0] == 'filetype':
            ft = parts[1] if len(parts) > 1 else ''
            continue
        groups[(int(parts[0]), int(parts[1]))] = parts[2:]
    return ft, groups


def main():
    passed = failed = 0
    cases = sorted(glob.glob(os.path.join(HERE, 'cases', '*.test.mmr')))
    with tempfile.TemporaryDirectory() as tmp:
        for case in cases:
            rel = os.path.relpath(case, ROOT)
            ft, groups = vim_groups(case, tmp)
            if ft != 'mmr':
                failed += 1
                print('FAIL %s: filetype is %r, not mmr (editors/vim/ftdetect)' % (rel, ft))
                continue
            src = 0
            for n, line in enumerate(open(case, encoding='utf-8').read().split('\n'), 1):
                m = ANN.match(line) if n > 1 else None
                if not m:
                    src = n
                    continue
                marks, scopes = m.group(2), m.group(3).split()
                if marks.startswith('<'):
                    cols = range(1, len(marks))            # "<--": from column 1
                else:
                    start = 1 + len(m.group(1)) + 1        # "#" then the blanks
                    cols = range(start, start + len(marks))
                negate = scopes[:1] == ['-']
                for scope in scopes[1:] if negate else scopes:
                    want = next((g for p, g in GROUPS if scope.startswith(p)), 'unmapped')
                    if want is None:
                        continue
                    bad = [c for c in cols if (want in groups.get((src, c), [])) == negate]
                    if want != 'unmapped' and not bad:
                        passed += 1
                    else:
                        failed += 1
                        print('FAIL %s:%d:%d: %s%s (vim %s) but vim has %s' % (
                            rel, src, bad[0] if bad else 0, '- ' if negate else '', scope, want,
                            ' '.join(groups.get((src, bad[0] if bad else 0), [])) or 'nothing'))
    print('%d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
