"""Settings: bangyaer.toml plus BANGYAER_* variables, checked once with exact messages."""

from __future__ import annotations

import pytest
from bangyaer import SettingSpec
from bangyaer.platform import Platform
from bangyaer.settings import ConfigError, load_settings
from bangyaer.testing import build_plugin

SECRET = "a-secret-of-enough-length"


def write(tmp_path, text):
    (tmp_path / "bangyaer.toml").write_text(text, encoding="utf-8")
    return str(tmp_path / "bangyaer.toml")


def test_without_a_file_every_setting_has_its_default(tmp_path):
    settings = load_settings(tmp_path, environ={})
    assert settings.database_url == f"sqlite+aiosqlite:///{tmp_path.resolve()}/bangyaer.db"
    assert settings.blob_dir == str(tmp_path.resolve() / "blobs")
    assert (settings.timezone, settings.default_locale, settings.max_upload_bytes,
            settings.embedded_worker, settings.disabled_plugins) == (
        "Asia/Shanghai", "zh_CN", 200 * 1024 * 1024, True, ())


def test_data_dir_defaults_to_bangyaer_home_then_var(tmp_path):
    assert load_settings(environ={"BANGYAER_HOME": str(tmp_path)}).data_dir == tmp_path
    assert str(load_settings(environ={}).data_dir) == "var"


def test_file_values_are_read(tmp_path):
    write(tmp_path, f'[bangyaer]\nsecret_key = "{SECRET}"\ndebug = true\n'
                    'max_upload_bytes = 1024\n[plugins]\ndisabled = ["notices"]\n'
                    '[plugins.competitions]\nmax_works = 3\n')
    settings = load_settings(tmp_path, environ={})
    assert (settings.secret_key, settings.debug, settings.max_upload_bytes) == (SECRET, True, 1024)
    assert settings.disabled_plugins == ("notices",)
    assert settings.plugin_settings == {"competitions": {"max_works": 3}}


def test_environment_wins_over_the_file_and_is_parsed_to_the_type(tmp_path):
    write(tmp_path, "[bangyaer]\ndebug = true\nlogin_max_failures = 5\n")
    settings = load_settings(tmp_path, environ={
        "BANGYAER_DEBUG": "off", "BANGYAER_LOGIN_MAX_FAILURES": "9",
        "BANGYAER_BASE_URL": "https://bangyaer.example.cn"})
    assert (settings.debug, settings.login_max_failures, settings.base_url) == (
        False, 9, "https://bangyaer.example.cn")


@pytest.mark.parametrize(("line", "message"), [
    pytest.param('debug = "yes"', "[bangyaer] debug: expected true or false, found 'yes'",
                 id="bool"),
    pytest.param("max_upload_bytes = true",
                 "[bangyaer] max_upload_bytes: expected an integer, found True", id="bool-int"),
    pytest.param('session_max_age = "1d"',
                 "[bangyaer] session_max_age: expected an integer, found '1d'", id="int"),
    pytest.param("base_url = 8000", "[bangyaer] base_url: expected a string, found 8000",
                 id="str"),
    pytest.param('timezone = "Mars/Olympus"', "[bangyaer] timezone: expected an IANA time "
                 "zone such as 'Asia/Shanghai', found 'Mars/Olympus'", id="zone"),
    pytest.param('default_locale = "fr"',
                 "[bangyaer] default_locale: expected 'zh_CN' or 'en', found 'fr'", id="locale"),
    pytest.param('base_url = "bangyaer.example.cn/"', "[bangyaer] base_url: expected an "
                 "http(s) URL without a trailing slash, found 'bangyaer.example.cn/'",
                 id="base-url"),
    pytest.param("login_max_failures = 0", "[bangyaer] login_max_failures: expected an "
                 "integer of at least 1, found 0", id="minimum"),
    pytest.param('database_url = "mysql://root:hunter2@db/bangyaer"',
                 "[bangyaer] database_url: expected a sqlite+aiosqlite:/// or "
                 "postgresql+asyncpg:// URL, found 'mysql://root:***@db/bangyaer'",
                 id="url-password-masked"),
    pytest.param('secret_key = "short"', "[bangyaer] secret_key: expected at least 16 "
                 "characters, found 5; run `bangyaer init` to generate one", id="secret"),
    pytest.param("secret_key = 1234567890",
                 "[bangyaer] secret_key: expected a string, found a hidden int",
                 id="secret-hidden"),
])
def test_bad_file_value_names_file_key_expected_type_and_value(tmp_path, line, message):
    source = write(tmp_path, f"[bangyaer]\n{line}\n")
    with pytest.raises(ConfigError) as raised:
        load_settings(tmp_path, environ={})
    assert str(raised.value) == f"{source}: {message}"


@pytest.mark.parametrize(("name", "value", "message"), [
    pytest.param("BANGYAER_DEBUG", "maybe",
                 "environment: BANGYAER_DEBUG: expected true or false, found 'maybe'", id="bool"),
    pytest.param("BANGYAER_MAX_UPLOAD_BYTES", "2GB",
                 "environment: BANGYAER_MAX_UPLOAD_BYTES: expected an integer, found '2GB'",
                 id="int"),
    pytest.param("BANGYAER_SQLITE_BUSY_TIMEOUT_MS", "-1",
                 "environment: BANGYAER_SQLITE_BUSY_TIMEOUT_MS: expected an integer of at "
                 "least 0, found -1", id="minimum"),
])
def test_bad_environment_value_names_the_variable_and_value(tmp_path, name, value, message):
    with pytest.raises(ConfigError) as raised:
        load_settings(tmp_path, environ={name: value})
    assert str(raised.value) == message


