"""A tolerant POSIX shell (and common bash) parser for RUN commands and entry scripts.

bashlex rejects `[[ ... ]]`, `case` and `$((...))`, which entry scripts use all the
time, so the subset startlint needs is parsed here: lists, `&&`/`||`, pipelines,
simple commands with assignments and redirections (heredoc bodies skipped), `if`,
`while`/`until`/`for`, `case`, `{ }` and `( )` groups, function definitions, `[[ ]]`
and `(( ))`, with quotes, `$(...)`, `${...}` and backticks inside words.

The parser never raises: a token it cannot place is skipped and an unterminated
compound command is closed at the end of the text, so a script that bash itself would
reject still yields the commands it can see. Every node carries character offsets into
the parsed text, for positions and fixes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

RESERVED = frozenset(
    {"if", "then", "elif", "else", "fi", "do", "done", "case", "esac", "while", "until", "for", "in", "{", "}", "!", "function", "select", "[[", "]]"}
)
_OPERATORS = (
    ";;&", "<<-", "<<<", "&>>", "&&", "||", ";;", ";&", "|&", "<<", ">>", "<&", ">&", "<>", ">|", "&>",
    ";", "&", "|", "(", ")", "<", ">",
)
_REDIRECTS = frozenset({"<<-", "<<<", "&>>", "<<", ">>", "<&", ">&", "<>", ">|", "&>", "<", ">"})
_META = set(";&|()<> \t\n")


@dataclass(frozen=True)
class Word:
    raw: str  # as written (without line continuations)
    start: int
    end: int
    text: str  # quotes removed; expansions kept as written
    literal: bool  # no expansion, glob or command substitution: `text` is exactly its value
    quoted: bool  # contains quoting or escapes

    def is_reserved(self, word: str) -> bool:
        return not self.quoted and self.raw == word


@dataclass(frozen=True)
class Redirect:
    op: str
    target: Word | None
    start: int
    end: int


@dataclass
class Node:
    start: int
    end: int


@dataclass
class Simple(Node):
    assignments: list[Word] = field(default_factory=list)
    words: list[Word] = field(default_factory=list)
    redirects: list[Redirect] = field(default_factory=list)

    @property
    def argv(self) -> list[str]:
        return [w.text for w in self.words]


@dataclass
class Pipeline(Node):
    commands: list[Node] = field(default_factory=list)
    negated: bool = False


@dataclass
class AndOr(Node):
    parts: list[Pipeline] = field(default_factory=list)
    ops: list[str] = field(default_factory=list)
    background: bool = False


@dataclass
class If(Node):
    clauses: list[tuple[list[AndOr], list[AndOr]]] = field(default_factory=list)
    else_body: list[AndOr] | None = None


@dataclass
class Loop(Node):
    kind: str = "while"  # while, until, for, select
    condition: list[AndOr] = field(default_factory=list)  # while/until
    items: list[Word] = field(default_factory=list)  # for NAME in ITEMS
    body: list[AndOr] = field(default_factory=list)


@dataclass
class Case(Node):
    word: Word | None = None
    arms: list[list[AndOr]] = field(default_factory=list)


@dataclass
class Group(Node):
    body: list[AndOr] = field(default_factory=list)
    subshell: bool = False


@dataclass
class FunctionDef(Node):
    name: str = ""
    body: Node | None = None


@dataclass
class Script(Node):
    body: list[AndOr] = field(default_factory=list)


# -- lexer -------------------------------------------------------------------------

@dataclass(frozen=True)
class Token:
    kind: str  # "word", "op", "newline", "eof", "io" (a redirection's fd number)
    value: str
    start: int
    end: int
    word: Word | None = None


class Lexer:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.pending_heredocs: list[tuple[str, bool]] = []  # (delimiter, strip tabs)

    def _skip_blanks(self) -> None:
        text = self.text
        while self.pos < len(text):
            ch = text[self.pos]
            if ch in " \t\r":
                self.pos += 1
            elif ch == "\\" and text.startswith("\n", self.pos + 1):
                self.pos += 2
            elif ch == "\\" and text.startswith("\r\n", self.pos + 1):
                self.pos += 3
            elif ch == "#":
                while self.pos < len(text) and text[self.pos] != "\n":
                    self.pos += 1
            else:
                break

    def next(self) -> Token:
        self._skip_blanks()
        text = self.text
        if self.pos >= len(text):
            return Token("eof", "", len(text), len(text))
        start = self.pos
        ch = text[start]
        if ch == "\n":
            self.pos += 1
            if self.pending_heredocs:
                self._read_heredocs()
            return Token("newline", "\n", start, start + 1)
        if ch in "<>" and text.startswith("(", start + 1):
            return self._word(start)  # process substitution: part of a word
        for op in _OPERATORS:
            if text.startswith(op, start):
                self.pos = start + len(op)
                return Token("op", op, start, self.pos)
        return self._word(start)

    def _word(self, start: int) -> Token:
        text = self.text
        i = start
        parts: list[str] = []
        raw: list[str] = []
        literal = True
        quoted = False
        while i < len(text):
            ch = text[i]
            if ch == "\r" and (i + 1 == len(text) or text[i + 1] == "\n"):
                break  # a CRLF line end: the word ends, as where the file was written
            if ch == "\\":
                if text.startswith("\n", i + 1):
                    i += 2
                    continue
                if text.startswith("\r\n", i + 1):
                    i += 3
                    continue
                quoted = True
                if i + 1 < len(text):
                    parts.append(text[i + 1])
                    raw.append(text[i : i + 2])
                    i += 2
                else:
                    parts.append("\\")
                    raw.append("\\")
                    i += 1
                continue
            if ch in _META:
                if ch in "<>" and text.startswith("(", i + 1):
                    end = _balanced(text, i + 1, "(", ")")
                    literal = False
                    parts.append(text[i:end])
                    raw.append(text[i:end])
                    i = end
                    continue
                if ch == "(" and raw and "".join(raw).endswith("="):
                    end = _balanced(text, i, "(", ")")  # array assignment a=(...)
                    literal = False
                    parts.append(text[i:end])
                    raw.append(text[i:end])
                    i = end
                    continue
                if ch == "(" and raw and raw[-1] and raw[-1][-1] in "@!+*?" and not quoted:
                    end = _balanced(text, i, "(", ")")  # extended glob
                    literal = False
                    parts.append(text[i:end])
                    raw.append(text[i:end])
                    i = end
                    continue
                break
            if ch == "'":
                end = text.find("'", i + 1)
                end = len(text) if end == -1 else end + 1
                quoted = True
                parts.append(text[i + 1 : end - 1] if end <= len(text) else text[i + 1 :])
                raw.append(text[i:end])
                i = end
                continue
            if ch == '"':
                end, inner, has_expansion = _double_quoted(text, i)
                quoted = True
                literal = literal and not has_expansion
                parts.append(inner)
                raw.append(text[i:end])
                i = end
                continue
            if ch == "$":
                end = _dollar(text, i)
                if end > i + 1:
                    if text.startswith("$'", i):
                        quoted = True
                        parts.append(text[i + 2 : end - 1])
                    else:
                        literal = False
                        parts.append(text[i:end])
                    raw.append(text[i:end])
                    i = end
                    continue
            if ch == "`":
                end = _backtick(text, i)
                literal = False
                parts.append(text[i:end])
                raw.append(text[i:end])
                i = end
                continue
            if ch in "*?[" or (ch == "~" and not raw):
                literal = False
            parts.append(ch)
            raw.append(ch)
            i += 1
        self.pos = i
        raw_text = "".join(raw)
        word = Word(raw_text, start, i, "".join(parts), literal, quoted)
        if raw_text.isdigit() and text.startswith(("<", ">"), i):
            return Token("io", raw_text, start, i, word)
        return Token("word", raw_text, start, i, word)

    def heredoc(self, delimiter_word: Word, strip_tabs: bool) -> None:
        self.pending_heredocs.append((delimiter_word.text, strip_tabs))

    def _read_heredocs(self) -> None:
        text = self.text
        for delimiter, strip in self.pending_heredocs:
            while self.pos < len(text):
                end = text.find("\n", self.pos)
                line_end = len(text) if end == -1 else end
                line = text[self.pos : line_end].rstrip("\r")
                self.pos = line_end + 1 if end != -1 else len(text)
                if (line.lstrip("\t") if strip else line) == delimiter:
                    break
        self.pending_heredocs = []

    def read_until(self, closer: str) -> list[Word]:
        """Words up to the word `closer` (`]]`), operators included as words (test mode)."""
        words: list[Word] = []
        while True:
            self._skip_blanks()
            if self.pos >= len(self.text):
                return words
            start = self.pos
            ch = self.text[start]
            if ch == "\n":
                self.pos += 1
                continue
            op = next((o for o in ("&&", "||", "(", ")", "<", ">", "!") if self.text.startswith(o, start)), None)
            if op is not None and not self.text.startswith(closer, start):
                self.pos = start + len(op)
                words.append(Word(op, start, self.pos, op, True, False))
                continue
            token = self._word(start)
            if token.end == start:  # an operator character we do not treat: take it as a word
                self.pos = start + 1
                words.append(Word(ch, start, start + 1, ch, True, False))
                continue
            assert token.word is not None
            if token.word.is_reserved(closer):
                return words
            words.append(token.word)

    def read_arithmetic(self) -> int:
        """Skip to the end of `(( ... ))`; returns the end offset."""
        depth = 2
        text = self.text
        while self.pos < len(text) and depth > 0:
            ch = text[self.pos]
            if ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
            self.pos += 1
        return self.pos


def _balanced(text: str, i: int, open_: str, close: str) -> int:
    """End offset of a balanced `open_ ... close` starting at i (quotes respected)."""
    depth = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "'":
            end = text.find("'", i + 1)
            i = len(text) if end == -1 else end + 1
            continue
        if ch == '"':
            i = _double_quoted(text, i)[0]
            continue
        if ch == "`":
            i = _backtick(text, i)
            continue
        if ch == "$" and i + 1 < len(text) and text[i + 1] in "({":
            i = _dollar(text, i)
            continue
        if ch == open_:
            depth += 1
        elif ch == close:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return len(text)


def _dollar(text: str, i: int) -> int:
    """End of an expansion starting with `$` at i (i + 1 when the `$` is literal)."""
    nxt = text[i + 1] if i + 1 < len(text) else ""
    if nxt == "(":
        return _balanced(text, i + 1, "(", ")")
    if nxt == "{":
        return _balanced(text, i + 1, "{", "}")
    if nxt == "'":
        j = i + 2
        while j < len(text):
            if text[j] == "\\":
                j += 2
                continue
            if text[j] == "'":
                return j + 1
            j += 1
        return len(text)
    if nxt == '"':
        return i + 1  # $"..." (locale translation): the quotes are read as a string
    if nxt and (nxt.isalnum() or nxt == "_"):
        j = i + 1
        if nxt.isdigit():
            return j + 1
        while j < len(text) and (text[j].isalnum() or text[j] == "_"):
            j += 1
        return j
    if nxt and nxt in "@*#?$!-":
        return i + 2
    return i + 1


def _backtick(text: str, i: int) -> int:
    j = i + 1
    while j < len(text):
        if text[j] == "\\":
            j += 2
            continue
        if text[j] == "`":
            return j + 1
        j += 1
    return len(text)


def _double_quoted(text: str, i: int) -> tuple[int, str, bool]:
    """(end, contents with escapes resolved, whether it expands anything) of `"..."` at i."""
    j = i + 1
    out: list[str] = []
    expands = False
    while j < len(text):
        ch = text[j]
        if ch == "\\" and j + 1 < len(text):
            nxt = text[j + 1]
            if nxt == "\n":
                j += 2
                continue
            if nxt in '$`"\\':
                out.append(nxt)
            else:
                out.append(ch + nxt)
            j += 2
            continue
        if ch == '"':
            return j + 1, "".join(out), expands
        if ch == "$":
            end = _dollar(text, j)
            if end > j + 1:
                expands = True
                out.append(text[j:end])
                j = end
                continue
        if ch == "`":
            end = _backtick(text, j)
            expands = True
            out.append(text[j:end])
            j = end
            continue
        out.append(ch)
        j += 1
    return len(text), "".join(out), expands


# -- parser ------------------------------------------------------------------------------

_LIST_END = frozenset({"then", "elif", "else", "fi", "do", "done", "esac", "}"})


class Parser:
    def __init__(self, text: str) -> None:
        self.lexer = Lexer(text)
        self.buffer: Token | None = None

    def peek(self) -> Token:
        if self.buffer is None:
            self.buffer = self.lexer.next()
        return self.buffer

    def take(self) -> Token:
        token = self.peek()
        self.buffer = None
        return token

    def _unread_to(self, offset: int) -> None:
        self.buffer = None
        self.lexer.pos = offset

    def at_word(self, *words: str) -> bool:
        token = self.peek()
        return token.kind == "word" and token.word is not None and not token.word.quoted and token.value in words

    def at_op(self, *ops: str) -> bool:
        token = self.peek()
        return token.kind == "op" and token.value in ops

    def skip_newlines(self) -> None:
        while self.peek().kind == "newline":
            self.take()

    def parse_script(self) -> Script:
        body: list[AndOr] = []
        while self.peek().kind != "eof":
            body += self.parse_list(frozenset())
            if self.peek().kind != "eof":
                self.take()  # a stray terminator (`fi`, `)`, `;;`) at top level: skip it
        return Script(0, len(self.lexer.text), body)

    def parse_list(self, enders: frozenset[str], op_enders: frozenset[str] = frozenset()) -> list[AndOr]:
        items: list[AndOr] = []
        while True:
            while self.peek().kind == "newline" or self.at_op(";", "&"):
                self.take()
            token = self.peek()
            if token.kind == "eof":
                return items
            if token.kind == "word" and token.word is not None and not token.word.quoted and (
                token.value in enders or token.value in _LIST_END
            ):
                return items
            if token.kind == "op" and (token.value in op_enders or token.value in (")", ";;", ";&", ";;&")):
                return items
            before = token.start
            item = self.parse_and_or()
            if item is None:
                if self.peek().start == before and self.peek().kind != "eof":
                    self.take()  # could not use this token: skip it, keep going
                continue
            if self.at_op("&"):
                item.background = True
                item.end = self.take().end
            items.append(item)

    def parse_and_or(self) -> AndOr | None:
        first = self.parse_pipeline()
        if first is None:
            return None
        node = AndOr(first.start, first.end, [first], [])
        while self.at_op("&&", "||"):
            op = self.take().value
            self.skip_newlines()
            nxt = self.parse_pipeline()
            if nxt is None:
                break
            node.parts.append(nxt)
            node.ops.append(op)
            node.end = nxt.end
        return node

    def parse_pipeline(self) -> Pipeline | None:
        negated = False
        start = self.peek().start
        if self.at_word("!"):
            self.take()
            negated = True
        if self.at_word("time"):
            self.take()
        first = self.parse_command()
        if first is None:
            return None
        node = Pipeline(start, first.end, [first], negated)
        while self.at_op("|", "|&"):
            self.take()
            self.skip_newlines()
            nxt = self.parse_command()
            if nxt is None:
                break
            node.commands.append(nxt)
            node.end = nxt.end
        return node

    def parse_command(self) -> Node | None:
        token = self.peek()
        if token.kind == "word" and token.word is not None and not token.word.quoted:
            value = token.value
            if value == "if":
                return self._redirected(self.parse_if())
            if value in ("while", "until"):
                return self._redirected(self.parse_while(value))
            if value in ("for", "select"):
                return self._redirected(self.parse_for(value))
            if value == "case":
                return self._redirected(self.parse_case())
            if value == "{":
                return self._redirected(self.parse_group())
            if value == "function":
                return self.parse_function_keyword()
            if value in _LIST_END or value in ("in", "]]"):
                return None
        if token.kind == "op" and token.value == "(":
            self.take()
            if self.lexer.text.startswith("(", token.end):  # (( arithmetic ))
                self.lexer.pos = token.end + 1
                end = self.lexer.read_arithmetic()
                self.buffer = None
                word = Word(self.lexer.text[token.start : end], token.start, end, self.lexer.text[token.start : end], False, False)
                return Simple(token.start, end, [], [word], [])
            body = self.parse_list(frozenset(), frozenset({")"}))
            end = self.take().end if self.at_op(")") else self.peek().start
            return self._redirected(Group(token.start, end, body, subshell=True))
        if token.kind in ("word", "io") or (token.kind == "op" and token.value in _REDIRECTS):
            return self.parse_simple()
        return None

    def _redirected(self, node: Node) -> Node:
        while True:
            token = self.peek()
            if token.kind == "io" or (token.kind == "op" and token.value in _REDIRECTS):
                redirect = self._redirect()
                node.end = max(node.end, redirect.end)
                continue
            return node

    def _redirect(self) -> Redirect:
        token = self.take()
        start = token.start
        if token.kind == "io":
            token = self.take()
        op = token.value
        target = None
        if self.peek().kind == "word":
            target = self.take().word
            if op in ("<<", "<<-") and target is not None:
                self.lexer.heredoc(target, op == "<<-")
        end = target.end if target is not None else token.end
        return Redirect(op, target, start, end)

    def parse_simple(self) -> Node:
        start = self.peek().start
        node = Simple(start, start, [], [], [])
        while True:
            token = self.peek()
            if token.kind == "io" or (token.kind == "op" and token.value in _REDIRECTS):
                redirect = self._redirect()
                node.redirects.append(redirect)
                node.end = redirect.end
                continue
            if token.kind != "word" or token.word is None:
                break
            word = token.word
            if not node.words and "=" in word.raw and _is_assignment(word.raw):
                self.take()
                node.assignments.append(word)
                node.end = word.end
                continue
            self.take()
            node.words.append(word)
            node.end = word.end
            if len(node.words) == 1 and word.is_reserved("[["):
                self.buffer = None
                self.lexer.pos = word.end
                node.words += self.lexer.read_until("]]")
                node.end = self.lexer.pos
                continue
            if len(node.words) == 1 and not node.assignments and self.at_op("("):
                # name() compound: a function definition
                save = self.peek().start
                self.take()
                if self.at_op(")"):
                    self.take()
                    self.skip_newlines()
                    body = self.parse_command()
                    end = body.end if body is not None else self.peek().start
                    return FunctionDef(start, end, word.text, body)
                self._unread_to(save)
                break
        return node

    def parse_function_keyword(self) -> Node | None:
        start = self.take().start
        if self.peek().kind != "word":
            return None
        name_token = self.take()
        if self.at_op("("):
            self.take()
            if self.at_op(")"):
                self.take()
        self.skip_newlines()
        body = self.parse_command()
        end = body.end if body is not None else name_token.end
        return FunctionDef(start, end, name_token.value, body)

    def parse_if(self) -> If:
        start = self.take().start
        node = If(start, start)
        condition = self.parse_list(frozenset({"then"}))
        body: list[AndOr] = []
        if self.at_word("then"):
            self.take()
            body = self.parse_list(frozenset({"elif", "else", "fi"}))
        node.clauses.append((condition, body))
        while self.at_word("elif"):
            self.take()
            condition = self.parse_list(frozenset({"then"}))
            body = []
            if self.at_word("then"):
                self.take()
                body = self.parse_list(frozenset({"elif", "else", "fi"}))
            node.clauses.append((condition, body))
        if self.at_word("else"):
            self.take()
            node.else_body = self.parse_list(frozenset({"fi"}))
        node.end = self.take().end if self.at_word("fi") else self.peek().start
        return node

    def parse_while(self, kind: str) -> Loop:
        start = self.take().start
        condition = self.parse_list(frozenset({"do"}))
        body = self._do_group()
        return Loop(start, self._end_of("done"), kind, condition, [], body)

    def _do_group(self) -> list[AndOr]:
        if self.at_word("do"):
            self.take()
            return self.parse_list(frozenset({"done"}))
        return []

    def _end_of(self, word: str) -> int:
        if self.at_word(word):
            return self.take().end
        return self.peek().start

    def parse_for(self, kind: str) -> Loop:
        start = self.take().start
        items: list[Word] = []
        if self.at_op("(") and self.lexer.text.startswith("(", self.peek().end):
            token = self.take()
            self.lexer.pos = token.end + 1
            self.buffer = None
            self.lexer.read_arithmetic()
        elif self.peek().kind == "word":
            self.take()  # the variable
            self.skip_newlines()
            if self.at_word("in"):
                self.take()
                while self.peek().kind == "word" and not self.at_word("do"):
                    token = self.take()
                    assert token.word is not None
                    items.append(token.word)
        while self.peek().kind == "newline" or self.at_op(";"):
            self.take()
        body = self._do_group()
        return Loop(start, self._end_of("done"), kind, [], items, body)

    def parse_case(self) -> Case:
        start = self.take().start
        word = self.take().word if self.peek().kind == "word" else None
        self.skip_newlines()
        if self.at_word("in"):
            self.take()
        node = Case(start, start, word, [])
        while True:
            self.skip_newlines()
            token = self.peek()
            if token.kind == "eof" or self.at_word("esac"):
                break
            if self.at_op("("):
                self.take()
            # the pattern list up to ")"
            guard = 0
            while self.peek().kind not in ("eof",) and not self.at_op(")") and guard < 1000:
                self.take()
                guard += 1
            if self.at_op(")"):
                self.take()
            arm = self.parse_list(frozenset({"esac"}), frozenset({";;", ";&", ";;&"}))
            node.arms.append(arm)
            if self.at_op(";;", ";&", ";;&") or not self.at_word("esac") and self.peek().kind != "eof":
                self.take()
        node.end = self._end_of("esac")
        return node

    def parse_group(self) -> Group:
        start = self.take().start
        body = self.parse_list(frozenset({"}"}))
        return Group(start, self._end_of("}"), body, subshell=False)


def _is_assignment(raw: str) -> bool:
    name = raw.split("=", 1)[0]
    name = name.removesuffix("+")
    if "[" in name:
        name = name.split("[", 1)[0]
    return bool(name) and (name[0].isalpha() or name[0] == "_") and all(c.isalnum() or c == "_" for c in name)


def parse(text: str) -> Script:
    """The script's syntax tree (never raises)."""
    try:
        return Parser(text).parse_script()
    except RecursionError:
        return Script(0, len(text), [])


