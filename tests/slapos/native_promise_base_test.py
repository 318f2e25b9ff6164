#!/usr/bin/python3
"""The SlapOS instance macro native-promise-base (packaging/slapos), rendered and run.

Renders instance-native-promise.cfg.jinja2.in as the component does (its one Jinja2 variable),
reads it with a sample instance profile as buildout reads profiles (continuation lines
stripped, `<=` macro extension, ${section:key} and ${:key} substitution, $${ escape), runs each
part's `command` with /bin/sh as plone.recipe.command does, and checks what the promise files
it writes do when slapgrid runs them (no arguments, cwd = the partition).

Usage: native_promise_base_test.py BIN_DIR PACKAGING_SLAPOS_DIR
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

BIN_DIR = ""
MACRO_DIR = ""


def parse_buildout(text):
    """Sections of a buildout profile: {section: {key: value}}, values as buildout keeps them."""
    sections = {}
    section = key = None
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith(("#", ";")):
            if line[:1].isspace() and key is not None and not line.strip():
                continue
            continue
        match = re.match(r"\[([^\]]+)\]\s*$", line)
        if match:
            section = sections.setdefault(match.group(1), {})
            key = None
        elif line[0].isspace() and key is not None:
            section[key] = (section[key] + "\n" + line.strip()).strip("\n")
        else:
            name, _, value = line.partition("=")
            key = name.strip()
            section[key] = value.strip()
    return sections


def extend_macros(sections):
    """`<= macro`: the macro's keys, then the section's own."""

    def resolved(name, seen=()):
        if name in seen:
            raise ValueError("macro loop at " + name)
        own = dict(sections[name])
        base = own.pop("<", None) or own.pop("<=", None)
        result = {}
        if base:
            for macro in base.split():
                result.update(resolved(macro, seen + (name,)))
        result.update(own)
        return result

    fixed = {}
    for name, options in sections.items():
        options = dict(options)
        if "<" in options:  # the parser split "<= x" at "="
            options["<="] = options.pop("<")
        fixed[name] = options
    sections = fixed
    return {name: dict(resolved(name), _buildout_section_name_=name) for name in sections}


def substitute(sections):
    """${section:key}, ${:key} (this section) and the $${ escape, as buildout expands them."""
    pattern = re.compile(r"\$\$|\$\{([^:}]*):([^}]+)\}")

    def value(section, key, depth=0):
        if depth > 50:
            raise ValueError("substitution loop at ${%s:%s}" % (section, key))
        raw = sections[section][key]

        def replace(match):
            if match.group(0) == "$$":
                return "$"
            other = match.group(1) or section
            return value(other, match.group(2), depth + 1)

        return pattern.sub(replace, raw)

    class Parts(dict):  # expanded on use, as buildout expands only the sections it uses
        def __missing__(self, section):
            return {key: value(section, key) for key in sections[section]}

    return Parts()


def render(profile, promise_dir):
    with open(os.path.join(MACRO_DIR, "instance-native-promise.cfg.jinja2.in")) as f:
        macro = f.read()
    assert "{{ native_promise_dir }}" in macro
    macro = macro.replace("{{ native_promise_dir }}", promise_dir)
    return substitute(extend_macros(parse_buildout(macro + "\n" + profile)))


def run_part(part, cwd):
    """plone.recipe.command: the command through the shell; stop-on-error makes a failure fail
    the instantiation."""
    assert part["recipe"] == "plone.recipe.command"
    assert part["stop-on-error"] == "true"
    return subprocess.run(["/bin/sh", "-c", part["command"]], cwd=cwd, capture_output=True,
                          text=True, timeout=60)


def run_as_slapgrid(path, partition):
    return subprocess.run([path], cwd=partition, env={}, capture_output=True, text=True,
                          timeout=30)


PROFILE = """
[buildout]
parts-directory = {partition}/parts

[directory]
promise = {partition}/etc/promise

[error-file]
path = {partition}/var/error.txt

[error-file-promise]
<= native-promise-base
promise = check_file_state
name = error-file-empty
options =
  filename = ${{error-file:path}}
  state = {state}

[title-promise]
<= native-promise-base
promise = check_parameter
name = title-as-expected
options =
  value = "${{sample:title}}"
  expected-value = "${{sample:title}}"

[sample]
title = a title with spaces
"""


class NativePromiseBase(unittest.TestCase):
    def setUp(self):
        self.partition = tempfile.mkdtemp(prefix="native-promise-base.")
        os.chmod(self.partition, 0o755)
        for sub in ("etc/promise", "parts", "var"):
            os.makedirs(os.path.join(self.partition, sub), mode=0o755)
        self.error_file = os.path.join(self.partition, "var/error.txt")
        open(self.error_file, "w").close()

    def tearDown(self):
        shutil.rmtree(self.partition)

    def parts(self, state="empty"):
        return render(PROFILE.format(partition=self.partition, state=state), BIN_DIR)

    def test_the_command_installs_a_promise_that_runs_and_holds(self):
        parts = self.parts()
        for name in ("error-file-promise", "title-promise"):
            result = run_part(parts[name], self.partition)
            self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        promise = os.path.join(self.partition, "etc/promise/error-file-empty")
        self.assertEqual(parts["error-file-promise"]["output"], promise)
        self.assertEqual(parts["error-file-promise"]["location"], promise)
        self.assertEqual(os.stat(promise).st_mode & 0o777, 0o700)
        run = run_as_slapgrid(promise, self.partition)
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
        self.assertTrue(run.stdout.startswith("OK: "), run.stdout)
        self.assertIn("error.txt' state 'empty'", run.stdout)
        # The promise checks the file, not the moment of its install.
        with open(self.error_file, "w") as f:
            f.write("it broke\n")
        run = run_as_slapgrid(promise, self.partition)
        self.assertEqual(run.returncode, 2, run.stdout)
        self.assertTrue(run.stdout.startswith("CRITICAL: "), run.stdout)
        # A value with spaces, quoted as in a promise file.
        title = run_as_slapgrid(os.path.join(self.partition, "etc/promise/title-as-expected"),
                                self.partition)
        self.assertEqual(title.returncode, 0, title.stdout + title.stderr)
        self.assertIn("'a title with spaces' == 'a title with spaces'", title.stdout)
        # The options file keeps what was installed, readable by the partition user only.
        options = parts["error-file-promise"]["options-file"]
        self.assertEqual(os.stat(options).st_mode & 0o777, 0o600)
        with open(options) as f:
            self.assertIn("state = empty", f.read())

    def test_changed_options_rewrite_the_promise(self):
        run_part(self.parts()["error-file-promise"], self.partition)
        promise = os.path.join(self.partition, "etc/promise/error-file-empty")
        with open(self.error_file, "w") as f:
            f.write("content\n")
        self.assertEqual(run_as_slapgrid(promise, self.partition).returncode, 2)
        result = run_part(self.parts(state="not-empty")["error-file-promise"], self.partition)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        run = run_as_slapgrid(promise, self.partition)
        self.assertEqual(run.returncode, 0, run.stdout)
        self.assertIn("state 'not-empty'", run.stdout)

    def test_a_bad_option_fails_the_instantiation_and_writes_nothing(self):
        result = run_part(self.parts(state="sideways")["error-file-promise"], self.partition)
        self.assertEqual(result.returncode, 3, result.stdout + result.stderr)
        self.assertIn("sideways", result.stdout)
        self.assertFalse(os.path.exists(os.path.join(self.partition, "etc/promise/error-file-empty")))

    def test_the_component_renders_the_macro_with_the_promise_directory(self):
        with open(os.path.join(MACRO_DIR, "buildout.cfg")) as f:
            component = parse_buildout(f.read())
        template = component["native-promise-template"]
        self.assertIn("url = ${:_profile_base_location_}/instance-native-promise.cfg.jinja2.in",
                      "url = " + template["url"])
        self.assertIn("raw native_promise_dir ${slapos-native-promises:promise-dir}",
                      template["context"])
        self.assertEqual(component["slapos-native-promises"]["promise-dir"],
                         "${:location}/libexec/slapos-native-promises")
        self.assertEqual(component["slapos-native-promises"]["recipe"], "slapos.recipe.cmmi")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    BIN_DIR, MACRO_DIR = (os.path.abspath(a) for a in sys.argv[1:3])
    unittest.main(argv=sys.argv[:1], verbosity=2)
