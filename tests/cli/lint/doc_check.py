#!/usr/bin/env python3
"""Check that a walk-through document shows exactly what mmr prints.

Usage: doc_check.py DOC.md REPO_ROOT

In a scratch copy of REPO_ROOT/rules, in document order:
- a fenced block right after a line `<!-- file: PATH -->` is written to PATH;
- a ```console block is a list of commands (`$ ` lines) each followed by
  its exact output (stdout and stderr merged); a `[N]` line is a non-zero
  exit status, as in tests/cram.py.
The commands run with the `mmr` found on PATH. Prints
"doc: N passed, N failed" and the differences.
"""
import os, re, shutil, subprocess, sys, tempfile, difflib

doc, root = sys.argv[1], sys.argv[2]
lines = open(doc, encoding='utf-8').read().split('\n')
work = tempfile.mkdtemp(prefix='mmrdoc-')
shutil.copytree(os.path.join(root, 'rules'), os.path.join(work, 'rules'))
env = dict(os.environ, TZ='UTC', LC_ALL='C.UTF-8')
env.pop('CLICOLOR_FORCE', None)   # output as on a pipe: no colour
passed = failed = 0
i = 0
pending_file = None
while i < len(lines):
    ln = lines[i]
    m = re.match(r'<!-- file: (\S+) -->\s*$', ln)
    if m:
        pending_file = m.group(1); i += 1; continue
    if ln.startswith('```'):
        lang = ln[3:].strip()
        body = []
        i += 1
        while i < len(lines) and not lines[i].startswith('```'):
            body.append(lines[i]); i += 1
        i += 1
        if pending_file:
            path = os.path.join(work, pending_file)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, 'w', encoding='utf-8') as f:
                f.write('\n'.join(body) + '\n')
            pending_file = None
        elif lang == 'console':
            j = 0
            while j < len(body):
                if not body[j].startswith('$ '):
                    j += 1; continue
                cmd = body[j][2:]; j += 1
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
        continue
    pending_file = None if ln.strip() else pending_file
    i += 1
shutil.rmtree(work, ignore_errors=True)
print('doc: %d passed, %d failed' % (passed, failed))
sys.exit(1 if failed else 0)