# -- walking -----------------------------------------------------------------------------

def children(node: Node) -> Iterator[tuple[str, list[AndOr]]]:
    """The lists a compound node holds, each with its role ("condition", "body", "loop")."""
    if isinstance(node, If):
        for condition, body in node.clauses:
            yield "condition", condition
            yield "body", body
        if node.else_body is not None:
            yield "body", node.else_body
    elif isinstance(node, Loop):
        yield "loop-condition", node.condition
        yield "loop", node.body
    elif isinstance(node, Case):
        for arm in node.arms:
            yield "body", arm
    elif isinstance(node, (Group, Script)):
        yield "body", node.body


@dataclass(frozen=True)
class Context:
    loops: tuple[Loop, ...] = ()
    in_condition: bool = False
    background: bool = False
    functions: tuple[str, ...] = ()  # function bodies we are in (definition or call)
    subshell: bool = False

    @property
    def in_loop(self) -> bool:
        return bool(self.loops)


def simple_commands(nodes: list[AndOr], ctx: Context = Context()) -> Iterator[tuple[Simple, Context]]:
    """Every simple command, in source order, with where it sits (function bodies included)."""
    for item in nodes:
        inner = Context(ctx.loops, ctx.in_condition, ctx.background or item.background, ctx.functions, ctx.subshell)
        for pipeline in item.parts:
            for command in pipeline.commands:
                yield from _commands_of(command, inner)


