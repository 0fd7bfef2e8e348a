#!/usr/bin/env python3
"""man_coverage.py: every command, option, keyword and error code that the
programs accept has an entry in its man page.

What the programs accept is read from their source, not from their usage
text (which can drift):

  tallyctl, tally-keys  the command tables of client/main.c and keys/main.c
                        ({ "name", cmd_fn ... }); for each command, every
                        getopt_long table ({ "opt", required_argument, ... }),
                        every short option string of getopt_long, every
                        keys_opt table ({"opt", &var}) and every subcommand
                        word compared with argv[1] (strcmp(argv[1], "word"),
                        also through a variable set from argv[1]) in the
                        command's function and the functions of the same
                        program that it calls; global options from main().
  tallyd                the getopt string and the "--word" literals of
                        daemon/main.c's main().
  tallyd.conf           the keywords[] table of daemon/config.c.
  error codes           the err_table of lib/err.c.

and the pages are read as mdoc:

  tallyctl.1, tally-keys.1  a ".Sh COMMANDS" tag list; each item whose head
                        begins with "Cm COMMAND [SUBCOMMAND]" documents that
                        command; an option is documented when "Fl -opt" (or
                        "Fl x" for -x) appears in the head or body of one of
                        the command's items. Global options need an
                        ".It Fl -opt" item outside COMMANDS.
  tallyd.8              ".It Fl x" for every option.
  tallyd.conf.5         ".It Cm keyword" for every keyword.
  tally.7               ".It Er E_CODE" for every error code.

--help (-h) is documented once per page, not per command.

Usage: man_coverage.py SOURCE_DIR [MAN_DIR]
Exit 0 when everything is documented; otherwise 1, with one line per
missing entry saying which page lacks what and where it comes from.
"""
import os
import re
import sys

MACRO = re.compile(r"^(?:[A-Z][a-z]{1,2}|%[A-Z])$")


# ------------------------------------------------------------ C source side

def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"),
                  text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def functions(path):
    """{name: body} of the top-level functions of one C file (OpenBSD
    layout: the name at column 0, the braces of the body at column 0)."""
    text = strip_comments(open(path, encoding="utf-8").read())
    out = {}
    for m in re.finditer(r"^([A-Za-z_]\w*)\((.*?)\)\s*\n\{\n(.*?)^\}",
                         text, flags=re.S | re.M):
        out.setdefault(m.group(1), []).append(m.group(3))
    return {k: "\n".join(v) for k, v in out.items()}


class Program:
    """The functions of one program (all .c files of its folder)."""

    def __init__(self, folder):
        self.funcs = {}
        self.where = {}
        for name in sorted(os.listdir(folder)):
            if not name.endswith(".c"):
                continue
            path = os.path.join(folder, name)
            for fn, body in functions(path).items():
                if fn in self.funcs:
                    self.funcs[fn] += "\n" + body
                else:
                    self.funcs[fn] = body
                    self.where[fn] = os.path.relpath(
                        path, os.path.dirname(folder))

    def reach(self, root):
        """root and every function of this program it calls, in order."""
        seen, todo = [], [root]
        while todo:
            fn = todo.pop(0)
            if fn in seen or fn not in self.funcs:
                continue
            seen.append(fn)
            for callee in re.findall(r"\b([A-Za-z_]\w*)\s*\(",
                                     self.funcs[fn]):
                if callee in self.funcs and callee not in seen:
                    todo.append(callee)
        return seen

    def options(self, fn):
        """[(option, kind)] accepted by the body of fn: kind is 'long' or
        'short'."""
        body = self.funcs[fn]
        out = []
        for m in re.finditer(r'\{\s*"([A-Za-z0-9][\w-]*)"\s*,\s*'
                             r'(?:required_argument|no_argument|'
                             r'optional_argument)', body):
            out.append((m.group(1), "long"))
        for m in re.finditer(r'\{\s*"([A-Za-z0-9][\w-]*)"\s*,\s*&\s*\w+\s*\}',
                             body):
            out.append((m.group(1), "long"))
        for m in re.finditer(r'getopt(?:_long)?\s*\(\s*\w+\s*,\s*\w+\s*,\s*'
                             r'"([^"]*)"', body):
            for ch in m.group(1):
                if ch.isalnum():
                    out.append((ch, "short"))
        for m in re.finditer(r'strcmp\s*\(\s*[^,]*,\s*"--([a-z][\w-]*)"\s*\)',
                             body):
            out.append((m.group(1), "long"))
        return out

    def subcommands(self, fn):
        """Words compared with argv[1] (or a variable set from it)."""
        body = self.funcs[fn]
        names = {r"argv\s*\[\s*1\s*\]"}
        for m in re.finditer(r"\b(\w+)\s*=(?!=)[^;]*\bargv\s*\[\s*1\s*\]",
                             body):
            names.add(re.escape(m.group(1)) + r"\b")
        out = []
        for n in names:
            for m in re.finditer(r'strcmp\s*\(\s*' + n + r'\s*,\s*'
                                 r'"([a-z][\w-]*)"\s*\)', body):
                out.append(m.group(1))
        return out

    def command_table(self, file_fn="main"):
        """[(command, function)] of the dispatch table: the static array
        named commands in the file that defines main()."""
        path = os.path.join(self.folder_of(file_fn))
        text = strip_comments(open(path, encoding="utf-8").read())
        m = re.search(r"\bcommands\s*\[\s*\]\s*=\s*\{(.*?)\n\};", text,
                      flags=re.S)
        if m is None:
            raise SystemExit("%s: no commands[] table" % path)
        return re.findall(r'\{\s*"([a-z][\w-]*)"\s*,\s*(\w+)', m.group(1))

    def folder_of(self, fn):
        return os.path.join(SOURCE, self.where[fn])


