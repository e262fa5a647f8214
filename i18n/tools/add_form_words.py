"""Add phase-A form words of new languages into data/report_form.yml (issue-11 structure)."""
import pathlib, sys
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedSeq

yaml = YAML(); yaml.preserve_quotes = True; yaml.width = 110
path = pathlib.Path(__file__).resolve().parents[2] / "data" / "report_form.yml"
data = yaml.load(path.read_text())
codes = sys.argv[1:]
opt_out = {"stop", "cancel", "end", "quit", "unsubscribe", "stopall", "revoke", "optout", "alto"}
for code in codes:
    words = YAML(typ="safe").load(pathlib.Path(f"{pathlib.Path(__file__).resolve().parents[1]}/incoming/{code}/words.yml").read_text())
    def seq(items):
        s = CommentedSeq([str(i) for i in items if str(i).strip() and str(i).lower() not in opt_out])
        s.fa.set_flow_style()
        return s
    data["control_words"]["cancel"][code] = seq(words.get("cancel_words") or [])
    data["control_words"]["menu"][code] = seq(words.get("menu_words") or [])
    data["control_words"]["operator"][code] = seq(words.get("operator_words") or [])
    data["control_words"]["help"][code] = seq(words.get("sms_help_words") or [])
    data["answers"]["skip"][code] = seq(words.get("skip_words") or [])
    data["answers"]["yes"][code] = seq(words.get("yes_words") or [])
    data["answers"]["no"][code] = seq(words.get("no_words") or [])
    data["answers"]["dont_know"][code] = seq(words.get("dont_know_words") or [])
with path.open("w") as handle:
    yaml.dump(data, handle)
print("form words added:", codes)
