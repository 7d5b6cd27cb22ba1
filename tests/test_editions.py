"""The Russian edition (notebooks/ru) cannot drift away from the English one (notebooks/).

For every notebook that exists in both editions:

- the code cells pair up one to one, in order and with the same cell ids;
- paired code cells are the same program token for token once string literals and comments are set
  aside (Python's ``tokenize``; IPython's ``%`` and ``!`` lines are compared as written). Two exceptions:
  the Russian setup cell adds ``conclib.set_language("ru")``; and a cell that holds one of the
  cheat-sheet's own programs is that program exactly as the cheat-sheet prints it (Russian comments and
  ``print(f'Выполнение заняло ...')`` included), where the English edition translates it; where the English
  cell also lets ``COUNTDOWN_N`` shorten the program, the Russian one adds the same lines and nothing else;
- a string the Russian edition leaves untranslated (it has no Cyrillic letter) is the English string,
  so model names, column names and answers cannot change by accident;
- paired cells carry the same tags and are hidden alike, and the exercises call the same checks;
- the collapsed solutions hold the same code (the English ones are run by test_checks_solutions.py).
"""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
RUSSIAN = NOTEBOOKS / "ru"
PAIRS = [(NOTEBOOKS / ru.name, ru) for ru in sorted(RUSSIAN.glob("*.ipynb"))]
SET_LANGUAGE = re.compile(r'^conclib\.set_language\("ru"\)[ \t]*(#.*)?$', re.MULTILINE)
CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)
SOLUTION = re.compile(r"<details><summary>(?:Solution|Решение)</summary>(.*?)</details>", re.S)
SOLUTION_CODE = re.compile(r"```python\n(.*?)```", re.S)
MAGIC = re.compile(r"^\s*(?:[%!]|[\w.]+\s*=\s*[%!])")  # %magic, !shell, x = !shell

#: The cheat-sheet's two programs, as it prints them (each split over two blocks there, joined here).
CHEATSHEET_THREADS = '''\
import time
import threading

def task(n=100_000_000):
    """Функция, которая имитирует задачу."""
    while n:
        n -= 1

if __name__ == '__main__':
    # Засечь время с максимально возможной точностью.
    start = time.time()
    # Создать два потока.
    p1 = threading.Thread(target=task)
    p2 = threading.Thread(target=task)
    # Старт двух потоков.
    p1.start()
    p2.start()
    # Подождать, пока оба потока завершат свою работу.
    p1.join()
    p2.join()
    finish = time.time()
    print(f'Выполнение заняло {finish - start} секунд.')
'''
CHEATSHEET_PROCESSES = '''\
import time
import multiprocessing

def task(n=100_000_000):
    """Функция, которая имитирует задачу."""
    while n:
        n -= 1

if __name__ == '__main__':
    start = time.time()
    # Создать два процесса.
    p1 = multiprocessing.Process(target=task)
    p2 = multiprocessing.Process(target=task)
    # Старт двух процессов.
    p1.start()
    p2.start()
    # Подождать, пока оба процесса завершат свою работу.
    p1.join()
    p2.join()
    finish = time.time()
    print(f'Выполнение заняло {finish-start} секунд.')
'''
CHEATSHEET_PROGRAMS = (CHEATSHEET_THREADS, CHEATSHEET_PROCESSES)
#: Words that only the cheat-sheet's programs print or say: a cell with them must be one of them exactly.
CHEATSHEET_MARKS = ("Выполнение заняло", "имитирует задачу")
#: The lines a course script adds to a cheat-sheet program so that COUNTDOWN_N (the quick size) can shorten it.
QUICK_SIZE_LINES = re.compile(r"^import os\n|^#.*\nN = int\(os\.environ\.get\('COUNTDOWN_N', 100_000_000\)\)\n",
                              re.MULTILINE)


# ----------------------------------------------------------------------------- reading code cells


def split_magic(source: str) -> tuple[str, str]:
    """A cell magic's first line (``%%writefile x.py``) and the rest of the cell."""
    if source.startswith("%%"):
        head, _, body = source.partition("\n")
        return head.strip(), body
    return "", source


def _string_end(tokens: list[tokenize.TokenInfo], i: int) -> int:
    """The index after the string literal that starts at ``tokens[i]`` (an f-string is one literal)."""
    name = tokenize.tok_name[tokens[i].type]
    if name == "STRING":
        return i + 1
    depth, j = 0, i
    while True:  # FSTRING_START ... FSTRING_END (and TSTRING_* from 3.14), nested ones included
        kind = tokenize.tok_name[tokens[j].type]
        depth += kind.endswith("_START") - kind.endswith("_END")
        j += 1
        if depth == 0:
            return j