# ------------------------------------------------------------- mdoc side

def tokens(line):
    return re.findall(r'"[^"]*"|\S+', line)


class Page:
    def __init__(self, path):
        self.path = path
        self.name = os.path.basename(path)
        self.lines = [l.rstrip("\n") for l in open(path, encoding="utf-8")
                      if not l.startswith('.\\"')]

    def section(self, title):
        out, inside = [], False
        for l in self.lines:
            if l.startswith(".Sh "):
                inside = l[4:].strip() == title
                continue
            if inside:
                out.append(l)
        return out

    def outside(self, title):
        out, inside = [], False
        for l in self.lines:
            if l.startswith(".Sh "):
                inside = l[4:].strip() == title
            if not inside:
                out.append(l)
        return out

    @staticmethod
    def items(lines):
        """[(head_lines, body_lines)] of the outermost tag lists."""
        out, depth, cur, in_head = [], 0, None, False
        for l in lines:
            if l.startswith(".Bl"):
                depth += 1
                if depth > 1 and cur is not None:
                    cur[1].append(l)
                continue
            if l.startswith(".El"):
                depth -= 1
                if depth >= 1 and cur is not None:
                    cur[1].append(l)
                continue
            if depth == 1 and l.startswith(".It"):
                cur = ([l[3:].strip()], [])
                out.append(cur)
                in_head = l[3:].strip() == "Xo"
                continue
            if cur is None or depth < 1:
                continue
            if in_head:
                cur[0].append(l.lstrip("."))
                if l.startswith(".Xc"):
                    in_head = False
            else:
                cur[1].append(l)
        return out


def cm_words(head):
    """The words of the first Cm macro of an item head."""
    toks = tokens(" ".join(head))
    try:
        i = toks.index("Cm")
    except ValueError:
        return []
    words = []
    for t in toks[i + 1:]:
        if MACRO.match(t) or not re.match(r"^[a-z][\w-]*$", t):
            break
        words.append(t)
    return words


def flags(lines):
    """The options named by Fl macros in lines: {('x', 'short'),
    ('opt', 'long')}."""
    out = set()
    for l in lines:
        toks = tokens(l.lstrip("."))
        for i, t in enumerate(toks):
            if t != "Fl":
                continue
            for a in toks[i + 1:]:
                if MACRO.match(a):
                    break
                if a.startswith("-") and len(a) > 1:
                    out.add((a[1:], "long"))
                elif re.match(r"^[A-Za-z0-9]+$", a):
                    for ch in a:
                        out.add((ch, "short"))
    return out


def item_heads(lines, macro):
    """The first argument of '.It MACRO arg' lines of the tag lists."""
    out = set()
    for head, _ in Page.items(lines):
        toks = tokens(" ".join(head))
        if len(toks) >= 2 and toks[0] == macro:
            out.add(toks[1])
    # Nested lists too: any '.It MACRO arg' line.
    for l in lines:
        toks = tokens(l)
        if len(toks) >= 3 and toks[0] == ".It" and toks[1] == macro:
            out.add(toks[2])
    return out


def show(opt, kind):
    return ("--" if kind == "long" else "-") + opt


def mdoc_fl(opt, kind):
    return "Fl " + ("-" if kind == "long" else "") + opt


# ------------------------------------------------------------- the checks

