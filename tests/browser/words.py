"""What a page may not say to a person: internal codes, Python repr, English, and words broken
inside a table cell. Used by `check_page` on every page a journey reaches.

The text checks read what a person sees or hears (visible text, screen-reader-only text, the
labels of buttons and images); the break check measures the rendered lines in the browser.
"""

import re

# English words that are not also Dutch words (so "is", "in", "of", "we", "was" are not here),
# as they would appear when a string lacks its translation.
ENGLISH_WORDS = frozenset("""
    the and you your please submit save saved cancel delete edit remove required invalid
    field fields this that these with without from password back next previous search error
    errors yes not should must missing unknown page choose select continue confirm enter
    address name phone organisation organization person people newsletter newsletters
    trainings sign here there what which when who our for by are have has will can may all
    none true false null undefined step steps welcome hello dear thanks thank sent send about
    close add new settings my nothing something everything date number first due overdue
    delivered
""".split())

# Dotted names whose last part is a domain or a file type: ordinary words for a person.
_NOT_CODE_ENDINGS = frozenset("be eu nl com org net info csv json pdf txt eml png html xlsx"
                              .split())

_EMAIL_OR_URL = re.compile(r"\S+@\S+|https?://\S+|www\.\S+")
_SNAKE_CASE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
_DOTTED = re.compile(r"\b([a-z][a-z_]{2,}(?:\.[a-z_]{2,})+)\b")
_ID_LABEL = re.compile(r"(?<![\w&])#\d+\b")
_REPR = re.compile(r"\{'|\['|\[\]|\{\}|\bNone\b|\bTrue\b|\bFalse\b|object at 0x|<built-in|"
                   r"\bDecimal\(|\bdatetime\.|%\(\w+\)s|\{\{|\{%|\bLazyString\b")
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")  # "back-up" is one (Dutch) word


def raw_codes(text: str) -> list[str]:
    """Internal codes and Python repr in a text a person reads."""
    found = [match.group(0) for match in _REPR.finditer(text)]
    plain = _EMAIL_OR_URL.sub(" ", text)
    found += _SNAKE_CASE.findall(plain)
    found += [name for name in _DOTTED.findall(plain)
              if name.rsplit(".", 1)[-1] not in _NOT_CODE_ENDINGS]
    found += _ID_LABEL.findall(plain)
    return found


def english_words(text: str) -> list[str]:
    plain = _SNAKE_CASE.sub(" ", _DOTTED.sub(" ", _EMAIL_OR_URL.sub(" ", text)))
    return [word for word in _WORD.findall(plain) if word.lower() in ENGLISH_WORDS]


def text_problems(text: str) -> list[str]:
    problems = [f"raw code {code!r}" for code in raw_codes(text)]
    problems += [f"English word {word!r}" for word in english_words(text)]
    return problems


# Everything a person sees or hears: text nodes outside script/style (hidden menus and
# screen-reader-only text included), and the labels of buttons, images and regions. Text in
# <code>/<kbd> (a command staff type) comes apart: it is checked for raw codes, not English.
PAGE_TEXT = """() => {
  const skip = new Set(["SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE"]);
  const parts = [], code = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let node, previous = null;
  while ((node = walker.nextNode())) {
    const parent = node.parentElement;
    if (skip.has(parent.tagName)) { continue; }
    const into = parent.closest("code, kbd") ? code : parts;
    // Text split by <wbr> ("jan@<wbr>voorbeeld<wbr>.be") is one text for a reader.
    if (previous === parent && into.length) { into[into.length - 1] += node.data; }
    else { into.push(node.data); }
    previous = parent;
  }
  for (const element of document.querySelectorAll(
      "[aria-label], [alt], [title], [placeholder], input[type=submit], input[type=button]")) {
    for (const name of ["aria-label", "alt", "title", "placeholder"]) {
      if (element.hasAttribute(name)) { parts.push(element.getAttribute(name)); }
    }
    if (element.matches("input[type=submit], input[type=button]")) { parts.push(element.value); }
  }
  parts.push(document.title);
  return {text: parts.join("\\n"), code: code.join("\\n")};
}"""

# Words of table cells that the browser laid out on more than one line, as "Bewe|rken".
# A break right after "-", "/", "@" or "." (or before a ".") is allowed: long addresses
# wrap at those points only. Each word's characters are measured with Range.getClientRects.
BROKEN_WORDS = """() => {
  const allowedAfter = "-/@.\\u2013";
  const found = [];
  for (const cell of document.querySelectorAll("td, th")) {
    if (!cell.getClientRects().length) { continue; }
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode())) {
      if (!node.parentElement.getClientRects().length) { continue; }
      const words = /\\S+/g;
      let match;
      while ((match = words.exec(node.data))) {
        const word = match[0];
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + word.length);
        const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0)
                               .map((r) => Math.round(r.top)));
        if (tops.size < 2) { continue; }
        let previous = null;
        for (let i = 0; i < word.length; i++) {
          range.setStart(node, match.index + i);
          range.setEnd(node, match.index + i + 1);
          const rect = range.getClientRects()[0];
          if (!rect) { continue; }
          const top = Math.round(rect.top);
          if (previous !== null && top > previous + 2 && !allowedAfter.includes(word[i - 1])
              && word[i] !== ".") {
            found.push(word.slice(0, i) + "|" + word.slice(i));
          }
          previous = top;
        }
      }
    }
  }
  return found;
}"""

# The menus at a desktop width: every item of a menu bar on the first row, none scrolled away.
MENU_ROWS = """() => {
  const problems = [];
  for (const list of document.querySelectorAll(".site-header nav > ul")) {
    const name = list.parentElement.getAttribute("aria-label");
    const items = [...list.children].filter((item) => item.getClientRects().length);
    const tops = new Set(items.map((item) => Math.round(item.getBoundingClientRect().top)));
    if (tops.size > 1) { problems.push(name + ": " + tops.size + " rows"); }
    if (list.scrollWidth > list.clientWidth + 1) { problems.push(name + ": items cut off"); }
  }
  return problems;
}"""

# The inline code the CSP (script-src 'self'; style-src 'self') would block in a real browser.
INLINE_CODE = """() => [
  ...[...document.querySelectorAll("[style]")].map(
    (e) => "style attribute on <" + e.tagName.toLowerCase() + ">"),
  ...[...document.querySelectorAll("script:not([src])")].map(() => "inline <script>"),
  ...[...document.querySelectorAll("style")].map(() => "inline <style>"),
  ...[...document.querySelectorAll("*")].flatMap((e) => [...e.attributes]
      .filter((a) => a.name.startsWith("on")).map((a) => a.name + " handler")),
]"""