def _commands_of(node: Node, ctx: Context) -> Iterator[tuple[Simple, Context]]:
    if isinstance(node, Simple):
        yield node, ctx
    elif isinstance(node, FunctionDef):
        if node.body is not None:
            yield from _commands_of(node.body, Context(ctx.loops, ctx.in_condition, ctx.background, (*ctx.functions, node.name), ctx.subshell))
    else:
        for role, body in children(node):
            yield from simple_commands(body, _enter(ctx, node, role))


def _enter(ctx: Context, node: Node, role: str) -> Context:
    loops = ctx.loops
    if isinstance(node, Loop) and role in ("loop", "loop-condition"):
        loops = (*loops, node)
    return Context(
        loops,
        ctx.in_condition or role in ("condition", "loop-condition"),
        ctx.background,
        ctx.functions,
        ctx.subshell or (isinstance(node, Group) and node.subshell),
    )


def function_defs(nodes: list[AndOr]) -> dict[str, FunctionDef]:
    """Every function defined anywhere in the script (the last definition of a name wins)."""
    out: dict[str, FunctionDef] = {}

    def visit(items: list[AndOr]) -> None:
        for item in items:
            for pipeline in item.parts:
                for command in pipeline.commands:
                    if isinstance(command, FunctionDef):
                        out[command.name] = command
                        if command.body is not None:
                            visit([AndOr(0, 0, [Pipeline(0, 0, [command.body])])])
                    else:
                        for _, body in children(command):
                            visit(body)

    visit(nodes)
    return out


