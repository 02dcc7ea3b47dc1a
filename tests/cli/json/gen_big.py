# Writes a rule master with N rules over three templates (for big.t);
# T2 has a placeholder that every rule using T2 binds. With "dups", one
# template and one rule name appear a second time.
import sys
n = int(sys.argv[1])
dups = len(sys.argv) > 2 and sys.argv[2] == "dups"
rule = ('{"name":"%s","priority":%d,"expression_json":{"if":{"dining_txn_7d":{">=":%d}},'
        '"message_template_id":"T%d"%s}}')
tpl = '{"template_id":"T%d","title":"Hi","body":"Hello%s","category":"dining"}'
bind = ',"with":{"spent":%d}'
rows = [rule % ("r%d" % i, i % 1000, i % 50, i % 3, bind % i if i % 3 == 2 else "") for i in range(n)]
tpls = [tpl % (i, " {spent}" if i == 2 else "") for i in range(3)]
if dups:
    rows.append(rule % ("r7", 1, 1, 0, ""))
    tpls.append(tpl % (1, ""))
print('{"templates":[' + ",".join(tpls) + '],')
print('"rules":[' + ",\n".join(rows) + "]}")
