""".dockerignore matching with Docker's own semantics (moby/patternmatcher), case by case.

Every row is checked against what `MatchesOrParentMatches` returns for Docker: a path is
left out of the context when it, or one of its parent directories, matches the last
pattern that decides it.
"""

from __future__ import annotations

import pytest

from startlint.docker.dockerignore import DockerIgnore, go_clean, read_patterns

CASES = [
    # plain names are anchored at the context root (unlike .gitignore)
    (".git", ".git", True),
    (".git", ".git/HEAD", True),
    (".git", "sub/.git/HEAD", False),
    ("venv", "venv/bin/python", True),
    ("venv/", "venv/bin/python", True),  # cleaned: the trailing slash goes
    ("/.git", ".git/config", True),  # a leading slash is dropped
    ("./.git", ".git/config", True),
    ("docs/../.git", ".git/config", True),
    # * and ? stay within one path segment
    ("*.md", "README.md", True),
    ("*.md", "docs/guide.md", False),
    ("*/temp*", "somedir/temporary.txt", True),
    ("*/temp*", "somedir/sub/temp", False),
    ("*/*/temp*", "a/b/temp.txt", True),
    ("temp?", "tempa", True),
    ("temp?", "tempa/file", True),  # a file in a matched directory
    ("temp?", "temp/a", False),
    ("temp?", "tempab", False),
    ("*", ".git/HEAD", True),  # Go's Match does not treat dotfiles specially
    # ** spans any number of directories, none included
    ("**/*.go", "main.go", True),
    ("**/*.go", "a/b/c.go", True),
    ("**/.git", ".git/HEAD", True),
    ("**/.git", "vendor/lib/.git/HEAD", True),
    ("**/env", "env/pyvenv.cfg", True),
    ("docs/**", "docs/a/b.md", True),
    ("docs/**", "docs", False),
    ("a/**/b", "a/b", True),
    ("a/**/b", "a/x/y/b/file", True),
    # character classes and escapes
    ("[a-c].txt", "b.txt", True),
    ("[a-c].txt", "d.txt", False),
    ("[^a-c].txt", "d.txt", True),
    ("file\\*.txt", "file*.txt", True),
    ("file\\*.txt", "file1.txt", False),
    # regex metacharacters are literal
    ("a+b.txt", "a+b.txt", True),
    ("a+b.txt", "aab.txt", False),
    ("(x).txt", "(x).txt", True),
]


@pytest.mark.parametrize("pattern, path, excluded", CASES)
def test_single_pattern(pattern: str, path: str, excluded: bool) -> None:
    assert DockerIgnore.from_text(pattern + "\n").excludes(path) is excluded


def test_exceptions_and_order() -> None:
    ignore = DockerIgnore(["*.md", "!README*.md", "README-secret.md"])
    assert ignore.excludes("CHANGES.md")
    assert not ignore.excludes("README.md")
    assert ignore.excludes("README-secret.md")
    git = DockerIgnore([".git", "!.git/HEAD"])
    assert git.excludes(".git/config")
    assert not git.excludes(".git/HEAD")
    later = DockerIgnore(["!.git", ".git"])
    assert later.excludes(".git/HEAD")


def test_reading_the_file() -> None:
    text = "\ufeff# comment\n  .git  \n\n!  keep.md\n /abs/path/\n #not a comment\r\nbuild//out/\n"
    assert read_patterns(text) == [".git", "!keep.md", "abs/path", "#not a comment", "build/out"]


def test_invalid_patterns_are_reported_and_match_nothing() -> None:
    ignore = DockerIgnore(["[abc", "!", "ok"])
    assert ignore.invalid == ["[abc", "!"]
    assert ignore.excludes("ok/file")
    assert not ignore.excludes("a")


def test_the_context_root_itself_is_never_excluded() -> None:
    assert not DockerIgnore(["*", "**"]).excludes(".")


@pytest.mark.parametrize(
    "path, clean",
    [("", "."), ("a//b/", "a/b"), ("./a/./b", "a/b"), ("a/../..", ".."), ("/../a", "/a"), ("/", "/")],
)
def test_go_clean(path: str, clean: str) -> None:
    assert go_clean(path) == clean
