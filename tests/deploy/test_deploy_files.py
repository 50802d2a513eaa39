"""The files in deploy/ agree with the app: the env example starts a production app, nginx
masks the same token routes and takes the same body size, the units name real commands."""

import re
import shlex
from pathlib import Path

import pytest

from portal import create_app
from portal.config import Config
from portal.logs import TOKEN_ROUTE_PREFIXES

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def _env_example() -> dict[str, str]:
    """The example read as systemd's EnvironmentFile= reads it (quotes stripped)."""
    values = {}
    for line in (DEPLOY / "ledenportaal.env.example").read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, _, value = line.partition("=")
        values[name.strip()] = shlex.split(value)[0] if value.strip() else ""
    return values


def test_the_env_example_starts_a_production_app(monkeypatch, tmp_path):
    values = _env_example()
    assert values["PORTAL_SECRET_KEY"] == "" and values["PORTAL_MAIL_PASSWORD"] == ""
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    # Without the secret key it refuses to start, as the example says.
    with pytest.raises(SystemExit, match="PORTAL_SECRET_KEY|SECRET_KEY"):
        create_app()
    monkeypatch.setenv("PORTAL_SECRET_KEY", "k" * 64)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'p.db'}")
    app = create_app()
    assert app.config["IS_PRODUCTION"]
    assert app.config["MAIL_PORT"] == 587 and app.config["MAIL_USE_TLS"] is True
    assert app.config["MAIL_DEFAULT_SENDER"] == "Sociare Ledenportaal <ledenportaal@sociare.be>"
    assert app.config["TRUSTED_HOSTS"] == ["portaal.sociare.be", "localhost", "127.0.0.1"]
    assert app.config["PROXY_FIX_X_FOR"] == 1
    assert app.config["RATELIMIT_STORAGE_URI"].startswith("redis://")
    assert app.config["LOG_FORMAT"] == "json"


def test_the_env_example_names_only_settings_the_portal_knows():
    extension_settings = {"SECRET_KEY", "MAIL_USERNAME", "MAIL_PASSWORD", "MAIL_USE_SSL",
                          "THROTTLE_KEY_PREFIX", "CONFIG", "BASE_URL"}
    known = {name for name in dir(Config) if name.isupper()} | extension_settings
    names = [n.removeprefix("PORTAL_") for n in _env_example() if n.startswith("PORTAL_")]
    assert sorted(set(names) - known) == []
    # And the settings an operator must think about are all in it.
    for needed in ("BASE_URL", "TRUSTED_HOSTS", "PROXY_FIX_X_FOR", "RATELIMIT_STORAGE_URI",
                   "MAIL_SERVER", "MAIL_DEFAULT_SENDER", "LOG_FORMAT", "SECRET_KEY"):
        assert needed in names


def test_nginx_masks_the_same_token_routes_and_takes_the_same_body_size():
    site = (DEPLOY / "nginx" / "ledenportaal.conf").read_text()
    masked = set(re.findall(r'"~\^\(\?<p>(/[^)]+/)\)', site))
    assert masked == set(TOKEN_ROUTE_PREFIXES)
    size = re.search(r"client_max_body_size (\d+)m;", site).group(1)
    assert int(size) * 1024 * 1024 == Config.MAX_CONTENT_LENGTH
    for header in ("X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Request-ID"):
        assert f"proxy_set_header {header} " in site
    assert "Strict-Transport-Security" in site
    assert "alias /opt/ledenportaal/portal/static/;" in site
    assert Path(__file__).resolve().parents[2].joinpath("portal", "static").is_dir()


UNIT_COMMANDS = {
    "ledenportaal-mail.service": ["mail", "send-queued"],
    "ledenportaal-retention.service": ["retention", "run"],
    "ledenportaal-campaign-remind.service": ["campaign", "remind"],
    "ledenportaal-attestations-due.service": ["attestations", "due"],
}


@pytest.mark.parametrize("unit", sorted(UNIT_COMMANDS))
def test_units_name_commands_the_app_has(app, unit):
    text = (DEPLOY / "systemd" / unit).read_text()
    command = UNIT_COMMANDS[unit]
    assert f"flask --app wsgi {' '.join(command)}" in text
    group = app.cli.get_command(None, command[0])
    assert group is not None and group.get_command(None, command[1]) is not None, command
    assert (DEPLOY / "systemd" / unit.replace(".service", ".timer")).exists() or (
        unit == "ledenportaal-mail.service")
