#!/usr/bin/env python3
"""Check an lcov tracefile of `mmr test --coverage-format lcov` (lcov.t).

Reads FILE (or stdin for "-" / no argument). Fails (exit 1, a line on
stderr) unless every record is TN:, SF:<existing file>, FN/FNDA/FNF/FNH,
BRDA/BRF/BRH, DA/LF/LH lines in that order and closed by end_of_record,
with the summary counts (FNF, FNH, BRF, BRH, LF, LH) equal to the counts of
their lines and every line number inside its file. Then prints the totals
in the words of the text coverage report: rules fired (FNH/FNF) and
conditions seen true and false (BRDA blocks with both branches taken).
"""
import os, re, sys

ORDER = ['TN', 'SF', 'FN', 'FNDA', 'FNF', 'FNH', 'BRDA', 'BRF', 'BRH', 'DA', 'LF', 'LH']

def fail(msg):
    sys.stderr.write('check_lcov: %s\n' % msg)
    sys.exit(1)

def main():
    path = sys.argv[1] if len(sys.argv) > 1 else '-'
    text = sys.stdin.read() if path == '-' else open(path).read()
    if not text.endswith('end_of_record\n'):
        fail('the last record is not closed')
    rec, stage, files = None, -1, 0
    tot = {'fn': 0, 'fnh': 0, 'conds': 0, 'both': 0}
    for ln in text.split('\n')[:-1]:
        if ln == 'end_of_record':
            if rec is None or stage < ORDER.index('LH'):
                fail('end_of_record before LH')
            rec, stage = None, -1
            continue
        key, _, val = ln.partition(':')
        if key not in ORDER:
            fail('unknown line %r' % ln)
        if ORDER.index(key) < stage:
            fail('%s after %s' % (key, ORDER[stage]))
        stage = ORDER.index(key)
        if key == 'TN':
            rec = {'fn': [], 'fnda': {}, 'brda': {}, 'da': {}}
        elif rec is None:
            fail('%s outside a record' % key)
        elif key == 'SF':
            if not os.path.isfile(val):
                fail('SF %s: no such file' % val)
            rec['lines'] = open(val, encoding='utf-8').read().count('\n')
            files += 1
        elif key == 'FN':
            m = re.fullmatch(r'([0-9]+),([A-Za-z_][A-Za-z0-9_]*)', val) or fail('bad FN %r' % val)
            rec['fn'].append(m.group(2))
        elif key == 'FNDA':
            m = re.fullmatch(r'([0-9]+),(.+)', val) or fail('bad FNDA %r' % val)
            rec['fnda'][m.group(2)] = int(m.group(1))
        elif key == 'BRDA':
            m = re.fullmatch(r'([0-9]+),([0-9]+),([01]),([0-9]+|-)', val) or fail('bad BRDA %r' % val)
            k = (int(m.group(1)), int(m.group(2)))
            rec['brda'].setdefault(k, {})[int(m.group(3))] = 0 if m.group(4) == '-' else int(m.group(4))
        elif key == 'DA':
            m = re.fullmatch(r'([0-9]+),([0-9]+)', val) or fail('bad DA %r' % val)
            rec['da'][int(m.group(1))] = int(m.group(2))
        else:
            n = int(val)
            want = {'FNF': len(rec['fn']), 'FNH': sum(1 for v in rec['fnda'].values() if v > 0),
                    'BRF': 2 * len(rec['brda']),
                    'BRH': sum(1 for b in rec['brda'].values() for v in b.values() if v > 0),
                    'LF': len(rec['da']), 'LH': sum(1 for v in rec['da'].values() if v > 0)}[key]
            if n != want:
                fail('%s:%d but %d counted' % (key, n, want))
            if key == 'LH':
                for line in [k[0] for k in rec['brda']] + list(rec['da']):
                    if not 1 <= line <= rec['lines']:
                        fail('line %d outside the file' % line)
                if sorted(set(k[0] for k in rec['brda'])) != sorted(rec['da']):
                    fail('DA lines are not the lines of the conditions')
                if set(rec['fn']) != set(rec['fnda']):
                    fail('FN and FNDA name different rules')
                tot['fn'] += len(rec['fn'])
                tot['fnh'] += sum(1 for v in rec['fnda'].values() if v > 0)
                tot['conds'] += len(rec['brda'])
                tot['both'] += sum(1 for b in rec['brda'].values() if b.get(0) and b.get(1))
    print('files: %d' % files)
    print('rules fired: %d/%d' % (tot['fnh'], tot['fn']))
    print('conditions seen true and false: %d/%d' % (tot['both'], tot['conds']))

main()
