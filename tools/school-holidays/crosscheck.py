#!/usr/bin/env python3
"""Cross-checks two independent compilations of German school holidays (Schulferien) state by state and day by day.

Sources (public GitHub repositories; refresh them with a clone or a download of the named files):
  A  maxleistner/deutsche-schulferien-api: routes/years/<YEAR>.json; "end" is the inclusive last day (23:59Z).
     Take 2027.json from commit 120e3e6 (`git show 120e3e6:routes/years/2027.json`): its successor f79e1fb
     subtracted a day from every end of that file, which was inclusive already.
  B  mehr-schulferien-de/www.mehr-schulferien.de: the school vacations of priv/repo/migrations, later migrations
     correcting earlier ones: *_fix_all_vacation_data_2025_2028_v2.exs, then
     *_correct_mv_ferientermine_after_afervo_amendment.exs (its @removed, @moved and @kept lists).

Usage:
  crosscheck.py extract --maxleistner 2025.json 2026.json 2027.json 2028.json --mehr-schulferien DIR
      # writes maxleistner.csv and mehr-schulferien.csv next to this script
  crosscheck.py compare [--from 2025-09-16] [--to 2028-09-30]       # compares the two CSVs of this directory
  crosscheck.py generate ../../config/calendar --retrieved 2026-11-29  # writes <state>.toml for all 16 states
  crosscheck.py check-toml ../../config/calendar                     # the shipped files hold the agreed days?

compare prints, per state, every run of days that only one compilation has. The shipped files in
config/calendar/ take the days both agree on; each disagreement is either left out with its reason (LEFT_OUT,
written into the file) or settled by a published source (ADDED, noted at the period). generate refuses to write
while a disagreement has neither. See docs/calendars.md.
"""
import argparse
import csv
import datetime as dt
import json
import pathlib
import re
import sys
import textwrap

HERE = pathlib.Path(__file__).resolve().parent
STATES = ["BW", "BY", "BE", "BB", "HB", "HH", "HE", "MV", "NI", "NW", "RP", "SL", "SN", "ST", "SH", "TH"]
# location ids of mehr-schulferien's federal states (comments of the migration: "Baden-Württemberg (ID: 2)" ...)
MSF_IDS = {i + 2: s for i, s in enumerate(STATES)}


def day(text):
    return dt.date.fromisoformat(text[:10])


def extract_maxleistner(files):
    rows = []
    for path in files:
        for p in json.loads(pathlib.Path(path).read_text(encoding="utf-8")):
            rows.append((p["stateCode"], day(p["start"]), day(p["end"]), p["name"]))
    return rows


def slug(name):
    """mehr-schulferien's type slug of a vacation type name: "Himmelfahrt/Pfingsten" -> "himmelfahrt-pfingsten"."""
    return name.lower().replace("/", "-").replace("ü", "ue")


def extract_mehr_schulferien(repo):
    migrations = pathlib.Path(repo) / "priv" / "repo" / "migrations"
    (fix_all,) = migrations.glob("*_fix_all_vacation_data_2025_2028_v2.exs")
    rows = []
    for a, b, loc, kind in re.findall(r"\('(\d{4}-\d\d-\d\d)', '(\d{4}-\d\d-\d\d)', (\d+), '([^']+)'\)",
                                      fix_all.read_text(encoding="utf-8")):
        rows.append((MSF_IDS[int(loc)], day(a), day(b), kind))
    # The MV amendment: removed periods go, moved ones get their new dates, kept ones stay (or are added).
    for mv in migrations.glob("*_correct_mv_ferientermine_after_afervo_amendment.exs"):
        text = mv.read_text(encoding="utf-8")
        pair = r"\{~D\[(\d{4}-\d\d-\d\d)\], ~D\[(\d{4}-\d\d-\d\d)\]\}"

        def section(name):
            m = re.search(r"@" + name + r" \[(.*?)\n  \]", text, re.S)
            return m.group(1) if m else ""

        # Matched by type and dates: "christi-himmelfahrt" (a public holiday there) is not the "Himmelfahrt" vacation.
        drop = {(k, day(a), day(b)) for k, a, b in re.findall(r'\{"(\w[\w-]*)", ' + pair, section("removed"))}
        moved = re.findall(r'\{"(\w[\w-]*)", ' + pair + ", " + pair + r"\}", section("moved"))
        drop |= {(k, day(a), day(b)) for k, a, b, _, _ in moved}
        rows = [r for r in rows if not (r[0] == "MV" and (slug(r[3]), r[1], r[2]) in drop)]
        rows += [("MV", day(c), day(d), kind) for kind, _, _, c, d in moved]
        for kind, a, b in re.findall(r'\{"(\w[\w-]*)", ' + pair + r"\}", section("kept")):
            if not any(r[0] == "MV" and (slug(r[3]), r[1], r[2]) == (kind, day(a), day(b)) for r in rows):
                rows.append(("MV", day(a), day(b), kind))
    return rows