def test_unknown_key_suggests_the_closest_one(tmp_path):
    source = write(tmp_path, "[bangyaer]\ndebgu = true\n")
    with pytest.raises(ConfigError) as raised:
        load_settings(tmp_path, environ={})
    assert str(raised.value) == (
        f"{source}: [bangyaer] debgu: unknown setting; did you mean 'debug'?")


def test_unknown_key_without_a_close_match_lists_the_known_ones(tmp_path):
    source = write(tmp_path, "[bangyaer]\nwebsite_colour = 'red'\n")
    with pytest.raises(ConfigError) as raised:
        load_settings(tmp_path, environ={})
    assert str(raised.value).startswith(
        f"{source}: [bangyaer] website_colour: unknown setting; known settings are base_url, "
        "blob_dir, database_url, debug, default_locale, embedded_worker, ")


def test_unknown_table_is_refused(tmp_path):
    source = write(tmp_path, "[server]\nport = 80\n")
    with pytest.raises(ConfigError) as raised:
        load_settings(tmp_path, environ={})
    assert str(raised.value) == (f"{source}: [server]: unknown table; "
                                 "expected [bangyaer] and [plugins]")


def test_file_that_is_not_toml_is_refused(tmp_path):
    source = write(tmp_path, "[bangyaer\n")
    with pytest.raises(ConfigError, match=r"^.*bangyaer\.toml: not valid TOML: ") as raised:
        load_settings(tmp_path, environ={})
    assert str(raised.value).startswith(f"{source}: not valid TOML: ")


@pytest.mark.parametrize(("text", "message"), [
    pytest.param('[plugins]\ndisabled = "notices"\n',
                 "[plugins] disabled: expected a list of plugin ids, found 'notices'", id="list"),
    pytest.param("[plugins]\nnotices = 3\n",
                 "[plugins] notices: expected a table of settings, found 3", id="table"),
])
def test_bad_plugins_table_is_refused(tmp_path, text, message):
    source = write(tmp_path, text)
    with pytest.raises(ConfigError) as raised:
        load_settings(tmp_path, environ={})
    assert str(raised.value) == f"{source}: {message}"


# -- [plugins.<id>] against settings_schema() --------------------------------

SCHEMA = [
    SettingSpec("max_works", "int", 3, help="每人最多提交作品数"),
    SettingSpec("mode", "str", "online", choices=("online", "offline")),
    SettingSpec("app_secret", "str", "", secret=True),
]


def platform_with(tmp_path, config, schema=SCHEMA):
    source = write(tmp_path, config)
    settings = load_settings(tmp_path, environ={})
    plugin = build_plugin("contest", settings_schema=lambda: schema)
    return source, Platform(settings, plugins=[plugin], discover=False)


def test_hook_settings_schema_fills_defaults_and_keeps_given_values(tmp_path):
    _, platform = platform_with(tmp_path, "[plugins.contest]\nmax_works = 5\n")
    assert platform.config("contest") == {"max_works": 5, "mode": "online", "app_secret": ""}


@pytest.mark.parametrize(("table", "message"), [
    pytest.param('max_works = "five"', "[plugins.contest] max_works: expected an integer, "
                 "found 'five'", id="type"),
    pytest.param('mode = "hybrid"', "[plugins.contest] mode: expected one of "
                 "['online', 'offline'], found 'hybrid'", id="choices"),
    pytest.param("app_secret = 42", "[plugins.contest] app_secret: expected a string, "
                 "found a hidden int", id="secret-hidden"),
    pytest.param("max_work = 5", "[plugins.contest] max_work: unknown setting; "
                 "did you mean 'max_works'?", id="unknown"),
])
def test_hook_settings_schema_bad_value_fails_start_up_with_key_type_and_value(
        tmp_path, table, message):
    with pytest.raises(ConfigError) as raised:
        platform_with(tmp_path, f"[plugins.contest]\n{table}\n")
    assert str(raised.value) == f"{tmp_path / 'bangyaer.toml'}: {message}"


@pytest.mark.parametrize(("schema", "reason"), [
    pytest.param([SettingSpec("max_works", "int", "3")],
                 "settings_schema(): default of 'max_works' is '3', not an integer", id="default"),
    pytest.param([SettingSpec("a", "str", ""), SettingSpec("a", "str", "")],
                 "settings_schema(): setting 'a' is declared twice", id="twice"),
    pytest.param([SettingSpec("a", "date", "")],  # type: ignore[arg-type]
                 "settings_schema(): setting 'a' has type 'date'; expected one of "
                 "['str', 'int', 'bool', 'float', 'list']", id="type"),
])
def test_hook_settings_schema_that_is_itself_wrong_breaks_the_plugin_only(
        tmp_path, schema, reason):
    _, platform = platform_with(tmp_path, "", schema=schema)
    record = platform.host.records["contest"]
    assert (record.status, record.reason) == ("broken", reason)
    assert platform.host.is_enabled("core")


def test_settings_of_a_disabled_plugin_are_not_checked(tmp_path):
    write(tmp_path, '[plugins]\ndisabled = ["contest"]\n[plugins.contest]\nmax_works = "x"\n')
    settings = load_settings(tmp_path, environ={})
    plugin = build_plugin("contest", settings_schema=lambda: SCHEMA)
    platform = Platform(settings, plugins=[plugin], discover=False)
    assert platform.config("contest") == {}
