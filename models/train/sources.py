"""Training sources: Debian packages under public-domain or permissive licences.

Each source names its package, the licence that the package's copyright file states, and how
its files become documents. Nothing here is fetched: the packages are installed with apt-get
(see README.md beside this file). Packages that an evaluation set of ../shared/testdata draws
from are never read (HELD_OUT_PACKAGES), and every document is also checked line by line
against the evaluation sets (heldout.py).
"""

import glob
import gzip
import html.parser
import os
import re

# Packages the evaluation sets take text from (corpora/README.md): none of their files is used,
# not even the ones the sets did not pick.
HELD_OUT_PACKAGES = [
    "libpython3.11-stdlib", "libpython3.11-minimal", "python3-yaml", "python3-markdown",
    "python3-six", "debian-handbook", "jargon-text", "texlive-latex-base-doc",
]


def read_text(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


class HtmlText(html.parser.HTMLParser):
    """Visible text of an HTML page: blocks become paragraphs, <pre> keeps its lines, and
    navigation headers and footers (class navheader/navfooter/sphinxsidebar...) are dropped."""

    BLOCK = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "dt", "dd",
             "table", "ul", "ol", "dl", "blockquote", "section", "title"}
    SKIP_TAGS = {"script", "style", "head"}
    SKIP_CLASSES = {"navheader", "navfooter", "nav", "sphinxsidebar", "related", "footer",
                    "menu", "toc"}
    VOID = {"br", "img", "hr", "meta", "link", "input", "area", "base", "col", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.stack, self.skip, self.pre = [], [], 0, 0

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            if tag == "br":
                self.parts.append("\n")
            return
        classes = set((dict(attrs).get("class") or "").split())
        skipping = tag in self.SKIP_TAGS or bool(classes & self.SKIP_CLASSES)
        self.stack.append((tag, skipping))
        self.skip += skipping
        if tag == "pre":
            self.pre += 1
        if tag in self.BLOCK or tag == "pre":
            self.parts.append("\n\n")

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        # Pop to the matching tag (HTML in the wild leaves some open).
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                for t, skipping in self.stack[i:]:
                    self.skip -= skipping
                    if t == "pre":
                        self.pre -= 1
                del self.stack[i:]
                break
        if tag in self.BLOCK or tag == "pre":
            self.parts.append("\n\n")

    def handle_data(self, data):
        if self.skip:
            return
        if self.pre:
            self.parts.append(data)
        else:
            self.parts.append(re.sub(r"\s+", " ", data))

    def text(self):
        raw = "".join(self.parts)
        paragraphs = [p.strip(" ") for p in re.split(r"\n\s*\n", raw)]
        out = []
        for p in paragraphs:
            lines = [l.rstrip() for l in p.split("\n")]
            p = "\n".join(lines).strip("\n")
            if p.strip():
                out.append(p)
        return "\n\n".join(out) + "\n"


def html_to_text(text):
    parser = HtmlText()
    parser.feed(text)
    parser.close()
    return parser.text()


def files(patterns):
    found = set()
    for pattern in patterns:
        found.update(p for p in glob.glob(pattern, recursive=True) if os.path.isfile(p))
    return sorted(found)


# LaTeX documentation: TeX Live bundles packages under many licences, and its copyright file
# lists them only in part, so each file (or, failing that, its package folder's README) must
# state a permissive licence itself and must not mention a copyleft one.
PERMISSIVE_MARKS = re.compile(
    r"LaTeX Project Public License|\bLPPL\b|public domain|\bMIT licen[cs]e|"
    r"BSD licen[cs]e", re.I)
COPYLEFT_MARKS = re.compile(
    r"General Public Licen[cs]e|\bGPL\b|\bGFDL\b|Free Documentation Licen[cs]e|"
    r"ShareAlike|Share-Alike|CC[- ]BY-SA|NonCommercial|CC[- ]BY-NC", re.I)


def latex_licence_ok(path, text):
    if COPYLEFT_MARKS.search(text):
        return False
    if PERMISSIVE_MARKS.search(text):
        return True
    folder = os.path.dirname(path)
    for name in sorted(os.listdir(folder)):
        if name.upper().startswith("README"):
            readme = read_text(os.path.join(folder, name)) or ""
            if COPYLEFT_MARKS.search(readme):
                return False
            if PERMISSIVE_MARKS.search(readme):
                return True
    return False


def python_file_ok(path, text):
    # six.py is held out (python.jsonl); pip and setuptools vendor copies of it.
    return os.path.basename(path) != "six.py" and "/yaml/" not in path and "/markdown/" not in path


DIST = "/usr/lib/python3/dist-packages"
TEXDOC = "/usr/share/doc/texlive-doc"

# domain: "prose", "python" or "latex". extract: text -> document text (or None to skip).
SOURCES = [
    dict(name="python-docs", package="python3.11-doc", licence="PSF-2.0", domain="prose",
         patterns=["/usr/share/doc/python3.11/html/_sources/**/*.rst.txt"],
         extract=lambda path, text: text),
    dict(name="postgresql-docs", package="postgresql-doc-15", licence="PostgreSQL",
         domain="prose", patterns=["/usr/share/doc/postgresql-doc-15/html/*.html"],
         extract=lambda path, text: html_to_text(text)),
    dict(name="sqlite-docs", package="sqlite3-doc", licence="public-domain", domain="prose",
         patterns=["/usr/share/doc/sqlite3/**/*.html"],
         extract=lambda path, text: html_to_text(text)),
    dict(name="django-docs", package="python-django-doc", licence="BSD-3-Clause",
         domain="prose", patterns=["/usr/share/doc/python-django-doc/html/**/*.html"],
         exclude=re.compile(r"/_modules/|/genindex|/py-modindex|/search\.html"),
         extract=lambda path, text: html_to_text(text)),
    dict(name="numpy", package="python3-numpy", licence="BSD-3-Clause", domain="python",
         patterns=[DIST + "/numpy/**/*.py"], extract=None),
    dict(name="sympy", package="python3-sympy", licence="BSD-3-Clause", domain="python",
         patterns=[DIST + "/sympy/**/*.py"], extract=None),
    dict(name="torch", package="python3-torch", licence="BSD-3-Clause", domain="python",
         patterns=[DIST + "/torch/**/*.py"], extract=None),
    dict(name="mpmath", package="python3-mpmath", licence="BSD-3-Clause", domain="python",
         patterns=[DIST + "/mpmath/**/*.py"], extract=None),
    dict(name="pygments", package="python3-pygments", licence="BSD-2-Clause", domain="python",
         patterns=[DIST + "/pygments/**/*.py"], extract=None),
    dict(name="setuptools", package="python3-setuptools", licence="MIT", domain="python",
         patterns=[DIST + "/setuptools/**/*.py", DIST + "/pkg_resources/**/*.py"],
         extract=None),
    dict(name="latex-science-doc", package="texlive-science-doc",
         licence="per file: LPPL-1.3c or public domain (checked in each file or its README)",
         domain="latex", patterns=[TEXDOC + "/latex/**/*.tex", TEXDOC + "/latex/**/*.tex.gz"],
         package_files=True, extract=None),
    dict(name="latex-recommended-doc", package="texlive-latex-recommended-doc",
         licence="per file: LPPL-1.3c or public domain (checked in each file or its README)",
         domain="latex", patterns=[TEXDOC + "/latex/**/*.tex", TEXDOC + "/latex/**/*.tex.gz"],
         package_files=True, extract=None),
    dict(name="latex-extra-doc", package="texlive-latex-extra-doc",
         licence="per file: LPPL-1.3c or public domain (checked in each file or its README)",
         domain="latex", patterns=[TEXDOC + "/latex/**/*.tex", TEXDOC + "/latex/**/*.tex.gz"],
         package_files=True, extract=None),
    dict(name="latex-publishers-doc", package="texlive-publishers-doc",
         licence="per file: LPPL-1.3c or public domain (checked in each file or its README)",
         domain="latex", patterns=[TEXDOC + "/latex/**/*.tex", TEXDOC + "/latex/**/*.tex.gz"],
         package_files=True, extract=None),
]


def package_file_list(package):
    path = f"/var/lib/dpkg/info/{package}.list"
    if not os.path.exists(path):
        path = f"/var/lib/dpkg/info/{package}:amd64.list"
    if not os.path.exists(path):
        raise SystemExit(f"package {package} is not installed (apt-get install {package})")
    with open(path) as f:
        return set(line.rstrip("\n") for line in f)


def package_version(package):
    for status in ["/var/lib/dpkg/status"]:
        with open(status, encoding="utf-8", errors="replace") as f:
            block = f.read().split("\n\n")
        for b in block:
            if f"Package: {package}\n" in b + "\n":
                m = re.search(r"^Version: (.*)$", b, re.M)
                if m:
                    return m.group(1)
    return "?"


def documents(source):
    """Yields (path, text) for each document of a source, in sorted path order."""
    owned = package_file_list(source["package"])
    held = set()
    for package in HELD_OUT_PACKAGES:
        try:
            held |= package_file_list(package)
        except SystemExit:
            pass
    for path in files(source["patterns"]):
        if path not in owned or path in held:
            continue
        if source.get("exclude") and source["exclude"].search(path):
            continue
        text = read_text(path)
        if text is None:
            continue
        if source["domain"] == "python" and not python_file_ok(path, text):
            continue
        if source["domain"] == "latex" and not latex_licence_ok(path, text):
            continue
        if source["extract"] is not None:
            text = source["extract"](path, text)
        if text and len(text) >= 500:
            yield path, text
