"""Stand-in for the get-pip.py bootstrap script that ansible-test downloads from a host
this lab's machines cannot reach. ansible-test runs it as __main__ inside a fresh venv
with pip's install arguments; this installs pip from the interpreter's bundled wheel
(ensurepip) and then runs `pip install` with those arguments against the package index.
tests/run.py copies it to ~/.ansible/test/cache/get_pip_<version>.py."""

import ensurepip
import os
import subprocess
import sys

GET_PIP_ONLY = {"--no-setuptools", "--no-wheel"}

if __name__ == "__main__":
    ensurepip.bootstrap(upgrade=True)
    # ensurepip points PIP_CONFIG_FILE at /dev/null; the real install must see the machine's pip config.
    os.environ.pop("PIP_CONFIG_FILE", None)
    args = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY]
    sys.exit(subprocess.call([sys.executable, "-m", "pip", "install"] + args))
