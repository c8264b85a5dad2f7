"""gunicorn entry point for the lab's OpenStack WSGI services.

The services' WSGI modules parse ``sys.argv`` with oslo.config; under gunicorn
that is gunicorn's own command line, so the worker would exit with code 2 (and
gunicorn respawn it forever). Reset ``sys.argv`` first, then import the module
named by ``OSFLAB_WSGI_MODULE`` and re-export its ``application``.

    OSFLAB_WSGI_MODULE=keystone.wsgi.api  OSFLAB_WSGI_ARGS='--config-file /x.conf'
    gunicorn osflab_wsgi:application
"""
import importlib
import os
import shlex
import sys

_module = os.environ["OSFLAB_WSGI_MODULE"]
sys.argv = [_module.split(".")[0] + "-api"] + shlex.split(os.environ.get("OSFLAB_WSGI_ARGS", ""))

application = importlib.import_module(_module).application
