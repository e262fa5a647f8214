"""`python -m bot i18n-report`: how complete is each language's catalog?

English is the reference. For every other language it prints the share of
English keys it translates and each key that would fall back to English.
With --strict it exits 1 when any key falls back (for release checks).
"""

from __future__ import annotations

from bot.rendering.catalogs import FALLBACK_LANGUAGE, Catalogs, catalogs


def coverage(catalog: Catalogs) -> dict[str, list[str]]:
    """Language -> reference keys it lacks (sorted)."""
    reference = catalog.messages[FALLBACK_LANGUAGE]
    return {
        language: sorted(key for key in reference if key not in messages)
        for language, messages in catalog.messages.items()
    }


def main(args: list[str]) -> int:
    catalog = catalogs()
    total = len(catalog.messages[FALLBACK_LANGUAGE])
    gaps = coverage(catalog)
    print(f"{'language':<10}{'keys':>6}{'coverage':>10}")
    for language, missing in gaps.items():
        print(f"{language:<10}{total - len(missing):>6}{100 * (total - len(missing)) / total:>9.0f}%")
    for language, missing in gaps.items():
        for key in missing:
            print(f"  {language}: {key} falls back to {FALLBACK_LANGUAGE}")
    return 1 if "--strict" in args and any(gaps.values()) else 0
