#!/usr/bin/env python3
"""Check that the Examples section of docs/signals.md shows exactly what
mmr prints and quotes the example ruleset as it is.

Usage: doc_check.py DOC.md REPO_ROOT

Only the lines from `## Examples` to the next `## ` heading are read. In a
scratch directory holding a copy of REPO_ROOT/docs/examples, in order:
- a ```console block is a list of commands (`$ ` lines; a line ending in
  a backslash continues on the next one), each followed by its exact
  output (stdout and stderr merged; `[N]` for a non-zero exit status, as
  in tests/cram.py);
- a ```mmr block must appear, line for line, in one of the example
  rulesets (docs/examples/signals/*.mmr).
The commands run with the `mmr` found on PATH. Prints
"doc: N passed, N failed" and the differences.
"""
import difflib, glob, os, shutil, subprocess, sys, tempfile

doc, root = sys.argv[1], sys.argv[2]
lines = open(doc, encoding='utf-8').read().split('\n')
try:
    start = lines.index('## Examples')
except ValueError:
    print('FAIL %s: no "## Examples" section' % doc)
    print('doc: 0 passed, 1 failed')
    sys.exit(1)
end = next((k for k in range(start + 1, len(lines)) if lines[k].startswith('## ')), len(lines))
lines = lines[start:end]

work = tempfile.mkdtemp(prefix='mmrdoc-')
shutil.copytree(os.path.join(root, 'docs', 'examples'), os.path.join(work, 'docs', 'examples'))
rulesets = {p: open(p, encoding='utf-8').read().split('\n')
            for p in sorted(glob.glob(os.path.join(root, 'docs', 'examples', 'signals', '*.mmr')))}
env = dict(os.environ, TZ='UTC', LC_ALL='C.UTF-8')
passed = failed = 0

def contains(hay, needle):
    n = len(needle)
    return any(hay[k:k + n] == needle for k in range(len(hay) - n + 1))

i = 0
while i < len(lines):
    if not lines[i].startswith('```'):
        i += 1; continue
    lang = lines[i][3:].strip()
    body = []
    i += 1
    while i < len(lines) and not lines[i].startswith('```'):
        body.append(lines[i]); i += 1
    i += 1
    if lang == 'mmr':
        if any(contains(text, body) for text in rulesets.values()):
            passed += 1
        else:
            failed += 1
            print('FAIL %s: an mmr block is not in any example ruleset:' % doc)
            for b in body[:3]:
                print('    ' + b)
        continue
    if lang != 'console':
        continue
    j = 0
    while j < len(body):
        if not body[j].startswith('$ '):
            j += 1; continue
        cmd = body[j][2:]; j += 1
        while cmd.endswith('\\') and j < len(body):
            cmd = cmd[:-1] + ' ' + body[j].strip(); j += 1
        exp = []
        while j < len(body) and not body[j].startswith('$ '):
            exp.append(body[j]); j += 1
        while exp and exp[-1] == '':
            exp.pop()
        p = subprocess.run(['/bin/bash', '-c', cmd], cwd=work, env=env,
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=120)
        got = p.stdout.decode('utf-8', 'backslashreplace').split('\n')
        if got and got[-1] == '':
            got.pop()
        if p.returncode:
            got.append('[%d]' % p.returncode)
        if got == exp:
            passed += 1
        else:
            failed += 1
            print('FAIL %s: $ %s' % (doc, cmd))
            for d in difflib.unified_diff(exp, got, 'doc', 'actual', lineterm='', n=1):
                print('    ' + d)
shutil.rmtree(work, ignore_errors=True)
print('doc: %d passed, %d failed' % (passed, failed))
sys.exit(1 if failed else 0)
