"""Real-browser tests: Debian's Chromium driven by Playwright against a real WSGI server.

Every page a journey reaches is passed to `check_page`, which runs axe-core (WCAG 2.1 A/AA),
reads the page's words (no internal codes, Python repr or English: tests/browser/words.py),
measures at 1280 and 375 px that no word breaks inside a table cell, that the menus keep to
one row and the page fits a phone, keeps a screenshot at both widths and saves the HTML; the
Nu Html Checker validates all saved pages in one run at the end of the session, which also
writes the contact sheet test-artifacts/browser/index.html (every screenshot with its URL
and width) for a person to look at.
"""

import html
import json
import re
import shutil
import subprocess
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from werkzeug.exceptions import HTTPException
from werkzeug.serving import make_server

from portal.demo import seed_demo
from portal.extensions import db
from tests.browser.words import (
    BROKEN_WORDS,
    INLINE_CODE,
    MENU_ROWS,
    PAGE_TEXT,
    english_words,
    raw_codes,
)

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules/axe-core/axe.min.js"
VNU = ROOT / "node_modules/vnu-jar/build/dist/vnu.jar"
ARTIFACTS = ROOT / "test-artifacts/browser"

if not CHROMIUM.exists():
    pytest.skip(
        "browser tests skipped: /usr/bin/chromium is missing (apt-get install chromium)",
        allow_module_level=True,
    )
if not AXE.exists():
    pytest.skip("browser tests skipped: node_modules/axe-core is missing (npm ci)",
                allow_module_level=True)


class PageChecks:
    """What the session checked, for the closing summary line."""

    pages = 0
    violations: list[str] = []
    raw_codes: list[str] = []
    english: list[str] = []
    broken_words: list[str] = []
    layout: list[str] = []  # menus on two rows, a page wider than a phone, inline code
    html_files: list[Path] = []
    sheet: dict[str, dict] = {}  # slug -> name, url, screenshots (for the contact sheet)
    excepted: dict[str, list[str]] = {}  # endpoint -> raw codes not counted (see above)
    endpoints: set[str] = set()  # the endpoint of every checked page, for the coverage check
    url_map = None  # the portal's routes (the same in every test app)


# GET endpoints no journey has to pass to check_page, each with the reason. Everything else
# the app serves with GET must be reached by a journey (checked at the end of a full run).
UNCHECKED_ENDPOINTS = {
    "static": "CSS, images and fonts, not pages",
    "public.healthz": "a plain-text health probe for the load balancer, not a page",
    "privacy.download_my_data": "a JSON download (the journey checks its content)",
    "confirmation.staff_export": "a CSV download",
    "education_leave.staff_export": "a CSV download",
    "newsletters.staff_export": "a CSV download",
}


# Pages whose machine names are shown on purpose until another issue rewrites them; their
# raw codes are listed at the end of the run but not counted. Nothing else may show any.
RAW_CODES_EXCEPTED = {
    "staff.audit_log": "issue 19 item 2 writes the audit log in words (actors, objects and "
                       "fields by name); today it shows the recorded codes by design",
}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking"],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # The portal's CSP forbids inline scripts; only the test's axe injection bypasses it.
    return {**browser_context_args, "bypass_csp": True, "locale": "nl-BE"}


class InFlight:
    """Counts responses whose after-response work (mail delivery) has not finished.

    The portal delivers mail after the response went out; a journey that reads its mail
    right after a click waits until the server is done with that request.
    """

    def __init__(self, app):
        self.app = app
        self.count = 0
        self.idle = threading.Condition()

    def __call__(self, environ, start_response):
        with self.idle:
            self.count += 1
        try:
            body = self.app(environ, start_response)
        except BaseException:
            self._done()
            raise
        return _ClosingBody(body, self._done)

    def _done(self):
        with self.idle:
            self.count -= 1
            self.idle.notify_all()

    def wait(self, timeout: float = 10) -> None:
        with self.idle:
            self.idle.wait_for(lambda: self.count == 0, timeout=timeout)


class _ClosingBody:
    def __init__(self, body, on_close):
        self.body, self.on_close = body, on_close

    def __iter__(self):
        return iter(self.body)

    def close(self):
        try:
            if hasattr(self.body, "close"):
                self.body.close()
        finally:
            self.on_close()


SERVER = {}