@dataclass(frozen=True)
class Step:
    """A simple command in execution order, function calls followed."""

    command: Simple
    ctx: Context
    call_sites: tuple[Simple, ...]  # the calls that led here, outermost first


def executed(script: Script, max_depth: int = 8) -> list[Step]:
    """Simple commands in the order a run executes them: function definitions are not run
    where they are written but where they are called (to `max_depth`)."""
    functions = function_defs(script.body)
    out: list[Step] = []

    def run(items: list[AndOr], ctx: Context, sites: tuple[Simple, ...]) -> None:
        for item in items:
            inner = Context(ctx.loops, ctx.in_condition, ctx.background or item.background, ctx.functions, ctx.subshell)
            for pipeline in item.parts:
                for command in pipeline.commands:
                    node(command, inner, sites)

    def node(command: Node, ctx: Context, sites: tuple[Simple, ...]) -> None:
        if isinstance(command, FunctionDef):
            return
        if isinstance(command, Simple):
            name = command.words[0].text if command.words else ""
            if name in functions and name not in ctx.functions and len(sites) < max_depth:
                definition = functions[name].body
                if definition is not None:
                    called = Context(ctx.loops, ctx.in_condition, ctx.background, (*ctx.functions, name), ctx.subshell)
                    node(definition, called, (*sites, command))
                    return
            out.append(Step(command, ctx, sites))
            return
        for role, body in children(command):
            run(body, _enter(ctx, command, role), sites)

    run(script.body, Context(), ())
    return out


