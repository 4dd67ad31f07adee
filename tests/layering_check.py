#!/usr/bin/env python3
"""The layering rules of DESIGN.md "Layout", checked on daemon/.

Usage: layering_check.py SOURCE_DIR [--self-test]

Prints one line per breach, `daemon/FILE:LINE: rule: what`, and exits 1 when
there is any. The rules:
  * includes point only downward:
      base <- os <- sql, compress <- config <- core <- kinds <- report
      <- control <- app, ctl
    (a folder may include itself; sql/compress and app/ctl are siblings);
  * a kind includes nothing from another kind;
  * core/ never names a kind (no kind's name in a string or an identifier);
  * app/ is the only place that lists every kind (no other file includes
    headers of two kinds);
  * only *_posix.{h,cc} files call the OS (system headers, sleeps, clocks),
    and the database seam's implementations (sql/, the stores) read the
    monotonic clock and sleep to pace their batches;
  * only sql/ and the stores (core's state database, a kind's *_store*.cc)
    speak SQL;
  * JSON stays in control/, report/ and ctl/;
  * no source file over 400 lines.
"""
import os
import re
import sys

RANK = {'base': 0, 'os': 1, 'sql': 2, 'compress': 2, 'config': 3, 'core': 4,
        'kinds': 5, 'report': 6, 'control': 7, 'app': 8, 'ctl': 8}
KINDS = ('files', 'logs', 'rows', 'accounts', 'occupancy')
MAX_LINES = 400

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
SYS_INCLUDE = re.compile(r'^\s*#\s*include\s+<([^>]+)>')
OS_HEADERS = re.compile(
    r'^(unistd\.h|fcntl\.h|dirent\.h|poll\.h|pwd\.h|grp\.h|signal\.h|'
    r'csignal|sched\.h|spawn\.h|termios\.h|sys/(?!types\.h).*|linux/.*|'
    r'systemd/.*|netinet/.*|arpa/.*)$')
OS_CALLS = re.compile(r'std::this_thread::sleep_for|'
                      r'(system|steady)_clock::now|\bclock_gettime\(')
SQL_TEXT = re.compile(r'"\s*(SELECT|INSERT|DELETE|UPDATE|CREATE|DROP|PRAGMA|'
                      r'BEGIN|COMMIT|ROLLBACK|ALTER|SAVEPOINT)\b')
KIND_NAME = re.compile(
    r'"(%s)[."]|\b(%s)[A-Z_]\w*' % (
        '|'.join(KINDS + ('keep_free',)),
        '|'.join(k.capitalize() for k in KINDS) + '|Log[A-Z]|KeepFree'))


def layer_of(rel):
    """('kinds', 'logs') for daemon/kinds/logs/x.h, ('core', None) else."""
    parts = rel.split('/')
    if parts[0] == 'kinds' and len(parts) > 2:
        return 'kinds', parts[1]
    return parts[0], None


def code_part(line):
    """The line without a // comment (strings with // are rare here)."""
    cut = line.find('//')
    return line if cut < 0 else line[:cut]


def is_store(rel):
    name = os.path.basename(rel)
    return (rel.startswith('sql/') or '_store' in name or
            (rel.startswith('core/') and
             name.startswith(('state_db', 'ledger', 'intent_log'))))