@pytest.fixture
def live_server(app):
    """The app served on 127.0.0.1 by werkzeug in a thread; yields the base URL."""
    PageChecks.url_map = app.url_map
    in_flight = SERVER["in_flight"] = InFlight(app)
    server = make_server("127.0.0.1", 0, in_flight, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def demo_site(app, live_server):
    """The live server with the documented demo data seeded."""
    app.config["BASE_URL"] = live_server
    seed_demo()
    db.session.commit()  # what `flask seed-demo` does
    db.session.remove()
    return live_server


@pytest.fixture
def mails(app):
    """Reads the .eml files the portal wrote, newest last."""
    from email import policy
    from email.parser import BytesParser

    folder = Path(app.config["MAIL_FILE_DIR"])

    def read_all():
        if "in_flight" in SERVER:
            SERVER["in_flight"].wait()
        messages = []
        for path in sorted(folder.glob("*.eml")):
            messages.append(BytesParser(policy=policy.default).parsebytes(path.read_bytes()))
        return messages

    return read_all


def link_in(message, pattern: str) -> str:
    """The first link in a mail's text that matches `pattern` (a regex on the path)."""
    body = message.get_body(preferencelist=("plain",)).get_content()
    match = re.search(r"https?://\S*" + pattern + r"\S*", body)
    assert match, f"no link matching {pattern!r} in mail {message['Subject']!r}"
    return match.group(0).rstrip(".,)")


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _endpoint(url: str) -> str | None:
    """The endpoint that serves `url` with GET (None for an error page or a test route)."""
    if PageChecks.url_map is None:
        return None
    adapter = PageChecks.url_map.bind("localhost")
    try:
        endpoint, _values = adapter.match(urlsplit(url).path, method="GET")
    except HTTPException:
        return None
    return endpoint


DESKTOP = {"width": 1280, "height": 720}
PHONE = {"width": 375, "height": 800}


def page_problems(page, name: str) -> dict[str, list[str]]:
    """The words and layout checks of the page as it is now (no axe, no screenshots)."""
    text = page.evaluate(PAGE_TEXT)
    problems = {
        "raw codes": [f"{name}: {code!r}"
                      for code in raw_codes(text["text"]) + raw_codes(text["code"])],
        "English": [f"{name}: {word!r}" for word in english_words(text["text"])],
        "broken words": [f"{name} at {page.viewport_size['width']} px: {word}"
                         for word in page.evaluate(BROKEN_WORDS)],
        "layout": [f"{name}: {problem}" for problem in page.evaluate(INLINE_CODE)],
    }
    return problems


def check_page(page, name: str, path: str | None = None) -> None:
    """axe-core WCAG 2.1 A/AA, words, breaks and menus at 1280 and 375 px, screenshots, HTML.

    `path` names the URL the content came from when a test put it there with set_content.
    """
    page.wait_for_load_state()  # a click that navigates returns before the new page is there
    endpoint = _endpoint(path or page.url)
    if endpoint:
        PageChecks.endpoints.add(endpoint)
    slug = _slug(name)
    html_dir = ARTIFACTS / "html"
    shots = ARTIFACTS / "screenshots"
    html_dir.mkdir(parents=True, exist_ok=True)
    shots.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    if size != DESKTOP:
        page.set_viewport_size(DESKTOP)
    html_path = html_dir / f"{slug}.html"
    html_path.write_text(page.content(), "utf-8")
    PageChecks.html_files.append(html_path)

    found = page_problems(page, name)  # before axe adds its own script to the page
    found["layout"] += [f"{name} at 1280 px: {problem}" for problem in page.evaluate(MENU_ROWS)]

    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => await axe.run(document, {runOnly: {type: "tag",
             values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})"""
    )
    problems = [
        f"{name}: {v['id']} ({v['impact']}) on {n['target']}"
        for v in result["violations"] for n in v["nodes"]
    ]
    PageChecks.pages += 1
    PageChecks.violations.extend(problems)
    page.screenshot(path=str(shots / f"{slug}-desktop.png"), full_page=True)

    page.set_viewport_size(PHONE)
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    if scroll_width > PHONE["width"]:
        found["layout"].append(f"{name}: {scroll_width}px wide at a 375px phone width")
    header = page.evaluate("""() => { const h = document.querySelector('.header-grid');
        return h ? Math.round(h.getBoundingClientRect().height) : 0; }""")
    if header > 72:  # the closed menu: the wordmark and the menu button on one line
        found["layout"].append(f"{name}: the closed menu is {header}px high at 375 px")
    found["broken words"] += [f"{name} at 375 px: {word}" for word in page.evaluate(BROKEN_WORDS)]
    page.screenshot(path=str(shots / f"{slug}-phone.png"), full_page=True)
    page.set_viewport_size(size or DESKTOP)

    if endpoint in RAW_CODES_EXCEPTED:
        PageChecks.excepted.setdefault(endpoint, []).extend(found.pop("raw codes"))
        found["raw codes"] = []
    PageChecks.raw_codes.extend(found["raw codes"])
    PageChecks.english.extend(found["English"])
    PageChecks.broken_words.extend(found["broken words"])
    PageChecks.layout.extend(found["layout"])
    PageChecks.sheet[slug] = {"name": name, "url": path or page.url,
                              "desktop": f"screenshots/{slug}-desktop.png",
                              "phone": f"screenshots/{slug}-phone.png"}
    assert problems == [], "accessibility violations:\n" + "\n".join(problems)
    words = [problem for kind in ("raw codes", "English", "broken words", "layout")
             for problem in found[kind]]
    assert words == [], "words and layout:\n" + "\n".join(words)


def write_contact_sheet() -> Path:
    """test-artifacts/browser/index.html: every screenshot with its URL and width."""
    entries = []
    for item in PageChecks.sheet.values():
        parts = urlsplit(item["url"])
        url = html.escape(parts.path + (f"?{parts.query}" if parts.query else ""))
        figures = "".join(
            f'<figure class="{kind}"><a href="{item[kind]}"><img src="{item[kind]}" '
            f'alt="{html.escape(item["name"])} op {width} px" loading="lazy"></a>'
            f"<figcaption>{width} px</figcaption></figure>"
            for kind, width in (("desktop", DESKTOP["width"]), ("phone", PHONE["width"]))
            if kind in item)
        entries.append(f'<section><h2>{html.escape(item["name"])}</h2><p><code>{url}</code>'
                       f'</p><div class="shots">{figures}</div></section>')
    sheet = ARTIFACTS / "index.html"
    sheet.write_text(
        "<!DOCTYPE html><html lang=\"nl\"><head><meta charset=\"utf-8\">"
        "<title>Contactblad: elke pagina op 1280 en 375 px</title><style>"
        "body{font-family:system-ui,sans-serif;margin:1rem 2rem}section{border-top:1px solid #ccc;"
        "padding:.5rem 0 1.5rem}.shots{display:flex;gap:1.5rem;align-items:flex-start}"
        "figure{margin:0}.desktop img{width:640px}.phone img{width:188px}"
        "img{border:1px solid #999}</style></head><body>"
        f"<h1>Contactblad ({len(entries)} pagina's)</h1>{''.join(entries)}</body></html>",
        "utf-8")
    return sheet


def html_checker_missing() -> str | None:
    """Why the Nu Html Checker cannot run here, or None when it can."""
    if not shutil.which("java"):
        return "java is missing (apt-get install default-jre-headless)"
    if not VNU.exists():
        return "node_modules/vnu-jar is missing (npm ci)"
    return None


def validate_html(files: list[Path]) -> list[str]:
    """Nu Html Checker errors for the given files (one Java run for all)."""
    if not files or html_checker_missing():
        return []
    run = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", "--stdout",
         *map(str, files)],
        capture_output=True, text=True, check=False,
    )
    report = json.loads(run.stdout or '{"messages": []}')
    return [f"{Path(m.get('url', '')).name}:{m.get('lastLine', '?')}: {m['message']}"
            for m in report["messages"] if m.get("type") == "error"]


def get_endpoints_not_checked() -> list[str]:
    """GET endpoints of the portal that no journey passed to check_page."""
    rules = PageChecks.url_map.iter_rules() if PageChecks.url_map else []
    served = {rule.endpoint for rule in rules if "GET" in (rule.methods or ())}
    return sorted(served - PageChecks.endpoints - set(UNCHECKED_ENDPOINTS))


def _ran_every_journey(session) -> bool:
    """Whether this run collected every browser test file and none failed, so that an
    endpoint missing from the checked pages means a missing journey, not a partial run."""
    here = Path(__file__).parent
    wanted = {path.name for path in here.glob("test_*.py")}
    ran = {Path(str(item.fspath)).name for item in session.items
           if Path(str(item.fspath)).parent == here}
    deselected = session.config.getoption("keyword") or session.config.getoption("markexpr")
    return wanted <= ran and not deselected and session.testsfailed == 0


def pytest_sessionfinish(session, exitstatus):
    if not PageChecks.pages:
        return
    if _ran_every_journey(session):
        missing = get_endpoints_not_checked()
        session.config._browser_unchecked = missing  # noqa: SLF001
        if missing:
            session.exitstatus = 1
    errors = validate_html(sorted(set(PageChecks.html_files)))
    write_contact_sheet()
    # Never "0 HTML errors" when nothing was validated.
    missing_checker = html_checker_missing()
    html_figure = f"HTML NOT validated: {missing_checker}" if missing_checker else (
        f"{len(errors)} HTML errors")
    codes = len(PageChecks.raw_codes) + len(PageChecks.english)
    session.config._browser_summary = (  # noqa: SLF001
        f"browser: {PageChecks.pages} pages checked, {len(PageChecks.violations)} "
        f"accessibility violations, {html_figure}, {codes} raw codes, "
        f"{len(PageChecks.broken_words)} broken words"
    )
    session.config._browser_html_errors = errors  # noqa: SLF001
    if errors:
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    summary = getattr(config, "_browser_summary", None)
    if summary:
        for error in getattr(config, "_browser_html_errors", [])[:50]:
            terminalreporter.write_line(f"HTML error: {error}")
        unchecked = getattr(config, "_browser_unchecked", None)
        for endpoint in unchecked or []:
            terminalreporter.write_line(f"no journey checks the page of {endpoint}")
        if unchecked == []:
            terminalreporter.write_line(
                f"browser: every page of the portal was checked ({len(PageChecks.endpoints)} "
                f"endpoints; {len(UNCHECKED_ENDPOINTS)} downloads and probes excepted)")
        for endpoint, codes in PageChecks.excepted.items():
            terminalreporter.write_line(
                f"browser: {len(codes)} raw codes on {endpoint} not counted: "
                f"{RAW_CODES_EXCEPTED[endpoint]}")
        terminalreporter.write_line(
            f"browser: contact sheet {ARTIFACTS / 'index.html'} ({len(PageChecks.sheet)} pages"
            f" at 1280 and 375 px)")
        terminalreporter.write_line(summary)


DEMO_PASSWORD = "Demo-wachtwoord-2026"


def log_in(page, site: str, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(site + "/aanmelden")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord", exact=True).fill(password)
    page.get_by_role("button", name="Aanmelden").click()


def log_in_as_staff(page, site: str, email: str = "medewerker@voorbeeld.be") -> None:
    """Log in as the demo staff member, setting up TOTP at first login as staff must."""
    import pyotp
    from playwright.sync_api import expect

    log_in(page, site, email)
    expect(page.get_by_role("heading", name="Tweestapsverificatie instellen")).to_be_visible()
    key = page.locator("#totp-key").inner_text().replace(" ", "")
    page.get_by_label("Code uit de app").fill(pyotp.TOTP(key).now())
    page.get_by_role("button", name="Inschakelen").click()
    page.get_by_role("link", name="Ik heb mijn codes bewaard, verder").click()
    expect(page.get_by_role("heading", name="Mijn portaal")).to_be_visible()


def log_out(page) -> None:
    """Afmelden sits in the account menu under the person's name."""
    page.locator("details.account-menu > summary").click()
    page.get_by_role("button", name="Afmelden", exact=True).click()


def account_link(page, name: str):
    """A link of the account menu (Mijn gegevens, Wachtwoord wijzigen, Beveiliging), opened."""
    menu = page.get_by_role("navigation", name="Je account")
    if not menu.locator("details.account-menu").evaluate("details => details.open"):
        menu.locator("summary").click()
    return menu.get_by_role("link", name=name, exact=True)


def staff_link(page, name: str):
    """A link of the back-office bar."""
    return page.get_by_role("navigation", name="Beheer").get_by_role("link", name=name,
                                                                       exact=True)
