#!/usr/bin/env python3
"""Independent checker of the Prometheus text exposition format 0.0.4
(https://prometheus.io/docs/instrumenting/exposition_formats/), standard library only, for
tests where promtool is not installed.

usage: check_prometheus.py FILE   (FILE "-" reads stdin)
Exit 0 and "ok N samples" if FILE is valid; exit 1 and one line per problem otherwise.

Checked: line grammar (# HELP / # TYPE / comments / samples), metric and label names, label
value escapes (only \\\\, \\" and \\n), sample values as Go's ParseFloat reads them, at most one
HELP and one TYPE per family, TYPE before the family's samples, a family's samples in one
group, no duplicate series, counters not negative, and histograms: a "le" label on every
_bucket, buckets cumulative in increasing "le" order, a +Inf bucket equal to _count, _sum present.
"""
import math
import re
import sys

METRIC_NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL_NAME = r"[a-zA-Z_][a-zA-Z0-9_]*"
LABEL_VALUE = r'"(?:[^"\\\n]|\\[\\"n])*"'
LABEL = rf"{LABEL_NAME}={LABEL_VALUE}"
LABELS = rf"\{{(?:{LABEL}(?:,{LABEL})*,?)?\}}"
VALUE = r"[+-]?(?:Inf|inf|NaN|nan|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)"
SAMPLE = re.compile(rf"^({METRIC_NAME})({LABELS})?[ \t]+({VALUE})(?:[ \t]+(-?\d+))?[ \t]*$")
HELP = re.compile(rf"^#[ \t]+HELP[ \t]+({METRIC_NAME})(?:[ \t]+(.*))?$")
TYPE = re.compile(rf"^#[ \t]+TYPE[ \t]+({METRIC_NAME})[ \t]+(counter|gauge|histogram|summary|untyped)[ \t]*$")
ONE_LABEL = re.compile(rf"({LABEL_NAME})=({LABEL_VALUE})")
HELP_TEXT = re.compile(r"^(?:[^\\]|\\[\\n])*$")


def parse_value(text):
    t = text.lower().lstrip("+")
    if t in ("inf", "-inf", "nan"):
        return float(t)
    return float(text)


def unescape(quoted):
    return re.sub(r"\\(.)", lambda m: {"n": "\n"}.get(m.group(1), m.group(1)), quoted[1:-1])


def family_of(name, types):
    for suffix in ("_bucket", "_sum", "_count"):
        base = name[: -len(suffix)] if name.endswith(suffix) else None
        if base and types.get(base) in ("histogram", "summary"):
            return base
    return name


def check(text):
    errors = []
    if text and not text.endswith("\n"):
        errors.append("the last line does not end with a line feed")
    types, helps, seen_series = {}, set(), set()
    sampled, closed = set(), set()
    current = None
    histograms = {}  # family -> labels-without-le -> {"buckets": [(le, v)], "count": v, "sum": v}
    samples = 0
    for number, line in enumerate(text.split("\n")[:-1] if text.endswith("\n") else text.split("\n"), 1):
        where = f"line {number}"
        if line.strip() == "":
            continue
        if line.startswith("#"):
            m = HELP.match(line)
            if m:
                if m.group(1) in helps:
                    errors.append(f"{where}: second HELP for {m.group(1)}")
                if m.group(2) and not HELP_TEXT.match(m.group(2)):
                    errors.append(f"{where}: bad escape in HELP text")
                helps.add(m.group(1))
                continue
            if re.match(r"^#[ \t]+TYPE\b", line):
                m = TYPE.match(line)
                if not m:
                    errors.append(f"{where}: malformed TYPE line: {line!r}")
                    continue
                name = m.group(1)
                if name in types:
                    errors.append(f"{where}: second TYPE for {name}")
                if name in sampled:
                    errors.append(f"{where}: TYPE for {name} after its samples")
                types[name] = m.group(2)
                continue
            if re.match(r"^#[ \t]+HELP\b", line):
                errors.append(f"{where}: malformed HELP line: {line!r}")
            continue  # other comments are allowed
        m = SAMPLE.match(line)
        if not m:
            errors.append(f"{where}: not a valid sample line: {line!r}")
            continue
        samples += 1
        name, labels_text, value_text = m.group(1), m.group(2) or "", m.group(3)
        labels = {}
        for lm in ONE_LABEL.finditer(labels_text):
            if lm.group(1) in labels:
                errors.append(f"{where}: label {lm.group(1)} twice")
            labels[lm.group(1)] = unescape(lm.group(2))
        try:
            value = parse_value(value_text)
        except ValueError:
            errors.append(f"{where}: bad value {value_text!r}")
            continue
        family = family_of(name, types)
        if family != current:
            if family in closed:
                errors.append(f"{where}: samples of {family} are not in one group")
            if current is not None:
                closed.add(current)
            current = family
        sampled.add(family)
        series = (name, tuple(sorted(labels.items())))
        if series in seen_series:
            errors.append(f"{where}: duplicate series {name}{labels_text}")
        seen_series.add(series)
        kind = types.get(family, "untyped")
        if kind == "counter" and (value < 0 or math.isnan(value)):
            errors.append(f"{where}: counter {name} is {value_text}")
        if kind == "histogram":
            key = tuple(sorted((k, v) for k, v in labels.items() if k != "le"))
            h = histograms.setdefault(family, {}).setdefault(key, {"buckets": [], "count": None, "sum": None})
            if name == family + "_bucket":
                if "le" not in labels:
                    errors.append(f"{where}: histogram bucket without le")
                    continue
                try:
                    le = parse_value(labels["le"])
                except ValueError:
                    errors.append(f"{where}: bad le {labels['le']!r}")
                    continue
                h["buckets"].append((le, value))
            elif name == family + "_count":
                h["count"] = value
            elif name == family + "_sum":
                h["sum"] = value
            else:
                errors.append(f"{where}: {name} is not a histogram sample of {family}")
    for family, by_labels in histograms.items():
        for key, h in by_labels.items():
            what = f"histogram {family}{dict(key)}"
            les = [le for le, _ in h["buckets"]]
            if les != sorted(les) or len(set(les)) != len(les):
                errors.append(f"{what}: buckets not in increasing le order")
            counts = [v for _, v in h["buckets"]]
            if any(b < a for a, b in zip(counts, counts[1:])):
                errors.append(f"{what}: buckets not cumulative")
            if not les or les[-1] != math.inf:
                errors.append(f"{what}: no +Inf bucket")
            elif h["count"] is None or counts[-1] != h["count"]:
                errors.append(f"{what}: +Inf bucket {counts[-1]} != _count {h['count']}")
            if h["sum"] is None:
                errors.append(f"{what}: no _sum")
    return errors, samples


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[3], file=sys.stderr)
        return 2
    data = sys.stdin.buffer.read() if sys.argv[1] == "-" else open(sys.argv[1], "rb").read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        print("not UTF-8")
        return 1
    errors, samples = check(text)
    for e in errors:
        print(e)
    if errors:
        return 1
    print(f"ok {samples} samples")
    return 0


if __name__ == "__main__":
    sys.exit(main())
