"""Phase-A language pack -> repository data. Usage: integrate_pack.py CODE"""
import json, pathlib, re, sys
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
code = sys.argv[1]
pack = (pathlib.Path(__file__).resolve().parents[1] / "incoming") / code
words = yaml.safe_load((pack / "words.yml").read_text())
DETECTOR = {"ko": "ko", "zh-Hant": "zh", "zh-Hans": "zh", "hy": "hy", "fa": "fa", "tl": "tl", "ru": "ru", "vi": "vi",
            "hi": "hi", "ja": "ja", "th": "th", "km": None, "am": None, "pa": "pa", "ur": "ur", "he": "he"}
VOICE = {
    "ko": dict(say_voice="Polly.Seoyeon", say_language="ko-KR", gather_language="ko-KR"),
    "zh-Hans": dict(say_voice="Polly.Zhiyu", say_language="cmn-CN", gather_language="cmn-Hans-CN", spoken_name="普通话 (Mandarin)"),
    "zh-Hant": dict(say_voice="Polly.Hiujin", say_language="yue-CN", gather_language="yue-Hant-HK", spoken_name="廣東話 (Cantonese)"),
    "ru": dict(say_voice="Polly.Tatyana", say_language="ru-RU", gather_language="ru-RU"),
    "tl": dict(say_voice="Google.fil-PH-Standard-A", say_language="fil-PH", gather_language="fil-PH"),
    "vi": dict(say_voice="Google.vi-VN-Standard-A", say_language="vi-VN", gather_language="vi-VN"),
    "hy": dict(gather_language="hy-AM"),
    "fa": dict(gather_language="fa-IR"),
    "hi": dict(say_voice="Polly.Kajal", say_language="hi-IN", gather_language="hi-IN"),
    "ja": dict(say_voice="Polly.Mizuki", say_language="ja-JP", gather_language="ja-JP"),
    "th": dict(say_voice="Google.th-TH-Standard-A", say_language="th-TH", gather_language="th-TH"),
    "km": dict(gather_language="km-KH"),
    "am": dict(say_voice="Google.am-ET-Standard-A", say_language="am-ET", gather_language="am-ET"),
    "pa": dict(say_voice="Google.pa-IN-Standard-A", say_language="pa-IN", gather_language="pa-guru-IN"),
    "ur": dict(gather_language="ur-PK"),
    "he": dict(say_voice="Google.he-IL-Standard-A", say_language="he-IL", gather_language="he-IL"),
}
q = lambda v: json.dumps(v, ensure_ascii=False)
def flow(items):
    return "[" + ", ".join(q(str(i)) for i in items) + "]"

# 1. NLU, one file per intent
nlu = yaml.safe_load((pack / "nlu.yml").read_text())["nlu"]
out_dir = ROOT / "data" / "nlu" / code
out_dir.mkdir(parents=True, exist_ok=True)
grouped = {}
for block in nlu:
    grouped.setdefault(block["intent"], []).extend(l for l in block["examples"].splitlines() if l.strip())
for intent, examples in grouped.items():
    body = "\n".join("    " + l.strip() for l in examples)
    (out_dir / f"{intent}.yml").write_text(
        f'version: "3.1"\n# {words.get("english_name", code)} ({code}): draft, written for this community; see locales/{code}/ and data/glossary/{code}.yml.\nnlu:\n- intent: {intent}\n  examples: |\n{body}\n')

# 2. languages.yml row
lang = ROOT / "data" / "languages.yml"
text = lang.read_text()
if f"\n  {code}:\n" not in text:
    scripts = words.get("scripts") or [words["script"]]
    row = [f"  {code}:", f"    native_name: {q(words['native_name'])}", f"    english_name: {q(words['english_name'])}",
           f"    scripts: {flow(scripts)}"]
    row.append(f"    detector: {DETECTOR[code] or 'null'}")
    if words.get("decisive_scripts"):
        row.append(f"    decisive_scripts: {flow(words['decisive_scripts'])}")
    if words.get("decisive_letters"):
        row.append(f"    decisive_letters: {q(str(words['decisive_letters']).replace(' ', ''))}")
    if words.get("han_variant"):
        row.append(f"    han_variant: {words['han_variant']}")
    if words.get("rtl"):
        row.append("    rtl: true")
    row.append("    review: {status: draft}")
    row.append(f"    switch_words: {flow(words.get('switch_words') or [])}")
    if words.get("romanized_words"):
        row.append(f"    romanized_words: {flow(words['romanized_words'])}")
    marker = "\n# Chinese text whose characters"
    text = text.replace(marker, "\n".join(row) + "\n" + marker, 1)
    lang.write_text(text)

# 3. glossary
gl = yaml.safe_load((pack / "glossary.yml").read_text())
(ROOT / "data" / "glossary").mkdir(exist_ok=True)
(ROOT / "data" / "glossary" / f"{code}.yml").write_text(
    f"# {words['english_name']} ({code}) legal terms: the forms every answer uses for the English term.\n"
    "# tests/test_translations.py checks each translation that contains the English term.\n"
    + yaml.safe_dump(gl, allow_unicode=True, sort_keys=False, width=100))

# 4. SMS help words
ch = ROOT / "data" / "channels.yml"
t = ch.read_text()
if f"\n    {code}: " not in t:
    t = t.replace("    es: [ayuda]\n", f"    es: [ayuda]\n    {code}: {flow(words.get('sms_help_words') or [])}\n", 1)
    ch.write_text(t)

# 5. voice
vo = ROOT / "data" / "voice.yml"
t = vo.read_text()
if f"\n  {code}:\n" not in t:
    v = VOICE[code]
    lines = [f"  {code}:"]
    if "say_voice" in v:
        lines += [f"    say_voice: {v['say_voice']}", f"    say_language: {v['say_language']}"]
    else:
        lines += ["    # Twilio has no text-to-speech voice for this language (FACTS.md section 4):",
                  "    # callers hear English and are offered the interpreter line or a text message."]
    lines += [f"    gather_language: {v['gather_language']}", "    speech: true"]
    if "spoken_name" in v:
        lines.append(f"    spoken_name: {q(v['spoken_name'])}")
    lines.append(f"    hints: {q(words.get('voice_hints', ''))}")
    t = t.replace("\n# The language menu:", "\n".join(lines) + "\n\n# The language menu:", 1)
    vo.write_text(t)
print("integrated", code)
