"""Stand-in for ansible-test's get-pip.py bootstrap script.

ansible-test downloads get-pip.py from a host this network cannot reach; it
uses a cached copy at ~/.ansible/test/cache/get_pip_<version>.py when there is
one. This stand-in does what get-pip does with what Python already ships:
ensurepip, then pip installs the requested packages (pip==25.2 and friends)
from the configured package index. `make sanity` installs it into the cache.
"""
import subprocess
import sys


def main():
    subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade", "--default-pip"])
    args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
    subprocess.check_call([sys.executable, "-m", "pip", "install"] + args)


if __name__ == "__main__":
    main()
