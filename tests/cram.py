#!/usr/bin/env python3
"""Golden command tests, cram style.

A .t file holds commands and their exact output (stdout and stderr merged):

    Prose lines are comments.
      $ mmr check bad.mmr
      bad.mmr:3:5: error: unknown signal "dinning_txn_7d"
      [1]

Indented two spaces: "$ " starts a command, "> " continues it, anything
else is expected output; "[N]" is a non-zero exit status. A line ending in
" (re)" is a regular expression. Commands run in the .t file's directory
with `mmr` on PATH (the binary under test) and TESTTMP set to a fresh
scratch directory. --update rewrites the files with the actual output.

tests/pg/cram.sh runs the same files against PostgreSQL (CRAM_BACKEND=pg,
shims of mmr and sqlite3 first on PATH). There a command whose first line
ends with "# sqlite output: WHY" still runs, for the state the next
commands need, but its output is not compared, and one ending with
"# sqlite only: WHY" is not run at all: they show what only SQLite has
(its rollup cache, its file locks and permissions, untyped columns).
"""
import os, re, subprocess, sys, tempfile, shutil

def parse(path):
    items = []  # ('text', line) | ('cmd', [cmdlines], [expected])
    with open(path, encoding='utf-8') as f:
        lines = f.read().split('\n')
    if lines and lines[-1] == '':
        lines.pop()
    i = 0
    while i < len(lines):
        ln = lines[i]
        if ln.startswith('  $ '):
            cmd = [ln[4:]]
            i += 1
            while i < len(lines) and lines[i].startswith('  > '):
                cmd.append(lines[i][4:]); i += 1
            exp = []
            while i < len(lines) and lines[i].startswith('  ') and not lines[i].startswith('  $ '):
                exp.append(lines[i][2:]); i += 1
            items.append(('cmd', cmd, exp))
        else:
            items.append(('text', ln)); i += 1
    return items

def matches(exp, got):
    if exp.endswith(' (re)'):
        try:
            return re.fullmatch(exp[:-5], got) is not None
        except re.error:
            return False
    return exp == got

def run_file(path, bindir, update, timeout):
    items = parse(path)
    tmp = tempfile.mkdtemp(prefix='mmrt-')
    env = dict(os.environ)
    env['PATH'] = bindir + os.pathsep + env.get('PATH', '')
    # tests/pg/cram.sh: shims of mmr and sqlite3 that go to PostgreSQL
    if env.get('CRAM_PATH_FIRST'):
        env['PATH'] = env['CRAM_PATH_FIRST'] + os.pathsep + env['PATH']
    env['TESTTMP'] = tmp
    env['CRAM_FILE'] = path
    env['TZ'] = 'UTC'
    env['LC_ALL'] = 'C.UTF-8'
    env.pop('MMR_COLOR', None)
    env.pop('CLICOLOR_FORCE', None)   # goldens are uncoloured (not a terminal)
    passed = failed = skipped = 0
    backend = env.get('CRAM_BACKEND', 'sqlite')
    out_lines = []
    cwd = os.path.dirname(os.path.abspath(path))
    for it in items:
        if it[0] == 'text':
            out_lines.append(it[1]); continue
        _, cmd, exp = it
        if backend == 'pg' and SQLITE_ONLY.search(cmd[0]):
            skipped += 1
            out_lines.append('  $ ' + cmd[0])
            out_lines.extend('  > ' + c for c in cmd[1:])
            out_lines.extend('  ' + e for e in exp)
            continue
        script = '\n'.join(cmd)
        try:
            p = subprocess.run(['/bin/bash', '-c', script], cwd=cwd, env=env,
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, timeout=timeout)
            got = p.stdout.decode('utf-8', 'backslashreplace').split('\n')
            if got and got[-1] == '':
                got.pop()
            if p.returncode != 0:
                got.append('[%d]' % p.returncode)
        except subprocess.TimeoutExpired:
            got = ['TIMEOUT after %ds' % timeout]
        ok = len(got) == len(exp) and all(matches(e, g) for e, g in zip(exp, got))
        if not ok and backend == 'pg' and SQLITE_OUTPUT.search(cmd[0]):
            skipped += 1
            out_lines.append('  $ ' + cmd[0])
            out_lines.extend('  > ' + c for c in cmd[1:])
            out_lines.extend('  ' + e for e in exp)
            continue
        if ok:
            passed += 1
        else:
            failed += 1
            print('FAIL %s: $ %s' % (path, cmd[0]))
            import difflib
            for d in difflib.unified_diff(exp, got, 'expected', 'actual', lineterm='', n=2):
                print('    ' + d)
        out_lines.append('  $ ' + cmd[0])
        out_lines.extend('  > ' + c for c in cmd[1:])
        if ok:
            out_lines.extend('  ' + e for e in exp)
        else:
            out_lines.extend('  ' + g for g in got)
    shutil.rmtree(tmp, ignore_errors=True)
    if update and failed:
        with open(path, 'w', encoding='utf-8') as f:
            f.write('\n'.join(out_lines) + '\n')
    return passed, failed, skipped

SQLITE_ONLY = re.compile(r'#\s*sqlite only\b')
SQLITE_OUTPUT = re.compile(r'#\s*sqlite output\b')

def main():
    args = sys.argv[1:]
    update = '--update' in args
    args = [a for a in args if a != '--update']
    mmr = os.path.abspath(os.environ.get('MMR', 'build/mmr'))
    bindir = tempfile.mkdtemp(prefix='mmrbin-')
    os.symlink(mmr, os.path.join(bindir, 'mmr'))
    files = []
    for a in args or ['tests/cli']:
        if os.path.isdir(a):
            for root, _, names in os.walk(a):
                files += [os.path.join(root, n) for n in names if n.endswith('.t')]
        else:
            files.append(a)
    total_p = total_f = total_s = 0
    for f in sorted(files):
        p, fl, sk = run_file(f, bindir, update, int(os.environ.get('CRAM_TIMEOUT', '120')))
        total_p += p; total_f += fl; total_s += sk
    shutil.rmtree(bindir, ignore_errors=True)
    if total_s:
        print('cram: %d commands marked "# sqlite only" or "# sqlite output" not compared' % total_s)
    print('cram: %d passed, %d failed' % (total_p, total_f))
    sys.exit(1 if total_f else 0)

if __name__ == '__main__':
    main()