def write_csv(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["state", "first", "last", "name"])
        for s, a, b, n in sorted(rows, key=lambda r: (STATES.index(r[0]), r[1], r[2])):
            w.writerow([s, a.isoformat(), b.isoformat(), n])


def read_csv(path):
    with open(path, encoding="utf-8") as f:
        return [(r["state"], day(r["first"]), day(r["last"]), r["name"]) for r in csv.DictReader(f)]


def days_of(rows, state, lo, hi):
    out = set()
    for s, a, b, _ in rows:
        if s != state:
            continue
        d = max(a, lo)
        while d <= min(b, hi):
            out.add(d)
            d += dt.timedelta(days=1)
    return out


def runs(days):
    """Consecutive days as (first, last) pairs."""
    out = []
    for d in sorted(days):
        if out and out[-1][1] + dt.timedelta(days=1) == d:
            out[-1][1] = d
        else:
            out.append([d, d])
    return [(a, b) for a, b in out]


def fmt_run(a, b):
    return a.isoformat() if a == b else f"{a.isoformat()}..{b.isoformat()}"


def compare(named, lo, hi):
    """named: {label: rows}; prints the days each label has alone. Returns the number of disagreements."""
    labels = list(named)
    problems = 0
    for state in STATES:
        sets = {k: days_of(v, state, lo, hi) for k, v in named.items()}
        lines = []
        for k in labels:
            others = set.intersection(*[sets[o] for o in labels if o != k])
            alone = sets[k] - others
            for a, b in runs(alone):
                lines.append(f"  only {k}: {fmt_run(a, b)} ({a:%a}-{b:%a})")
        agreed = len(set.intersection(*sets.values()))
        print(f"{state}: {agreed} days agreed" + ("" if lines else ", no disagreement"))
        for line in lines:
            print(line)
        problems += len(lines)
    return problems


STATE_NAMES = {
    "BW": "Baden-Württemberg", "BY": "Bayern", "BE": "Berlin", "BB": "Brandenburg", "HB": "Bremen",
    "HH": "Hamburg", "HE": "Hessen", "MV": "Mecklenburg-Vorpommern", "NI": "Niedersachsen",
    "NW": "Nordrhein-Westfalen", "RP": "Rheinland-Pfalz", "SL": "Saarland", "SN": "Sachsen",
    "ST": "Sachsen-Anhalt", "SH": "Schleswig-Holstein", "TH": "Thüringen"}
# German names of mehr-schulferien's vacation types; {y} is the calendar year, {sy} the school year "2025/26".
NAMES = {"Herbst": "Herbstferien {y}", "Weihnachten": "Weihnachtsferien {sy}", "Winter": "Winterferien {y}",
         "Frühjahr": "Frühjahrsferien {y}", "Ostern": "Osterferien {y}", "Himmelfahrt": "Ferien um Himmelfahrt {y}",
         "Pfingsten": "Pfingstferien {y}", "Himmelfahrt/Pfingsten": "Pfingstferien {y}", "Sommer": "Sommerferien {y}"}