def code_tokens(source: str) -> tuple[list[str], list[str]]:
    """The cell's code with strings and comments set aside, and its string literals.

    Tokens are ``kind`` or ``kind:text``; a string literal (several adjacent ones count as one) is
    ``STRING``; an IPython line is ``MAGIC:<the line>``.
    """
    head, body = split_magic(source)
    lines, magics = [], []
    for line in body.splitlines():
        if MAGIC.match(line):
            magics.append(line.strip())
            line = line[: len(line) - len(line.lstrip())] + f"__magic_{len(magics) - 1}__"
        lines.append(line)
    raw = list(tokenize.generate_tokens(io.StringIO("\n".join(lines) + "\n").readline))
    out: list[str] = [f"MAGIC:{head}"] if head else []
    strings: list[str] = []
    i = 0
    while i < len(raw):
        kind = tokenize.tok_name[raw[i].type]
        if kind in ("COMMENT", "NL", "ENCODING", "ENDMARKER"):
            i += 1
        elif kind == "STRING" or kind.endswith("STRING_START"):
            j = _string_end(raw, i)
            text = "".join(t.string for t in raw[i:j])
            if out and out[-1] == "STRING":  # implicit concatenation: one literal, however it is split
                strings[-1] += text
            else:
                out.append("STRING")
                strings.append(text)
            i = j
        else:
            text = raw[i].string
            magic = re.fullmatch(r"__magic_(\d+)__", text)
            if magic:
                out.append(f"MAGIC:{magics[int(magic.group(1))]}")
            else:
                out.append(kind if kind in ("NEWLINE", "INDENT", "DEDENT") else f"{kind}:{text}")
            i += 1
    return out, strings


def normalise_program(source: str) -> list[str]:
    return [line.rstrip() for line in source.strip("\n").splitlines()]


def without_quick_size(body: str) -> str:
    """The cheat-sheet's program as printed, from a script that lets COUNTDOWN_N shorten it."""
    body = QUICK_SIZE_LINES.sub("", body).replace("def task(n=N):", "def task(n=100_000_000):")
    return re.sub(r"\n{3,}", "\n\n", body)


def is_cheatsheet_cell(source: str) -> bool:
    return any(mark in source for mark in CHEATSHEET_MARKS)


def checks_called(nb: nbformat.NotebookNode) -> list[str]:
    return [name for cell in nb.cells if cell.cell_type == "code"
            for name in re.findall(r"\bcheck\.(\w+)\(", cell.source)]


def code_cells(path: Path) -> list[nbformat.NotebookNode]:
    return [cell for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "code"]


# ----------------------------------------------------------------------------- the editions


def test_the_russian_edition_exists_and_every_notebook_has_an_english_twin() -> None:
    names = {ru.name for _, ru in PAIRS}
    assert {"00-start-here.ipynb", "01-threads-and-processes.ipynb", "99-glossary.ipynb"} <= names
    orphans = [ru.name for en, ru in PAIRS if not en.exists()]
    assert not orphans, f"Russian notebooks without an English one: {orphans}"


@pytest.mark.parametrize(("en", "ru"), PAIRS, ids=[ru.stem for _, ru in PAIRS])
def test_code_cells_are_the_same_program(en: Path, ru: Path) -> None:
    english, russian = code_cells(en), code_cells(ru)
    assert [c.id for c in russian] == [c.id for c in english], (
        f"{ru.name}: the code cells must pair up with {en.name}'s, in order and with the same ids")
    for number, (e, r) in enumerate(zip(english, russian, strict=True)):
        where = f"{ru.name}, code cell {number} (id {r.id})"
        source = r.source
        if number == 0:
            assert len(SET_LANGUAGE.findall(source)) == 1, f"{where}: the setup cell calls conclib.set_language(\"ru\")"
            source = SET_LANGUAGE.sub("", source)
        if is_cheatsheet_cell(source):
            head, body = split_magic(source)
            assert normalise_program(without_quick_size(body)) in [normalise_program(p) for p in CHEATSHEET_PROGRAMS], (
                f"{where}: a cheat-sheet program is printed exactly as in the cheat-sheet")
            assert head == split_magic(e.source)[0], f"{where}: the same cell magic as in English"
            if "COUNTDOWN_N" not in body:
                continue
            # with the quick-size lines: the same program as the English cell, compared below
        (e_tokens, e_strings), (r_tokens, r_strings) = code_tokens(e.source), code_tokens(source)
        assert r_tokens == e_tokens, f"{where}: the code differs from English (strings and comments aside)"
        for e_string, r_string in zip(e_strings, r_strings, strict=True):
            if not CYRILLIC.search(r_string):
                assert r_string == e_string, f"{where}: an untranslated string must stay as in English"


