#!/usr/bin/env python3
"""Check a JUnit XML report of `mmr test` (junit.t) and print it in short.

Reads FILE (or stdin for "-" / no argument). Fails (exit 1, a line on
stderr) unless the text is well-formed XML with the shape JUnit consumers
read: <testsuites> holding <testsuite name tests failures errors skipped
time>, each holding <testcase classname name time> with at most one
<failure message>, <error message> or <skipped>, the counts adding up and
every time a number with 3 decimals. Then prints one line per suite and
per test case.
"""
import re, sys, xml.etree.ElementTree as ET

def fail(msg):
    sys.stderr.write('check_junit: %s\n' % msg)
    sys.exit(1)

def num(el, attr):
    v = el.get(attr)
    if v is None or not re.fullmatch(r'[0-9]+', v):
        fail('<%s> %s=%r is not a count' % (el.tag, attr, v))
    return int(v)

def secs(el):
    v = el.get('time')
    if v is None or not re.fullmatch(r'[0-9]+\.[0-9]{3}', v):
        fail('<%s> time=%r is not seconds with 3 decimals' % (el.tag, v))
    return float(v)

def main():
    path = sys.argv[1] if len(sys.argv) > 1 else '-'
    data = sys.stdin.buffer.read() if path == '-' else open(path, 'rb').read()
    if not data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n'):
        fail('no XML declaration')
    try:
        data.decode('utf-8')
        root = ET.fromstring(data)
    except (UnicodeDecodeError, ET.ParseError) as e:
        fail('not well-formed: %s' % e)
    if root.tag != 'testsuites':
        fail('root is <%s>, not <testsuites>' % root.tag)
    total = {'tests': 0, 'failures': 0, 'errors': 0, 'skipped': 0}
    for suite in root:
        if suite.tag != 'testsuite':
            fail('<%s> inside <testsuites>' % suite.tag)
        name = suite.get('name')
        if not name:
            fail('a <testsuite> without a name')
        got = {'tests': 0, 'failures': 0, 'errors': 0, 'skipped': 0}
        t = 0.0
        print('suite %s' % name)
        for case in suite:
            if case.tag != 'testcase':
                fail('<%s> inside <testsuite>' % case.tag)
            if case.get('classname') != name or case.get('name') is None:
                fail('<testcase> needs classname (the suite) and name')
            t += secs(case)
            got['tests'] += 1
            kids = list(case)
            if len(kids) > 1:
                fail('test case %r has %d results' % (case.get('name'), len(kids)))
            if not kids:
                print('  pass     %s' % case.get('name'))
                continue
            k = kids[0]
            if k.tag not in ('failure', 'error', 'skipped'):
                fail('<%s> inside <testcase>' % k.tag)
            got['failures' if k.tag == 'failure' else 'errors' if k.tag == 'error' else 'skipped'] += 1
            if k.tag != 'skipped' and not k.get('message'):
                fail('<%s> without a message' % k.tag)
            print('  %-8s %s: %s' % (k.tag, case.get('name'), k.get('message')))
        for a in got:
            if num(suite, a) != got[a]:
                fail('suite %s: %s="%s" but %d found' % (name, a, suite.get(a), got[a]))
            total[a] += got[a]
        if abs(secs(suite) - t) > 0.0015 * (got['tests'] + 1):
            fail('suite %s: time is not the sum of its test cases' % name)
    for a in total:
        if num(root, a) != total[a]:
            fail('testsuites: %s="%s" but %d found' % (a, root.get(a), total[a]))
    print('total tests=%d failures=%d errors=%d skipped=%d' %
          (total['tests'], total['failures'], total['errors'], total['skipped']))

main()