def check_cli(prog_name, folder, page, problems):
    prog = Program(os.path.join(SOURCE, folder))
    cmds_sec = page.section("COMMANDS")
    if not cmds_sec:
        problems.append("%s: no .Sh COMMANDS section" % page.name)
        return
    items = Page.items(cmds_sec)
    by_cmd = {}
    for head, body in items:
        words = cm_words(head)
        if words:
            by_cmd.setdefault(words[0], []).append((words, head, body))

    # Global options: main() and what it reaches outside the commands.
    glob_documented = set()
    for head, _ in Page.items(page.outside("COMMANDS")):
        glob_documented |= flags(head)
    for opt, kind in prog.options("main"):
        if opt == "h" and kind == "short":
            continue
        if (opt, kind) not in glob_documented:
            problems.append(
                "%s: %s: global option %s (%s, main) has no entry: add an "
                "'.It %s' item to the option list of DESCRIPTION" % (
                    page.name, prog_name, show(opt, kind),
                    prog.where["main"], mdoc_fl(opt, kind)))

    for cmd, fn in prog.command_table():
        if fn not in prog.funcs:
            problems.append("%s: command %s: function %s not found in %s/" %
                            (page.name, cmd, fn, folder))
            continue
        entries = by_cmd.get(cmd)
        if not entries:
            problems.append(
                "%s: %s %s (%s, %s) has no entry: add an '.It Cm %s ...' "
                "item to the COMMANDS section" % (
                    page.name, prog_name, cmd, prog.where[fn], fn, cmd))
            continue
        documented, subs = set(), set()
        for words, head, body in entries:
            documented |= flags(head) | flags(body)
            if len(words) > 1:
                subs.add(words[1])
        for f in prog.reach(fn):
            for sub in prog.subcommands(f):
                if sub not in subs:
                    problems.append(
                        "%s: %s %s %s (%s, %s) has no entry: add an "
                        "'.It Cm %s %s ...' item to the COMMANDS section" % (
                            page.name, prog_name, cmd, sub, prog.where[f], f,
                            cmd, sub))
                    subs.add(sub)
            for opt, kind in prog.options(f):
                if opt in ("help", "h"):
                    continue
                if (opt, kind) in documented:
                    continue
                problems.append(
                    "%s: %s %s: option %s (%s, %s) has no entry: add '%s' "
                    "to an '.It Cm %s ...' item of the COMMANDS section" % (
                        page.name, prog_name, cmd, show(opt, kind),
                        prog.where[f], f, mdoc_fl(opt, kind), cmd))
                documented.add((opt, kind))


def check_tallyd(page, problems):
    prog = Program(os.path.join(SOURCE, "daemon"))
    documented = set()
    for head, _ in Page.items(page.lines):
        documented |= flags(head)
    for opt, kind in prog.options("main"):
        if (opt, kind) not in documented:
            problems.append("%s: tallyd option %s (daemon/main.c) has no "
                            "entry: add an '.It %s' item" % (
                                page.name, show(opt, kind),
                                mdoc_fl(opt, kind)))


def check_config(page, problems):
    text = strip_comments(open(os.path.join(SOURCE, "daemon/config.c"),
                               encoding="utf-8").read())
    m = re.search(r"\bkeywords\s*\[\s*\]\s*=\s*\{(.*?)\n\};", text, re.S)
    if m is None:
        problems.append("daemon/config.c: no keywords[] table")
        return
    have = item_heads(page.lines, "Cm")
    for kw in re.findall(r'\{\s*"([a-z][\w]*)"\s*,', m.group(1)):
        if kw not in have:
            problems.append("%s: keyword %s (daemon/config.c) has no entry: "
                            "add an '.It Cm %s' item" % (page.name, kw, kw))


def check_errors(page, problems):
    text = open(os.path.join(SOURCE, "lib/err.c"), encoding="utf-8").read()
    have = item_heads(page.section("ERROR CODES"), "Er")
    for code in re.findall(r'\{\s*"(E_[A-Z0-9_]+)"\s*,', text):
        if code not in have:
            problems.append("%s: error code %s (lib/err.c) has no entry: add "
                            "an '.It Er %s' item to the ERROR CODES section" %
                            (page.name, code, code))


def main():
    global SOURCE
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    SOURCE = os.path.abspath(sys.argv[1])
    man = sys.argv[2] if len(sys.argv) == 3 else os.path.join(SOURCE, "man")
    problems = []
    check_cli("tallyctl", "client", Page(os.path.join(man, "tallyctl.1")),
              problems)
    check_cli("tally-keys", "keys", Page(os.path.join(man, "tally-keys.1")),
              problems)
    check_tallyd(Page(os.path.join(man, "tallyd.8")), problems)
    check_config(Page(os.path.join(man, "tallyd.conf.5")), problems)
    check_errors(Page(os.path.join(man, "tally.7")), problems)
    for p in problems:
        print("man_coverage: " + p)
    if problems:
        print("man_coverage: %d undocumented; see man/ and "
              "tests/docs/man_coverage.py" % len(problems))
        return 1
    print("man_coverage: every command, option, keyword and error code has "
          "an entry")
    return 0


SOURCE = None
if __name__ == "__main__":
    sys.exit(main())
