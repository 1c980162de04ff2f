"""The pages' own scripts and stylesheet use nothing newer than an Android WebView of WeChat's
age understands (Chromium 78–86, 2019–2021): a denylist of later syntax and APIs, checked on the
code with comments and string literals taken out. The vendored libraries are checked by their
own tests."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parents[2] / "vote" / "static"
SCRIPTS = sorted(STATIC.glob("*.js"))
STYLESHEETS = sorted(STATIC.glob("*.css"))

# What an old WebView cannot parse or run, and the Chromium version that brought it.
JS_DENYLIST = {
    "optional chaining (?.), Chromium 80": re.compile(r"\?\.(?!\d)"),
    "nullish coalescing (??), Chromium 80": re.compile(r"\?\?"),
    "logical assignment (||= &&= ??=), Chromium 85": re.compile(r"(\|\||&&|\?\?)="),
    "numeric separators (1_000), Chromium 75": re.compile(r"\b\d+_\d"),
    "private class members (#name), Chromium 74–91": re.compile(r"(?<![\w$])#[A-Za-z_$]"),
    "static class blocks, Chromium 94": re.compile(r"\bstatic\s*\{"),
    "Array/String .at(), Chromium 92": re.compile(r"\.at\("),
    "String .replaceAll(), Chromium 85": re.compile(r"\.replaceAll\("),
    "Object.hasOwn(), Chromium 93": re.compile(r"\bObject\.hasOwn\("),
    "Array .findLast(), Chromium 97": re.compile(r"\.findLast(Index)?\("),
    "structuredClone(), Chromium 98": re.compile(r"\bstructuredClone\("),
    "crypto.randomUUID(), Chromium 92": re.compile(r"\brandomUUID\("),
    "Promise.any(), Chromium 85": re.compile(r"\bPromise\.any\("),
    "AbortSignal.timeout(), Chromium 103": re.compile(r"\bAbortSignal\.timeout\("),
    "import.meta / modules": re.compile(r"\bimport\.meta\b|^\s*(import|export)\s", re.MULTILINE),
}

CSS_DENYLIST = {
    ":has(), Chromium 105": re.compile(r":has\("),
    ":is(), Chromium 88": re.compile(r":is\("),
    ":where(), Chromium 88": re.compile(r":where\("),
    "inset, Chromium 87": re.compile(r"(?<![\w-])inset\s*:"),
    "aspect-ratio, Chromium 88": re.compile(r"aspect-ratio\s*:"),
    "clamp()/min()/max(), Chromium 79": re.compile(r"(?<![\w-])(clamp|min|max)\("),
    "container queries, Chromium 105": re.compile(r"@container|container-type"),
    "cascade layers, Chromium 99": re.compile(r"@layer"),
    "nesting (&), Chromium 112": re.compile(r"&"),
    "@supports selector(), Chromium 83": re.compile(r"selector\("),
}


def strip_js(source: str) -> str:
    """``source`` without comments and string or template literals (each becomes ``""``)."""
    out: list[str] = []
    i, n = 0, len(source)
    while i < n:
        ch = source[i]
        if source.startswith("//", i):
            i = source.find("\n", i)
            i = n if i < 0 else i
        elif source.startswith("/*", i):
            end = source.find("*/", i + 2)
            i = n if end < 0 else end + 2
        elif ch in "'\"`":
            j = i + 1
            while j < n and source[j] != ch:
                j += 2 if source[j] == "\\" else 1
            out.append('""')
            i = j + 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def top_level_await(code: str) -> bool:
    """True when ``await`` appears outside every function body (brace depth 0)."""
    depth = 0
    for token in re.finditer(r"[{}]|\bawait\b", code):
        if token.group() == "{":
            depth += 1
        elif token.group() == "}":
            depth -= 1
        elif depth == 0:
            return True
    return False


def class_fields(code: str) -> bool:
    """True when a class body declares a field (``name = …;`` or ``static name = …``)."""
    for match in re.finditer(r"\bclass\b[^{]*\{", code):
        depth, i = 1, match.end()
        body_start = i
        while i < len(code) and depth:
            depth += {"{": 1, "}": -1}.get(code[i], 0)
            i += 1
        top = re.sub(r"\{[^{}]*\}", "", code[body_start : i - 1])
        while re.search(r"\{[^{}]*\}", top):
            top = re.sub(r"\{[^{}]*\}", "", top)
        if re.search(r"(^|[;}\n])\s*(static\s+)?[A-Za-z_$#][\w$]*\s*(=|;)", top):
            return True
    return False


def modern_js(source: str) -> list[str]:
    """What in ``source`` an old WebView would not understand."""
    code = strip_js(source)
    found = [name for name, pattern in JS_DENYLIST.items() if pattern.search(code)]
    if top_level_await(code):
        found.append("top-level await, Chromium 89")
    if class_fields(code):
        found.append("class fields, Chromium 72–74")
    return found


RULE = re.compile(r"([^{}]*)\{([^{}]*)\}")
FLEX = re.compile(r"(?<![\w-])display\s*:\s*(inline-)?flex\b")
GAP = re.compile(r"(?<![\w-])(row-|column-)?gap\s*:")
ANYWHERE = re.compile(r"overflow-wrap\s*:\s*anywhere")
BREAK_WORD = re.compile(r"word-break\s*:\s*break-word")


def rules(code: str) -> list[tuple[set[str], str]]:
    """Each innermost rule of ``code`` (inside an @media block too): its selectors and body."""
    return [
        ({part.strip() for part in selectors.split(",") if part.strip()}, body)
        for selectors, body in RULE.findall(code)
    ]


def flex_gap(code: str) -> bool:
    """True when a rule sets ``gap`` on a selector that some rule makes a flex container: flex gap
    needs Chromium 84 (grid gap, Chromium 66, is fine)."""
    found = rules(code)
    flex = {selector for selectors, body in found if FLEX.search(body) for selector in selectors}
    return any(GAP.search(body) and selectors & flex for selectors, body in found)


def anywhere_alone(code: str) -> bool:
    """True when a rule says ``overflow-wrap: anywhere`` (Chromium 80) without the older
    ``word-break: break-word`` beside it, so a long hash would not wrap in an old WebView."""
    return any(ANYWHERE.search(body) and not BREAK_WORD.search(body) for _, body in rules(code))


def modern_css(source: str) -> list[str]:
    code = re.sub(r"/\*.*?\*/", "", source, flags=re.DOTALL)
    code = re.sub(r'"[^"]*"|\'[^\']*\'', '""', code)
    found = [name for name, pattern in CSS_DENYLIST.items() if pattern.search(code)]
    if flex_gap(code):
        found.append("flex gap, Chromium 84")
    if anywhere_alone(code):
        found.append("overflow-wrap: anywhere alone, Chromium 80")
    return found


def test_there_are_scripts_to_check() -> None:
    assert {path.name for path in SCRIPTS} >= {"vote.js", "verify.js"}
    assert "site.css" in {path.name for path in STYLESHEETS}
    assert not any("vendor" in path.parts for path in SCRIPTS)


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.name)
def test_scripts_use_nothing_newer_than_an_old_webview(script: Path) -> None:
    assert modern_js(script.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("stylesheet", STYLESHEETS, ids=lambda path: path.name)
def test_stylesheets_use_nothing_newer_than_an_old_webview(stylesheet: Path) -> None:
    assert modern_css(stylesheet.read_text(encoding="utf-8")) == []


def test_focus_shows_even_where_focus_visible_is_unknown() -> None:
    """Chromium before 86 drops a rule whose selector says :focus-visible, so focus must also be
    drawn by a plain :focus rule (hidden again only where :focus-visible is understood)."""
    css = (STATIC / "site.css").read_text(encoding="utf-8")
    plain = re.search(
        r"(?m)^()a:focus, button:focus, input:focus, select:focus[^{]*\{([^}]*)\}", css
    )
    assert plain is not None and "outline: 4px solid" in plain.group(2)


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        ("var a = b?.c;", "optional chaining (?.), Chromium 80"),
        ("var a = b ?? c;", "nullish coalescing (??), Chromium 80"),
        ("a ||= 1;", "logical assignment (||= &&= ??=), Chromium 85"),
        ("var big = 1_000;", "numeric separators (1_000), Chromium 75"),
        ("class A { #x = 1; }", "private class members (#name), Chromium 74–91"),
        ("class A { static { init(); } }", "static class blocks, Chromium 94"),
        ("var last = list.at(-1);", "Array/String .at(), Chromium 92"),
        ("s.replaceAll('a', 'b');", "String .replaceAll(), Chromium 85"),
        ("Object.hasOwn(o, 'k');", "Object.hasOwn(), Chromium 93"),
        ("list.findLast(f);", "Array .findLast(), Chromium 97"),
        ("var c = structuredClone(o);", "structuredClone(), Chromium 98"),
        ("var id = crypto.randomUUID();", "crypto.randomUUID(), Chromium 92"),
        ("Promise.any(all);", "Promise.any(), Chromium 85"),
        ("fetch(u, {signal: AbortSignal.timeout(5)});", "AbortSignal.timeout(), Chromium 103"),
        ("import x from './x.js';", "import.meta / modules"),
        ("var r = await fetch(u);", "top-level await, Chromium 89"),
        ("class A { count = 0; }", "class fields, Chromium 72–74"),
        ("class A {\n  static total = 0;\n}", "class fields, Chromium 72–74"),
    ],
)
def test_the_js_denylist_finds_each_feature(snippet: str, expected: str) -> None:
    assert expected in modern_js(snippet)


@pytest.mark.parametrize(
    "snippet",
    [
        "var a = b ? .5 : 1;",  # a conditional with a number, not optional chaining
        "// a?.b and a ?? b in a comment\nvar x = 1;",
        "var text = 'a?.b ?? c .at( #x';",
        "async function f() { var r = await fetch(u); }",
        "class A { constructor() { this.count = 0; } get n() { return 1; } }",
        "var ok = a || b; var both = a && b;",
    ],
)
def test_the_js_denylist_lets_old_syntax_through(snippet: str) -> None:
    assert modern_js(snippet) == []


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        ("label:has(input:checked) { color: red; }", ":has(), Chromium 105"),
        (":is(h1, h2) { margin: 0; }", ":is(), Chromium 88"),
        (".a { inset: 0; }", "inset, Chromium 87"),
        (".a { width: min(10rem, 100%); }", "clamp()/min()/max(), Chromium 79"),
        (".a { & .b { color: red; } }", "nesting (&), Chromium 112"),
        (".a { display: flex; gap: .5rem; }", "flex gap, Chromium 84"),
        (".a { display: inline-flex; row-gap: 1rem; }", "flex gap, Chromium 84"),
        (
            ".a, .b { display: flex; }\n@media (min-width: 1px) { .b { column-gap: 1rem; } }",
            "flex gap, Chromium 84",
        ),
        ("pre { overflow-wrap: anywhere; }", "overflow-wrap: anywhere alone, Chromium 80"),
    ],
)
def test_the_css_denylist_finds_each_feature(snippet: str, expected: str) -> None:
    assert expected in modern_css(snippet)


@pytest.mark.parametrize(
    "css",
    [
        ".a { box-shadow: inset 0 0 1px #000; min-height: 3rem; } /* :has( */",
        ".a { display: grid; gap: 0 1rem; grid-gap: 1rem; } .b { display: flex; }",
        ".a { display: flex; } .a > * + * { margin-left: .5rem; }",
        "pre { overflow-wrap: anywhere; word-break: break-word; }",
        "body { overflow-wrap: break-word; }",
    ],
)
def test_the_css_denylist_lets_old_css_through(css: str) -> None:
    assert modern_css(css) == []
