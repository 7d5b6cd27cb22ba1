"""The learner's language: conclib's messages in English (the default) or in Russian, with ``gettext``.

Choose the language for the whole process::

    >>> import conclib
    >>> conclib.set_language("ru")      # the Russian notebooks do this in their setup cell

Without ``set_language``, conclib reads the environment: ``CONCLIB_LANGUAGE`` (``en`` or ``ru``)
first, then the usual locale variables ``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES`` and ``LANG``, in the
order ``gettext`` reads them (``LANG=ru_RU.UTF-8`` means Russian). A language conclib does not
speak, such as ``de_DE``, means English.

Worker processes speak the parent's language: ``set_language`` also sets ``CONCLIB_LANGUAGE``,
which processes started later inherit, and the runner's shared state carries the language to every
worker, so a worker started by a fork server that is older than the choice follows it too.

How a message is written in the code, so that Babel can extract it (``make messages``)::

    from .i18n import _, N_, ngettext

    _("the speedup was {speedup:.2f}x").format(speedup=s)    # never an f-string inside _()
    ngettext("{n} job", "{n} jobs", n).format(n=n)           # Russian has three plural forms
    TITLE = N_("Concurrency")                                # marked now, translated where shown: gettext(TITLE)

The catalogues are ``locale/<language>/LC_MESSAGES/conclib.po`` (the source a translator edits) and
``conclib.mo`` (compiled from it; shipped in the wheel). This module imports nothing from conclib.
"""

from __future__ import annotations

import gettext as _gettext
import os
from pathlib import Path

__all__ = ["DEFAULT_LANGUAGE", "DOMAIN", "LANGUAGES", "LANGUAGE_VARIABLE", "LOCALE_DIR", "LOCALE_VARIABLES",
           "N_", "get_language", "gettext", "ngettext", "set_language"]

#: The languages conclib speaks; English is the language of the code and the default.
LANGUAGES: tuple[str, ...] = ("en", "ru")
DEFAULT_LANGUAGE = "en"
#: conclib's own variable: ``set_language`` sets it, so that processes started later inherit it.
LANGUAGE_VARIABLE = "CONCLIB_LANGUAGE"
#: The locale variables, in the order ``gettext`` reads them; the first one that is set decides.
LOCALE_VARIABLES: tuple[str, ...] = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")
DOMAIN = "conclib"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"

_chosen: str | None = None  # what set_language chose in this process
_catalogues: dict[str, _gettext.NullTranslations] = {}


def _normalise(value: str) -> str | None:
    """``'ru'`` for ``'ru'``, ``'RU'``, ``'ru_RU'``, ``'ru-RU'`` or ``'ru_RU.UTF-8'``; None if conclib lacks it."""
    code = value.strip().split(".")[0].split("@")[0].replace("-", "_").split("_")[0].lower()
    return code if code in LANGUAGES else None


def _allowed() -> str:
    return ", ".join(map(repr, LANGUAGES))


def set_language(language: str) -> None:
    """Speak ``language`` (``"en"`` or ``"ru"``) from now on, in this process and in its worker processes.

    A region or encoding is accepted and ignored: ``"ru_RU.UTF-8"`` is ``"ru"``.

    Raises:
        TypeError: ``language`` is not a string.
        ValueError: conclib does not speak ``language``.
    """
    global _chosen
    if not isinstance(language, str):
        raise TypeError(f"language must be a string, one of {_allowed()}; got {language!r}")
    code = _normalise(language)
    if code is None:
        raise ValueError(f"language must be one of {_allowed()}; got {language!r}")
    _chosen = code
    os.environ[LANGUAGE_VARIABLE] = code  # processes started from now on inherit it


def _from_environment() -> str:
    own = os.environ.get(LANGUAGE_VARIABLE, "").strip()
    if own:
        code = _normalise(own)
        if code is None:
            raise ValueError(f"the environment variable {LANGUAGE_VARIABLE} must be one of {_allowed()}; got {own!r}")
        return code
    for variable in LOCALE_VARIABLES:
        value = os.environ.get(variable, "").strip()
        if value:
            # LANGUAGE may list several, "ru:en"; the first one conclib speaks wins, as in gettext
            for part in value.split(":"):
                code = _normalise(part)
                if code is not None:
                    return code
            return DEFAULT_LANGUAGE
    return DEFAULT_LANGUAGE


def get_language() -> str:
    """The language conclib speaks now: what :func:`set_language` chose, else what the environment says."""
    return _chosen if _chosen is not None else _from_environment()


def _catalogue(language: str) -> _gettext.NullTranslations:
    if language not in _catalogues:
        if language == DEFAULT_LANGUAGE:  # the messages are written in it: nothing to look up
            _catalogues[language] = _gettext.NullTranslations()
        else:
            try:
                _catalogues[language] = _gettext.translation(DOMAIN, LOCALE_DIR, languages=[language])
            except OSError as exc:
                raise RuntimeError(f"conclib's message catalogue for {language!r} is missing ({exc}); "
                                   f"reinstall conclib, or run `make messages` in a clone") from None
    return _catalogues[language]


def gettext(message: str) -> str:
    """``message`` in the current language (itself in English, or when it has no translation)."""
    return _catalogue(get_language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a message that fits the number ``n`` (Russian has three), in the current language."""
    return _catalogue(get_language()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark ``message`` for translation and return it unchanged; translate it where it is shown."""
    return message


_ = gettext
