"""Phase-B pack -> locales/<code>/ and the resource directory. Usage: integrate_catalog.py CODE"""
import pathlib, shutil, sys
from ruamel.yaml import YAML

ROOT = pathlib.Path(__file__).resolve().parents[2]
code = sys.argv[1]
pack = (pathlib.Path(__file__).resolve().parents[1] / "incoming") / code
dest = ROOT / "locales" / code.replace("-", "_") / "LC_MESSAGES"
dest.mkdir(parents=True, exist_ok=True)
shutil.copy(pack / "messages.po", dest / "messages.po")

yaml = YAML()
yaml.preserve_quotes = True
yaml.width = 4096
yaml.representer.add_representer(type(None), lambda r, d: r.represent_scalar("tag:yaml.org,2002:null", "null"))
path = ROOT / "data" / "resources" / "directory.yml"
data = yaml.load(path.read_text())
extra = YAML(typ="safe").load((pack / "directory.yml").read_text())["resources"]
for rid, fields in extra.items():
    entry = data["resources"].get(rid)
    if entry is None:
        print("unknown resource", rid); continue
    for field, value in fields.items():
        base, _, variant = field.partition(".")
        key = f"{code}.{variant}" if variant else code
        current = entry.get(base)
        if current is None:
            continue  # the English entry has no such field (e.g. no hours)
        if not hasattr(current, "keys"):
            continue  # a plain field (not per language): nothing to translate
        current[key] = value
with path.open("w") as handle:
    yaml.dump(data, handle)
print("catalog integrated", code)
