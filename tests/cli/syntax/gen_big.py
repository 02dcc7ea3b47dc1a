# Writes a large .mmr file: 20000 rules, a 1 MB string, then one error.
import sys
w = sys.stdout.write
for i in range(20000):
    w('rule r%d {\n  priority %d\n  when x > %d and y < 3\n  message T\n}\n\n' % (i, i % 1000, i))
w('let s = "' + 'a' * 1000000 + '"\nlet t = "never closed\n')
