# A tiny Redis subscriber for tests/engine/redis.sh: PSUBSCRIBE to a pattern
# and write each message as one JSON line {"channel":…,"message":…} to a
# file, flushed at once. Touches READY_FILE once subscribed.
import json, socket, sys

host, port, pattern, out_path, ready = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
s = socket.create_connection((host, port))
f = s.makefile('rb')

def send(*args):
    b = b'*%d\r\n' % len(args)
    for a in args:
        a = a.encode()
        b += b'$%d\r\n%s\r\n' % (len(a), a)
    s.sendall(b)

def read():
    line = f.readline()
    if not line:
        raise EOFError
    t, rest = line[:1], line[1:-2]
    if t == b'*':
        return [read() for _ in range(int(rest))]
    if t == b'$':
        n = int(rest)
        if n < 0:
            return None
        data = f.read(n + 2)[:-2]
        return data.decode('utf-8')
    if t == b':':
        return int(rest)
    return rest.decode()

send('PSUBSCRIBE', pattern)
read()
open(ready, 'w').close()
with open(out_path, 'a', encoding='utf-8') as out:
    try:
        while True:
            m = read()
            if isinstance(m, list) and m and m[0] == 'pmessage':
                out.write(json.dumps({'channel': m[2], 'message': m[3]}, ensure_ascii=False) + '\n')
                out.flush()
    except (EOFError, ConnectionError):
        pass
