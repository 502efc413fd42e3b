"""A small hostile registry.yaml is refused quickly, with one short located problem,
never by running out of memory, time or stack."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from monitor.registry import RegistryInvalid, load_registry

Problems = Callable[[str], list[str]]
Write = Callable[[str], Path]
REPO = Path(__file__).resolve().parents[2]


def laughs(levels: int) -> str:
    """Top-level keys, each a list of nine aliases of the one before."""
    lines = ["x0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"x{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


def merges(levels: int) -> str:
    """Sources, each merging nine copies of the one before."""
    lines = ["sources:", "  - &m0 {id: a, url: 'https://example.org/', title: t}"]
    lines += [f"  - &m{i} {{<<: [{', '.join([f'*m{i - 1}'] * 9)}]}}" for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


def fan_out(claims: int, copies: int) -> str:
    """One source with many claims, listed again and again by alias."""
    listed = ", ".join(f"{{id: c{i}, statement: s, evidence: e}}" for i in range(claims))
    source = f"  - &s {{id: a, url: 'https://example.org/', claims: [{listed}]}}\n"
    return "sources:\n" + source + "  - *s\n" * copies


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        (laughs(9), 11, "aliases such as the one on this line make the registry more than"),
        (merges(9), 12, "aliases such as the one on this line make the registry more than"),
        (fan_out(1000, 1000), 4, "aliases such as the one on this line make the registry more"),
        ("settings: &s\n  policy: *s\n", 3, "the alias *s is inside the value it names"),
        ("x: " + "[" * 40 + "]" * 40 + "\n", 2, "nested more than 32 levels deep"),
        (
            "".join(f"x{i}: &a{i} [*a{i - 1}]\n" if i else "x0: &a0 [a]\n" for i in range(40)),
            32,
            "the alias *a29 nests values more than 32 deep",
        ),
        # Without an alias or a bracket, block nesting is deep only by its prefixes.
        (
            "".join(" " * i + f"k{i}:\n" for i in range(40)) + " " * 40 + "v\n",
            34,
            "nested more than 32 levels deep",
        ),
        ("x:\n" + "- " * 40 + "v\n", 3, "nested more than 32 levels deep"),
        ("x: " + "[\n" * 40 + "]\n" * 40, 33, "nested more than 32 levels deep"),
        # Brackets in a comment close nothing.
        ("x: " + "[" * 40 + " # " + "]" * 40 + "\n" + "]" * 40 + "\n", 2, "nested more than 32"),
    ],
    ids=[
        "billion-laughs",
        "merge-keys",
        "fan-out",
        "recursive",
        "deep",
        "alias-chain",
        "deep-by-indentation",
        "deep-compact-sequences",
        "deep-flow-over-lines",
        "deep-behind-a-comment",
    ],
)
def test_hostile_documents_are_refused_quickly(
    problems: Problems, tmp_path: Path, body: str, line: int, message: str
) -> None:
    started = time.monotonic()
    [problem] = problems("version: 1\n" + body)
    assert time.monotonic() - started < 5
    assert problem.startswith(f"{tmp_path / 'registry.yaml'}:{line}: {message}")
    assert len(problem) < 300


def test_brackets_nested_past_the_stack_do_not_crash(write_registry: Write) -> None:
    # libyaml composes by recursion: 300,000 open brackets overflow the C stack.
    path = write_registry("version: 1\nx: " + "[" * 300_000 + "]" * 300_000 + "\n")
    code = (
        "import sys\nfrom pathlib import Path\n"
        "from monitor.registry import RegistryInvalid, load_registry\n"
        "try:\n    load_registry(Path(sys.argv[1]))\n"
        "except RegistryInvalid as exc:\n    print(exc)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stdout) == (0, f"{path}:2: nested more than 32 levels deep\n")


def test_shared_defaults_in_a_large_registry_are_fine(write_registry: Write) -> None:
    entries = "".join(
        f"  - <<: *d\n    id: s{i}\n    url: https://example.org/{i}\n" for i in range(3000)
    )
    text = (
        "version: 1\nowners: {web: {name: Web}}\nsources:\n"
        "  - &d {id: s, url: 'https://example.org/', owner: web, accessed: 2014-01-15,"
        " interval: 1d, expect: {content_type: text/html}}\n" + entries
    )
    registry = load_registry(write_registry(text))
    assert len(registry.sources) == 3001
    assert {s.owner for s in registry.sources} == {"web"}


def test_a_character_yaml_refuses_is_reported_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "registry.yaml"
    # Characters before it take two bytes each: the line must not be counted in bytes.
    path.write_bytes("version: 1\ntitle: ééééé\nsettings:\n  user_agent: é\x00\n".encode())
    with pytest.raises(RegistryInvalid) as caught:
        load_registry(path)
    assert str(caught.value) == (
        f"{path}:4: malformed YAML: unacceptable character U+0000:"
        " control characters are not allowed"
    )


@pytest.mark.parametrize(
    "setting",
    [
        'user_agent: "agent\\x07' + "x" * 100_000 + '"',
        'user_agent: "agent—' + "x" * 100_000 + '"',
        "interval: " + "1d" * 50_000,
        "timeout_s: " + "9" * 100_000,
        "database: !" + "t" * 100_000 + " x",
    ],
    ids=["control", "not-ascii", "duration", "number", "tag"],
)
def test_a_huge_value_is_quoted_short(problems: Problems, valid_text: str, setting: str) -> None:
    [problem] = problems(valid_text.replace("  timeout_s: 5", f"  {setting}", 1))
    assert len(problem) < 400


@pytest.mark.parametrize(
    "line",
    [
        "x: [[[[[[[[ # ]]]]]]]]",
        'x: [[[[[[[[ "]]]]]]]]"',
        'x: [a"[[[[[[[["]',
        'x: ["a"[[[[[[]]]]]]]',
        "x: [a ', [[[[[[[[[[[[[[x]]]]]]]]]]]]]], z ']",
        "x: [a- 'x[[[[[[[[[[[[[[', y]",
    ],
)
def test_the_quick_look_never_vouches_for_brackets_it_cannot_read(line: str) -> None:
    from monitor.registry.compose import _plainly_within_limits

    assert not _plainly_within_limits(line + "\n")


def test_the_quick_look_vouches_for_a_plain_flow_registry() -> None:
    from monitor.registry.compose import _plainly_within_limits

    lines = ['  - {id: s1, url: "http://example.org/a#b[c]"}', "  - {id: s2, title: 'it''s [x]'}"]
    assert _plainly_within_limits("sources:\n" + "\n".join(lines) + "\n")


def test_the_quick_look_vouches_only_for_what_the_parser_nests_shallowly() -> None:
    # Random lines of brackets, quotes, commas, colons and dashes: wherever the quick
    # look vouches, the parser's own nesting is within what it counted.
    import random

    import yaml

    from monitor.registry.compose import _QUOTED, MAX_DEPTH, _plainly_within_limits

    rng = random.Random(11)
    alphabet = list("[[[]]]{{}}'\"\"',,:: ab-#\\")
    vouched = 0
    for _ in range(20_000):
        document = "k: " + "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 30))) + "\n"
        if not _plainly_within_limits(document):
            continue
        vouched += 1
        depth = deepest = 0
        try:
            for event in yaml.parse(document, Loader=yaml.SafeLoader):
                if isinstance(event, yaml.CollectionStartEvent):
                    depth += 1
                    deepest = max(deepest, depth)
                elif isinstance(event, yaml.CollectionEndEvent):
                    depth -= 1
        except yaml.YAMLError:
            continue
        counted = _QUOTED.sub(r"\g<lead>", document.rstrip("\n"))
        opening = counted.count("[") + counted.count("{")
        # The root mapping is one level; a flow level may hold a one-pair mapping.
        assert deepest - 1 <= 2 * opening <= MAX_DEPTH, document
    assert vouched > 500