# Days one compilation lacks that a third, published source settles (state, first, last, name, why). Everything
# else that only one compilation lists stays out of the shipped files, with a comment saying so.
ADDED = [
    ("BY", "2025-11-19", "2025-11-19", "Buß- und Bettag (unterrichtsfrei) 2025",
     "no lessons at Bavarian schools on Buß- und Bettag: KMBek of 7 July 2015 (KWMBl S. 117, gesetze-bayern.de "
     "BayVwV313239-0), no. 1; listed by maxleistner, missing in mehr-schulferien"),
    ("BY", "2026-11-18", "2026-11-18", "Buß- und Bettag (unterrichtsfrei) 2026", "as 2025"),
    ("BY", "2027-11-17", "2027-11-17", "Buß- und Bettag (unterrichtsfrei) 2027", "as 2025"),
]
# Why a period that only one compilation lists was left out: (state, first day of the run) -> reason.
LEFT_OUT = {
    ("BW", "2027-03-26"): "maxleistner runs the Osterferien through Karfreitag..Ostermontag; the ministry lists "
                          "25.03. and 30.03.-03.04.2027 (public holidays and a weekend in between anyway)",
    ("BB", "2026-05-15"): "Friday after Himmelfahrt: a variable day (schools decide), not a state-wide Ferientag",
    ("BB", "2027-05-07"): "Friday after Himmelfahrt: a variable day (schools decide), not a state-wide Ferientag",
    ("BB", "2028-05-26"): "Friday after Himmelfahrt: a variable day (schools decide), not a state-wide Ferientag",
    ("HH", "2027-05-15"): "a Saturday at the end of the Himmelfahrt days (no effect on business days)",
    ("MV", "2026-10-15"): "the amended AFerVO M-V (August 2025) starts the Herbstferien on 15.10.2026 "
                          "(mehr-schulferien); the KMK table of 15.02.2024 and maxleistner start on 19.10.2026. "
                          "Not settled on the ministry's page: add the days when the school authority confirms them",
    ("MV", "2026-11-26"): "26./27.11.2026: after the amended AFerVO M-V only for berufliche Schulen "
                          "(mehr-schulferien); maxleistner lists them for all schools",
    ("MV", "2026-12-19"): "a weekend before the Weihnachtsferien (no effect on business days)",
    ("MV", "2027-05-08"): "maxleistner runs 07.05.-18.05.2027 as one period; the KMK table lists 07.05. "
                          "(unterrichtsfrei) and 14.05.-18.05.2027 (Pfingstferien)",
    ("MV", "2028-02-18"): "Brückentag after the Winterferien in mehr-schulferien only; not confirmed on an "
                          "official page here",
    ("NI", "2027-05-08"): "maxleistner runs 07.05.-18.05.2027 as one period; 07.05. and 18.05.2027 are the "
                          "unterrichtsfreie days",
    ("SN", "2027-05-08"): "maxleistner runs 07.05.-18.05.2027 as one period; Saxon schools list 07.05. "
                          "(Freitag nach Himmelfahrt) and 15.05.-18.05.2027 (Pfingstferien)",
    ("SH", "2025-11-28"): "a beweglicher Ferientag: set by each school (Schulkonferenz), not state-wide",
    ("SH", "2026-02-02"): "a beweglicher Ferientag (Schleswig-Holstein has no Winterferien): set by each school",
    ("SH", "2027-02-01"): "a beweglicher Ferientag (Schleswig-Holstein has no Winterferien): set by each school",
    ("SH", "2028-01-31"): "a beweglicher Ferientag (Schleswig-Holstein has no Winterferien): set by each school",
}
SOURCES = """\
# Sources, retrieved {retrieved}: two independent compilations of the ministries' and the KMK's published tables,
# compared day by day with tools/school-holidays/crosscheck.py (see docs/calendars.md):
#   - maxleistner/deutsche-schulferien-api (GitHub), routes/years/2025.json, 2026.json, 2028.json at commit
#     33a99c1 (27.10.2025) and 2027.json at 120e3e6 (13.10.2025; the next commit shifted its end dates by a day);
#   - mehr-schulferien-de/www.mehr-schulferien.de (GitHub), migrations fix_all_vacation_data_2025_2028_v2
#     (04.08.2025) and correct_mv_ferientermine_after_afervo_amendment (17.09.2026).
# Only days both list are shipped; days only one lists are left out below, with the reason, unless a published
# source settled them (noted at the period)."""


def school_year(first, kind):
    y = first.year if kind in ("Herbst", "Weihnachten") or first.month >= 8 else first.year - 1
    return y