def tails(items: list[AndOr], functions: dict[str, FunctionDef], depth: int = 0) -> list[tuple[Simple, bool]]:
    """The simple commands that can run last in `items`, with whether each is alone in its
    pipeline (only then can `exec` take its place). Function calls are followed."""
    if not items:
        return []
    last = items[-1]
    if last.background:
        return []
    pipeline = last.parts[-1]
    if pipeline.negated:
        return []
    command = pipeline.commands[-1]
    alone = len(pipeline.commands) == 1
    if isinstance(command, Simple):
        name = command.words[0].text if command.words else ""
        if name in functions and depth < 8:
            definition = functions[name].body
            if definition is not None:
                return tails([AndOr(0, 0, [Pipeline(0, 0, [definition])])], functions, depth + 1)
        return [(command, alone)]
    if isinstance(command, If):
        out: list[tuple[Simple, bool]] = []
        for _, body in command.clauses:
            out += tails(body, functions, depth)
        if command.else_body is not None:
            out += tails(command.else_body, functions, depth)
        return out
    if isinstance(command, Case):
        return [t for arm in command.arms for t in tails(arm, functions, depth)]
    if isinstance(command, Group) and not command.subshell:
        return tails(command.body, functions, depth)
    return []


def contains_break(nodes: list[AndOr]) -> bool:
    """Whether a loop body can leave the loop on a condition (`break`, `exit`, `return`)."""
    for command, _ in simple_commands(nodes):
        if command.words and command.words[0].text in ("break", "exit", "return"):
            return True
    return False
