"""Choosing the language: --lang, then TUTOR_LANG, then the locale, then English."""

import pytest

from tutor import i18n


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "en"),
        ({"LANG": "zh_CN.UTF-8"}, "zh"),
        ({"LANG": "zh_TW.UTF-8"}, "zh"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({"LANG": "fr_FR.UTF-8"}, "en"),
        ({"LC_ALL": "en_GB.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"),  # LC_ALL overrides LANG, as in gettext
        ({"LC_MESSAGES": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"}, "zh"),
        ({"LANGUAGE": "fr:zh_CN:en", "LANG": "en_US.UTF-8"}, "zh"),  # the first language we have in the list
        ({"TUTOR_LANG": "zh", "LC_ALL": "en_US.UTF-8"}, "zh"),  # the tutor's own setting first
        ({"TUTOR_LANG": "klingon", "LANG": "zh_CN.UTF-8"}, "zh"),  # an unknown setting is passed over
    ],
)
def test_language_from_environment(environ, expected):
    assert i18n.language_from_environment(environ) == expected


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--lang", "zh", "lessons"], "zh"),
        (["lessons", "--lang=zh"], "zh"),
        (["derive", "x^2"], None),
        (["derive", "--", "--lang", "zh"], None),  # after -- it is an argument, not an option
    ],
)
def test_language_from_argv(argv, expected):
    assert i18n.language_from_argv(argv) == expected


def test_unknown_language_is_refused():
    with pytest.raises(ValueError, match="unknown language"):
        i18n.set_language("xx")
