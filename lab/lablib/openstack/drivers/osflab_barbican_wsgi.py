"""gunicorn entry point for the second site's Barbican (lablib.openstack.site_b).

Barbican's own WSGI script reads /etc/barbican/barbican-api-paste.ini and the default config locations; the lab
keeps both under <lab>: parse ``OSFLAB_BARBICAN_CONF`` first, then load the paste pipeline Barbican ships
(``OSFLAB_BARBICAN_PASTE``, keystone auth_token in front of the v1 API).
"""
import os
import sys

sys.argv = ["barbican-api"]

from barbican.common import config  # noqa: E402  (after sys.argv: oslo.config must not see gunicorn's)
from paste import deploy  # noqa: E402

config.CONF(["--config-file", os.environ["OSFLAB_BARBICAN_CONF"]], project="barbican")
application = deploy.loadapp("config:%s" % os.environ["OSFLAB_BARBICAN_PASTE"])
