#!/usr/bin/env python3
"""Writes fingerprints.json: the Parsing Canonical Form and CRC-64-AVRO
fingerprint of every schema in schemas/avro, computed by independent Avro
implementations: fastavro, and Apache Avro's Java SchemaNormalization when
Debian's libavro-java is installed (the two must agree).

The Rust side is tested against this file (schemas/tests/fingerprints.rs), so
the fingerprints this project writes are the ones other Avro tools compute.
(Apache's Python `avro` package 1.12 is not used: like the apache-avro crate,
it keeps a logical type's primitive as {"type":"long"} in the canonical form,
against the specification's [PRIMITIVES] rule and the Java implementation.)

    pip install -r schemas/interop/requirements.txt
    apt-get install libavro-java                       # optional second check
    python3 schemas/interop/fingerprints.py            # rewrite the fixtures
    python3 schemas/interop/fingerprints.py --check    # exit 1 if they differ
"""

import json
import pathlib
import shutil
import subprocess
import sys

from fastavro.schema import fingerprint, to_parsing_canonical_form

HERE = pathlib.Path(__file__).resolve().parent
AVRO_DIR = HERE.parent / "avro"
OUT = HERE / "fingerprints.json"
JAVA_JARS = ["avro", "jackson-core-asl", "jackson-mapper-asl", "slf4j-api"]


def by_fastavro(path):
    canonical = to_parsing_canonical_form(json.loads(path.read_text()))
    # hex of the 8 little-endian bytes the single-object header carries
    return canonical, fingerprint(canonical, "CRC-64-AVRO")


def by_java(paths):
    """{file: (canonical form, header hex)} from Avro's Java implementation, or
    None when Java or libavro-java is missing."""
    jars = [pathlib.Path(f"/usr/share/java/{j}.jar") for j in JAVA_JARS]
    if not shutil.which("java") or not all(j.exists() for j in jars):
        return None
    out = subprocess.run(
        ["java", "-cp", ":".join(map(str, jars)), str(HERE / "CanonicalForm.java"), *map(str, paths)],
        check=True, capture_output=True, text=True,
    ).stdout
    found = {}
    for line in out.splitlines():
        name, fp, canonical = line.split(" ", 2)
        found[name] = (canonical, int(fp, 16).to_bytes(8, "little").hex())
    return found


def main():
    paths = sorted(AVRO_DIR.glob("*.avsc"))
    java = by_java(paths)
    fixtures = {}
    for p in paths:
        canonical, fp = by_fastavro(p)
        if java is not None and java[p.name] != (canonical, fp):
            sys.exit(f"{p.name}: fastavro and Avro's Java implementation disagree: {java[p.name]}")
        fixtures[p.name] = {"canonical_form": canonical, "header_fingerprint_hex": fp}
    text = json.dumps(fixtures, indent=2, ensure_ascii=False) + "\n"
    checked = "fastavro and Avro Java" if java is not None else "fastavro (no libavro-java here)"
    if "--check" in sys.argv[1:]:
        if not OUT.exists() or OUT.read_text() != text:
            sys.exit(f"{OUT} is out of date: run {sys.argv[0]}")
        print(f"{len(fixtures)} schemas: fixtures up to date ({checked})")
        return
    OUT.write_text(text)
    print(f"wrote {OUT} ({len(fixtures)} schemas, {checked})")


if __name__ == "__main__":
    main()