def generate(named, directory, retrieved):
    ml, msf = named["maxleistner"], named["mehr-schulferien"]
    lo, hi = dt.date(2025, 9, 16), dt.date(2028, 9, 30)
    for state in STATES:
        both = days_of(ml, state, lo, hi) & days_of(msf, state, lo, hi)
        periods = []  # (first, last, name, school year, note)
        for s, a, b, kind in msf:
            if s != state or b < lo:
                continue
            sy = school_year(a, kind.capitalize() if kind.islower() else kind)
            kind = {"herbst": "Herbst", "weihnachten": "Weihnachten", "ostern": "Ostern",
                    "pfingsten": "Pfingsten", "winter": "Winter"}.get(kind, kind)
            days = {a + dt.timedelta(days=i) for i in range((b - a).days + 1)} & both
            for f, l in runs(days):
                name = NAMES[kind].format(y=f.year, sy=f"{sy}/{(sy + 1) % 100:02d}")
                periods.append((f, l, name, sy, ""))
        for s, a, b, name, why in ADDED:
            if s == state:
                periods.append((day(a), day(b), name, school_year(day(a), "Herbst"), why))
        periods.sort()
        # A period both list in two rows (BW's Herbstferien: Monday to Thursday, then Reformationstag) is one.
        merged = []
        for p in periods:
            if merged and merged[-1][2] == p[2] and merged[-1][1] + dt.timedelta(days=1) == p[0]:
                merged[-1] = (merged[-1][0], p[1]) + merged[-1][2:]
            else:
                merged.append(p)
        periods = merged
        left = []
        for label, rows in (("maxleistner", ml), ("mehr-schulferien", msf)):
            alone = days_of(rows, state, lo, hi) - both - {d for p in periods for d in
                                                           (p[0] + dt.timedelta(days=i) for i in range((p[1] - p[0]).days + 1))}
            for f, l in runs(alone):
                why = LEFT_OUT.get((state, f.isoformat()))
                if why is None:
                    raise SystemExit(f"{state} {fmt_run(f, l)}: only in {label}, and no reason in LEFT_OUT")
                left.append((f, l, label, why))
        out = [f"# School holidays (Schulferien) in {STATE_NAMES[state]} ({state}), school years 2025/26 to 2027/28.",
               "# Dates are inclusive. Whether they count as business days is set in campusdesk.toml",
               "# ([calendar] school_holidays_are_business_days). The dates are set by the state's education ministry;",
               "# the KMK (Kultusministerkonferenz) publishes the tables of all states.",
               SOURCES.format(retrieved=retrieved),
               "# 2028/29 and later: not published in both compilations when this file was made; add them from the",
               "# ministry's table as described in docs/calendars.md. Movable days (bewegliche Ferientage) are set per",
               "# school or school authority: list them under closure_days below.", ""]
        if left:
            out.append("# Left out (listed by one compilation only):")
            for f, l, label, why in sorted(left):
                out += textwrap.wrap(f"{fmt_run(f, l)} ({label}): {why}", 116, initial_indent="#   ",
                                     subsequent_indent="#     ")
            out.append("")
        out.append("school_holidays = [")
        current = None
        for f, l, name, sy, why in periods:
            if sy != current:
                current = sy
                out.append(f"  # Schuljahr {sy}/{(sy + 1) % 100:02d}")
            if why:
                out.append(f"  # {why}")
            out.append(f'  {{ name = "{name}", first = "{f.isoformat()}", last = "{l.isoformat()}" }},')
        out += ["]", "",
                "# Extra days without business time, added to [calendar] closure_days of campusdesk.toml: e.g. the",
                "# school authority's bewegliche Ferientage if the help desk closes on them. Example:",
                '# closure_days = ["2027-05-07"]', "closure_days = []", ""]
        (pathlib.Path(directory) / f"{state.lower()}.toml").write_text("\n".join(out), encoding="utf-8")


def check_toml(named, shipped, lo, hi):
    """The shipped files hold exactly the days both compilations list, plus ADDED. Returns the exit status."""
    added = [(s, day(a), day(b), n) for s, a, b, n, _ in ADDED]
    problems = 0
    for state in STATES:
        both = days_of(named["maxleistner"], state, lo, hi) & days_of(named["mehr-schulferien"], state, lo, hi)
        expected = both | days_of(added, state, lo, hi)
        have = days_of(shipped, state, lo, hi)
        for label, days in (("shipped, but not in both compilations", have - expected),
                            ("in both compilations, but not shipped", expected - have)):
            for f, l in runs(days):
                print(f"{state}: {label}: {fmt_run(f, l)}")
                problems += 1
    print("the shipped files hold the agreed days" if not problems else f"{problems} difference(s)")
    return 1 if problems else 0


def read_toml_dir(directory):
    import tomllib
    rows = []
    for state in STATES:
        path = pathlib.Path(directory) / f"{state.lower()}.toml"
        if not path.exists():
            continue
        for p in tomllib.loads(path.read_text(encoding="utf-8")).get("school_holidays", []):
            rows.append((state, day(p["first"]), day(p["last"]), p["name"]))
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    ex = sub.add_parser("extract")
    ex.add_argument("--maxleistner", required=True, nargs="+", metavar="YEAR.json")
    ex.add_argument("--mehr-schulferien", required=True)
    gen = sub.add_parser("generate")
    gen.add_argument("directory")
    gen.add_argument("--retrieved", required=True, help="date the sources were retrieved, e.g. 2026-11-29")
    for name in ("compare", "check-toml"):
        p = sub.add_parser(name)
        p.add_argument("--from", dest="lo", default="2025-09-16")  # after every state's Sommerferien 2025
        p.add_argument("--to", dest="hi", default="2028-09-30")
        if name == "check-toml":
            p.add_argument("directory")
    args = ap.parse_args()
    if args.cmd == "extract":
        write_csv(HERE / "maxleistner.csv", extract_maxleistner(args.maxleistner))
        write_csv(HERE / "mehr-schulferien.csv", extract_mehr_schulferien(args.mehr_schulferien))
        return 0
    named = {"maxleistner": read_csv(HERE / "maxleistner.csv"),
             "mehr-schulferien": read_csv(HERE / "mehr-schulferien.csv")}
    if args.cmd == "generate":
        generate(named, args.directory, args.retrieved)
        return 0
    if args.cmd == "check-toml":
        return check_toml(named, read_toml_dir(args.directory), day(args.lo), day(args.hi))
    return 1 if compare(named, day(args.lo), day(args.hi)) else 0


if __name__ == "__main__":
    sys.exit(main())
