"""`python -m rules evaluate FILE`, `questions`, `doc [FILE]`, `safety-report [FILE]` and
`fingerprint [--record]`.

Bad input: exit status 2, one line on standard error, nothing on standard output.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from . import safety
from .answers import AnswerError
from .bank import bank_dict
from .document import render
from .engine import evaluate
from .fingerprint import RELEASE_STEPS, RecordError, current, record, recorded

REPO = Path(__file__).resolve().parent.parent
DOC_FILE = REPO / "docs" / "clinical-rules.md"


class _InputError(Exception):
    pass


def _read(path: str) -> Any:
    try:
        if path == "-":
            text = sys.stdin.read()
        else:
            with open(path, encoding="utf-8") as f:
                text = f.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise _InputError(f"{path}: cannot read: {exc}") from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise _InputError(f"{path}: not valid JSON: {exc}") from exc


def _evaluate(data: Any) -> Any:
    if isinstance(data, list):
        results = []
        for i, item in enumerate(data):
            if not isinstance(item, dict):
                raise _InputError(f"answer set {i}: must be a JSON object")
            try:
                results.append(evaluate(item).to_dict())
            except AnswerError as exc:
                raise _InputError(f"answer set {i}: {exc}") from exc
        return results
    if not isinstance(data, dict):
        raise _InputError("input must be a JSON object of answers or an array of them")
    try:
        return evaluate(data).to_dict()
    except AnswerError as exc:
        raise _InputError(str(exc)) from exc


def _write(path: str, text: str) -> int:
    if path == "-":
        sys.stdout.write(text)
        return 0
    try:
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
    except OSError as exc:
        print(f"error: {path}: cannot write: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {path}")
    return 0


def _fingerprint() -> int:
    known = recorded()
    ok = True
    for kind, (version, fingerprint) in current().items():
        was = known[kind].get(version)
        if was == fingerprint:
            state = "recorded"
        else:
            ok = False
            state = "NOT RECORDED" if was is None else f"DIFFERS from the recorded {was[:12]}..."
        print(f"{kind:<5} {version:<6} {fingerprint}  {state}")
    if not ok:
        print(
            "a version's fingerprint must be recorded and must not change. To release a "
            f"change: {RELEASE_STEPS}",
            file=sys.stderr,
        )
    return 0 if ok else 1


def _record() -> int:
    try:
        rows = record()
    except RecordError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for kind, version, fingerprint, added in rows:
        print(f"{kind:<5} {version:<6} {fingerprint}  {'added' if added else 'already recorded'}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rules", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    ev = sub.add_parser("evaluate", help="screen answers from a JSON file ('-' for stdin)")
    ev.add_argument("file")
    sub.add_parser("questions", help="print the question bank as JSON")
    doc = sub.add_parser("doc", help="write the clinical rules document from the code")
    doc.add_argument(
        "file", nargs="?", default=str(DOC_FILE), help="default: docs/clinical-rules.md; '-' prints"
    )
    case = sub.add_parser("safety-report", help="write the safety case from the hazard log")
    case.add_argument(
        "file",
        nargs="?",
        default=str(safety.SAFETY_CASE),
        help="default: docs/safety/safety-case.md; '-' prints",
    )
    fp = sub.add_parser(
        "fingerprint", help="print the bank's and the rules' fingerprints and their record"
    )
    fp.add_argument(
        "--record",
        action="store_true",
        help="add the current versions' fingerprints to docs/clinical-versions.json",
    )
    args = parser.parse_args(argv)

    if args.command == "doc":
        return _write(args.file, render())
    if args.command == "safety-report":
        return _write(args.file, safety.report(safety.load()))
    if args.command == "fingerprint":
        return _record() if args.record else _fingerprint()
    if args.command == "questions":
        out: Any = bank_dict()
    else:
        try:
            out = _evaluate(_read(args.file))
        except _InputError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    json.dump(out, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
