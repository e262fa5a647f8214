"""`python -m bot i18n-report`: how complete and how fit to send each language's catalog is.

English is the reference. For every language it prints the share of English
keys it translates, then per key and language what the tests enforce
(bot/quality/checks.py): the reading score of each channel's text, the SMS
segments (the SMS reply and the full text MORE sends), the voice checks, and
whether the translation is missing, fuzzy or stale (then English is served,
with the fallback note). With --strict it exits 1 when any key falls back or
any check fails (for release checks).
"""

from __future__ import annotations

import json

from bot.rendering.catalogs import FALLBACK_LANGUAGE, Catalogs, catalogs
from bot.settings import PROJECT_ROOT

# Written by tests/test_heldout_languages.py on every `make test`.
HELDOUT_RESULTS = PROJECT_ROOT / "results" / "heldout.json"


def coverage(catalog: Catalogs) -> dict[str, list[str]]:
    """Language -> reference keys it lacks (sorted)."""
    reference = catalog.messages[FALLBACK_LANGUAGE]
    return {
        language: sorted(key for key in reference if key not in messages)
        for language, messages in catalog.messages.items()
    }


def _translation_state(
    key: str, language: str, gaps: set[str], sources: dict[str, dict[str, list[str]]]
) -> str:
    if language == FALLBACK_LANGUAGE:
        return "source"
    found = sources.get(language, {"fuzzy": [], "stale": []})
    variants = {key, f"{key}.sms", f"{key}.voice"}
    if variants & set(found["fuzzy"]):
        return "FUZZY (English served)"
    if variants & set(found["stale"]):
        return "STALE (run make i18n-update)"
    if key in gaps:
        return "MISSING (English served)"
    return "ok"


def quality_table(catalog: Catalogs) -> tuple[list[str], int]:
    from bot.quality.checks import SMS_MAX_FULL_SEGMENTS, SMS_MAX_SEGMENTS, message_keys, quality
    from bot.rendering.catalog_sources import status

    gaps = coverage(catalog)
    sources = status(catalog.root)
    lines, failures = [], 0
    columns = f"{'reading (default / sms / voice)':<58}{'SMS sms/full':<20}{'voice':<8}"
    header = f"  {'key':<30}{columns}translation"
    for language in catalog.languages:
        lines += ["", f"[{language}]", header]
        for key in message_keys():
            result = quality(key, language)
            readings = []
            for variant, reading in result.readings.items():
                if reading is None:
                    readings.append("n/a")
                    continue
                mark = "" if reading.passes else " FAIL"
                readings.append(f"{variant or 'default'} {reading.score:.1f}{mark}")
                failures += not reading.passes
            sms = "-"
            if result.sms and result.sms_full:
                over = (
                    result.sms.segments > SMS_MAX_SEGMENTS
                    or result.sms_full.segments > SMS_MAX_FULL_SEGMENTS[result.sms_full.encoding]
                )
                failures += over
                encoding = "UCS-2" if "UCS-2" in (result.sms.encoding, result.sms_full.encoding) else "GSM-7"
                sms = f"{result.sms.segments}/{result.sms_full.segments} {encoding}{' FAIL' if over else ''}"
            voice = "-" if result.voice is None else ("ok" if not result.voice else "FAIL")
            failures += bool(result.voice)
            state = _translation_state(key, language, set(gaps.get(language, [])), sources)
            lines.append(f"  {key:<30}{' / '.join(readings):<58}{sms:<20}{voice:<8}{state}")
            for problem in result.voice or []:
                lines.append(f"      voice: {problem}")
            if result.readings and any(r is not None and r.exception for r in result.readings.values()):
                for variant, reading in result.readings.items():
                    if reading is not None and reading.exception:
                        name = variant or "default"
                        reason = reading.exception.reason
                        lines.append(f"      exception ({name}): limit {reading.bound:g}: {reason}")
    return lines, failures


def language_summary(catalog: Catalogs) -> list[str]:
    """Per served language: review status, coverage, SMS segments, voice mode, held-out accuracy."""
    import statistics

    from bot.channels.voice_twiml import voice_settings
    from bot.language.registry import language_settings
    from bot.quality.checks import sms_keys, sms_segments

    heldout = json.loads(HELDOUT_RESULTS.read_text(encoding="utf-8")) if HELDOUT_RESULTS.exists() else {}
    reference = catalog.messages[FALLBACK_LANGUAGE]
    lines = [
        "| language | review | catalog | SMS segments (median, max) | voice | held-out topic / language |",
        "|---|---|---|---|---|---|",
    ]
    for code, language in language_settings().languages.items():
        review = language.review_status
        if language.reviewed_by:
            review += f" ({language.reviewed_by}, {language.reviewed_on})"
        messages = catalog.messages.get(code, {})
        covered = sum(key in messages for key in reference)
        segments = [sms_segments(key, code)[0].segments for key in sms_keys()] if messages else []
        sms = f"{statistics.median(segments):g}, {max(segments)}" if segments else "-"
        voice = voice_settings(code)
        mode = "speech + voice" if voice.can_say else "speech + interpreter / text message"
        if not voice.speech:
            mode = mode.replace("speech", "keypad")
        scores = heldout.get(code)
        accuracy = f"{scores['topic']:.0%} / {scores['language']:.0%} (n={scores['n']})" if scores else "-"
        lines.append(
            f"| {code} {language.english_name} | {review} | {100 * covered / len(reference):.0f}% "
            f"| {sms} | {mode} | {accuracy} |"
        )
    return lines


def main(args: list[str]) -> int:
    from bot.quality.readability import limits
    from bot.rendering.catalog_sources import status

    catalog = catalogs()
    print("\n".join(language_summary(catalog)))
    if not HELDOUT_RESULTS.exists():
        print("(held-out accuracy: run `make test`, which writes results/heldout.json)")
    print()
    total = len(catalog.messages[FALLBACK_LANGUAGE])
    gaps = coverage(catalog)
    print(f"{'language':<10}{'keys':>6}{'coverage':>10}  reading limit")
    for language, missing in gaps.items():
        limit = limits().get(language)
        sign = ">=" if limit and limit.higher_is_easier else "<="
        rule = f"{limit.label} {sign} {limit.bound:g}" if limit else "none"
        print(f"{language:<10}{total - len(missing):>6}{100 * (total - len(missing)) / total:>9.0f}%  {rule}")
    for language, missing in gaps.items():
        for key in missing:
            print(f"  {language}: {key} falls back to {FALLBACK_LANGUAGE}")
    stale = 0
    for language, found in status(catalog.root).items():
        for key in found["fuzzy"]:
            print(f"  {language}: {key} is fuzzy (English changed): English is served until it is updated")
        for key in found["stale"]:
            stale += 1
            print(f"  {language}: {key} is stale but not flagged: run `make i18n-update`")
    lines, failures = quality_table(catalog)
    print("\n".join(lines))
    print(f"\n{failures} check(s) failed; {stale} stale translation(s) not flagged.")
    strict_failed = any(gaps.values()) or failures or stale
    return 1 if "--strict" in args and strict_failed else 0
