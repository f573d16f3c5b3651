"""README.md's "Using lmc from Python" snippet runs as it is and prints what the README says."""

import os
import re
import subprocess
import sys


def test_readme_snippet(source_dir):
    with open(os.path.join(source_dir, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    section = readme.split("## Using lmc from Python", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```(python|text)\n(.*?)```", section, re.S)
    assert [kind for kind, _ in blocks] == ["python", "text"]
    code, expected = blocks[0][1], blocks[1][1]
    done = subprocess.run([sys.executable, "-c", code], cwd=source_dir, capture_output=True,
                          text=True, env=dict(os.environ), timeout=600)
    assert done.returncode == 0, done.stderr
    assert done.stdout == expected