def check_file(daemon, rel):
    path = os.path.join(daemon, rel)
    layer, kind = layer_of(rel)
    with open(path, encoding='utf-8', errors='replace') as f:
        lines = f.read().split('\n')
    if lines and lines[-1] == '':
        lines.pop()
    out = []

    def breach(n, rule, what):
        out.append('daemon/%s:%d: %s: %s' % (rel, n, rule, what))

    if layer not in RANK:
        breach(1, 'layout', 'not in a layer folder (%s)' % ', '.join(RANK))
        return out
    if len(lines) > MAX_LINES:
        breach(MAX_LINES + 1, 'size',
               '%d lines, over %d' % (len(lines), MAX_LINES))
    kinds_included = {}
    posix = rel.endswith(('_posix.cc', '_posix.h'))
    # The database seam's implementations (sql/ and the stores) measure their
    # own batches and back off on a busy database.
    seam_impl = posix or is_store(rel)
    for n, line in enumerate(lines, 1):
        m = INCLUDE.match(line)
        if m:
            target = m.group(1)
            if not os.path.exists(os.path.join(daemon, target)):
                breach(n, 'include', '"%s" is not a path under daemon/'
                       % target)
                continue
            tlayer, tkind = layer_of(target)
            if tkind:
                kinds_included.setdefault(tkind, n)
            if tlayer == layer:
                if kind and tkind != kind:
                    breach(n, 'kinds', 'the %s kind includes the %s kind: %s'
                           % (kind, tkind, target))
                continue
            if RANK[tlayer] >= RANK[layer]:
                breach(n, 'downward', '%s/ includes %s/ (%s)'
                       % (layer, tlayer, target))
            continue
        m = SYS_INCLUDE.match(line)
        if m:
            header = m.group(1)
            if not posix and OS_HEADERS.match(header):
                breach(n, 'posix', 'OS header <%s> outside a *_posix.cc'
                       % header)
            if header.startswith('nlohmann') and layer not in (
                    'control', 'report', 'ctl'):
                breach(n, 'json', 'nlohmann JSON in %s/' % layer)
            if header == 'sqlite3.h' and not is_store(rel):
                breach(n, 'sql', '<sqlite3.h> outside sql/ and the stores')
            continue
        code = code_part(line)
        if not seam_impl and OS_CALLS.search(code):
            breach(n, 'posix', 'reads a clock or sleeps outside a *_posix.cc: '
                   + OS_CALLS.search(code).group(0))
        if not is_store(rel) and SQL_TEXT.search(code):
            breach(n, 'sql', 'SQL text outside sql/ and the stores')
        if layer == 'core':
            km = KIND_NAME.search(code)
            if km:
                breach(n, 'core', 'names a kind: %s' % km.group(0))
    if layer not in ('app', 'kinds') and len(kinds_included) > 1:
        first = min(kinds_included.values())
        breach(first, 'kinds', 'lists kinds (%s): only app/ may'
               % ', '.join(sorted(kinds_included)))
    return out


def check_tree(daemon):
    """Every breach under `daemon`, and the number of files checked."""
    breaches = []
    count = 0
    for top, dirs, files in os.walk(daemon):
        dirs.sort()
        for name in sorted(files):
            if name.endswith(('.h', '.cc')):
                count += 1
                rel = os.path.relpath(os.path.join(top, name), daemon)
                breaches.extend(check_file(daemon, rel))
    return breaches, count


# Planted in a copy of daemon/ by --self-test: (file, line to append, the
# breach that must be reported for it).
PLANTED = [
    ('core/runner.cc', '#include "kinds/logs/logs_policy.h"',
     'downward: core/ includes kinds/'),
    ('kinds/rows/rows_policy.cc', '#include "kinds/files/files_policy.h"',
     'kinds: the rows kind includes the files kind'),
    ('kinds/files/files_planner.cc', '#include <unistd.h>',
     'posix: OS header <unistd.h>'),
    ('base/status.cc', '#include "os/filesystem.h"',
     'downward: base/ includes os/'),
    ('core/scheduler.cc', 'static const char* k = "logs.x";',
     'core: names a kind'),
    ('kinds/files/files_policy.cc', '#include <nlohmann/json.hpp>',
     'json: nlohmann JSON in kinds/'),
]


def self_test(source):
    """Plants each breach of PLANTED in a copy; each must be reported at
    its file and line, and the clean tree must pass."""
    import shutil
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        daemon = os.path.join(tmp, 'daemon')
        shutil.copytree(os.path.join(source, 'daemon'), daemon)
        clean, _ = check_tree(daemon)
        if clean:
            print('self-test: the tree has breaches before planting')
            return 1
        failed = 0
        for rel, line, expected in PLANTED:
            path = os.path.join(daemon, rel)
            with open(path) as f:
                before = f.read()
            with open(path, 'a') as f:
                f.write(line + '\n')
            where = 'daemon/%s:%d: %s' % (rel, before.count('\n') + 1,
                                         expected)
            found, _ = check_tree(daemon)
            hit = [b for b in found if b.startswith(where)]
            print('%s: %s' % ('caught' if hit else 'MISSED',
                              hit[0] if hit else where))
            failed += not hit
            with open(path, 'w') as f:
                f.write(before)
        return 1 if failed else 0


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    if '--self-test' in sys.argv[2:]:
        return self_test(sys.argv[1])
    breaches, count = check_tree(os.path.join(sys.argv[1], 'daemon'))
    for b in breaches:
        print(b)
    print('%d files checked, %d breaches' % (count, len(breaches)))
    return 1 if breaches else 0


if __name__ == '__main__':
    sys.exit(main())