@pytest.mark.parametrize(("en", "ru"), PAIRS, ids=[ru.stem for _, ru in PAIRS])
def test_the_same_cells_carry_the_same_tags(en: Path, ru: Path) -> None:
    for e, r in zip(code_cells(en), code_cells(ru), strict=True):  # paired as in test_code_cells_are_the_same_program
        assert sorted(r.metadata.get("tags", [])) == sorted(e.metadata.get("tags", [])), f"{ru.name}: cell {r.id}"
        assert r.metadata.get("jupyter", {}) == e.metadata.get("jupyter", {}), f"{ru.name}: cell {r.id} is hidden alike"

    def markdown_tags(path: Path) -> list[str]:
        nb = nbformat.read(path, as_version=4)
        return sorted(t for c in nb.cells if c.cell_type == "markdown" for t in c.metadata.get("tags", []))

    assert markdown_tags(ru) == markdown_tags(en)


@pytest.mark.parametrize(("en", "ru"), PAIRS, ids=[ru.stem for _, ru in PAIRS])
def test_the_same_exercises_call_the_same_checks(en: Path, ru: Path) -> None:
    english = checks_called(nbformat.read(en, as_version=4))
    assert checks_called(nbformat.read(ru, as_version=4)) == english


def solution_blocks(path: Path) -> list[str]:
    """The code blocks of every collapsed solution (``<details><summary>Solution`` or ``Решение``), in order."""
    nb = nbformat.read(path, as_version=4)
    return [block for cell in nb.cells if cell.cell_type == "markdown"
            for details in SOLUTION.findall(cell.source) for block in SOLUTION_CODE.findall(details)]


@pytest.mark.parametrize(("en", "ru"), PAIRS, ids=[ru.stem for _, ru in PAIRS])
def test_the_solutions_are_the_same_code(en: Path, ru: Path) -> None:
    """tests/test_checks_solutions.py runs the English solutions; the Russian ones must be the same programs."""
    english, russian = solution_blocks(en), solution_blocks(ru)
    assert len(russian) == len(english), f"{ru.name}: {len(russian)} solution code blocks, English has {len(english)}"
    for number, (e, r) in enumerate(zip(english, russian, strict=True)):
        (e_tokens, e_strings), (r_tokens, r_strings) = code_tokens(e), code_tokens(r)
        assert r_tokens == e_tokens, f"{ru.name}, solution block {number}: the code differs from English"
        for e_string, r_string in zip(e_strings, r_strings, strict=True):
            if not CYRILLIC.search(r_string):
                assert r_string == e_string, f"{ru.name}, solution block {number}: {r_string} must stay {e_string}"


@pytest.mark.parametrize("ru", [ru for _, ru in PAIRS], ids=lambda p: p.stem)
def test_links_lead_to_notebooks_that_exist(ru: Path) -> None:
    nb = nbformat.read(ru, as_version=4)
    for cell in nb.cells:
        for target in re.findall(r"\]\(([^)#:]+\.ipynb)\)", cell.source):
            assert (ru.parent / target).resolve().is_file(), f"{ru.name}: the link {target} leads nowhere"


# ----------------------------------------------------------------------------- the comparison itself


def test_strings_and_comments_are_set_aside_and_code_is_not() -> None:
    english = 'print(f"It took {t:.2f} s")  # the time\nx = run("threads", [1])\n'
    russian = 'print(f"Заняло {t:.2f} с")  # время\nx = run("threads", [1])\n'
    assert code_tokens(english)[0] == code_tokens(russian)[0]
    assert code_tokens("x = 1\n")[0] != code_tokens("x = 2\n")[0]
    assert code_tokens("run('threads')\n")[0] != code_tokens("run('threads', live=True)\n")[0]
    # a sentence split over more lines in one edition is still one literal
    assert code_tokens('print("a b")\n')[0] == code_tokens('print("а "\n      "б")\n')[0]
    assert code_tokens("x = 1\n%env A=1\n")[0] != code_tokens("x = 1\n%env A=2\n")[0]
    assert code_tokens("%%writefile a.py\nx = 1\n")[0] != code_tokens("%%writefile b.py\nx = 1\n")[0]
    assert code_tokens('run("threads")\n')[1] == ['"threads"']


def test_the_cheat_sheet_programs_are_recognised_and_must_be_exact() -> None:
    for program in CHEATSHEET_PROGRAMS:
        assert is_cheatsheet_cell(program)
        assert normalise_program("%%writefile x.py\n" + program) != normalise_program(program)
        assert normalise_program(split_magic("%%writefile x.py\n" + program)[1]) == normalise_program(program)
        changed = program.replace("100_000_000", "10_000_000")
        assert normalise_program(changed) not in [normalise_program(p) for p in CHEATSHEET_PROGRAMS]
        reads_n = "\n# n\nN = int(os.environ.get('COUNTDOWN_N', 100_000_000))\n\n\ndef task(n=N):"
        quick = program.replace("import time\n", "import os\nimport time\n", 1).replace(
            "\ndef task(n=100_000_000):", reads_n)
        assert quick != program and without_quick_size(quick) == program
        assert without_quick_size(quick.replace("n -= 1", "n -= 2")) != program
    compile(CHEATSHEET_THREADS, "threads", "exec")
    compile(CHEATSHEET_PROCESSES, "processes", "exec")
