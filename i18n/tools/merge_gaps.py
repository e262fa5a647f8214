"""Merge i18n/incoming/<code>/gaps.po (new or changed keys) into locales/<folder>/messages.po, then stamp them."""
import pathlib, subprocess, sys
from babel.messages.pofile import read_po, write_po

ROOT = pathlib.Path(__file__).resolve().parents[2]
for code in sys.argv[1:]:
    folder = code.replace("-", "_")
    po = ROOT / "locales" / folder / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as f:
        catalog = read_po(f)
    with ((pathlib.Path(__file__).resolve().parents[1] / "incoming") / code / "gaps.po").open("rb") as f:
        gaps = read_po(f)
    with (ROOT / "locales" / "en" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        english = read_po(f)
    keys = []
    for message in gaps:
        if not message.id or not message.string:
            continue
        existing = catalog.get(message.id)
        if existing is not None:
            existing.string = message.string
            existing.flags.discard("fuzzy")
        else:
            source = english.get(message.id)
            catalog.add(message.id, message.string, auto_comments=source.auto_comments if source else ())
        keys.append(str(message.id))
    with po.open("wb") as f:
        write_po(f, catalog, width=100)
    subprocess.run([str(ROOT / ".venv/bin/python"), "-m", "bot", "i18n-sources", "stamp", code, *keys],
                   cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    print(code, len(keys), "entries merged")
