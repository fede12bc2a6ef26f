# SPDX-License-Identifier: MIT
"""Source lint for tipline (suite 'lint').

Run as: /usr/bin/python3 tests/lint/check_source.py <source root>

Checks every .c and .h file under service/, handlers/, storage/ and tests/
(build directories skipped) for:

  - calls to banned functions: sprintf, strcpy, strcat, strncpy, strtok,
    sscanf, atoi (a word boundary, the name, then '('); comments and string
    literals are not looked at, so a comment may name them;
  - an SPDX-License-Identifier on the first line;
  - layering: handlers/ never includes "storage/..." or <sqlite3.h>, and
    storage/ never includes "service/..." or "handlers/...".

Prints one "path:line: reason" per finding and exits 1 if there is any,
else prints a count and exits 0. Stdlib only.
"""

import os
import re
import sys

SOURCE_DIRS = ("service", "handlers", "storage", "tests")
EXTENSIONS = (".c", ".h")

BANNED = ("sprintf", "strcpy", "strcat", "strncpy", "strtok", "sscanf", "atoi")
# Not preceded by '.' or '->': a struct member of that name is no call.
BANNED_RE = re.compile(r"(?<!\.)(?<!->)\b(" + "|".join(BANNED) + r")\s*\(")

INCLUDE_RE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]*)[>"]')

# folder -> list of (predicate on (delimiter, path), reason)
LAYERING = {
    "handlers": [
        (lambda d, p: p.startswith("storage/"),
         "handlers/ must not include storage/ (layering)"),
        (lambda d, p: p == "sqlite3.h" or p.endswith("/sqlite3.h"),
         "handlers/ must not include sqlite3.h (layering)"),
    ],
    "storage": [
        (lambda d, p: p.startswith("service/"),
         "storage/ must not include service/ (layering)"),
        (lambda d, p: p.startswith("handlers/"),
         "storage/ must not include handlers/ (layering)"),
    ],
}


def skip_dir(name):
    """Build trees, hidden folders and caches are not sources."""
    return (name.startswith("build") or name.startswith(".")
            or name in ("__pycache__", "meson-private", "meson-logs",
                        "subprojects"))


def strip_c(text):
    """Return (no_comments, no_comments_no_strings) copies of C source text.

    Comments become spaces (newlines kept, so line numbers hold); in the
    second copy the contents of string and character literals become spaces
    too. A small scanner, not a preprocessor: good enough for lint.
    """
    keep = []      # comments removed
    code = []      # comments and literals removed
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        nxt = text[i + 1] if i + 1 < n else ""
        if c == "/" and nxt == "*":
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            blank = "".join(ch if ch == "\n" else " " for ch in text[i:end])
            keep.append(blank)
            code.append(blank)
            i = end
        elif c == "/" and nxt == "/":
            end = text.find("\n", i)
            end = n if end < 0 else end
            # A backslash-newline continues a // comment; rare, ignored.
            blank = " " * (end - i)
            keep.append(blank)
            code.append(blank)
            i = end
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            lit = text[i:j]
            keep.append(lit)
            inner = "".join(ch if ch == "\n" else " " for ch in lit[1:-1])
            code.append(c + inner + (lit[-1] if len(lit) > 1 else ""))
            i = j
        else:
            keep.append(c)
            code.append(c)
            i += 1
    return "".join(keep), "".join(code)


def check_file(root, rel):
    """Return a list of (rel, line, reason) findings for one file."""
    findings = []
    path = os.path.join(root, rel)
    with open(path, "rb") as f:
        raw = f.read()
    text = raw.decode("utf-8", errors="replace")
    lines = text.split("\n")

    if not lines or "SPDX-License-Identifier" not in lines[0]:
        findings.append((rel, 1, "first line lacks SPDX-License-Identifier"))

    no_comments, code = strip_c(text)

    for lineno, line in enumerate(code.split("\n"), start=1):
        for m in BANNED_RE.finditer(line):
            findings.append((rel, lineno, "banned function %s()" % m.group(1)))

    top = rel.split("/", 1)[0]
    rules = LAYERING.get(top, [])
    if rules:
        for lineno, line in enumerate(no_comments.split("\n"), start=1):
            m = INCLUDE_RE.match(line)
            if not m:
                continue
            delim, inc = m.group(1), m.group(2).strip()
            for pred, reason in rules:
                if pred(delim, inc):
                    findings.append((rel, lineno, "%s: #include %s%s%s" % (
                        reason, delim, inc, '"' if delim == '"' else ">")))
    return findings


def source_files(root):
    for top in SOURCE_DIRS:
        base = os.path.join(root, top)
        if not os.path.isdir(base):
            continue
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = sorted(d for d in dirnames if not skip_dir(d))
            for name in sorted(filenames):
                if name.endswith(EXTENSIONS):
                    full = os.path.join(dirpath, name)
                    yield os.path.relpath(full, root).replace(os.sep, "/")


def main(argv):
    if len(argv) != 2:
        print("usage: check_source.py SOURCE_ROOT", file=sys.stderr)
        return 2
    root = argv[1]
    files = list(source_files(root))
    if not files:
        print("lint: no .c/.h files found under %s" % root, file=sys.stderr)
        return 1
    findings = []
    for rel in files:
        findings.extend(check_file(root, rel))
    findings.sort()
    for rel, lineno, reason in findings:
        print("%s:%d: %s" % (rel, lineno, reason))
    if findings:
        print("lint: %d problem(s) in %d file(s) checked"
              % (len(findings), len(files)), file=sys.stderr)
        return 1
    print("lint: %d files checked, no problems" % len(files))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
