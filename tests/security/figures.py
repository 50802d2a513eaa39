"""Counters the security tests fill; tests/security/conftest.py prints them after the run."""

from collections import defaultdict

# area -> name -> number; each test adds what it measured.
FIGURES: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))


def add(area: str, **counts: int) -> None:
    for name, value in counts.items():
        FIGURES[area][name] += value


def summary_lines() -> list[str]:
    lines = []
    authz = FIGURES.get("authz")
    if authz:
        lines.append(
            f"authz: {authz['routes']} routes x 7 roles x methods = {authz['cells']} cells, "
            f"{authz['unexpected_allows']} unexpected allows, "
            f"{authz['mismatches']} other mismatches"
        )
    idor = FIGURES.get("idor")
    if idor:
        lines.append(f"idor: {idor['attempts']} attempts, {idor['changes']} changes, "
                     f"{idor['leaks']} leaks")
    csrf = FIGURES.get("csrf")
    if csrf:
        lines.append(
            f"csrf: {csrf['refusing']}/{csrf['routes']} state-changing routes refuse "
            f"({csrf['attempts']} forged posts, {csrf['changes']} changes; "
            f"exempt: {csrf['exempt']})"
        )
    redirects = FIGURES.get("redirects")
    if redirects:
        lines.append(
            f"redirects: {redirects['payloads']} payloads x {redirects['entry_points']} "
            f"entry points = {redirects['attempts']} attempts, {redirects['external']} external"
        )
    bad = FIGURES.get("bad_input")
    if bad:
        failures = sum(bad[name] for name in ("server_errors", "unescaped", "english",
                                              "half_writes", "header_injections"))
        lines.append(
            f"bad input: {bad['fields']} fields x {bad['payloads']} payloads = {bad['posts']} "
            f"posts, {bad['server_errors']} server errors, {failures} failures; "
            f"{bad['fuzz_cases']} fuzzed service calls, {bad['fuzz_failures']} failures; "
            f"2 MB body -> 413: {bad['too_large']}; {bad['csv_exports']} CSV exports neutralised"
        )
    races = FIGURES.get("races")
    if not races and lines:
        lines.append("races: skipped on SQLite (one writer at a time); they run on PostgreSQL")
    if races:
        # A run is counted only after its checks passed (one winner, the winner's value kept,
        # no duplicate row); a run that breaks them fails its test and is not counted.
        lines.append(f"races: {races['scenarios']} scenarios, {races['runs']} runs that kept "
                     "one winner and lost no update")
    crash = FIGURES.get("crash")
    if crash:
        lines.append(f"crash points: {crash['points']}, {crash['partial_writes']} partial writes")
    headers = FIGURES.get("headers")
    if headers:
        lines.append(f"headers: {headers['responses']} responses checked, "
                     f"{headers['missing']} missing security headers; "
                     f"forced errors: {FIGURES['errors']['forced']} (Dutch 500, no trace)")
    canaries = FIGURES.get("canaries")
    if canaries:
        lines.append(f"canaries: {canaries['values']} values x logs, audit events and "
                     f"{canaries['pages']} error pages, {canaries['leaks']} leaks")
    return lines
